"""One family's sync result, as the CLI prints it and scripts read it (``--json``).

Apart from :mod:`.caseload` so the quick no-op (:mod:`.quick`) builds the same result
without importing the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .summary import CalendarSummary


@dataclass
class FamilyResult:
    """One plan's outcome: its calendars, or why the family as a whole failed."""

    plan_path: Path
    family: str | None = None
    calendars: list[CalendarSummary] = field(default_factory=list)
    error: str | None = None  # the plan itself, or a bug (with ``trace``)
    trace: str | None = None
    start: date | None = None
    end: date | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and all(c.ok for c in self.calendars)

    @property
    def status(self) -> str:
        if self.error is not None:
            return "failed"
        states = {c.status for c in self.calendars}
        for word in ("failed", "problems", "skipped"):
            if word in states:
                return word
        return "ok"

    @property
    def name(self) -> str:
        return self.family or self.plan_path.stem

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan": str(self.plan_path),
            "family": self.family,
            "ok": self.ok,
            "status": self.status,
            "error": self.error,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "seconds": round(self.seconds, 3),
            "calendars": [c.as_dict() for c in self.calendars],
        }
