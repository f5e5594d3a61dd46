"""Every occurrence of every event in a published calendar, as days.

Districts publish repeating days off the way calendar programs write them: a weekly
"No School" Friday with EXDATEs for make-up days, a monthly "Teacher Workday" with one
instance moved by a RECURRENCE-ID override. Reading only the first instance gives one
break where there are thirty, so the series are expanded with recurring-ical-events
(the library caldav already depends on, imported here only when a plan has an ICS).

A series may repeat without end (an RRULE with neither UNTIL nor COUNT). A district
publishes a school year at a time, so such a series is taken up to the end of the last
school year the calendar describes: 30 June after its latest dated break or first or last
day (or after the series' own start when that is later); games and lunch menus do not
count. Past that the calendar is unknown, and the usual
"the school calendar ends" warnings apply instead of a guess that runs for decades.

A cancelled instance (STATUS:CANCELLED on an override) is no occurrence, and an event
written as times from midnight to midnight (as some exports write whole days) counts
as all-day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

DATE_PROPERTIES = {"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"}
_MAX_COUNT = 10_000  # a COUNT beyond this is not a school calendar; bound the work


@dataclass(frozen=True)
class DayEvent:
    """One occurrence: its title, first and last day (included), and whether all-day."""

    summary: str
    first: date
    last: date
    all_day: bool


def expand(
    calendar: Any, relevant: Callable[[str], bool] = lambda title: True, zone: tzinfo | None = None
) -> list[DayEvent]:
    """Every occurrence in ``calendar`` (an icalendar Calendar), sorted by day and title.

    Only series with a ``relevant`` title (in the series or one of its overrides) are
    expanded, and only they set the window: a daily "Lunch Menu" since 2015 would cost
    thousands of occurrences and say nothing about the school year. ValueError names the
    event when a date or a recurrence rule cannot be read. A timed occurrence's days are
    its days in ``zone`` (the family's) when given: a last day written in UTC as
    01:00 the next morning is still the evening before. ``calendar`` is pruned in place.
    """
    for event in calendar.walk("VEVENT"):
        _check_dates(event)
    wanted = {_series(e) for e in calendar.walk("VEVENT") if relevant(_title(e))}
    # An event without a start has no day (RFC 5545 requires one); it cannot close a
    # school, so it is left out rather than failing the whole district calendar.
    calendar.subcomponents = [
        c
        for c in calendar.subcomponents
        if c.name != "VEVENT" or (c.get("DTSTART") is not None and _series(c) in wanted)
    ]
    events = list(calendar.walk("VEVENT"))
    for event in events:
        _check_order(event)
    window = _window(events)
    if window is None:
        return []
    import recurring_ical_events

    first, last = window
    try:
        found = recurring_ical_events.of(calendar).between(first, last + timedelta(days=1))
    except Exception as exc:  # the library raises its own errors and ValueError alike
        raise ValueError(f"a repeating event cannot be expanded ({_first_line(exc)})") from None
    days = {_day_event(o, zone) for o in found if str(o.get("STATUS", "")).upper() != "CANCELLED"}
    return sorted(days, key=lambda e: (e.first, e.last, e.summary, e.all_day))


def _series(event: Any) -> object:
    """What ties an override to its series: the UID (an event without one stands alone)."""
    uid = event.get("UID")
    return str(uid) if uid is not None else id(event)


def _title(event: Any) -> str:
    return str(event.get("SUMMARY", "")).strip()


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def _check_dates(event: Any) -> None:
    """icalendar keeps unparsable values as vBroken and lists them in ``errors``; a break
    with a broken date would silently vanish, so refuse the file and name the event."""
    for name, why in getattr(event, "errors", []):
        if name in DATE_PROPERTIES:
            raise ValueError(f"event {_title(event) or event.get('UID', '?')!r}: {name}: {why}")


def _check_order(event: Any) -> None:
    """An end before the start would drop the event silently (the expander skips it)."""
    start, end = _decoded(event, "DTSTART"), _decoded(event, "DTEND")
    if end is None or isinstance(start, datetime) != isinstance(end, datetime):
        return
    if end < start:
        raise ValueError(
            f"event {_title(event) or event.get('UID', '?')!r}: DTEND {end} is before "
            f"DTSTART {start}"
        )


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _decoded(event: Any, name: str) -> Any:
    try:
        return event.decoded(name)
    except KeyError:
        return None
    except Exception as exc:
        raise ValueError(f"{name} of {_title(event) or 'an event'!r} is invalid ({exc})") from None


def _rules(event: Any) -> list[Any]:
    rules = event.get("RRULE")
    if rules is None:
        return []
    return rules if isinstance(rules, list) else [rules]


def _window(events: list[Any]) -> tuple[date, date] | None:
    """First and last day to expand: the calendar's first start to its described end."""
    starts: list[date] = []
    bounded: list[date] = []
    endless: list[date] = []
    for event in events:
        start = _as_date(_decoded(event, "DTSTART"))
        starts.append(start)
        length = _length(event)
        ends = [_series_last_start(event, rule, start) for rule in _rules(event)]
        if any(end is None for end in ends):
            endless.append(start)
        bounded.extend(end + length for end in ends if end is not None)
        bounded.append(start + length)
        bounded.extend(_as_date(d) + length for d in _rdates(event))
    if not starts:
        return None
    last = max(bounded)
    if endless:
        last = _school_year_end(max(last, *endless))
    return min(starts), last


def _length(event: Any) -> timedelta:
    """How many days after its start an occurrence's last day is (0 for one day)."""
    start = _decoded(event, "DTSTART")
    end = _decoded(event, "DTEND")
    if end is None and (duration := _decoded(event, "DURATION")) is not None:
        end = start + duration
    if end is None:
        return timedelta(0)
    return max(timedelta(0), _as_date(end) - _as_date(start))


def _rdates(event: Any) -> list[date | datetime]:
    values = event.get("RDATE")
    if values is None:
        return []
    found: list[date | datetime] = []
    for value in values if isinstance(values, list) else [values]:
        for item in getattr(value, "dts", []):
            dt = item.dt
            found.append(dt[0] if isinstance(dt, tuple) else dt)  # a PERIOD starts it
    return found


def _series_last_start(event: Any, rule: Any, start: date) -> date | None:
    """The last day a rule starts an occurrence on; None when it repeats without end."""
    until = rule.get("UNTIL")
    if until:
        return _as_date(until[0])
    count = rule.get("COUNT")
    if not count:
        return None
    from dateutil.rrule import rrulestr

    text = rule.to_ical().decode()
    try:
        dates = rrulestr(text, dtstart=datetime.combine(start, datetime.min.time()))
        occurrences = list(_take(dates, min(int(count[0]), _MAX_COUNT)))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"RRULE of {_title(event) or 'an event'!r} is invalid ({exc})") from None
    return occurrences[-1].date() if occurrences else start


