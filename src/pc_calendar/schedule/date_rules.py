"""Built-in holiday date rules: the default plugin behind ``date = { rule = NAME, ... }``.

Registered through ``pc_calendar_register_date_rules`` exactly as a third party's rules
would be. Each rule checks its own options (returning "key: what is expected" strings,
so a misspelt key is reported rather than ignored) and lists a holiday's occurrences in
a year. Rules are pure: the same options and context always give the same dates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date, timedelta
from typing import Any

from dateutil.easter import EASTER_ORTHODOX, EASTER_WESTERN, easter

from .. import hookimpl
from .api import Occurrence, RuleContext
from .public_holiday_rule import PublicHolidayRule
from .rule_options import check_int, check_str, unknown_keys

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


_new = object.__new__
_set = object.__setattr__
assert [f.name for f in fields(Occurrence)] == ["first", "last"]  # as made below


def _occurrence(first: date, last: date) -> Occurrence:
    """``Occurrence(first, last)`` without the frozen dataclass's ``__init__`` (the
    rules reading the run's context, birthdays and school breaks, make some every run)."""
    made = _new(Occurrence)
    _set(made, "__dict__", {"first": first, "last": last})
    return made


def _one_day(day: date) -> list[Occurrence]:
    return [_occurrence(day, day)]


