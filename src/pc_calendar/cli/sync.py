"""``pc-calendar sync``: push each parent's events into their own calendar.

Default range: from the first day of last month through two years after the first day
of this month (today in the family's time zone), so a sync keeps recent history and the
next two years. Our events starting before ``--from`` or from ``--to`` on are left alone.
Exit status: 0 when every calendar synced, 1 when any failed (the others still ran),
2 for a mistake in the plan or options.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from ..errors import UserError
from ..plan.model import Plan
from .common import parse_date, plan_argument

#: fewer writes than this in a calendar: no progress bar, it would only flicker
PROGRESS_MIN = 25


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


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[str, int], Callable[[int], None]] | None]:
    if not enabled:
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:

        def start(label: str, total: int) -> Callable[[int], None]:
            if total < PROGRESS_MIN:
                return lambda n: None
            task = bar.add_task(f"pushing to {label}", total=total)
            return lambda n: bar.advance(task, n)

        yield start


def run_sync(
    plan_path: Path,
    parents: tuple[str, ...],
    start: str | None,
    end: str | None,
    dry_run: bool,
    yes: bool,
    conflicts: str,
    as_json: bool,
    state: Path | None,
    state_beside_plan: bool,
) -> int:
    """The command's work; returns the exit status."""
    from ..plan.load import load_plan
    from ..sync.runner import SyncOptions, sync_family
    from ..sync.state import StateStore, default_state_path

    plan = load_plan(plan_path)
    chosen = _parent_ids(plan, parents)
    first, last = default_range(_family_today(plan))
    first = parse_date(start, "--from") if start else first
    last = parse_date(end, "--to") if end else last
    if last <= first:
        raise UserError(f"--to {last} must be after --from {first} (--to is exclusive)")
    state_path = state or default_state_path(plan_path, state_beside_plan)
    options = SyncOptions(start=first, end=last, dry_run=dry_run, yes=yes, policy=conflicts)  # type: ignore[arg-type]
    show_bar = not as_json and sys.stdout.isatty()
    with StateStore(state_path, readonly=dry_run) as store, _progress_bar(show_bar) as bar:
        summaries = sync_family(plan_path, options, store, chosen or None, progress=bar)
    ok = all(s.ok for s in summaries)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "plan": str(plan_path),
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                    "dry_run": dry_run,
                    "ok": ok,
                    "calendars": [s.as_dict() for s in summaries],
                },
                indent=2,
            )
        )
    else:
        if not summaries:
            click.echo(
                'no parent has a calendar target; add calendar = { type = "ics", '
                'folder = "out/NAME" } to a parent'
            )
        for s in summaries:
            click.echo(s.line())
            for c in s.conflicts:
                click.echo(f"  conflict: {c.title}: parent {c.change} it; {c.resolution}")
            for problem in s.problems:
                click.echo(f"  problem: {problem}")
        if dry_run:
            click.echo(f"dry run {first} .. {last}: nothing was written")
    return 0 if ok else 1


def register(cli: click.Group) -> None:
    @cli.command("sync")
    @plan_argument
    @click.option(
        "--parent",
        "parents",
        multiple=True,
        metavar="NAME",
        help="Only this parent's calendar: id or name (repeatable).",
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
    @click.option(
        "--state",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Sync state file (default: $PC_CALENDAR_STATE or the user data dir).",
    )
    @click.option(
        "--state-beside-plan",
        is_flag=True,
        help="Keep the sync state in PLAN.sync-state.sqlite next to the plan.",
    )
    def sync_command(
        plan_path: Path,
        parents: tuple[str, ...],
        start: str | None,
        end: str | None,
        dry_run: bool,
        yes: bool,
        conflicts: str,
        as_json: bool,
        state: Path | None,
        state_beside_plan: bool,
    ) -> None:
        """Push each parent's events into their calendar target.

        Creates, updates and deletes only events carrying pc-calendar's marker; a
        second run writes nothing. Targets come from parents.NAME.calendar in the plan
        or from calendars.toml beside it. Our events starting outside --from/--to are
        left alone. Exit status 0 when every calendar synced, 1 when any failed (the
        others still ran), 2 for a mistake in the plan or options.
        """
        status = run_sync(
            plan_path,
            parents,
            start,
            end,
            dry_run,
            yes,
            conflicts,
            as_json,
            state,
            state_beside_plan,
        )
        if status:
            # SystemExit, not click's Exit: the non-standalone main would swallow its code
            raise SystemExit(status)
