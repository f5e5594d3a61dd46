"""A coordinator's caseload: each family's full sync, the families on a bounded pool.

Finding the plans and the pool live in :mod:`.caseload_pool`; ``pc-calendar sync FOLDER``
goes through :mod:`.caseload_quick`, which tries each family's quick no-op first and
comes here (:func:`sync_one`) only for the families that need their full sync.

Each family runs in a worker thread with its own connection to the state file (SQLite
connections are per thread; WAL and a busy timeout let them share the file). The work
is mostly waiting on servers, so threads overlap it well; the pool size bounds how many
servers we talk to at once. Whatever one family does -- an invalid plan, a wrong
password, a server that is down, even a bug -- ends up in that family's result, and the
others carry on.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

from ..errors import UserError
from ..plan.model import Plan
from .caseload_pool import Listener, default_jobs, discover_plans, map_families
from .inputs import reading
from .results import FamilyResult
from .runner import Progress, SyncOptions, sync_family, utc_now
from .state import StateStore, default_state_path

if TYPE_CHECKING:
    from .quick_record import Recording

__all__ = ["Caseload", "Listener", "default_jobs", "discover_plans", "map_families"]
__all__ += ["run_caseload", "sync_one"]


#: options for one plan, from its loaded Plan (each family has its own "today")
OptionsFor = Callable[[Plan], SyncOptions]


@dataclass
class Caseload:
    """How to run: state file (or beside each plan), locks, pool size, parents."""

    options_for: OptionsFor
    state: Path | None = None
    state_beside_plan: bool = False
    jobs: int = field(default_factory=default_jobs)
    wait: float = 0.0
    parents: list[str] | None = None
    pm: pluggy.PluginManager | None = None
    #: the lock folder for a state path (None: no locking)
    lock_dir: Callable[[Path], Path | None] | None = None
    #: the time recorded in the run history (UTC text)
    clock: Callable[[], str] = utc_now
    #: the day ``options_for`` starts a family's range from, given its zone (None: not
    #: known here; a full sync then leaves the quick no-op no entry)
    today: Callable[[str], date] | None = None

    def state_path(self, plan_path: Path) -> Path:
        return self.state or default_state_path(plan_path, self.state_beside_plan)


def sync_one(
    plan_path: Path,
    caseload: Caseload,
    plan: Plan | None = None,
    progress: Progress | None = None,
    recording: Recording | None = None,
) -> FamilyResult:
    """Sync one family; every failure is captured in the result, none escapes.

    ``recording``: see :func:`.runner.sync_family`; the plan, when loaded here, is read
    under it too, so the quick no-op's entry names every file it came from.
    """
    from ..plan.load import load_plan
    from .targets import load_targets

    result = FamilyResult(plan_path)
    began = time.perf_counter()
    try:
        if plan is None:
            with reading(recording.reads if recording is not None else None):
                plan = load_plan(plan_path)
        result.family = plan.family.id
        if recording is not None and recording.today is None and caseload.today is not None:
            # asked apart from options_for: across midnight the two may differ, which
            # only costs a miss (the entry's key holds the day and the range both)
            recording.today = caseload.today(plan.family.timezone)
        options = caseload.options_for(plan)
        result.start, result.end = options.start, options.end
        # a mistake in a calendar target is found before the state file is opened (or
        # made) and before any calendar is touched: nothing is half-written
        load_targets(plan, plan_path, caseload.parents, caseload.pm)
        state_path = caseload.state_path(plan_path)
        lock_dir = caseload.lock_dir(state_path) if caseload.lock_dir else None
        with StateStore(state_path, readonly=options.dry_run) as store:
            result.calendars = sync_family(
                plan_path,
                options,
                store,
                caseload.parents,
                caseload.pm,
                progress,
                plan=plan,
                lock_dir=lock_dir,
                wait=caseload.wait,
                clock=caseload.clock,
                recording=recording,
            )
    except UserError as exc:  # invalid plan, unreadable state, a bad calendars.toml
        result.error = exc.render()
    except Exception as exc:  # a bug: reported with its traceback, the others go on
        result.error = f"internal error: {exc.__class__.__name__}: {exc}"
        result.trace = traceback.format_exc()
    result.seconds = time.perf_counter() - began
    return result


def run_caseload(
    plan_paths: list[Path],
    caseload: Caseload,
    listener: Listener | None = None,
    progress: Progress | None = None,
) -> list[FamilyResult]:
    """Sync every plan on a pool of ``caseload.jobs`` threads; results in plan order."""
    from ..plugins import get_plugin_manager

    if caseload.pm is None:  # built once here, not raced for by the workers
        caseload.pm = get_plugin_manager()
    return map_families(
        plan_paths,
        lambda path: sync_one(path, caseload, progress=progress),
        caseload.jobs,
        listener,
    )
