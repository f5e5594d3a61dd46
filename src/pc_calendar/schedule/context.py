"""What one engine run shares: the zone, school calendar, registries and warnings.

Resolving a wall time (with the school's dismissal for ``"dismissal"``) to an instant
happens here, so every DST warning is recorded in one list, once each, and every
unknown parent or plugin name becomes a PlanError naming the plan key.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pluggy

from .. import plugins
from ..errors import PlanError, Problem
from ..plan.model import Child, Plan, TimeKeyword
from .api import RuleContext, SchoolBreak
from .school import SchoolDays
from .timeutil import WALL_SECONDS, day_seconds, describe_flag, from_seconds, plain_midnights

# (rule, options, year) and (rule, options, first year, end year) -> occurrences of the
# rules marked ``context_free``, for all runs.
_CONTEXT_FREE: dict[tuple, list[Any]] = {}
_CONTEXT_FREE_LIMIT = 1 << 16
_REGISTRIES: weakref.WeakKeyDictionary[Any, tuple[Any, Any]] = weakref.WeakKeyDictionary()


_DISMISSAL = TimeKeyword.dismissal


def registries(pm: pluggy.PluginManager | None) -> tuple[plugins.Registry, plugins.Registry]:
    """(patterns, date rules) for ``pm``, collected once per plugin manager."""
    manager = pm or plugins.get_plugin_manager()
    cached = _REGISTRIES.get(manager)
    if cached is None:
        cached = (plugins.patterns(manager), plugins.date_rules(manager))
        _REGISTRIES[manager] = cached
    return cached


class RunRuleContext(RuleContext):
    """The ``RuleContext`` of one engine run: ``school_breaks`` is made when a date rule
    first reads it.

    Most holidays' rules never look at the school calendar, and the built-in
    ``school_break`` rule asks ``break_days`` for the days of one name's breaks: a run
    would otherwise make an object for every break listed over eighteen years. A
    plugin reading ``school_breaks`` sees the same tuple as before.
    """

    _school: SchoolDays

    @cached_property
    def school_breaks(self) -> tuple[SchoolBreak, ...]:  # type: ignore[override]
        return self._school.breaks()

    def break_days(self, name: str) -> list[tuple[date, date]]:
        """(first, last) of the breaks named ``name`` (case-insensitively), in order."""
        school = vars(self).get("_school")  # (absent in a dataclasses.replace() copy)
        if school is None:
            key = name.strip().casefold()
            found = [b for b in self.school_breaks if b.name.strip().casefold() == key]
            return [(b.first, b.last) for b in found]
        return school.break_days(name)


def run_rule_context(
    birthdays: dict[str, date], school: SchoolDays, leaves: dict[str, date]
) -> RunRuleContext:
    """A ``RunRuleContext``, its fields set as the frozen dataclass's ``__init__`` would."""
    made = object.__new__(RunRuleContext)
    object.__setattr__(
        made, "__dict__", {"birthdays": birthdays, "leaves": leaves, "_school": school}
    )
    return made


# Option values that equal one another only when they are the same option: not bool
# (True == 1), float (0.0 == -0.0) or subclasses (an IntEnum equals its int).
_PLAIN_VALUES = frozenset({str, int, date, datetime, time, type(None)})


def key_of(options: dict[str, Any]) -> Hashable:
    """A key that two date-rule options share only when they are the same options.

    Plain values (numbers, names, dates) are keyed as the set of items itself, which
    ignores their order; any other value falls back to the ``repr`` of the sorted
    items, a string, which never equals a set. Every holiday of every run asks, so
    the common case avoids ``repr``.
    """
    if _PLAIN_VALUES.issuperset(map(type, options.values())):
        return frozenset(options.items())
    return repr(sorted(options.items()))


def plan_error(key: str, message: str) -> PlanError:
    """A PlanError for one key of the plan (the engine does not know the file name)."""
    return PlanError(None, [Problem(key, message)])


