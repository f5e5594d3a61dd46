"""What ``check`` says about amendments: open switch-over readings, retroactive changes.

A change effective in the middle of someone's time is read one of two ways; when the
plan does not choose, the engine's warning says which reading it took
(``mid-block-switch``). A change that takes effect before it was decided (a court
order can be retroactive) rewrites the past: the warning lists the past days (before
today) that change hands, by comparing the timeline with and without the amendment,
and ``sync`` reports the same for the days before its window, which it never rewrites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pluggy

from ..schedule import engine
from ..schedule.timeline import Timeline
from ..schedule.versions import version_spans
from .amend import RuleKeys, SchedulePart, applicable, apply_amendment
from .amendment_checks import approximate_effective
from .model import Plan
from .references import default_years

LOOKBACK_DAYS = 400  # a retroactive change is compared over at most this many past days


@dataclass(frozen=True)
class HandsChange:
    """Local days ``first``..``last`` (inclusive) that move from ``before`` to ``after``."""

    child: str
    first: date
    last: date
    before: str
    after: str

    def describe(self) -> str:
        days = f"{self.first}" if self.first == self.last else f"{self.first} to {self.last}"
        return f"{self.child} {days} ({self.before} -> {self.after})"


@dataclass(frozen=True)
class Retroactive:
    """An amendment that takes effect before it was decided, and what it rewrote."""

    index: int
    title: str
    effective: date
    decided_on: date
    changes: tuple[HandsChange, ...]

    def describe(self, before: date, limit: int | None = None) -> str:
        """In words; with ``limit``, at most that many runs of days are listed."""
        head = (
            f"{self.title} was decided on {self.decided_on} but takes effect "
            f"{self.effective}: it is retroactive"
        )
        if not self.changes:
            return f"{head}, and no day before {before} changes hands"
        runs = _grouped(self.changes)
        shown = runs if limit is None else runs[:limit]
        listed = "; ".join(shown)
        if len(shown) < len(runs):
            listed += f"; and {len(runs) - len(shown)} more (pc-calendar check lists them all)"
        return f"{head}. Past days (before {before}) that change hands: {listed}"


def _grouped(changes: tuple[HandsChange, ...]) -> list[str]:
    """Runs of days, children who move together named once: 'maya, leo 2026-10-03 to ...'."""
    groups: dict[tuple[date, date, str, str], list[str]] = {}
    for c in changes:
        groups.setdefault((c.first, c.last, c.before, c.after), []).append(c.child)
    out = []
    for (first, last, was, now), children in sorted(groups.items()):
        days = f"{first}" if first == last else f"{first} to {last}"
        out.append(f"{', '.join(children)} {days} ({was} -> {now})")
    return out


def retroactive(plan: Plan, pm: pluggy.PluginManager | None, before: date) -> list[Retroactive]:
    """Amendments effective before they were decided and before ``before`` (usually today)."""
    found = []
    for index, amendment in enumerate(plan.amendments):
        when = approximate_effective(plan, amendment)
        if when is None or when.date() >= amendment.decided_on or when.date() >= before:
            continue
        start = max(when.date() - timedelta(days=1), before - timedelta(days=LOOKBACK_DAYS))
        without = plan.model_copy(update={"amendments": plan.amendments[:index]})
        with_it = plan.model_copy(update={"amendments": plan.amendments[: index + 1]})
        old = engine.compute_timeline(without, start, before, pm)
        new = engine.compute_timeline(with_it, start, before, pm)
        found.append(
            Retroactive(
                index,
                amendment.title(index),
                when.date(),
                amendment.decided_on,
                tuple(hands_changes(old, new)),
            )
        )
    return found


def hands_changes(old: Timeline, new: Timeline) -> list[HandsChange]:
    """The local days on which some instant belongs to a different parent in ``new``."""
    out: list[HandsChange] = []
    for child, timeline in new.children.items():
        days: dict[date, tuple[str, str]] = {}
        for start, end, was, now in _differences(old.children[child].blocks, timeline.blocks):
            first = start.astimezone(new.zone).date()
            last = (end - timedelta(microseconds=1)).astimezone(new.zone).date()
            day = first
            while day <= last:
                days.setdefault(day, (was, now))
                day += timedelta(days=1)
        out += _runs(child, days)
    return out


def _differences(old_blocks: list, new_blocks: list) -> list[tuple[datetime, datetime, str, str]]:
    """Intervals where the two block lists name different parents (a sweep, both sorted)."""
    found = []
    i = j = 0
    while i < len(old_blocks) and j < len(new_blocks):
        a, b = old_blocks[i], new_blocks[j]
        start, end = max(a.start, b.start), min(a.end, b.end)
        if start < end and a.parent != b.parent:
            found.append((start, end, a.parent, b.parent))
        if a.end <= b.end:
            i += 1
        else:
            j += 1
    return found


def _runs(child: str, days: dict[date, tuple[str, str]]) -> list[HandsChange]:
    runs: list[HandsChange] = []
    for day in sorted(days):
        was, now = days[day]
        last = runs[-1] if runs else None
        if (
            last
            and (last.before, last.after) == (was, now)
            and last.last + timedelta(days=1) == day
        ):
            runs[-1] = HandsChange(child, last.first, day, was, now)
        else:
            runs.append(HandsChange(child, day, day, was, now))
    return runs


def engine_warnings(plan: Plan, pm: pluggy.PluginManager | None) -> list[tuple[str, str, str]]:
    """(code, key, message) for what the engine says about amendments over the plan's years.

    ``mid-block-switch``: a switch-over whose reading the plan left open; ``dst``: a time
    an amendment sets that does not exist or happens twice on a DST change day.
    """
    when = [approximate_effective(plan, a) for a in plan.amendments]
    dates = [w.date() for w in when if w is not None]
    if not dates:
        return []
    start = min(dates) - timedelta(days=1)
    horizon = date(default_years(plan)[-1] + 1, 1, 1)
    end = max(max(dates) + timedelta(days=60), horizon)  # a first exchange comes later
    timeline = engine.compute_timeline(plan, start, end, pm)
    found = []
    dst: dict[str, list[str]] = {}
    for warning in timeline.warnings:
        m = _AMENDMENT_KEY.match(warning)
        if m is None:
            continue
        key, message = m[0], warning[len(m[0]) :].lstrip(" :")
        if "(clocks go" in warning:  # (an effective time can hit a DST change too)
            dst.setdefault(key, []).append(message)
        elif key.endswith(".effective"):
            found.append(("mid-block-switch", key, message))
    for key, messages in dst.items():  # once per key, like the check's other DST warnings
        more = f" (and {len(messages) - 1} more like it)" if len(messages) > 1 else ""
        found.append(("dst", key, messages[0] + more))
    return found


_AMENDMENT_KEY = re.compile(r"amendments\[\d+\][^\s:]*")


def amendment_warnings(
    plan: Plan, pm: pluggy.PluginManager | None, today: date
) -> list[tuple[str, str, str]]:
    """Every amendment warning for ``check``."""
    found = engine_warnings(plan, pm)
    for change in retroactive(plan, pm, today):
        key = f"amendments[{change.index}].effective"
        found.append(("retroactive", key, change.describe(today)))
    return found


def lint_versions(
    linter: Any, plan: Plan, pm: pluggy.PluginManager | None, years: list[int]
) -> None:
    """The holiday checks of ``lint`` on each version an amendment adding rules makes.

    ``linter`` is lint's ``_Linter``: its checks run on the spans of each version, over
    the time that version is in force within the checked years (effective dates to the
    day), so a holiday an amendment adds is checked against the rules then in force.
    """
    if not years:
        return
    first, after = date(years[0], 1, 1), date(years[-1] + 1, 1, 1)
    audiences = {(c.schedule, tuple(applicable(plan, c.schedule, c.id))) for c in plan.children}
    for name, indices in sorted(audiences):
        prefix = (
            "" if name == "default" and "default" not in plan.schedules else f"schedules.{name}."
        )
        base = plan.schedule(name)
        part = SchedulePart(base, RuleKeys.of(base, prefix))
        steps = []
        for i in indices:
            when = approximate_effective(plan, plan.amendments[i])
            if when is None:
                return  # an unknown child: the loader reports it
            part, _ = apply_amendment(part, plan.amendments[i], i, when.date())
            steps.append((when.date(), part, plan.amendments[i]))
        for k, (day, part, amendment) in enumerate(steps):
            if not (amendment.holidays or amendment.seasons):
                continue
            until = steps[k + 1][0] if k + 1 < len(steps) else after
            lo, hi = max(day, first), min(until, after)
            if lo >= hi:
                continue
            holidays, notes, seasons = version_spans(plan, part, lo, hi, pm)
            holidays = [h for h in holidays if h.start.astimezone(linter.zone).date() >= lo]
            linter.check_span_notes(notes)
            linter.check_holiday_overlaps(holidays)
            linter.check_holidays_in_seasons(holidays, seasons)


def family_today(plan: Plan) -> date:
    """Today in the family's zone (what "the past" means for this plan)."""
    return datetime.now(ZoneInfo(plan.family.timezone)).date()
