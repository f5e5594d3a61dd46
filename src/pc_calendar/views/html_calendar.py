"""A printable month or year calendar as one self-contained HTML page (and PDF source).

No scripts, fonts or images from elsewhere: the page must print the same offline years
later. A day's background shows its custodians left to right in proportion to the
hours each had that day, each parent with a colour *and* a pattern, and the text says
the same (who has the night, each child on a split day, handover time and place,
holiday) for black-and-white printers. Each month is one printed page with its own
figures (overnights, hours, percentages per parent, from ``schedule.stats``) and the
legend; a year starts with a summary page. The page furniture (family, plan file and
hash, amendment in force, generation time, page numbers) comes from ``print_style``.
Without a ``DocumentInfo`` the output is deterministic (no generation time).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from html import escape

from ..schedule.timeline import Timeline
from .day_fill import fill_style, legend_swatch
from .days import DayView, ViewContext, build_days, holiday_owner, local_time, month_bounds
from .period_stats import months_table, period_stats, stats_table
from .print_style import BASE_CSS, DocumentInfo, day_span, head_html, masthead_html, page_css

CALENDAR_CSS = """
.month { margin-bottom: 8mm; }
.month h2 { margin: 0 0 2pt 0; font-size: 13pt; }
table.grid { width: 100%; table-layout: fixed; }
table.grid th { font-size: 8.5pt; padding: 1pt; }
table.grid td { vertical-align: top; height: 17.5mm; padding: 1pt 2.5pt; font-size: 7pt;
                line-height: 1.2; overflow: hidden; }
