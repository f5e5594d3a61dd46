"""The caseload's plumbing: which plans, how many at once, results in plan order.

Apart from :mod:`.caseload` (the full sync of one family) because a caseload whose every
family is answered by the quick no-op (:mod:`.caseload_quick`) needs only this: finding
the plans and running the families on a pool must not import the plan model, the engine
or a backend.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, TypeVar

from ..errors import UserError

#: a family's accounts beside its plans, not a plan (``sync.targets`` reads it)
CALENDARS_FILE = "calendars.toml"


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


#: caseload events for a live display: ("start" | "done", plan path, result or None)
Listener = Callable[[str, Path, Any], None]

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
