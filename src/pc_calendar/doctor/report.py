"""What a doctor run found: one :class:`Check` per step, grouped per target."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"


@dataclass(frozen=True)
class Check:
    """One step: ``status`` is ok, warn, fail or skip; ``next_step`` says what to do."""

    name: str
    status: str
    detail: str
    next_step: str | None = None


@dataclass
class TargetReport:
    """Every check of one parent's target, in the order they ran."""

    parent: str
    target: str
    checks: list[Check] = field(default_factory=list)
    #: the HTTP version a CalDAV target's server answered in ("HTTP/2", "HTTP/1.1")
    http_version: str | None = None

    def add(self, name: str, status: str, detail: str, next_step: str | None = None) -> bool:
        """Record a step; True when later steps may build on it."""
        self.checks.append(Check(name, status, detail, next_step))
        return status in (OK, WARN)

    def skip(self, names: list[str], because: str) -> None:
        for name in names:
            if not any(c.name == name for c in self.checks):
                self.add(name, SKIP, f"not checked: {because}")

    @property
    def healthy(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "healthy": self.healthy}


_MARK = {OK: "ok  ", WARN: "warn", FAIL: "FAIL", SKIP: "skip"}


def render_text(reports: list[TargetReport]) -> str:
    lines = []
    for report in reports:
        verdict = "healthy" if report.healthy else "needs attention"
        lines.append(f"{report.parent}: {report.target} ({verdict})")
        for check in report.checks:
            lines.append(f"  [{_MARK[check.status]}] {check.name}: {check.detail}")
            if check.next_step and check.status in (FAIL, WARN):
                lines.append(f"         next: {check.next_step}")
    return "\n".join(lines)
