"""The sync engine against the in-memory calendar: the behaviours issue 3 asks for."""

from __future__ import annotations

from datetime import datetime

import pytest
from sync_helpers import FAMILY, KEY, ZONE, Syncer, edited_body, exchanges, make_event

from pc_calendar.backends.memory import Crash, MemoryBackend, transient_faults
from pc_calendar.errors import TransientBackendError
from pc_calendar.identity import uid_for

DAYS = [1, 3, 8, 10, 15, 17, 22, 24]


def test_first_sync_creates_everything(syncer):
    desired = exchanges(DAYS)
    summary = syncer.run(desired)
    assert (summary.created, summary.updated, summary.deleted, summary.unchanged) == (8, 0, 0, 0)
    assert summary.ok and summary.error is None
    assert syncer.uids() == sorted(d.uid for d in desired)
    stored = {syncer.backend.objects[f"{d.uid}.ics"][0] for d in desired}
    assert stored == {d.ical for d in desired}


@pytest.mark.parametrize("tokens", [True, False])
def test_second_run_writes_nothing_in_one_request(tmp_path, tokens):
    syncer = Syncer(tmp_path, MemoryBackend(FAMILY, tokens=tokens))
    desired = exchanges(DAYS)
    syncer.run(desired)
    writes = syncer.backend.writes
    summary = syncer.run(desired)
    assert syncer.backend.writes == writes
    assert (summary.created, summary.updated, summary.deleted) == (0, 0, 0)
    assert summary.unchanged == 8
    assert summary.requests == 1
    assert "unchanged" in summary.line()


def test_swap_updates_exactly_the_two_moved_exchanges(syncer):
    before = exchanges(DAYS)
    syncer.run(before)
    # a swap moves the exchanges of the 8th and 10th to 18:30 (same natural keys)
    after = [
        make_event(
            d.natural_key,
            datetime(2026, 12, int(d.natural_key[-2:]), 18, 30, tzinfo=ZONE),
            f"Exchange 12/{int(d.natural_key[-2:])} (swap)",
        )
        if d.natural_key in ("2026-12-08", "2026-12-10")
        else d
        for d in before
    ]
    writes = syncer.backend.writes
    summary = syncer.run(after)
    assert (summary.created, summary.updated, summary.deleted, summary.unchanged) == (0, 2, 0, 6)
    assert syncer.backend.writes - writes == 2
    assert summary.requests == 3  # one listing + two updates
    moved = {d.uid for d in after if d.natural_key in ("2026-12-08", "2026-12-10")}
    for d in after:
        body = syncer.backend.objects[f"{d.uid}.ics"][0]
        assert (b"(swap)" in body) == (d.uid in moved)


def test_parents_own_events_are_never_touched(syncer):
    desired = exchanges(DAYS)
    own = make_event(
        "dentist",
        datetime(2026, 12, 8, 9, tzinfo=ZONE),
        "Dentist",
        marker=False,
        uid="dentist-1@example.org",
    )
    # looks like ours (our UID and summary) but carries no ownership marker
    lookalike = make_event(
        "2026-12-03", datetime(2026, 12, 3, 18, tzinfo=ZONE), "Exchange 12/3", marker=False
    )
    # a stale event of ours, no longer desired, proves deletions do happen next to them
    stale = make_event("2026-12-30", datetime(2026, 12, 30, 18, tzinfo=ZONE))
    syncer.backend.put_foreign("dentist.ics", own.ical)
    syncer.backend.put_foreign("parent-copy.ics", lookalike.ical)
    syncer.backend.put_foreign(f"{stale.uid}.ics", stale.ical)
    foreign_before = {h: syncer.backend.objects[h] for h in ("dentist.ics", "parent-copy.ics")}

    summary = syncer.run(desired)
    assert (summary.created, summary.deleted, summary.unchanged) == (8, 1, 0)
    for _ in range(2):  # and later runs
        syncer.run(exchanges(DAYS[:4]), yes=True)
    for href, value in foreign_before.items():
        assert syncer.backend.objects[href] == value
    assert f"{stale.uid}.ics" not in syncer.backend.objects


def test_lookalike_at_our_href_is_the_parents_edit(syncer):
    """Our UID at our own name without the marker: a client stripped X-PC-* (see
    test_sync_ownership.py); never a create refused for ever."""
    desired = exchanges([3])
    lookalike = make_event(
        "2026-12-03", datetime(2026, 12, 3, 18, tzinfo=ZONE), "Exchange", marker=False
    )
    syncer.backend.put_foreign(f"{desired[0].uid}.ics", lookalike.ical)
    summary = syncer.run(desired)
    assert summary.ok and (summary.created, summary.updated) == (0, 1)
    assert [(c.change, c.resolution) for c in summary.conflicts] == [("edited", "restored")]
    assert syncer.backend.objects[f"{desired[0].uid}.ics"][0] == desired[0].ical


