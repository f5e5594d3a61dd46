"""The engine's output: custody blocks, exchanges and holiday labels.

Instants are timezone-aware datetimes in UTC (comparisons and durations across DST are
then exact); convert with ``.astimezone(zone)`` for display. Every block and exchange
carries the rule that produced it, so ``show --explain`` can justify any date.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Rule:
    """The plan rule behind a block or exchange.

    ``layer`` is one of rotation, visit, season, holiday, override; ``source`` is the
    plan key that defines it (e.g. ``holidays[2]``); ``citation`` a statute or order
    section when the plan gives one.
    """

    layer: str
    name: str
    source: str
    citation: str | None = None

    def describe(self) -> str:
        text = f"{self.layer} '{self.name}' ({self.source})"
        return f"{text} [{self.citation}]" if self.citation else text


@dataclass(frozen=True, slots=True)
class CustodyBlock:
    """``parent`` has the children in ``children`` from ``start`` until ``end``."""

    start: datetime
    end: datetime
    parent: str
    rule: Rule
    children: tuple[str, ...]
    # The amendment behind the block: the one that made its rule, else the one in force
    # when it starts (None: the plan as first written).
    amendment: str | None = field(compare=False, default=None)


@dataclass(frozen=True, slots=True)
class Exchange:
    """A handover at ``at`` from ``from_parent`` to ``to_parent``.

    ``rule`` is the rule of the block that begins; ``ending_rule`` the one that ends.
    """

    at: datetime
    from_parent: str
    to_parent: str
    location: str | None
    rule: Rule
    ending_rule: Rule
    children: tuple[str, ...]
    local_at: datetime = field(compare=False, default=None)  # type: ignore[assignment]
    amendment: str | None = field(compare=False, default=None)  # the amendment in force

    @property
    def id(self) -> str:
        """Stable, human-typable id: local date and time plus the two parents."""
        local = self.local_at or self.at
        stamp = f"{local.year}-{local.month:02d}-{local.day:02d}T{local.hour:02d}{local.minute:02d}"
        return f"{stamp}-{self.from_parent}-{self.to_parent}"  # (no strftime: 3x faster)


# The engine builds hundreds of thousands of blocks and exchanges for a caseload, so they
# have __slots__: one object each instead of an object and its __dict__, which halves
# the garbage collector's work (a sixth of the issue-15 batch went there) and the
# memory. A frozen dataclass's __init__ sets each field through object.__setattr__
# (a call a field); the builders below fill a draft instead: a class with the very same
# slots and no frozen __setattr__, whose fields are plain assignments, then turned into
# the real class by __class__ assignment (Python allows it between identical slot
# layouts, and checks). Same objects, same fields, a third of the cost. A draft is
# made by calling its class (it has no __init__): faster than object.__new__(cls).
_new = object.__new__


class BlockDraft:
    __slots__ = CustodyBlock.__slots__  # type: ignore[attr-defined]


class ExchangeDraft:
    __slots__ = Exchange.__slots__  # type: ignore[attr-defined]


# A field added to either class must be added to its builders below.
assert [f.name for f in fields(CustodyBlock)] == [
    "start", "end", "parent", "rule", "children", "amendment",
]  # fmt: skip
assert [f.name for f in fields(Exchange)] == [
    "at", "from_parent", "to_parent", "location", "rule", "ending_rule", "children",
    "local_at", "amendment",
]  # fmt: skip


def new_block(
    start: datetime,
    end: datetime,
    parent: str,
    rule: Rule,
    children: tuple[str, ...],
    amendment: str | None,
) -> CustodyBlock:
    """``CustodyBlock(...)`` with every field given, built without ``__init__``."""
    block: Any = BlockDraft()
    block.start = start
    block.end = end
    block.parent = parent
    block.rule = rule
    block.children = children
    block.amendment = amendment
    block.__class__ = CustodyBlock
    return block


def new_exchange(
    at: datetime,
    from_parent: str,
    to_parent: str,
    location: str | None,
    rule: Rule,
    ending_rule: Rule,
    children: tuple[str, ...],
    local_at: datetime,
    amendment: str | None,
) -> Exchange:
    """``Exchange(...)`` with every field given, built without ``__init__``."""
    exchange: Any = ExchangeDraft()
    exchange.at = at
    exchange.from_parent = from_parent
    exchange.to_parent = to_parent
    exchange.location = location
    exchange.rule = rule
    exchange.ending_rule = ending_rule
    exchange.children = children
    exchange.local_at = local_at
    exchange.amendment = amendment
    exchange.__class__ = Exchange
    return exchange


@dataclass(frozen=True)
class HolidayLabel:
    """A holiday in the range, with the parent it is assigned to (None: label only).

    A split holiday belongs to both parents: ``parent`` has it until ``split_at`` (a
    UTC instant), ``second_parent`` from then on, so a label never names one parent
    for the whole holiday. ``not_in_possession`` marks a holiday whose parent is
    decided when it starts (``parent`` is then None but it is not a mere label).
    """

    name: str
    first: date
    last: date
    parent: str | None
    rule: Rule
    split_at: datetime | None = None
    second_parent: str | None = None
    not_in_possession: bool = False

    @property
    def label_only(self) -> bool:
        """Whether the holiday changes nobody's time (a name in the calendar)."""
        return self.parent is None and not self.not_in_possession


