"""The HTTP side of the CalDAV backend: keep-alive connections, counted, errors mapped.

caldav's ``DAVClient`` owns authentication and response parsing, and
:mod:`.caldav_connections` which connection a request takes; this module adds what the
sync engine needs on top: every request counted (a no-op sync must cost one or two), and
every failure turned into one of our errors so the engine can tell "retry
later" (:class:`TransientBackendError`) from "the user must fix something"
(:class:`BackendError`) from "someone changed it under us" (:class:`PreconditionFailed`).
Imported only when a CalDAV target is used, so ``pc-calendar --help`` never loads caldav.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from caldav import DAVClient
from caldav.lib import error as dav_error
from caldav.lib.http_sync import requests as http

from ..errors import BackendError, PreconditionFailed, TransientBackendError, WriteRefused
from .caldav_connections import DavClients
from .dav_bodies import xml_escape

SYNC_TOKEN_TAG = "{DAV:}valid-sync-token"
SUPPORTED_REPORT_TAG = "{DAV:}supported-report"
CALDAV_NS = "urn:ietf:params:xml:ns:caldav"
#: RFC 4791 5.3.2.1 and RFC 6638 3.2.4.1: the UID is taken by another resource
UID_CONFLICT = frozenset(
    {f"{{{CALDAV_NS}}}no-uid-conflict", f"{{{CALDAV_NS}}}unique-scheduling-object-resource"}
)

_QUERY_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
    '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/>'
    "</C:comp-filter></C:filter></C:calendar-query>"
)
_MULTIGET_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
)


class InvalidSyncToken(Exception):
    """The server no longer knows our sync token (RFC 6578 3.2): list everything."""


class UnsupportedReport(Exception):
    """403 with DAV:supported-report: the server does not do this REPORT here."""


def query_body() -> str:
    return _QUERY_BODY


def multiget_body(hrefs: list[str]) -> str:
    items = "".join(f"<D:href>{xml_escape(quote(h))}</D:href>" for h in hrefs)
    return f"{_MULTIGET_HEAD}{items}</C:calendar-multiget>"


def conflicting_href(body: Any) -> str | None:
    """The href a UID-conflict precondition names (Cyrus sends the other resource's)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not isinstance(body, bytes) or not body.strip():
        return None
    from lxml import etree

    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return None
    for tag in UID_CONFLICT:
        for elem in root.iter(tag):
            found = elem.find("{DAV:}href")
            if found is not None and found.text:
                return normalize_href(found.text.strip())
    return None


def connection_failure(exc: BaseException) -> str:
    """What failed, in words, from an HTTP library's exception chain."""
    import socket
    import ssl

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = type(current).__name__
        if isinstance(current, ConnectionRefusedError):
            return "connection refused (is the server running on that port?)"
        if isinstance(current, socket.gaierror) or "NameResolution" in name:
            return "host name not found (DNS)"
        if isinstance(current, TimeoutError) or "Timeout" in name:
            return "timed out"
        if isinstance(current, ssl.SSLError) or "SSL" in name:
            return f"TLS failed ({current})"
        if isinstance(current, ConnectionResetError):
            return "connection reset by the server"
        current = current.__cause__ or current.__context__ or getattr(current, "reason", None)
        if not isinstance(current, BaseException):
            current = None
    return f"unreachable ({type(exc).__name__})"


def normalize_href(href: str) -> str:
    """Hrefs as one canonical string: the unquoted path (as caldav's parser gives them)."""
    return unquote(urlsplit(href).path)


class DavSession:
    """Counted, error-mapped keep-alive connections to one CalDAV server."""

    def __init__(
        self,
        url: str,
        username: str | None,
        password: str | None,
        *,
        timeout: float,
        label: str,
        verify: bool | str = True,
        share_connection: bool = False,
    ) -> None:
        self.url = url
        self.username = username
        self.label = label
        self.requests = 0
        options = {
            "url": url,
            "username": username,
            "password": password,
            # Basic up front: negotiating on a 401 would cost a request per run.
            "auth_type": "basic" if username else None,
            "timeout": timeout,
            "ssl_verify_cert": verify,
            "enable_rfc6764": False,
        }
        #: the server's Date on the latest write it acknowledged (epoch seconds)
        self.latest_write: int | None = None
        self._count = threading.Lock()
        # The sync engine's write workers (max_in_flight) send from their own threads:
        # a connection each, or (share_connection) multiplexed on one HTTP/2 connection.
        self.clients = DavClients(options, self._counted, share=share_connection)

    def _counted(self) -> None:
        with self._count:
            self.requests += 1

    @property
    def client(self) -> DAVClient:
        """This thread's client (see :class:`DavClients`)."""
        return self.clients.client

    def absolute(self, href: str) -> str:
        """The full URL of a server path (quoted once)."""
        return urljoin(self.url, quote(href))

    def request(
        self,
        method: str,
        href: str,
        body: str | bytes = "",
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request; raise our errors for anything but success or 412/404/409.

        412, 404 and 409 are returned to the caller, which knows what they mean there.
        """
        url = self.absolute(href)
        try:
            response = self.clients.send(url, method, body, dict(headers or {}))
        except dav_error.AuthorizationError as exc:
            if SYNC_TOKEN_TAG in exc.preconditions:
                raise InvalidSyncToken() from None
            if method == "REPORT" and SUPPORTED_REPORT_TAG in exc.preconditions:
                raise UnsupportedReport() from None  # RFC 3253 3.6 (SabreDAV 1.x)
            raise self._refusal(exc, method, href) from None
        except dav_error.RateLimitError as exc:
            wait = exc.retry_after_seconds
            asked = f"; it asks to wait {wait:.0f} s" if wait is not None else ""
            raise TransientBackendError(
                f"server is busy (HTTP {exc.status or 429} on {method}){asked}",
                target=self.label,
                retry_after=wait,
            ) from None
        except (http.exceptions.ConnectionError, http.exceptions.Timeout) as exc:
            raise self.unreachable(exc) from None
        except http.exceptions.RequestException as exc:
            raise BackendError(f"request failed: {exc}", target=self.label) from None
        except Exception as exc:  # lxml refusing a body the server called XML
            if exc.__class__.__module__.startswith("lxml"):
                raise TransientBackendError(
                    f"server sent a malformed reply to {method}", target=self.label
                ) from None
            raise
        self.check_status(response.status, method, href)
        if method in ("PUT", "DELETE") and 200 <= response.status < 300:
            self._note_write(response.headers.get("Date"))
        return response

    def _note_write(self, date: str | None) -> None:
        """Keep the server's clock on its latest acknowledged write (see caldav_stamp)."""
        from .caldav_stamp import http_date

        when = http_date(date)
        if when is not None:
            with self._count:
                self.latest_write = max(self.latest_write or when, when)

    def unreachable(self, exc: BaseException) -> TransientBackendError:
        """A connection that failed: which host, and what failed (refused, DNS, timeout)."""
        parts = urlsplit(self.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return TransientBackendError(
            f"cannot reach {parts.hostname}:{port}: {connection_failure(exc)}",
            target=self.label,
            hint="check the url and that the server is running and reachable from here",
        )

    def check_status(self, status: int, method: str, href: str) -> None:
        if status == 401:
            raise self._auth_error(status)
        if status == 403:
            raise self._forbidden()
        if status == 423:
            raise TransientBackendError(
                f"the calendar is locked (HTTP 423 on {method} {href})",
                target=self.label,
                hint="another client may hold a WebDAV lock; if it stays locked, the server "
                "probably crashed mid-write and left its lock behind (Xandikos: stop it, "
                "remove the stale .git/index.lock in the calendar's folder, start it again)",
            )
        if status == 507:
            raise BackendError(
                "server is out of storage (HTTP 507)",
                target=self.label,
                hint="free space on the server or ask its administrator",
            )
        if status == 429 or status >= 500:
            raise TransientBackendError(
                f"server error HTTP {status} on {method} {href}", target=self.label
            )

    def _refusal(self, exc: Any, method: str, href: str) -> Exception:
        """What a 401/403 means: a precondition (never a password problem) or access."""
        status = exc.status or 401
        if status == 401:
            return self._auth_error(status)
        if not exc.preconditions:
            return self._forbidden()
        names = ", ".join(p.rsplit("}", 1)[-1] for p in exc.preconditions)
        if method not in ("PUT", "DELETE"):
            return BackendError(
                f"the server refused {method} {href} (HTTP 403 {names})", target=self.label
            )
        if any(p in UID_CONFLICT for p in exc.preconditions):
            holder = conflicting_href(exc.body)
            where = f" ({holder})" if holder else ""
            return WriteRefused(
                href,
                f"another calendar of this account already holds its UID{where}, and the "
                f"server keeps UIDs unique per account (HTTP 403 {names})",
                hint="a copy of the event (the parent's own, or ours in a calendar this "
                "target used before) is in the way: delete that copy, or point the target "
                "back at that calendar",
            )
        return WriteRefused(href, f"refused by the server (HTTP 403 {names})")

    def _forbidden(self) -> BackendError:
        who = self.username or "(no user)"
        return BackendError(
            f"access denied for {who} at {self.url} (HTTP 403)",
            target=self.label,
            hint="check that this user may read and write this calendar (sharing rights), "
            "and the username and the password source",
        )

    def _auth_error(self, status: int) -> BackendError:
        who = self.username or "(no user)"
        return BackendError(
            f"authentication failed for {who} at {self.url} (HTTP {status})",
            target=self.label,
            hint="check the username and the password source (password_env, password_file "
            "or keyring)",
        )

    def precondition(self, href: str, status: int, what: str) -> PreconditionFailed:
        reason = {404: "gone", 409: "conflict", 412: "changed on the server"}.get(status, "")
        return PreconditionFailed(href, f"{what} refused: {reason} (HTTP {status})")

    def close(self) -> None:
        self.clients.close()
