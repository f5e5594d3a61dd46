"""A printable, colour-coded month or year calendar as one self-contained HTML page.

No scripts, fonts or images from elsewhere: the page must print the same offline years
later. A day's background shows its custodians left to right in proportion to the
hours each had that day, so a day with an exchange shows both colours; the text says
the same (parent name, exchange time, holiday) for black-and-white printers. Output is
deterministic (no generation timestamp) so a re-run yields an identical file.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta
from html import escape

from ..schedule.timeline import Timeline
from .days import (
    NONE_FILL,
    SPLIT_FILL,
    DayView,
    ViewContext,
    build_days,
    holiday_owner,
    local_time,
    month_bounds,
)

CSS = """
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 1.5rem;
       color: #111; }
header h1 { margin: 0 0 .2rem 0; font-size: 1.6rem; }
header p { margin: .1rem 0; color: #333; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; margin: .8rem 0 1rem 0;
          font-size: .9rem; }
.legend span.key { display: inline-flex; align-items: center; gap: .35rem; }
.swatch { display: inline-block; width: 1.1rem; height: .9rem; border: 1px solid #555; }
.months { display: grid; grid-template-columns: repeat(auto-fill, minmax(30rem, 1fr));
          gap: 1.2rem; }
.month h2 { margin: 0 0 .3rem 0; font-size: 1.2rem; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th { font-size: .8rem; font-weight: 600; padding: .2rem; border: 1px solid #888;
     background: #f2f2f2; }
td { border: 1px solid #888; vertical-align: top; height: 4.6rem; padding: .15rem .25rem;
     font-size: .72rem; line-height: 1.15; overflow: hidden; }
td.pad { background: #fafafa; }
td .num { font-weight: 700; font-size: .85rem; }
td .who { font-weight: 600; }
td .hol { font-style: italic; }
td.holiday { outline: 2px solid #b22222; outline-offset: -3px; }
footer { margin-top: 1rem; font-size: .8rem; color: #444; }
@page { size: landscape; margin: 10mm; }
@media print {
  body { margin: 0; font-size: 10pt; }
  .months { display: block; }
  .month { break-inside: avoid; page-break-inside: avoid; margin-bottom: 6mm; }
  .month + .month { break-before: page; page-break-before: always; }
  td { height: 22mm; }
}
"""

EXCHANGE_MARK = "⇄"


def _fill(day: DayView, ctx: ViewContext) -> str:
    """CSS background: one colour, or bands in proportion to each custodian's time."""

    def colour(seg) -> str:
        if seg.parent:
            return ctx.colour(seg.parent)[1]
        return SPLIT_FILL if seg.split else NONE_FILL

    segs = day.segments
    if len(segs) == 1:
        return colour(segs[0])
    total = (segs[-1].end - segs[0].start) / timedelta(seconds=1)
    stops, at = [], 0.0
    for seg in segs:
        nxt = at + (seg.end - seg.start) / timedelta(seconds=1) / total * 100
        stops.append(f"{colour(seg)} {at:.2f}% {nxt:.2f}%")
        at = nxt
    return f"linear-gradient(to right, {', '.join(stops)})"


def _day_cell(day: DayView, timeline: Timeline, ctx: ViewContext) -> str:
    if day.night_parent:
        who = escape(ctx.parents.get(day.night_parent, day.night_parent))
    elif day.split:
        who = escape(
            "; ".join(
                f"{ctx.children.get(c, c)}: {ctx.parents.get(p, p)}"
                for c, p in day.night.items()
                if p
            )
        )
    else:
        who = ""
    parts = [f'<div class="num">{day.day.day}</div>', f'<div class="who">{who}</div>']
    for ex in day.exchanges:
        to = escape(ctx.parents.get(ex.to_parent, ex.to_parent))
        parts.append(
            f'<div class="ex">{EXCHANGE_MARK} {local_time(ex, timeline):%H:%M} &rarr; {to}</div>'
        )
    for h in day.holidays:
        owner = holiday_owner(h, timeline, ctx.parents)
        title = f' title="{escape(owner)}"' if owner else ""
        extra = f" ({escape(owner)})" if h.split_at is not None else ""
        parts.append(f'<div class="hol"{title}>{escape(h.name)}{extra}</div>')
    classes = "day holiday" if day.holidays else "day"
    style = f"background: {_fill(day, ctx)}"
    return f'<td class="{classes}" style="{escape(style)}">{"".join(parts)}</td>'


def _month(timeline: Timeline, year: int, month: int, ctx: ViewContext, children) -> str:
    first, end = month_bounds(year, month)
    days = {d.day: d for d in build_days(timeline, first, end, children, ctx.convention)}
    rows = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells = [
            _day_cell(days[d], timeline, ctx) if d in days else '<td class="pad"></td>'
            for d in week
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{n}</th>" for n in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
    return (
        f'<section class="month"><h2>{calendar.month_name[month]} {year}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _legend(ctx: ViewContext) -> str:
    keys = [
        f'<span class="key"><span class="swatch" style="background: {ctx.colour(pid)[1]}">'
        f"</span>{escape(name)} ({escape(pid)})</span>"
        for pid, name in ctx.parents.items()
    ]
    keys.append(
        f'<span class="key"><span class="swatch" style="background: {SPLIT_FILL}"></span>'
        "children with different parents</span>"
    )
    keys.append(f'<span class="key">{EXCHANGE_MARK} HH:MM &rarr; exchange that day</span>')
    keys.append('<span class="key"><i>Name</i> holiday (red outline)</span>')
    return '<section class="legend">' + "".join(keys) + "</section>"


def render_html(
    timeline: Timeline,
    months: Sequence[tuple[int, int]],
    ctx: ViewContext,
    children: list[str] | None = None,
) -> str:
    """The whole page for ``months`` (consecutive (year, month) pairs)."""
    first = month_bounds(*months[0])[0]
    last = month_bounds(*months[-1])[1] - timedelta(days=1)
    span = f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y}"
    names = [ctx.children.get(c, c) for c in (children or list(ctx.children))]
    title = f"{ctx.family_name} – {span}"
    night = ctx.convention.when()
    body = "".join(_month(timeline, y, m, ctx, children) for y, m in months)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(ctx.family_name)}</h1>"
        f'<p class="range">{escape(span)} · times in {escape(timeline.zone.key)}</p>'
        f'<p class="children">Children: {escape(", ".join(names))}</p></header>'
        f"{_legend(ctx)}"
        f'<main class="months">{body}</main>'
        f"<footer>Each day names who has the children that night ({escape(night)}); its "
        "colours show who has them during the day, left to right in proportion to the "
        "hours.</footer>"
        "</body></html>\n"
    )


def months_of(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) pairs covering local dates ``[start, end)``."""
    out, y, m = [], start.year, start.month
    while date(y, m, 1) < end:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
