"""Option parsing shared by ``show`` and ``stats``: the range, the child, the check time.

Each parser turns a bad value into a UserError naming the option and what is expected,
so the CLI prints one line and exits with status 2.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..errors import UserError
from ..plan.model import Plan
from ..schedule.stats import NightConvention
from ..schedule.timeline import Timeline
from .common import YEARS

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")

overnight_help = (
    "Check time deciding who has a night, HH:MM (default 00:00). Before noon it is read "
    "the morning after the night's evening (00:00 = midnight, the usual convention; "
    "03:00 is another common one); from noon on, that evening (e.g. 21:00, bedtime)."
)


def parse_month(value: str) -> tuple[int, int]:
    m = MONTH.match(value)
    if not m or not 1 <= int(m[2]) <= 12 or not YEARS[0] <= int(m[1]) <= YEARS[1]:
        raise UserError(f"--month: expected a month like 2026-12, got {value!r}")
    return int(m[1]), int(m[2])


def parse_year(value: int) -> int:
    if not YEARS[0] <= value <= YEARS[1]:
        raise UserError(f"--year: expected a year between {YEARS[0]} and {YEARS[1]}, got {value}")
    return value


def parse_check_time(value: str) -> NightConvention:
    m = HHMM.match(value)
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise UserError(f"--overnight-at: expected a time like 00:00 or 03:00, got {value!r}")
    return NightConvention(time(int(m[1]), int(m[2])))


def resolve_range(
    month: str | None, year: int | None, zone: ZoneInfo, default: str = "month"
) -> tuple[date, date]:
    """Local dates ``[start, end)`` of ``--month`` or ``--year`` (else this month/year)."""
    if month and year is not None:
        raise UserError("give either --month or --year, not both")
    if year is not None:
        y = parse_year(year)
        return date(y, 1, 1), date(y + 1, 1, 1)
    if not month and default == "year":
        y = datetime.now(zone).year
        return date(y, 1, 1), date(y + 1, 1, 1)
    y, m = parse_month(month) if month else (datetime.now(zone).year, datetime.now(zone).month)
    return date(y, m, 1), (date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1))


def choose_children(plan: Plan, child: str | None) -> list[str] | None:
    """``[child]`` if it names a child of the plan, None for all; else a UserError."""
    if child is None:
        return None
    known = [c.id for c in plan.children]
    if child not in known:
        raise UserError(
            f"--child: no child with id {child!r} in the plan",
            hint=f"children: {', '.join(known) or '(none)'}",
        )
    return [child]


def family_zone(plan: Plan) -> ZoneInfo:
    try:
        return ZoneInfo(plan.family.timezone)
    except (ValueError, KeyError, OSError):
        raise UserError(f"family.timezone: unknown time zone {plan.family.timezone!r}") from None


def timeline_for(plan: Plan, start: date, end: date) -> Timeline:
    """The timeline over ``[start, end)`` plus a day each side.

    The day after lets the last night's midnight check see who has the child; the day
    before lets ``--explain`` tell a block that starts at the range start from one that
    merely continues into it.
    """
    from ..schedule.engine import compute_timeline

    return compute_timeline(plan, start - timedelta(days=1), end + timedelta(days=1))


def print_warnings(timeline: Timeline) -> None:
    """Each engine warning on stderr as ``warning: ...`` (stdout stays the output).

    A range past the school calendar, a DST gap at a handover time: the dates are
    still computed, but the parent must be told what was guessed. ``-q`` hides them.
    """
    from . import verbosity

    for warning in timeline.warnings:
        verbosity.warn(str(warning))
