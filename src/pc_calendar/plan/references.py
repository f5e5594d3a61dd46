"""Cross-reference checks: every name a plan uses must mean something.

The model checks each table on its own; this module checks the plan as a whole: parent
and location ids exist, children's schedules exist, time zones are real, patterns and
date rules are registered by some plugin and accept their options. A misspelt parent id
would otherwise silently hand a holiday to nobody.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pluggy

from .. import plugins
from ..errors import PlanError, PluginError, Problem
from ..schedule.api import RuleContext, SchoolBreak
from .amendment_checks import approximate_effective, check_amendments
from .model import Assignment, ExchangeDefaults, Plan, Rotation, Schedule, SpanEdge, TimeKeyword

COORDINATOR = "coordinator"
MAX_YEARS = 20  # lint and span checks look at most this many years ahead


def check_references(plan: Plan, pm: pluggy.PluginManager | None = None) -> list[Problem]:
    """All cross-reference problems in ``plan`` (keys only; the loader adds lines)."""
    checker = _Checker(plan, pm or plugins.get_plugin_manager())
    checker.run()
    return checker.problems


def zone_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone, or None if it is one."""
    try:
        ZoneInfo(name)
        return None
    except (ZoneInfoNotFoundError, ValueError):
        pass
    import zoneinfo

    hint = _did_you_mean(name, zoneinfo.available_timezones())
    return f"unknown time zone {name!r}; expected an IANA name like America/Chicago{hint}"


def rule_context(plan: Plan) -> RuleContext:
    """What date rules may look at: birthdays of children and parents, school breaks."""
    birthdays = {c.id: c.birth_date for c in plan.children}
    birthdays.update({pid: p.birth_date for pid, p in plan.parents.items() if p.birth_date})
    breaks = plan.school.breaks if plan.school else []
    return RuleContext(
        birthdays=birthdays,
        school_breaks=tuple(SchoolBreak(b.name, b.start, b.end) for b in breaks),
    )


def schedule_prefixes(plan: Plan) -> list[tuple[str, str]]:
    """(schedule name, key prefix) for the default schedule and each named one."""
    out = [] if "default" in plan.schedules else [("default", "")]
    return out + [(name, f"schedules.{name}.") for name in plan.schedules]


def default_years(plan: Plan, *, school: bool = True) -> range:
    """The years a plan's own dates cover: its earliest year through at least 3 after.

    Anchors, school terms and breaks, dated seasons, overrides and the days amendments
    take effect (an age trigger's birthday among them) count; birth dates do
    not. A plan without any dates covers the current year and the next three. With
    ``school=False`` the school calendar sets only the first year, not the last: the
    horizon the school calendar itself must cover cannot be stretched by it.
    """
    years: list[int] = []
    for name, _ in schedule_prefixes(plan):
        schedule = plan.schedule(name)
        rotations = [schedule.rotation, *(s.rotation for s in schedule.seasons)]
        years += [r.anchor.year for r in rotations if r is not None and r.anchor]
        years += [d.year for s in schedule.seasons for d in (s.start, s.end) if isinstance(d, date)]
    years += [d.year for o in plan.overrides for d in (o.start, o.end)]
    effective = (approximate_effective(plan, a) for a in plan.amendments)
    years += [when.year for when in effective if when is not None]
    school_years: list[int] = []
    if plan.school is not None:
        ranges = [*plan.school.terms, *plan.school.breaks]
        school_years = [d.year for r in ranges for d in (r.start, r.end)]
    first = min([*years, *school_years]) if years or school_years else date.today().year
    counted = [*years, *school_years] if school else years
    last = min(max([first + 3, *counted]), first + MAX_YEARS - 1)
    return range(first, last + 1)


def check_spans(
    plan: Plan, pm: pluggy.PluginManager | None, years: range | None = None
) -> list[Problem]:
    """Holiday and season spans that end before they start, found by resolving them."""
    from ..schedule import engine

    years = years or default_years(plan)
    start, end = date(years[0], 1, 1), date(years[-1] + 1, 1, 1)
    problems: list[Problem] = []
    for name, _ in schedule_prefixes(plan):
        for resolve in (engine.holiday_spans, engine.season_spans):
            try:
                resolve(plan, name, start, end, pm)
            except PlanError as exc:
                problems += exc.problems
    return problems


