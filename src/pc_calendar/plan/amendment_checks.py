"""Cross-reference checks for ``[[amendments]]`` and the decision metadata they share.

The model checks each amendment alone; this checks it against the plan: the child an
age trigger names exists, the schedule and children it changes exist, every parent,
location, pattern and date rule it uses is known, each rule it removes is in force
when it takes effect, and amendments to the same child's schedule are listed in the
order they take effect (a later one builds on what the earlier ones made).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from .amend import RuleKeys, SchedulePart, applicable, apply_amendment, school_year_start
from .amendments import AgeTrigger, Amendment
from .model import Plan, Rotation, Schedule

if TYPE_CHECKING:
    from .references import _Checker

COORDINATOR = "coordinator"


def approximate_effective(plan: Plan, amendment: Amendment) -> datetime | None:
    """When an amendment takes effect, to the day for age triggers (None: unknown child)."""
    effective = amendment.effective
    if isinstance(effective, datetime):
        return effective
    if isinstance(effective, date):
        return datetime.combine(effective, time(0, 0))
    child = next((c for c in plan.children if c.id == effective.child), None)
    if child is None:
        return None
    day = effective.reached_on(child.birth_date)
    if effective.at == "school_year_start":
        day = school_year_start(plan, day) or day
    return datetime.combine(day, time(0, 0))


def check_amendments(checker: _Checker) -> None:
    """Add every amendment problem of ``checker.plan`` to ``checker``."""
    plan = checker.plan
    for i, amendment in enumerate(plan.amendments):
        _check_one(checker, plan, i, amendment)
    for i, override in enumerate(plan.overrides):
        _fees(checker, f"overrides[{i}]", override.fees)
    _check_sequences(checker, plan)


def _fees(checker: _Checker, key: str, fees: dict[str, float] | None) -> None:
    for pid in fees or {}:
        checker.parent(f"{key}.fees.{pid}", pid)


def _check_one(checker: _Checker, plan: Plan, i: int, amendment: Amendment) -> None:
    key = f"amendments[{i}]"
    children = {c.id: c for c in plan.children}
    if isinstance(amendment.effective, AgeTrigger):
        _age_trigger(checker, plan, f"{key}.effective", amendment.effective)
    known = ["default", *plan.schedules] if "default" not in plan.schedules else [*plan.schedules]
    if amendment.schedule not in known:
        checker.add(
            f"{key}.schedule",
            f"unknown schedule {amendment.schedule!r}; known: {', '.join(known)}",
        )
    for j, cid in enumerate(amendment.children or []):
        if cid not in children:
            checker.add(
                f"{key}.children[{j}]",
                f"unknown child {cid!r}; known: {', '.join(children) or 'none'}",
            )
        elif children[cid].schedule != amendment.schedule:
            checker.add(
                f"{key}.children[{j}]",
                f"{cid!r} follows schedule {children[cid].schedule!r}, not "
                f"{amendment.schedule!r}; set schedule = {children[cid].schedule!r}",
            )
    for j, pid in enumerate(amendment.agreed_by):
        checker.parent(f"{key}.agreed_by[{j}]", pid)
    if amendment.kind == "decision":
        checker.parent(f"{key}.decided_by", amendment.decided_by, allow=[COORDINATOR])
    _fees(checker, key, amendment.fees)
    if amendment.rotation is not None:
        rotation = amendment.rotation
        for j, pid in enumerate(rotation.parents or []):
            checker.parent(f"{key}.rotation.parents[{j}]", pid)
        if rotation.parents is not None and len(rotation.parents) < 2:
            checker.add(f"{key}.rotation.parents", "a rotation needs at least two parents")
        if rotation.pattern is not None:
            options = rotation.options or {}
            checker.rotation(f"{key}.rotation", Rotation(pattern=rotation.pattern, options=options))
    if amendment.exchange is not None:
        change = amendment.exchange
        checker.time(f"{key}.exchange.time", change.time)
        checker.location(f"{key}.exchange.location", change.location)
        parts = [("school_day", change.school_day), ("non_school_day", change.non_school_day)]
        parts += [(f"weekdays.{day.value}", at) for day, at in change.weekdays.items()]
        for name, at in parts:
            if at is not None:
                checker.time(f"{key}.exchange.{name}.time", at.time)
                checker.location(f"{key}.exchange.{name}.location", at.location)
    rules = Schedule(
        visits=amendment.visits, seasons=amendment.seasons, holidays=amendment.holidays
    )
    checker.schedule(rules, f"{key}.", needed=False)


def _age_trigger(checker: _Checker, plan: Plan, key: str, trigger: AgeTrigger) -> None:
    if not any(c.id == trigger.child for c in plan.children):
        if trigger.child in plan.parents:
            checker.add(
                f"{key}.child",
                f"{trigger.child!r} is a parent; an age trigger names a child "
                "(whose birth_date is known)",
            )
        else:
            known = ", ".join(c.id for c in plan.children) or "none"
            checker.add(f"{key}.child", f"unknown child {trigger.child!r}; known: {known}")
    if trigger.at == "school_year_start" and (plan.school is None or not plan.school.terms):
        checker.add(
            f"{key}.at",
            "'school_year_start' needs a [school] table with terms (to find the school year)",
        )


def _check_sequences(checker: _Checker, plan: Plan) -> None:
    """Per audience (each child, or anyone for a schedule nobody follows): order, removals."""
    audiences: list[tuple[str, str | None]] = [(c.schedule, c.id) for c in plan.children]
    followed = {c.schedule for c in plan.children}
    audiences += [(a.schedule, None) for a in plan.amendments if a.schedule not in followed]
    for schedule_name, child in dict.fromkeys(audiences):
        if schedule_name != "default" and schedule_name not in plan.schedules:
            continue
        indices = applicable(plan, schedule_name, child)
        _check_order(checker, plan, indices)
        prefix = (
            ""
            if schedule_name == "default" and "default" not in plan.schedules
            else (f"schedules.{schedule_name}.")
        )
        base = plan.schedule(schedule_name)
        part = SchedulePart(base, RuleKeys.of(base, prefix))
        for i in indices:
            anchor_day = (approximate_effective(plan, plan.amendments[i]) or datetime.min).date()
            part, problems = apply_amendment(part, plan.amendments[i], i, anchor_day)
            for problem in problems:
                checker.add(problem.key, problem.message)


def _check_order(checker: _Checker, plan: Plan, indices: list[int]) -> None:
    latest: tuple[datetime, int] | None = None
    for i in indices:
        when = approximate_effective(plan, plan.amendments[i])
        if when is None:
            continue
        if latest is not None and when < latest[0]:
            checker.add(
                f"amendments[{i}].effective",
                f"takes effect {when:%Y-%m-%d %H:%M}, before amendments[{latest[1]}] listed "
                f"above it ({latest[0]:%Y-%m-%d %H:%M}); list the amendments to a schedule in "
                "the order they take effect, so each builds on the ones before it",
            )
            continue
        latest = (when, i)
