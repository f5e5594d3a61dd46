"""An interval painter: later paint replaces earlier paint for exactly the time it covers.

The layers of a plan (rotation < seasons < holidays < overrides) are painted in order
onto one strip of time. The strip is a sorted list of boundaries (POSIX seconds) with
one value per segment, so painting a span is two bisects and a slice assignment; an
eighteen-year timeline has a few thousand segments, never one entry per minute.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator
from typing import Any


class Painter:
    """Segments ``[keys[i], keys[i+1])`` hold ``values[i]``; ``keys[-1]`` is the end."""

    __slots__ = ("keys", "values")

    def __init__(self, start: int, end: int, value: Any) -> None:
        if end <= start:
            raise ValueError("a painter needs end > start")
        self.keys: list[int] = [start, end]
        self.values: list[Any] = [value, None]

    @classmethod
    def of(cls, keys: list[int], values: list[Any]) -> Painter:
        """A painter holding ``keys`` and ``values`` (taken, not copied): sorted keys,
        ``values[-1]`` None, as ``__init__`` would leave them after painting."""
        made = cls.__new__(cls)
        made.keys, made.values = keys, values
        return made

    @property
    def start(self) -> int:
        return self.keys[0]

    @property
    def end(self) -> int:
        return self.keys[-1]

    def copy(self) -> Painter:
        clone = Painter.__new__(Painter)
        clone.keys = list(self.keys)
        clone.values = list(self.values)
        return clone

    def paint(self, start: int, end: int, value: Any) -> None:
        """Give ``[start, end)`` (clipped to the strip) the value ``value``."""
        keys = self.keys
        start = max(start, keys[0])
        end = min(end, keys[-1])
        if start >= end:
            return
        i = bisect_right(keys, start) - 1
        j = bisect_right(keys, end) - 1
        lo = i if keys[i] == start else i + 1
        if keys[j] == end:
            self.keys[lo:j] = [start]
            self.values[lo:j] = [value]
        else:
            after = self.values[j]
            self.keys[lo : j + 1] = [start, end]
            self.values[lo : j + 1] = [value, after]

    def paint_run(self, cuts: list[int], values: list[Any], end: int) -> None:
        """``paint`` of each ``[cuts[k], cuts[k + 1])`` (the last one up to ``end``) with
        ``values[k]``, in one go: contiguous pieces (a season's rotation) replace what
        lies under them as a whole. ``cuts`` ascend, each piece is non-empty."""
        keys = self.keys
        start = cuts[0]
        if start < keys[0] or end > keys[-1]:  # (clipped: piece by piece)
            bounds = [*cuts[1:], end]
            for k, value in enumerate(values):
                self.paint(cuts[k], bounds[k], value)
            return
        i = bisect_right(keys, start) - 1
        j = bisect_right(keys, end) - 1
        lo = i if keys[i] == start else i + 1
        if keys[j] == end:
            keys[lo:j] = cuts
            self.values[lo:j] = values
        else:
            after = self.values[j]
            keys[lo : j + 1] = [*cuts, end]
            self.values[lo : j + 1] = [*values, after]

    def paint_where(self, start: int, end: int, value: Any, where: Callable[[Any], bool]) -> None:
        """Paint only the parts of ``[start, end)`` whose current value passes ``where``."""
        keys = self.keys
        i = bisect_right(keys, start) - 1
        if 0 <= i < len(keys) - 1 and end <= keys[i + 1]:  # inside one segment
            if start < end and where(self.values[i]):
                self.paint_inside(i, start, end, value)
            return
        pieces = [(s, e) for s, e, old in self.segments(start, end) if where(old)]
        for s, e in pieces:
            self.paint(s, e, value)

    def paint_inside(self, i: int, start: int, end: int, value: Any) -> None:
        """``paint`` for ``keys[i] <= start < end <= keys[i + 1]``: what a weekly visit
        inside a rotation block is, without searching for the segment again (the caller
        found ``i``)."""
        keys, values = self.keys, self.values
        if keys[i] == start:
            if keys[i + 1] == end:
                values[i] = value
            else:
                keys.insert(i + 1, end)
                values.insert(i + 1, values[i])
                values[i] = value
        elif keys[i + 1] == end:
            keys.insert(i + 1, start)
            values.insert(i + 1, value)
        else:
            keys[i + 1 : i + 1] = [start, end]
            values[i + 1 : i + 1] = [value, values[i]]

    def value_at(self, instant: int) -> Any:
        """The value holding at ``instant`` (which must lie on the strip)."""
        return self.values[bisect_right(self.keys, instant) - 1]

    def segments(
        self, start: int | None = None, end: int | None = None
    ) -> Iterator[tuple[int, int, Any]]:
        """``(start, end, value)`` of each segment, clipped to ``[start, end)``."""
        keys, values = self.keys, self.values
        lo_bound = keys[0] if start is None else max(start, keys[0])
        hi_bound = keys[-1] if end is None else min(end, keys[-1])
        if lo_bound >= hi_bound:
            return
        i = bisect_right(keys, lo_bound) - 1
        last = len(keys) - 1
        while i < last and keys[i] < hi_bound:
            yield max(keys[i], lo_bound), min(keys[i + 1], hi_bound), values[i]
            i += 1
