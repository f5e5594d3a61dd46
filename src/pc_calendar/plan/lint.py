"""Lint a valid plan for what parents could read two ways.

A plan can validate and still be ambiguous: two holidays claiming the same hours at
equal priority, a holiday cutting into the other parent's summer, a handover at 02:30
on the night clocks change, two overrides giving the same evening to different parents.
The engine resolves each of these deterministically, but a coordinator should decide
them on purpose, before a parent finds out at the curb. Each warning names the plan
key (and line, when the source is known) and says what to do about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pluggy

from .. import plugins
from ..schedule import engine
from ..schedule.school import SchoolDays
from ..schedule.spans import ResolvedSpan, SpanNote
from ..schedule.timeutil import describe_flag, local_instant
from . import lint_amendments, lint_calendar, lint_mistakes
from .locate import Locator
from .model import Plan, Rotation, Schedule, TimeKeyword
from .references import default_years, schedule_prefixes


@dataclass(frozen=True)
class LintWarning:
    """One thing the coordinator should resolve; ``code`` names the kind of check."""

    code: str
    key: str
    message: str
    line: int | None = None

    def render(self, path: Path | str | None) -> str:
        where = str(path) if path is not None else "<plan>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: warning: {self.key}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "key": self.key, "line": self.line, "message": self.message}


def lint_plan(
    plan: Plan,
    pm: pluggy.PluginManager | None = None,
    years: Iterable[int] | None = None,
    *,
    locator: Locator | None = None,
    today: date | None = None,
) -> list[LintWarning]:
    """Warnings for ``plan`` over ``years`` (default: the years its dates cover, 4+).

    ``today`` (default: today in the family's zone) says what is past, for amendments
    that reach back in time.
    """
    year_list = sorted(set(years)) if years is not None else list(default_years(plan))
    linter = _Linter(plan, pm, year_list)
    linter.run()
    if plan.amendments:
        lint_amendments.lint_versions(linter, plan, pm, year_list)
    # The school calendar must cover the years checked, not only the years it lists.
    horizon = year_list[-1] if years is not None and year_list else None
    if horizon is None:
        horizon = default_years(plan, school=False)[-1]
    for found in lint_calendar.school_calendar_ends(plan, pm, date(horizon, 12, 31)):
        linter.warn(*found)
    for found in lint_calendar.school_terms_unknown(plan):
        linter.warn(*found)
    for found in lint_calendar.season_wraps(plan):
        linter.warn(*found)
    if plan.amendments:
        when = today or lint_amendments.family_today(plan)
        for found in lint_amendments.amendment_warnings(plan, pm, when):
            linter.warn(*found)
    for found in lint_mistakes.anchor_weekdays(plan, pm):
        linter.warn(*found)
    for found in lint_mistakes.hidden_visits(plan, pm, year_list):
        linter.warn(*found)
    for found in lint_mistakes.unborn_children(plan):
        linter.warn(*found)
    found = list(dict.fromkeys(linter.warnings))
    if locator is not None:
        found = [LintWarning(w.code, w.key, w.message, locator.line_of(w.key)) for w in found]
    return sorted(found, key=lambda w: (w.line or 0, w.key, w.message))


def _overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


class _Linter:
    def __init__(self, plan: Plan, pm: pluggy.PluginManager | None, years: list[int]) -> None:
        self.plan = plan
        self.pm = pm
        self.zone = ZoneInfo(plan.family.timezone)
        self.school = SchoolDays(plan.school)
        self.years = years
        self.warnings: list[LintWarning] = []
        self._seen: set[tuple[str, ...]] = set()

    def warn(self, code: str, key: str, message: str, *, once: tuple[str, ...] = ()) -> None:
        """Record a warning; ``once`` dedupes warnings that recur every year."""
        if once:
            if (code, *once) in self._seen:
                return
            self._seen.add((code, *once))
        self.warnings.append(LintWarning(code, key, message))

    def local(self, instant: datetime) -> str:
        return f"{instant.astimezone(self.zone):%Y-%m-%d %H:%M}"

    def run(self) -> None:
        self.check_anchors()
        self.check_overrides()
        if not self.years:
            return
        start, end = date(self.years[0], 1, 1), date(self.years[-1] + 1, 1, 1)
        dst_days = self.dst_days(start, end)
        for name, prefix in schedule_prefixes(self.plan):
            schedule = self.plan.schedule(name)
            holidays, notes = engine.holiday_spans_and_notes(self.plan, name, start, end, self.pm)
            self.check_span_notes(notes)
            seasons = engine.season_spans(self.plan, name, start, end, self.pm)
            self.check_holiday_overlaps(holidays)
            self.check_holidays_in_seasons(holidays, seasons)
            self.check_exchange_dst(schedule, prefix, dst_days)
            self.check_visit_dst(schedule, prefix, dst_days)
            self.check_span_edges_dst(schedule, holidays, seasons, dst_days)

    # -- rotation anchors ---------------------------------------------------------------

    def check_anchors(self) -> None:
        registry = plugins.patterns(self.pm)
        for name, prefix in schedule_prefixes(self.plan):
            schedule = self.plan.schedule(name)
            rotations: list[tuple[str, Rotation | None]] = [
                (f"{prefix}rotation", schedule.rotation)
            ]
            rotations += [
                (f"{prefix}seasons[{i}].rotation", s.rotation)
                for i, s in enumerate(schedule.seasons)
            ]
            for key, rotation in rotations:
                if rotation is None or rotation.anchor is not None:
                    continue
                pattern = registry.items.get(rotation.pattern)
                if pattern is not None and getattr(pattern, "needs_anchor", True):
                    self.warn(
                        "no-anchor",
                        key,
                        f"pattern {rotation.pattern!r} counts its cycle from an anchor "
                        "date, but none is given, so which parent starts is arbitrary; "
                        "add anchor = YYYY-MM-DD (the first day of the first parent's "
                        "turn)",
                    )

    # -- holidays ---------------------------------------------------------------------

    def check_holiday_overlaps(self, spans: list[ResolvedSpan]) -> None:
        """Two holiday rules at one priority giving the same hours to different parents."""
        assigned = [s for s in spans if s.parent is not None]
        for i, a in enumerate(assigned):
            for b in assigned[i + 1 :]:
                if b.start >= a.end:
                    break
                if a.index == b.index or a.priority != b.priority or a.parent == b.parent:
                    continue
                if not _overlap(a.start, a.end, b.start, b.end):
                    continue
                first, second = sorted((a, b), key=lambda s: s.index)
                self.warn(
                    "holiday-overlap",
                    second.rule.source,
                    f"'{second.rule.name}' and '{first.rule.name}' ({first.rule.source}) both "
                    f"claim {self.local(max(a.start, b.start))} to "
                    f"{self.local(min(a.end, b.end))} at priority {a.priority}, for "
                    f"{second.parent} and {first.parent}; give one of them a higher priority",
                    once=(first.rule.source, second.rule.source),
                )

    def check_span_notes(self, notes: list[SpanNote]) -> None:
        """School snaps that ran off the school calendar; holidays longer than 30 days.

        The engine notes them only for occurrences inside the linted years, once per
        occurrence; one warning per key and kind is enough for the coordinator.
        """
        for note in notes:
            self.warn(note.code, note.key, note.message, once=(note.key,))

    def check_holidays_in_seasons(
        self, holidays: list[ResolvedSpan], seasons: list[ResolvedSpan]
    ) -> None:
        """A holiday of one parent inside the other parent's season block."""
        for season in seasons:
            if season.parent is None:
                continue
            for h in holidays:
                if h.parent is None or h.parent == season.parent:
                    continue
                if not _overlap(h.start, h.end, season.start, season.end):
                    continue
                self.warn(
                    "holiday-in-season",
                    h.rule.source,
                    f"'{h.rule.name}' ({self.local(h.start)} to {self.local(h.end)}, "
                    f"{h.parent}) lands inside '{season.rule.name}' ({season.rule.source}), "
                    f"{season.parent}'s block; the holiday wins and interrupts the block. "
                    "Confirm this is intended, or move the season or the holiday",
                    once=(h.rule.source, season.rule.source),
                )

    # -- DST --------------------------------------------------------------------------

    def dst_days(self, start: date, end: date) -> list[date]:
        """Local days in ``[start, end)`` on which the zone's UTC offset changes."""
        days = []
        day = start
        offset = datetime.combine(day, time(0), self.zone).utcoffset()
        while day < end:
            following = day + timedelta(days=1)
            next_offset = datetime.combine(following, time(0), self.zone).utcoffset()
            if next_offset != offset:
                days.append(day)
            day, offset = following, next_offset
        return days

    def offset_changes(self, day: date) -> bool:
        """Whether the zone's UTC offset differs between ``day``'s midnight and the next."""
        after = day + timedelta(days=1)
        return (
            datetime.combine(day, time(0), self.zone).utcoffset()
            != datetime.combine(after, time(0), self.zone).utcoffset()
        )

    def wall(self, spec: time | TimeKeyword, day: date) -> time:
        if isinstance(spec, time):
            return spec
        if spec == TimeKeyword.dismissal:
            return self.school.dismissal(day)
        return self.school.start(day)

    def dst_warning(self, key: str, what: str, day: date, spec: time | TimeKeyword) -> None:
        wall = self.wall(spec, day)
        moment, flag = local_instant(day, wall, self.zone)
        if flag is not None:
            self.warn(
                "dst",
                key,
                f"{what}: {describe_flag(flag, day, wall, self.zone, moment)}; "
                "choose a time outside the DST change",
                once=(key, flag, wall.isoformat()),
            )

    def check_exchange_dst(self, schedule: Schedule, prefix: str, days: list[date]) -> None:
        """The rotation's exchange time on each DST change day (as it applies that day)."""
        ex = schedule.exchange
        for day in days:
            key, spec = f"{prefix}exchange.time", ex.time
            school_day = self.school.is_school_day(day)
            by_type = ex.school_day if school_day else ex.non_school_day
            if by_type is not None and by_type.time is not None:
                name = "school_day" if school_day else "non_school_day"
                key, spec = f"{prefix}exchange.{name}.time", by_type.time
            for weekday, at in ex.weekdays.items():
                if weekday.index == day.weekday() and at.time is not None:
                    key, spec = f"{prefix}exchange.weekdays.{weekday.value}.time", at.time
            self.dst_warning(key, "exchange time", day, spec)

    def check_visit_dst(self, schedule: Schedule, prefix: str, days: list[date]) -> None:
        for day in days:
            for i, visit in enumerate(schedule.visits):
                if visit.weekday.index != day.weekday():
                    continue
                in_term = self.school.in_term(day)
                if (visit.during == "school_term" and not in_term) or (
                    visit.during == "outside_school_term" and in_term
                ):
                    continue
                key = f"{prefix}visits[{i}]"
                self.dst_warning(f"{key}.start", f"visit '{visit.name}' start", day, visit.start)
                self.dst_warning(f"{key}.end", f"visit '{visit.name}' end", day, visit.end)

    def check_span_edges_dst(
        self,
        schedule: Schedule,
        holidays: list[ResolvedSpan],
        seasons: list[ResolvedSpan],
        days: list[date],
    ) -> None:
        """Holiday and season edges that land on a DST change day at a gap/fold time."""
        dst = set(days)
        for span in holidays:
            holiday = schedule.holidays[span.index]
            edges = [(name, getattr(holiday, name)) for name in ("start", "end", "split")]
            specs = [(f"{span.rule.source}.{n}.time", e.time) for n, e in edges if e is not None]
            self.edge_dst(span, specs, dst, f"'{holiday.name}'")
        for span in seasons:
            season = schedule.seasons[span.index]
            specs = [
                (f"{span.rule.source}.start_time", season.start_time),
                (f"{span.rule.source}.end_time", season.end_time),
            ]
            self.edge_dst(span, specs, dst, f"season '{season.name}'")

    def edge_dst(
        self,
        span: ResolvedSpan,
        specs: list[tuple[str, time | TimeKeyword]],
        dst: set[date],
        what: str,
    ) -> None:
        for instant in (span.start, span.end):
            day = instant.astimezone(self.zone).date()
            for candidate in (day, day - timedelta(days=1)):  # a gap can push past midnight
                if candidate not in dst:
                    continue
                for key, spec in specs:
                    wall = self.wall(spec, candidate)
                    moment, flag = local_instant(candidate, wall, self.zone)
                    if flag is not None and moment == instant:
                        self.dst_warning(key, what, candidate, spec)

    # -- overrides ----------------------------------------------------------------------

    def check_overrides(self) -> None:
        """Overlapping overrides for shared children that name different parents.

        A sweep in start order compares each override only with those still running
        when it starts: linear in the number of overrides when few overlap (a plan of
        10,000 one-evening overrides), instead of comparing every pair.
        """
        overrides = self.plan.overrides
        for j, b in enumerate(overrides):
            for edge in ("start", "end"):
                moment: datetime = getattr(b, edge)
                if not self.offset_changes(moment.date()):
                    continue  # only a DST change day has times that do not exist or repeat
                self.dst_warning(
                    f"overrides[{j}].{edge}",
                    f"override '{b.name}' {edge}",
                    moment.date(),
                    moment.time(),
                )
        running: list[int] = []
        for k in sorted(range(len(overrides)), key=lambda k: overrides[k].start):
            start = overrides[k].start
            running = [r for r in running if overrides[r].end > start]
            for r in running:
                self.override_pair(*sorted((r, k)))
            running.append(k)

    def override_pair(self, i: int, j: int) -> None:
        """Warn if overrides ``i`` < ``j`` (which overlap) give shared children to two parents."""
        a, b = self.plan.overrides[i], self.plan.overrides[j]
        if a.parent == b.parent or not _overlap(a.start, a.end, b.start, b.end):
            return
        all_children = [c.id for c in self.plan.children]
        shared = set(a.children or all_children) & set(b.children or all_children)
        if not shared:
            return
        self.warn(
            "override-conflict",
            f"overrides[{j}]",
            f"'{b.name}' gives {', '.join(sorted(shared))} to {b.parent} from "
            f"{max(a.start, b.start):%Y-%m-%d %H:%M} to {min(a.end, b.end):%Y-%m-%d %H:%M}"
            f", but overrides[{i}] '{a.name}' gives that time to {a.parent}; "
            "overrides have no order between them, so remove or shorten one",
        )
