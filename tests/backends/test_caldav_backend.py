"""CalDAV backend against real servers: request counts, tokens, faults and their errors."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from servers import CalendarRef, refused_port

from pc_calendar.backends.caldav import CalDAVBackend, safe_name
from pc_calendar.errors import BackendError, PreconditionFailed, TransientBackendError
from pc_calendar.identity import OWNER_PROP
from pc_calendar.testing import FAMILY_ID, foreign_ical, make_event

CONTEXT = {"family_id": FAMILY_ID}
START = datetime(2026, 12, 4, 18, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def backend(caldav_calendar: CalendarRef) -> Iterator[CalDAVBackend]:
    """The sync token alone: the last-modified quick check has its own tests
    (test_caldav_quick_check.py)."""
    backend = CalDAVBackend(caldav_calendar.config(quick_check=False), CONTEXT)
    yield backend
    backend.close()


def events(n: int) -> list:
    return [make_event(f"e{i}", START + timedelta(days=i)) for i in range(n)]


# -- request counts ----------------------------------------------------------------------


def test_noop_listing_with_token_is_one_request(backend: CalDAVBackend) -> None:
    for event in events(5):
        backend.create(event)
    first = backend.list()
    assert len(first.events) == 5
    before = backend.request_count
    again = backend.list(first.token)
    assert backend.request_count - before == 1
    assert again.requests == 1
    assert (again.full, again.events, again.removed) == (False, [], [])


def test_writes_cost_one_request_each(backend: CalDAVBackend) -> None:
    backend.list()  # resolves nothing extra: the calendar is given as a path
    before = backend.request_count
    made = [backend.create(e) for e in events(3)]
    assert backend.request_count - before == 3
    updated = backend.update(made[0], make_event("e0", START, summary="With Sam"))
    backend.delete(made[1])
    assert backend.request_count - before == 5
    assert updated.etag != made[0].etag


def test_full_listing_costs_at_most_two_requests(backend: CalDAVBackend) -> None:
    for event in events(4):
        backend.create(event)
    listing = backend.list()
    # Radicale sends calendar data in the sync report; Xandikos needs one multiget more.
    assert 1 <= listing.requests <= 2
    assert len(listing.events) == 4


def test_session_kept_alive(backend: CalDAVBackend) -> None:
    session = backend.session.client.session
    for event in events(3):
        backend.create(event)
    assert backend.session.client.session is session


# -- change tokens -----------------------------------------------------------------------


def test_invalid_token_falls_back_to_full_listing(backend: CalDAVBackend) -> None:
    made = backend.create(make_event("x", START))
    listing = backend.list("sync:http://radicale.org/ns/sync/0000-not-a-token")
    assert listing.full is True
    assert [e.uid for e in listing.events] == [made.uid]
    assert listing.token and listing.token.startswith("sync:")
    assert backend.list(listing.token).events == []


def test_incremental_listing_reports_a_parent_edit(
    backend: CalDAVBackend, caldav_calendar: CalendarRef
) -> None:
    made = backend.create(make_event("edited", START))
    token = backend.list().token
    # A parent's app rewrites the event: same UID and marker, different summary.
    _, body = caldav_calendar.get(made.href)
    assert caldav_calendar.put(safe_name(made.uid), body.replace(b"With Alex", b"Dentist")) in (
        200,
        201,
        204,
    )
    listing = backend.list(token)
    (changed,) = listing.events
    assert changed.etag != made.etag
    assert changed.content_hash == made.content_hash
    assert changed.actual_hash != changed.content_hash
    with pytest.raises(PreconditionFailed):
        backend.update(made, make_event("edited", START, summary="Back"))


def test_marker_removed_is_listed_apart(
    backend: CalDAVBackend, caldav_calendar: CalendarRef
) -> None:
    """A client stripped our X-PC-* properties: not an event of ours any more, not gone
    either; listed in ``unmarked`` (incremental and full alike) for the engine to judge."""
    made = backend.create(make_event("taken", START))
    token = backend.list().token
    caldav_calendar.put(safe_name(made.uid), foreign_ical(made.uid, "Mine now"))
    for listing in (backend.list(token), backend.list()):
        assert listing.events == [] and listing.removed == []
        (stripped,) = listing.unmarked
        assert (stripped.uid, stripped.href, stripped.content_hash) == (made.uid, made.href, None)
    copy = caldav_calendar.put("copy-elsewhere.ics", foreign_ical("x@elsewhere.example", "X"))
    assert copy in (200, 201, 204)
    assert [e.href for e in backend.list().unmarked] == [made.href]


def test_foreign_change_is_not_listed(backend: CalDAVBackend, caldav_calendar: CalendarRef) -> None:
    token = backend.list().token
    caldav_calendar.put("party.ics", foreign_ical("party@phone.example", "Party"))
    caldav_calendar.put(
        "fake.ics",
        foreign_ical("x@y.example", "With Alex", extra={OWNER_PROP: "someone-else"}),
    )
    listing = backend.list(token)
    assert (listing.events, listing.removed) == ([], [])


def test_ctag_fallback_when_sync_unsupported(backend: CalDAVBackend) -> None:
    backend._sync_supported = False  # as on a server without RFC 6578
    backend.create(make_event("c", START))
    listing = backend.list()
    assert listing.full and len(listing.events) == 1
    assert listing.token and listing.token.startswith("ctag:")
    again = backend.list(listing.token)
    assert (again.full, again.events, again.requests) == (False, [], 1)
    backend.create(make_event("d", START + timedelta(days=1)))
    changed = backend.list(listing.token)
    assert changed.full and len(changed.events) == 2


# -- errors the user must act on ---------------------------------------------------------


def test_wrong_password(radicale_server, monkeypatch: pytest.MonkeyPatch) -> None:
    calendar = radicale_server.new_calendar()
    monkeypatch.setenv("WRONG_PASSWORD", "not-the-password")
    backend = CalDAVBackend(calendar.config(password_env="WRONG_PASSWORD"), CONTEXT)
    with pytest.raises(BackendError) as info:
        backend.list()
    assert not isinstance(info.value, TransientBackendError)
    message = str(info.value)
    assert f"authentication failed for alex at {radicale_server.base_url}" in message
    assert "not-the-password" not in message and radicale_server.password not in message


def test_missing_calendar_lists_existing(caldav_server) -> None:
    existing = caldav_server.new_calendar()
    missing = existing.config(calendar=caldav_server.home + "no-such-calendar/")
    backend = CalDAVBackend(missing, CONTEXT)
    with pytest.raises(BackendError) as info:
        backend.list()
    assert "calendar not found" in str(info.value)
    assert existing.path.rstrip("/").rsplit("/", 1)[-1] in (info.value.hint or "")
    with pytest.raises(BackendError, match="calendar not found"):
        backend.create(make_event("x", START))


def test_calendar_by_display_name(caldav_server) -> None:
    named = caldav_server.new_calendar(display_name="Kids at Dad's")
    config = named.config(calendar="Kids at Dad's")
    backend = CalDAVBackend(config, CONTEXT)
    made = backend.create(make_event("n", START))
    assert made.href.startswith(named.path)
    assert caldav_server.http("GET", made.href, password=None)[0] == 200
    wrong = CalDAVBackend(named.config(calendar="Kids at Mum's"), CONTEXT)
    with pytest.raises(BackendError, match="calendar not found") as info:
        wrong.list()
    assert "Kids at Dad's" in (info.value.hint or "")


def test_server_stopped_then_restarted(caldav_server) -> None:
    calendar = caldav_server.new_calendar()
    backend = CalDAVBackend(calendar.config(timeout=3), CONTEXT)
    made = backend.create(make_event("r", START))
    caldav_server.stop()
    try:
        host = f"cannot reach 127.0.0.1:{caldav_server.port}: connection refused"
        with pytest.raises(TransientBackendError, match=host):
            backend.list()
        with pytest.raises(TransientBackendError):
            backend.create(make_event("r2", START))
    finally:
        caldav_server.start()
    assert [e.uid for e in backend.list().events] == [made.uid]


def test_connection_refused_is_transient() -> None:
    with refused_port() as port, pytest.raises(TransientBackendError):
        config = {"url": f"http://127.0.0.1:{port}/", "calendar": "/cal/"}
        CalDAVBackend(config, CONTEXT).list()


def test_timeout_is_transient() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)  # accepts connections, never answers
        port = listener.getsockname()[1]
        config = {"url": f"http://127.0.0.1:{port}/", "calendar": "/cal/", "timeout": 0.3}
        with pytest.raises(TransientBackendError, match=f"127.0.0.1:{port}: timed out"):
            CalDAVBackend(config, CONTEXT).list()


class _StatusHandler(http.server.BaseHTTPRequestHandler):
    status = 500

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_REPORT = do_PUT = do_DELETE = do_PROPFIND = _reply

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def status_server() -> Iterator[http.server.HTTPServer]:
    """A server answering every request with ``status_server.status`` (set per test)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _StatusHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_are_transient(status_server, status: int) -> None:
    status_server.status = status
    port = status_server.server_address[1]
    backend = CalDAVBackend({"url": f"http://127.0.0.1:{port}/", "calendar": "/c/"}, CONTEXT)
    with pytest.raises(TransientBackendError):
        backend.list()
    with pytest.raises(TransientBackendError):
        backend.create(make_event("x", START))


