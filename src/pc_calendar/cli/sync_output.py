"""What ``pc-calendar sync`` prints: a line per calendar, the caseload's table, ``--json``.

The same for a full sync and a quick no-op (:mod:`pc_calendar.sync.quick`): both hand
their results here, so their output cannot drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from . import verbosity
from .caseload_view import print_table


def _noteworthy(summary: Any) -> bool:
    """What -q still prints: a calendar that changed, failed, was skipped or met a conflict."""
    return bool(summary.writes or summary.conflicts or not summary.ok)


def echo_calendar(summary: Any, prefix: str) -> None:
    """A calendar's line and details; -q: only if noteworthy, without warnings."""
    if verbosity.quiet():
        if _noteworthy(summary):
            click.echo(prefix + summary.line().splitlines()[0])
            _details(summary, prefix or "  ")
        return
    click.echo(prefix + summary.line())
    _details(summary, prefix or "  ")
    verbosity.detail(f"{prefix or '  '}{_requests(summary)}; target set in {summary.source}")


def _requests(summary: Any) -> str:
    return f"{summary.requests} request{'s' if summary.requests != 1 else ''}"


def _details(summary: Any, indent: str) -> None:
    for c in summary.conflicts:
        click.echo(f"{indent}conflict: {c.title}: parent {c.change} it; {c.resolution}")
    for problem in summary.problems:
        click.echo(f"{indent}problem: {problem}")


HEADERS = ["family", "parent", "target", "created", "updated", "deleted", "unchanged"]
HEADERS += ["conflicts", "status"]


def print_caseload(results: list[Any], request: Any, tty: bool) -> None:
    rows: list[list[str | int]] = []
    for r in results:
        if r.error is not None or not r.calendars:
            status = "failed" if r.error else "no targets"
            rows.append([r.name, "-", "-", "-", "-", "-", "-", "-", status])
        for c in r.calendars:
            rows.append(
                [r.name, c.parent, c.target, c.created, c.updated, c.deleted, c.unchanged]
                + [len(c.conflicts), c.status]
            )
    title = "sync (dry run: nothing was written)" if request.dry_run else "sync"
    print_table(HEADERS, rows, tty, title)
    click.echo()
    for r in results:
        if r.error is not None:
            click.echo(f"{r.name} ({r.plan_path}): FAILED: {r.error}")
        for c in r.calendars:
            if c.error is not None or c.skipped is not None:
                click.echo(f"{r.name}: {c.line()}")
            _details(c, f"{r.name}: ")
            verbosity.detail(
                f"{r.name}: {c.parent} -> {c.target}: {_requests(c)}; target set in {c.source}"
            )
    calendars = [c for r in results for c in r.calendars]
    failed = sum(1 for r in results if r.error) + sum(1 for c in calendars if c.error)
    skipped = sum(1 for c in calendars if c.skipped)
    ok = sum(1 for c in calendars if c.ok)
    click.echo(
        f"{len(results)} families, {len(calendars)} calendars: {ok} ok, {failed} failed, "
        f"{skipped} skipped" + (" (dry run: nothing was written)" if request.dry_run else "")
    )


def _common(values: list[Any]) -> Any:
    return values[0] if values and all(v == values[0] for v in values) else None


def echo_json(results: list[Any], request: Any, plan_path: Path | None) -> None:
    """One shape for one plan and many: ``calendars`` (flat) and ``families``."""
    calendars = []
    for r in results:
        for c in r.calendars:
            calendars.append({"family": r.family, "plan": str(r.plan_path), **c.as_dict()})
    starts = [r.start.isoformat() for r in results if r.start]
    ends = [r.end.isoformat() for r in results if r.end]
    data: dict[str, Any] = {
        "plan": str(plan_path) if plan_path else None,
        "from": _common(starts),
        "to": _common(ends),
        "dry_run": request.dry_run,
        "ok": all(r.ok for r in results),
        "calendars": calendars,
        "families": [r.as_dict() for r in results],
    }
    click.echo(json.dumps(data, indent=2))
