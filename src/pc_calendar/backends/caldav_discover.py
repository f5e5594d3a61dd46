"""Finding a user's CalDAV calendars from a server address, as vdirsyncer's ``discover``.

A coordinator rarely knows a calendar's exact URL. Given a server URL, or only an
e-mail-like address, this finds the service (RFC 6764: DNS SRV/TXT, then the
``/.well-known/caldav`` URL), the user's principal (``current-user-principal``), the
calendar home (``calendar-home-set``), and every calendar in it with its display name,
whether it accepts events (``supported-calendar-component-set``) and whether this user
may write to it (``current-user-privilege-set``). The home is listed with one PROPFIND.

It can also create a dedicated calendar with MKCALENDAR where the server allows it.
Nothing here writes to an existing calendar.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..errors import BackendError, UserError
from .caldav_http import DavSession, normalize_href
from .dav_bodies import xml_escape

_LIST_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:resourcetype/><D:displayname/><C:supported-calendar-component-set/>"
    "<D:current-user-privilege-set/></D:prop></D:propfind>"
)
_PRINCIPAL_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>'
)
_HOME_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><C:calendar-home-set/></D:prop></D:propfind>"
)
_MKCALENDAR_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
    "<D:displayname>{name}</D:displayname>"
    '<C:supported-calendar-component-set><C:comp name="VEVENT"/>'
    "</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"
)
_CALDAV = "{urn:ietf:params:xml:ns:caldav}"
_WRITE_PRIVILEGES = ("write", "write-content", "bind", "all")


@dataclass(frozen=True)
class FoundCalendar:
    """One calendar collection in the user's home."""

    href: str
    name: str | None
    #: the component types it accepts; empty when the server does not say (then any)
    components: tuple[str, ...]
    #: None when the server does not report privileges
    writable: bool | None

    @property
    def accepts_events(self) -> bool:
        return not self.components or "VEVENT" in self.components

    @property
    def label(self) -> str:
        return self.name or self.href.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class Discovery:
    """What was found, and how, for one server and user."""

    service_url: str
    principal: str
    home: str
    how: str
    calendars: list[FoundCalendar] = field(default_factory=list)

    def find(self, name: str) -> FoundCalendar | None:
        """The calendar with this path, or else this display name or last path segment.

        Two calendars may share a display name: then the name is refused, not guessed.
        """
        for calendar in self.calendars:
            if name in (calendar.href, calendar.href.rstrip("/")):
                return calendar
        matches = [
            c for c in self.calendars if name in (c.name, c.href.rstrip("/").rsplit("/", 1)[-1])
        ]
        if len(matches) > 1:
            raise UserError(
                f"{len(matches)} calendars are named {name!r}",
                hint="choose one by its path: " + ", ".join(c.href for c in matches),
            )
        return matches[0] if matches else None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for item, calendar in zip(data["calendars"], self.calendars, strict=True):
            item["components"] = list(calendar.components)
            item["accepts_events"] = calendar.accepts_events
        return data


def service_url(address: str, *, timeout: float = 30) -> tuple[str, str]:
    """(CalDAV service URL, how it was found) for a URL, a domain or a user@domain."""
    if re.match(r"^https?://", address, re.IGNORECASE):
        parts = urlsplit(address)
        if not parts.netloc:
            raise UserError(f"{address!r}: not a server URL (expected https://host/...)")
        return address if address.endswith("/") else address + "/", "the URL given"
    if not re.fullmatch(r"[^@\s/]+@[^@\s/]+\.[^@\s/]+|[^@\s/]+\.[^@\s/]+", address):
        raise UserError(
            f"{address!r}: expected a server URL (https://host/...), a domain or an "
            "e-mail-like address (user@example.org)"
        )
    from caldav.discovery import discover_caldav

    info = discover_caldav(address, timeout=int(timeout), require_tls=True)
    if info is None:
        domain = address.rsplit("@", 1)[-1]
        raise BackendError(
            f"no CalDAV service found for {domain} (no _caldavs._tcp SRV record and no "
            f"https://{domain}/.well-known/caldav)",
            hint="give the server's URL instead, e.g. https://cloud.example.org/remote.php/dav/",
        )
    return info.url, f"RFC 6764 ({info.source})"


