"""The last-modified quick check and the confirm step, against real Radicale and Xandikos.

Radicale gives a collection last-modified that follows its events (whole seconds), so
these tests sleep past :data:`MARGIN` where a safe stamp is needed, or date the
calendar's files where a change must stay recent however slowly the test runs; Xandikos
gives none.
"""

from __future__ import annotations

import os
import time
from datetime import datetime

import pytest
from servers import CalDAVServer, CalendarRef
from sync_helpers import FAMILY, ZONE, edited_body, exchanges, make_event
from test_caldav_sync import CalDAVSyncer, expected

from pc_calendar.backends.caldav import CalDAVBackend, safe_name
from pc_calendar.backends.caldav_stamp import MARGIN, REVERIFY, DavToken
from pc_calendar.sync.state import StateStore

DAYS = [1, 3, 8, 10, 15, 17, 22, 24]


def settle() -> None:
    """Let the calendar's last change become safely older than the server's clock."""
    time.sleep(MARGIN + 0.2)


def stored_token(syncer: CalDAVSyncer) -> DavToken:
    with StateStore(syncer.state_path) as store:
        return DavToken.decode(store.load_header(syncer.key).token)


def store_token(syncer: CalDAVSyncer, token: DavToken) -> None:
    with StateStore(syncer.state_path) as store:
        store.set_token(syncer.key, token.encode())


def test_radicale_steady_noop_is_one_cheap_request_and_edits_still_show(
    tmp_path, radicale_server
) -> None:
    calendar = radicale_server.new_calendar()
    date_calendar(radicale_server, calendar, time.time() - 60)  # our writes move it on
    syncer = CalDAVSyncer(tmp_path, calendar)
    desired = exchanges(DAYS)
    # listing (last-modified, REPORT), the writes, last-modified again (it moved across
    # our writes: trusted, and what they left is the candidate stamp), the confirm
    assert syncer.run(desired).requests == 2 + 8 + 2
    token = stored_token(syncer)
    # the candidate; or already the stamp if the machine stalled past MARGIN meanwhile
    assert token.candidate is not None or token.stamp is not None
    # "past the margin" by dating our writes a minute back, not by waiting for it
    date_our_writes(radicale_server, calendar, syncer, int(time.time()) - 60)
    first = syncer.run(desired)  # the REPORT alone; the candidate becomes the stamp
    assert first.requests == 1 and first.writes == 0
    token = stored_token(syncer)
    assert token.trust is True and token.stamp is not None
    steady = syncer.run(desired)
    assert steady.requests == 1 and steady.unchanged == 8

    # a parent's edit after the stamp moves last-modified: seen and restored
    edited = desired[3]
    assert calendar.put(safe_name(edited.uid), edited_body(edited, "parent")) in (200, 201, 204)
    restored = syncer.run(desired)
    assert [(c.uid, c.resolution) for c in restored.conflicts] == [(edited.uid, "restored")]
    assert restored.requests == 2 + 1 + 1  # quick check, report, the PUT, confirm
    assert syncer.ours() == expected(desired)

    # steady again (the first no-op after our write is the REPORT alone), a swap costs
    # the changed events plus two requests; the restore dated a minute back, as above
    date_our_writes(radicale_server, calendar, syncer, int(time.time()) - 60)
    assert syncer.run(desired).requests == 1
    assert syncer.run(desired).requests == 1
    moved = [
        make_event(d.natural_key, datetime(2026, 12, 8, 19, tzinfo=ZONE), "Exchange (swap)")
        if d.natural_key == "2026-12-08"
        else d
        for d in desired
    ]
    swap = syncer.run(moved)
    assert swap.updated == 1 and swap.requests == 1 + 2
    assert syncer.ours() == expected(moved)