def leave_date(child: Child) -> date:
    """The day ``child`` leaves the schedule: the ``until_age`` birthday.

    A child born on 29 February turns a year older on 28 February in common years.
    """
    year = child.birth_date.year + child.until_age
    try:
        return child.birth_date.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def family_zone(plan: Plan) -> ZoneInfo:
    try:
        return ZoneInfo(plan.family.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise plan_error(
            "family.timezone",
            f"unknown time zone {plan.family.timezone!r} "
            "(expected an IANA name such as 'America/Chicago')",
        ) from None


@dataclass
class EngineContext:
    """Shared, read-mostly state of one computation."""

    plan: Plan
    zone: ZoneInfo
    school: SchoolDays
    patterns: plugins.Registry
    date_rules: plugins.Registry
    rule_context: RuleContext
    warnings: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    # (variant, start, end) -> (blocks, exchanges): shared by children who move together.
    runs: dict[Any, Any] = field(default_factory=dict)
    notes: list[Any] = field(default_factory=list)  # spans.SpanNote, for lint
    # (rule name, options, year) -> occurrences, and (rule name, options, first year, end
    # year) -> those of the years: schedule versions share their holidays.
    _occurrences: dict[tuple, list[Any]] = field(default_factory=dict)
    # (id(holiday), first, last) -> (holiday, (first day, last day, school snaps)) (spans.py)
    edge_days: dict[tuple[int, Any], tuple[Any, Any]] = field(default_factory=dict)
    # (id(holiday), first, last) -> (holiday, its start's and end's windows, whether they
    # were narrowed by the school days near them) (span_edges.py)
    edge_windows: dict[tuple[int, Any, Any], tuple[Any, Any, Any, bool]] = field(
        default_factory=dict
    )
    # id(rotation) -> (it, the arguments it was resolved with, the ResolvedRotation)
    rotations: dict[int, tuple[Any, tuple, Any]] = field(default_factory=dict)
    # (id(occurrences), first year, last year) of the school holidays whose years are
    # all listed (school_gaps.warn_missing_years): nothing to warn about.
    complete_years: set[tuple[int, int, int]] = field(default_factory=set)
    # Whether a strip is being painted aside, only to read who holds when (versions.py),
    # and the holiday layers of such strips, by holidays, keys, parents and instants.
    aside: bool = False
    aside_holidays: dict[tuple, tuple[Any, Any, Any]] = field(default_factory=dict)
    # While a version is painted ahead (ahead.py): (start, end, holiday spans, labels,
    # not-in-possession parents) of each painting, for the questions read off it.
    captured_holidays: list[tuple] | None = None
    shared_holidays: Any = None  # holiday_window.HolidayWindow, for versions painted ahead
    # (id(resolved rotation), place) -> (it, slot -> Paint) (layers.py)
    rotation_paints: dict[tuple[int, Any], tuple[Any, dict]] = field(default_factory=dict)
    # (id(visit), key) -> (visit, what its painting needs every time) (layers.py)
    visits: dict[tuple[int, str], tuple[Any, Any]] = field(default_factory=dict)
    # id(holiday) -> (holiday, (date-rule options, reach, reads the school calendar, the
    # options' key))
    holiday_facts: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    _option_keys: dict[int, tuple[Any, str]] = field(default_factory=dict)
    # id(ExchangeDefaults) -> (it, its handover (time, place) by school day and weekday).
    tables: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    # id(exchange table) -> local ordinal -> (that day's row of the table, the instant of
    # its school bell or None): a day's handover facts, found by the rotation's painting
    # on the days it changes hands and read by the handovers (handovers.py).
    handover_days: dict[int, dict[int, Any]] = field(default_factory=dict)
    # id(schedule) -> (it, its rule keys, the facts of each of its holidays) (spans.py)
    schedule_holidays: dict[int, tuple[Any, Any, list[tuple]]] = field(default_factory=dict)
    # The zone's plain days -> their midnight (timeutil.plain_midnights): an instant on
    # such a day is its midnight plus the wall time's WALL_SECONDS.
    midnights: dict[date, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.midnights = plain_midnights(self.zone)

    @classmethod
    def build(cls, plan: Plan, pm: pluggy.PluginManager | None) -> EngineContext:
        pattern_registry, rule_registry = registries(pm)
        school = SchoolDays(plan.school)
        birthdays = {c.id: c.birth_date for c in plan.children}
        birthdays.update({pid: p.birth_date for pid, p in plan.parents.items() if p.birth_date})
        return cls(
            plan,
            family_zone(plan),
            school,
            pattern_registry,
            rule_registry,
            run_rule_context(birthdays, school, {c.id: leave_date(c) for c in plan.children}),
        )

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Drop warnings and notes raised inside (work outside the requested range)."""
        saved = (list(self.warnings), set(self._seen), list(self.notes))
        try:
            yield
        finally:
            self.warnings[:], self.notes[:] = saved[0], saved[2]
            self._seen.clear()
            self._seen.update(saved[1])

    def warn(self, message: str) -> None:
        if message not in self._seen:
            self._seen.add(message)
            self.warnings.append(message)

    def wall_time(self, spec: time | TimeKeyword, day: date) -> time:
        """A TimeSpec on ``day``: a clock time, or the school's bell time that day."""
        if spec.__class__ is time:
            return spec  # type: ignore[return-value]
        if spec is _DISMISSAL:  # (an enum member read off its class costs 70 ns)
            return self.school.dismissal(day)
        return self.school.start(day)

    def instant(self, day: date, spec: time | TimeKeyword, what: str) -> int:
        """POSIX seconds of ``spec`` on ``day``; DST gaps/folds warn, naming ``what``."""
        wall = spec if spec.__class__ is time else self.wall_time(spec, day)
        seconds, flag = self._seconds(day, wall)
        if flag is not None:
            moment = from_seconds(seconds)
            self.warn(f"{what}: {describe_flag(flag, day, wall, self.zone, moment)}")
        return seconds

    def instant_of(
        self, day: date, spec: time | TimeKeyword, key: str, name: str, part: str
    ) -> int:
        """:meth:`instant` of a rule's ``part`` (start, end...): the words naming it in a
        DST warning, ``key (name) part``, are made only when one is warned about (a
        holiday's edges are resolved by the dozen each run)."""
        wall = spec if spec.__class__ is time else self.wall_time(spec, day)
        seconds, flag = self._seconds(day, wall)
        if flag is not None:
            return self.instant(day, spec, f"{key} ({name}) {part}")
        return seconds

    def _seconds(self, day: date, wall: time) -> tuple[int, str | None]:
        """POSIX seconds of ``wall`` on ``day`` and its DST flag: by arithmetic on a
        plain day (``timeutil.day_seconds``), else the exact way."""
        midnight, offset = self.midnights.get(day), WALL_SECONDS.get(wall)
        if midnight is not None and offset is not None:
            return midnight + offset, None
        return day_seconds(day, wall, self.zone)

    def occurrences(
        self,
        name: str,
        options: dict[str, Any],
        years: range,
        options_key: Hashable | None = None,
    ) -> list[Any]:
        """A date rule's occurrences in ``years``, each year computed once per engine run.

        ``options_key``: ``key_of(options)``, when the caller keeps it (spans.py does,
        once a run per holiday). The list returned is shared with later callers asking
        for the same years: read it, do not change it.
        """
        if options_key is None:
            known_key = self._option_keys.get(id(options))
            if known_key is None or known_key[0] is not options:
                known_key = self._option_keys[id(options)] = (options, key_of(options))
            options_key = known_key[1]
        span_key = (name, options_key, years.start, years.stop)
        listed = self._occurrences.get(span_key)
        if listed is not None:
            return listed
        rule = self.date_rules.items[name]  # (the registry's dict: every holiday asks)
        # A rule that never reads the RuleContext (a fixed day, Easter...) gives the same
        # dates to every plan: those are shared across runs, by year and by years.
        shared = _CONTEXT_FREE if getattr(rule, "context_free", False) is True else None
        if shared is not None:
            listed = shared.get((rule, options_key, years.start, years.stop))
            if listed is not None:
                self._occurrences[span_key] = listed
                return listed
        found: list[Any] = []
        for year in years:
            key = (name, options_key, year)
            known = self._occurrences.get(key)
            if known is None and shared is not None:
                known = shared.get((rule, options_key, year))
            if known is None:
                known = list(rule.occurrences(year, options, self.rule_context))
                if shared is not None:
                    if len(shared) >= _CONTEXT_FREE_LIMIT:
                        shared.clear()
                    shared[(rule, options_key, year)] = known
            self._occurrences[key] = known
            found.extend(known)
        self._occurrences[span_key] = found
        if shared is not None:
            shared[(rule, options_key, years.start, years.stop)] = found
        return found

    def check_parent(self, parent: str, key: str) -> str:
        if parent not in self.plan.parents:
            known = ", ".join(self.plan.parents)
            raise plan_error(key, f"unknown parent {parent!r} (expected one of: {known})")
        return parent
