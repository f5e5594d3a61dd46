"""Amendments: from a date, a date-time or a child's age on, part of a schedule changes.

A parenting plan changes over its life: a vague clause is clarified, a dispute decided,
the schedule stepped up as a child grows. An amendment names only what changes (the
rotation, exchange times and places, visits, seasons, holidays of one schedule) and
when; everything it does not name carries on. The engine (``schedule/versions.py``)
resolves which version of the schedule is in force at each instant. Each amendment
carries the same decision metadata as an override (``plan/decisions.py``).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from .decisions import DecisionRecord
from .model import ExchangeAt, Holiday, Season, Strict, TimeSpec, Visit, Weekday
from .toml_types import TomlDate, TomlDateTime

AGE = re.compile(r"^\s*(?:(\d+)\s*y)?\s*(?:(\d+)\s*m)?\s*$")
RELATIVE_ANCHOR = re.compile(r"^effective(?:\s*([+-])\s*(\d+))?$")
KINDS = ("agreement", "decision", "court_order")


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months``; the 31st (or 29 Feb) falls back to the month's last day.

    >>> add_months(date(2024, 2, 29), 60), add_months(date(2025, 8, 31), 18)
    (datetime.date(2029, 2, 28), datetime.date(2027, 2, 28))
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


class AgeTrigger(Strict):
    """``effective = { child = "mia", age = "5y", at = "birthday" }``.

    ``age`` is years and/or months: ``"5y"``, ``"18m"``, ``"2y6m"``. ``at`` says when
    the change takes effect once the child reaches that age: at the start of the day
    (``birthday``), at the first handover of the schedule in force after that day
    began (``first_exchange_after``), or on the first day of the first school year
    starting on or after it (``school_year_start``; needs ``[school]`` terms).
    """

    child: str
    age: str
    at: Literal["birthday", "first_exchange_after", "school_year_start"] = "birthday"

    @field_validator("age")
    @classmethod
    def _age_shape(cls, value: str) -> str:
        m = AGE.match(value)
        if not m or (m[1] is None and m[2] is None):
            raise ValueError(f"expected an age like '5y', '18m' or '2y6m', got {value!r}")
        return value

    @property
    def months(self) -> int:
        m = AGE.match(self.age)
        assert m is not None
        return int(m[1] or 0) * 12 + int(m[2] or 0)

    def reached_on(self, birth_date: date) -> date:
        """The day the child reaches ``age`` (29 February birthdays: 28 February)."""
        return add_months(birth_date, self.months)


class RotationChange(Strict):
    """A new rotation, or changed keys of the one in force.

    With ``pattern`` the rotation is replaced as a whole (keys not given take their
    defaults); without it only the keys given change. ``anchor`` may be a date or
    ``"effective"`` / ``"effective+N"`` / ``"effective-N"``: the local day the
    amendment takes effect, shifted by N days, so the new cycle starts on that day.
    """

    pattern: str | None = None
    anchor: date | str | None = None
    parents: list[str] | None = None
    options: dict[str, Any] | None = None
    citation: str | None = None

    @field_validator("anchor")
    @classmethod
    def _anchor_shape(cls, value: date | str | None) -> date | str | None:
        if isinstance(value, str) and not RELATIVE_ANCHOR.match(value.strip()):
            raise ValueError(f"expected a date, 'effective' or 'effective+N' (days), got {value!r}")
        return value


class ExchangeChange(Strict):
    """Changed keys of the ``[exchange]`` table in force; the rest carries on.

    ``school_day``, ``non_school_day`` and each weekday entry merge key by key too, so
    ``exchange = { location = "library" }`` moves the handovers and keeps their times.
    """

    time: TimeSpec | None = None
    location: str | None = None
    school_day: ExchangeAt | None = None
    non_school_day: ExchangeAt | None = None
    weekdays: dict[Weekday, ExchangeAt] = Field(default_factory=dict)


class RemovedRules(Strict):
    """Rules of the version in force that end when the amendment takes effect, by name."""

    visits: list[str] = Field(default_factory=list)
    seasons: list[str] = Field(default_factory=list)
    holidays: list[str] = Field(default_factory=list)


class Amendment(DecisionRecord):
    """One change to a schedule, in force from ``effective`` until a later one replaces it.

    Visits, seasons and holidays listed here are added; one with the ``name`` of a rule
    in force replaces that rule. ``remove`` ends rules without a replacement. The
    change applies to the children following ``schedule`` (all of them, or only
    ``children``). ``switch`` chooses how a change that takes effect in the middle of
    someone's time is read (see ``schedule/versions.py``).
    """

    name: str | None = None
    effective: TomlDateTime | TomlDate | AgeTrigger
    kind: Literal["agreement", "decision", "court_order"]
    reason: str = Field(min_length=1)
    cites: str | None = Field(default=None, description="the plan clause it clarifies")
    schedule: str = "default"
    children: list[str] | None = None
    switch: Literal["at_effective", "end_of_block"] | None = None
    rotation: RotationChange | None = None
    exchange: ExchangeChange | None = None
    visits: list[Visit] = Field(default_factory=list)
    seasons: list[Season] = Field(default_factory=list)
    holidays: list[Holiday] = Field(default_factory=list)
    remove: RemovedRules | None = None

    @model_validator(mode="after")
    def _check(self) -> Amendment:
        if isinstance(self.effective, datetime) and self.effective.tzinfo is not None:
            raise ValueError("write the effective time without an offset; the family zone applies")
        if self.kind == "agreement" and not self.agreed_by:
            raise ValueError("an agreement needs agreed_by (the parents who agreed)")
        if self.kind in ("decision", "court_order") and not self.decided_by:
            who = "the coordinator or parent" if self.kind == "decision" else "the court"
            raise ValueError(f"a {self.kind.replace('_', ' ')} needs decided_by ({who})")
        if not self.changes:
            raise ValueError(
                "changes nothing: give rotation, exchange, visits, seasons, holidays or remove"
            )
        if self.children is not None and not self.children:
            raise ValueError("children is empty; leave it out to change every child's schedule")
        return self

    @property
    def changes(self) -> list[str]:
        """The parts of the schedule this amendment changes (for explanations)."""
        parts = [p for p in ("rotation", "exchange") if getattr(self, p) is not None]
        parts += [p for p in ("visits", "seasons", "holidays") if getattr(self, p)]
        if self.remove is not None and any(
            (self.remove.visits, self.remove.seasons, self.remove.holidays)
        ):
            parts.append("remove")
        return parts

    def title(self, index: int) -> str:
        """``amendments[2] 'Step-up at 5'`` (the key alone when it has no name)."""
        key = f"amendments[{index}]"
        return f"{key} '{self.name}'" if self.name else key
