"""The plan model: what a plan file can say, validated by pydantic.

The TOML shape mirrors these classes one to one; ``docs/plan-reference.md`` documents
them for coordinators. Validation here is structural (types, required keys, spans that
end after they start, references to known parents and locations). Plugin-defined parts
(pattern options, date-rule options) are validated by their plugins in ``plan.load``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .bounds import Bounded
from .decisions import DecisionRecord
from .toml_types import (
    TomlBool,
    TomlDate,
    TomlDateTime,
    TomlInt,
    TomlTime,
)

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt key must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Weekday(StrEnum):
    monday = "monday"
    tuesday = "tuesday"
    wednesday = "wednesday"
    thursday = "thursday"
    friday = "friday"
    saturday = "saturday"
    sunday = "sunday"

    @property
    def index(self) -> int:
        """Python's weekday number (Monday is 0)."""
        return _WEEKDAY_NUMBERS[self]


_WEEKDAY_NUMBERS = {day: number for number, day in enumerate(Weekday)}


class EventKind(StrEnum):
    """What a parent can choose to see in their calendar."""

    own_custody = "own_custody"
    other_custody = "other_custody"
    exchanges = "exchanges"
    holidays = "holidays"


class TimeKeyword(StrEnum):
    """Times that depend on the school calendar rather than the clock."""

    dismissal = "dismissal"  # the school's dismissal time that day
    school_start = "school_start"  # the school's start time that day


TimeSpec = TomlTime | TimeKeyword


class MonthDay(Strict):
    """A recurring day of the year, written "MM-DD" in the plan."""

    month: TomlInt = Field(ge=1, le=12)
    day: TomlInt = Field(ge=1, le=31)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, str):
            m = MONTH_DAY.match(value)
            if not m:
                raise ValueError(f"expected a month-day like '12-28', got {value!r}")
            return {"month": int(m[1]), "day": int(m[2])}
        return value

    @model_validator(mode="after")
    def _check(self) -> MonthDay:
        # 2024 is a leap year: accepts 02-29 but rejects 02-30 and 04-31.
        date(2024, self.month, self.day)
        return self

    def in_year(self, year: int) -> date:
        """This day in ``year``; 29 February falls back to the 28th in common years."""
        try:
            return date(year, self.month, self.day)
        except ValueError:
            return date(year, self.month, self.day - 1)


class Family(Strict):
    id: str = Field(pattern=ID_PATTERN, description="stable id; part of every event UID")
    name: str
    timezone: str = Field(description="IANA zone, e.g. America/Chicago")


class Parent(Strict):
    name: str
    email: str | None = None
    timezone: str | None = None
    birth_date: TomlDate | None = None
    events: list[EventKind] = Field(
        default_factory=lambda: [EventKind.own_custody, EventKind.exchanges, EventKind.holidays]
    )
    reminder_minutes: TomlInt | None = Field(default=60, ge=0, le=7 * 24 * 60)
    calendar: dict[str, Any] | None = Field(
        default=None, description="sync target (type = ics|caldav|google|...); no secrets"
    )


