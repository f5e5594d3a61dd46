"""Render a Report as a text table, CSV, JSON or a printable HTML page.

The HTML is one self-contained file (inline CSS and an inline SVG chart, no scripts or
external resources) so it can be printed or attached to a coordinator's file as is.
"""

from __future__ import annotations

import csv
import io
import json
from html import escape

from .agreement import AGREEMENTS
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
    ("unrecorded", "unrecorded"),
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
    "unrecorded": "#8e24aa",
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


def render_svg(report: Report, width: int = 640, height: int = 240) -> str:
    """A stacked bar chart of outcomes per month, as inline SVG."""
    months = list(report.months)
    left, bottom, top, legend = 36, 28, 12, 110
    plot_w, plot_h = width - left - legend, height - top - bottom
    peak = max((sum(c.values()) for c in report.months.values()), default=0) or 1
    slot = plot_w / max(len(months), 1)
    bar = max(min(slot * 0.7, 48), 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Exchange outcomes per month">'
    ]
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
        f'y2="{top + plot_h}" stroke="#333"/>'
    )
    for tick in sorted({0, peak // 2, peak}):
        y = top + plot_h - plot_h * tick / peak
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{tick}</text>'
        )
    for i, month in enumerate(months):
        x = left + slot * i + (slot - bar) / 2
        y = top + plot_h
        for state in STATES:
            count = report.months[month][state]
            if not count:
                continue
            h = plot_h * count / peak
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[state]}"><title>{escape(month)} {state}: {count}'
                f"</title></rect>"
            )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 14}" font-size="10" '
            f'text-anchor="middle">{escape(month)}</text>'
        )
    for i, state in enumerate(STATES):
        y = top + 14 * i
        parts.append(
            f'<rect x="{width - legend + 8}" y="{y}" width="10" height="10" '
            f'fill="{COLOURS[state]}"/><text x="{width - legend + 22}" y="{y + 9}" '
            f'font-size="10">{state}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body { font-family: Georgia, serif; margin: 2em; color: #111; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #999; padding: 0.25em 0.5em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.note { color: #444; font-size: 0.85em; }
.alarm { color: #fff; background: #c62828; padding: 0.5em; font-weight: bold; }
@media print { body { margin: 1cm; } a { color: inherit; } }
@page { size: A4 landscape; margin: 1cm; }
"""


def render_html(report: Report) -> str:
    """A printable HTML page: summary table, chart, exchanges no longer in the plan."""
    title = f"Exchange report: {report.family_name or report.family_id}"
    head = "".join(f"<th>{escape(t)}</th>" for _, t in COLUMNS)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(_cell(p.as_dict()[k]))}</td>" for k, _ in COLUMNS) + "</tr>"
        for p in report.parents
    )
    gone = "".join(
        f"<li>{escape(r.exchange_id)}: {escape(r.state)}</li>" for r in report.no_longer_in_plan
    )
    gone_html = f"<h2>Recorded exchanges no longer in the plan</h2><ul>{gone}</ul>" if gone else ""
    listing = _exchange_table(report)
    broken = report.verification is not None and not report.verification.ok
    evidence = "".join(
        f'<p class="{"alarm" if broken and i == 0 else "note"}">{escape(line)}</p>'
        for i, line in enumerate(standing(report))
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1><h2>What this report stands on</h2>{evidence}"
        f'<p class="note">Family id {escape(report.family_id)}; exchanges from '
        f"{report.start} up to (not including) {report.end}; generated "
        f"{escape(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}. Counts are per "
        f"delivering parent, except late, missed and interference, which count against the "
        f"parent at fault; overnights lost are the receiving parent's nights in the "
        f"block a missed exchange should have started.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        f"<h2>Outcomes per month</h2>{render_svg(report)}{gone_html}"
        f"<h2>Exchanges</h2>{listing}</body></html>\n"
    )


def _exchange_table(report: Report) -> str:
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
            r.from_parent,
            r.to_parent,
            r.place or "",
            state,
            _cell(latest.minutes_late) if latest else "",
            (latest.at_fault_parent or "") if latest else "",
            r.agreement_state or "",
            f"{latest.reported_by} ({latest.channel})"
            if latest and latest.channel
            else (latest.reported_by if latest else ""),
            str(r.record_count),
            (latest.note or "") if latest else "",
        )
        body.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


RENDERERS = {"table": render_table, "csv": render_csv, "json": render_json, "html": render_html}
