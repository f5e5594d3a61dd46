"""Tables and the live progress display for commands that work across a caseload.

On a terminal: rich (a live display while families sync, a boxed table at the end).
Elsewhere (cron mail, pipes, tests): plain aligned text, no escape codes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

#: fewer writes than this in a calendar: no progress bar, it would only flicker
PROGRESS_MIN = 25

Cell = str | int


def plain_table(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """Columns padded to their widest cell; numbers right-aligned.

    >>> print(plain_table(["family", "n"], [["a", 1], ["bb", 22]]))
    family   n
    a        1
    bb      22
    """
    widths = [max([len(h)] + [len(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    numeric = [_numeric(rows, i) for i in range(len(widths))]

    def line(cells: Sequence[Cell]) -> str:
        out = [
            str(c).rjust(w) if num else str(c).ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ]
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


def _numeric(rows: Sequence[Sequence[Cell]], column: int) -> bool:
    """A column of counts ("-" where there is none) is right-aligned."""
    cells = [r[column] for r in rows]
    return any(isinstance(c, int) for c in cells) and all(
        isinstance(c, int) or c == "-" for c in cells
    )


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[Cell]], tty: bool, title: str | None = None
) -> None:
    """A rich table on a terminal, else :func:`plain_table`."""
    if not tty:
        click.echo(plain_table(headers, rows))
        return
    from rich.table import Table

    from .pipes import console

    table = Table(title=title)
    for i, header in enumerate(headers):
        numeric = _numeric(rows, i)
        table.add_column(header, justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(_styled(str(c)) for c in row))
    console().print(table)


def _styled(cell: str) -> str:
    return {"failed": "[red]failed[/]", "skipped": "[yellow]skipped[/]", "ok": "[green]ok[/]"}.get(
        cell, cell.replace("[", "\\[")
    )


ProgressStart = Callable[[str, int], Callable[[int], None]]


@contextmanager
def write_progress(enabled: bool) -> Iterator[ProgressStart | None]:
    """Per-calendar bars for calendars with many writes (one family's sync)."""
    if not enabled:
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        yield _bar_starter(bar, threading.Lock())


def _bar_starter(bar: Any, lock: threading.Lock) -> ProgressStart:
    def start(label: str, total: int) -> Callable[[int], None]:
        if total < PROGRESS_MIN:
            return lambda n: None
        with lock:
            task = bar.add_task(f"pushing to {label}", total=total)
        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            bar.advance(task, n)
            if done[0] >= total:
                bar.remove_task(task)

        return tick

    return start


class LiveCaseload:
    """A live display: families done of all, one row per family being synced."""

    def __init__(self, bar: Any, total: int, verb: str) -> None:
        self.bar = bar
        self.lock = threading.Lock()
        self.overall = bar.add_task(f"{verb} {total} families", total=total)
        self.rows: dict[str, Any] = {}
        self.progress = _bar_starter(bar, self.lock)

    def __call__(self, event: str, path: Any, result: Any) -> None:
        key = str(path)
        with self.lock:
            if event == "start":
                self.rows[key] = self.bar.add_task(f"  {path.stem}", total=None)
            elif event == "done":
                task = self.rows.pop(key, None)
                if task is not None:
                    self.bar.remove_task(task)
                self.bar.advance(self.overall, 1)
                if not result.ok:
                    self.bar.console.print(f"{result.name}: {result.status}")


@contextmanager
def live_caseload(
    enabled: bool, total: int, verb: str = "syncing"
) -> Iterator[LiveCaseload | None]:
    """The live display on a terminal, else None (nothing is drawn)."""
    if not enabled:
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        yield LiveCaseload(bar, total, verb)
