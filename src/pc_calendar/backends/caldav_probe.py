"""Has a CalDAV calendar changed since our token? Asked with the standard library alone.

The quick no-op (:mod:`pc_calendar.sync.quick`) must not import caldav and its HTTP
stack (a third of a second and 50 MiB), yet must decide exactly as the backend's listing
(:meth:`.caldav_listing.ListingMixin.list`) decides on a calendar where nothing changed:
the same requests (the last-modified PROPFIND when the token's stamp allows it, else the
sync-collection REPORT, or the ctag PROPFIND), the same bodies (:mod:`.dav_bodies`), and
the token moved by the same pure rules (:class:`.caldav_stamp.DavToken`).

The probe only ever says "unchanged" (with the token to store and the requests it took)
or "cannot vouch" (None): any change, any status but a multistatus, a redirect, an
unreadable reply, a password that is not plain ASCII -- the full path then runs and
reports whatever it is in its own words.
"""

from __future__ import annotations

import base64
import http.client
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree

from .base import Probe
from .caldav_stamp import DavToken, LastModified, http_date
from .dav_bodies import LAST_MODIFIED_BODY, propfind_body, sync_body

DAV = "{DAV:}"
SYNC_PREFIX = "sync:"
CTAG_PREFIX = "ctag:"


@dataclass(frozen=True)
class DavTarget:
    """Where the calendar is and how to reach it (from the target's checked settings)."""

    url: str
    collection: str  # the calendar's path, ending in /
    username: str | None
    password: str | None
    timeout: float
    verify: bool | str
    quick_check: bool


class Unclear(Exception):
    """The probe cannot vouch that nothing changed."""


class _Dav:
    """One-request-at-a-time HTTP to the server, counted (no keep-alive needed)."""

    def __init__(self, target: DavTarget) -> None:
        self.target = target
        self.requests = 0
        self.report_date: int | None = None
        parts = urlsplit(target.url)
        if parts.scheme == "https":
            import ssl

            cafile = target.verify if isinstance(target.verify, str) else None
            context = ssl.create_default_context(cafile=cafile)
            self.conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname or "", parts.port, timeout=target.timeout, context=context
            )
        elif parts.scheme == "http":
            self.conn = http.client.HTTPConnection(
                parts.hostname or "", parts.port, timeout=target.timeout
            )
        else:
            raise Unclear(f"scheme {parts.scheme!r}")
        self.headers = {"Content-Type": "application/xml; charset=utf-8"}
        if target.username:
            if target.password is None:
                raise Unclear("a user without a password")
            try:
                pair = f"{target.username}:{target.password}".encode("ascii")
            except UnicodeEncodeError:
                raise Unclear("a password beyond ASCII: how it is encoded varies") from None
            self.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()

    def close(self) -> None:
        self.conn.close()

    def ask(self, method: str, body: str, depth: int) -> tuple[ElementTree.Element, str | None]:
        """The multistatus of one request and the server's Date; anything else: Unclear."""
        self.requests += 1
        headers = {**self.headers, "Depth": str(depth)}
        self.conn.request(method, quote(self.target.collection), body.encode(), headers)
        response = self.conn.getresponse()
        raw = response.read()
        if response.status not in (200, 207):
            raise Unclear(f"HTTP {response.status} on {method}")
        root = ElementTree.fromstring(raw)
        if root.tag != f"{DAV}multistatus":
            raise Unclear(f"no multistatus in reply to {method}")
        return root, response.getheader("Date")

    def _own(self, root: ElementTree.Element) -> list[ElementTree.Element]:
        """The responses, refusing any about another resource than the calendar."""
        mine = self.target.collection.rstrip("/")
        found = root.findall(f"{DAV}response")
        for response in found:
            href = unquote(urlsplit(response.findtext(f"{DAV}href") or "").path)
            if href.rstrip("/") != mine:
                raise Unclear("a member changed")
        return found

    def last_modified(self) -> LastModified | None:
        """The collection's last-modified and the server's clock, as the listing reads them."""
        root, date = self.ask("PROPFIND", LAST_MODIFIED_BODY, 0)
        responses = self._own(root)
        if responses and all(
            r.find(f"{DAV}propstat") is None and "404" in (r.findtext(f"{DAV}status") or "")
            for r in responses
        ):
            raise Unclear("calendar not found")
        text = next((e.text for e in root.iter(f"{DAV}getlastmodified")), None)
        modified, now = http_date(text), http_date(date)
        return LastModified(modified, now) if modified is not None and now is not None else None

    def authority(self, authority: str | None) -> str:
        """The authority again when nothing changed since it (else Unclear)."""
        if authority and authority.startswith(SYNC_PREFIX):
            root, date = self.ask("REPORT", sync_body(authority[len(SYNC_PREFIX) :]), 1)
            self.report_date = http_date(date)
            for response in self._own(root):  # some servers list the calendar itself
                if any("507" in (s.text or "") for s in response.iter(f"{DAV}status")):
                    raise Unclear("a truncated report")
            token = root.findtext(f"{DAV}sync-token")
            if not token:
                raise Unclear("no sync token in the report")
            return f"{SYNC_PREFIX}{token}"
        if authority and authority.startswith(CTAG_PREFIX):
            root, _ = self.ask("PROPFIND", propfind_body(), 0)
            self._own(root)
            ctag = next((e.text for e in root.iter("{http://calendarserver.org/ns/}getctag")), None)
            ctag = ctag or next((e.text for e in root.iter(f"{DAV}sync-token")), None)
            if ctag is None or f"{CTAG_PREFIX}{ctag.strip()}" != authority:
                raise Unclear("the ctag moved")
            return authority
        raise Unclear("no token to ask with")


def probe(target: DavTarget, since_token: str | None) -> Probe | None:
    """What the backend's listing would find on a calendar where nothing changed, or
    None if this calendar did change or the answer is not plainly "nothing"."""
    token = DavToken.decode(since_token)
    promote = target.quick_check and token.awaits_promotion
    ask_stamp = target.quick_check and token.asks_last_modified and not promote
    try:
        dav = _Dav(target)
    except Unclear:
        return None
    try:
        seen = dav.last_modified() if ask_stamp else None
        if token.unchanged_at(seen):
            return Probe(since_token, dav.requests)
        authority = dav.authority(token.authority)
        if promote:
            after = token.after_promotion(authority, False, dav.report_date)
            return Probe(after.encode(), dav.requests)
        if target.quick_check:
            return Probe(token.after_listing(seen, authority, False).encode(), dav.requests)
        return Probe(authority, dav.requests)
    except (Unclear, OSError, http.client.HTTPException, ElementTree.ParseError, ValueError):
        return None
    finally:
        dav.close()