def _take(iterable: Any, n: int) -> Any:
    for index, item in enumerate(iterable):
        if index >= n:
            return
        yield item


def _school_year_end(day: date) -> date:
    """30 June ending the school year (July to June) that ``day`` is in."""
    return date(day.year + 1 if day.month >= 7 else day.year, 6, 30)


def _in_zone(value: Any, zone: tzinfo | None) -> Any:
    """A zoned time moved to ``zone``; dates and floating times stay as written."""
    if zone is None or not isinstance(value, datetime) or value.tzinfo is None:
        return value
    return value.astimezone(zone)


def _day_event(occurrence: Any, zone: tzinfo | None = None) -> DayEvent:
    """An expanded occurrence as days; an all-day DTEND is exclusive (RFC 5545 3.6.1)."""
    start = _in_zone(occurrence.decoded("DTSTART"), zone)
    end = _in_zone(_decoded(occurrence, "DTEND"), zone)
    all_day = not isinstance(start, datetime) or _midnight_to_midnight(start, end)
    first = _as_date(start)
    if end is None or end <= start:
        last = first
    elif all_day:
        last = max(first, _as_date(end) - timedelta(days=1))
    else:  # a timed event ending at midnight does not take the next day
        last = max(first, _as_date(end - timedelta(microseconds=1)))
    return DayEvent(_title(occurrence), first, last, all_day)


def _midnight_to_midnight(start: datetime, end: Any) -> bool:
    """Whole days written as times (some exports do): 00:00 to 00:00 a day or more later."""
    if not isinstance(end, datetime) or end - start < timedelta(days=1):
        return False
    return start.time() == end.time() == datetime.min.time()
