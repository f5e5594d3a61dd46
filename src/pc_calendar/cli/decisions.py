"""``pc-calendar decisions PLAN``: the register of swaps, decisions and amendments.

Thin: the register is :mod:`pc_calendar.compare.decisions`. "Today" is the family's
local date of ``$PC_CALENDAR_NOW`` when set (scripts, tests), else of the clock. A
review that is due is reported, never an error: the exit status is 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import plan_argument


@click.command("decisions")
@plan_argument
@click.option("--json", "as_json", is_flag=True, help="The register as JSON.")
@click.option("--due", is_flag=True, help="Only the entries whose review is due.")
def decisions(plan_path: Path, as_json: bool, due: bool) -> None:
    """List every swap, decision and amendment, with reviews due and fees.

    \b
    In date order (decided_on): who agreed or decided and when, why, when it
    applies, what it changed (overnights and hours per parent, worked out with
    and without it: over its own dates for a swap or decision, over its first
    year for an amendment), its review date (flagged once due) and how its fee
    was apportioned; the fees are summed per parent.
    -q and -v do not change the register (it is the result).

    Exit status: 0 listed (a review that is due does not change it); 2 a
    mistake in the plan.
    """
    from ..compare.decisions import build_register, family_today
    from ..compare.decisions_view import register_json, render_text
    from ..plan.load import load_plan

    plan = load_plan(plan_path)
    register = build_register(plan, family_today(plan))
    if due:
        register.decisions = register.reviews_due
    if as_json:
        click.echo(json.dumps(register_json(register), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(register), nl=False)


def register(cli: click.Group) -> None:
    cli.add_command(decisions)
