"""VTIMEZONE blocks every major client parser reads the same way zoneinfo does.

Why not icalendar's ``Timezone.from_tzid``: it writes several dates on one RDATE line
and leaves the first change only in DTSTART. RFC 5545 allows both, but Mozilla's ical.js
(Thunderbird, Nextcloud) reads only the first value of each RDATE and ignores DTSTART
once RDATE is present, so a whole season came out an hour off. Here the zone's changes
are read from zoneinfo and written in the forms every parser agrees on:

- a yearly pattern ("second Sunday of March at 02:00") is an RRULE observance, open
  ended when it is still in force after the covered years, else with an UTC ``UNTIL``;
- anything irregular (abolished DST, Carnival-shifted dates) is one observance per
  offset change with ONE date per RDATE line, the DTSTART date repeated as the first;
- the offset in force when the covered years begin is the first observance, so
  instants before the first change in range are right too.

A block depends only on (zone, first year, last year) and the machine's tz data, and
is cached: rendering pays for it once per zone and span.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)
LOOKBACK = timedelta(days=400)  # finds the change that set the offset of 1 January
LOOKAHEAD_YEARS = 2  # a pattern still in force this long after the range stays open ended
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Change:
    """One change of offset, DST flag or name: ``at`` is UTC, ``wall`` local before it."""

    at: datetime
    offset_from: timedelta
    offset_to: timedelta
    dst: bool
    name: str

    @property
    def wall(self) -> datetime:
        return (self.at + self.offset_from).replace(tzinfo=None)

    @property
    def observance(self) -> tuple[bool, timedelta, timedelta, str]:
        return (self.dst, self.offset_from, self.offset_to, self.name)

    def weekday_rules(self) -> frozenset[str]:
        """The BYDAY values matching this date: ``2SU`` and, in a month's last week, ``-1SU``."""
        wall = self.wall
        day = WEEKDAYS[wall.weekday()]
        rules = {f"{(wall.day - 1) // 7 + 1}{day}"}
        if (wall + timedelta(days=7)).month != wall.month:
            rules.add(f"-1{day}")
        return frozenset(rules)


def _state(zone: ZoneInfo, at: datetime) -> tuple[timedelta, bool, str]:
    local = at.astimezone(zone)
    return local.utcoffset() or timedelta(0), bool(local.dst()), local.tzname() or ""


def changes(zone: ZoneInfo, start: datetime, end: datetime) -> list[Change]:
    """Every change in (start, end], found by a daily scan and a bisection to the second.

    Two changes within one day that cancel out would be missed; from 1990 to 2037 no
    zone has such a pair (checked against every TZif file of tz data 2025b).
    """
    found = []
    before = _state(zone, start)
    lo = start
    while lo < end:
        hi = min(lo + DAY, end)
        after = _state(zone, hi)
        if after != before:
            a, b = lo, hi
            while b - a > timedelta(seconds=1):
                mid = a + (b - a) / 2
                mid = mid.replace(microsecond=0)
                if _state(zone, mid) == before:
                    a = mid
                else:
                    b = mid
            offset, dst, name = _state(zone, b)
            found.append(Change(b, before[0], offset, dst, name))
        before, lo = after, hi
    return found


def _yearly_runs(group: list[Change]) -> list[tuple[list[Change], str]]:
    """Split one observance's changes into runs that one yearly RRULE describes.

    A change that fits no run longer than one year is returned as a run of one with an
    empty rule (it goes on an RDATE line).
    """
    runs: list[tuple[list[Change], frozenset[str]]] = []
    for change in group:
        if runs:
            run, rules = runs[-1]
            last = run[-1].wall
            wall = change.wall
            common = rules & change.weekday_rules()
            if (
                common
                and wall.year == last.year + 1
                and wall.month == last.month
                and wall.time() == last.time()
            ):
                runs[-1] = (run + [change], common)
                continue
        runs.append(([change], change.weekday_rules()))
    return [(run, _prefer(rules) if len(run) > 1 else "") for run, rules in runs]


def _prefer(rules: frozenset[str]) -> str:
    """Prefer the last Sunday over the 4th when both fit: tz data states the former."""
    return min(rules, key=lambda rule: (not rule.startswith("-"), rule))


def _offset(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _local(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _observance(first: Change, body: list[str]) -> list[str]:
    kind = "DAYLIGHT" if first.dst else "STANDARD"
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{_local(first.wall)}",
        *body,
        f"TZNAME:{first.name}",
        f"TZOFFSETFROM:{_offset(first.offset_from)}",
        f"TZOFFSETTO:{_offset(first.offset_to)}",
        f"END:{kind}",
    ]


def _components(found: list[Change], open_year: int) -> list[tuple[datetime, list[str]]]:
    groups: dict[tuple[bool, timedelta, timedelta, str], list[Change]] = {}
    for change in found:
        groups.setdefault(change.observance, []).append(change)
    parts = []
    for group in groups.values():
        single = []
        for run, rule in _yearly_runs(group):
            if not rule:
                single.extend(run)
                continue
            last = run[-1]
            until = ""
            if last.wall.year < open_year:
                until = f";UNTIL={last.at.strftime('%Y%m%dT%H%M%SZ')}"
            # icalendar's order of parts, so a parse and re-serialisation is byte-identical
            rrule = f"RRULE:FREQ=YEARLY{until};BYDAY={rule};BYMONTH={last.wall.month}"
            parts.append((run[0].at, _observance(run[0], [rrule])))
        if single:
            rdates = [f"RDATE:{_local(change.wall)}" for change in single]
            parts.append((single[0].at, _observance(single[0], rdates)))
    return sorted(parts, key=lambda part: part[0])


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE of IANA zone ``tzid``, right for every instant of the whole years
    ``first_year``..``last_year`` (and, where its rules are yearly, after them).

    Raises ``zoneinfo.ZoneInfoNotFoundError`` (a ``KeyError``) for an unknown zone.
    """
    zone = ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=UTC) - DAY
    end = datetime(last_year + 1 + LOOKAHEAD_YEARS, 1, 1, tzinfo=UTC)
    earlier = changes(zone, start - LOOKBACK, start)
    found = earlier[-1:] + changes(zone, start, end)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]
    if not earlier:  # no change shortly before: the offset of the range start since 1970
        offset, dst, name = _state(zone, start)
        base = Change(datetime(1970, 1, 1, tzinfo=UTC) - offset, offset, offset, dst, name)
        lines.extend(_observance(base, []))
    for _, part in _components(found, last_year + LOOKAHEAD_YEARS):
        lines.extend(part)
    lines.append("END:VTIMEZONE")
    return ("\r\n".join(lines) + "\r\n").encode()