def test_out_of_storage_is_not_transient(status_server) -> None:
    status_server.status = 507
    port = status_server.server_address[1]
    backend = CalDAVBackend({"url": f"http://127.0.0.1:{port}/", "calendar": "/c/"}, CONTEXT)
    with pytest.raises(BackendError, match="out of storage") as info:
        backend.create(make_event("x", START))
    assert not isinstance(info.value, TransientBackendError)


def test_forbidden_without_a_precondition_is_access_denied(status_server) -> None:
    """A bare 403 is a permission problem: not a password one, not transient."""
    status_server.status = 403
    port = status_server.server_address[1]
    config = {"url": f"http://127.0.0.1:{port}/", "calendar": "/c/"}
    with pytest.raises(BackendError, match="access denied") as info:
        CalDAVBackend(config, CONTEXT).list()
    assert not isinstance(info.value, TransientBackendError)
    assert "may read and write this calendar" in (info.value.hint or "")


def test_we_put_our_own_bytes(backend: CalDAVBackend, caldav_calendar: CalendarRef) -> None:
    """No library re-serialises our event or bumps SEQUENCE behind the content hash."""
    made = backend.create(make_event("bytes", START))
    updated = backend.update(made, make_event("bytes", START, summary="With Sam"))
    status, body = caldav_calendar.get(updated.href)
    assert status == 200
    assert b"SEQUENCE" not in body
    assert b"SUMMARY:With Sam" in body


