"""What pattern and date-rule plugins implement, and the context they are given.

These are the only types a schedule plugin needs. The engine calls them; they never do
I/O and must be deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class PatternContext:
    """What a pattern may look at when deciding a day."""

    anchor: date | None
    options: Mapping[str, Any] = field(default_factory=dict)
    is_school_day: Callable[[date], bool] = lambda d: d.weekday() < 5


@runtime_checkable
class Pattern(Protocol):
    """A regular rotation between the rotation's parents (slot 0, slot 1, ...).

    ``slot_for(day, ctx)`` returns the index into the rotation's ``parents`` list of the
    parent who holds custody from that day's exchange time until the next day's. A
    change of slot between two consecutive days is an exchange on the later day.

    Optional (not part of this protocol's checks): a pattern that repeats a fixed cycle
    may also define ``cycle(ctx) -> (day, slots)``, the slots of ``day`` and the days
    after it, repeated forever in both directions. It must agree with ``slot_for``; the
    engine then reads the slots from the cycle, which is much faster over many years.
    """

    description: str
    needs_anchor: bool

    def slot_for(self, day: date, ctx: PatternContext) -> int: ...

    def validate(self, options: Mapping[str, Any]) -> list[str]:
        """Problems with the rotation's pattern options, as 'key: what is expected'."""
        ...


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a holiday: the first and last day it names (equal for one day)."""

    first: date
    last: date


@dataclass(frozen=True)
class SchoolBreak:
    """A named break in the school calendar: no school from ``first`` to ``last``."""

    name: str
    first: date
    last: date


@dataclass(frozen=True)
class RuleContext:
    """What a date rule may look at: birthdays and the school calendar.

    ``leaves`` maps a child's id to the day the child leaves the schedule (the
    ``until_age`` birthday): from then on the child's birthday moves nobody.
    """

    birthdays: Mapping[str, date] = field(default_factory=dict)
    school_breaks: tuple[SchoolBreak, ...] = ()
    leaves: Mapping[str, date] = field(default_factory=dict)


@runtime_checkable
class DateRule(Protocol):
    """A holiday date rule: ``date = { rule = NAME, ...options }`` in a plan."""

    description: str

    def validate(self, options: Mapping[str, Any], ctx: RuleContext) -> list[str]:
        """Problems with the options, as 'key: what is expected' strings."""
        ...

    def occurrences(
        self, year: int, options: Mapping[str, Any], ctx: RuleContext
    ) -> list[Occurrence]:
        """The holiday's occurrences whose first day falls in ``year``."""
        ...
