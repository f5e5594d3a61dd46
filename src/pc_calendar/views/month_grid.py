"""Month grids for the terminal (rich), Monday to Sunday, coloured by parent.

Every cell of a month has one width and every line is padded to it, so the colour fills
the whole cell. The width is what the month's longest line needs (at least 10 columns),
as far as the terminal allows; a line still too long wraps inside its cell, so a name is
never cut. The text
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

CELL = 10  # the narrowest cell: "18:00→sam" fits
BORDERS = 8  # the vertical lines of a seven-column grid
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EXCHANGE_MARK = "→"
HOLIDAY_MARK = "*"


def cell_width(lines: Sequence[str], terminal_width: int) -> int:
    """What the longest line needs, within what seven cells can get from the terminal."""
    fits = max(CELL, (terminal_width - BORDERS) // 7)
    return max(CELL, min(max((len(line) for line in lines), default=CELL), fits))


def _wrap(line: str, width: int) -> list[str]:
    """A line too long for its cell, cut into pieces that fit (nothing is dropped)."""
    return [line[i : i + width] for i in range(0, len(line), width)] or [""]


def _cell_lines(day: DayView, timeline: Timeline) -> list[str]:
    head = f"{day.day.day:>2}" + (f" {HOLIDAY_MARK}" if day.holidays else "")
    who = day.night_parent or ("split" if day.split else "-")
    lines = [head, who]
    for ex in day.exchanges:
        lines.append(f"{local_time(ex, timeline):%H:%M}{EXCHANGE_MARK}{ex.to_parent}")
    return lines


def _cell_style(day: DayView, ctx: ViewContext) -> str:
    if day.night_parent:
        return ctx.colour(day.night_parent)[0]
    return SPLIT_STYLE if day.split else NONE_STYLE


def month_table(
    timeline: Timeline,
    year: int,
    month: int,
    ctx: ViewContext,
    children: list[str] | None,
    terminal_width: int = 80,
) -> RenderableType:
    """One month: title, a Mon..Sun grid, and the month's holidays below it."""
    first, end = month_bounds(year, month)
    days = {d.day: d for d in build_days(timeline, first, end, children, ctx.convention)}
    raw = {d: _cell_lines(view, timeline) for d, view in days.items()}
    width = cell_width([line for lines in raw.values() for line in lines], terminal_width)
    table = Table(
        title=f"{calendar.month_name[month]} {year}",
        box=box.SQUARE,
        padding=(0, 0),
        show_lines=True,
        expand=False,
    )
    for name in WEEKDAYS:
        table.add_column(name, width=width, min_width=width, max_width=width, no_wrap=True)
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells = {
            d: [piece for line in raw[d] for piece in _wrap(line, width)] for d in week if d in raw
        }
        height = max(len(lines) for lines in cells.values())
        row: list[Text] = []
        for d in week:
            if d not in cells:
                row.append(Text("\n".join([" " * width] * height)))
                continue
            lines = cells[d] + [""] * (height - len(cells[d]))
            row.append(
                Text(
                    "\n".join(line.ljust(width) for line in lines), style=_cell_style(days[d], ctx)
                )
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
        console.print(month_table(timeline, year, month, ctx, children, console.width))
    console.print(legend(ctx, timeline, children), soft_wrap=True)
