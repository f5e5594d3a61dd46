"""Invented families in several zones, and what their Timeline says every event is.

The zones are the ones clients get wrong: the US and Europe change on different
Sundays, Sydney is in the southern hemisphere (DST across New Year), Sao Paulo abolished
DST in 2019 (an irregular history, then none). Each family has a parent living in
another zone. Twenty years, so every kind of change in those zones is crossed.
Custody alternates every two weeks with exchanges on Sunday evenings, the day clocks
change, so custody events span changes and some exchanges fall hours after one; a
sparse plan keeps twenty years of four families quick to render and parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pc_calendar.backends.base import overlaps, span_days
from pc_calendar.identity import uid_for
from pc_calendar.plan.load import load_plan
from pc_calendar.render.events import EXCHANGE_MINUTES, CustodyRun, drafts_for
from pc_calendar.schedule.timeline import Exchange
from pc_calendar.schedule.window import compute_window

START, END = date(2012, 1, 1), date(2032, 1, 1)


@dataclass(frozen=True)
class Family:
    id: str
    zone: str
    away_zone: str  # where the second parent lives


FAMILIES = (
    Family("lind-okafor", "America/Chicago", "Europe/London"),
    Family("harper-ito", "Europe/London", "America/New_York"),
    Family("moreau-patel", "Australia/Sydney", "Pacific/Auckland"),
    Family("silva-costa", "America/Sao_Paulo", "Europe/Lisbon"),
)

PLAN = """\
# Invented family for the client parser tests.
[family]
id = "{id}"
name = "{id} family"
timezone = "{zone}"

[parents.robin]
name = "Robin {surname}"
events = ["own_custody", "other_custody", "exchanges", "holidays"]
{robin_calendar}

[parents.kai]
name = "Kai {surname}"
timezone = "{away_zone}"
events = ["own_custody", "exchanges", "holidays"]
{kai_calendar}

[[children]]
id = "noa"
name = "Noa"
birth_date = 2009-02-11

[[children]]
id = "eli"
name = "Eli"
birth_date = 2011-06-30

[locations.library]
name = "Central library, front door"

[rotation]
pattern = "days"
options = {{ days = "AAAAAAAAAAAAAABBBBBBBBBBBBBB" }}
anchor = 2012-01-01
parents = ["robin", "kai"]

[exchange]
time = 18:00:00
location = "library"

[[holidays]]
name = "Christmas"
date = {{ rule = "fixed", month = 12, day = 25 }}
start = {{ month_day = "12-22", time = 10:00:00 }}
split = {{ month_day = "12-26", time = 12:00:00 }}
end = {{ month_day = "12-29", time = 18:00:00 }}
assign = {{ even_years = "robin", odd_years = "kai" }}

[[holidays]]
name = "Second Sunday of March"
date = {{ rule = "nth_weekday", month = 3, weekday = "sunday", n = 2 }}
start = {{ days = -1, time = 09:00:00 }}
end = {{ time = 20:00:00 }}
assign = {{ even_years = "kai", odd_years = "robin" }}
"""


def write_plan(folder: Path, family: Family, calendars: dict[str, str] | None = None) -> Path:
    """``folder/<id>.toml``; ``calendars`` maps a parent id to a TOML inline table."""
    calendars = calendars or {}
    text = PLAN.format(
        id=family.id,
        zone=family.zone,
        away_zone=family.away_zone,
        surname=family.id.split("-")[0].title(),
        robin_calendar=f"calendar = {calendars['robin']}" if "robin" in calendars else "",
        kai_calendar=f"calendar = {calendars['kai']}" if "kai" in calendars else "",
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{family.id}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _utc(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat()


def expected_instants(
    plan_path: Path, start: date, end: date, margin: timedelta = timedelta(0)
) -> dict[str | None, dict[str, tuple[str, str]]]:
    """For each reader (parent id, or None for the coordinator): UID -> (start, end) of
    every event they get, straight from the Timeline (zoneinfo instants), in the
    parsers' format: UTC for times, the date for all-day events.

    Every writer renders whole events touching local ``[start, end)`` from a Timeline
    computed beyond it (:mod:`pc_calendar.schedule.window`); so does this. ``margin``
    is kept for callers that still pass it; the window makes it unnecessary."""
    plan = load_plan(plan_path)
    timeline = compute_window(plan, start, end)
    readers: dict[str | None, dict[str, tuple[str, str]]] = {}
    for recipient in [*plan.parents, None]:
        expected = readers[recipient] = {}
        for draft in drafts_for(plan, timeline, recipient):
            if not overlaps(*span_days(draft.start, draft.end), (start, end)):
                continue
            subject = draft.subject
            if isinstance(subject, CustodyRun):
                span: tuple[datetime | date, datetime | date] = (subject.start, subject.end)
            elif isinstance(subject, Exchange):
                span = (subject.at, subject.at + timedelta(minutes=EXCHANGE_MINUTES))
            else:  # holiday labels: all-day, DTEND exclusive
                span = (subject[0].first, subject[0].last + timedelta(days=1))
            uid = uid_for(plan.family.id, draft.uid_kind, draft.natural_key)
            expected[uid] = (_utc(span[0]), _utc(span[1]))
    return readers


def crossing_edges(
    expected: dict[str, tuple[str, str]], start: date, end: date, zone: str
) -> frozenset[str]:
    """UIDs of events not wholly inside local ``[start, end)``: whether a writer keeps
    them is its range policy, not a matter of time zones."""
    tz = ZoneInfo(zone)
    edges = [datetime.combine(day, time(0), tz) for day in (start, end)]
    timed = [_utc(edge) for edge in edges]
    dates = [day.isoformat() for day in (start, end)]
    outside = set()
    for uid, (first, last) in expected.items():
        low, high = timed if "T" in first else dates
        if first < low or last > high:
            outside.add(uid)
    return frozenset(outside)
