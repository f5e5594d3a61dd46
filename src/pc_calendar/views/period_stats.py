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
    top = "".join(
        f'<th colspan="{len(FIGURES)}">{escape(ctx.parents.get(p, p))}</th>' for p in parents
    )
    sub = "".join(f'<th class="num">{f}</th>' for _ in parents for f in FIGURES)
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
