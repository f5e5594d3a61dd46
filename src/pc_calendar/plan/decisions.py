"""Who decided a change, when, and on what terms: one metadata model for every change.

Swaps, coordinator decisions (``[[overrides]]``) and amendments (``[[amendments]]``)
all record the same facts, so the register of decisions reads them the same way:
who agreed or decided, on which day, when the coordinator means to look at it again
(``review_on``: "monitor the impact, modify if necessary") and how the coordinator's
fee for it is apportioned between the parents (``fees``, percent per parent).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .toml_types import TomlDate


class DecisionRecord(BaseModel):
    """The shared metadata; subclasses say which of ``agreed_by``/``decided_by`` they need."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agreed_by: list[str] = Field(default_factory=list)
    decided_by: str | None = None
    decided_on: TomlDate
    review_on: TomlDate | None = Field(
        default=None, description="when the coordinator reviews whether the change works"
    )
    fees: dict[str, float] | None = Field(
        default=None, description="percent of the coordinator's fee per parent, summing to 100"
    )

    @field_validator("fees")
    @classmethod
    def _fees_are_percentages(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return value
        if not value:
            raise ValueError("name at least one parent, e.g. { alex = 50, sam = 50 }")
        for parent, share in value.items():
            if not 0 <= share <= 100:
                raise ValueError(f"{parent}: expected a percentage from 0 to 100, got {share}")
        total = sum(value.values())
        if abs(total - 100) > 1e-9:
            raise ValueError(f"the shares must add up to 100 (percent), they add up to {total:g}")
        return value

    @model_validator(mode="after")
    def _review_after_decision(self) -> DecisionRecord:
        if self.review_on is not None and self.review_on < self.decided_on:
            raise ValueError(f"review_on {self.review_on} is before decided_on {self.decided_on}")
        return self
