"""``report --format html|pdf``: the exchange report as a document for a filing.

The same furniture as the printed calendar (plan file and SHA-256, amendment in force,
generation time, page numbers) and names instead of ids.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import click

from ..exchanges.render import render_html
from ..exchanges.report import Report
from ..fileio import PRIVATE, write_atomic
from ..plan.model import Plan
from ..views.days import ViewContext
from ..views.period_stats import months_table
from ..views.print_style import document_info
from . import verbosity
from .timeline_args import timeline_for


def report_html(plan: Plan, plan_path: Path, report: Report) -> str:
    info = document_info(
        plan, plan_path, "Exchange report", report.generated_at, period=(report.start, report.end)
    )
    names = {pid: p.name for pid, p in plan.parents.items()}
    ctx = ViewContext.from_plan(plan)
    timeline = timeline_for(plan, report.start, report.end)
    planned = (
        '<section class="planned"><h2>Planned parenting time</h2>'
        f"{months_table(timeline, report.start, report.end, ctx, None)}"
        f'<p class="note">{escape(ctx.convention.describe())} As the <code>stats</code> '
        "command counts; the overnights lost to missed exchanges are in the table above.</p>"
        "</section>"
    )
    return render_html(report, info, names, planned)


def write_report_document(
    plan: Plan, plan_path: Path, report: Report, fmt: str, output: Path | None, what: str
) -> None:
    """Print or write the HTML document, or write it as a PDF (``output`` required)."""
    from ..views.pdf import write_pdf

    html = report_html(plan, plan_path, report)
    if output is None:
        click.echo(html, nl=False)
        return
    if fmt == "html":
        write_atomic(output, html, mode=PRIVATE)
    else:
        for warning in write_pdf(output, html, "report --format pdf"):
            verbosity.warn(f"PDF: {warning}")
    verbosity.say(f"wrote {output} ({what})", err=True)
