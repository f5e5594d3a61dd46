"""What a sync did (or would do) per calendar, for people and for scripts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .diff import Conflict


@dataclass
class CalendarSummary:
    """One calendar's result. ``error`` set: that calendar failed (others carried on)."""

    parent: str
    target: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    requests: int = 0
    dry_run: bool = False
    #: another process (or family of this run) was syncing the same calendar: why we
    #: left it alone. Not ok: this run did not bring the calendar in sync.
    skipped: str | None = None
    #: what the schedule engine had to guess for this family's range (e.g. a school
    #: calendar that ends before it): not a failure, but the coordinator must see it.
    warnings: list[str] = field(default_factory=list)
    #: where the target was set: the plan's parents.NAME.calendar or calendars.toml
    source: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.problems and self.skipped is None

    @property
    def status(self) -> str:
        """ok | skipped | failed | problems: one word for tables and scripts."""
        if self.skipped is not None:
            return "skipped"
        if self.error is not None:
            return "failed"
        return "problems" if self.problems else "ok"

    @property
    def writes(self) -> int:
        return self.created + self.updated + self.deleted

    def line(self) -> str:
        """One line for the terminal."""
        head = f"{self.parent} -> {self.target}: "
        if self.skipped is not None:
            return head + f"SKIPPED: {self.skipped}"
        if self.error is not None:
            return head + f"FAILED: {self.error}"
        if self.writes == 0 and not self.conflicts:
            body = f"unchanged ({self.unchanged} events)"
        elif self.dry_run:
            body = (
                f"would create {self.created}, update {self.updated}, delete "
                f"{self.deleted}; {self.unchanged} unchanged"
            )
        else:
            body = (
                f"created {self.created}, updated {self.updated}, deleted {self.deleted}, "
                f"unchanged {self.unchanged}"
            )
        if self.conflicts:
            body += f", conflicts {len(self.conflicts)}"
        text = head + body + (" (dry run)" if self.dry_run else "")
        return "\n".join([text, *(f"  warning: {w}" for w in self.warnings)])

    def as_dict(self) -> dict[str, Any]:
        return {
            "parent": self.parent,
            "target": self.target,
            "ok": self.ok,
            "status": self.status,
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "conflicts": [
                {"uid": c.uid, "change": c.change, "resolution": c.resolution, "title": c.title}
                for c in self.conflicts
            ],
            "problems": list(self.problems),
            "error": self.error,
            "skipped": self.skipped,
            "warnings": list(self.warnings),
            "requests": self.requests,
            "source": self.source,
        }