class _NoEtagHandler(http.server.BaseHTTPRequestHandler):
    """A server that leaves the ETag out of its PUT replies (allowed by RFC 4791)."""

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PROPFIND(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = (
            f'<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response>'
            f"<D:href>{self.path}</D:href><D:propstat><D:prop>"
            '<D:getetag>"fetched-1"</D:getetag></D:prop>'
            "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"
        ).encode()
        self.send_response(207)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_missing_etag_is_fetched() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NoEtagHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        config = {"url": f"http://127.0.0.1:{server.server_address[1]}/", "calendar": "/c/"}
        backend = CalDAVBackend(config, CONTEXT)
        made = backend.create(make_event("x", START))
        assert made.etag == '"fetched-1"'
        assert backend.request_count == 2
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("calendar", ["Kids", "/alex/kids/"])
def test_unreachable_server_is_not_a_missing_calendar(calendar: str) -> None:
    """Found by display name or by path, a calendar on a server that refuses the
    connection is reported as that, naming the host: never "calendar not found"."""
    with refused_port() as port, pytest.raises(TransientBackendError) as info:
        backend = CalDAVBackend({"url": f"http://127.0.0.1:{port}/", "calendar": calendar}, CONTEXT)
        backend.list()
    message = info.value.render()
    assert f"cannot reach 127.0.0.1:{port}: connection refused" in message
    assert "not found" not in message and "none found" not in message


def test_unreachable_server_in_a_sync_summary(tmp_path) -> None:
    from pc_calendar.sync.apply import RetryPolicy
    from pc_calendar.sync.runner import SyncOptions, sync_calendar
    from pc_calendar.sync.state import StateStore

    retry = RetryPolicy(attempts=2, sleep=lambda s: None)
    options = SyncOptions(start=START.date(), end=START.date().replace(year=2027), retry=retry)
    with refused_port() as port, StateStore(tmp_path / "state.sqlite") as store:
        backend = CalDAVBackend({"url": f"http://127.0.0.1:{port}/", "calendar": "Kids"}, CONTEXT)
        summary = sync_calendar(backend, [], store, "k", options, "alex")
    assert f"cannot reach 127.0.0.1:{port}: connection refused" in (summary.error or "")
    assert "calendar not found" not in (summary.error or "")
