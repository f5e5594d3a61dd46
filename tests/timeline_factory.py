"""Helpers for the stats and show tests: hand-built Timelines, the CLI, output parsers.

``child_timeline`` takes the first parent and a list of (local wall time, parent)
changes and produces contiguous blocks plus an exchange at each change, the way the
engine's output is shaped, so views and stats are tested independently of the engine.
``grid_cells`` reads a drawn month grid back into cells; ``parse`` checks HTML structure.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

from pc_calendar.schedule.timeline import (
    ChildTimeline,
    CustodyBlock,
    Exchange,
    HolidayLabel,
    Rule,
    Timeline,
)

ROTATION = Rule("rotation", "alternating weeks", "rotation")
VISIT = Rule("visit", "Wednesday dinner", "visits[0]")
HOLIDAY = Rule("holiday", "Christmas", "holidays[1]", "TFC 153.314")


def utc(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


def child_timeline(
    child: str,
    zone: ZoneInfo,
    start: date,
    end: date,
    first: str,
    changes: list[tuple[datetime, str] | tuple[datetime, str, Rule]],
    *,
    location: str | None = "school",
    born: datetime | None = None,
) -> ChildTimeline:
    """Blocks from ``start`` (or ``born``) to ``end`` local midnight, changing at ``changes``."""
    edges = [utc(born or datetime.combine(start, time(0)), zone)]
    parents, rules = [first], [ROTATION]
    for change in changes:
        edges.append(utc(change[0], zone))
        parents.append(change[1])
        rules.append(change[2] if len(change) > 2 else ROTATION)
    edges.append(utc(datetime.combine(end, time(0)), zone))
    blocks = [
        CustodyBlock(edges[i], edges[i + 1], parents[i], rules[i], (child,))
        for i in range(len(parents))
    ]
    exchanges = [
        Exchange(
            edges[i],
            parents[i - 1],
            parents[i],
            location,
            rules[i],
            rules[i - 1],
            (child,),
            edges[i].astimezone(zone),
        )
        for i in range(1, len(parents))
        if parents[i] != parents[i - 1]
    ]
    return ChildTimeline(child, blocks, exchanges)


def timeline(
    zone: ZoneInfo,
    start: date,
    end: date,
    children: list[ChildTimeline],
    holidays: list[HolidayLabel] | None = None,
) -> Timeline:
    return Timeline("test-family", zone, start, end, {c.child: c for c in children}, holidays or [])


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "rivera-chen.toml"


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run ``pc-calendar`` in-process with only show and stats loaded; (status, out, err)."""
    import pc_calendar.cli as cli_module

    monkeypatch.setattr(cli_module, "COMMAND_MODULES", ("show", "stats"))
    monkeypatch.setenv("COLUMNS", "100")
    try:
        cli_module.main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def grid_cells(text: str) -> dict[int, list[str]]:
    """Day number -> the stripped lines of its cell, parsed back from the drawn grid."""
    cells: dict[int, list[str]] = {}
    current: list[list[str]] = []
    for line in text.splitlines() + ["├"]:
        if line.startswith("│"):
            current.append([c.strip() for c in line.strip("│").split("│")])
        elif line.startswith(("├", "└")):
            if current and current[0][0] != "Mon":
                for col in range(7):
                    lines = [row[col] for row in current if row[col]]
                    if lines:
                        cells[int(lines[0].split()[0])] = lines
            current = []
    return cells


class Structure(HTMLParser):
    """Checks tags balance and collects what the tests look at."""

    VOID = {"meta", "br", "img", "link", "input", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    parser.close()
    assert parser.stack == []
    return parser
