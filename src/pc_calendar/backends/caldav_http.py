"""The HTTP side of the CalDAV backend: one keep-alive session, counted, errors mapped.

caldav's ``DAVClient`` owns the session, authentication and response parsing; this module
adds what the sync engine needs on top: every request counted (a no-op sync must cost one
or two), and every failure turned into one of our errors so the engine can tell "retry
later" (:class:`TransientBackendError`) from "the user must fix something"
(:class:`BackendError`) from "someone changed it under us" (:class:`PreconditionFailed`).
Imported only when a CalDAV target is used, so ``pc-calendar --help`` never loads caldav.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from caldav import DAVClient
from caldav.lib import error as dav_error
from caldav.lib.http_sync import requests as http

from ..errors import BackendError, PreconditionFailed, TransientBackendError

SYNC_TOKEN_TAG = "{DAV:}valid-sync-token"

# RFC 6578 sync-collection asking for etag and data; servers that cannot send data here
# (Xandikos) answer 404 for calendar-data and we fetch the changed ones with a multiget.
_SYNC_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>"
    "<D:prop><D:getetag/>{data}</D:prop></D:sync-collection>"
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
#: the collection's last-modified only: cheap where a sync token is not (Radicale)
LAST_MODIFIED_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<D:propfind xmlns:D="DAV:"><D:prop><D:getlastmodified/></D:prop></D:propfind>'
)
_PROPFIND_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">'
    "<D:prop><D:getetag/><D:sync-token/><CS:getctag/></D:prop></D:propfind>"
)


class InvalidSyncToken(Exception):
    """The server no longer knows our sync token (RFC 6578 3.2): list everything."""


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sync_body(token: str | None, *, with_data: bool = True) -> str:
    """The sync-collection REPORT; without data it names changes by href and etag only."""
    data = "<C:calendar-data/>" if with_data else ""
    return _SYNC_BODY.format(token=xml_escape(token or ""), data=data)


def query_body() -> str:
    return _QUERY_BODY


def multiget_body(hrefs: list[str]) -> str:
    items = "".join(f"<D:href>{xml_escape(quote(h))}</D:href>" for h in hrefs)
    return f"{_MULTIGET_HEAD}{items}</C:calendar-multiget>"


def propfind_body() -> str:
    return _PROPFIND_BODY


def normalize_href(href: str) -> str:
    """Hrefs as one canonical string: the unquoted path (as caldav's parser gives them)."""
    return unquote(urlsplit(href).path)


class DavSession:
    """A counted, error-mapped keep-alive connection to one CalDAV server."""

    def __init__(
        self,
        url: str,
        username: str | None,
        password: str | None,
        *,
        timeout: float,
        label: str,
        verify: bool | str = True,
    ) -> None:
        self.url = url
        self.username = username
        self.label = label
        self.requests = 0
        self.client = DAVClient(
            url=url,
            username=username,
            password=password,
            # Basic up front: negotiating on a 401 would cost a request per run.
            auth_type="basic" if username else None,
            timeout=timeout,
            ssl_verify_cert=verify,
            enable_rfc6764=False,
        )
        session = self.client.session
        send = session.request

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.requests += 1
            return send(*args, **kwargs)

        session.request = counted

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
            response = self.client.request(url, method, body, dict(headers or {}))
        except dav_error.AuthorizationError as exc:
            if SYNC_TOKEN_TAG in exc.preconditions:
                raise InvalidSyncToken() from None
            status = exc.status or 401
            raise self._auth_error(status) from None
        except dav_error.RateLimitError as exc:
            raise TransientBackendError(
                f"server is busy (HTTP {exc.status or 429}); try again later",
                target=self.label,
            ) from None
        except (http.exceptions.ConnectionError, http.exceptions.Timeout) as exc:
            kind = "timed out" if isinstance(exc, http.exceptions.Timeout) else "unreachable"
            raise TransientBackendError(
                f"server {kind} ({exc.__class__.__name__})", target=self.label
            ) from None
        except http.exceptions.RequestException as exc:
            raise BackendError(f"request failed: {exc}", target=self.label) from None
        except Exception as exc:  # lxml refusing a body the server called XML
            if exc.__class__.__module__.startswith("lxml"):
                raise TransientBackendError(
                    f"server sent a malformed reply to {method}", target=self.label
                ) from None
            raise
        self.check_status(response.status, method, href)
        return response

    def check_status(self, status: int, method: str, href: str) -> None:
        if status in (401, 403):
            raise self._auth_error(status)
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
        self.client.close()
