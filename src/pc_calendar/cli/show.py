"""``pc-calendar show``: a month or year grid, an explanation, or a printable HTML/PDF."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..exchanges.status import current_time
from ..fileio import PRIVATE, write_atomic
from ..plan.load import load_plan
from ..plan.model import Plan
from ..schedule.timeline import Timeline
from ..views.days import ViewContext, month_bounds
from ..views.explain import explain_records, print_explain
from ..views.html_calendar import months_of, render_html
from ..views.month_grid import print_months
from ..views.print_style import document_info
from . import pipes, verbosity
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
    help="Write a printable calendar (self-contained HTML) to FILE.",
)
@click.option(
    "--pdf",
    "pdf_path",
    metavar="FILE",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the same calendar as a PDF to FILE (needs pc-calendar[pdf]).",
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
    pdf_path: Path | None,
    overnight_at: str,
) -> None:
    """Show who has the children, day by day, for a month or a year.

    Each day of the grid shows the parent who has the children that night (see
    --overnight-at) in that parent's colour, with HH:MM->ID for each exchange that day.
    --html and --pdf write a document for printing or a filing: each page names the
    family, the plan file with its SHA-256 and the amendment in force, and when it was
    generated ($PC_CALENDAR_NOW fixes that time); each month has its figures per parent.
    -q leaves out the "wrote" lines and the warnings.

    Exit status: 0 shown or written; 2 a mistake in the plan, the options or a path.
    """
    convention = parse_check_time(overnight_at)
    plan = load_plan(plan_path)
    start, end = resolve_range(month, year, family_zone(plan))
    children = choose_children(plan, child)
    timeline = timeline_for(plan, start, end)
    print_warnings(timeline)
    ctx = ViewContext.from_plan(plan, convention)
    months = months_of(start, end)
    if html_path is not None or pdf_path is not None:
        _write_documents(plan, plan_path, timeline, months, ctx, children, html_path, pdf_path)
    if as_json:
        records = explain_records(timeline, start, end, ctx, children)
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    console = pipes.console(highlight=False)
    if explain:
        print_explain(console, explain_records(timeline, start, end, ctx, children), ctx)
    elif html_path is None and pdf_path is None:
        print_months(console, timeline, months, ctx, children)


def _write_documents(
    plan: Plan,
    plan_path: Path,
    timeline: Timeline,
    months: list[tuple[int, int]],
    ctx: ViewContext,
    children: list[str] | None,
    html_path: Path | None,
    pdf_path: Path | None,
) -> None:
    """The calendar document as HTML and/or PDF, both from the same page (the PDF
    first: if it cannot be made, nothing is written)."""
    title = "Parenting-time calendar"
    if len(months) == 12 and months[0][1] == 1:
        title += f" {months[0][0]}"
    period = (month_bounds(*months[0])[0], month_bounds(*months[-1])[1])
    info = document_info(plan, plan_path, title, current_time(), children, period)
    html = render_html(timeline, months, ctx, children, info)
    what = f"{len(months)} month{'s' if len(months) > 1 else ''}"
    from ..views.pdf import write_pdf

    if pdf_path is not None:
        for warning in write_pdf(pdf_path, html, "show --pdf"):
            verbosity.warn(f"PDF: {warning}")
        verbosity.say(f"wrote {pdf_path} ({what})")
    if html_path is not None:
        write_atomic(html_path, html, mode=PRIVATE)
        verbosity.say(f"wrote {html_path} ({what})")


def register(cli: click.Group) -> None:
    cli.add_command(show)
