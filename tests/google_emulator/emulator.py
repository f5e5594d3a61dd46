"""GoogleEmulator: the Calendar v3 emulator served on 127.0.0.1 in a background thread.

The real google-api-python-client talks to it through ``client_options={"api_endpoint":
emu.api_endpoint}`` and the discovery document shipped with the client. It counts every
HTTP request (``calls``: (method, unquoted path without query); a batch is one call, its
parts go to ``batch_parts`` and their count to ``batch_sizes``; ``requests`` keeps the
query strings) and Google quota units (one per request or batch part), and offers the
"parent in the Google UI" operations tests need.
"""

from __future__ import annotations

import contextlib
import copy
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from . import batch as batching
from . import events as ev
from .api import Api, Response, split_target
from .batch import MAX_PARTS
from .errors import ApiError, bad_request
from .faults import DROPS, Faults, RateLimiter
from .store import PRIMARY_ID, Store, new_id

BATCH_PATHS = ("/batch/calendar/v3", "/batch")
DROP = object()


class GoogleEmulator:
    """A fresh emulated Google account with a primary calendar (``parent@example.com``)."""

    def __init__(self, default_time_zone: str = "UTC", max_batch_parts: int = MAX_PARTS) -> None:
        self.default_time_zone = default_time_zone
        self.max_batch_parts = max_batch_parts
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.faults = Faults()
        self.limiter = RateLimiter()
        self.reset()

    # -- lifecycle --------------------------------------------------------------------
    def start(self) -> GoogleEmulator:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.emulator = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def reset(self) -> None:
        """Forget all calendars, events, counters and armed faults (keeps serving)."""
        with self._lock:
            self.store = Store(self.default_time_zone)
            self.api = Api(self.store)
            self.faults.clear()
            self.limiter.configure(None, 0, "rateLimitExceeded")
            self.short_pages = False
            self.calls: list[tuple[str, str]] = []
            self.batch_parts: list[tuple[str, str]] = []
            self.batch_sizes: list[int] = []
            self.requests: list[tuple[str, str]] = []
            self.quota_units = 0

    def __enter__(self) -> GoogleEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses --------------------------------------------------------------------
    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("GoogleEmulator is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def api_endpoint(self) -> str:
        return self.root_url + "calendar/v3/"

    @property
    def batch_uri(self) -> str:
        return self.root_url + "batch/calendar/v3"

    # -- the real client, ready to use -------------------------------------------------
    def service(self):
        """A googleapiclient Calendar v3 service pointed here (offline discovery)."""
        from google.auth.credentials import AnonymousCredentials
        from googleapiclient.discovery import build

        return build(
            "calendar",
            "v3",
            credentials=AnonymousCredentials(),
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": self.api_endpoint},
        )

    def new_batch(self, callback=None):
        """A BatchHttpRequest that posts to this emulator's batch endpoint."""
        from googleapiclient.http import BatchHttpRequest

        return BatchHttpRequest(callback=callback, batch_uri=self.batch_uri)

    # -- test controls ----------------------------------------------------------------
    def add_calendar(
        self, calendar_id: str | None = "primary", summary: str = "Calendar", time_zone=None
    ) -> str:
        """Create (or, for "primary", configure) a calendar; returns its real id."""
        with self._lock:
            if calendar_id in ("primary", PRIMARY_ID):
                cal = self.store.calendars[PRIMARY_ID]
                cal.summary = summary
                cal.time_zone = time_zone or cal.time_zone
                return cal.id
            cal_id = calendar_id or f"{new_id()}@group.calendar.google.com"
            return self.store.add_calendar(cal_id, summary, time_zone).id

    def events(self, calendar_id: str) -> list[dict]:
        """Every stored event of a calendar (cancelled included), in creation order."""
        with self._lock:
            return self.store.snapshot(self.store.resolve(calendar_id))

    def event(self, calendar_id: str, event_id: str) -> dict:
        with self._lock:
            cal = self.store.resolve(calendar_id)
            return copy.deepcopy(self.store.event(cal, event_id).data)

    def parent_edit(self, calendar_id: str, event_id: str, **fields) -> dict:
        """The parent edits an event in the Google UI (fields replace; None removes)."""
        with self._lock:
            cal = self.store.resolve(calendar_id)
            body = copy.deepcopy(self.store.event(cal, event_id).data)
            for key, value in fields.items():
                if value is None:
                    body.pop(key, None)
                else:
                    body[key] = value
            return copy.deepcopy(ev.patch(self.store, cal, event_id, body, {}))

    def parent_delete(self, calendar_id: str, event_id: str) -> None:
        """The parent deletes an event in the Google UI: cancelled, id kept."""
        with self._lock:
            ev.delete(self.store, self.store.resolve(calendar_id), event_id, {})

    def put_foreign(self, calendar_id: str, body: dict) -> str:
        """An event made by the parent or another app; not counted as a call."""
        with self._lock:
            return ev.insert(self.store, self.store.resolve(calendar_id), dict(body))["id"]

    def inject(self, fault: str | int, times: int = 1, match: str | None = None) -> None:
        """Arm a fault (see :mod:`faults`) for the next ``times`` matching requests."""
        self.faults.inject(fault, times, match)

    def rate_limit(
        self,
        max_requests: int | None,
        per_seconds: float = 60.0,
        fault: str | int = "rateLimitExceeded",
    ) -> None:
        """Refuse requests beyond ``max_requests`` per sliding ``per_seconds`` window with
        ``fault`` (Google's per-user limit is 600 per minute); None turns it off."""
        self.limiter.configure(max_requests, per_seconds, fault)

    @property
    def short_pages(self) -> bool:
        """When true, listings start with an empty page and later pages are half-full,
        which Google's maxResults documentation allows: clients must follow tokens."""
        return self.store.short_pages

    @short_pages.setter
    def short_pages(self, value: bool) -> None:
        self.store.short_pages = value

    def invalidate_sync_tokens(self) -> None:
        """Every sync token issued so far now answers 410 fullSyncRequired."""
        with self._lock:
            self.store.invalidate_sync_tokens()

    # -- request handling ---------------------------------------------------------------
    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes):
        """Answer one HTTP request: a Response, or DROP to close without answering."""
        path = unquote(split_target(target))
        with self._lock:
            self.calls.append((method, path))
            self.requests.append((method, target))
        if path.rstrip("/") in BATCH_PATHS:
            return self._batch(method, target, headers, body)
        with self._lock:
            self.quota_units += 1
        fault = self.faults.take(f"{method} {target}", "request")
        return self._answer(fault, method, target, headers, body)

    def _answer(self, fault, method, target, headers, body):
        if fault is not None and fault.kind == "drop":
            return DROP
        if fault is not None and fault.kind not in DROPS:
            return Response.error(fault.error())
        limited = self.limiter.check(time.monotonic())
        if limited is not None:
            return Response.error(limited)
        with self._lock:
            response = self.api.handle(method, target, headers, body)
        return DROP if fault is not None else response

    def _batch(self, method: str, target: str, headers: dict[str, str], body: bytes):
        fault = self.faults.take(f"{method} {target}", "batch")
        if fault is not None and fault.kind == "drop":
            return DROP
        if fault is not None and fault.kind not in DROPS:
            return Response.error(fault.error())
        if method != "POST":
            return Response.error(ApiError(404, "notFound", "Not Found"))
        try:
            parts = batching.parse(headers.get("content-type", ""), body, self.max_batch_parts)
        except ApiError as exc:
            return Response.error(exc)
        with self._lock:
            self.batch_sizes.append(len(parts))
        answers = []
        for part in parts:
            with self._lock:
                self.batch_parts.append((part.method, unquote(split_target(part.target))))
                self.requests.append((part.method, part.target))
                self.quota_units += 1
            if part.target.startswith(("http://", "https://")):
                # The batch guide: inner requests carry only the path part of the URL.
                answers.append((part, Response.error(bad_request("Full URLs are not allowed."))))
                continue
            part_fault = self.faults.take(f"{part.method} {part.target}", "part")
            answer = self._answer(part_fault, part.method, part.target, part.headers, part.body)
            if answer is DROP:
                return DROP
            answers.append((part, answer))
        return DROP if fault is not None else batching.assemble(answers)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 30

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        result = self.server.emulator.handle(self.command, self.path, headers, body)  # type: ignore[attr-defined]
        if result is DROP:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(result.status)
        for name, value in result.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(result.body)))
        self.end_headers()
        self.wfile.write(result.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silence per-request logging."""
