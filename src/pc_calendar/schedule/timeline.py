"""The engine's output: custody blocks, exchanges and holiday labels.

Instants are timezone-aware datetimes in UTC (comparisons and durations across DST are
then exact); convert with ``.astimezone(zone)`` for display. Every block and exchange
carries the rule that produced it, so ``show --explain`` can justify any date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
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


@dataclass(frozen=True)
class CustodyBlock:
    """``parent`` has the children in ``children`` from ``start`` until ``end``."""

    start: datetime
    end: datetime
    parent: str
    rule: Rule
    children: tuple[str, ...]


@dataclass(frozen=True)
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

    @property
    def id(self) -> str:
        """Stable, human-typable id: local date and time plus the two parents."""
        local = self.local_at or self.at
        return f"{local:%Y-%m-%dT%H%M}-{self.from_parent}-{self.to_parent}"


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


@dataclass
class ChildTimeline:
    """One child's blocks and exchanges, sorted by time, contiguous over the range."""

    child: str
    blocks: list[CustodyBlock]
    exchanges: list[Exchange]


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
            )
            for items in groups.values()
        ]
        return sorted(merged, key=lambda b: (b.start, b.parent, b.children))