class Child(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    birth_date: TomlDate
    schedule: str = "default"
    until_age: TomlInt = Field(
        default=18, ge=1, le=25, description="leaves the schedule at this age"
    )


class Location(Strict):
    name: str
    address: str | None = None


class ExchangeAt(Strict):
    """Time and place of a handover; any field left out falls back to the next level."""

    time: TimeSpec | None = None
    location: str | None = None


class ExchangeDefaults(Strict):
    """How regular-rotation handovers happen, and where other handovers fall back to.

    Precedence for a rotation handover on a given day: the weekday entry, then
    school_day / non_school_day, then the default time and location (each of time and
    location separately).

    A handover made by another rule (holiday, season block, visit, override) happens at
    that rule's own time and, if the rule names a place (for a holiday: the edge's
    ``location``, then the holiday's), there. Without one it falls back to the
    rotation's place for that day, with one exception: a place that goes with a school
    bell (the level that decides the day's time says ``time = "dismissal"`` or
    ``"school_start"``) is used only for handovers at that bell time. Any other
    handover that day takes the first location among the weekday entry and
    non_school_day entry whose time is not a bell keyword, else the default
    ``location``: at 18:00 the school is closed, so the children are handed over
    where they would be on a day without school.
    """

    time: TimeSpec = time(18, 0)
    location: str | None = None
    school_day: ExchangeAt | None = None
    non_school_day: ExchangeAt | None = None
    weekdays: dict[Weekday, ExchangeAt] = Field(default_factory=dict)


class Rotation(Strict):
    pattern: str
    anchor: TomlDate | None = Field(default=None, description="the day the pattern's cycle starts")
    parents: list[str] | None = Field(
        default=None, description="who fills each slot of the pattern; default: plan order"
    )
    options: dict[str, Any] = Field(default_factory=dict)
    citation: str | None = None


class Visit(Bounded):
    """A visit without an overnight: ``parent`` has the children from start to end."""

    name: str = "midweek visit"
    parent: str
    weekday: Weekday
    start: TimeSpec
    end: TomlTime
    during: Literal["always", "school_term", "outside_school_term"] = "always"
    location: str | None = None
    citation: str | None = None


class SpanEdge(Strict):
    """One end of a holiday span, relative to the holiday's occurrence.

    A start edge is relative to the occurrence's first day, an end edge to its last.
    ``days`` shifts the day; ``weekday`` then snaps to that weekday (on or before for a
    start, on or after for an end); ``school`` then snaps to the last school day before
    the day (``last_school_day_before``), the first one after it
    (``first_school_day_after``) or the day before that first school day
    (``day_before_school_resumes``: "6 p.m. on the day before school resumes", which
    is not always a Sunday); ``month_day`` names a fixed day in the occurrence's year
    instead of the occurrence's day. ``location`` is where the handover at this edge
    happens (default: the holiday's ``location``), e.g. pick up at school, return
    curbside.

    ``midpoint = true`` (``split`` only) names the middle day of the resolved span
    instead: with S and E the local days of the span's start and end instants, the day
    S + floor((E - S) / 2), at ``time`` -- "divided in half at the half-way point" of a
    school break whose length moves every year. It is a calendar day, not the exact
    middle instant, so the handover keeps a sensible clock time; it replaces the other
    day keys, which it therefore excludes.
    """

    days: TomlInt = 0
    weekday: Weekday | None = None
    school: (
        Literal["last_school_day_before", "first_school_day_after", "day_before_school_resumes"]
        | None
    ) = None
    month_day: MonthDay | None = None
    midpoint: TomlBool = False
    time: TimeSpec = time(18, 0)
    location: str | None = None

    @model_validator(mode="after")
    def _midpoint_alone(self) -> SpanEdge:
        if self.midpoint:
            clash = [
                key
                for key, value in (
                    ("days", self.days),
                    ("weekday", self.weekday),
                    ("school", self.school),
                    ("month_day", self.month_day),
                )
                if value
            ]
            if clash:
                raise ValueError(f"midpoint = true names the day itself; remove {', '.join(clash)}")
        return self


class Assignment(Strict):
    """Who gets a holiday or season.

    One ``parent``; or ``even_years`` and ``odd_years`` (by the year of the occurrence's
    first day); or, for holidays only, ``not_in_possession = true``: the parent who
    would not have the children when the span starts (by every lower layer: rotation,
    visits, seasons and lower-priority holidays; overrides are not consulted), as in
    "the parent not otherwise entitled to present possession" of Tex. Fam. Code
    153.314(4). With more than two parents it is the other of the rotation's first two.
    """

    parent: str | None = None
    even_years: str | None = None
    odd_years: str | None = None
    not_in_possession: TomlBool = False

    @model_validator(mode="after")
    def _one_form(self) -> Assignment:
        alternating = self.even_years is not None or self.odd_years is not None
        if self.parent is not None and alternating:
            raise ValueError("give either parent, or even_years and odd_years, not both")
        if alternating and (self.even_years is None or self.odd_years is None):
            raise ValueError("even_years and odd_years must be given together")
        if self.not_in_possession and (self.parent is not None or alternating):
            raise ValueError("not_in_possession = true replaces parent, even_years and odd_years")
        return self

    def parent_for(self, year: int) -> str | None:
        """The parent for an occurrence in ``year`` (None: decided by the engine)."""
        if self.parent is not None:
            return self.parent
        if self.even_years is None:
            return None
        return self.even_years if year % 2 == 0 else self.odd_years


class Holiday(Bounded):
    """A holiday: a date rule, a span around it, and who gets it.

    Without an assignment the holiday is only a label in calendars. With ``split`` the
    span is cut in two halves: the assigned parent gets the first half, the other
    parent the second, so halves alternate when the assignment alternates. The
    handover into the span happens at ``start.location``, the one out of it at
    ``end.location`` (and at a split, ``split.location``), each defaulting to
    ``location``; see ``ExchangeDefaults`` for what applies when none is given.
    """

    name: str
    date: dict[str, Any] = Field(description="{ rule = NAME, ...options of that rule }")
    start: SpanEdge = SpanEdge(days=-1)
    end: SpanEdge = SpanEdge()
    assign: Assignment | None = None
    split: SpanEdge | None = None
    location: str | None = None
    priority: TomlInt = 0
    citation: str | None = None

    @model_validator(mode="after")
    def _split_needs_parent(self) -> Holiday:
        if self.split is not None and self.assign is not None and self.assign.not_in_possession:
            raise ValueError("split needs parent or even_years/odd_years, not not_in_possession")
        if self.start.midpoint or self.end.midpoint:
            raise ValueError("midpoint = true is for split only (the middle of the span)")
        return self

    @field_validator("date")
    @classmethod
    def _has_rule(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(value.get("rule"), str):
            raise ValueError("needs rule = NAME (fixed, nth_weekday, easter, public, ...)")
        return value


class Season(Bounded):
    """A period that replaces the regular rotation: a summer block or summer rotation.

    ``start``/``end`` are either dates (once) or "MM-DD" (every year). The period runs
    from ``start`` at ``start_time`` to ``end`` at ``end_time``. Give either ``assign``
    (a block for one parent) or ``rotation`` (a different rotation for the period).
    """

    name: str
    start: TomlDate | MonthDay
    end: TomlDate | MonthDay
    start_time: TimeSpec = time(18, 0)
    end_time: TimeSpec = time(18, 0)
    assign: Assignment | None = None
    rotation: Rotation | None = None
    location: str | None = None
    citation: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Season:
        if (self.assign is None) == (self.rotation is None):
            raise ValueError("give exactly one of assign or rotation")
        if self.assign is not None and self.assign.not_in_possession:
            raise ValueError("not_in_possession is for holidays; give a season a parent")
        if isinstance(self.start, date) != isinstance(self.end, date):
            raise ValueError("start and end must both be dates or both be 'MM-DD'")
        if isinstance(self.start, date) and self.end < self.start:  # type: ignore[operator]
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class DateRange(Strict):
    name: str = ""
    start: TomlDate
    end: TomlDate = Field(description="last day, included")

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class School(Strict):
    """The school calendar: terms, breaks (listed or imported from ICS), bell times."""

    name: str = "school"
    dismissal: TomlTime = time(15, 0)
    start: TomlTime = time(8, 0)
    terms: list[DateRange] = Field(default_factory=list)
    breaks: list[DateRange] = Field(default_factory=list)
    ics: str | None = Field(default=None, description="path of the district's ICS calendar")
    first_day_events: list[str] | None = Field(
        default=None, description="titles of the ICS's first-day-of-school events"
    )
    last_day_events: list[str] | None = Field(
        default=None, description="titles of the ICS's last-day-of-school events"
    )
    location: str | None = None


class Evidence(Strict):
    """Where the exchange log's head is time-stamped (RFC 3161); no secrets here."""

    tsa_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    tsa_ca: str | None = Field(
        default=None, description="PEM file of the TSA's CA, relative to the plan file"
    )


class Override(DecisionRecord):
    """A one-off swap or coordinator decision. Overrides always win.

    ``agreed_by``, ``decided_by``, ``decided_on``, ``review_on`` and ``fees`` are the
    decision metadata every change shares (``plan/decisions.py``).
    """

    name: str = "override"
    kind: Literal["swap", "decision"] = "swap"
    start: TomlDateTime
    end: TomlDateTime
    parent: str
    children: list[str] | None = Field(default=None, description="default: all children")
    location: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Override:
        for edge in ("start", "end"):
            moment: datetime = getattr(self, edge)
            if moment.tzinfo is not None:
                local = moment.replace(tzinfo=None).isoformat()
                raise ValueError(
                    f"{edge} {moment.isoformat()} has a UTC offset; write the local time "
                    f"without one ({edge} = {local}): the family's time zone applies"
                )
        if self.end <= self.start:
            raise ValueError(f"end {self.end} is not after start {self.start}")
        if self.kind == "swap" and not self.agreed_by:
            raise ValueError("a swap needs agreed_by (the parents who agreed)")
        if self.kind == "decision" and not self.decided_by:
            raise ValueError("a decision needs decided_by")
        return self


class Checkin(Strict):
    """Check-in links in parents' exchange events, served by ``pc-calendar serve``.

    ``url`` is where parents reach that server (its public base URL); without it no
    event carries a link. A parent may report on an exchange from ``before_minutes``
    before it until ``after_minutes`` after it, and answer the other parent's report on
    it for ``respond_days`` after it.
    """

    url: str | None = Field(default=None, description="public base URL of pc-calendar serve")
    before_minutes: int = Field(default=120, ge=0, le=24 * 60)
    after_minutes: int = Field(default=240, ge=0, le=7 * 24 * 60)
    respond_days: int = Field(default=7, ge=0, le=90)

    @field_validator("url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~/-]*)?", value):
            raise ValueError(
                "expected the server's base URL such as https://calendar.example.org "
                "(http or https, no query, no user name or password)"
            )
        return value.rstrip("/")


class Schedule(Strict):
    """One custody schedule; children follow ``default`` unless they name another."""

    rotation: Rotation | None = None
    exchange: ExchangeDefaults = ExchangeDefaults()
    visits: list[Visit] = Field(default_factory=list)
    seasons: list[Season] = Field(default_factory=list)
    holidays: list[Holiday] = Field(default_factory=list)


class Plan(Strict):
    """A whole plan file. Top-level schedule keys form the ``default`` schedule."""

    family: Family
    parents: dict[str, Parent]
    children: list[Child]
    locations: dict[str, Location] = Field(default_factory=dict)
    school: School | None = None
    rotation: Rotation | None = None
    exchange: ExchangeDefaults = ExchangeDefaults()
    visits: list[Visit] = Field(default_factory=list)
    seasons: list[Season] = Field(default_factory=list)
    holidays: list[Holiday] = Field(default_factory=list)
    schedules: dict[str, Schedule] = Field(default_factory=dict)
    overrides: list[Override] = Field(default_factory=list)
    amendments: list[Amendment] = Field(default_factory=list)
    evidence: Evidence = Evidence()
    checkin: Checkin = Checkin()

    @property
    def parent_ids(self) -> list[str]:
        return list(self.parents)

    def schedule(self, name: str) -> Schedule:
        """The named schedule; ``default`` is made of the top-level keys.

        Its parts are this plan's, validated already: ``model_construct`` reuses them
        rather than validating them again (about 30 us a call, once per engine run).
        """
        if name == "default" and "default" not in self.schedules:
            return Schedule.model_construct(
                rotation=self.rotation,
                exchange=self.exchange,
                visits=self.visits,
                seasons=self.seasons,
                holidays=self.holidays,
            )
        return self.schedules[name]


from .amendments import Amendment  # noqa: E402  (amendments build on the models above)

Plan.model_rebuild()
