"""A coordinator's caseload: find the plans, sync the families on a bounded pool.

Each family runs in a worker thread with its own connection to the state file (SQLite
connections are per thread; WAL and a busy timeout let them share the file). The work
is mostly waiting on servers, so threads overlap it well; the pool size bounds how many
servers we talk to at once. Whatever one family does -- an invalid plan, a wrong
password, a server that is down, even a bug -- ends up in that family's result, and the
others carry on.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy

from ..errors import UserError
from ..plan.model import Plan
from .results import FamilyResult
from .runner import Progress, SyncOptions, sync_family, utc_now
from .state import StateStore, default_state_path
from .targets import CALENDARS_FILE

if TYPE_CHECKING:
    from .quick_record import Recording


def default_jobs() -> int:
    """min(4, 2 x CPUs): enough to overlap network waits without hammering a server."""
    return min(4, (os.cpu_count() or 1) * 2)


def discover_plans(args: Iterable[Path], recursive: bool = False) -> list[Path]:
    """Plan files from files and folders, in a stable order, each once.

    A folder contributes its ``*.toml`` files except ``calendars.toml`` (a family's
    accounts, not a plan) and hidden ones; with ``recursive`` its subfolders' too. A
    missing argument is a UserError; so is finding no plan at all.
    """
    found: list[Path] = []
    for arg in args:
        if arg.is_dir():
            pattern = "**/*.toml" if recursive else "*.toml"
            found += sorted(
                p
                for p in arg.glob(pattern)
                if p.is_file()
                and p.name != CALENDARS_FILE
                and not any(part.startswith(".") for part in p.relative_to(arg).parts)
            )
        elif arg.is_file():
            found.append(arg)
        else:
            raise UserError(f"{arg}: no such plan file or folder")
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    if not unique:
        names = ", ".join(str(a) for a in args)
        raise UserError(
            f"no plans found in {names}",
            hint="pass plan files (*.toml) or folders holding them",
        )
    return list(unique.values())


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

    def state_path(self, plan_path: Path) -> Path:
        return self.state or default_state_path(plan_path, self.state_beside_plan)


#: caseload events for a live display: ("start" | "done", plan path, result or None)
Listener = Callable[[str, Path, Any], None]


def sync_one(
    plan_path: Path,
    caseload: Caseload,
    plan: Plan | None = None,
    progress: Progress | None = None,
    recording: Recording | None = None,
) -> FamilyResult:
    """Sync one family; every failure is captured in the result, none escapes.

    ``recording``: see :func:`.runner.sync_family` (one plan's sync from the CLI).
    """
    from ..plan.load import load_plan
    from .targets import load_targets

    result = FamilyResult(plan_path)
    began = time.perf_counter()
    try:
        plan = plan if plan is not None else load_plan(plan_path)
        result.family = plan.family.id
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


R = TypeVar("R")


def map_families(
    plan_paths: list[Path],
    work: Callable[[Path], R],
    jobs: int,
    listener: Listener | None = None,
) -> list[R]:
    """``work(path)`` for every plan on a pool of ``jobs`` threads; results in plan order.

    ``work`` must not raise (it reports failures in its result). ``listener`` hears
    ``("start", path, None)`` and ``("done", path, result)`` for a live display.
    """
    notify = listener or (lambda event, path, result: None)

    def run(path: Path) -> R:
        notify("start", path, None)
        return work(path)

    results: dict[Path, R] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(run, path): path for path in plan_paths}
        try:
            for future in as_completed(futures):
                path = futures[future]
                results[path] = future.result()
                notify("done", path, results[path])
        except BaseException:  # Ctrl-C: start nothing new; running families finish
            for future in futures:
                future.cancel()
            raise
    return [results[path] for path in plan_paths]


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
