"""Local wall times to UTC instants, with DST gaps and folds made explicit.

Python compares and subtracts two aware datetimes that share one ZoneInfo by wall
clock, ignoring DST; so the engine converts every local time to UTC once, here, and
works with UTC (as POSIX seconds internally) from then on.

A wall time that does not exist (clocks spring forward over it) moves forward to the
first instant after the gap; one that happens twice (clocks fall back) takes its first
occurrence. Both are reported so the caller can warn the coordinator.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

NONEXISTENT = "nonexistent"
AMBIGUOUS = "ambiguous"


@lru_cache(maxsize=1 << 16)
def local_instant(day: date, t: time, zone: ZoneInfo) -> tuple[datetime, str | None]:
    """The UTC instant of wall time ``t`` on ``day`` in ``zone``, and a DST flag.

    The flag is None for an ordinary time, ``"nonexistent"`` for a time inside a
    spring-forward gap (the instant returned is the end of the gap) and ``"ambiguous"``
    for a time that happens twice (the instant returned is the first one).

    >>> z = ZoneInfo("America/Chicago")
    >>> local_instant(date(2026, 3, 8), time(2, 30), z)[0].isoformat()
    '2026-03-08T08:00:00+00:00'
    >>> local_instant(date(2026, 11, 1), time(1, 30), z)
    (datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.timezone.utc), 'ambiguous')
    """
    naive = datetime.combine(day, t.replace(tzinfo=None))
    off_early = naive.replace(tzinfo=zone, fold=0).utcoffset()
    off_late = naive.replace(tzinfo=zone, fold=1).utcoffset()
    assert off_early is not None and off_late is not None
    first = (naive - off_early).replace(tzinfo=UTC)
    if off_early == off_late:
        return first, None
    second = (naive - off_late).replace(tzinfo=UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return min(first, second), AMBIGUOUS
    return _gap_end(min(first, second), max(first, second), zone, off_late), NONEXISTENT


@lru_cache(maxsize=1 << 16)
def local_seconds(day: date, t: time, zone: ZoneInfo) -> tuple[int, str | None]:
    """:func:`local_instant` as POSIX seconds (the engine's unit), cached on its own."""
    moment, flag = local_instant(day, t, zone)
    return int(moment.timestamp()), flag


# Instants by arithmetic. On a day whose UTC offset holds from midnight to midnight
# (every day but the two a year when clocks change, in zones that change them), a wall
# time's instant is the day's midnight plus the time: no conversion and no cache miss
# (each costs microseconds, and a caseload meets thousands of distinct instants). The
# days are facts of the zone, kept for all runs; a DST day is never listed, so it goes
# through local_seconds, which finds its exact instant and flag.
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MIDNIGHTS: dict[ZoneInfo, dict[date, int]] = {}  # zone -> plain day -> its midnight
_YEARS: set[tuple[ZoneInfo, int]] = set()  # (zone, year) whose plain days are listed
_MIDNIGHTS_LIMIT = 1 << 17
# wall time -> seconds since midnight (None: it has microseconds, left to local_seconds)
WALL_SECONDS: dict[time, int | None] = {}


def wall_seconds(t: time) -> int | None:
    """Seconds from midnight to ``t`` (None: it has microseconds, for the exact path),
    kept in ``WALL_SECONDS``."""
    found = WALL_SECONDS.get(t, 0)
    if found == 0 and t not in WALL_SECONDS:
        if len(WALL_SECONDS) >= _MIDNIGHTS_LIMIT:  # (times with microseconds, say)
            WALL_SECONDS.clear()
        found = WALL_SECONDS[t] = (
            None if t.microsecond else t.hour * 3600 + t.minute * 60 + t.second
        )
    return found


def plain_midnights(zone: ZoneInfo) -> dict[date, int]:
    """``zone``'s plain days (one UTC offset all day) -> POSIX seconds of their midnight,
    for the years :func:`day_seconds` has been asked about: read with ``.get``, and
    call ``day_seconds`` for a day or wall time missing (the dict stays the same object)."""
    found = _MIDNIGHTS.get(zone)
    if found is None:
        found = _MIDNIGHTS[zone] = {}
    return found


def day_seconds(day: date, t: time, zone: ZoneInfo) -> tuple[int, str | None]:
    """:func:`local_seconds`, listing ``day``'s year in :func:`plain_midnights` and ``t``
    in ``WALL_SECONDS`` for the arithmetic next time."""
    wall = wall_seconds(t)
    if (zone, day.year) not in _YEARS:
        _list_year(zone, day.year)
    midnight = _MIDNIGHTS[zone].get(day)
    if midnight is None or wall is None:
        return local_seconds(day, t, zone)
    return midnight + wall, None


def _list_year(zone: ZoneInfo, year: int) -> None:
    """List the plain days of ``year`` in ``zone``: the offset at midnight, at noon and
    at the next midnight agree. (A transition within the day changes the offset by the
    next midnight; at the day's own midnight, a gap or a fold, too: its first fold is
    the offset before it. Noon is checked against two cancelling out in one day.)"""
    days = plain_midnights(zone)
    if len(days) >= _MIDNIGHTS_LIMIT:
        days.clear()
        _YEARS.difference_update([k for k in _YEARS if k[0] is zone])
    _YEARS.add((zone, year))
    if not 1 < year < 9999:  # (the next midnight is out of datetime's range)
        return
    offset_at = zone.utcoffset  # of a naive wall time, its fold 0
    one, noon = timedelta(days=1), timedelta(hours=12)
    moment = datetime(year, 1, 1)
    after = offset_at(moment)
    ordinal = moment.toordinal() - _EPOCH_ORDINAL
    while moment.year == year:
        at_midnight, next_midnight = after, moment + one
        after = offset_at(next_midnight)
        plain = at_midnight == after and offset_at(moment + noon) == after
        if plain and after is not None and not after.microseconds:
            days[moment.date()] = ordinal * 86400 - after.days * 86400 - after.seconds
        moment = next_midnight
        ordinal += 1


def _gap_end(low: datetime, high: datetime, zone: ZoneInfo, after: timedelta) -> datetime:
    """The first instant in (low, high] whose offset is ``after`` (binary search, seconds)."""
    lo, hi = 0, int((high - low).total_seconds())
    while lo < hi:
        mid = (lo + hi) // 2
        if (low + timedelta(seconds=mid)).astimezone(zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid + 1
    return low + timedelta(seconds=lo)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """Start of ``day`` in ``zone`` as a UTC instant (a midnight in a gap moves forward)."""
    return local_instant(day, time(0, 0), zone)[0]


def to_seconds(instant: datetime) -> int:
    """POSIX seconds of an aware instant (the engine's internal time unit)."""
    return int(instant.timestamp())


@lru_cache(maxsize=1 << 16)
def from_seconds(seconds: int) -> datetime:
    """The aware UTC datetime for POSIX ``seconds``."""
    return datetime.fromtimestamp(seconds, UTC)


@lru_cache(maxsize=1 << 16)
def local_time(seconds: int, zone: ZoneInfo) -> datetime:
    """The aware local datetime in ``zone`` of POSIX ``seconds`` (handovers recur at the
    same few wall times, so a caseload asks for the same instants again and again)."""
    return from_seconds(seconds).astimezone(zone)


@lru_cache(maxsize=1 << 16)
def moments(seconds: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """:func:`from_seconds` and :func:`local_time` of ``seconds`` together: what a
    handover holds (one lookup a handover instead of two)."""
    return from_seconds(seconds), local_time(seconds, zone)


def describe_flag(flag: str, day: date, t: time, zone: ZoneInfo, moved: datetime) -> str:
    """A warning a coordinator can act on for a DST-affected wall time."""
    wall = f"{day.isoformat()} {t:%H:%M}"
    local = moved.astimezone(zone)
    if flag == NONEXISTENT:
        return (
            f"{wall} does not exist in {zone.key} (clocks go forward); "
            f"using {local:%H:%M %Z} instead"
        )
    return (
        f"{wall} happens twice in {zone.key} (clocks go back); "
        f"using the first one ({local:%H:%M %Z})"
    )
