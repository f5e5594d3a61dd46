"""CalDAV backend: our events in one calendar collection on a CalDAV server.

Cheap and safe by construction:

- listing with a change token is one RFC 6578 sync-collection REPORT (plus one multiget
  of the changed objects on servers that cannot send calendar data in that report); a
  server without sync tokens gets a ctag check (one PROPFIND) before a full listing
  (see :mod:`.caldav_listing`);
- create is a PUT at ``<calendar>/<safe uid>.ics`` with ``If-None-Match: *``; update and
  delete go to the stored href with ``If-Match``, so nothing a parent changed is ever
  overwritten blindly (412 -> :class:`PreconditionFailed`);
- we PUT our own bytes, so no library bumps SEQUENCE behind the content hash's back.

Target keys (``type = "caldav"``): ``url``; ``calendar``, a path ("/alex/kids/") or a
display name (costs a discovery on every run, so a path is cheaper; the URL itself is
the calendar when it is left out); ``username``; the password by reference only
(``password_env``, ``password_file`` with mode 0600, or ``keyring = true``); ``timeout``
in seconds; ``quick_check = false`` never uses the calendar's last-modified time in place
of its sync token (see :mod:`.caldav_stamp`; it is learnt per calendar whether it can
be); ``max_in_flight`` (default 8) writes sent at once, each on its own keep-alive
connection (HTTP/2 where offered, else HTTP/1.1), or with ``connections = "one"`` all
multiplexed on one HTTP/2 connection (see :mod:`pc_calendar.sync.concurrent` and
:mod:`.caldav_connections`). caldav (and its HTTP
stack) is imported only when a CalDAV target is built.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin

from .. import hookimpl
from ..errors import BackendError, TransientBackendError
from ..identity import UID_DOMAIN
from .base import Backend, DesiredEvent, RemoteEvent, remote_from_desired
from .caldav_listing import ListingMixin


def safe_name(uid: str) -> str:
    """The resource name for a UID: only characters no server or proxy rewrites.

    >>> safe_name("exchange-ab12@rivera-chen.pc-calendar.invalid")
    'exchange-ab12_rivera-chen.pc-calendar.invalid.ics'
    """
    return re.sub(r"[^A-Za-z0-9._-]", "_", uid) + ".ics"


class CalDAVBackend(ListingMixin, Backend):
    """One CalDAV calendar collection, listed and written with conditional requests."""

    def __init__(self, config: dict, context: Any = None) -> None:
        from .caldav_config import family_id_of, read_settings
        from .caldav_http import DavSession

        settings = read_settings(config, context)
        self.family_id = family_id_of(config, context)
        self.settings = settings
        who = f" ({settings.username})" if settings.username else ""
        where = settings.url
        if settings.calendar:
            where = (
                urljoin(settings.url, settings.calendar)
                if settings.calendar.startswith("/")
                else f"{settings.url} calendar {settings.calendar!r}"
            )
        self.label = f"caldav {where}{who}"
        self.session = DavSession(
            settings.url,
            settings.username,
            settings.password,
            timeout=settings.timeout,
            label=self.label,
            verify=settings.verify,
            share_connection=settings.connections == "one",
        )
        #: writes sent at once (a connection per worker, or one multiplexed HTTP/2 one)
        self.max_in_flight = settings.max_in_flight
        self._collection: str | None = None
        self._our_uid_suffix = f"@{self.family_id}.{UID_DOMAIN}"
        self._sync_supported: bool | None = None
        self.quick_check = settings.quick_check

    # -- the calendar collection -------------------------------------------------------

    @property
    def collection(self) -> str:
        """The calendar's path (ending in /), resolved on first use."""
        if self._collection is None:
            self._collection = self._resolve_collection()
        return self._collection

    def _resolve_collection(self) -> str:
        from .caldav_http import normalize_href

        name = self.settings.calendar
        base = normalize_href(self.settings.url)
        if name is None:
            return base
        if name.startswith("/"):
            return name if name.endswith("/") else name + "/"
        # A display name (or the last path segment): ask the server which calendars exist.
        for href, display in self._calendars():
            segment = href.rstrip("/").rsplit("/", 1)[-1]
            if name in (display, segment):
                return href
        raise self._not_found()

    def _calendars(self) -> list[tuple[str, str | None]]:
        """(href, display name) of every calendar the user has.

        Discovery goes through caldav's own requests, so its errors are mapped here as
        :meth:`DavSession.request` maps ours: a server that cannot be reached says so
        (never "calendar not found"); only a server that does not answer the discovery
        questions (no principal, no calendar home) gives [].
        """
        from caldav.lib import error as dav_error
        from caldav.lib.http_sync import requests as http

        from .caldav_http import normalize_href

        try:
            found = self.session.client.get_calendars()
            return [(normalize_href(str(c.url)), c.get_display_name()) for c in found]
        except dav_error.AuthorizationError as exc:
            raise self.session._refusal(exc, "PROPFIND", self.settings.url) from None
        except dav_error.RateLimitError as exc:
            raise TransientBackendError(
                f"server is busy (HTTP {exc.status or 429}) while listing calendars",
                target=self.label,
                retry_after=exc.retry_after_seconds,
            ) from None
        except (http.exceptions.ConnectionError, http.exceptions.Timeout) as exc:
            raise self.session.unreachable(exc) from None
        except (dav_error.DAVError, KeyError, ValueError):
            return []  # no principal or calendar home to ask: nothing can be listed

    def _not_found(self) -> BackendError:
        names = [display or href for href, display in self._calendars()]
        listed = ", ".join(sorted(names)) if names else "none found"
        return BackendError(
            f"calendar not found: {self.settings.calendar or self.settings.url}",
            target=self.label,
            hint=f"calendars on this server: {listed}",
        )

    # -- writing -----------------------------------------------------------------------

    def create(self, event: DesiredEvent) -> RemoteEvent:
        href = self.collection + safe_name(event.uid)
        return self._put(href, event, {"If-None-Match": "*"}, "create")

    def update(self, remote: RemoteEvent, event: DesiredEvent) -> RemoteEvent:
        return self._put(remote.href, event, self._if_match(remote), "update")

    def delete(self, remote: RemoteEvent) -> None:
        response = self.session.request("DELETE", remote.href, "", self._if_match(remote))
        if response.status in (404, 409, 412):
            raise self.session.precondition(remote.href, response.status, "delete")
        self._expect_success(response.status, "DELETE", remote.href)

    def fetch(self, remote: RemoteEvent) -> bytes | None:
        response = self.session.request("GET", remote.href, "", {"Accept": "text/calendar"})
        if response.status == 404:
            return None
        self._expect_success(response.status, "GET", remote.href)
        return response._raw_body or (
            response._raw.encode() if isinstance(response._raw, str) else response._raw
        )

    @staticmethod
    def _if_match(remote: RemoteEvent) -> dict[str, str]:
        from ..errors import PreconditionFailed

        if not remote.etag:
            raise PreconditionFailed(remote.href, "no etag known; list again first")
        return {"If-Match": remote.etag}

    def _put(
        self, href: str, event: DesiredEvent, condition: dict[str, str], what: str
    ) -> RemoteEvent:
        from ..identity import content_hash

        headers = {"Content-Type": "text/calendar; charset=utf-8", **condition}
        response = self.session.request("PUT", href, event.ical, headers)
        if response.status in (404, 409, 412):
            if response.status in (404, 409) and not self._collection_exists():
                raise self._not_found()  # a PUT into a missing calendar, not a conflict
            raise self.session.precondition(href, response.status, what)
        self._expect_success(response.status, "PUT", href)
        etag = response.headers.get("ETag") or self._etag(href)
        written = remote_from_desired(event, href, etag)
        if event.event is not None:  # what the server holds, hashed as a listing would
            written = replace(written, actual_hash=content_hash(event.event))
        return written

    def _collection_exists(self) -> bool:
        """Only asked after a failed write, to tell "no such calendar" from a conflict."""
        response = self.session.request("PROPFIND", self.collection, "", {"Depth": "0"})
        return response.status in (200, 207) and not response.all_responses_not_found()

    def _etag(self, href: str) -> str | None:
        """The etag of what we just wrote, for servers that leave it out of the PUT reply."""
        response = self.session.request(
            "PROPFIND",
            href,
            '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop>'
            "</D:propfind>",
            {"Depth": "0", "Content-Type": "application/xml; charset=utf-8"},
        )
        if response.status not in (200, 207) or response.tree is None:
            return None
        for elem in response.tree.iter("{DAV:}getetag"):
            return elem.text
        return None

    def _expect_success(self, status: int, method: str, href: str) -> None:
        if not 200 <= status < 300:
            raise BackendError(f"{method} {href} failed with HTTP {status}", target=self.label)

    @property
    def request_count(self) -> int:
        return self.session.requests

    def close(self) -> None:
        self.session.close()


def factory(config: dict, context: Any = None) -> Backend:
    """Build a CalDAV backend for one target (see :mod:`.caldav_config` for the keys)."""
    return CalDAVBackend(config, context)


@hookimpl
def pc_calendar_register_backends(register: Any) -> None:
    register("caldav", factory)
