"""A proxy in front of a real Radicale that answers as Cyrus, iCloud and Fastmail do.

Those servers keep an event's UID unique across all calendars of a user: a PUT whose
UID another calendar already holds is refused with 403 and a ``CALDAV:no-uid-conflict``
precondition naming the other resource (RFC 4791 5.3.2.1; Cyrus's ``caldav_put``
checks its UID index across the user's mailboxes and answers exactly this). Radicale
checks within one calendar only, so the proxy looks at every calendar of the user
(one PROPFIND of the home, one calendar-query per calendar) before passing a PUT on.

It also injects the faults tests need from servers we cannot run here: the next N
requests answered with a status and headers (429/503 with Retry-After, 423 Locked).
Everything else is forwarded byte for byte to the real Radicale.
"""

from __future__ import annotations

import http.client
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from xml.etree import ElementTree

from servers import CalDAVServer

DAV = "{DAV:}"
CAL = "{urn:ietf:params:xml:ns:caldav}"

#: the body Cyrus sends (imap/http_caldav.c: txn->error.precond = CALDAV_UID_CONFLICT,
#: txn->error.resource = the other resource's href)
CONFLICT_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<D:error xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<C:no-uid-conflict><D:href>{href}</D:href></C:no-uid-conflict></D:error>"
)

_QUERY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><C:calendar-data/></D:prop>"
    '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/>'
    "</C:comp-filter></C:filter></C:calendar-query>"
)


@dataclass
class Fault:
    """Answer the next ``count`` requests (of ``method``, or any) with ``status``."""

    status: int
    count: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    method: str | None = None
    body: bytes = b""


class UidRulesProxy(CalDAVServer):
    """Radicale behind a proxy enforcing one UID per user, as Cyrus does."""

    def __init__(self, upstream: CalDAVServer) -> None:
        super().__init__(
            "uid-rules",
            upstream.root,
            username=upstream.username,
            password=upstream.password,
            home=upstream.home,
        )
        self.upstream = upstream
        self.faults: list[Fault] = []
        self.refused: list[str] = []  # hrefs of PUTs refused for a UID held elsewhere
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._httpd: http.server.ThreadingHTTPServer | None = None

    @property
    def password_env(self) -> str:
        return self.upstream.password_env

    def start(self) -> None:
        if self._httpd is not None:
            return
        proxy = self

        class Handler(_Handler):
            owner = proxy

        # the first start binds port 0 and keeps the port it got for restarts
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._httpd.server_address[1]
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def take_fault(self, method: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.method in (None, method) and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # -- the UID rule --------------------------------------------------------------------

    def holder_of(self, uid: str, target: str) -> str | None:
        """The href of another resource of this user holding ``uid``, if any."""
        status, _, body = self.upstream.http(
            "PROPFIND", self.home, b"", {"Depth": "1", "Content-Type": "application/xml"}
        )
        if status != 207:
            return None
        for response in ElementTree.fromstring(body).iter(f"{DAV}response"):
            href = response.findtext(f"{DAV}href") or ""
            if (
                href.rstrip("/") == self.home.rstrip("/")
                or response.find(f".//{DAV}resourcetype/{CAL}calendar") is None
            ):
                continue
            found = self._uid_in(href, uid)
            if found is not None and found != target:
                return found
        return None

    def _uid_in(self, calendar: str, uid: str) -> str | None:
        status, _, body = self.upstream.http(
            "REPORT",
            calendar,
            _QUERY.encode(),
            {"Depth": "1", "Content-Type": "application/xml"},
        )
        if status != 207:
            return None
        for response in ElementTree.fromstring(body).iter(f"{DAV}response"):
            data = _unfold(response.findtext(f".//{CAL}calendar-data") or "")
            if _uid_of(data.encode()) == uid:
                return response.findtext(f"{DAV}href")
        return None


class _Handler(http.server.BaseHTTPRequestHandler):
    owner: UidRulesProxy
    protocol_version = "HTTP/1.1"

    def _any(self) -> None:
        owner = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        owner.requests.append((self.command, self.path))
        fault = owner.take_fault(self.command)
        if fault is not None:
            self._send(fault.status, fault.headers, fault.body)
            return
        if self.command == "PUT":
            uid = _uid_of(body)
            holder = owner.holder_of(uid, self.path) if uid else None
            if holder is not None:
                owner.refused.append(self.path)
                self._send(
                    403,
                    {"Content-Type": "application/xml; charset=utf-8"},
                    CONFLICT_BODY.format(href=holder).encode(),
                )
                return
        self._forward(body)

    do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_MKCALENDAR = _any
    do_PROPPATCH = do_OPTIONS = do_HEAD = _any

    def _forward(self, body: bytes) -> None:
        skip = {"host", "content-length", "connection"}
        headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
        conn = http.client.HTTPConnection("127.0.0.1", self.owner.upstream.port, timeout=30)
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            keep = {
                k: v
                for k, v in response.getheaders()
                if k.lower() not in ("content-length", "connection", "transfer-encoding")
            }
            self._send(response.status, keep, data)
        finally:
            conn.close()

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _unfold(text: str) -> str:
    return text.replace("\r\n ", "").replace("\n ", "")


def _uid_of(body: bytes) -> str | None:
    for line in _unfold(body.decode("utf-8", "replace")).splitlines():
        if line.startswith("UID:"):
            return line[4:].strip()
    return None


@contextmanager
def uid_rules(upstream: CalDAVServer) -> Iterator[UidRulesProxy]:
    """A running proxy in front of ``upstream`` (a started Radicale)."""
    proxy = UidRulesProxy(upstream)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
