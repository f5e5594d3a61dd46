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

import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import UserError
from . import verbosity
from .caseload_view import PROGRESS_MIN, live_caseload
from .caseload_view import write_progress as _progress_bar
from .common import caseload_options, complete_plans, parse_date, state_options
from .sync_output import echo_calendar, echo_json, print_caseload

if TYPE_CHECKING:
    from ..plan.model import Plan
    from ..sync.results import FamilyResult

__all__ = ["PROGRESS_MIN", "_progress_bar", "default_range", "family_today", "register"]


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


def family_today(timezone: str) -> date:
    """Today in the family's time zone (the system's day if the zone is unknown)."""
    from zoneinfo import ZoneInfo

    try:
        return datetime.now(ZoneInfo(timezone)).date()
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
    jobs: int | None  # None: the default (sync.caseload.default_jobs)
    wait: float

    def window(self, today: date) -> tuple[date, date]:
        """The range to sync when it is ``today`` in the family's zone."""
        first, last = default_range(today)
        first = self.start or first
        last = self.end or last
        if last <= first:
            raise UserError(f"--to {last} must be after --from {first} (--to is exclusive)")
        return first, last

    def options_for(self, plan: Plan, today: date | None = None) -> Any:
        from ..sync.runner import SyncOptions

        first, last = self.window(today or family_today(plan.family.timezone))
        return SyncOptions(
            start=first,
            end=last,
            dry_run=self.dry_run,
            yes=self.yes,
            policy=self.conflicts,  # type: ignore[arg-type]
        )

    def caseload(self, parents: list[str] | None = None, today: date | None = None) -> Any:
        """How to run; ``today``: the day every family's range starts from (default:
        today in each family's zone)."""
        from ..sync.caseload import Caseload, default_jobs
        from ..sync.locking import lock_dir_for

        return Caseload(
            options_for=lambda plan: self.options_for(plan, today),
            state=self.state,
            state_beside_plan=self.state_beside_plan,
            jobs=self.jobs or default_jobs(),
            wait=self.wait,
            parents=parents,
            lock_dir=lock_dir_for,
            today=lambda zone: today or family_today(zone),
        )

    def quick(self, plan_path: Path) -> Any:
        """The quick no-op's request for one plan (see :mod:`pc_calendar.sync.quick`)."""
        from ..sync.locking import lock_dir_for
        from ..sync.quick import QuickRequest
        from ..sync.state import default_state_path

        state = self.state or default_state_path(plan_path, self.state_beside_plan)
        return QuickRequest(
            plan_path,
            state,
            lock_dir_for(state),
            self.parents,
            self.conflicts,
            window=self.window,
            today=family_today,
        )


def run_sync(paths: tuple[Path, ...], request: SyncRequest, recursive: bool = False) -> int:
    """The command's work; returns the exit status."""
    if len(paths) == 1 and paths[0].is_file():
        return _run_single(paths[0], request)
    from ..sync.caseload_pool import discover_plans

    plans = discover_plans(paths, recursive)
    if request.parents:
        raise UserError("--parent: only with a single plan file", hint="pass one PLAN.toml")
    return _run_caseload(plans, request)


def _run_single(plan_path: Path, request: SyncRequest) -> int:
    """One plan: errors in it are the user's to fix (exit 2); output as it always was.

    A no-op is answered by the quick path when it can vouch for it (see
    :mod:`pc_calendar.sync.quick`), else by the full sync, which prints the same.
    """
    result = _quick_noop(plan_path, request)
    if result is None:
        result = _full_sync(plan_path, request)
    summaries = result.calendars
    if request.as_json:
        echo_json([result], request, plan_path)
        return 0 if result.ok else 1
    if not summaries:
        click.echo(
            'no parent has a calendar target; add calendar = { type = "ics", '
            'folder = "out/NAME" } to a parent'
        )
    for s in summaries:
        echo_calendar(s, "")
    if request.dry_run:
        verbosity.say(f"dry run {result.start} .. {result.end}: nothing was written")
    return 0 if result.ok else 1


def _quick_noop(plan_path: Path, request: SyncRequest) -> FamilyResult | None:
    """The result without loading the plan, if nothing changed since a converged run."""
    if request.dry_run:
        return None
    from ..sync import quick

    result = quick.try_noop(request.quick(plan_path))
    _log_outcome("quick no-op: %s", quick.last_outcome)
    return result


def _log_outcome(message: str, *args: object) -> None:
    """-vv: why the quick path answered or stepped aside (logged by the CLI's thread,
    which knows the verbosity)."""
    if verbosity.level() >= verbosity.DEBUG:
        import logging

        logging.getLogger("pc_calendar.sync.quick").debug(message, *args)


def _full_sync(plan_path: Path, request: SyncRequest) -> FamilyResult:
    """Load the plan and sync it, recording what the quick path needs next time."""
    from ..plan.load import load_plan
    from ..sync.caseload import sync_one
    from ..sync.inputs import reading
    from ..sync.quick_record import Recording

    recording = None if request.dry_run else Recording(plan_path, request.parents)
    with reading(recording.reads if recording is not None else None):
        plan = load_plan(plan_path)
    chosen = _parent_ids(plan, request.parents)
    today = family_today(plan.family.timezone)
    request.window(today)  # a bad range is an error before any work
    if recording is not None:
        recording.today = today
    show_bar = not request.as_json and sys.stdout.isatty() and not verbosity.quiet()
    with _progress_bar(show_bar) as bar:
        caseload = request.caseload(chosen or None, today)
        result = sync_one(plan_path, caseload, plan, bar, recording=recording)
    if result.error is not None:
        if result.trace:
            click.echo(result.trace, err=True)
        raise UserError(result.error)
    return result


def _run_caseload(plans: list[Path], request: SyncRequest) -> int:
    """Every family as a single plan's sync decides: the quick no-op when it can vouch
    for it, else the family's full sync (:mod:`pc_calendar.sync.caseload_quick`)."""
    from ..sync.caseload_pool import default_jobs
    from ..sync.caseload_quick import run_families

    tty = sys.stdout.isatty() and not request.as_json and not verbosity.quiet()
    outcomes: dict[Path, str] = {}
    with live_caseload(tty, len(plans)) as live:
        results = run_families(
            plans,
            request.jobs or default_jobs(),
            request.caseload,
            quick_for=None if request.dry_run else request.quick,
            listener=live,
            progress=live.progress if live is not None else None,
            outcomes=outcomes,
        )
    for path in plans:
        if path in outcomes:
            _log_outcome("%s: quick no-op: %s", path, outcomes[path])
    for result in results:
        if result.trace:
            click.echo(f"{result.plan_path}: {result.trace}", err=True)
    if request.as_json:
        echo_json(results, request, None)
    elif verbosity.quiet():
        for r in results:
            if r.error is not None:
                click.echo(f"{r.name} ({r.plan_path}): FAILED: {r.error}")
            for c in r.calendars:
                echo_calendar(c, f"{r.name}: ")
    else:
        print_caseload(results, request, tty)
    return 0 if all(r.ok for r in results) else 1


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
            jobs=jobs,
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
