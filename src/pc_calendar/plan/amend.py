"""Apply amendments to a schedule: the version of the schedule after each change.

Pure model work, no instants: the engine (``schedule/versions.py``) decides *when*
each version is in force; this module decides *what* it is. Only what an amendment
names changes. Each rule remembers the plan key it came from (``RuleKeys``), so a
block painted by a holiday an amendment added is explained as
``amendments[2].holidays[0]``, and an unchanged rule keeps its own key (and its blocks
run on unbroken across the switch-over).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from ..errors import Problem
from .amendments import RELATIVE_ANCHOR, Amendment, ExchangeChange, RotationChange
from .model import ExchangeAt, ExchangeDefaults, Plan, Rotation, Schedule

KINDS = ("visits", "seasons", "holidays")


@dataclass(frozen=True)
class RuleKeys:
    """The plan key of each rule of one schedule version (for messages and explanations)."""

    rotation: str
    exchange: str
    visits: tuple[str, ...] = ()
    seasons: tuple[str, ...] = ()
    holidays: tuple[str, ...] = ()

    @classmethod
    def of(cls, schedule: Schedule, prefix: str) -> RuleKeys:
        """The keys of a schedule as written in the file under ``prefix``."""
        return cls(
            f"{prefix}rotation",
            f"{prefix}exchange",
            *(_numbered(f"{prefix}{kind}[", len(getattr(schedule, kind))) for kind in KINDS),
        )

    def item(self, kind: str, index: int) -> str:
        return getattr(self, kind)[index]


def _numbered(head: str, count: int) -> tuple[str, ...]:
    """``head0]``, ``head1]``...: the keys of a list's items (every run names them all)."""
    return tuple([f"{head}{i}]" for i in range(count)])


@dataclass(frozen=True)
class SchedulePart:
    """One version of a schedule and the keys its rules come from."""

    schedule: Schedule
    keys: RuleKeys


def resolve_anchor(anchor: date | str | None, effective_day: date) -> date | None:
    """A rotation anchor; ``"effective+N"`` counts from the day the amendment takes effect."""
    if not isinstance(anchor, str):
        return anchor
    m = RELATIVE_ANCHOR.match(anchor.strip())
    assert m is not None  # the model checked the shape
    shift = int(m[2] or 0) * (-1 if m[1] == "-" else 1)
    return effective_day + timedelta(days=shift)


def _rotation(
    old: Rotation | None, change: RotationChange, effective_day: date, key: str
) -> tuple[Rotation | None, list[Problem]]:
    given = change.model_dump(exclude_unset=True)
    if "anchor" in given:
        given["anchor"] = resolve_anchor(change.anchor, effective_day)
    if change.pattern is not None:
        given.setdefault("options", {})
        given["options"] = given["options"] or {}
        return Rotation(**given), []
    if old is None:
        return None, [Problem(f"{key}.pattern", "no rotation is in force to change; give pattern")]
    if given.get("options") is None:
        given.pop("options", None)
    return old.model_copy(update=given), []


def _merge_at(old: ExchangeAt | None, new: ExchangeAt | None) -> ExchangeAt | None:
    if new is None or old is None:
        return old if new is None else new
    return ExchangeAt(
        time=old.time if new.time is None else new.time,
        location=old.location if new.location is None else new.location,
    )


def _exchange(old: ExchangeDefaults, change: ExchangeChange) -> ExchangeDefaults:
    update: dict[str, Any] = {}
    if change.time is not None:
        update["time"] = change.time
    if change.location is not None:
        update["location"] = change.location
    for level in ("school_day", "non_school_day"):
        new = getattr(change, level)
        if new is not None:
            update[level] = _merge_at(getattr(old, level), new)
    if change.weekdays:
        weekdays = dict(old.weekdays)
        for day, at in change.weekdays.items():
            weekdays[day] = _merge_at(weekdays.get(day), at)  # type: ignore[assignment]
        update["weekdays"] = weekdays
    return old.model_copy(update=update)


