"""The comparison as sections of rows, and as plain text.

Rows are plain strings with names, never ids, so the text and the HTML page a
coordinator sends both parents say the same thing in the same words. Months whose
figures do not change are left out of the table (the whole range's line is always
there); ``--json`` has every month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from ..cli.stats import decimal
from ..plan.model import Plan
from ..render import text
from ..schedule.stats import ChildStats
from ..schedule.timeline import Exchange
from .diff_json import owner_text, signed_hours
from .plan_diff import PlanDiff
from .shares import TOTAL, GroupShares

ARROW = "→"


@dataclass(frozen=True)
class Section:
    """A titled table; ``note`` is said under it, ``empty`` instead of it when it has no rows."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    note: str = ""
    empty: str = ""

    @property
    def notes(self) -> list[str]:
        return [n for n in (self.note, "" if self.rows else self.empty) if n]


def _pct(value: Fraction | None) -> str:
    return "-" if value is None else f"{decimal(value * 100, 2)}%"


def _nights(stats: ChildStats, parent: str) -> str:
    share = stats.shares.get(parent)
    return str(share.overnights) if share else "0"


def _hours(stats: ChildStats, parent: str) -> str:
    share = stats.shares.get(parent)
    return decimal(share.hours, 2).rstrip("0").rstrip(".") if share else "0"


def _fraction(stats: ChildStats, parent: str, nights: bool) -> str:
    if parent not in stats.shares:
        return "-"
    return _pct(stats.night_fraction(parent) if nights else stats.time_fraction(parent))


def _signed(n: int) -> str:
    return f"{n:+d}" if n else "0"


def share_section(diff: PlanDiff, group: GroupShares) -> Section:
    names = text.join_names(diff.child_names(group.children))
    rows = []
    for period in [*group.changed_periods, group.total]:
        label = "whole range" if period.period.label == TOTAL else period.period.label
        for i, parent in enumerate(diff.parents):
            b, a = period.before, period.after
            rows.append(
                (
                    label if i == 0 else "",
                    diff.parent_name(parent),
                    f"{_nights(b, parent)} {ARROW} {_nights(a, parent)}",
                    _signed(period.delta_nights(parent)),
                    f"{_fraction(b, parent, True)} {ARROW} {_fraction(a, parent, True)}",
                    f"{_hours(b, parent)} {ARROW} {_hours(a, parent)}",
                    signed_hours(period.delta_time(parent)),
                    f"{_fraction(b, parent, False)} {ARROW} {_fraction(a, parent, False)}",
                )
            )
    changed = len(group.changed_periods)
    note = (
        "No month changes." if not changed else f"{changed} month(s) change; others are the same."
    )
    return Section(
        f"Parenting time: {names}",
        ("Month", "Parent", "Overnights", "Change", "% nights", "Hours", "Change", "% hours"),
        rows,
        note,
    )


def _exchange_words(diff: PlanDiff, ex: Exchange, plan: Plan, *, direction: bool = True) -> str:
    local = ex.at.astimezone(diff.zone)
    words = text.when(local)
    if direction:
        words += (
            f", {diff.parent_name(ex.from_parent)} {ARROW} {diff.parent_name(ex.to_parent)}"
            f" ({text.join_names(diff.child_names(ex.children))})"
        )
    place = text.location_name(plan, ex.location)
    return f"{words} at {place}" if place else words


def exchange_section(diff: PlanDiff) -> Section:
    rows = []
    for change in diff.exchanges:
        if change.change == "moved":
            assert change.before is not None and change.after is not None
            what = _exchange_words(diff, change.before, diff.old)
            now = _exchange_words(diff, change.after, diff.new, direction=False)
            rows.append(("moved", what, now))
        elif change.change == "added":
            assert change.after is not None
            rows.append(("added", "", _exchange_words(diff, change.after, diff.new)))
        else:
            assert change.before is not None
            rows.append(("removed", _exchange_words(diff, change.before, diff.old), ""))
    return Section("Exchanges", ("Change", "Before", "After"), rows, empty="No exchange changes.")


def holiday_section(diff: PlanDiff) -> Section:
    rows = [
        (
            h.name,
            h.first.isoformat() if h.first == h.last else f"{h.first} to {h.last}",
            owner_text(diff, h.before) or "-",
            owner_text(diff, h.after) or "-",
        )
        for h in diff.holidays
    ]
    return Section(
        "Holidays that change hands",
        ("Holiday", "Dates", "Before", "After"),
        rows,
        empty="No holiday changes hands.",
    )


def calendar_section(diff: PlanDiff) -> Section:
    rows = []
    for cal in diff.calendars:
        target = cal.target or "no calendar target"
        rows.append(
            (
                diff.parent_name(cal.parent),
                target,
                str(cal.count("create")),
                str(cal.count("update")),
                str(cal.count("delete")),
            )
        )
    return Section(
        "Calendar events a sync would write",
        ("Parent", "Calendar", "Create", "Update", "Delete"),
        rows,
        "Computed from both plans' events; no calendar was contacted.",
    )


def event_rows(diff: PlanDiff) -> list[tuple[str, str, str, str]]:
    """(parent, change, when, summary) for every event a sync would write."""
    rows = []
    for cal in diff.calendars:
        for e in cal.events:
            start = e.start
            when = (
                ""
                if start is None
                else (
                    text.when(start.astimezone(diff.zone)) if hasattr(start, "hour") else str(start)
                )
            )
            summary = e.summary
            if e.summary_before and e.summary_before != e.summary:
                summary = f"{e.summary_before} {ARROW} {e.summary}"
            rows.append((diff.parent_name(cal.parent), e.change, when, summary))
    return rows


def sections(diff: PlanDiff) -> list[Section]:
    return [
        *(share_section(diff, g) for g in diff.shares),
        exchange_section(diff),
        holiday_section(diff),
        calendar_section(diff),
    ]


def headline(diff: PlanDiff) -> list[str]:
    last = diff.end - timedelta(days=1)
    lines = [
        f"{diff.new.family.name}: {diff.old_label} {ARROW} {diff.new_label}",
        f"Range {diff.start} to {last} ({diff.zone.key}). {diff.convention.describe()}",
    ]
    if diff.children_only_old:
        names = text.join_names(diff.child_names(diff.children_only_old))
        lines.append(f"Only in {diff.old_label}: {names} (not compared)")
    if diff.children_only_new:
        names = text.join_names(diff.child_names(diff.children_only_new))
        lines.append(f"Only in {diff.new_label}: {names} (not compared)")
    if diff.same:
        lines.append("The plans give the same timeline.")
    elif diff.timelines_same:
        writes = sum(len(c.events) for c in diff.calendars)
        lines.append(
            f"The plans give the same timeline, but {writes} calendar event(s) would change "
            "(their wording, places or reminders)."
        )
    else:
        lines.append("The plans differ.")
    return lines


def _table(section: Section) -> list[str]:
    widths = [len(h) for h in section.headers]
    for row in section.rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return ["  " + line(section.headers), *("  " + line(r) for r in section.rows)]


def render_text(diff: PlanDiff, *, events: bool = True) -> str:
    """The comparison as plain text; ``events`` lists each calendar write as well."""
    out = headline(diff)
    for section in sections(diff):
        out += ["", section.title]
        if section.rows:
            out += _table(section)
        out += [f"  {note}" for note in section.notes]
    rows = event_rows(diff)
    if events and rows:
        out += ["", "Events"]
        out += _table(Section("", ("Parent", "Change", "When", "Event"), [tuple(r) for r in rows]))
    return "\n".join(out) + "\n"