def test_events_outside_the_range_are_left_alone(syncer):
    old = make_event("2025-06-01", datetime(2025, 6, 1, 18, tzinfo=ZONE))
    syncer.backend.put_foreign(f"{old.uid}.ics", old.ical)
    summary = syncer.run(exchanges([1]))
    assert summary.deleted == 0 and f"{old.uid}.ics" in syncer.backend.objects


@pytest.mark.parametrize("tokens", [True, False])
def test_parent_edit_plan_wins_restores_once(tmp_path, tokens):
    syncer = Syncer(tmp_path, MemoryBackend(FAMILY, tokens=tokens))
    desired = exchanges(DAYS)
    syncer.run(desired)
    target = desired[2]
    syncer.backend.edit(f"{target.uid}.ics", edited_body(target, "moved by parent"))
    summary = syncer.run(desired)
    assert summary.updated == 1 and summary.unchanged == 7
    assert [(c.uid, c.change, c.resolution) for c in summary.conflicts] == [
        (target.uid, "edited", "restored")
    ]
    assert syncer.backend.objects[f"{target.uid}.ics"][0] == target.ical
    again = syncer.run(desired)
    assert again.writes == 0 and not again.conflicts


@pytest.mark.parametrize("tokens", [True, False])
def test_parent_delete_plan_wins_recreates(tmp_path, tokens):
    syncer = Syncer(tmp_path, MemoryBackend(FAMILY, tokens=tokens))
    desired = exchanges(DAYS)
    syncer.run(desired)
    syncer.backend.remove(f"{desired[0].uid}.ics")
    summary = syncer.run(desired)
    assert summary.created == 1
    assert [(c.change, c.resolution) for c in summary.conflicts] == [("deleted", "restored")]
    assert syncer.uids() == sorted(d.uid for d in desired)


@pytest.mark.parametrize("tokens", [True, False])
def test_keep_theirs_leaves_edit_and_delete_and_reports_once(tmp_path, tokens):
    syncer = Syncer(tmp_path, MemoryBackend(FAMILY, tokens=tokens))
    desired = exchanges(DAYS)
    syncer.run(desired)
    edited, deleted = desired[1], desired[2]
    their_body = edited_body(edited, "parent's version")
    syncer.backend.edit(f"{edited.uid}.ics", their_body)
    syncer.backend.remove(f"{deleted.uid}.ics")

    first = syncer.run(desired, policy="keep-theirs")
    assert first.writes == 0
    assert sorted((c.uid, c.change, c.resolution) for c in first.conflicts) == sorted(
        [(edited.uid, "edited", "kept theirs"), (deleted.uid, "deleted", "kept theirs")]
    )
    second = syncer.run(desired, policy="keep-theirs")
    assert second.writes == 0 and second.conflicts == []
    assert syncer.backend.objects[f"{edited.uid}.ics"][0] == their_body
    assert f"{deleted.uid}.ics" not in syncer.backend.objects

    # the plan's version of the edited event changes: reported again, still theirs
    changed = [
        make_event(d.natural_key, datetime(2026, 12, 3, 19, tzinfo=ZONE), "new time")
        if d.uid == edited.uid
        else d
        for d in desired
    ]
    third = syncer.run(changed, policy="keep-theirs")
    assert [(c.uid, c.resolution) for c in third.conflicts] == [(edited.uid, "kept theirs")]
    assert third.writes == 0
    # and plan-wins later restores both
    restore = syncer.run(changed)
    assert (restore.created, restore.updated) == (1, 1)
    assert syncer.uids() == sorted(d.uid for d in changed)


def test_dry_run_writes_nothing_anywhere(syncer):
    summary = syncer.run(exchanges(DAYS), dry_run=True)
    assert summary.created == 8 and summary.dry_run
    assert syncer.backend.objects == {} and syncer.backend.writes == 0
    assert not syncer.state_path.exists()
    syncer.run(exchanges(DAYS))
    state_bytes = syncer.state_path.read_bytes()
    preview = syncer.run(exchanges(DAYS[:2]), dry_run=True, yes=True)
    assert preview.deleted == 6 and syncer.backend.writes == 8
    assert syncer.state_path.read_bytes() == state_bytes
    assert sorted(p.name for p in syncer.state_path.parent.iterdir()) == ["state.sqlite"]