class FixedRule:
    """The same day every year, e.g. Independence Day (``month = 7, day = 4``).

    29 February has no occurrence in common years: a leap-day holiday is rare enough
    that silently moving it would surprise more than it helps.
    """

    description = "a fixed day every year: month, day"
    context_free = True  # its dates depend on the options and year alone

    def validate(self, options: Mapping[str, Any], ctx: RuleContext) -> list[str]:
        problems = unknown_keys(options, ("month", "day"))
        problems += check_int(options, "month", 1, 12) + check_int(options, "day", 1, 31)
        if not problems:
            try:
                date(2024, options["month"], options["day"])  # 2024 is a leap year
            except ValueError:
                problems.append(f"day: month {options['month']} has no day {options['day']}")
        return problems

    def occurrences(
        self, year: int, options: Mapping[str, Any], ctx: RuleContext
    ) -> list[Occurrence]:
        try:
            return _one_day(date(year, options["month"], options["day"]))
        except ValueError:  # 29 February in a common year
            return []


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The ``n``-th ``weekday`` of a month (``n = -1``: the last), or None if absent."""
    if n > 0:
        first = date(year, month, 1)
        day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
        return day if day.month == month else None
    nxt = date(year + month // 12, month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


class NthWeekdayRule:
    """The n-th weekday of a month, e.g. Thanksgiving (``month = 11, weekday =
    "thursday", n = 4``); ``n = -1`` is the last. A 5th weekday that a month lacks
    in some year gives no occurrence that year rather than spilling into the next month.
    """

    description = "the n-th weekday of a month: month, weekday, n (1..5, -1 = last)"
    context_free = True  # its dates depend on the options and year alone

    def validate(self, options: Mapping[str, Any], ctx: RuleContext) -> list[str]:
        problems = unknown_keys(options, ("month", "weekday", "n"))
        problems += check_int(options, "month", 1, 12)
        weekday = options.get("weekday")
        if weekday is None:
            problems.append(f"weekday: required, expected one of {', '.join(WEEKDAYS)}")
        elif not isinstance(weekday, str) or weekday.lower() not in WEEKDAYS:
            problems.append(f"weekday: expected one of {', '.join(WEEKDAYS)}, got {weekday!r}")
        problems += check_int(options, "n", 1, 5, also=(-1,))
        return problems

    def occurrences(
        self, year: int, options: Mapping[str, Any], ctx: RuleContext
    ) -> list[Occurrence]:
        weekday = WEEKDAYS.index(options["weekday"].lower())
        day = nth_weekday(year, options["month"], weekday, options["n"])
        return _one_day(day) if day else []


class EasterRule:
    """Days relative to Easter Sunday (``offset = -2`` is Good Friday).

    ``method = "orthodox"`` gives Orthodox Easter as a Gregorian date.
    """

    description = "relative to Easter: offset (days, default 0), method (western|orthodox)"
    context_free = True  # its dates depend on the options and year alone
    METHODS = {"western": EASTER_WESTERN, "orthodox": EASTER_ORTHODOX}

    def validate(self, options: Mapping[str, Any], ctx: RuleContext) -> list[str]:
        problems = unknown_keys(options, ("offset", "method"))
        problems += check_int(options, "offset", -180, 180, required=False)
        method = options.get("method", "western")
        if method not in self.METHODS:
            problems.append(f"method: expected western or orthodox, got {method!r}")
        return problems

    def occurrences(
        self, year: int, options: Mapping[str, Any], ctx: RuleContext
    ) -> list[Occurrence]:
        method = self.METHODS[options.get("method", "western")]
        offset = timedelta(days=options.get("offset", 0))
        # A large offset can move the day into a neighbouring year's Easter cycle.
        days = [easter(y, method) + offset for y in (year - 1, year, year + 1)]
        return [Occurrence(d, d) for d in days if d.year == year]


class BirthdayRule:
    """A child's or parent's birthday (``of = ID``), from the year after birth.

    A child's birthday ends when the child leaves the schedule: there is no occurrence
    on or after the ``until_age`` birthday (a parent's birthday never ends).

    Someone born on 29 February celebrates on 28 February in common years, the usual
    legal reading and the one that keeps the day inside February.
    """

    description = "a child's or parent's birthday: of (child or parent id)"

    def validate(self, options: Mapping[str, Any], ctx: RuleContext) -> list[str]:
        problems = unknown_keys(options, ("of",)) + check_str(options, "of")
        if problems:
            return problems
        if options["of"] not in ctx.birthdays:
            known = ", ".join(sorted(ctx.birthdays)) or "none have a birth_date"
            return [f"of: no child or parent {options['of']!r} with a birth date (known: {known})"]
        return []

    def occurrences(
        self, year: int, options: Mapping[str, Any], ctx: RuleContext
    ) -> list[Occurrence]:
        born = ctx.birthdays[options["of"]]
        if year <= born.year:
            return []
        try:
            day = born.replace(year=year)
        except ValueError:  # born on 29 February, common year
            day = date(year, 2, 28)
        # A child who has left the schedule (until_age) no longer moves the siblings.
        leaves = getattr(ctx, "leaves", {}).get(options["of"])
        if leaves is not None and day >= leaves:
            return []
        return _one_day(day)


class SchoolBreakRule:
    """A named break in the school calendar (``name = "Spring Break"``).

    The name matches case-insensitively, since district calendars are inconsistent
    about capitals. Each matching break is one occurrence, first to last day.
    """

    description = "a school break by name: name (matched case-insensitively)"
    uses_school_calendar = True  # a year past the listed breaks warns (school_gaps)

    def validate(self, options: Mapping[str, Any], ctx: RuleContext) -> list[str]:
        problems = unknown_keys(options, ("name",)) + check_str(options, "name")
        if problems:
            return problems
        if not _matching_breaks(options["name"], ctx):
            names = {b.name for b in ctx.school_breaks if b.name}
            if not names:
                return [
                    f"name: no school break named {options['name']!r}: the plan's "
                    "school has no named breaks"
                ]
            # Every name, not the closest few: "Spring Break" is close to "Winter
            # Break" by spelling while the district calls it "Spring Vacation".
            listed = ", ".join(repr(n) for n in sorted(names, key=str.casefold))
            return [
                f"name: no school break named {options['name']!r}; the breaks in the "
                f"school calendar are named: {listed}"
            ]
        return []

    def occurrences(
        self, year: int, options: Mapping[str, Any], ctx: RuleContext
    ) -> list[Occurrence]:
        days = getattr(ctx, "break_days", None)  # an engine run's (RunRuleContext)
        if days is not None:  # finds one name's breaks without making them all
            found = [(first, last) for first, last in days(options["name"]) if first.year == year]
        else:
            matching = _matching_breaks(options["name"], ctx)
            found = [(b.first, b.last) for b in matching if b.first.year == year]
        return sorted({_occurrence(first, last) for first, last in found}, key=lambda o: o.first)


def _matching_breaks(name: str, ctx: RuleContext) -> list[Any]:
    return _breaks_by_name(ctx.school_breaks).get(name.strip().casefold(), [])


_BY_NAME: list[tuple[Any, dict[str, list[Any]]]] = []  # the last school calendar indexed


def _breaks_by_name(breaks: tuple[Any, ...]) -> dict[str, list[Any]]:
    """The breaks by folded name; one engine run asks for every year of each holiday,
    so the index of the last calendar seen is kept (by identity: it is a plan's own)."""
    last = _BY_NAME[0] if _BY_NAME else None  # one read: another thread may replace it
    if last is not None and last[0] is breaks:
        return last[1]
    folded = {name: name.strip().casefold() for name in {b.name for b in breaks}}
    index: dict[str, list[Any]] = {}  # (a calendar repeats a few names every year)
    for b in breaks:
        index.setdefault(folded[b.name], []).append(b)
    _BY_NAME[:] = [(breaks, index)]
    return index


BUILTIN_RULES: dict[str, Any] = {
    "fixed": FixedRule(),
    "nth_weekday": NthWeekdayRule(),
    "easter": EasterRule(),
    "public": PublicHolidayRule(),
    "birthday": BirthdayRule(),
    "school_break": SchoolBreakRule(),
}


@hookimpl
def pc_calendar_register_date_rules(register: Callable[[str, Any], None]) -> None:
    """Register the built-in date rules."""
    for name, rule in BUILTIN_RULES.items():
        register(name, rule)
