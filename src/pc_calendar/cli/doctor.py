"""``pc-calendar doctor PLAN``: is every parent's calendar reachable, ours to write, synced?"""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import verbosity
from .common import plan_argument, state_options


def register(cli: click.Group) -> None:
    cli.add_command(doctor)


@click.command()
@plan_argument
@click.option("--parent", "parents", multiple=True, help="Only this parent (repeatable).")
@click.option(
    "--timeout", type=click.FloatRange(min=1), default=15, show_default=True,
    help="Seconds to wait for each network step.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON document for scripts.")
@state_options
def doctor(
    plan_path: Path,
    parents: tuple[str, ...],
    timeout: float,
    as_json: bool,
    state: Path | None,
    state_beside_plan: bool,
) -> None:
    """Check every parent's calendar target and say what to fix.

    Per target, in order: the settings; the server's name, connection, TLS and HTTP
    answer and its clock; the login; the HTTP version a push speaks (HTTP/2 where
    the server offers it, else HTTP/1.1; "http_version" in --json); the calendar;
    whether sync tokens or a ctag make no-op syncs cheap; that we may write (one
    probe event of ours, added and removed again, nothing else touched); and the
    last sync. A failed step skips the steps
    that need it, so the first failure is the one to fix.

    -q prints only the targets with a failed step.

    Exit status: 0 every target is healthy; 1 a step failed; 2 a usage mistake, a
    plan that does not load, or a target whose settings are wrong (file and key named).
    """
    from ..doctor.report import render_text
    from ..doctor.run import diagnose
    from ..sync.state import default_state_path

    state_path = state or default_state_path(plan_path, state_beside_plan)
    reports = diagnose(plan_path, list(parents) or None, state_path, timeout=timeout)
    if as_json:
        data = {"plan": str(plan_path), "targets": [r.as_dict() for r in reports]}
        data["healthy"] = all(r.healthy for r in reports)
        click.echo(json.dumps(data, indent=2))
    elif verbosity.quiet():
        failing = [r for r in reports if not r.healthy]
        if failing:
            click.echo(render_text(failing))
    else:
        click.echo(render_text(reports))
    if not all(r.healthy for r in reports):
        raise SystemExit(1)
