"""The sync engine driving the Google backend against the emulator.

First sync, no-op re-sync, a swap, parents' own events, parents' edits and deletions
under both conflict policies, faults mid-sync and the re-run that converges.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from google_emulator.fixtures import google_emulator, google_emulator_server  # noqa: F401
from test_google_backend import foreign_body, make_backend

from pc_calendar.backends.google_events import event_id
from pc_calendar.sync.apply import RetryPolicy
from pc_calendar.sync.runner import SyncOptions, sync_calendar
from pc_calendar.sync.state import StateStore
from pc_calendar.testing import FAMILY_ID, foreign_ical, make_event, uid_for

ZONE = ZoneInfo("America/Chicago")
DAYS = [1, 4, 8, 11, 15, 18, 22, 25]
KEY = f"{FAMILY_ID}/alex/google"


def exchanges(days=DAYS, minute: int = 0, moved: tuple[int, ...] = ()) -> list:
    return [
        make_event(
            f"2026-12-{d:02d}",
            datetime(2026, 12, d, 18, minute if d in moved else 0, tzinfo=ZONE),
            datetime(2026, 12, d, 18, 15 + (minute if d in moved else 0), tzinfo=ZONE),
            summary=f"Exchange 12/{d}" + (" (swap)" if d in moved else ""),
            kind="exchanges",
        )
        for d in days
    ] + [make_event("xmas", date(2026, 12, 25), date(2026, 12, 26), summary="Christmas")]


class Syncer:
    def __init__(self, tmp_path, emu) -> None:
        self.emu = emu
        self.backend = make_backend(emu)
        self.state = tmp_path / "state.sqlite"
        self.sleeps: list[float] = []

    def run(self, desired, **changes):
        retry = RetryPolicy(attempts=3, base=0.1, sleep=self.sleeps.append, rand=lambda: 1.0)
        values = dict(start=date(2026, 1, 1), end=date(2028, 1, 1), retry=retry)
        values.update(changes)
        with StateStore(self.state, readonly=values.get("dry_run", False)) as store:
            return sync_calendar(self.backend, desired, store, KEY, SyncOptions(**values), "alex")

    def ours(self) -> dict[str, str]:
        """uid -> stored content hash of our live events, read from the emulator itself."""
        found = {}
        for item in self.emu.events("primary"):
            props = (item.get("extendedProperties") or {}).get("private") or {}
            if item.get("status") != "cancelled" and props.get("pcCalendarFamily") == FAMILY_ID:
                assert item["iCalUID"] not in found, "duplicate event"
                found[item["iCalUID"]] = props["pcCalendarHash"]
        return found


@pytest.fixture
def syncer(tmp_path, google_emulator):  # noqa: F811
    return Syncer(tmp_path, google_emulator)


def expected(desired) -> dict[str, str]:
    return {d.uid: d.content_hash for d in desired}


def engine_batches() -> bool:
    """Whether the sync engine sends writes through Backend.apply_batch yet."""
    import inspect

    from pc_calendar.sync import apply

    return "apply_batch" in inspect.getsource(apply)


def test_first_sync_then_noop_costs_one_call(syncer) -> None:
    desired = exchanges()
    first = syncer.run(desired)
    assert first.ok, first.error
    assert (first.created, first.updated, first.deleted) == (9, 0, 0)
    assert syncer.ours() == expected(desired)
    for _ in range(2):
        again = syncer.run(desired)
        assert again.ok and again.writes == 0 and again.unchanged == 9
        assert again.requests <= 1
    calls = len(syncer.emu.calls)
    syncer.run(desired, dry_run=True)
    assert len(syncer.emu.calls) == calls + 1  # a dry run only lists


def test_swap_costs_at_most_two_calls(syncer) -> None:
    syncer.run(exchanges())
    syncer.run(exchanges())
    after = exchanges(minute=30, moved=(8, 11))
    summary = syncer.run(after)
    assert (summary.created, summary.updated, summary.deleted, summary.unchanged) == (0, 2, 0, 7)
    assert syncer.ours() == expected(after)
    assert summary.requests <= 2


def test_swap_updates_only_the_changed_events(syncer) -> None:
    syncer.run(exchanges())
    after = exchanges(minute=30, moved=(8, 11))
    summary = syncer.run(after)
    assert (summary.created, summary.updated, summary.deleted, summary.unchanged) == (0, 2, 0, 7)
    assert syncer.ours() == expected(after)
    assert summary.requests <= 1 + 2
    fewer = [d for d in after if "12/25" not in d.event.get("SUMMARY", "")]
    removed = syncer.run(fewer)
    assert removed.deleted == 1 and syncer.ours() == expected(fewer)


def test_parents_own_events_are_never_touched(syncer) -> None:
    emu = syncer.emu
    ours_uid = uid_for(FAMILY_ID, "exchanges", "2026-12-08")
    foreign = [
        foreign_body(foreign_ical("dentist@phone.example", "Dentist")),
        # a copy of ours the parent made: our UID and summary, another id, no marker
        foreign_body(foreign_ical(ours_uid, "Exchange 12/8")),
        # another family's marker
        foreign_body(
            foreign_ical(
                uid_for("other", "exchanges", "x"),
                "Exchange",
                extra={"X-PC-CALENDAR-FAMILY": "other"},
            )
        ),
    ]
    ids = [emu.put_foreign("primary", body) for body in foreign]
    before = {i: emu.event("primary", i) for i in ids}
    syncer.run(exchanges())
    syncer.run(exchanges(minute=30, moved=(8,)))
    summary = syncer.run([], yes=True)  # the plan wants nothing: delete all of ours
    assert summary.deleted == 9 and syncer.ours() == {}
    assert {i: emu.event("primary", i) for i in ids} == before
    assert all(event_id(ours_uid) != i for i in ids)


@pytest.mark.parametrize("policy", ["plan-wins", "keep-theirs"])
def test_parent_edits_one_of_ours(syncer, policy) -> None:
    desired = exchanges()
    syncer.run(desired)
    target = desired[2]
    syncer.emu.parent_edit("primary", event_id(target.uid), summary="Moved to 19:00 by Sam")
    summary = syncer.run(desired, policy=policy)
    assert summary.ok, summary.error
    assert [(c.uid, c.change) for c in summary.conflicts] == [(target.uid, "edited")]
    stored = syncer.emu.event("primary", event_id(target.uid))
    if policy == "plan-wins":
        assert summary.conflicts[0].resolution == "restored" and summary.updated == 1
        assert stored["summary"] == "Exchange 12/8"
    else:
        assert summary.conflicts[0].resolution == "kept theirs" and summary.writes == 0
        assert stored["summary"] == "Moved to 19:00 by Sam"
        quiet = syncer.run(desired, policy=policy)
        assert quiet.conflicts == [] and quiet.writes == 0  # reported once


@pytest.mark.parametrize("policy", ["plan-wins", "keep-theirs"])
def test_parent_deletes_one_of_ours(syncer, policy) -> None:
    desired = exchanges()
    syncer.run(desired)
    target = desired[3]
    syncer.emu.parent_delete("primary", event_id(target.uid))
    summary = syncer.run(desired, policy=policy)
    assert summary.ok, summary.error
    assert [(c.uid, c.change) for c in summary.conflicts] == [(target.uid, "deleted")]
    stored = syncer.emu.event("primary", event_id(target.uid))
    if policy == "plan-wins":
        assert stored["status"] == "confirmed"  # restored under the same id
        assert syncer.ours() == expected(desired)
    else:
        assert stored["status"] == "cancelled"
        assert target.uid not in syncer.ours()
        assert syncer.run(desired, policy=policy).writes == 0


@pytest.mark.parametrize("fault", ["rateLimitExceeded", 429, 503, "drop", "drop_after"])
def test_fault_mid_sync_then_rerun_converges(syncer, fault) -> None:
    syncer.run(exchanges(days=DAYS[:3]))
    desired = exchanges(minute=30, moved=tuple(DAYS[:3]))  # 3 updates (PUT), 6 creates (POST)
    syncer.emu.inject(fault, times=1000, match="POST /calendar")  # every create, every retry
    broken = syncer.run(desired)
    syncer.emu.faults.clear()
    updated = {d.uid: d.content_hash for d in desired[:3]}
    assert {u: h for u, h in syncer.ours().items() if u in updated} == updated
    assert broken.error is not None and "attempts" in broken.error
    # the 3 updated exchanges and the holiday; with drop_after the first create also
    # landed, only its answers were lost
    assert len(syncer.ours()) == (5 if fault == "drop_after" else 4)
    healed = syncer.run(desired)
    assert healed.ok, healed.error
    assert syncer.ours() == expected(desired)  # nothing missing, nothing doubled
    assert syncer.run(desired).writes == 0


def test_transient_fault_is_absorbed_without_failing(syncer) -> None:
    desired = exchanges()
    syncer.emu.inject(503, times=1, match="POST")
    syncer.emu.inject("userRateLimitExceeded", times=2, match="POST")
    summary = syncer.run(desired)
    assert summary.ok, summary.error
    assert summary.created == 9 and syncer.ours() == expected(desired)
    assert len(syncer.emu.faults.fired) == 3


def test_lost_state_costs_speed_not_correctness(syncer) -> None:
    desired = exchanges()
    syncer.run(desired)
    syncer.state.unlink()
    again = syncer.run(desired)
    assert again.ok and again.writes == 0 and syncer.ours() == expected(desired)
    edited = copy.deepcopy(desired)
    syncer.emu.parent_edit("primary", event_id(edited[0].uid), location="Park")
    syncer.state.unlink()
    restored = syncer.run(desired)
    assert [c.change for c in restored.conflicts] == ["edited"] and restored.updated == 1


def test_cli_sync_of_the_example_plan_to_google(tmp_path, google_emulator, capsys) -> None:  # noqa: F811
    from pathlib import Path

    from pc_calendar.cli import main

    example = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
    plan = tmp_path / "rivera-chen.toml"
    plan.write_text(example.read_text())
    (tmp_path / "calendars.toml").write_text(
        "[alex]\n"
        'type = "google"\n'
        'calendar_id = "primary"\n'
        'credentials = "anonymous"\n'
        f'api_endpoint = "{google_emulator.api_endpoint}"\n'
        f'batch_uri = "{google_emulator.batch_uri}"\n'
    )
    args = ["sync", str(plan), "--parent", "alex", "--state", str(tmp_path / "s.sqlite")]
    args += ["--from", "2026-11-01", "--to", "2027-01-01", "--json"]

    def sync() -> dict:
        import json

        try:
            main(args)
        except SystemExit as exc:
            assert exc.code in (0, None), capsys.readouterr().err
        return json.loads(capsys.readouterr().out)["calendars"][0]

    first = sync()
    assert first["ok"] and first["created"] > 5, first
    stored = [e for e in google_emulator.events("primary") if e.get("status") != "cancelled"]
    assert len(stored) == first["created"]
    assert all(e["iCalUID"].endswith("@rivera-chen.pc-calendar.invalid") for e in stored)
    timed = [e for e in stored if "dateTime" in e["start"]]
    assert timed and all(e["start"]["timeZone"] == "America/Chicago" for e in timed)
    second = sync()
    assert second["ok"] and second["created"] == second["updated"] == 0
    assert second["unchanged"] == first["created"] and second["requests"] <= 1


def test_cli_setup_creates_a_calendar_in_the_family_zone(tmp_path, google_emulator) -> None:  # noqa: F811
    from pathlib import Path

    from click.testing import CliRunner

    from pc_calendar.cli.google import google

    example = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
    plan = tmp_path / "rivera-chen.toml"
    plan.write_text(example.read_text())
    (tmp_path / "calendars.toml").write_text(
        "[sam]\n"
        'type = "google"\n'
        'account = "sam@example.org"\n'
        'credentials = "anonymous"\n'
        f'api_endpoint = "{google_emulator.api_endpoint}"\n'
    )
    result = CliRunner().invoke(google, ["setup", "sam", "--plan", str(plan)])
    assert result.exit_code == 0, result.output
    calendar_id = result.output.split("sam@example.org: ")[1].split()[0]
    assert f'calendar_id = "{calendar_id}"' in result.output
    assert google_emulator.events(calendar_id) == []
    assert google_emulator.store.calendars[calendar_id].time_zone == "America/Chicago"
    wrong = CliRunner().invoke(google, ["setup", "alex", "--plan", str(plan)])
    assert wrong.exit_code != 0 and 'not "google"' in str(wrong.exception)


@pytest.mark.parametrize("all_day", [False, True])
def test_event_crossing_from_is_ours_to_delete(syncer, all_day: bool) -> None:
    """Google events carry their last day too: one that starts before --from but
    overlaps the range is deleted when the plan no longer wants it."""
    if all_day:
        across = make_event("long", date(2025, 12, 30), date(2026, 1, 3), summary="Break")
    else:
        start = datetime(2025, 12, 30, 18, tzinfo=ZONE)
        across = make_event("long", start, datetime(2026, 1, 2, 18, tzinfo=ZONE))
    desired = exchanges()
    assert syncer.run([across, *desired]).created == 10
    gone = syncer.run(desired)
    assert gone.ok and gone.deleted == 1
    assert syncer.ours() == expected(desired)