def test_mass_deletion_needs_yes(syncer):
    days = list(range(1, 29))
    syncer.run(exchanges(days))
    refused = syncer.run(exchanges(days[:10]))  # would delete 18 of 28
    assert refused.error is not None and "--yes" in refused.error
    assert refused.writes == 0 and len(syncer.uids()) == 28
    small = syncer.run(exchanges(days[:19]))  # 9 deletions: under the minimum of 10
    assert small.ok and small.deleted == 9
    allowed = syncer.run(exchanges(days[:5]), yes=True)
    assert allowed.deleted == 14 and len(syncer.uids()) == 5


@pytest.mark.parametrize("crash_after", [1, 3, 6])  # 6 writes in all
def test_crash_mid_sync_then_rerun_converges(syncer, crash_after):
    syncer.run(exchanges(DAYS[:4]))
    desired = exchanges(DAYS[2:]) + [
        make_event(d.natural_key, d.event["DTSTART"].dt, "renamed") for d in exchanges(DAYS[:1])
    ]
    syncer.backend.fail_after_writes = syncer.backend.writes + crash_after
    with pytest.raises(Crash):
        syncer.run(desired)
    summary = syncer.run(desired)
    assert summary.ok
    assert syncer.uids() == sorted(d.uid for d in desired)  # exactly, no duplicates
    bodies = {syncer.backend.objects[f"{d.uid}.ics"][0] for d in desired}
    assert bodies == {d.ical for d in desired}
    assert syncer.run(desired).writes == 0


def test_lost_state_rerun_converges_without_writes(syncer):
    desired = exchanges(DAYS)
    syncer.run(desired)
    syncer.state_path.unlink()
    writes = syncer.backend.writes
    summary = syncer.run(desired)
    assert summary.writes == 0 and summary.unchanged == 8
    assert syncer.backend.writes == writes


def test_lost_state_still_detects_a_parent_edit(syncer):
    desired = exchanges(DAYS)
    syncer.run(desired)
    syncer.state_path.unlink()
    syncer.backend.edit(f"{desired[0].uid}.ics", edited_body(desired[0], "theirs"))
    summary = syncer.run(desired)
    assert summary.updated == 1 and summary.conflicts[0].change == "edited"


def test_transient_faults_are_retried_with_backoff(syncer):
    syncer.backend.fault = transient_faults(3)
    summary = syncer.run(exchanges(DAYS))
    assert summary.ok and summary.created == 8
    assert syncer.sleeps == [0.1, 0.2, 0.4]


def test_persistent_fault_fails_the_calendar_clearly(syncer):
    syncer.backend.fault = transient_faults(100)
    summary = syncer.run(exchanges(DAYS))
    assert summary.error is not None
    assert "memory alex" in summary.error and "after 4 attempts" in summary.error
    assert len(syncer.sleeps) == 3 and max(syncer.sleeps) <= 8
    syncer.backend.fault = None
    assert syncer.run(exchanges(DAYS)).created == 8


def test_precondition_on_create_adopts_our_existing_event(syncer):
    desired = exchanges(DAYS)

    # another run already wrote one of them, unknown to the listing we act on
    def sneak(op, href):
        if op == "create" and href == f"{desired[0].uid}.ics":
            syncer.backend.fault = None
            syncer.backend.put_foreign(href, desired[0].ical)

    syncer.backend.fault = sneak
    summary = syncer.run(desired)
    assert summary.ok and summary.created == 7 and summary.unchanged == 1
    assert syncer.uids() == sorted(d.uid for d in desired)


def test_precondition_on_update_takes_the_conflict_path(syncer):
    desired = exchanges(DAYS)
    syncer.run(desired)
    changed = [
        make_event(d.natural_key, d.event["DTSTART"].dt, "new") if i == 0 else d
        for i, d in enumerate(desired)
    ]

    # the parent deletes it between our listing and our update
    def race(op, href):
        if op == "update":
            syncer.backend.fault = None
            syncer.backend.remove(href)

    syncer.backend.fault = race
    summary = syncer.run(changed)
    assert summary.ok and summary.created == 1
    assert [(c.change, c.resolution) for c in summary.conflicts] == [("deleted", "restored")]
    assert syncer.backend.objects[f"{changed[0].uid}.ics"][0] == changed[0].ical


def test_duplicate_of_ours_is_removed(syncer):
    desired = exchanges([1])
    syncer.backend.put_foreign("copy.ics", desired[0].ical)
    syncer.backend.put_foreign(f"{desired[0].uid}.ics", desired[0].ical)
    summary = syncer.run(desired)
    assert summary.deleted == 1 and summary.unchanged == 1
    assert [body for body, _ in syncer.backend.objects.values()] == [desired[0].ical]
    assert syncer.run(desired).writes == 0


def test_uid_helper_is_what_we_list():
    assert make_event("k", datetime(2026, 1, 1, tzinfo=ZONE)).uid == uid_for(
        FAMILY, "exchange", "k"
    )


