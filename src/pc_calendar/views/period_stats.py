"""Overnights, hours and percentages per parent for a period, as an HTML table.

The figures are ``schedule.stats``' own (the ``stats`` command's convention and exact
fractions), formatted the way ``stats`` prints them, so a printed calendar and the
``stats`` output never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from fractions import Fraction
from html import escape

from ..cli.stats import decimal
from ..schedule.stats import ChildStats, Stats, compute_stats, hours
from ..schedule.timeline import Timeline
from .days import ViewContext

FIGURES = ("Overnights", "% nights", "Hours", "% hours")


def percent(value: Fraction | None) -> str:
    """An exact share as the ``stats`` table prints it ("51.61%"), "–" when undefined."""
    return "–" if value is None else f"{decimal(value * 100, 2)}%"


def period_stats(
    timeline: Timeline, first: date, end: date, ctx: ViewContext, children: list[str] | None
) -> Stats:
    """``stats`` for local dates ``[first, end)`` with the plan's parents in plan order.

    A timeline that stops before the last night's check (the CLI computes one more day)
    gives the nights it can decide; ``Stats.end`` then says where they stop.
    """
    while end > first and ctx.convention.check_day(end - timedelta(days=1)) >= timeline.end:
        end -= timedelta(days=1)
    return compute_stats(
        timeline,
        first,
        end,
        convention=ctx.convention,
        children=children,
        parents=list(ctx.parents),
    )


def _cells(cs: ChildStats, parent: str) -> list[str]:
    share = cs.shares[parent]
    return [
        str(share.overnights),
        percent(cs.night_fraction(parent)),
        decimal(share.hours, 2),
        percent(cs.time_fraction(parent)),
    ]


def _header(parents: list[str], ctx: ViewContext) -> tuple[str, str]:
    """The two header rows: each parent's name over their four figures."""
    top = "".join(
        f'<th colspan="{len(FIGURES)}">{escape(ctx.parents.get(p, p))}</th>' for p in parents
    )
    return top, "".join(f'<th class="num">{f}</th>' for _ in parents for f in FIGURES)


def _rows(stats: Stats, ctx: ViewContext) -> Sequence[tuple[str, ChildStats]]:
    rows = [(ctx.children.get(cs.child or "", cs.child or ""), cs) for cs in stats.children]
    if stats.family is not None:
        rows.append(("All children (child-nights)", stats.family))
    return rows


def stats_table(stats: Stats, ctx: ViewContext, caption: str, end: date | None = None) -> str:
    """One row per child (and the family sum), four figures per parent.

    ``end`` is the period's end: when the figures stop before it, the caption says so.
    """
    if end is not None and stats.end < end:
        caption += f" (nights to {stats.end - timedelta(days=1)}, where the timeline ends)"
    parents = stats.parents
    top, sub = _header(parents, ctx)
    body = []
    for name, cs in _rows(stats, ctx):
        cells = "".join(f'<td class="num">{c}</td>' for p in parents for c in _cells(cs, p))
        total = f"{cs.nights} nights, {decimal(hours(cs.time), 2)} h"
        body.append(
            f'<tr><th scope="row">{escape(name)}</th>{cells}<td class="num">{total}</td></tr>'
        )
    return (
        f'<table class="stats"><caption>{escape(caption)}</caption>'
        f'<thead><tr><th rowspan="2">Child</th>{top}<th rowspan="2">Counted</th></tr>'
        f"<tr>{sub}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _month_starts(first: date, end: date) -> list[date]:
    out, day = [], first
    while day < end:
        out.append(day)
        day = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return out


def months_table(
    timeline: Timeline, first: date, end: date, ctx: ViewContext, children: list[str] | None
) -> str:
    """One row per month of ``[first, end)`` (partial months clipped) and the total: each
    parent's overnights, hours and shares, summed over the children."""
    starts = _month_starts(first, end)
    bounds = list(zip(starts, [*starts[1:], end], strict=True))
    periods = [(f"{a:%B %Y}", a, b) for a, b in bounds] + [("Whole period", first, end)]
    body = []
    for label, a, b in periods:
        stats = period_stats(timeline, a, b, ctx, children)
        cs = stats.family or stats.children[0]
        cells = "".join(f'<td class="num">{c}</td>' for p in stats.parents for c in _cells(cs, p))
        row = f'<tr><th scope="row">{escape(label)}</th>{cells}</tr>'
        body.append(row.replace("<tr>", '<tr class="total">') if label == "Whole period" else row)
    several = len(timeline.children if children is None else children) > 1
    top, sub = _header(stats.parents, ctx)
    basis = " (child-nights and child-hours summed over the children)" if several else ""
    return (
        f'<table class="stats months-table"><caption>Planned parenting time per month{basis}'
        f'</caption><thead><tr><th rowspan="2">Month</th>{top}</tr><tr>{sub}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