def open_session(
    url: str,
    username: str | None,
    password: str | None,
    timeout: float,
    verify: bool | str = True,
) -> Any:
    """A counted, error-mapped session to the service (see :mod:`.caldav_http`)."""
    return DavSession(
        url, username, password, timeout=timeout, label=f"caldav {url}", verify=verify
    )


def discover(session: DavSession, how: str) -> Discovery:
    """Principal, home and calendars behind an open session."""
    principal = _principal(session)
    home = _home(session, principal)
    return Discovery(session.url, principal, home, how, list_calendars(session, home))


def _principal(session: DavSession) -> str:
    """The user's principal: asked at the URL given, then at /.well-known/caldav."""
    for path in (normalize_href(session.url), "/.well-known/caldav"):
        found = _href_property(session, path, "{DAV:}current-user-principal", _PRINCIPAL_BODY)
        if found:
            return found
    raise BackendError(
        f"{session.url} does not answer as a CalDAV server (no current-user-principal)",
        target=session.label,
        hint="give the CalDAV URL the server documents (Nextcloud: "
        "https://HOST/remote.php/dav/, Radicale: https://HOST/)",
    )


def _href_property(session: DavSession, href: str, tag: str, body: str) -> str | None:
    """The href inside property ``tag`` of ``href`` (Depth 0), or None."""
    response = session.request(
        "PROPFIND", href, body, {"Depth": "0", "Content-Type": "application/xml"}
    )
    if response.status not in (200, 207) or response.tree is None:
        return None
    for elem in response.tree.iter(tag):
        for inner in elem.iter("{DAV:}href"):
            if inner.text:
                return normalize_href(inner.text)
    return None


def _home(session: DavSession, principal: str) -> str:
    home = _href_property(session, principal, f"{_CALDAV}calendar-home-set", _HOME_BODY)
    if home:
        return home
    raise BackendError(
        f"the principal {principal} names no calendar home (calendar-home-set)",
        target=session.label,
        hint="the server may not offer calendars to this user",
    )


def list_calendars(session: DavSession, home: str) -> list[FoundCalendar]:
    """Every calendar collection in ``home`` (one PROPFIND, Depth 1)."""
    response = session.request(
        "PROPFIND", home, _LIST_BODY, {"Depth": "1", "Content-Type": "application/xml"}
    )
    found = []
    if response.tree is None:
        return found
    for item in response.tree.iter("{DAV:}response"):
        href_elem = item.find("{DAV:}href")
        kinds = item.find(".//{DAV:}resourcetype")
        if href_elem is None or kinds is None or kinds.find(f"{_CALDAV}calendar") is None:
            continue
        name = item.find(".//{DAV:}displayname")
        components = tuple(
            comp.get("name", "").upper() for comp in item.iter(f"{_CALDAV}comp") if comp.get("name")
        )
        found.append(
            FoundCalendar(
                normalize_href(href_elem.text or ""),
                (name.text or None) if name is not None else None,
                components,
                _writable(item),
            )
        )
    return sorted(found, key=lambda c: c.href)


def _writable(item: Any) -> bool | None:
    privileges = item.find(".//{DAV:}current-user-privilege-set")
    if privileges is None or len(privileges) == 0:
        return None
    granted = {child.tag.split("}", 1)[-1] for p in privileges for child in p}
    return any(name in granted for name in _WRITE_PRIVILEGES)


def create_calendar(session: DavSession, home: str, name: str) -> FoundCalendar:
    """MKCALENDAR a calendar for events named ``name`` in ``home``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "calendar"
    href = f"{home.rstrip('/')}/{slug}-{uuid.uuid4().hex[:6]}/"
    body = _MKCALENDAR_BODY.format(name=xml_escape(name))
    response = session.request(
        "MKCALENDAR", href, body, {"Content-Type": "application/xml; charset=utf-8"}
    )
    if response.status not in (200, 201):
        raise BackendError(
            f"the server refused to create calendar {name!r} (HTTP {response.status})",
            target=session.label,
            hint="create it in the calendar app, then run discover again",
        )
    for calendar in list_calendars(session, home):
        if calendar.href == href:
            return calendar
    return FoundCalendar(href, name, ("VEVENT",), True)
