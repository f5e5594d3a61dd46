"""``pc-calendar export``: write RFC 5545 calendar files for a parent or the whole family.

Each calendar is streamed, event by event, into a temporary file beside its target, and
all are put in place with ``os.replace`` only once every one is written, so a failure
never leaves a half-written calendar that a subscribed phone would pick up, and an
18-year calendar is never held whole in memory. Each is mode 0600: it names the family,
its children and where they sleep (a calendar to serve or subscribe to is an ``ics``
target's job).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from ..errors import UserError
from ..plan.model import Plan
from . import verbosity
from .common import parse_date, plan_argument

_KIND = re.compile(rb"\r\nX-PC-CALENDAR-KIND:([^\r]*)\r\n")


@dataclass(frozen=True)
class Output:
    """One calendar file to write: whose (a parent id, None for the whole family)."""

    path: Path
    parent: str | None
    outcomes: dict[str, str] | None = None


class _Counted:
    """The chunks of a calendar, counting VEVENTs (and their kinds) as they are written."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks, self.events, self.found = chunks, 0, Counter[str]()

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            if chunk.startswith(b"BEGIN:VEVENT\r\n"):
                self.events += 1
                if kind := _KIND.search(chunk):
                    self.found[kind.group(1).decode("utf-8")] += 1
            yield chunk

    def kinds(self) -> dict[str, int]:
        """Events per X-PC-CALENDAR-KIND (custody, exchanges, holidays...), sorted."""
        return dict(sorted(self.found.items()))


@dataclass(frozen=True)
class Written:
    """What one calendar file received."""

    path: Path
    parent: str | None
    events: int
    kinds: dict[str, int]

    def as_dict(self, family: str) -> dict[str, object]:
        return {
            "path": str(self.path),
            "family": family,
            "parent": self.parent,
            "events": self.events,
            "kinds": self.kinds,
        }


