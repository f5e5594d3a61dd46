"""``pc-calendar status``: where every family of a caseload stands.

Per family and calendar: when it last synced successfully (and the last error if the
latest attempt failed), the changes a sync would make now (a dry run against the
calendar, or ``--offline`` from the sync state alone: the output says which), and the
overdue or missed exchanges of the last ``--days`` days. Writes nothing.

Exit status: 0 when every family and calendar could be checked, 1 when any could not
(an invalid plan, a calendar that did not answer), 2 for a mistake in the options or
no plans found. What was found (pending changes, overdue exchanges) does not change it.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from ..errors import UserError
from . import verbosity
from .caseload_view import live_caseload, print_table
from .common import caseload_options, complete_plans, parse_date, state_options


def _when(text: str | None) -> str:
    return text.replace("T", " ").replace("Z", " UTC") if text else "never"


def _note(c: Any) -> str:
    if c.error is not None:
        return f"cannot check: {c.error.splitlines()[0]}"
    if c.run is not None and c.run.failing:
        return f"last sync failed {_when(c.run.last_error_at)}: {c.run.last_error.splitlines()[0]}"
    return ""


def _row_text(kind: str, family: str, row: Any) -> str:
    where = f" at {row.location}" if row.location else ""
    side = ""
    if row.latest is not None:
        from ..exchanges.listing import agreement_text

        kind = "INTERFERENCE" if row.latest.status == "interference" else kind
        blamed = row.latest.at_fault_parent
        side = f" {blamed} at fault" if blamed else ""
        side += f" [{agreement_text(row)}]" if row.agreement is not None else ""
    return (
        f"{family}: {kind} {row.local_at:%Y-%m-%d %H:%M} {row.from_parent} -> "
        f"{row.to_parent}{where} ({row.exchange_id}){side}"
    )


def _row_json(row: Any) -> dict[str, Any]:
    return {
        "exchange_id": row.exchange_id,
        "local_at": row.local_at.isoformat(),
        "from": row.from_parent,
        "to": row.to_parent,
        "location": row.location,
        "state": row.state,
        "at_fault": row.latest.at_fault_parent if row.latest else None,
        "agreement": row.agreement_state,
    }


def _family_json(f: Any) -> dict[str, Any]:
    return {
        "plan": str(f.plan_path),
        "family": f.family,
        "ok": f.ok,
        "error": f.error,
        "calendars": [c.as_dict() for c in f.calendars],
        "overdue": [_row_json(r) for r in f.overdue],
        "missed": [_row_json(r) for r in f.missed],
        "disputed": [_row_json(r) for r in f.disputed],
        "exchanges_error": f.exchanges_error,
        "reviews_due": f.reviews_due,
    }


def _print_attention(results: list[Any]) -> None:
    """-q: only what needs attention, one line each, no table and no totals."""
    for f in results:
        if f.error is not None:
            click.echo(f"{f.name}: FAILED: {f.error.splitlines()[0]}")
        for c in f.calendars:
            pending = c.pending.text() if c.pending else None
            if _note(c):
                click.echo(f"{f.name}: {c.parent} -> {c.target}: {_note(c)}")
            elif c.pending and (c.pending.total or c.pending.conflicts):
                click.echo(f"{f.name}: {c.parent} -> {c.target}: pending {pending}")
        _print_exchanges(f)


def _print_exchanges(f: Any) -> None:
    """A family's overdue, missed and disputed exchanges and reviews due, one line each."""
    for row in f.overdue:
        click.echo(_row_text("OVERDUE (no outcome recorded)", f.name, row))
    for row in f.missed:
        click.echo(_row_text("MISSED", f.name, row))
    for line in f.reviews_due:
        click.echo(f"{f.name}: REVIEW DUE {line}")
    for row in f.disputed:
        click.echo(_row_text(f"DISPUTED {row.state}", f.name, row))
    if f.exchanges_error:
        click.echo(f"{f.name}: cannot read the exchange log: {f.exchanges_error}")
    if f.trace:
        click.echo(f.trace, err=True)


