"""``pc-calendar sync``: push each parent's events into their own calendar.

One plan file: the family's calendars, one line each (as it always was). Several plans
or a folder: the caseload, families synced concurrently on a bounded pool, a live
display on a terminal and a summary table at the end; one family's failure (invalid
plan, wrong password, server down) never stops the others.

Default range: from the first day of last month through two years after the first day
of this month (today in each family's time zone), so a sync keeps recent history and the
next two years. Our events starting before ``--from`` or from ``--to`` on are left alone.
Exit status: 0 when every calendar synced, 1 when any failed or was skipped because
another sync held it (the others still ran), 2 for a mistake in the options, no plans
found, or (a single plan) a mistake in the plan.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from ..errors import UserError
from ..plan.model import Plan
from . import verbosity
from .caseload_view import PROGRESS_MIN, live_caseload, print_table
from .caseload_view import write_progress as _progress_bar
from .common import caseload_options, complete_plans, parse_date, state_options

__all__ = ["PROGRESS_MIN", "_progress_bar", "default_range", "register"]


def default_range(today: date) -> tuple[date, date]:
    """First day of last month .. first day of this month two years on (exclusive).

    >>> default_range(date(2026, 1, 15))
    (datetime.date(2025, 12, 1), datetime.date(2028, 1, 1))
    """
    first = today.replace(day=1)
    start = (
        first.replace(year=first.year - 1, month=12)
        if first.month == 1
        else first.replace(month=first.month - 1)
    )
    return start, first.replace(year=first.year + 2)


def _family_today(plan: Plan) -> date:
    try:
        return datetime.now(ZoneInfo(plan.family.timezone)).date()
    except (KeyError, ValueError):
        return date.today()


def _parent_ids(plan: Plan, names: tuple[str, ...]) -> list[str]:
    """``--parent`` values as ids: an id, or a parent's full or first name (any case)."""
    ids = []
    for name in names:
        if name in plan.parents:
            ids.append(name)
            continue
        wanted = name.casefold()
        found = [
            pid
            for pid, p in plan.parents.items()
            if wanted in (p.name.casefold(), p.name.split()[0].casefold())
        ]
        if len(found) != 1:
            listing = ", ".join(f"{pid} ({p.name})" for pid, p in plan.parents.items())
            raise UserError(
                f"--parent: no single parent called {name!r} in the plan",
                hint=f"parents: {listing}",
            )
        ids.append(found[0])
    return ids


@dataclass
class SyncRequest:
    """The command's options, checked once; ``options_for`` gives one family's."""

    parents: tuple[str, ...]
    start: date | None
    end: date | None
    dry_run: bool
    yes: bool
    conflicts: str
    as_json: bool
    state: Path | None
    state_beside_plan: bool
    jobs: int
    wait: float

    def options_for(self, plan: Plan) -> Any:
        from ..sync.runner import SyncOptions

        first, last = default_range(_family_today(plan))
        first = self.start or first
        last = self.end or last
        if last <= first:
            raise UserError(f"--to {last} must be after --from {first} (--to is exclusive)")
        return SyncOptions(
            start=first,
            end=last,
            dry_run=self.dry_run,
            yes=self.yes,
            policy=self.conflicts,  # type: ignore[arg-type]
        )

    def caseload(self, parents: list[str] | None = None) -> Any:
        from ..sync.caseload import Caseload
        from ..sync.locking import lock_dir_for

        return Caseload(
            options_for=self.options_for,
            state=self.state,
            state_beside_plan=self.state_beside_plan,
            jobs=self.jobs,
            wait=self.wait,
            parents=parents,
            lock_dir=lock_dir_for,
        )


def run_sync(paths: tuple[Path, ...], request: SyncRequest, recursive: bool = False) -> int:
    """The command's work; returns the exit status."""
    from ..sync.caseload import discover_plans

    if len(paths) == 1 and paths[0].is_file():
        return _run_single(paths[0], request)
    plans = discover_plans(paths, recursive)
    if request.parents:
        raise UserError("--parent: only with a single plan file", hint="pass one PLAN.toml")
    return _run_caseload(plans, request)


def _run_single(plan_path: Path, request: SyncRequest) -> int:
    """One plan: errors in it are the user's to fix (exit 2); output as it always was."""
    from ..plan.load import load_plan
    from ..sync.caseload import sync_one

    plan = load_plan(plan_path)
    chosen = _parent_ids(plan, request.parents)
    options = request.options_for(plan)  # a bad range is an error before any work
    show_bar = not request.as_json and sys.stdout.isatty() and not verbosity.quiet()
    with _progress_bar(show_bar) as bar:
        result = sync_one(plan_path, request.caseload(chosen or None), plan, bar)
    if result.error is not None:
        if result.trace:
            click.echo(result.trace, err=True)
        raise UserError(result.error)
    summaries = result.calendars
    if request.as_json:
        _echo_json([result], request, plan_path)
        return 0 if result.ok else 1
    if not summaries:
        click.echo(
            'no parent has a calendar target; add calendar = { type = "ics", '
            'folder = "out/NAME" } to a parent'
        )
    for s in summaries:
        _echo_calendar(s, "")
    if request.dry_run:
        verbosity.say(f"dry run {options.start} .. {options.end}: nothing was written")
    return 0 if result.ok else 1


