"""Render a Report as a text table, CSV, JSON or a printable HTML page.

The HTML is one self-contained file (inline CSS and an inline SVG chart, no scripts or
external resources) so it can be printed or attached to a coordinator's file as is.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from html import escape

from ..views.print_style import BASE_CSS, DocumentInfo, head_html, masthead_html, page_css
from .agreement import AGREEMENTS
from .chart import outcome_chart
from .report import STATES, Report


def standing(report: Report) -> list[str]:
    """What the figures stand on: the log's verification, and how many outcomes both
    parents agree on. Printed at the top of every human-readable report."""
    lines = []
    if report.verification is not None:
        from .verification import describe

        if not report.verification.ok:
            lines.append(
                "WARNING: the exchange log FAILED verification; the figures below come "
                "from a log that was altered or damaged"
            )
        lines += describe(report.verification)
    parts = [f"{report.agreement[a]} {a}" for a in AGREEMENTS]
    lines.append(f"recorded outcomes: {', '.join(parts)} (agreed: both parents say so)")
    return lines


COLUMNS = (
    ("parent", "parent"),
    ("scheduled", "scheduled"),
    ("on_time", "on time"),
    ("late", "late"),
    ("late_minutes_total", "late min total"),
    ("late_minutes_median", "late min median"),
    ("missed", "missed"),
    ("interference", "interference"),
    ("faults_agreed", "of these agreed"),
    ("faults_disputed", "disputed"),
    ("faults_one_sided", "one-sided"),
    ("cancelled", "cancelled"),
    ("overdue", "overdue"),
    ("upcoming", "upcoming"),
    ("overnights_planned", "overnights planned"),
    ("overnights_lost", "overnights lost"),
    ("overnights_exercised", "overnights exercised"),
)
COLOURS = {
    "on-time": "#2e7d32",
    "late": "#f9a825",
    "missed": "#c62828",
    "interference": "#4e342e",
    "cancelled": "#6d6d6d",
    "overdue": "#8e24aa",
    "upcoming": "#b0bec5",
}


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render_table(report: Report) -> str:
    """A plain-text table (no terminal codes, so it pipes and diffs cleanly)."""
    header = [title for _, title in COLUMNS]
    body = [[_cell(p.as_dict()[key]) for key, _ in COLUMNS] for p in report.parents]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [
        f"Exchange report for {report.family_id}: {report.start} to {report.end} (end exclusive)",
        *standing(report),
        "Late, missed and interference count against the parent at fault; the other "
        "columns per delivering parent.",
    ]
    for row in [header, *body]:
        lines.append(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    gone = report.no_longer_in_plan
    if gone:
        lines.append("")
        lines.append("Recorded exchanges no longer in the plan:")
        lines.extend(f"  {r.exchange_id}  {r.state}" for r in gone)
    return "\n".join(lines) + "\n"


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([key for key, _ in COLUMNS])
    for p in report.parents:
        writer.writerow(["" if p.as_dict()[k] is None else p.as_dict()[k] for k, _ in COLUMNS])
    return out.getvalue()


def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, sort_keys=True) + "\n"


def render_svg(report: Report, width: int = 720, height: int = 300) -> str:
    """A stacked bar chart of outcomes per month, as inline SVG (see ``chart``)."""
    return outcome_chart(report.months, STATES, COLOURS, width=width, height=height)


_CSS = """
table { border-collapse: collapse; margin: 1em 0; font-size: 8.5pt; }
th, td { border: 0.75pt solid #777; padding: 1.5pt 4pt; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.note { color: #444; font-size: 0.85em; }
.alarm { color: #fff; background: #c62828; padding: 0.5em; font-weight: bold; }
@media print { body { margin: 1cm; } a { color: inherit; } }
@page { size: A4 landscape; margin: 1cm; }
dl.outcomes { display: grid; grid-template-columns: max-content 1fr; gap: 0 8pt;
              font-size: 8.5pt; margin: 4pt 0; }
dl.outcomes dt { font-weight: bold; } dl.outcomes dd { margin: 0; }
.chart { break-inside: avoid; page-break-inside: avoid; }
.chart svg { max-width: 100%; height: auto; }
td:first-child { white-space: nowrap; }
table.listing th, table.listing td { text-align: left; }
table.listing { font-size: 7.5pt; }
table.listing td:nth-child(5) { min-width: 9em; }
table.listing td:nth-child(-n+4) { white-space: nowrap; }
table.listing td:nth-child(7), table.listing td:nth-child(11) { text-align: right; }
@media print { body { margin: 0; } }
"""


DEFINITIONS = {
    "on-time": "handed over within the grace period",
    "late": "handed over late (minutes late recorded)",
    "missed": "did not take place",
    "interference": "the parent at fault kept the exchange, or the other parent's time, "
    "from happening",
    "cancelled": "called off by agreement",
    "overdue": "its time plus the grace period has passed and no outcome is recorded",
    "upcoming": "not yet due",
}
PAGE_LEGEND = "Outcomes: " + "; ".join(f"{k}: {v}" for k, v in DEFINITIONS.items()) + "."


def render_html(
    report: Report,
    info: DocumentInfo | None = None,
    names: Mapping[str, str] | None = None,
    planned: str = "",
) -> str:
    """A printable document: summary table, chart, exchanges no longer in the plan.

    ``info`` adds the printed furniture (plan identity, generation time, page numbers);
    ``names`` maps parent ids to the names shown; ``planned`` is a section of planned
    parenting time per month (HTML) shown before the exchanges.
    """
    names = names or {}
    head = "".join(f"<th>{escape(t)}</th>" for _, t in COLUMNS)
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(names.get(p.parent, p.parent) if k == 'parent' else _cell(v))}</td>"
            for k, v in ((k, p.as_dict()[k]) for k, _ in COLUMNS)
        )
        + "</tr>"
        for p in report.parents
    )
    gone = "".join(
        f"<li>{escape(r.exchange_id)}: {escape(r.state)}</li>" for r in report.no_longer_in_plan
    )
    gone_html = f"<h2>Recorded exchanges no longer in the plan</h2><ul>{gone}</ul>" if gone else ""
    listing = _exchange_table(report, names)
    info = info or DocumentInfo(
        "Exchange report",
        report.family_name or report.family_id,
        (),
        None,
        report.generated_at,
        "UTC",
    )
    css = BASE_CSS + _CSS + page_css(info, PAGE_LEGEND)
    defined = "".join(f"<dt>{s}</dt><dd>{escape(DEFINITIONS.get(s, ''))}</dd>" for s in STATES)
    broken = report.verification is not None and not report.verification.ok
    evidence = "".join(
        f'<p class="{"alarm" if broken and i == 0 else "note"}">{escape(line)}</p>'
        for i, line in enumerate(standing(report))
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en">{head_html(info, css)}<body>'
        f"{masthead_html(info, f'Exchanges from {report.start} up to {report.end} (excluded)')}"
        f"<h2>What this report stands on</h2>{evidence}"
        f'<p class="note">Family id {escape(report.family_id)}; exchanges from '
        f"{report.start} up to (not including) {report.end}; generated "
        f"{escape(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}. Counts are per "
        f"delivering parent, except late, missed and interference, which count against the "
        f"parent at fault; overnights lost are the receiving parent's nights in the "
        f"block a missed exchange should have started.</p>"
        f'<dl class="outcomes">{defined}</dl>'
        f'<table class="summary"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        f'<section class="chart"><h2>Outcomes per month</h2>{render_svg(report)}</section>'
        f"{planned}{gone_html}<h2>Exchanges</h2>{listing}</body></html>\n"
    )


def _exchange_table(report: Report, names: Mapping[str, str]) -> str:
    """Every exchange in the range with its current outcome: the detail behind the counts."""
    head = "".join(
        f"<th>{t}</th>"
        for t in (
            "when",
            "exchange",
            "from",
            "to",
            "place",
            "outcome",
            "minutes late",
            "at fault",
            "agreement",
            "reported by",
            "records",
            "note",
        )
    )
    body = []
    for r in report.rows:
        latest = r.latest
        state = r.state if r.in_plan else f"{r.state} (no longer in plan)"
        cells = (
            f"{r.local_at:%a %Y-%m-%d %H:%M}",
            r.exchange_id,
            names.get(r.from_parent, r.from_parent),
            names.get(r.to_parent, r.to_parent),
            r.place or "",
            state,
            _cell(latest.minutes_late) if latest else "",
            names.get(latest.at_fault_parent, latest.at_fault_parent or "") if latest else "",
            r.agreement_state or "",
            (
                f"{names.get(latest.reported_by, latest.reported_by)} ({latest.channel})"
                if latest.channel
                else names.get(latest.reported_by, latest.reported_by)
            )
            if latest
            else "",
            str(r.record_count),
            (latest.note or "") if latest else "",
        )
        body.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return (
        f'<table class="listing"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
        "</table>"
    )


RENDERERS = {"table": render_table, "csv": render_csv, "json": render_json, "html": render_html}
