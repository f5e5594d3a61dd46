"""One holiday layer resolved for several versions painted ahead (ahead.py).

Versions of an amended schedule mostly share their holidays: an amendment that changes
no holiday and no rotation parents leaves the holiday layer as it was. Resolving it
once over the time those versions run, rather than once per version, saves each
version the fixed cost of a resolution (three years of every holiday's occurrences
looked through). A version's painting then takes what a resolution over its own
interval would give: every piece of each occurrence whose span overlaps it, and the
labels of the occurrences whose days overlap its days.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date
from itertools import accumulate
from typing import Any

from ..plan.amend import RuleKeys
from ..plan.model import Schedule
from .context import EngineContext
from .rotation_layer import local_date
from .spans import resolve_holidays


def holidays_key(schedule: Schedule, keys: RuleKeys) -> tuple:
    """What a holiday layer depends on besides its instants: its holidays, their keys,
    and the rotation's parents (a split's second half goes to the other one)."""
    rotation = schedule.rotation
    pair = tuple(rotation.parents) if rotation is not None and rotation.parents else None
    return (id(schedule.holidays), keys.holidays, pair)


class HolidayWindow:
    """The holiday layer of one schedule version over ``[start, end)``."""

    def __init__(
        self, ctx: EngineContext, schedule: Schedule, keys: RuleKeys, start: int, end: int
    ) -> None:
        self.holidays = schedule.holidays  # (kept: its id is in the key)
        self.key = holidays_key(schedule, keys)
        self.start, self.end = start, end
        first, last = local_date(ctx, start), local_date(ctx, end - 1)
        spans, labels = resolve_holidays(ctx, schedule, keys, start, end, first, last)
        reach: dict[tuple, list] = {}
        for span in spans:  # the pieces of one occurrence (a split's halves) together
            s, e = int(span.start.timestamp()), int(span.end.timestamp())
            found = reach.get((span.index, span.occurrence))
            if found is None:
                reach[(span.index, span.occurrence)] = [s, e, span]
            else:
                found[0], found[1] = min(found[0], s), max(found[1], e)
                found.append(span)
        groups = sorted(reach.values(), key=lambda g: g[0])
        self._groups = groups
        self._starts = [g[0] for g in groups]
        self._reach = list(accumulate((g[1] for g in groups), max))
        self._labels = sorted(labels, key=lambda label: label.first)
        self._firsts = [label.first for label in self._labels]
        self._lasts = list(accumulate((label.last for label in self._labels), max))

    def serves(self, schedule: Schedule, keys: RuleKeys, start: int, end: int) -> bool:
        return (
            self.start <= start
            and end <= self.end
            and schedule.holidays is self.holidays
            and holidays_key(schedule, keys) == self.key
        )

    def within(self, start: int, end: int, first: date, last: date) -> tuple[list, list]:
        """The spans and labels a resolution over ``[start, end)`` (local days ``first``
        to ``last``) gives."""
        groups = self._groups
        lo = bisect_right(self._reach, start)  # before it, every occurrence ends by start
        hi = bisect_left(self._starts, end)
        spans: list[Any] = [
            span for group in groups[lo:hi] if group[1] > start for span in group[2:]
        ]
        lo = bisect_left(self._lasts, first)
        hi = bisect_right(self._firsts, last)
        labels = [label for label in self._labels[lo:hi] if label.last >= first]
        return spans, labels
