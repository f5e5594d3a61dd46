"""Finding our events in a CalDAV calendar with as few requests as the server allows.

- with a sync token: one RFC 6578 sync-collection REPORT (plus one calendar-multiget of
  the changed objects on servers that leave calendar data out of that report, such as
  Xandikos); an expired token falls back to a full listing;
- without one: the same report with an empty token lists everything and hands out a
  token in the same request;
- servers without sync-collection: a ctag PROPFIND, and a calendar-query only when the
  ctag moved.

Ownership is decided on the content (:func:`remote_event_from_ical`), never on the href,
UID or summary: events without our marker are not listed, whatever they look like.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ..errors import BackendError
from .base import Listing, RemoteEvent, remote_event_from_ical
from .caldav_stamp import DavToken, LastModified, http_date
from .dav_bodies import LAST_MODIFIED_BODY, propfind_body, sync_body

MULTIGET_CHUNK = 1000
SYNC_PREFIX = "sync:"
CTAG_PREFIX = "ctag:"


class _Unsupported(Exception):
    """The server does not do sync-collection on this calendar."""


class ListingMixin:
    """``Backend.list`` for :class:`~.caldav.CalDAVBackend`.

    Needs ``session`` (a DavSession), ``collection`` (the calendar's path), ``family_id``,
    ``label``, ``_our_uid_suffix``, ``_sync_supported`` and ``_not_found()``.
    """

    session: Any
    collection: str
    family_id: str
    label: str
    _our_uid_suffix: str
    _sync_supported: bool | None
    #: ask the collection's last-modified before the sync token (see :mod:`.caldav_stamp`)
    quick_check: bool = True
    #: the last-modified the run's first listing saw: our writes follow it (to learn
    #: whether it moves with them)
    _seen_before_writes: LastModified | None = None
    _listed: bool = False
    #: the server's clock on the latest REPORT's reply
    _report_date: int | None = None

    def _not_found(self) -> BackendError:  # pragma: no cover - provided by the backend
        raise NotImplementedError

    # -- listing -----------------------------------------------------------------------

    def list(self, since_token: str | None = None) -> Listing:
        before = self.session.requests
        token = DavToken.decode(since_token)
        promote = self.quick_check and token.awaits_promotion
        quick = self.quick_check and token.asks_last_modified and not promote
        seen = self._last_modified() if quick else None
        if not self._listed:  # the run's own listing; a re-listing mid-run comes later
            self._seen_before_writes, self._listed = seen, True
        if token.unchanged_at(seen):
            listing = Listing(events=[], full=False, token=since_token)
        else:
            listing = self._authoritative(token.authority)
            if promote:  # the REPORT alone, right after confirmed writes (caldav_stamp)
                changed = listing.full or bool(
                    listing.events or listing.removed or listing.unmarked
                )
                after = token.after_promotion(listing.token, changed, self._report_date)
                listing.token = after.encode()
            elif self.quick_check:
                # evidence for the stamp: did any of ours change (or anything go)?
                changed = not listing.full and bool(
                    listing.events or listing.removed or listing.unmarked
                )
                listing.token = token.after_listing(seen, listing.token, changed).encode()
        listing.requests = self.session.requests - before
        return listing

    def _authoritative(self, authority: str | None) -> Listing:
        """The listing the sync token (else the ctag) gives; its token is that authority."""
        from .caldav_http import InvalidSyncToken

        if authority and authority.startswith(SYNC_PREFIX):
            try:
                return self._sync(authority[len(SYNC_PREFIX) :])
            except InvalidSyncToken:
                pass
        elif authority and authority.startswith(CTAG_PREFIX):
            ctag = self._ctag()
            if ctag is not None and f"{CTAG_PREFIX}{ctag}" == authority:
                return Listing(events=[], full=False, token=authority)
            self._sync_supported = False  # a ctag token: the server had no sync-collection
        return self._full()

    def confirm_writes(
        self, since_token: str | None, written: Mapping[str, str | None], deleted: Collection[str]
    ) -> str | None:
        """A token past our own writes, when the changes since ``since_token`` are just them.

        One sync-collection REPORT asking etags only (no data). Anything else in it, an
        etag that is not the one our write got back, or one of ours missing (RFC 6578 may
        leave out what was created and deleted since) -> None: the token stays and the
        next run reads the changes as usual.
        """
        from .caldav_http import InvalidSyncToken

        token = DavToken.decode(since_token)
        if token.authority is None or not token.authority.startswith(SYNC_PREFIX):
            return None
        # while trust is unknown, last-modified after our writes settles it (one PROPFIND,
        # before the REPORT, so nothing the REPORT vouches for can come after it)
        learn = self.quick_check and token.trust is None and token.asks_last_modified
        after = self._last_modified() if learn else None
        try:
            changed, removed, authority = self._delta(
                token.authority[len(SYNC_PREFIX) :], with_data=False
            )
        except (InvalidSyncToken, _Unsupported):
            return None
        if set(changed) != set(written) or not set(removed) <= set(deleted):
            return None
        if any(written[h] is None or changed[h][0] != written[h] for h in changed):
            return None
        authority = f"{SYNC_PREFIX}{authority}"
        if not self.quick_check:
            return authority
        written_at = self.session.latest_write
        return token.after_writes(authority, self._seen_before_writes, after, written_at).encode()

    def _last_modified(self) -> LastModified | None:
        """The collection's last-modified and the server's clock, if it tells both."""
        response = self.session.request(
            "PROPFIND",
            self.collection,
            LAST_MODIFIED_BODY,
            {"Depth": "0", "Content-Type": "application/xml; charset=utf-8"},
        )
        if response.status == 404 or response.all_responses_not_found():
            raise self._not_found()
        if response.status not in (200, 207) or response.tree is None:
            return None
        text = next((e.text for e in response.tree.iter("{DAV:}getlastmodified")), None)
        modified = http_date(text)
        now = http_date(response.headers.get("Date"))
        if modified is None or now is None:
            return None
        return LastModified(modified, now)

    def _report(self, body: str, depth: int) -> Any:
        response = self.session.request(
            "REPORT",
            self.collection,
            body,
            {"Depth": str(depth), "Content-Type": "application/xml; charset=utf-8"},
        )
        self._report_date = http_date(response.headers.get("Date"))
        if response.status == 404:
            raise self._not_found()
        return response

    def _sync(self, token: str) -> Listing:
        """RFC 6578: what changed since ``token`` (all of it when ``token`` is empty)."""
        changed, removed, token = self._delta(token, with_data=True)
        events, stripped, lost = self._parse(changed)
        listing = Listing(events=events, full=False, token=f"{SYNC_PREFIX}{token}")
        listing.unmarked = stripped
        # An object with our UID that changed, no longer carries our marker and is not at
        # our own name for it has left our set: incremental listings agree with full ones.
        listing.removed = sorted(set(removed) | lost)
        return listing

    def _delta(
        self, token: str, *, with_data: bool
    ) -> tuple[dict[str, tuple[str | None, str | None]], list[str], str]:
        """The sync-collection REPORT: changed href -> (etag, data), removed, new token."""
        from caldav.lib import error as dav_error

        from .caldav_http import SYNC_TOKEN_TAG, InvalidSyncToken

        changed: dict[str, tuple[str | None, str | None]] = {}
        removed: list[str] = []
        from .caldav_http import UnsupportedReport

        while True:
            try:
                response = self._report(sync_body(token, with_data=with_data), depth=1)
            except UnsupportedReport:
                raise _Unsupported() from None
            if response.status not in (200, 207):
                body = response._raw if isinstance(response._raw, bytes | str) else b""
                if token and (
                    SYNC_TOKEN_TAG in dav_error.parse_preconditions(body)
                    or response.status in (403, 409, 412)
                ):
                    raise InvalidSyncToken()
                raise _Unsupported()
            result = response.parse_sync_collection()
            for item in result.changed:
                if item.href.rstrip("/") != self.collection.rstrip("/"):  # some list themselves
                    changed[item.href] = (item.etag, item.calendar_data if with_data else None)
            removed.extend(result.deleted)
            if result.sync_token is None:
                raise _Unsupported()
            token = result.sync_token
            if not result.truncated:
                return changed, removed, token

    def _full(self) -> Listing:
        """Every event of ours, with a fresh token (sync token, else ctag, else none)."""
        if self._sync_supported is not False:
            try:
                listing = self._sync("")
            except _Unsupported:
                self._sync_supported = False
            else:
                self._sync_supported = True
                listing.full = True
                listing.removed = []
                return listing
        from .caldav_http import query_body

        ctag = self._ctag()  # before the query, so a change in between shows next time
        response = self._report(query_body(), depth=1)
        if response.status not in (200, 207):
            raise BackendError(f"calendar-query failed (HTTP {response.status})", target=self.label)
        found = {r.href: (r.etag, r.calendar_data) for r in response.parse_calendar_query()}
        events, stripped, _ = self._parse(found)
        token = f"{CTAG_PREFIX}{ctag}" if ctag is not None else None
        return Listing(events=events, full=True, token=token, unmarked=stripped)

    def _ctag(self) -> str | None:
        response = self.session.request(
            "PROPFIND",
            self.collection,
            propfind_body(),
            {"Depth": "0", "Content-Type": "application/xml; charset=utf-8"},
        )
        if response.status == 404 or response.all_responses_not_found():
            raise self._not_found()
        props = self._simple_props(response)
        return props.get("getctag") or props.get("sync-token")

    @staticmethod
    def _simple_props(response: Any) -> dict[str, str]:
        tree = response.tree
        found: dict[str, str] = {}
        if tree is None:
            return found
        for elem in tree.iter():
            if not isinstance(elem.tag, str):
                continue
            local = elem.tag.rsplit("}", 1)[-1]
            if local in ("getctag", "sync-token") and elem.text:
                found.setdefault(local, elem.text.strip())
        return found

    def _parse(
        self, found: dict[str, tuple[str | None, str | None]]
    ) -> tuple[list[RemoteEvent], list[RemoteEvent], set[str]]:
        """Ours among ``found`` (href -> etag, data), fetching data the server left out.

        Returns the events carrying our marker; those at our own name for one of our
        UIDs whose marker a client stripped (:attr:`Listing.unmarked`); and the hrefs of
        other objects with a UID of ours (a parent's copy: not ours).
        """
        from .caldav import safe_name

        missing = [href for href, (_, data) in found.items() if data is None]
        for start in range(0, len(missing), MULTIGET_CHUNK):
            found.update(self._multiget(missing[start : start + MULTIGET_CHUNK]))
        events: list[RemoteEvent] = []
        stripped: list[RemoteEvent] = []
        lost: set[str] = set()
        for href, (etag, data) in sorted(found.items()):
            if data is None:
                continue  # vanished between the two reports: the next listing will say
            remote = remote_event_from_ical(
                data.encode("utf-8"), href, etag, self.family_id, unmarked=True
            )
            if remote is not None and remote.marked:
                events.append(remote)
            elif remote is not None and href == self.collection + safe_name(remote.uid):
                stripped.append(remote)
            elif self._our_uid_suffix in data:
                lost.add(href)
        return events, stripped, lost

    def _multiget(self, hrefs: list[str]) -> dict[str, tuple[str | None, str | None]]:
        from .caldav_http import multiget_body

        response = self._report(multiget_body(hrefs), depth=1)
        if response.status not in (200, 207):
            raise BackendError(
                f"calendar-multiget failed (HTTP {response.status})", target=self.label
            )
        return {
            r.href: (r.etag, r.calendar_data)
            for r in response.parse_calendar_query()
            if r.calendar_data is not None
        }
