"""``pc-calendar stats``: overnights and hours per parent, exact, per child and family.

Figures come from ``schedule.stats`` as integers and Fractions. The table rounds
percentages to 2 decimals (half up); ``--json`` carries the exact values as well
(counts, reduced fractions, and decimals to 12 places).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..plan.load import load_plan
from ..plan.model import Plan
from ..schedule.stats import ChildStats, NightConvention, Stats, compute_stats, hours
from . import pipes
from .common import plan_argument
from .stats_periods import amendment_periods
from .timeline_args import (
    choose_children,
    family_zone,
    overnight_help,
    parse_check_time,
    print_warnings,
    resolve_range,
    timeline_for,
)

FAMILY_BASIS = "child-nights and child-hours summed over the children"


def decimal(value: Fraction, places: int) -> str:
    """``value`` rounded half up to ``places`` decimals, exactly (no float involved)."""
    scale = 10**places
    n = (value * scale + Fraction(1, 2)).__floor__()
    sign = "-" if n < 0 else ""
    whole, frac = divmod(abs(n), scale)
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"


def exact(value: Fraction) -> str:
    """A Fraction as '183/365', or '12' when it is whole."""
    return str(value.numerator) if value.denominator == 1 else str(value)


def _age_birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # born 29 February
        return date(birth.year + years, 3, 1)


def coverage_note(plan: Plan, stats: Stats, child: ChildStats) -> str | None:
    """Why a child's counted nights fall short of the range's, in words."""
    if not child.partial or child.child is None:
        return None
    info = next(c for c in plan.children if c.id == child.child)
    reasons = []
    if info.birth_date > stats.start:
        reasons.append(f"born {info.birth_date}")
    leaves = _age_birthday(info.birth_date, info.until_age)
    if leaves < stats.end:
        reasons.append(f"turns {info.until_age} on {leaves} and leaves the schedule")
    why = "; ".join(reasons) or "the timeline covers only part of the range"
    if not child.nights:
        return f"{info.name}: {why}; no nights in the range are counted"
    return (
        f"{info.name}: {why}; only the {child.nights} nights of {child.first_night} to "
        f"{child.last_night} in the child's timeline are counted (of {child.range_nights})"
    )


def share_record(cs: ChildStats, parent: str, plan: Plan) -> dict[str, Any]:
    share = cs.shares[parent]
    record: dict[str, Any] = {
        "parent": parent,
        "name": plan.parents[parent].name if parent in plan.parents else parent,
        "overnights": share.overnights,
        "nights": cs.nights,
        "percent": None,
        "percent_exact": None,
        "fraction": None,
        "seconds": share.time // timedelta(seconds=1),
        "hours": decimal(share.hours, 12).rstrip("0").rstrip("."),
        "hours_exact": exact(share.hours),
        "hours_percent": None,
        "hours_fraction": None,
    }
    nf, tf = cs.night_fraction(parent), cs.time_fraction(parent)
    if nf is not None:
        record |= {
            "percent": decimal(nf * 100, 12),
            "percent_exact": exact(nf * 100),
            "fraction": f"{nf.numerator}/{nf.denominator}",
        }
    if tf is not None:
        record |= {
            "hours_percent": decimal(tf * 100, 12),
            "hours_fraction": f"{tf.numerator}/{tf.denominator}",
        }
    return record


def child_record(plan: Plan, stats: Stats, cs: ChildStats) -> dict[str, Any]:
    name = next((c.name for c in plan.children if c.id == cs.child), None)
    return {
        "child": cs.child,
        "name": name,
        "nights": cs.nights,
        "range_nights": cs.range_nights,
        "first_night": cs.first_night.isoformat() if cs.first_night else None,
        "last_night": cs.last_night.isoformat() if cs.last_night else None,
        "hours": exact(hours(cs.time)),
        "range_hours": exact(hours(cs.range_time)),
        "partial": cs.partial,
        "note": coverage_note(plan, stats, cs),
        "parents": [share_record(cs, p, plan) for p in stats.parents],
    }


def stats_json(plan: Plan, stats: Stats) -> dict[str, Any]:
    family = None
    if stats.family is not None:
        family = child_record(plan, stats, stats.family) | {"basis": FAMILY_BASIS}
    return {
        "family": plan.family.name,
        "timezone": stats.zone.key,
        "start": stats.start.isoformat(),
        "end": stats.end.isoformat(),
        "end_is_exclusive": True,
        "convention": {
            "check_time": stats.convention.at.strftime("%H:%M"),
            "description": stats.convention.describe(),
        },
        "children": [child_record(plan, stats, c) for c in stats.children],
        "totals": family,
    }


def _pct(value: Fraction | None) -> str:
    return "-" if value is None else f"{decimal(value * 100, 2)}%"


def _table(title: str, plan: Plan, stats: Stats, cs: ChildStats) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold")
    for header in ("Parent", "Overnights", "% nights", "Hours", "% hours"):
        table.add_column(header, justify="left" if header == "Parent" else "right")
    for parent in stats.parents:
        share = cs.shares[parent]
        name = plan.parents[parent].name if parent in plan.parents else parent
        table.add_row(
            f"{name} ({parent})",
            str(share.overnights),
            _pct(cs.night_fraction(parent)),
            decimal(share.hours, 2),
            _pct(cs.time_fraction(parent)),
        )
    table.add_row(
        "Total",
        str(cs.nights),
        _pct(Fraction(1) if cs.nights else None),
        decimal(hours(cs.time), 2),
        _pct(Fraction(1) if cs.time else None),
        style="bold",
    )
    return table


def print_stats(console: Console, plan: Plan, stats: Stats) -> None:
    nights = (stats.end - stats.start).days
    last = stats.end - timedelta(days=1)
    console.print(
        Text(
            f"{plan.family.name}: parenting time {stats.start} to {last} "
            f"({nights} nights), {stats.zone.key}",
            style="bold",
        ),
        soft_wrap=True,
    )
    console.print(
        f"Convention: {stats.convention.describe()} Hours are exact "
        "durations (DST days have 23 or 25 hours).",
        soft_wrap=True,
    )
    for cs in stats.children:
        name = next(c.name for c in plan.children if c.id == cs.child)
        console.print(_table(f"{name} ({cs.child})", plan, stats, cs))
        note = coverage_note(plan, stats, cs)
        if note:
            console.print(Text(f"  note: {note}", style="yellow"), soft_wrap=True)
    if stats.family is not None:
        console.print(_table(f"Family ({FAMILY_BASIS})", plan, stats, stats.family))


@click.command("stats")
@plan_argument
@click.option("--year", type=int, metavar="YYYY", help="The calendar year (default: this year).")
@click.option("--month", metavar="YYYY-MM", help="One month instead of a year.")
@click.option("--child", metavar="ID", help="Only this child (default: each child and family).")
@click.option("--overnight-at", default="00:00", metavar="HH:MM", help=overnight_help)
@click.option("--json", "as_json", is_flag=True, help="Exact values as JSON.")
@click.option(
    "--split-at-amendments",
    is_flag=True,
    help="Figures for each period between the dates amendments take effect.",
)
def stats(
    plan_path: Path,
    year: int | None,
    month: str | None,
    child: str | None,
    overnight_at: str,
    as_json: bool,
    split_at_amendments: bool,
) -> None:
    """Overnights and hours per parent with exact percentages.

    \b
    Convention: the night of a date runs from its evening into the next
    morning and counts for the parent who has the child at midnight (00:00)
    that night; --overnight-at picks another check time (e.g. 03:00).
    Hours are exact durations between UTC instants (DST days have 23 or 25).
    Percentages are exact fractions, shown to 2 decimals; --json adds the exact
    values. Family rows sum child-nights over the children. A child born or
    leaving the schedule mid-range counts only the nights in their timeline,
    with a note saying so. -q leaves out the engine's warnings on stderr.

    Exit status: 0 the figures were printed; 2 a mistake in the plan or the options.
    """
    convention: NightConvention = parse_check_time(overnight_at)
    plan = load_plan(plan_path)
    start, end = resolve_range(month, year, family_zone(plan), default="year")
    children = choose_children(plan, child)
    timeline = timeline_for(plan, start, end)
    print_warnings(timeline)
    if split_at_amendments:
        periods = amendment_periods(timeline, start, end, children)
        results = [
            (period, compute_stats(timeline, period.start, period.end, convention=convention,
                                   children=children, parents=plan.parent_ids))
            for period in periods
        ]  # fmt: skip
        if as_json:
            payload = [period.record() | stats_json(plan, r) for period, r in results]
            click.echo(json.dumps({"periods": payload}, indent=2, ensure_ascii=False))
            return
        console = pipes.console(highlight=False)
        for period, r in results:
            console.print(Text(period.heading(), style="bold underline"), soft_wrap=True)
            print_stats(console, plan, r)
        return
    result = compute_stats(
        timeline, start, end, convention=convention, children=children, parents=plan.parent_ids
    )
    if as_json:
        click.echo(json.dumps(stats_json(plan, result), indent=2, ensure_ascii=False))
    else:
        print_stats(pipes.console(highlight=False), plan, result)


def register(cli: click.Group) -> None:
    cli.add_command(stats)
