"""Another client's changes between our push and the next sync, on real Radicale and Xandikos.

Right after our confirmed writes a trusted calendar's token holds a *candidate* stamp
(:mod:`pc_calendar.backends.caldav_stamp`), and the next listing is the sync-collection
REPORT alone. Here a parent's client changes the calendar in between: adds an event of
their own, edits one of ours, deletes another. On Radicale those changes are dated into
our writes' own second (a minute back, past the margin), as a phone syncing right after
our push would leave them: the collection's last-modified still equals the candidate, so
only the REPORT can tell. The sync must see every change and handle it by the policy,
and a listing that saw a change must not make the candidate the stamp
(:meth:`DavToken.after_promotion`'s ``changed``): the stamp means "last-modified read
before the sync token", which that listing never read. Xandikos has no collection
last-modified: there the same changes go through the ordinary sync-token listing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import pytest
from servers import CalendarRef
from sync_helpers import ZONE, edited_body, exchanges, make_event
from test_caldav_quick_check import date_calendar, date_our_writes, stored_token
from test_caldav_sync import CalDAVSyncer, expected

from pc_calendar.backends.base import DesiredEvent
from pc_calendar.backends.caldav import safe_name

DAYS = [1, 3, 8, 10]
DENTIST = make_event(
    "dentist", datetime(2026, 12, 9, 15, tzinfo=ZONE), "Dentist", marker=False,
    uid="dentist-2026-12-09@parents-phone.example",
)  # fmt: skip


@dataclass
class Changed:
    """A pushed calendar after a parent's client changed it behind our back."""

    syncer: CalDAVSyncer
    calendar: CalendarRef
    desired: list[DesiredEvent]
    edited: DesiredEvent
    deleted: DesiredEvent

    def dentist(self) -> bytes:
        status, body = self.calendar.get(safe_name(DENTIST.uid))
        assert status == 200
        return body


def push_then_foreign_changes(tmp_path, calendar: CalendarRef, on_radicale: bool) -> Changed:
    """Our push, then a parent's own event, an edit and a delete of ours by another client."""
    server = calendar.server
    if on_radicale:
        date_calendar(server, calendar, time.time() - 120)  # our writes move it on: trusted
    syncer = CalDAVSyncer(tmp_path, calendar)
    desired = exchanges(DAYS)
    pushed = syncer.run(desired)
    assert pushed.ok and pushed.created == len(DAYS), pushed.error
    when = int(time.time()) - 60
    if on_radicale:
        date_our_writes(server, calendar, syncer, when)  # the next listing would promote
        assert stored_token(syncer).candidate == when
    edited, deleted = desired[1], desired[2]
    assert calendar.put(safe_name(DENTIST.uid), DENTIST.ical) in (200, 201, 204)
    # An edit of the resource our push made (older Radicale answers 201 to a replace too)
    assert calendar.get(safe_name(edited.uid))[0] == 200
    assert calendar.put(safe_name(edited.uid), edited_body(edited, "parent")) in (200, 201, 204)
    assert calendar.delete(safe_name(deleted.uid)) in (200, 204)
    if on_radicale:
        date_calendar(server, calendar, when)  # in our writes' second: last-modified unmoved
    return Changed(syncer, calendar, desired, edited, deleted)


@pytest.mark.parametrize("server_name", ["radicale", "xandikos"])
def test_plan_wins_restores_ours_and_leaves_the_parents_event(
    tmp_path, request, server_name
) -> None:
    calendar = request.getfixturevalue(f"{server_name}_server").new_calendar()
    changed = push_then_foreign_changes(tmp_path, calendar, server_name == "radicale")
    dentist = changed.dentist()

    seen = changed.syncer.run(changed.desired)
    assert seen.ok, seen.error
    assert sorted((c.uid, c.change, c.resolution) for c in seen.conflicts) == sorted(
        [(changed.edited.uid, "edited", "restored"), (changed.deleted.uid, "deleted", "restored")]
    )
    assert (seen.created, seen.updated, seen.deleted) == (1, 1, 0)
    assert changed.syncer.ours() == expected(changed.desired)
    assert changed.dentist() == dentist

    again = changed.syncer.run(changed.desired)
    assert (again.writes, again.conflicts, again.unchanged) == (0, [], len(DAYS))
    assert changed.dentist() == dentist


@pytest.mark.parametrize("server_name", ["radicale", "xandikos"])
def test_keep_theirs_reports_the_changes_once_and_leaves_the_parents_event(
    tmp_path, request, server_name
) -> None:
    """No write of ours follows, so the token the seeing listing left is the one kept:
    on Radicale it must not vouch for last-modified, and the next run asks the REPORT."""
    on_radicale = server_name == "radicale"
    calendar = request.getfixturevalue(f"{server_name}_server").new_calendar()
    changed = push_then_foreign_changes(tmp_path, calendar, on_radicale)
    dentist = changed.dentist()
    parent_version = calendar.get(safe_name(changed.edited.uid))

    seen = changed.syncer.run(changed.desired, policy="keep-theirs")
    assert seen.ok, seen.error
    kept = "kept theirs"
    assert sorted((c.uid, c.change, c.resolution) for c in seen.conflicts) == sorted(
        [(changed.edited.uid, "edited", kept), (changed.deleted.uid, "deleted", kept)]
    )
    assert seen.writes == 0
    if on_radicale:
        token = stored_token(changed.syncer)
        assert token.trust is True and token.stamp is None and token.candidate is None

    again = changed.syncer.run(changed.desired, policy="keep-theirs")
    assert (again.writes, again.conflicts) == (0, [])
    if on_radicale:  # last-modified, then the REPORT it could not vouch for alone
        assert again.requests == 2
        assert stored_token(changed.syncer).stamp is not None
    assert calendar.get(safe_name(changed.edited.uid)) == parent_version
    assert calendar.get(safe_name(changed.deleted.uid))[0] == 404
    assert changed.dentist() == dentist
