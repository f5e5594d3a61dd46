"""Month grids for the terminal (rich), Monday to Sunday, coloured by parent.

Each cell has a fixed width and every line is padded to it, so the grid looks the same
whatever the terminal width (78 columns) and the colour fills the whole cell. The text
carries the same information as the colour (parent id, ``split``), so the grid still
reads with ``NO_COLOR`` or on a printout.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..schedule.timeline import Timeline
from .days import (
    NONE_STYLE,
    SPLIT_STYLE,
    DayView,
    ViewContext,
    build_days,
    holiday_owner,
    local_time,
    month_bounds,
)

CELL = 10
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EXCHANGE_MARK = "→"
HOLIDAY_MARK = "*"


def _fit(text: str) -> str:
    return text if len(text) <= CELL else text[: CELL - 1] + "…"


def _cell_lines(day: DayView, timeline: Timeline) -> list[str]:
    head = f"{day.day.day:>2}" + (f" {HOLIDAY_MARK}" if day.holidays else "")
    who = day.night_parent or ("split" if day.split else "-")
    lines = [head, who]
    for ex in day.exchanges:
        lines.append(f"{local_time(ex, timeline):%H:%M}{EXCHANGE_MARK}{ex.to_parent}")
    return [_fit(line) for line in lines]


def _cell_style(day: DayView, ctx: ViewContext) -> str:
    if day.night_parent:
        return ctx.colour(day.night_parent)[0]
    return SPLIT_STYLE if day.split else NONE_STYLE


def month_table(
    timeline: Timeline, year: int, month: int, ctx: ViewContext, children: list[str] | None
) -> RenderableType:
    """One month: title, a Mon..Sun grid, and the month's holidays below it."""
    first, end = month_bounds(year, month)
    days = {d.day: d for d in build_days(timeline, first, end, children, ctx.convention)}
    table = Table(
        title=f"{calendar.month_name[month]} {year}",
        box=box.SQUARE,
        padding=(0, 0),
        show_lines=True,
        expand=False,
    )
    for name in WEEKDAYS:
        table.add_column(name, width=CELL, min_width=CELL, max_width=CELL, no_wrap=True)
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells = {d: _cell_lines(days[d], timeline) for d in week if d in days}
        height = max(len(lines) for lines in cells.values())
        row: list[Text] = []
        for d in week:
            if d not in cells:
                row.append(Text("\n".join([" " * CELL] * height)))
                continue
            lines = cells[d] + [""] * (height - len(cells[d]))
            row.append(
                Text("\n".join(line.ljust(CELL) for line in lines), style=_cell_style(days[d], ctx))
            )
        table.add_row(*row)
    notes = [
        Text(
            f"  {HOLIDAY_MARK} {_span(h.first, h.last)} {h.name}"
            + (f" ({owner})" if (owner := holiday_owner(h, timeline)) else "")
        )
        for h in timeline.holidays
        if h.first < end and h.last >= first
    ]
    notes += [
        Text(f"  split {_span(lo, hi)}: {who}")
        for lo, hi, who in _split_runs([days[d] for d in sorted(days)], ctx)
    ]
    return Group(table, *notes)


def _span(first: date, last: date) -> str:
    return f"{first:%d %b}" + (f"-{last:%d %b}" if last != first else "")


def _split_runs(days: list[DayView], ctx: ViewContext) -> list[tuple[date, date, str]]:
    """Consecutive split nights with the same arrangement, described child by child."""
    runs: list[tuple[date, date, str]] = []
    for day in days:
        if not day.split:
            continue
        who = ", ".join(f"{ctx.children.get(c, c)} with {p}" for c, p in day.night.items() if p)
        if runs and runs[-1][2] == who and (day.day - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], day.day, who)
        else:
            runs.append((day.day, day.day, who))
    return runs


def legend(ctx: ViewContext, timeline: Timeline, children: list[str] | None) -> Text:
    """Colours, markers and the night convention, printed once below the grid."""
    text = Text("Legend: ")
    for pid, name in ctx.parents.items():
        text.append(f" {pid} ", style=ctx.colour(pid)[0])
        text.append(f" {name}   ")
    text.append(" split ", style=SPLIT_STYLE)
    text.append(" children with different parents\n")
    text.append(f"HH:MM{EXCHANGE_MARK}ID = exchange that day (time, parent receiving); ")
    text.append(f"{HOLIDAY_MARK} = holiday\n")
    who = (
        "the children" if children is None else ", ".join(ctx.children.get(c, c) for c in children)
    )
    text.append(
        f"Each day shows who has {who} on that day's night, {ctx.convention.when()}. "
        f"Times are {timeline.zone.key}."
    )
    return text


def print_months(
    console: Console,
    timeline: Timeline,
    months: Sequence[tuple[int, int]],
    ctx: ViewContext,
    children: list[str] | None,
) -> None:
    """Print each month's grid, then one legend."""
    heading = ctx.family_name
    if children is not None:
        heading += " - " + ", ".join(ctx.children.get(c, c) for c in children)
    console.print(Text(heading, style="bold"), soft_wrap=True)
    for year, month in months:
        console.print(month_table(timeline, year, month, ctx, children))
    console.print(legend(ctx, timeline, children), soft_wrap=True)
