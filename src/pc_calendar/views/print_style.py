"""What every printed document shares: typography, page furniture and the plan's identity.

The year calendar and the exchange report are attached to filings, so each printed page
must say which family, which plan file (name, SHA-256, the amendment in force) and when
it was generated, with page numbers and a legend. They are CSS paged-media margin boxes
(``@page { @top-left {...} }``), which WeasyPrint and Chromium (131 on) both print on
every page; the same facts head the first page for screen readers and older browsers.
Fonts are DejaVu (Debian's default) with generic fallbacks, so a PDF made on a server
looks like the page a browser prints.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..plan.model import Plan

FONTS = '"DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif'
PAGE_SIZE = "letter landscape"  # fits A4 too: content is sized for the smaller of both

BASE_CSS = f"""
* {{ box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
html {{ font-family: {FONTS}; font-size: 10pt; color: #111; line-height: 1.3; }}
body {{ margin: 1.5rem; }}
h1 {{ font-size: 16pt; margin: 0 0 2pt 0; }}
h2 {{ font-size: 12.5pt; margin: 8pt 0 4pt 0; }}
p {{ margin: 2pt 0; }}
.masthead {{ border-bottom: 1.5pt solid #111; padding-bottom: 4pt; margin-bottom: 6pt; }}
.masthead p {{ font-size: 9pt; color: #222; }}
.identity code {{ font-family: "DejaVu Sans Mono", monospace; font-size: 8pt;
                  overflow-wrap: anywhere; }}
table {{ border-collapse: collapse; }}
caption {{ text-align: left; font-weight: bold; padding: 1pt 0; }}
th, td {{ border: 0.75pt solid #777; padding: 1.5pt 4pt; }}
th {{ background: #eee; font-weight: bold; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.note {{ color: #333; font-size: 8.5pt; }}
@media print {{
  body {{ margin: 0; }}
  a {{ color: inherit; text-decoration: none; }}
  thead {{ display: table-header-group; }}
  tr {{ break-inside: avoid; page-break-inside: avoid; }}
  h2 {{ break-after: avoid; page-break-after: avoid; }}
}}
"""


@dataclass(frozen=True)
class PlanIdentity:
    """Which plan file a document was made from: a reader can hash their copy to check."""

    file_name: str
    sha256: str
    amendment: str  # "original plan" or the amendment in force, in words

    @property
    def short(self) -> str:
        return self.sha256[:12]


@dataclass(frozen=True)
class DocumentInfo:
    """The facts printed on every page of a document."""

    title: str
    family: str
    children: tuple[str, ...]
    identity: PlanIdentity | None
    generated: datetime | None  # UTC
    zone: str
    on: date | None = None  # the day the amendment in force is read for
    changes: tuple[str, ...] = ()  # amendments taking effect within the period

    @property
    def generated_text(self) -> str:
        return f"{self.generated.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if self.generated else ""


def _effective_day(plan: Plan, amendment: object) -> tuple[date, str] | None:
    """The first local day an amendment can be in force, and how it starts, in words."""
    effective = getattr(amendment, "effective", None)
    if isinstance(effective, datetime):
        return effective.date(), f"effective {effective:%Y-%m-%d %H:%M}"
    if isinstance(effective, date):
        return effective, f"effective {effective:%Y-%m-%d}"
    child_id, months = getattr(effective, "child", None), getattr(effective, "months", None)
    child = next((c for c in plan.children if c.id == child_id), None)
    if child is None or months is None:
        return None
    from dateutil.relativedelta import relativedelta

    day = child.birth_date + relativedelta(months=months)  # 29 Feb -> 28 Feb
    at = getattr(effective, "at", "birthday")
    when = {"birthday": "", "first_exchange_after": "first handover after "}.get(
        at, "school year starting on or after "
    )
    return day, f"effective {when}{day:%Y-%m-%d} ({child.name} {effective.age})"


def _amendments(plan: Plan) -> list[tuple[date, int, str]]:
    """(first day, position, description) of each amendment whose start is known."""
    out = []
    for index, amendment in enumerate(getattr(plan, "amendments", None) or []):
        start = _effective_day(plan, amendment)
        if start is None:
            continue
        name = getattr(amendment, "name", None) or f"amendment {index + 1}"
        kind = str(getattr(amendment, "kind", "") or "").replace("_", " ")
        decided = getattr(amendment, "decided_on", None)
        words = f"{name} ({kind}{', decided ' + str(decided) if decided else ''}; {start[1]})"
        out.append((start[0], index, words))
    return out


def amendment_in_force(plan: Plan, on: date) -> str:
    """The latest amendment effective on or before ``on``, in words; else "original plan"."""
    found = [a for a in _amendments(plan) if a[0] <= on]
    return max(found)[2] if found else "original plan"


def amendments_between(plan: Plan, first: date, end: date) -> tuple[str, ...]:
    """Amendments taking effect on local dates ``[first, end)``, in words, in date order."""
    return tuple(a[2] for a in sorted(_amendments(plan)) if first <= a[0] < end)


def plan_identity(plan: Plan, plan_path: Path, on: date) -> PlanIdentity:
    """Name and SHA-256 of the plan file's bytes, and the amendment in force ``on``."""
    digest = hashlib.sha256(Path(plan_path).read_bytes()).hexdigest()
    return PlanIdentity(Path(plan_path).name, digest, amendment_in_force(plan, on))


def document_info(
    plan: Plan,
    plan_path: Path | None,
    title: str,
    generated: datetime,
    children: list[str] | None = None,
    period: tuple[date, date] | None = None,
) -> DocumentInfo:
    """Everything the furniture needs; "the document's date" is its generation day.

    ``period`` (local dates, end excluded) adds the amendments taking effect in it.
    """
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(plan.family.timezone)
    on = generated.astimezone(zone).date()
    wanted = children or [c.id for c in plan.children]
    names = tuple(c.name for c in plan.children if c.id in wanted)
    identity = plan_identity(plan, plan_path, on) if plan_path is not None else None
    changes = amendments_between(plan, *period) if period else ()
    return DocumentInfo(title, plan.family.name, names, identity, generated, zone.key, on, changes)


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal that cannot end the ``<style>`` element.

    Quotes, backslashes and ``< > &`` become CSS escapes, so a family called
    "</style>..." stays text.
    """
    out = []
    for ch in text.replace("\n", " "):
        out.append(f"\\{ord(ch):X} " if ch in '"\\<>&' else ch)
    return '"' + "".join(out) + '"'


def page_css(info: DocumentInfo, legend: str = "") -> str:
    """``@page`` rules: running header, footer with page X of Y, and a text legend."""
    top_left = f"{info.family} · {info.title}"
    top_right = (
        f"Plan {info.identity.file_name} · SHA-256 {info.identity.short} · "
        f"{'in force on ' + str(info.on) + ': ' if info.on else ''}{info.identity.amendment}"
        if info.identity
        else ""
    )
    bottom_left = f"Generated {info.generated_text}" if info.generated else ""
    if info.identity:
        bottom_left += f"{' · ' if bottom_left else ''}plan SHA-256 {info.identity.sha256}"
    small = "font-family: " + FONTS + "; font-size: 7.5pt; color: #222;"
    return f"""
@page {{
  size: {PAGE_SIZE}; margin: 16mm 10mm 17mm 10mm;
  @top-left {{ content: {_css_string(top_left)}; {small} font-weight: bold;
               vertical-align: bottom; padding-bottom: 2mm; }}
  @top-right {{ content: {_css_string(top_right)}; {small} text-align: right;
                vertical-align: bottom; padding-bottom: 2mm; }}
  @bottom-left {{ content: {_css_string(legend)} "\\A" {_css_string(bottom_left)};
                  white-space: pre-wrap; {small} vertical-align: top; padding-top: 2mm; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); {small}
                   text-align: right; vertical-align: top; padding-top: 2mm; width: 22mm; }}
}}
"""


def masthead_html(info: DocumentInfo, subtitle: str = "") -> str:
    """The first page's heading: family, children, plan identity in full, generation time."""
    lines = [f"<h1>{escape(info.family)}: {escape(info.title)}</h1>"]
    if subtitle:
        lines.append(f"<p>{escape(subtitle)}</p>")
    if info.children:
        lines.append(f"<p>Children: {escape(', '.join(info.children))}</p>")
    if info.identity:
        ident = info.identity
        lines.append(
            f'<p class="identity">Plan file {escape(ident.file_name)}, SHA-256 '
            f"<code>{ident.sha256}</code>; in force on {info.on or 'the day generated'}: "
            f"{escape(ident.amendment)}</p>"
        )
    if info.changes:
        lines.append(
            f"<p>Amendments taking effect in this period: {escape('; '.join(info.changes))}</p>"
        )
    if info.generated:
        lines.append(
            f"<p>Generated {escape(info.generated_text)}; times in {escape(info.zone)}</p>"
        )
    return '<header class="masthead">' + "".join(lines) + "</header>"


def head_html(info: DocumentInfo, css: str) -> str:
    """``<head>``: title, the plan hash as metadata (PDF keywords), the stylesheet."""
    title = f"{info.family}: {info.title}"
    meta = ['<meta name="generator" content="pc-calendar">']
    if info.identity:
        meta.append(
            f'<meta name="keywords" content="plan {escape(info.identity.file_name)}, '
            f'sha256 {info.identity.sha256}">'
        )
    if info.generated:
        meta.append(f'<meta name="dcterms.created" content="{info.generated.isoformat()}">')
    return (
        '<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{''.join(meta)}<title>{escape(title)}</title><style>{css}</style></head>"
    )


def day_span(first: date, end: date) -> str:
    """``[first, end)`` in words: "1 January 2027 – 31 December 2027"."""
    last = end - timedelta(days=1)
    return f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y}"
