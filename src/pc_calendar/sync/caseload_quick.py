"""A caseload's sync with the quick no-op: each family decided as a single plan's sync.

``pc-calendar sync FOLDER`` runs every family on the pool. Each worker first asks the
quick path (:mod:`.quick`) about its family, exactly as ``pc-calendar sync PLAN`` does:
the family's own entry, its own files, day, options and calendars. When it vouches, the
family's result is the full no-op's; otherwise that family alone takes the full sync
(:func:`.caseload.sync_one`), recording what the quick path needs next time. The engine,
the plan model and the backends are imported only when some family needs them, so a
caseload of no-ops costs its probes and little else.

The folder as a whole adds nothing the families do not already key: a family added has
no entry (full sync), a family removed is not run (as with the full path), a shared
``calendars.toml`` or school ICS is among the files of each family that read it, and the
day is each family's own. One thing is the caseload's: families share the process's
caches (a time zone read once, a plugin's data), so a file one family read may have been
used by another that never opened it. Every file a family's full sync reads, apart from
the plans and their ``calendars.toml`` (which each family reads itself), is added to the
entry of every family synced in full in the same run (:func:`.inputs.sharing`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .caseload_pool import CALENDARS_FILE, Listener, map_families
from .inputs import Reads, shared_files, sharing
from .quick import QuickRequest, attempt_noop
from .results import FamilyResult

if TYPE_CHECKING:
    from .caseload import Caseload
    from .runner import Progress


#: per plan, why the latest :func:`run_families` in this process answered it quickly or
#: not (diagnostics, as :data:`.quick.last_outcome` for one plan)
last_outcomes: dict[Path, str] = {}


class _Lazy:
    """The full path's settings, built once by the first family that needs them."""

    def __init__(self, build: Callable[[], Caseload]) -> None:
        self._build = build
        self._built: Caseload | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Caseload:
        with self._lock:
            if self._built is None:
                self._built = self._build()
            return self._built


def run_families(
    plan_paths: list[Path],
    jobs: int,
    full: Callable[[], Caseload],
    quick_for: Callable[[Path], QuickRequest] | None = None,
    listener: Listener | None = None,
    progress: Progress | None = None,
    outcomes: dict[Path, str] | None = None,
) -> list[FamilyResult]:
    """Every family's result, in plan order, on a pool of ``jobs`` threads.

    ``quick_for``: the quick path's request for a plan (None: every family takes the
    full path and records nothing, as a dry run must). ``full``: the full path's
    settings, asked for once, only if a family needs them. ``outcomes`` hears, per plan,
    why the quick path answered or stepped aside.
    """
    global last_outcomes
    last_outcomes = outcomes if outcomes is not None else {}
    caseload = _Lazy(full)
    ambient = Reads()
    own = {os.path.abspath(p) for p in plan_paths}
    own |= {os.path.abspath(p.parent / CALENDARS_FILE) for p in plan_paths}

    def shared() -> dict[str, str]:
        return {path: known for path, known in shared_files(ambient).items() if path not in own}

    def work(path: Path) -> FamilyResult:
        if quick_for is not None:
            result, outcome = _quick(path, quick_for)
            last_outcomes[path] = outcome
            if result is not None:
                return result
        return _full(path, caseload, progress, shared if quick_for is not None else None)

    with sharing(ambient):
        return map_families(plan_paths, work, jobs, listener)


def _quick(
    path: Path, quick_for: Callable[[Path], QuickRequest]
) -> tuple[FamilyResult | None, str]:
    try:
        request = quick_for(path)
    except Exception as exc:  # the full path meets (and reports) the same problem
        return None, f"fell back: {exc.__class__.__name__}: {exc}"
    return attempt_noop(request)


def _full(
    path: Path,
    caseload: Callable[[], Caseload],
    progress: Progress | None,
    ambient: Callable[[], dict[str, str]] | None,
) -> FamilyResult:
    """The family's full sync; with ``ambient``, recorded for the next quick no-op."""
    try:
        from .caseload import sync_one
        from .quick_record import Recording

        settings = caseload()
    except Exception as exc:  # never escapes a worker: the family's result says it
        return _failed(path, exc)
    recording = None if ambient is None else Recording(path, (), ambient=ambient)
    return sync_one(path, settings, progress=progress, recording=recording)


def _failed(path: Path, exc: Exception) -> FamilyResult:
    import traceback

    result = FamilyResult(path)
    result.error = f"internal error: {exc.__class__.__name__}: {exc}"
    result.trace = traceback.format_exc()
    return result
