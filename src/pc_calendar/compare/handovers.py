"""Exchanges added, removed and moved, and holidays that change hands, between two timelines.

An exchange is *unchanged* when the same children go from the same parent to the same
parent at the same instant and place. It has *moved* when an exchange of the old plan
and one of the new plan share the local day, the direction (from, to) and the children
but differ in time or place; several candidates on one day pair up nearest in time
first. Everything else is *added* (only in the new plan) or *removed* (only in the
old). A handover that moves to another day is therefore one removed and one added:
to a parent that is a different day, not a different time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from ..schedule.timeline import Exchange, HolidayLabel, Timeline


@dataclass(frozen=True)
class ExchangeChange:
    """``change`` is added, removed or moved; ``before``/``after`` the exchange each side."""

    change: str
    before: Exchange | None
    after: Exchange | None

    @property
    def at(self) -> Exchange:
        """The exchange that orders this change (the old one when there is one)."""
        return self.before or self.after  # type: ignore[return-value]


def _local_day(ex: Exchange, zone: ZoneInfo) -> date:
    return ex.at.astimezone(zone).date()


def _in_range(timeline: Timeline, start: date, end: date) -> list[Exchange]:
    zone = timeline.zone
    return [e for e in timeline.merged_exchanges() if start <= _local_day(e, zone) < end]


def _exact(ex: Exchange) -> tuple:
    return (ex.at, ex.from_parent, ex.to_parent, ex.location, ex.children)


def compare_exchanges(old: Timeline, new: Timeline, start: date, end: date) -> list[ExchangeChange]:
    """Changes to the exchanges whose local day is in ``[start, end)``, in time order."""
    zone = new.zone
    before = _in_range(old, start, end)
    after = _in_range(new, start, end)
    kept = {_exact(e) for e in before} & {_exact(e) for e in after}
    removed = [e for e in before if _exact(e) not in kept]
    added = [e for e in after if _exact(e) not in kept]
    changes: list[ExchangeChange] = []
    pairs = sorted(
        (abs((a.at - r.at).total_seconds()), i, j)
        for i, r in enumerate(removed)
        for j, a in enumerate(added)
        if (_local_day(r, zone), r.from_parent, r.to_parent, r.children)
        == (_local_day(a, zone), a.from_parent, a.to_parent, a.children)
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    for _distance, i, j in pairs:  # nearest first: a day's two handovers pair sensibly
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        changes.append(ExchangeChange("moved", removed[i], added[j]))
    changes += [
        ExchangeChange("removed", r, None) for i, r in enumerate(removed) if i not in used_old
    ]
    changes += [ExchangeChange("added", None, a) for j, a in enumerate(added) if j not in used_new]
    return sorted(changes, key=lambda c: (c.at.at, c.at.from_parent, c.at.to_parent))


@dataclass(frozen=True)
class HolidayChange:
    """A holiday whose assignment differs; ``before``/``after`` are its labels each side."""

    name: str
    first: date
    last: date
    before: tuple[HolidayLabel, ...]
    after: tuple[HolidayLabel, ...]


def _owners(labels: tuple[HolidayLabel, ...]) -> tuple:
    return tuple(
        sorted(
            (lb.last, lb.parent or "", lb.second_parent or "", lb.split_at, lb.not_in_possession)
            for lb in labels
            if not lb.label_only
        )
    )


def _labels_in(timeline: Timeline, start: date, end: date) -> dict[tuple[str, date], tuple]:
    found: dict[tuple[str, date], list[HolidayLabel]] = {}
    for label in timeline.holidays:
        if label.last >= start and label.first < end:
            found.setdefault((label.name, label.first), []).append(label)
    return {key: tuple(labels) for key, labels in found.items()}


def compare_holidays(old: Timeline, new: Timeline, start: date, end: date) -> list[HolidayChange]:
    """Holidays overlapping ``[start, end)`` that change hands (or appear or go, assigned).

    A holiday is matched by name and first day; one that only labels the calendar on
    both sides changes nobody's time and is left out.
    """
    before = _labels_in(old, start, end)
    after = _labels_in(new, start, end)
    changes = []
    for key in sorted(set(before) | set(after), key=lambda k: (k[1], k[0])):
        was, now = before.get(key, ()), after.get(key, ())
        if _owners(was) == _owners(now):
            continue
        last = max(lb.last for lb in was + now)
        changes.append(HolidayChange(key[0], key[1], last, was, now))
    return changes