def _print(results: list[Any], offline: bool, days: int, tty: bool) -> None:
    if verbosity.quiet():
        _print_attention(results)
        return
    source = "offline, from the sync state" if offline else "dry run against each calendar"
    headers = ["family", "parent", "target", "last success", "pending", "note"]
    rows: list[list[str | int]] = []
    for f in results:
        if f.error is not None:
            rows.append([f.name, "-", "-", "-", "-", f"FAILED: {f.error.splitlines()[0]}"])
        for c in f.calendars:
            run = c.run.last_success if c.run else None
            pending = c.pending.text() if c.pending else "?"
            rows.append([f.name, c.parent, c.target, _when(run), pending, _note(c)])
            if c.run is not None:
                verbosity.detail(
                    f"{f.name}: {c.parent} -> {c.target}: last attempt {_when(c.run.last_attempt)}"
                )
    print_table(headers, rows, tty, f"status (pending: {source})")
    click.echo()
    click.echo(f"pending changes: {source}")
    overdue = missed = 0
    for f in results:
        _print_exchanges(f)
        overdue += len(f.overdue)
        missed += len(f.missed)
    calendars = [c for f in results for c in f.calendars]
    never = sum(1 for c in calendars if c.run is None or c.run.last_success is None)
    failing = sum(1 for c in calendars if c.run is not None and c.run.failing)
    behind = sum(1 for c in calendars if c.pending and (c.pending.total or c.pending.conflicts))
    click.echo(
        f"{len(results)} families, {len(calendars)} calendars: {behind} with pending "
        f"changes, {never} never synced, {failing} failing; {overdue} overdue and "
        f"{missed} missed exchanges in the last {days} days"
    )


def register(cli: click.Group) -> None:
    @cli.command("status")
    @click.argument(
        "paths",
        nargs=-1,
        required=True,
        metavar="PLANS_OR_FOLDER...",
        type=click.Path(path_type=Path),
        shell_complete=complete_plans,
    )
    @click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
    @click.option(
        "--offline",
        is_flag=True,
        help="Work out pending changes from the sync state only (no server is asked; "
        "a parent's edits are not seen).",
    )
    @click.option("--from", "start", metavar="DATE", help="Range start (default: as sync).")
    @click.option("--to", "end", metavar="DATE", help="Range end (default: as sync).")
    @state_options
    @click.option(
        "--days",
        type=click.IntRange(min=1),
        default=30,
        show_default=True,
        help="How far back to look for overdue and missed exchanges.",
    )
    @click.option(
        "--grace",
        type=click.IntRange(min=0),
        default=30,
        show_default=True,
        help="Minutes after an exchange before it counts as overdue.",
    )
    @caseload_options("checked")
    def status_command(
        paths: tuple[Path, ...],
        as_json: bool,
        offline: bool,
        start: str | None,
        end: str | None,
        state: Path | None,
        state_beside_plan: bool,
        days: int,
        grace: int,
        jobs: int | None,
        recursive: bool,
    ) -> None:
        """Show when each family's calendars last synced, what is pending, and
        overdue or missed exchanges across the caseload. Writes nothing.

        -q prints only what needs attention (failures, pending changes, overdue,
        missed and disputed exchanges, reviews due), without the table; -v adds each calendar's
        last attempt.

        Exit status: 0 every family and calendar could be checked; 1 any could not
        (an invalid plan, a calendar that did not answer); 2 a mistake in the options
        or no plans found. Pending changes and overdue exchanges do not change it.
        """
        from ..exchanges.status import current_time
        from ..plugins import get_plugin_manager
        from ..sync.caseload import default_jobs, discover_plans, map_families
        from ..sync.state import default_state_path
        from ..sync.status import StatusRequest, family_status
        from .sync import SyncRequest

        sync_request = SyncRequest(
            parents=(),
            start=parse_date(start, "--from") if start else None,
            end=parse_date(end, "--to") if end else None,
            dry_run=True,
            yes=True,  # only counting: a large deletion is reported, not refused
            conflicts="plan-wins",
            as_json=as_json,
            state=state,
            state_beside_plan=state_beside_plan,
            jobs=jobs or default_jobs(),
            wait=0.0,
        )
        if sync_request.start and sync_request.end and sync_request.end <= sync_request.start:
            raise UserError(f"--to {sync_request.end} must be after --from {sync_request.start}")
        plans = discover_plans(paths, recursive)
        request = StatusRequest(
            options_for=sync_request.options_for,
            state_path=lambda p: state or default_state_path(p, state_beside_plan),
            offline=offline,
            now=current_time(),
            grace=timedelta(minutes=grace),
            days=days,
            pm=get_plugin_manager(),
        )
        tty = sys.stdout.isatty() and not as_json and not verbosity.quiet()
        with live_caseload(tty, len(plans), "checking") as live:
            results = map_families(
                plans, lambda p: family_status(p, request), sync_request.jobs, live
            )
        if as_json:
            data = {
                "now": request.now.isoformat(),
                "pending_source": "state" if offline else "backend",
                "days": days,
                "ok": all(f.ok for f in results),
                "families": [_family_json(f) for f in results],
            }
            click.echo(json.dumps(data, indent=2))
        else:
            _print(results, offline, days, tty)
        if not all(f.ok for f in results):
            raise SystemExit(1)
