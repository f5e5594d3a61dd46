"""The stdlib CalDAV probe decides as the backend's listing does, on real servers.

For each state a stored token can be in (right after a push, a settled stamp, a stamp
due for its daily re-check, Xandikos without last-modified, no quick check, a ctag, an
expired token), the probe and ``CalDAVBackend.list`` are asked from the same token:
when the probe says "unchanged", the listing found nothing either, with the same token
to store and the same number of requests. When anything changed, the probe says None.
It may also say None where the listing would find nothing of ours changed (a parent's
own new event): stepping aside is always safe.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pytest
from servers import CalendarRef
from sync_helpers import edited_body, exchanges, make_event
from test_caldav_sync import CalDAVSyncer

from pc_calendar.backends.caldav import safe_name
from pc_calendar.backends.caldav_probe import DavTarget, probe
from pc_calendar.backends.caldav_stamp import MARGIN, REVERIFY, DavToken
from pc_calendar.sync.state import StateStore

DAYS = [1, 3, 8, 10]


def target(calendar: CalendarRef, quick_check: bool = True) -> DavTarget:
    server = calendar.server
    return DavTarget(
        url=server.base_url,
        collection=calendar.path,
        username=server.username,
        password=server.password,
        timeout=5,
        verify=True,
        quick_check=quick_check,
    )


def token_of(syncer: CalDAVSyncer) -> str | None:
    with StateStore(syncer.state_path) as store:
        return store.load_header(syncer.key).token


def same_token(a: str | None, b: str | None) -> bool:
    """Equal, but for the server's clock on the two replies (a second may tick between)."""
    x, y = DavToken.decode(a), DavToken.decode(b)
    if x.verified_at is not None and y.verified_at is not None:
        if abs(x.verified_at - y.verified_at) > 1:
            return False
        x, y = replace(x, verified_at=0), replace(y, verified_at=0)
    return x == y


def ask_both(syncer: CalDAVSyncer, token: str | None, quick_check: bool = True):
    backend = syncer.backend()
    try:
        listing = backend.list(token)
    finally:
        backend.close()
    return listing, probe(target(syncer.calendar, quick_check), token)


def assert_agree(syncer: CalDAVSyncer, token: str | None, quick_check: bool = True) -> int:
    listing, found = ask_both(syncer, token, quick_check)
    assert found is not None
    assert not (listing.full or listing.events or listing.removed or listing.unmarked)
    assert same_token(found.token, listing.token), (found.token, listing.token)
    assert found.requests == listing.requests
    return found.requests


def pushed(tmp_path, calendar: CalendarRef, quick_check: bool = True) -> CalDAVSyncer:
    time.sleep(1.1)  # our writes land in a later second than the calendar's creation
    syncer = CalDAVSyncer(tmp_path, calendar, quick_check=quick_check)
    assert syncer.run(exchanges(DAYS)).created == len(DAYS)
    return syncer


def test_radicale_every_token_state(tmp_path, radicale_server):
    syncer = pushed(tmp_path, radicale_server.new_calendar())
    time.sleep(MARGIN + 0.2)
    # right after the push: the REPORT alone promotes the candidate stamp (or, on a
    # machine so slow that what the push left was already a safe stamp, last-modified)
    assert assert_agree(syncer, token_of(syncer)) == 1
    syncer.run(exchanges(DAYS))  # store the promoted token
    steady = DavToken.decode(token_of(syncer))
    assert steady.stamp is not None
    assert assert_agree(syncer, token_of(syncer)) == 1  # last-modified alone
    stale = replace(steady, verified_at=steady.verified_at - REVERIFY)
    assert assert_agree(syncer, stale.encode()) == 2  # the daily re-check
    # a ctag token (a server without sync-collection would have left one)
    status, _, body = radicale_server.http(
        "PROPFIND", syncer.calendar.path, b"", {"Depth": "0"}
    )  # fmt: skip
    ctag = re.search(rb"getctag>([^<]+)<", body)[1].decode()
    assert assert_agree(syncer, f"ctag:{ctag}") == 1


def test_radicale_changes_are_never_unchanged(tmp_path, radicale_server):
    calendar = radicale_server.new_calendar()
    syncer = pushed(tmp_path, calendar)
    desired = exchanges(DAYS)
    time.sleep(MARGIN + 0.2)
    syncer.run(desired)
    token = token_of(syncer)
    # a parent's edit of one of ours
    victim = desired[1]
    assert calendar.put(safe_name(victim.uid), edited_body(victim, "parent")) in (201, 204)
    listing, found = ask_both(syncer, token)
    assert listing.events and found is None
    # an expired token
    listing, found = ask_both(syncer, "sync:http://radicale.org/ns/sync/0000")
    assert listing.full and found is None


def test_a_parents_own_event_makes_the_probe_step_aside(tmp_path, caldav_calendar):
    syncer = pushed(tmp_path, caldav_calendar)
    syncer.run(exchanges(DAYS))
    token = token_of(syncer)
    theirs = make_event("dentist", exchanges([5])[0].event.decoded("DTSTART"), marker=False)
    assert caldav_calendar.put("dentist.ics", theirs.ical) in (201, 204)
    listing, found = ask_both(syncer, token)
    assert not listing.events and found is None  # not ours, but the probe cannot tell


@pytest.mark.parametrize("quick_check", [True, False])
def test_xandikos_and_without_quick_check(tmp_path, xandikos_server, quick_check):
    syncer = pushed(tmp_path, xandikos_server.new_calendar(), quick_check)
    syncer.run(exchanges(DAYS))  # learns that Xandikos has no last-modified
    assert assert_agree(syncer, token_of(syncer), quick_check) == 1
    assert assert_agree(syncer, token_of(syncer), quick_check) == 1


def test_what_the_probe_will_not_try(radicale_server):
    calendar = radicale_server.new_calendar()
    wrong = replace(target(calendar), password="not the password")
    assert probe(wrong, "sync:x") is None  # 401: the full path says what is wrong
    nobody = replace(target(calendar), password=None)
    assert probe(nobody, "sync:x") is None
    unicode = replace(target(calendar), password="pässword")
    assert probe(unicode, "sync:x") is None
    assert probe(target(calendar), None) is None  # nothing to ask with: list everything
    gone = replace(target(calendar), collection="/alex/no-such-calendar/")
    assert probe(gone, "sync:x") is None
