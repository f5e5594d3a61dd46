"""The report's chart: exchange outcomes per month as stacked bars, in inline SVG.

Made for paper: round axis ticks (1, 2 or 5 times a power of ten), labelled axes, a
legend under the plot in the document's font size, and a pattern as well as a colour
for each outcome so a black-and-white copy still tells them apart. Each bar carries its
total above it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

FONT = '"DejaVu Sans", "Liberation Sans", Arial, sans-serif'
# outcome -> SVG pattern content drawn over its colour (none: solid colour)
_PATTERNS = {
    "late": '<path d="M0,6 L6,0" stroke="#000" stroke-width="1" stroke-opacity=".45"/>',
    "missed": (
        '<path d="M0,6 L6,0 M0,0 L6,6" stroke="#fff" stroke-width="1.2" stroke-opacity=".8"/>'
    ),
    "cancelled": '<path d="M0,3 L6,3" stroke="#fff" stroke-width="1.2" stroke-opacity=".8"/>',
    "overdue": '<circle cx="3" cy="3" r="1.3" fill="#fff" fill-opacity=".85"/>',
}


def nice_ticks(peak: int, most: int = 6) -> list[int]:
    """Round ticks from 0 to at least ``peak``: steps of 1, 2 or 5 times a power of ten."""
    if peak <= 0:
        return [0, 1]
    for power in range(0, 12):
        for base in (1, 2, 5):
            step = base * 10**power
            top = math.ceil(peak / step) * step
            if top // step + 1 <= most:
                return list(range(0, top + 1, step))
    raise AssertionError("unreachable")


def _month_label(key: str) -> str:
    try:
        return f"{date.fromisoformat(key + '-01'):%b %Y}"
    except ValueError:
        return key


def _fill(state: str, colours: Mapping[str, str]) -> str:
    return f"url(#pat-{state})" if state in _PATTERNS else colours.get(state, "#999")


def _defs(states: Sequence[str], colours: Mapping[str, str]) -> str:
    out = []
    for state in states:
        if state in _PATTERNS:
            out.append(
                f'<pattern id="pat-{state}" width="6" height="6" patternUnits="userSpaceOnUse">'
                f'<rect width="6" height="6" fill="{colours.get(state, "#999")}"/>'
                f"{_PATTERNS[state]}</pattern>"
            )
    return f"<defs>{''.join(out)}</defs>"


def outcome_chart(
    months: Mapping[str, Counter[str]],
    states: Sequence[str],
    colours: Mapping[str, str],
    labels: Mapping[str, str] | None = None,
    width: int = 720,
    height: int = 300,
) -> str:
    """Stacked bars of ``months`` ("YYYY-MM" -> outcome counts) in ``states`` order."""
    labels = labels or {}
    keys = list(months)
    left, right, top = 52, 12, 16
    legend_rows = math.ceil(len(states) / 4)
    bottom = 46 + 16 * legend_rows
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(max((sum(c.values()) for c in months.values()), default=0))
    scale = plot_h / ticks[-1]
    slot = plot_w / max(len(keys), 1)
    bar = max(min(slot * 0.65, 44), 2)
    every = max(1, math.ceil(len(keys) / 12))  # at most 12 month labels
    base_y = top + plot_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family=\'{FONT}\' font-size="11" '
        f'aria-label="Exchange outcomes per month">{_defs(states, colours)}'
    ]
    for tick in ticks:
        y = base_y - tick * scale
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="{"#333" if tick == 0 else "#ccc"}" stroke-width="{1 if tick == 0 else 0.6}"/>'
            f'<text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    parts.append(
        f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">Exchanges</text>'
    )
    for i, key in enumerate(keys):
        x = left + slot * i + (slot - bar) / 2
        y = base_y
        for state in states:
            count = months[key][state]
            if not count:
                continue
            h = count * scale
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{_fill(state, colours)}" stroke="#222" stroke-width="0.5">'
                f"<title>{escape(_month_label(key))} {escape(labels.get(state, state))}: "
                f"{count}</title></rect>"
            )
        total = sum(months[key][s] for s in states)
        if total:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                f'font-size="9">{total}</text>'
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base_y + 14}" text-anchor="middle">'
                f"{escape(_month_label(key))}</text>"
            )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{base_y + 30}" text-anchor="middle">'
        "Month (exchanges by their scheduled date)</text>"
    )
    column = plot_w / 4
    for i, state in enumerate(states):
        x = left + column * (i % 4)
        y = base_y + 40 + 16 * (i // 4)
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="16" height="11" fill="{_fill(state, colours)}" '
            f'stroke="#222" stroke-width="0.5"/><text x="{x + 21:.1f}" y="{y + 9.5}">'
            f"{escape(labels.get(state, state))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
