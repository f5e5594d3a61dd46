"""Built-in rotation patterns: a default plugin, registered like a third party's.

Every pattern answers one question: which slot of the rotation's ``parents`` holds
custody from a day's exchange time until the next day's. Cyclic patterns count days
from the rotation's anchor (days before the anchor continue the cycle backwards), and
say so through the optional ``cycle(ctx)``: the engine then reads a year of days from
a tuple instead of calling ``slot_for`` once a day.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .. import hookimpl
from ..plan.model import Weekday
from .api import PatternContext

FALLBACK_ANCHOR = date(2000, 1, 3)  # a Monday; used (with a warning) when none is given
_WEEKDAYS = [w.value for w in Weekday]


def _unknown_options(options: Mapping[str, Any], known: set[str]) -> list[str]:
    return [
        f"{key}: unknown option (expected one of: {', '.join(sorted(known)) or 'none'})"
        for key in options
        if key not in known
    ]


def _slots(letters: str) -> tuple[int, ...]:
    """'AABB' -> (0, 0, 1, 1): letter A is slot 0, B slot 1."""
    return tuple(ord(ch) - ord("A") for ch in letters.upper())


@dataclass(frozen=True)
class DayStringPattern:
    """A fixed cycle of days, e.g. 2-2-5-5 = AABBAAAAABBBBB, starting at the anchor."""

    letters: str
    description: str
    needs_anchor: bool = True
    slots: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "slots", _slots(self.letters))

    def slot_for(self, day: date, ctx: PatternContext) -> int:
        anchor = ctx.anchor or FALLBACK_ANCHOR
        return self.slots[(day.toordinal() - anchor.toordinal()) % len(self.slots)]

    def cycle(self, ctx: PatternContext) -> tuple[date, tuple[int, ...]]:
        """The slots from the anchor on, repeated forever (the engine's fast path)."""
        return ctx.anchor or FALLBACK_ANCHOR, self.slots

    def validate(self, options: Mapping[str, Any]) -> list[str]:
        return _unknown_options(options, set())


def _check_days(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return "days: expected a non-empty string of A and B, e.g. 'AABBAAABBAABBB'"
    bad = sorted({ch for ch in value.upper() if ch not in "AB"})
    if bad:
        return f"days: expected only the letters A and B, found {', '.join(map(repr, bad))}"
    if len(set(value.upper())) < 2:
        return "days: expected both A and B (a one-parent cycle is not a rotation)"
    return None


@dataclass(frozen=True)
class CustomDaysPattern:
    """``options.days`` spells the cycle, one letter a day: A is slot 0, B slot 1."""

    description: str = "custom day string from options.days, e.g. AABBAAABBAABBB"
    needs_anchor: bool = True

    def slot_for(self, day: date, ctx: PatternContext) -> int:
        letters = str(ctx.options["days"])
        anchor = ctx.anchor or FALLBACK_ANCHOR
        return ord(letters[(day.toordinal() - anchor.toordinal()) % len(letters)].upper()) - 65

    def cycle(self, ctx: PatternContext) -> tuple[date, tuple[int, ...]]:
        """The slots from the anchor on, repeated forever (the engine's fast path)."""
        return ctx.anchor or FALLBACK_ANCHOR, _slots(str(ctx.options["days"]))

    def validate(self, options: Mapping[str, Any]) -> list[str]:
        problems = _unknown_options(options, {"days"})
        if "days" not in options:
            problems.append("days: required, a string of A and B such as 'AABBAAABBAABBB'")
        elif problem := _check_days(options["days"]):
            problems.append(problem)
        return problems


@dataclass(frozen=True)
class EveryOtherWeekendPattern:
    """Slot 1 has the weekend of every second week; slot 0 has everything else.

    The anchor's week (Monday to Sunday) is a weekend week for slot 1. Custody passes
    to slot 1 on ``from`` (default Friday) at that day's exchange time and returns on
    ``until`` (default Sunday) at that day's exchange time.
    """

    description: str = "every other weekend (Friday to Sunday) with slot 1"
    needs_anchor: bool = True

    def _bounds(self, options: Mapping[str, Any]) -> tuple[int, int]:
        first = _WEEKDAYS.index(str(options.get("from", "friday")).lower())
        until = _WEEKDAYS.index(str(options.get("until", "sunday")).lower())
        return first, (until - first) % 7 or 7

    def slot_for(self, day: date, ctx: PatternContext) -> int:
        first, nights = self._bounds(ctx.options)
        anchor = ctx.anchor or FALLBACK_ANCHOR
        monday = anchor.toordinal() - anchor.weekday()
        ordinal = day.toordinal()
        weekend_start = ordinal - (day.weekday() - first) % 7
        if ordinal - weekend_start >= nights:
            return 0
        return 1 if ((weekend_start - monday) // 7) % 2 == 0 else 0

    def cycle(self, ctx: PatternContext) -> tuple[date, tuple[int, ...]]:
        """Two weeks from the anchor's Monday, repeated forever (the engine's fast path)."""
        anchor = ctx.anchor or FALLBACK_ANCHOR
        monday = date.fromordinal(anchor.toordinal() - anchor.weekday())
        return monday, tuple(
            self.slot_for(date.fromordinal(monday.toordinal() + k), ctx) for k in range(14)
        )

    def validate(self, options: Mapping[str, Any]) -> list[str]:
        problems = _unknown_options(options, {"from", "until"})
        for key in ("from", "until"):
            if key in options and str(options[key]).lower() not in _WEEKDAYS:
                problems.append(f"{key}: expected a weekday name such as 'friday'")
        if not problems and "from" in options and "until" in options:
            first, nights = self._bounds(options)
            if nights > 4:
                problems.append("until: expected a day 1 to 4 days after 'from'")
        return problems


BUILT_IN: dict[str, Any] = {
    "alternating_weeks": DayStringPattern("A" * 7 + "B" * 7, "alternating weeks (7 days each)"),
    "2-2-3": DayStringPattern("AABBAAABBAABBB", "2-2-3: two days, two days, three days"),
    "2-2-5-5": DayStringPattern("AABBAAAAABBBBB", "2-2-5-5: two, two, five, five days"),
    "3-4-4-3": DayStringPattern("AAABBBBAAAABBB", "3-4-4-3: three, four, four, three days"),
    "every_other_weekend": EveryOtherWeekendPattern(),
    "days": CustomDaysPattern(),
}


@hookimpl
def pc_calendar_register_patterns(register: Callable[[str, Any], None]) -> None:
    for name, pattern in BUILT_IN.items():
        register(name, pattern)
