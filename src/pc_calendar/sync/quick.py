"""The quick no-op: answer "unchanged" without loading the plan, when nothing changed.

A no-op ``pc-calendar sync PLAN`` spends most of its time before its one request:
importing pydantic and validating the plan, computing the timeline, importing caldav.
After a run that converged, :mod:`.quick_record` keeps in the sync state an *entry* for
the plan: a digest of its raw inputs (the bytes of every file the loaders read, the code
that would run, the environment, the day and the options; see :mod:`.inputs`) and, per
calendar, what the full path needs to decide and to print its result: state key, lock,
labels, the inputs fingerprint it stored, where the calendar is.

The next run computes that digest with the standard library alone. When it matches,
each calendar is asked, under its lock, the question the full no-op asks -- anything
changed since the stored token? -- with a light probe (:mod:`.quick_probe`). When every
one says no, the run is the full no-op's: the same summaries (so the same text and
``--json``), the token moved as the full listing would move it, the run recorded in the
history. Anything else -- no entry, another digest, a calendar whose state is not the
converged one, pending writes, a probe that sees a change or anything it does not
understand, a busy calendar -- returns None and the full path runs, exactly as before.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .inputs import code_identity, digest, environment, file_digest
from .results import FamilyResult
from .state_history import utc_now
from .summary import CalendarSummary

#: bump when the entry's shape or the digest's recipe changes: old entries then miss
VERSION = "pc-calendar quick no-op 1"

#: why the latest :func:`try_noop` in this process answered or fell back (diagnostics)
last_outcome = ""


@dataclass(frozen=True)
class TargetEntry:
    """One calendar as the quick path needs it (no secret: passwords stay referenced)."""

    parent: str
    key: str  # the state key
    lock: str  # the lock identity (see runner.FamilyWork.lock_identity)
    lock_label: str
    label: str  # the backend's label: the summary's target
    source: str | None
    fingerprint: str
    kind: str  # the target type: "ics" or "caldav"
    where: dict[str, Any]  # what the probe reads (see quick_probe)


@dataclass(frozen=True)
class QuickEntry:
    """What a converged run of one plan leaves for the next quick no-op."""

    family: str
    timezone: str
    files: list[str]  # read while the plan was loaded, with calendars.toml (maybe absent)
    code: list[str]  # pc_calendar's and the plugins' source files
    warnings: list[str]
    targets: list[TargetEntry] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> QuickEntry:
        data = json.loads(text)
        targets = [TargetEntry(**t) for t in data.pop("targets")]
        return cls(**data, targets=targets)


def plan_key(plan_path: Path) -> str:
    """The plan as entries are keyed: its absolute path, symlinks kept (as the plan's
    folder, which relative paths in it start from)."""
    return os.path.abspath(plan_path)


def parents_key(parents: tuple[str, ...]) -> str:
    """``--parent`` values as given (names or ids)."""
    return json.dumps(list(parents))


def inputs_digest(
    entry: QuickEntry,
    files: dict[str, str],
    today: date,
    window: tuple[date, date],
    policy: str,
    parents: tuple[str, ...],
) -> str:
    """The digest of everything the entry's answer depends on besides the calendars."""
    parts = [VERSION, entry.family, entry.timezone, today.isoformat()]
    parts += [window[0].isoformat(), window[1].isoformat(), policy, parents_key(parents)]
    parts += [f"{path}={files.get(path, '')}" for path in entry.files]
    parts += environment()
    parts += code_identity(entry.code)
    return digest(parts)


@dataclass
class QuickRequest:
    """One plan's sync as the CLI asked for it, with what the answer needs."""

    plan_path: Path
    state_path: Path
    lock_dir: Path | None
    parents: tuple[str, ...]
    policy: str
    #: the range to sync on a given day in the family's zone (a UserError if invalid)
    window: Callable[[date], tuple[date, date]]
    #: today in a time zone
    today: Callable[[str], date]
    clock: Callable[[], str] = utc_now


def try_noop(request: QuickRequest) -> FamilyResult | None:
    """The family's result if the quick path can vouch it is a no-op, else None."""
    global last_outcome
    result, last_outcome = attempt_noop(request)
    return result


def attempt_noop(request: QuickRequest) -> tuple[FamilyResult | None, str]:
    """:func:`try_noop` with why it answered or stepped aside, for one thread of many."""
    began = time.perf_counter()
    try:
        result, outcome = _attempt(request)
    except Exception as exc:  # an optimisation must never cost the sync: the full path runs
        result, outcome = None, f"fell back: {exc.__class__.__name__}: {exc}"
    if result is not None:
        result.seconds = time.perf_counter() - began
    return result, outcome


def _attempt(request: QuickRequest) -> tuple[FamilyResult | None, str]:
    # Plugins are added in-process only through pc_calendar.plugins: not imported, none
    # were (and importing it would import pluggy, which this path otherwise never needs).
    plugins = sys.modules.get("pc_calendar.plugins")
    if plugins is not None and plugins.extras_active():
        return None, "plugins added in-process"
    if not request.state_path.is_file():
        return None, "no sync state"
    from .state import StateStore

    with StateStore(request.state_path) as store:
        found = store.quick_entry(plan_key(request.plan_path), parents_key(request.parents))
        if found is None:
            return None, "no entry"
        expected, text = found
        entry = QuickEntry.from_json(text)
        today = request.today(entry.timezone)
        window = request.window(today)
        files = {path: file_digest(path) for path in entry.files}
        got = inputs_digest(entry, files, today, window, request.policy, request.parents)
        if got != expected:
            return None, "inputs changed"
        summaries = []
        for target in entry.targets:
            summary, why = _calendar(store, entry, target, request)
            if summary is None:
                return None, why
            summaries.append(summary)
    result = FamilyResult(request.plan_path, entry.family, summaries)
    result.start, result.end = window
    return result, "quick no-op"


def _calendar(
    store: Any, entry: QuickEntry, target: TargetEntry, request: QuickRequest
) -> tuple[CalendarSummary | None, str]:
    """One calendar under its lock, as ``sync_calendar``'s no-op would do it."""
    from .locking import CalendarBusy, calendar_lock
    from .quick_probe import probe

    lock = (
        calendar_lock(request.lock_dir, target.lock, target.lock_label, 0.0)
        if request.lock_dir is not None
        else nullcontext()
    )
    try:
        with lock:
            header = store.load_header(target.key)
            if (
                header.fingerprint != target.fingerprint
                or header.desired is None
                or header.token is None
                or store.has_pending(target.key)
            ):
                return None, f"{target.label}: not the converged state"
            seen = probe(entry.family, target, header.token)
            if seen is None:
                return None, f"{target.label}: the probe cannot vouch for no change"
            if seen.token != header.token:
                store.set_token(target.key, seen.token)
            store.record_run(target.key, target.label, request.clock(), None)
    except CalendarBusy:
        return None, f"{target.label}: busy"  # the full path waits (--wait) and reports
    summary = CalendarSummary(target.parent, target.label, unchanged=header.desired)
    summary.requests = seen.requests
    summary.warnings = list(entry.warnings)
    summary.source = target.source
    return summary, "unchanged"
