"""Resolve what a coordinator types as WHEN to one scheduled exchange.

WHEN is an exchange id (``2026-12-04T1800-alex-sam``), a local date (``2026-12-04``) or a
local date and time (``2026-12-04T18:00``, ``2026-12-04 1800``). Anything that does not
name exactly one exchange is refused with the nearest exchanges, so a typo never
attaches an outcome to the wrong handover.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..errors import UserError
from ..plan.toml_types import SUPPORTED_YEARS
from ..schedule.timeline import Exchange
from .status import place_name

_ID = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})-(.+)$")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})$")
_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}):?(\d{2})$")
NEAREST = 3


@dataclass(frozen=True)
class When:
    """A parsed WHEN: the local day, and the time and parents when they were given."""

    text: str
    day: date
    at: time | None = None
    exchange_id: str | None = None

    def window(self, margin_days: int = 45) -> tuple[date, date]:
        """The local date range to compute exchanges over to resolve and suggest."""
        return self.day - timedelta(days=margin_days), self.day + timedelta(days=margin_days)


def parse_when(text: str) -> When:
    """Parse WHEN; raise UserError with the accepted forms."""
    value = text.strip()
    try:
        if (m := _ID.match(value) or _DATE.match(value) or _DATE_TIME.match(value)) and not (
            SUPPORTED_YEARS[0] <= int(m[1][:4]) <= SUPPORTED_YEARS[1]
        ):
            raise UserError(
                f"WHEN: expected a date between {SUPPORTED_YEARS[0]}-01-01 and "
                f"{SUPPORTED_YEARS[1]}-12-31, got {text!r}"
            )
        if m := _ID.match(value):
            day = date.fromisoformat(m[1])
            return When(value, day, time(int(m[2]), int(m[3])), value)
        if m := _DATE.match(value):
            return When(value, date.fromisoformat(m[1]))
        if m := _DATE_TIME.match(value):
            return When(value, date.fromisoformat(m[1]), time(int(m[2]), int(m[3])))
    except ValueError:
        pass
    raise UserError(
        f"WHEN: expected an exchange id like 2026-12-04T1800-alex-sam, a date "
        f"like 2026-12-04 or a date and time like 2026-12-04T18:00, got {text!r}"
    )


def local_of(exchange: Exchange, zone: ZoneInfo) -> datetime:
    return (exchange.local_at or exchange.at).astimezone(zone)


def matches(when: When, exchanges: list[Exchange], zone: ZoneInfo) -> list[Exchange]:
    """Every exchange WHEN names (one, if it is unambiguous)."""
    if when.exchange_id is not None:
        return [ex for ex in exchanges if ex.id == when.exchange_id]
    found = [ex for ex in exchanges if local_of(ex, zone).date() == when.day]
    if when.at is not None:
        found = [ex for ex in found if local_of(ex, zone).time().replace(tzinfo=None) == when.at]
    return found


def nearest(
    when: When, exchanges: list[Exchange], zone: ZoneInfo, count: int = NEAREST
) -> list[Exchange]:
    """The ``count`` exchanges closest in time to WHEN, in time order."""
    target = datetime.combine(when.day, when.at or time(12, 0), zone)
    closest = sorted(exchanges, key=lambda ex: (abs(ex.at - target), ex.at))[:count]
    return sorted(closest, key=lambda ex: ex.at)


def describe(exchange: Exchange, zone: ZoneInfo, places: Mapping[str, str] | None = None) -> str:
    """One line naming an exchange: id, local time, who to whom, where (by name when
    ``places`` maps the location id to one)."""
    local = local_of(exchange, zone)
    place = place_name(exchange.location, places)
    where = f" at {place}" if place else ""
    return (
        f"{exchange.id} ({local:%a %d %b %Y %H:%M}, {exchange.from_parent} -> "
        f"{exchange.to_parent}{where})"
    )


def resolve(
    when: When | str,
    exchanges: list[Exchange],
    zone: ZoneInfo,
    places: Mapping[str, str] | None = None,
) -> Exchange:
    """The one exchange WHEN names, or a UserError naming the nearest or the candidates."""
    if isinstance(when, str):
        when = parse_when(when)
    found = matches(when, exchanges, zone)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        listing = "\n".join(f"  {describe(ex, zone, places)}" for ex in found)
        raise UserError(
            f"WHEN {when.text!r} matches {len(found)} exchanges; give the time "
            f"or the exchange id:\n{listing}"
        )
    close = nearest(when, exchanges, zone)
    if not close:
        raise UserError(
            f"no exchange is scheduled at {when.text!r}, nor within "
            f"{when.window()[0]} to {when.window()[1]}"
        )
    listing = "\n".join(f"  {describe(ex, zone, places)}" for ex in close)
    raise UserError(
        f"no exchange is scheduled at {when.text!r}; the nearest are:\n{listing}",
        hint="pass one of these ids as WHEN",
    )
