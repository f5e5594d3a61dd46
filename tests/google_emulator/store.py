"""In-memory state: calendars, events, etags, change sequence and sync/page tokens.

Every write takes the next value of one global change counter; an event remembers the
counter value of its last write, so a sync token is just "changes after N" for a calendar
plus a generation number that :meth:`Store.invalidate_sync_tokens` bumps (old tokens then
answer 410, as Google's expired tokens do).
"""

from __future__ import annotations

import base64
import copy
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .errors import ApiError, not_found
from .timefmt import format_updated

PRIMARY_ID = "parent@example.com"
_BASE32HEX = "0123456789abcdefghijklmnopqrstuv"


def new_id(length: int = 26) -> str:
    """A random id in Google's event-id alphabet (base32hex, lowercase)."""
    return "".join(secrets.choice(_BASE32HEX) for _ in range(length))


@dataclass
class StoredEvent:
    data: dict
    seq: int
    order: int


@dataclass
class Calendar:
    id: str
    summary: str
    time_zone: str
    description: str = ""
    etag: str = ""
    events: dict[str, StoredEvent] = field(default_factory=dict)

    def resource(self) -> dict:
        out = {
            "kind": "calendar#calendar",
            "etag": self.etag,
            "id": self.id,
            "summary": self.summary,
            "timeZone": self.time_zone,
            "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
        }
        if self.description:
            out["description"] = self.description
        return out


@dataclass
class PageState:
    """A listing in progress: the ids matched when it started and where we are."""

    calendar_id: str
    ids: list[str]
    position: int
    sync_seq: int
    params: dict
    primed: bool = True


class Store:
    """All calendars of one emulated Google account."""

    def __init__(self, default_time_zone: str = "UTC") -> None:
        self.default_time_zone = default_time_zone
        self.calendars: dict[str, Calendar] = {}
        self.counter = 0
        self.generation = 0
        self._last_micros = 0
        self._order = 0
        self.pages: dict[str, PageState] = {}
        self.short_pages = False
        self.add_calendar(PRIMARY_ID, PRIMARY_ID, default_time_zone)

    # -- clocks ---------------------------------------------------------------------
    def tick(self) -> tuple[int, str, datetime]:
        """Next change number, a fresh quoted etag, and the write's timestamp."""
        self.counter += 1
        micros = max(time.time_ns() // 1000, self._last_micros + 1)
        self._last_micros = micros
        stamp = datetime.fromtimestamp(micros / 1_000_000, UTC)
        return self.counter, f'"{micros * 2}"', stamp

    # -- calendars ------------------------------------------------------------------
    def resolve(self, calendar_id: str) -> Calendar:
        """The calendar for an id or the ``primary`` alias; 404 like Google otherwise."""
        if calendar_id == "primary":
            calendar_id = PRIMARY_ID
        try:
            return self.calendars[calendar_id]
        except KeyError:
            raise not_found() from None

    def add_calendar(self, calendar_id: str, summary: str, time_zone: str | None) -> Calendar:
        _, etag, _ = self.tick()
        cal = Calendar(calendar_id, summary, time_zone or self.default_time_zone, etag=etag)
        self.calendars[calendar_id] = cal
        return cal

    # -- events ---------------------------------------------------------------------
    def write(self, cal: Calendar, data: dict, *, created: bool) -> dict:
        """Store ``data`` as the event's new state with a new etag/updated/change number."""
        seq, etag, stamp = self.tick()
        data["etag"] = etag
        data["updated"] = format_updated(stamp)
        if created:
            data["created"] = data["updated"]
            self._order += 1
            cal.events[data["id"]] = StoredEvent(data, seq, self._order)
        else:
            stored = cal.events[data["id"]]
            stored.data = data
            stored.seq = seq
        return data

    def event(self, cal: Calendar, event_id: str) -> StoredEvent:
        try:
            return cal.events[event_id]
        except KeyError:
            raise not_found() from None

    def snapshot(self, cal: Calendar) -> list[dict]:
        """Deep copies of all events, cancelled included, in creation order."""
        ordered = sorted(cal.events.values(), key=lambda e: e.order)
        return [copy.deepcopy(e.data) for e in ordered]

    # -- tokens ---------------------------------------------------------------------
    def sync_token(self, cal: Calendar, seq: int) -> str:
        raw = json.dumps({"c": cal.id, "s": seq, "g": self.generation}).encode()
        return "C" + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def sync_seq(self, cal: Calendar, token: str) -> int:
        """The change number a token stands for; 400 if garbled, 410 if invalidated."""
        try:
            raw = token[1:] + "=" * (-len(token[1:]) % 4)
            decoded = json.loads(base64.urlsafe_b64decode(raw))
            seq, generation, cal_id = int(decoded["s"]), int(decoded["g"]), decoded["c"]
        except (ValueError, KeyError, TypeError):
            raise ApiError(400, "invalid", "Invalid sync token value.") from None
        if generation != self.generation or cal_id != cal.id:
            raise ApiError(
                410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required."
            )
        return seq

    def invalidate_sync_tokens(self) -> None:
        self.generation += 1

    def new_page(self, state: PageState) -> str:
        token = "P" + secrets.token_urlsafe(18)
        self.pages[token] = state
        return token

    def page(self, token: str, cal: Calendar, params: dict) -> PageState:
        state = self.pages.get(token)
        if state is None or state.calendar_id != cal.id or state.params != params:
            raise ApiError(400, "invalid", "Invalid page token value.", location="pageToken")
        return state
