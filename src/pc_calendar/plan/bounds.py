"""``from``/``until``: visits, seasons and holidays limited to a stretch of time.

A midweek visit that exists only until a step-up replaces it, a summer block agreed for
two years: the rule itself says when it applies. Its own base model (rather than
``model.Strict``) keeps this module free of the rest of the plan model.
"""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .toml_types import TomlDate, TomlDateTime


def as_datetime(value: date | datetime) -> datetime:
    """A bound as a local date-time: a date means the start of that day."""
    return value if isinstance(value, datetime) else datetime.combine(value, time(0, 0))


class Bounded(BaseModel):
    """Optional ``from``/``until`` limits of a visit, season or holiday rule.

    An occurrence belongs to the rule when it starts at or after ``from`` and before
    ``until`` (a date means the start of that day, so ``until`` is the first day the
    rule no longer applies); occurrences are never cut short by a bound.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    from_: TomlDateTime | TomlDate | None = Field(
        default=None, alias="from", description="first day (or local date-time) it applies"
    )
    until: TomlDateTime | TomlDate | None = Field(
        default=None, description="the first day (or local date-time) it no longer applies"
    )

    @model_validator(mode="after")
    def _bounds_ordered(self) -> Bounded:
        for name, value in (("from", self.from_), ("until", self.until)):
            if isinstance(value, datetime) and value.tzinfo is not None:
                raise ValueError(f"write {name} without an offset; the family zone applies")
        if (
            self.from_ is not None
            and self.until is not None
            and as_datetime(self.until) <= as_datetime(self.from_)
        ):
            raise ValueError(f"until {self.until} is not after from {self.from_}")
        return self
