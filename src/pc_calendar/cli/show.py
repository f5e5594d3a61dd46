"""``pc-calendar show``: a month or year grid, an explanation, or a printable HTML page."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console

from ..fileio import write_atomic
from ..plan.load import load_plan
from ..views.days import ViewContext
from ..views.explain import explain_records, print_explain
from ..views.html_calendar import months_of, render_html
from ..views.month_grid import print_months
from .common import plan_argument
from .timeline_args import (
    choose_children,
    family_zone,
    overnight_help,
    parse_check_time,
    print_warnings,
    resolve_range,
    timeline_for,
)


@click.command("show")
@plan_argument
@click.option("--month", metavar="YYYY-MM", help="The month to show (default: this month).")
@click.option("--year", type=int, metavar="YYYY", help="Show all twelve months of a year.")
@click.option("--child", metavar="ID", help="Only this child (default: all; split days marked).")
@click.option(
    "--explain", is_flag=True, help="List every custody block and exchange with its rule."
)
@click.option("--json", "as_json", is_flag=True, help="Print the --explain listing as JSON.")
@click.option(
    "--html",
    "html_path",
    metavar="FILE",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a printable colour-coded calendar (self-contained HTML) to FILE.",
)
@click.option("--overnight-at", default="00:00", metavar="HH:MM", help=overnight_help)
def show(
    plan_path: Path,
    month: str | None,
    year: int | None,
    child: str | None,
    explain: bool,
    as_json: bool,
    html_path: Path | None,
    overnight_at: str,
) -> None:
    """Show who has the children, day by day, for a month or a year.

    Each day of the grid shows the parent who has the children that night (see
    --overnight-at) in that parent's colour, with HH:MM->ID for each exchange that day.
    """
    convention = parse_check_time(overnight_at)
    plan = load_plan(plan_path)
    start, end = resolve_range(month, year, family_zone(plan))
    children = choose_children(plan, child)
    timeline = timeline_for(plan, start, end)
    print_warnings(timeline)
    ctx = ViewContext.from_plan(plan, convention)
    months = months_of(start, end)
    if html_path is not None:
        write_atomic(html_path, render_html(timeline, months, ctx, children))
        click.echo(f"wrote {html_path} ({len(months)} month{'s' if len(months) > 1 else ''})")
    if as_json:
        records = explain_records(timeline, start, end, ctx, children)
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    console = Console(highlight=False)
    if explain:
        print_explain(console, explain_records(timeline, start, end, ctx, children), ctx)
    elif html_path is None:
        print_months(console, timeline, months, ctx, children)


def register(cli: click.Group) -> None:
    cli.add_command(show)
