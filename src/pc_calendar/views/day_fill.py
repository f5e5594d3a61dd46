"""A calendar day's background: each custodian's colour and pattern over their hours.

Colour alone fails on a black-and-white printer (two light fills print as the same
grey), so every parent after the first also has a line pattern, and a split day (the
children with different parents) its own. Bands run left to right in proportion to
the hours each custodian had that day; a pattern covers exactly its parent's band.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from .days import NONE_FILL, SPLIT_FILL, DayView, Segment, ViewContext

_INK = "rgba(0, 0, 0, .30)"


def _lines(angle: int, every: float) -> str:
    """Thin lines every ``every`` px (single-position stops: WeasyPrint reads only those)."""
    return (
        f"repeating-linear-gradient({angle}deg, {_INK} 0, {_INK} .8px, "
        f"transparent .8px, transparent {every}px)"
    )


# by the parent's position in the plan (cycled); None: no pattern
_PATTERNS: tuple[str | None, ...] = (
    None,
    _lines(45, 6),
    _lines(-45, 6),
    _lines(0, 5),
)
SPLIT_PATTERN = _lines(90, 4)


def _colour(seg: Segment, ctx: ViewContext) -> str:
    if seg.parent:
        return ctx.colour(seg.parent)[1]
    return SPLIT_FILL if seg.split else NONE_FILL


def pattern(parent: str | None, ctx: ViewContext, split: bool = False) -> str | None:
    """The parent's pattern (by plan position), the split pattern, or None."""
    if split:
        return SPLIT_PATTERN
    if parent is None:
        return None
    order = list(ctx.parents)
    index = order.index(parent) if parent in order else len(order)
    return _PATTERNS[index % len(_PATTERNS)]


def _bands(day: DayView) -> list[tuple[Segment, float, float]]:
    """(segment, start %, end %) of the day, left to right."""
    segs = day.segments
    total = (segs[-1].end - segs[0].start) / timedelta(seconds=1)
    out, at = [], 0.0
    for seg in segs:
        nxt = at + (seg.end - seg.start) / timedelta(seconds=1) / total * 100
        out.append((seg, at, nxt))
        at = nxt
    return out


def fill_style(day: DayView, ctx: ViewContext) -> str:
    """Inline CSS for the day's cell: colour bands, then each band's pattern on top."""
    bands = _bands(day)
    if len(bands) == 1:
        base = _colour(bands[0][0], ctx)
    else:
        stops = ", ".join(
            f"{_colour(s, ctx)} {a:.2f}%, {_colour(s, ctx)} {b:.2f}%" for s, a, b in bands
        )
        base = f"linear-gradient(to right, {stops})"
    layers, sizes, positions = [], [], []
    for seg, a, b in bands:
        image = pattern(seg.parent, ctx, seg.split)
        if image is None:
            continue
        width = b - a
        # a percentage position p puts p% of the layer on p% of the cell
        pos = 0.0 if width >= 99.995 else a / (100 - width) * 100
        layers.append(image)
        sizes.append(f"{width:.2f}% 100%")
        positions.append(f"{pos:.2f}% 0")
    if not layers:
        return f"background: {base}"
    if len(bands) == 1:
        return (
            f"background-color: {base}; background-image: {', '.join(layers)}; "
            f"background-size: {', '.join(sizes)}; background-position: {', '.join(positions)}; "
            "background-repeat: no-repeat"
        )
    return (
        f"background-image: {', '.join([*layers, base])}; "
        f"background-size: {', '.join([*sizes, '100% 100%'])}; "
        f"background-position: {', '.join([*positions, '0 0'])}; background-repeat: no-repeat"
    )


def legend_swatch(parent: str | None, ctx: ViewContext) -> str:
    """A legend swatch with the same colour and pattern as the days (None: split day)."""
    colour = ctx.colour(parent)[1] if parent else SPLIT_FILL
    image = pattern(parent, ctx, split=parent is None)
    style = f"background-color: {colour}" + (f"; background-image: {image}" if image else "")
    return f'<span class="swatch" style="{escape(style)}"></span>'