table.grid.weeks-6 td { height: 15.5mm; }
table.grid td.pad { background: #f4f4f4; }
td .num { font-weight: bold; font-size: 8.5pt; }
td .who { font-weight: bold; }
td .who, td .ex, td .hol { background: rgba(255, 255, 255, .78); display: inline; }
td .line { display: block; }
td .place { font-size: 6.5pt; padding-left: 6pt; }
td .place span { background: rgba(255, 255, 255, .78); }
td .hol { font-style: italic; }
td.holiday { outline: 1.5pt solid #111; outline-offset: -2.5pt; }
table.stats { margin-top: 3pt; font-size: 7.5pt; }
table.stats caption { text-align: left; font-weight: bold; font-size: 8pt; padding: 1pt 0; }
table.stats th, table.stats td { padding: 0.5pt 3pt; }
.legend { display: flex; flex-wrap: wrap; gap: 1pt 10pt; margin-top: 3pt; font-size: 7.5pt; }
.legend .key { display: inline-block; white-space: nowrap; }
.swatch { display: inline-block; width: 7mm; height: 3.2mm; border: 0.75pt solid #444;
          vertical-align: middle; margin-right: 2pt; }
.summary table { font-size: 8pt; margin: 3pt 0; }
.summary h2 { margin-top: 5pt; }
body.one-month .masthead h1 { font-size: 13pt; }
body.one-month .masthead p { display: inline; font-size: 8pt; }
body.one-month .masthead p + p::before { content: " · "; }
@media screen { .months { display: grid; gap: 1.2rem;
                          grid-template-columns: repeat(auto-fill, minmax(34rem, 1fr)); } }
@media print {
  .month { break-inside: avoid; page-break-inside: avoid; margin: 0; }
  .summary + .months, .month + .month { break-before: page; page-break-before: always; }
}
"""

EXCHANGE_MARK = "⇄"
PLACE_MARK = "↳"  # the handover place, under its handovers
PAGE_LEGEND = (
    "Legend: each day names who has the children that night; shading and pattern show "
    "who has them during the day; ⇄ HH:MM → name: handover, ↳ its place; "
    "outlined day: holiday (whose)."
)


def _who_lines(day: DayView, ctx: ViewContext) -> list[str]:
    """Who has the night: one name, or on a split day one line per child."""
    if day.night_parent:
        return [ctx.parents.get(day.night_parent, day.night_parent)]
    if day.split:
        return [
            f"{ctx.children.get(c, c)}: {ctx.parents.get(p, p)}" for c, p in day.night.items() if p
        ]
    return []


def _exchange_lines(day: DayView, timeline: Timeline, ctx: ViewContext, wanted: list[str]) -> str:
    """Each handover (time, children if not all, receiving parent); the place under the
    handovers that use it, once for consecutive handovers at the same place."""
    parts: list[str] = []
    for i, ex in enumerate(day.exchanges):
        to = ctx.parents.get(ex.to_parent, ex.to_parent)
        who = ""
        if sorted(ex.children) != sorted(wanted):
            who = ", ".join(ctx.children.get(c, c) for c in ex.children) + " "
        text = f"{EXCHANGE_MARK} {local_time(ex, timeline):%H:%M} {escape(who)}&rarr; {escape(to)}"
        parts.append(f'<span class="line"><span class="ex">{text}</span></span>')
        place = ctx.location_name(ex.location)
        following = day.exchanges[i + 1] if i + 1 < len(day.exchanges) else None
        if place and (following is None or following.location != ex.location):
            parts.append(
                f'<span class="line place"><span>{PLACE_MARK} {escape(place)}</span></span>'
            )
    return "".join(parts)


def _day_cell(day: DayView, timeline: Timeline, ctx: ViewContext, wanted: list[str]) -> str:
    parts = [f'<div class="num">{day.day.day}</div>']
    parts += [
        f'<span class="line"><span class="who">{escape(line)}</span></span>'
        for line in _who_lines(day, ctx)
    ]
    parts.append(_exchange_lines(day, timeline, ctx, wanted))
    for h in day.holidays:
        owner = holiday_owner(h, timeline, ctx.parents)
        text = f"{h.name} ({owner})" if owner else h.name
        parts.append(f'<span class="line"><span class="hol">{escape(text)}</span></span>')
    classes = "day holiday" if day.holidays else "day"
    return f'<td class="{classes}" style="{escape(fill_style(day, ctx))}">{"".join(parts)}</td>'


def _legend(ctx: ViewContext) -> str:
    keys = [
        f'<span class="key">{legend_swatch(pid, ctx)}{escape(name)}</span>'
        for pid, name in ctx.parents.items()
    ]
    keys.append(
        f'<span class="key">{legend_swatch(None, ctx)}children with different parents</span>'
    )
    keys.append(
        f'<span class="key">{EXCHANGE_MARK} HH:MM &rarr; name: handover; '
        f"{PLACE_MARK} its place</span>"
    )
    keys.append('<span class="key"><i>Holiday (whose)</i> in an outlined day</span>')
    return '<div class="legend">' + "".join(keys) + "</div>"


def _month(
    timeline: Timeline, year: int, month: int, ctx: ViewContext, children: list[str] | None
) -> str:
    first, end = month_bounds(year, month)
    wanted = list(timeline.children) if children is None else children
    days = {d.day: d for d in build_days(timeline, first, end, children, ctx.convention)}
    rows = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells = [
            _day_cell(days[d], timeline, ctx, wanted) if d in days else '<td class="pad"></td>'
            for d in week
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{n}</th>" for n in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
    figures = stats_table(
        period_stats(timeline, first, end, ctx, children), ctx, calendar.month_name[month], end
    )
    return (
        f'<section class="month"><h2>{calendar.month_name[month]} {year}</h2>'
        f'<table class="grid weeks-{len(rows)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{figures}{_legend(ctx)}</section>"
    )


def _places(timeline: Timeline, first: date, end: date, ctx: ViewContext, wanted) -> str:
    """Handover places of the period with how many handovers each (names, not ids)."""
    counts: dict[str, int] = {}
    for ex in timeline.merged_exchanges(wanted):
        if first <= local_time(ex, timeline).date() < end:
            place = ctx.location_name(ex.location) or "(no place in the plan)"
            counts[place] = counts.get(place, 0) + 1
    if not counts:
        return "<p>No handovers in this period.</p>"
    rows = "".join(
        f'<tr><td>{escape(p)}</td><td class="num">{n}</td></tr>' for p, n in sorted(counts.items())
    )
    return (
        '<table class="places"><thead><tr><th>Handover place</th><th class="num">Handovers'
        f"</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _summary(
    timeline: Timeline, first: date, end: date, ctx: ViewContext, children: list[str] | None
) -> str:
    wanted = list(timeline.children) if children is None else children
    figures = stats_table(
        period_stats(timeline, first, end, ctx, children),
        ctx,
        f"Whole period: {day_span(first, end)}",
        end,
    )
    return (
        f'<section class="summary"><h2>Parenting time, {escape(day_span(first, end))}</h2>'
        f'{figures}<p class="note">{escape(ctx.convention.describe())} Hours are exact '
        "durations (a daylight-saving day has 23 or 25); percentages are exact shares "
        "rounded to two decimals, as the <code>stats</code> command prints them.</p>"
        f"{months_table(timeline, first, end, ctx, children)}"
        f"<h2>Handover places</h2>{_places(timeline, first, end, ctx, wanted)}"
        f"{_legend(ctx)}</section>"
    )


def render_html(
    timeline: Timeline,
    months: Sequence[tuple[int, int]],
    ctx: ViewContext,
    children: list[str] | None = None,
    info: DocumentInfo | None = None,
) -> str:
    """The whole document for ``months`` (consecutive (year, month) pairs).

    More than one month starts with a summary page (the period's figures and handover
    places). ``info`` adds the printed furniture; without it the page is deterministic.
    """
    first = month_bounds(*months[0])[0]
    end = month_bounds(*months[-1])[1]
    span = day_span(first, end)
    names = tuple(ctx.children.get(c, c) for c in (children or list(ctx.children)))
    info = info or DocumentInfo("Parenting-time calendar", ctx.family_name, names, None, None, "")
    css = BASE_CSS + CALENDAR_CSS + page_css(info, PAGE_LEGEND)
    subtitle = span
    summary = _summary(timeline, first, end, ctx, children) if len(months) > 1 else ""
    body = "".join(_month(timeline, y, m, ctx, children) for y, m in months)
    layout = "one-month" if len(months) == 1 else "many-months"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en">{head_html(info, css)}<body class="{layout}">'
        f"{masthead_html(info, subtitle)}{summary}"
        f'<main class="months">{body}</main>'
        "</body></html>\n"
    )


def months_of(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) pairs covering local dates ``[start, end)``."""
    out, y, m = [], start.year, start.month
    while date(y, m, 1) < end:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