_set = object.__setattr__


def new_label(
    name: str,
    first: date,
    last: date,
    parent: str | None,
    rule: Rule,
    split_at: datetime | None,
    second_parent: str | None,
    not_in_possession: bool,
) -> HolidayLabel:
    """``HolidayLabel(...)`` with every field given, without the frozen ``__init__``."""
    label = _new(HolidayLabel)
    _set(label, "__dict__", {
        "name": name, "first": first, "last": last, "parent": parent, "rule": rule,
        "split_at": split_at, "second_parent": second_parent,
        "not_in_possession": not_in_possession,
    })  # fmt: skip
    return label


assert [f.name for f in fields(HolidayLabel)] == list(new_label.__code__.co_varnames[:8])


@dataclass
class ChildTimeline:
    """One child's blocks and exchanges, sorted by time, contiguous over the range."""

    child: str
    blocks: list[CustodyBlock]
    exchanges: list[Exchange]


@dataclass(frozen=True)
class SwitchRecord:
    """An amendment taking over from the schedule before it (``show --explain``).

    ``effective`` is when it takes effect, ``at`` when the new version is in force
    (later than ``effective`` only for the ``end_of_block`` reading). ``reading`` is
    None when both versions give the children to the same parent at ``effective``.
    """

    amendment: int
    title: str
    kind: str
    effective: datetime
    at: datetime
    reading: str | None
    chosen: bool
    before: str | None
    after: str | None
    schedule: str
    children: tuple[str, ...]

    def describe(self, zone: ZoneInfo) -> str:
        when = f"{self.effective.astimezone(zone):%a %Y-%m-%d %H:%M}"
        text = f"{self.title} ({self.kind.replace('_', ' ')}) takes effect {when}"
        if self.reading is None:
            return (
                f"{text} for {', '.join(self.children)}; {self.before} has the children "
                "under both schedules then, so the switch-over adds or removes no handover"
            )
        at = f"{self.at.astimezone(zone):%a %Y-%m-%d %H:%M}"
        how = "chosen by switch" if self.chosen else "the default reading"
        if self.reading == "end_of_block":
            return (
                f"{text} during {self.before}'s time; {self.before}'s time runs to its "
                f"end and the new schedule applies from {at} (end_of_block, {how})"
            )
        return (
            f"{text} during {self.before}'s time; the children go to {self.after} "
            f"at {at} (at_effective, {how})"
        )


@dataclass
class Timeline:
    """Everything computed for a family over ``[start, end)`` (local dates)."""

    family_id: str
    zone: ZoneInfo
    start: date
    end: date
    children: dict[str, ChildTimeline]
    holidays: list[HolidayLabel]
    warnings: list[str] = field(default_factory=list)
    switchovers: list[SwitchRecord] = field(default_factory=list)

    def merged_exchanges(self, children: list[str] | None = None) -> list[Exchange]:
        """Exchanges across children (all, or those named), one per (time, from, to,
        place) with all its children.

        Children who move together produce one exchange, so a parent does not get three
        identical exchange events.
        """
        groups: dict[tuple, list[Exchange]] = {}
        chosen = self.children if children is None else children
        for child in chosen:
            for ex in self.children[child].exchanges:
                groups.setdefault((ex.at, ex.from_parent, ex.to_parent, ex.location), []).append(ex)
        merged = []
        for items in groups.values():
            first = items[0]
            merged.append(
                Exchange(
                    first.at,
                    first.from_parent,
                    first.to_parent,
                    first.location,
                    first.rule,
                    first.ending_rule,
                    tuple(sorted({c for ex in items for c in ex.children})),
                    first.local_at,
                    first.amendment,
                )
            )
        return sorted(merged, key=lambda e: (e.at, e.from_parent, e.to_parent))

    def merged_blocks(self, children: list[str] | None = None) -> list[CustodyBlock]:
        """Custody blocks across children (all, or those named), identical (start, end,
        parent) ones merged."""
        groups: dict[tuple, list[CustodyBlock]] = {}
        chosen = self.children if children is None else children
        for child in chosen:
            for block in self.children[child].blocks:
                groups.setdefault((block.start, block.end, block.parent), []).append(block)
        merged = [
            CustodyBlock(
                items[0].start,
                items[0].end,
                items[0].parent,
                items[0].rule,
                tuple(sorted({c for b in items for c in b.children})),
                items[0].amendment,
            )
            for items in groups.values()
        ]
        return sorted(merged, key=lambda b: (b.start, b.parent, b.children))