def _rules(
    part: SchedulePart, amendment: Amendment, key: str, kind: str
) -> tuple[list[Any], tuple[str, ...], list[Problem]]:
    """One kind of rule after ``amendment``: removals, replacements by name, additions."""
    rules = list(getattr(part.schedule, kind))
    keys = list(getattr(part.keys, kind))
    problems: list[Problem] = []
    removed = getattr(amendment.remove, kind) if amendment.remove is not None else []
    for j, name in enumerate(removed):
        hits = [i for i, rule in enumerate(rules) if rule.name == name]
        if not hits:
            problems.append(Problem(f"{key}.remove.{kind}[{j}]", _no_such(kind, name, rules)))
        for i in reversed(hits):
            del rules[i], keys[i]
    for j, rule in enumerate(getattr(amendment, kind)):
        hits = [i for i, old in enumerate(rules) if old.name == rule.name]
        if hits:
            for i in reversed(hits[1:]):
                del rules[i], keys[i]
            rules[hits[0]], keys[hits[0]] = rule, f"{key}.{kind}[{j}]"
        else:
            rules.append(rule)
            keys.append(f"{key}.{kind}[{j}]")
    return rules, tuple(keys), problems


def _no_such(kind: str, name: str, rules: list[Any]) -> str:
    names = [rule.name for rule in rules]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    listed = ", ".join(repr(n) for n in names) or "none"
    return f"no {kind[:-1]} named {name!r} is in force to remove{hint}; in force: {listed}"


def apply_amendment(
    part: SchedulePart, amendment: Amendment, index: int, effective_day: date
) -> tuple[SchedulePart, list[Problem]]:
    """The schedule version after ``amendment`` (``amendments[index]``) takes effect."""
    key = f"amendments[{index}]"
    schedule, keys = part.schedule, part.keys
    problems: list[Problem] = []
    update: dict[str, Any] = {}
    if amendment.rotation is not None:
        change = amendment.rotation
        if change.citation is None and amendment.cites:  # the step's source, if it has one
            change = change.model_copy(update={"citation": amendment.cites})
        rotation, found = _rotation(schedule.rotation, change, effective_day, f"{key}.rotation")
        problems += found
        update["rotation"] = rotation
        keys = replace(keys, rotation=f"{key}.rotation")
    if amendment.exchange is not None:
        update["exchange"] = _exchange(schedule.exchange, amendment.exchange)
        keys = replace(keys, exchange=f"{key}.exchange")
    for kind in KINDS:
        rules, rule_keys, found = _rules(part, amendment, key, kind)
        problems += found
        if rule_keys != getattr(keys, kind):
            update[kind] = rules
            keys = replace(keys, **{kind: rule_keys})
    return SchedulePart(schedule.model_copy(update=update), keys), problems


def applicable(plan: Plan, schedule: str, child: str | None) -> list[int]:
    """Indices of the amendments that change ``schedule`` for ``child`` (None: anyone)."""
    return [
        i
        for i, a in enumerate(plan.amendments)
        if a.schedule == schedule and (a.children is None or child is None or child in a.children)
    ]


SCHOOL_YEAR_GAP = 28  # days without a term before a term that starts a school year


def school_year_start(plan: Plan, day: date) -> date | None:
    """The first day of the first school year starting on or after ``day`` (None: unlisted).

    A school year starts with the first listed term, or a term that follows more than
    28 days without a term (the summer holiday, in either hemisphere).
    """
    terms = sorted(plan.school.terms if plan.school else [], key=lambda t: t.start)
    previous_end: date | None = None
    for term in terms:
        starts_year = previous_end is None or (term.start - previous_end).days > SCHOOL_YEAR_GAP
        if starts_year and term.start >= day:
            return term.start
        previous_end = term.end if previous_end is None else max(previous_end, term.end)
    return None