def test_first_noop_after_a_push_is_one_request_and_sees_an_edit(tmp_path, radicale_server) -> None:
    """Right after a push the candidate stamp is too recent: the no-op is the REPORT
    alone (never last-modified alone), so an edit made meanwhile is seen; once the
    server's clock is past the margin, the next REPORT-only no-op makes it the stamp.

    "Right after" and "past the margin" are set by dating our writes (the calendar's
    files and the candidate they left) a minute ahead or back, not by how soon the next
    run comes: a loaded machine may take more than the two-second margin between runs.
    """
    calendar = radicale_server.new_calendar()
    date_calendar(radicale_server, calendar, time.time() - 60)  # our writes move it on
    syncer = CalDAVSyncer(tmp_path, calendar)
    desired = exchanges(DAYS[:4])
    syncer.run(desired)
    ahead = int(time.time()) + 60
    date_our_writes(radicale_server, calendar, syncer, ahead)
    at_once = syncer.run(desired)  # within MARGIN of our writes
    assert at_once.requests == 1 and at_once.writes == 0
    assert stored_token(syncer).stamp is None and stored_token(syncer).candidate == ahead

    # a minute on, a parent's edit: the REPORT that could have made the stamp shows it
    date_our_writes(radicale_server, calendar, syncer, int(time.time()) - 60)
    edited = desired[1]
    assert calendar.put(safe_name(edited.uid), edited_body(edited, "parent")) in (200, 201, 204)
    seen = syncer.run(desired)
    assert [(c.uid, c.resolution) for c in seen.conflicts] == [(edited.uid, "restored")]
    assert syncer.ours() == expected(desired)
    restored = stored_token(syncer)
    assert restored.stamp is None and restored.candidate is not None  # our restore's

    past = int(time.time()) - 60
    date_our_writes(radicale_server, calendar, syncer, past)  # the restore, a minute on
    assert syncer.run(desired).requests == 1  # REPORT alone: the stamp from our restore
    assert stored_token(syncer).stamp == past
    assert syncer.run(desired).requests == 1  # last-modified alone


def test_radicale_reverifies_with_the_sync_token_once_a_day(tmp_path, radicale_server) -> None:
    calendar = radicale_server.new_calendar()
    time.sleep(1.1)
    syncer = CalDAVSyncer(tmp_path, calendar)
    desired = exchanges(DAYS[:3])
    syncer.run(desired)
    settle()
    syncer.run(desired)
    assert syncer.run(desired).requests == 1
    token = stored_token(syncer)
    assert token.verified_at is not None
    store_token(syncer, DavToken(**{**token.__dict__, "verified_at": token.verified_at - REVERIFY}))
    assert syncer.run(desired).requests == 2  # the report, though the stamp matched
    assert stored_token(syncer).verified_at >= token.verified_at
    assert syncer.run(desired).requests == 1


def date_calendar(server: CalDAVServer, calendar: CalendarRef, when: float) -> None:
    """Give the calendar's last change the time ``when``: Radicale's collection
    last-modified is the newest mtime of its folder, its props and its events."""
    folder = server.root / "storage" / "collection-root" / calendar.path.strip("/")
    for path in [folder, *folder.iterdir()]:
        os.utime(path, (when, when))


def date_our_writes(
    server: CalDAVServer, calendar: CalendarRef, syncer: CalDAVSyncer, when: int
) -> None:
    """Date our latest writes to ``when``, as if made then: the calendar's files and the
    candidate stamp they left (the token a trusted calendar keeps after confirmed writes;
    a push on a slow machine may have made it the stamp already)."""
    token = stored_token(syncer)
    assert token.trust is True and token.authority is not None
    date_calendar(server, calendar, when)
    store_token(syncer, DavToken(token.authority, trust=True, candidate=when))


@pytest.mark.parametrize("trust", [None, True], ids=["trust unknown", "trusted"])
def test_no_stamp_while_the_calendar_just_changed(tmp_path, radicale_server, trust) -> None:
    """A last-modified not MARGIN older than the server's clock on the same reply never
    becomes the stamp: a change later in its second would hide behind it. The change is
    dated a minute ahead, so it stays "just now" however slowly a loaded machine runs
    the test (a real one is that recent for two seconds only); dated a minute back, the
    same listing takes it as the stamp."""
    calendar = radicale_server.new_calendar()
    syncer = CalDAVSyncer(tmp_path, calendar)
    desired = exchanges(DAYS[:2])
    syncer.run(desired)
    # an ordinary listing (last-modified, then the report): no stamp, no candidate
    store_token(syncer, DavToken(stored_token(syncer).authority, trust=trust))
    date_calendar(radicale_server, calendar, time.time() + 60)
    for _ in range(2):
        again = syncer.run(desired)  # the report every time
        assert (again.requests, again.writes) == (2, 0)
        assert stored_token(syncer).stamp is None
    past = int(time.time()) - 60
    date_calendar(radicale_server, calendar, past)
    assert syncer.run(desired).requests == 2
    assert stored_token(syncer).stamp == past