def default_range(plan: Plan, today: date | None = None) -> tuple[date, date]:
    """1 January of this year (in the family's zone) to 1 January two years later."""
    if today is None:
        try:
            today = datetime.now(ZoneInfo(plan.family.timezone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            raise UserError(
                f"family.timezone: unknown time zone {plan.family.timezone!r}"
            ) from None
    return date(today.year, 1, 1), date(today.year + 2, 1, 1)


def resolve_range(plan: Plan, start: str | None, end: str | None) -> tuple[date, date]:
    """``--from``/``--to`` (``--to`` exclusive), defaulting each end independently."""
    first, last = default_range(plan)
    first = parse_date(start, "--from") if start else first
    last = parse_date(end, "--to") if end else date(first.year + 2, 1, 1)
    if last <= first:
        raise UserError(f"--to {last} must be after --from {first} (--to is exclusive)")
    return first, last


def resolve_parent(plan: Plan, name: str) -> str:
    """A parent id from ``--parent``: the id, or the name or first name (any case)."""
    if name in plan.parents:
        return name
    wanted = name.casefold()
    matches = [
        pid
        for pid, p in plan.parents.items()
        if wanted in (p.name.casefold(), p.name.split()[0].casefold() if p.name else "")
    ]
    if len(matches) == 1:
        return matches[0]
    listing = ", ".join(f"{pid} ({p.name})" for pid, p in plan.parents.items())
    raise UserError(
        f"--parent: no single parent called {name!r} in the plan", hint=f"parents: {listing}"
    )


def plan_outputs(
    plan: Plan,
    parent: str | None,
    target: Path,
    as_folder: bool,
    outcomes: dict[str, str] | None = None,
) -> list[Output]:
    """What to write where: one calendar, or per parent plus the family's in a folder.

    ``outcomes`` (from the exchange log) only mark the family's coordinator calendar.
    """
    if parent is not None or not as_folder:
        path = target / f"{plan.family.id}-{parent}.ics" if as_folder else target
        return [Output(path, parent, outcomes if parent is None else None)]
    outputs = [Output(target / f"{plan.family.id}-{pid}.ics", pid) for pid in plan.parents]
    outputs.append(Output(target / f"{plan.family.id}.ics", None, outcomes))
    return outputs


def write_outputs(
    plan: Plan,
    timeline,
    outputs: list[Output],
    pm=None,
    window: tuple[date, date] | None = None,
) -> list[Written]:
    """Render and write each calendar (all or none put in place); what each received.

    ``window``: only events touching these dates, whole (as sync pushes them).
    """
    from ..fileio import PRIVATE, AtomicFiles
    from ..render import render_calendar_chunks

    counts = []
    with AtomicFiles() as files:
        for out in outputs:
            rendered = render_calendar_chunks(plan, timeline, out.parent, pm, out.outcomes, window)
            chunks = _Counted(rendered)
            files.write(out.path, chunks, mode=PRIVATE)
            counts.append(Written(out.path, out.parent, chunks.events, chunks.kinds()))
        files.commit()
    return counts


def _target(output: str) -> tuple[Path, bool]:
    """The output path, and whether it is a folder (exists as one, or ends with '/')."""
    path = Path(output)
    as_folder = path.is_dir() or output.endswith(("/", os.sep))
    if not as_folder and path.exists() and not path.is_file():
        raise UserError(f"-o {output}: exists and is not a regular file")
    return path, as_folder


@click.command("export")
@plan_argument
@click.option(
    "--parent",
    "parent_name",
    metavar="NAME",
    help="Only this parent's calendar (their id, name or first name).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="PATH",
    help="The .ics file to write, or a folder (existing, or ending with /) to "
    "write <family>-<parent>.ics per parent plus <family>.ics.",
)
@click.option(
    "--from", "start", metavar="DATE", help="First day, YYYY-MM-DD (default: 1 January this year)."
)
@click.option(
    "--to",
    "end",
    metavar="DATE",
    help="Day after the last, YYYY-MM-DD (default: 1 January two years after --from's year).",
)
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Exchange log whose recorded outcomes mark the family calendar's exchanges "
    "(default: the family's log in the user data dir, if any).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def export(
    plan_path: Path,
    parent_name: str | None,
    output: str,
    start: str | None,
    end: str | None,
    db: Path | None,
    as_json: bool,
) -> None:
    """Write RFC 5545 calendars (.ics) from a plan.

    With --parent, that parent's chosen events (own or other custody, exchanges with a
    reminder, holidays). Without, the whole family: to a file, the coordinator's
    calendar of everything; to a folder, one calendar per parent plus the family's.
    Events touching --from/--to are written whole, as sync pushes them (same UIDs and
    times). Output is deterministic; set SOURCE_DATE_EPOCH to pin DTSTAMP as well.
    --json prints what was written (files, events per calendar, range) as JSON; -q
    prints nothing on success; -v adds the events of each kind per file.

    Exit status: 0 written; 2 a mistake in the plan, the options or the output path
    (nothing is half-written).
    """
    from ..plan.load import load_plan
    from ..schedule.window import compute_window
    from .timeline_args import print_warnings

    plan = load_plan(plan_path)
    parent = resolve_parent(plan, parent_name) if parent_name is not None else None
    first, last = resolve_range(plan, start, end)
    target, as_folder = _target(output)
    # as sync does: events crossing --from or --to are whole, never clipped at midnight
    timeline = compute_window(plan, first, last)
    print_warnings(timeline)
    outcomes = None
    if parent is None:  # only the coordinator's calendar carries the log's outcomes
        from ..exchanges.service import outcome_labels

        outcomes = outcome_labels(plan, db, first, last)
    outputs = plan_outputs(plan, parent, target, as_folder, outcomes)
    created = as_folder and not target.is_dir()
    if created:
        try:
            target.mkdir(parents=True)
        except OSError as exc:
            raise UserError(f"-o {output}: cannot create the folder ({exc.strerror})") from None
    try:
        written = write_outputs(plan, timeline, outputs, window=(first, last))
    except BaseException:
        if created:  # nothing was put in it: leave no trace of the failed run
            with contextlib.suppress(OSError):
                target.rmdir()
        raise
    if as_json:
        files = [out.as_dict(plan.family.id) for out in written]
        data = {"plan": str(plan_path), "from": str(first), "to": str(last), "files": files}
        click.echo(json.dumps(data, indent=2))
        return
    for out in written:
        verbosity.say(
            f"wrote {out.path} ({out.events} event{'s' if out.events != 1 else ''}, "
            f"{first} to {last})"
        )
        kinds = ", ".join(f"{n} {kind}" for kind, n in out.kinds.items()) or "no events"
        verbosity.detail(f"  {out.path.name}: {kinds}")


def register(cli: click.Group) -> None:
    cli.add_command(export)