def _did_you_mean(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def _split_option_problem(text: str) -> tuple[str | None, str]:
    """'month: expected 1..12, got 13' -> ('month', 'expected 1..12, got 13')."""
    head, sep, rest = text.partition(": ")
    if sep and head.replace("_", "a").replace(".", "a").isalnum():
        return head, rest
    return None, text


class _Checker:
    def __init__(self, plan: Plan, pm: pluggy.PluginManager) -> None:
        self.plan = plan
        self.patterns = plugins.patterns(pm)
        self.rules = plugins.date_rules(pm)
        self.ctx = rule_context(plan)
        self.problems: list[Problem] = []

    def add(self, key: str, message: str) -> None:
        self.problems.append(Problem(key, message))

    def run(self) -> None:
        plan = self.plan
        if len(plan.parents) < 2:
            self.add("parents", f"a plan needs at least two parents, found {len(plan.parents)}")
        self.zone("family.timezone", plan.family.timezone)
        for pid, parent in plan.parents.items():
            if parent.timezone is not None:
                self.zone(f"parents.{pid}.timezone", parent.timezone)
        if plan.school is not None:
            self.location("school.location", plan.school.location)
        self.children()
        for i, child in enumerate(plan.children):
            if child.schedule != "default" and child.schedule not in plan.schedules:
                known = ", ".join(["default", *plan.schedules])
                self.add(
                    f"children[{i}].schedule",
                    f"unknown schedule {child.schedule!r}; known: {known}"
                    + _did_you_mean(child.schedule, plan.schedules),
                )
        used = {c.schedule for c in plan.children}
        for name, prefix in schedule_prefixes(plan):
            self.schedule(plan.schedule(name), prefix, needed=name in used)
        self.overrides()
        check_amendments(self)

    def children(self) -> None:
        """Ids are unique: a second "leo" would vanish from stats and calendars."""
        first: dict[str, int] = {}
        for i, child in enumerate(self.plan.children):
            if child.id in first:
                self.add(
                    f"children[{i}].id",
                    f"{child.id!r} is already the id of children[{first[child.id]}]; "
                    "each child needs an id of their own (e.g. the first name and a digit)",
                )
            first.setdefault(child.id, i)

    def zone(self, key: str, name: str) -> None:
        if (problem := zone_problem(name)) is not None:
            self.add(key, problem)

    def parent(self, key: str, pid: str | None, allow: Iterable[str] = ()) -> None:
        if pid is None or pid in self.plan.parents or pid in allow:
            return
        known = ", ".join([*self.plan.parents, *allow])
        self.add(
            key, f"unknown parent {pid!r}; known: {known}" + _did_you_mean(pid, self.plan.parents)
        )

    def location(self, key: str, lid: str | None) -> None:
        if lid is None or lid in self.plan.locations:
            return
        known = ", ".join(self.plan.locations) or "none defined (add [locations.ID])"
        self.add(
            key,
            f"unknown location {lid!r}; known: {known}" + _did_you_mean(lid, self.plan.locations),
        )

    def time(self, key: str, value: object) -> None:
        if isinstance(value, TimeKeyword) and self.plan.school is None:
            self.add(key, f"{value.value!r} needs a [school] table with the school's times")

    def assignment(self, key: str, assign: Assignment | None) -> None:
        if assign is not None:
            self.parent(f"{key}.parent", assign.parent)
            self.parent(f"{key}.even_years", assign.even_years)
            self.parent(f"{key}.odd_years", assign.odd_years)

    def schedule(self, sched: Schedule, prefix: str, needed: bool) -> None:
        if sched.rotation is None:
            if needed:
                self.add(
                    f"{prefix}rotation".rstrip("."),
                    "missing; a schedule that children follow needs a rotation (pattern = NAME)",
                )
        else:
            self.rotation(f"{prefix}rotation", sched.rotation)
        self.exchange(f"{prefix}exchange", sched.exchange)
        for i, visit in enumerate(sched.visits):
            key = f"{prefix}visits[{i}]"
            self.parent(f"{key}.parent", visit.parent)
            self.location(f"{key}.location", visit.location)
            self.time(f"{key}.start", visit.start)
            if visit.during != "always" and self.plan.school is None:
                self.add(f"{key}.during", f"{visit.during!r} needs a [school] table with terms")
        for i, season in enumerate(sched.seasons):
            key = f"{prefix}seasons[{i}]"
            self.assignment(f"{key}.assign", season.assign)
            self.location(f"{key}.location", season.location)
            self.time(f"{key}.start_time", season.start_time)
            self.time(f"{key}.end_time", season.end_time)
            if season.rotation is not None:
                self.rotation(f"{key}.rotation", season.rotation)
        for i, holiday in enumerate(sched.holidays):
            key = f"{prefix}holidays[{i}]"
            self.date_rule(f"{key}.date", holiday.date)
            self.assignment(f"{key}.assign", holiday.assign)
            self.location(f"{key}.location", holiday.location)
            for edge_name in ("start", "end", "split"):
                edge: SpanEdge | None = getattr(holiday, edge_name)
                if edge is None:
                    continue
                self.time(f"{key}.{edge_name}.time", edge.time)
                self.location(f"{key}.{edge_name}.location", edge.location)
                if edge.school is not None and self.plan.school is None:
                    self.add(
                        f"{key}.{edge_name}.school",
                        f"{edge.school!r} needs a [school] table with terms",
                    )

    def exchange(self, key: str, ex: ExchangeDefaults) -> None:
        self.time(f"{key}.time", ex.time)
        self.location(f"{key}.location", ex.location)
        parts = [("school_day", ex.school_day), ("non_school_day", ex.non_school_day)]
        parts += [(f"weekdays.{day.value}", at) for day, at in ex.weekdays.items()]
        for name, at in parts:
            if at is not None:
                self.time(f"{key}.{name}.time", at.time)
                self.location(f"{key}.{name}.location", at.location)

    def rotation(self, key: str, rotation: Rotation) -> None:
        for i, pid in enumerate(rotation.parents or []):
            self.parent(f"{key}.parents[{i}]", pid)
        if rotation.parents is not None and len(rotation.parents) < 2:
            self.add(f"{key}.parents", "a rotation needs at least two parents")
        elif (
            rotation.parents is not None
            and len(set(rotation.parents)) < len(rotation.parents)
            and len(self.plan.parents) >= 2  # else the plan's own problem says it
        ):
            twice = sorted({p for p in rotation.parents if rotation.parents.count(p) > 1})
            self.add(
                f"{key}.parents",
                f"{', '.join(map(repr, twice))} fills more than one slot, so the rotation "
                "hardly changes hands; list each parent once, in the order of the "
                f"pattern's slots (e.g. parents = {_toml_list(list(self.plan.parents)[:2])})",
            )
        if rotation.pattern not in self.patterns:
            self.add(
                f"{key}.pattern",
                f"unknown pattern {rotation.pattern!r}; known: "
                + ", ".join(self.patterns.names())
                + _did_you_mean(rotation.pattern, self.patterns.names()),
            )
            return
        pattern = self.patterns[rotation.pattern]
        validate = getattr(pattern, "validate", None)
        if validate is None:
            return
        for text in self._call(self.patterns, rotation.pattern, validate, rotation.options):
            option, message = _split_option_problem(text)
            self.add(f"{key}.options.{option}" if option else f"{key}.options", message)

    def date_rule(self, key: str, spec: Mapping[str, Any]) -> None:
        name = spec["rule"]
        if name not in self.rules:
            self.add(
                f"{key}.rule",
                f"unknown rule {name!r}; known: "
                + ", ".join(self.rules.names())
                + _did_you_mean(name, self.rules.names()),
            )
            return
        options = {k: v for k, v in spec.items() if k != "rule"}
        rule = self.rules[name]
        for text in self._call(self.rules, name, rule.validate, options, self.ctx):
            option, message = _split_option_problem(text)
            self.add(f"{key}.{option}" if option else key, message)

    def _call(self, registry: plugins.Registry, name: str, func: Any, *args: Any) -> list[str]:
        """A plugin's validate(); a crash is the plugin's bug, reported with its name."""
        try:
            return [str(p) for p in func(*args) or []]
        except Exception as exc:
            owner = registry.owners.get(name, name)
            raise PluginError(
                owner,
                f"{registry.kind} {name!r} failed to validate its "
                f"options ({exc.__class__.__name__}: {exc})",
            ) from exc

    def overrides(self) -> None:
        children = {c.id for c in self.plan.children}
        for i, ov in enumerate(self.plan.overrides):
            key = f"overrides[{i}]"
            self.parent(f"{key}.parent", ov.parent)
            for j, pid in enumerate(ov.agreed_by):
                self.parent(f"{key}.agreed_by[{j}]", pid)
            missing = [pid for pid in self.plan.parents if pid not in ov.agreed_by]
            if ov.kind == "swap" and missing and len(self.plan.parents) >= 2:
                self.add(
                    f"{key}.agreed_by",
                    f"a swap needs the agreement of every parent; {', '.join(missing)} did "
                    f"not agree. Add {', '.join(map(repr, missing))} to agreed_by once they "
                    'have, or record it as kind = "decision" with decided_by (the '
                    "coordinator's decision)",
                )
            self.parent(f"{key}.decided_by", ov.decided_by, allow=[COORDINATOR])
            self.location(f"{key}.location", ov.location)
            for j, cid in enumerate(ov.children or []):
                if cid not in children:
                    self.add(
                        f"{key}.children[{j}]",
                        f"unknown child {cid!r}; known: "
                        + ", ".join(sorted(children))
                        + _did_you_mean(cid, children),
                    )