def test_untrusted_calendar_never_asks_last_modified(tmp_path, radicale_server) -> None:
    syncer = CalDAVSyncer(tmp_path, radicale_server.new_calendar())
    desired = exchanges(DAYS[:2])
    syncer.run(desired)
    token = stored_token(syncer)
    store_token(syncer, DavToken(token.authority, trust=False))
    for _ in range(2):
        assert syncer.run(desired).requests == 1  # the sync report only
    assert stored_token(syncer).trust is False


def test_xandikos_has_no_last_modified_and_is_asked_once(tmp_path, xandikos_server) -> None:
    syncer = CalDAVSyncer(tmp_path, xandikos_server.new_calendar())
    desired = exchanges(DAYS)
    assert syncer.run(desired).requests == 2 + 8 + 1
    assert stored_token(syncer).unsupported is True
    for _ in range(2):
        assert syncer.run(desired).requests == 1


# -- confirm_writes: our own writes only, never a parent's change made meanwhile ----------


@pytest.fixture
def backend(caldav_calendar: CalendarRef):
    backend = CalDAVBackend(caldav_calendar.config(), {"family_id": FAMILY})
    yield backend
    backend.close()


def _written(backend: CalDAVBackend, n: int) -> tuple[str | None, dict[str, str | None]]:
    token = backend.list().token
    made = [backend.create(e) for e in exchanges(DAYS[:n])]
    return token, {r.href: r.etag for r in made}


def test_confirm_passes_exactly_our_writes(backend: CalDAVBackend) -> None:
    token, written = _written(backend, 3)
    confirmed = backend.confirm_writes(token, written, set())
    assert confirmed is not None and confirmed != token
    after = backend.list(confirmed)
    assert (after.full, after.events, after.removed) == (False, [], [])


def test_confirm_counts_our_deletes(backend: CalDAVBackend) -> None:
    made = [backend.create(e) for e in exchanges(DAYS[:2])]
    token = backend.list().token
    backend.delete(made[0])
    assert backend.confirm_writes(token, {}, {made[0].href}) is not None
    assert backend.confirm_writes(token, {}, set()) is None


def test_confirm_refuses_a_parents_edit_made_meanwhile(
    backend: CalDAVBackend, caldav_calendar: CalendarRef
) -> None:
    token, written = _written(backend, 3)
    target = exchanges(DAYS[:3])[1]
    body = edited_body(target, "parent")
    assert caldav_calendar.put(safe_name(target.uid), body) in (200, 201, 204)
    assert backend.confirm_writes(token, written, set()) is None


def test_confirm_refuses_a_foreign_event_or_a_delete_made_meanwhile(
    backend: CalDAVBackend, caldav_calendar: CalendarRef
) -> None:
    token, written = _written(backend, 2)
    foreign = make_event("x", datetime(2026, 12, 9, 9, tzinfo=ZONE), "Dentist", marker=False)
    caldav_calendar.put("dentist.ics", foreign.ical)
    assert backend.confirm_writes(token, written, set()) is None

    token, written = _written(backend, 0)
    made = backend.create(exchanges([28])[0])
    caldav_calendar.delete(made.href.rsplit("/", 1)[-1])
    assert backend.confirm_writes(token, {made.href: made.etag}, set()) is None


def test_confirm_needs_the_etags_our_writes_got(backend: CalDAVBackend) -> None:
    token, written = _written(backend, 2)
    assert backend.confirm_writes(token, dict.fromkeys(written), set()) is None
    assert backend.confirm_writes(None, written, set()) is None


def test_with_a_ctag_the_quick_check_is_not_asked(backend: CalDAVBackend) -> None:
    backend._sync_supported = False  # as on a server without RFC 6578
    backend.create(exchanges([3])[0])
    first = backend.list()
    assert DavToken.decode(first.token).authority.startswith("ctag:")
    again = backend.list(first.token)
    assert (again.full, again.events, again.requests) == (False, [], 1)  # the ctag alone
