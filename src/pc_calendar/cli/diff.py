"""``pc-calendar diff OLD NEW``: what a proposed change to a plan does, before anyone agrees.

Thin: options are parsed here; the comparison is :mod:`pc_calendar.compare`. Exit
status like diff(1): 0 when the plans give the same timeline and calendars, 1 when
they differ, 2 for a mistake (bad plan, bad option, unknown revision).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..errors import UserError
from ..plan.model import Plan
from . import verbosity
from .common import parse_date
from .timeline_args import family_zone, overnight_help, parse_check_time, resolve_range


def choose_range(
    plan: Plan, month: str | None, year: int | None, start: str | None, end: str | None
) -> tuple[date, date]:
    """``--month``/``--year``, or ``--from``/``--to`` (exclusive), else sync's range."""
    from ..exchanges.status import current_time
    from .sync import default_range

    if (month or year is not None) and (start or end):
        raise UserError("give --month or --year, or --from/--to, not both")
    if month or year is not None:
        return resolve_range(month, year, family_zone(plan))
    first, last = default_range(current_time().astimezone(family_zone(plan)).date())
    first = parse_date(start, "--from") if start else first
    last = parse_date(end, "--to") if end else last
    if last <= first:
        raise UserError(f"--to {last} must be after --from {first} (--to is exclusive)")
    return first, last


@click.command("diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--year", type=int, metavar="YYYY", help="One calendar year.")
@click.option("--month", metavar="YYYY-MM", help="One month.")
@click.option("--from", "start", metavar="YYYY-MM-DD", help="First day of the range.")
@click.option("--to", "end", metavar="YYYY-MM-DD", help="Day after the range (exclusive).")
@click.option("--overnight-at", default="00:00", metavar="HH:MM", help=overnight_help)
@click.option("--json", "as_json", is_flag=True, help="The comparison as JSON.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write a printable page for both parents to FILE.",
)
@click.option("--brief", is_flag=True, help="Leave out the list of calendar events.")
def diff(
    old: str,
    new: str,
    year: int | None,
    month: str | None,
    start: str | None,
    end: str | None,
    overnight_at: str,
    as_json: bool,
    html_path: Path | None,
    brief: bool,
) -> int:
    """Compare two plans as timelines: time per parent, exchanges, holidays, calendars.

    \b
    OLD and NEW are plan files; either may be PLAN.toml@REV, the file at a
    git revision (plan.toml@HEAD, plan.toml@v2, plan.toml@HEAD~1), read with
    its school.ics from the same revision. Example: what the edits not yet
    committed do:  pc-calendar diff plan.toml@HEAD plan.toml
    Default range: what sync pushes, from the first day of last month to
    the first day of this month two years on; or --year, --month, --from/--to.
    Overnights follow the stats convention (--overnight-at). Calendar counts
    are what a sync of the range would write, computed without a server.
    -q leaves out the warnings on stderr.
    Exit status: 0 same, 1 different, 2 error.
    """
    import json

    from ..compare.diff_json import diff_json
    from ..compare.diff_view import render_text
    from ..compare.plan_diff import compare_plans
    from ..compare.revision import load_ref, parse_ref

    convention = parse_check_time(overnight_at)
    old_ref, new_ref = parse_ref(old), parse_ref(new)
    old_plan, new_plan = load_ref(old_ref), load_ref(new_ref)
    first, last = choose_range(new_plan, month, year, start, end)
    result = compare_plans(
        old_plan,
        new_plan,
        first,
        last,
        convention=convention,
        labels=(old_ref.label, new_ref.label),
    )
    for warning in result.warnings:
        verbosity.warn(str(warning))
    if html_path is not None:
        from ..compare.diff_html import render_html
        from ..fileio import PRIVATE, write_atomic

        write_atomic(html_path, render_html(result), mode=PRIVATE)
    if as_json:
        click.echo(json.dumps(diff_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(result, events=not brief), nl=False)
    return 0 if result.same else 1


def register(cli: click.Group) -> None:
    cli.add_command(diff)