def _noteworthy(summary: Any) -> bool:
    """What -q still prints: a calendar that changed, failed, was skipped or met a conflict."""
    return bool(summary.writes or summary.conflicts or not summary.ok)


def _echo_calendar(summary: Any, prefix: str) -> None:
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


def _run_caseload(plans: list[Path], request: SyncRequest) -> int:
    from ..sync.caseload import run_caseload

    tty = sys.stdout.isatty() and not request.as_json and not verbosity.quiet()
    with live_caseload(tty, len(plans)) as live:
        progress = live.progress if live is not None else None
        results = run_caseload(plans, request.caseload(), live, progress)
    for result in results:
        if result.trace:
            click.echo(f"{result.plan_path}: {result.trace}", err=True)
    if request.as_json:
        _echo_json(results, request, None)
    elif verbosity.quiet():
        for r in results:
            if r.error is not None:
                click.echo(f"{r.name} ({r.plan_path}): FAILED: {r.error}")
            for c in r.calendars:
                _echo_calendar(c, f"{r.name}: ")
    else:
        _print_caseload(results, request, tty)
    return 0 if all(r.ok for r in results) else 1


HEADERS = ["family", "parent", "target", "created", "updated", "deleted", "unchanged"]
HEADERS += ["conflicts", "status"]


def _print_caseload(results: list[Any], request: SyncRequest, tty: bool) -> None:
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


def _echo_json(results: list[Any], request: SyncRequest, plan_path: Path | None) -> None:
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


def register(cli: click.Group) -> None:
    @cli.command("sync")
    @click.argument(
        "paths",
        nargs=-1,
        required=True,
        metavar="PLANS_OR_FOLDER...",
        type=click.Path(path_type=Path),
        shell_complete=complete_plans,
    )
    @click.option(
        "--parent",
        "parents",
        multiple=True,
        metavar="NAME",
        help="Only this parent's calendar: id or name (repeatable; one plan only).",
    )
    @click.option(
        "--from",
        "start",
        metavar="DATE",
        help="First local day to sync (default: 1st of last month).",
    )
    @click.option(
        "--to",
        "end",
        metavar="DATE",
        help="Day after the last one (default: 1st of this month + 2 years).",
    )
    @click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
    @click.option(
        "--yes", is_flag=True, help="Allow deleting more than 25% (and 10 or more) of our events."
    )
    @click.option(
        "--conflicts",
        type=click.Choice(["plan-wins", "keep-theirs"]),
        default="plan-wins",
        show_default=True,
        help="When a parent edited or deleted one of our events: restore the "
        "plan's version, or keep theirs until the plan's version changes.",
    )
    @click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
    @state_options
    @caseload_options("synced")
    @click.option(
        "--wait",
        type=click.FloatRange(min=0),
        default=0.0,
        metavar="SECONDS",
        help="Wait this long for a calendar another sync holds (default: skip it at once).",
    )
    def sync_command(
        paths: tuple[Path, ...],
        parents: tuple[str, ...],
        start: str | None,
        end: str | None,
        dry_run: bool,
        yes: bool,
        conflicts: str,
        as_json: bool,
        state: Path | None,
        state_beside_plan: bool,
        jobs: int | None,
        wait: float,
        recursive: bool,
    ) -> None:
        """Push each parent's events into their calendar target.

        PLANS_OR_FOLDER: plan files and/or folders (every *.toml plan in a folder except
        calendars.toml). Several families are synced concurrently (--jobs); one
        family's failure never stops the others, and a table sums up at the end.

        Creates, updates and deletes only events carrying pc-calendar's marker; a
        second run writes nothing. Targets come from parents.NAME.calendar in the plan
        or from calendars.toml beside it. Events touching --from/--to are synced
        whole (never cut at midnight); ours lying wholly outside them are left alone.
        A calendar another sync is writing is skipped (or waited for with --wait).
        -q prints only calendars that changed, failed or met a conflict (nothing
        when all is unchanged), no progress and no warnings; -v adds how many
        requests each calendar took and where its target was set.

        Exit status: 0 when every calendar synced, 1 when any failed or was
        skipped (the others still ran), 2 for a mistake in the options or plan, or
        when no plans were found.
        """
        from ..sync.caseload import default_jobs

        request = SyncRequest(
            parents=parents,
            start=parse_date(start, "--from") if start else None,
            end=parse_date(end, "--to") if end else None,
            dry_run=dry_run,
            yes=yes,
            conflicts=conflicts,
            as_json=as_json,
            state=state,
            state_beside_plan=state_beside_plan,
            jobs=jobs or default_jobs(),
            wait=wait,
        )
        if request.start and request.end and request.end <= request.start:
            raise UserError(
                f"--to {request.end} must be after --from {request.start} (--to is exclusive)"
            )
        status = run_sync(paths, request, recursive)
        if status:
            # SystemExit, not click's Exit: the non-standalone main would swallow its code
            raise SystemExit(status)