def test_delta_that_omits_created_then_deleted_events(syncer):
    """RFC 6578 lets a server leave out what was created and deleted after the token."""
    syncer.backend.omit_transient = True
    desired = exchanges(DAYS)
    syncer.run(desired[:4])
    syncer.run(desired)  # creates four after the stored token
    syncer.backend.remove(f"{desired[6].uid}.ics")
    summary = syncer.run(desired)
    assert summary.created == 1 and summary.conflicts[0].change == "deleted"
    assert syncer.uids() == sorted(d.uid for d in desired)


@pytest.mark.parametrize("policy", ["plan-wins", "keep-theirs"])
def test_precondition_on_delete_takes_the_conflict_path(syncer, policy):
    desired = exchanges(DAYS)
    syncer.run(desired)
    gone = desired[-1]
    their_body = edited_body(gone, "parent kept this")

    def race(op, href):  # the parent edits it between our listing and our delete
        if op == "delete":
            syncer.backend.fault = None
            syncer.backend.edit(href, their_body)

    syncer.backend.fault = race
    summary = syncer.run(desired[:-1], policy=policy)
    assert summary.ok
    assert [(c.uid, c.change) for c in summary.conflicts] == [(gone.uid, "edited")]
    if policy == "plan-wins":
        assert summary.deleted == 1 and f"{gone.uid}.ics" not in syncer.backend.objects
    else:
        assert summary.deleted == 0
        assert syncer.backend.objects[f"{gone.uid}.ics"][0] == their_body
        assert syncer.run(desired[:-1], policy=policy).conflicts == []


@pytest.mark.parametrize("tokens", [True, False])
def test_parent_takes_over_one_of_ours(tmp_path, tokens):
    """The parent's client dropped our marker: the parent's edit of our event (its UID
    and its place say so), settled by the policy; no create refused on every run."""
    syncer = Syncer(tmp_path, MemoryBackend(FAMILY, tokens=tokens))
    desired = exchanges(DAYS)
    syncer.run(desired)
    theirs = make_event(
        desired[0].natural_key, datetime(2026, 12, 1, 18, tzinfo=ZONE), "mine now", marker=False
    )
    href = f"{desired[0].uid}.ics"
    syncer.backend.edit(href, theirs.ical)
    kept = syncer.run(desired, policy="keep-theirs")
    assert kept.ok and kept.writes == 0
    assert [(c.change, c.resolution) for c in kept.conflicts] == [("edited", "kept theirs")]
    assert syncer.backend.objects[href][0] == theirs.ical
    again = syncer.run(desired, policy="keep-theirs")
    assert again.ok and again.writes == 0 and again.conflicts == []
    restore = syncer.run(desired)
    assert restore.ok and restore.updated == 1 and restore.problems == []
    assert [(c.change, c.resolution) for c in restore.conflicts] == [("edited", "restored")]
    assert syncer.backend.objects[href][0] == desired[0].ical
    settled = syncer.run(desired)
    assert settled.ok and settled.writes == 0 and settled.conflicts == []


class ConfirmingMemory(MemoryBackend):
    """A memory calendar whose confirm step answers as told (a token, None, or a fault)."""

    def __init__(self, answer) -> None:
        super().__init__(FAMILY)
        self.answer = answer
        self.asked: list[tuple[dict, set]] = []

    def confirm_writes(self, since_token, written, deleted):
        self.asked.append((dict(written), set(deleted)))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer(self) if callable(self.answer) else self.answer


def test_confirm_is_given_exactly_the_runs_writes(tmp_path):
    from pc_calendar.sync.state import StateStore

    backend = ConfirmingMemory(lambda b: b.list().token)
    syncer = Syncer(tmp_path, backend)
    first = exchanges([1, 3, 8])
    syncer.run(first)
    ((written, deleted),) = backend.asked
    assert len(written) == 3 and deleted == set() and all(written.values())
    with StateStore(syncer.state_path) as store:
        assert not store.has_pending(KEY)
    syncer.run(first[:2])
    written, deleted = backend.asked[-1]
    assert written == {} and len(deleted) == 1
    syncer.run(first[:2])
    assert len(backend.asked) == 2  # a run without writes confirms nothing


@pytest.mark.parametrize("answer", [None, TransientBackendError("down", target="memory")])
def test_a_confirm_that_cannot_vouch_only_costs_a_read_back(tmp_path, answer):
    backend = ConfirmingMemory(answer)
    syncer = Syncer(tmp_path, backend)
    desired = exchanges([1, 3, 8])
    summary = syncer.run(desired)
    assert summary.ok and summary.created == 3 and summary.error is None
    again = syncer.run(desired)
    assert again.ok and again.writes == 0 and again.unchanged == 3
    assert syncer.uids() == sorted(d.uid for d in desired)
