"""One doctor run: every chosen parent's target, each step in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy

from ..errors import UserError
from .report import FAIL, OK, WARN, TargetReport

STEPS = ["settings", "name", "connection", "tls", "http", "clock", "login", "protocol",
         "calendar", "changes", "write"]  # fmt: skip


def diagnose(
    plan_path: Path,
    parents: list[str] | None,
    state_path: Path,
    *,
    timeout: float = 15,
    pm: pluggy.PluginManager | None = None,
) -> list[TargetReport]:
    """A report per target; a plan that does not load is the caller's UserError."""
    from ..plan.load import load_plan
    from ..plugins import get_plugin_manager
    from ..sync.targets import load_targets

    pm = pm or get_plugin_manager()
    plan = load_plan(plan_path, pm)
    reports = []
    for target in load_targets(plan, plan_path, parents, pm):
        reports.append(_one(plan, plan_path, target, state_path, timeout, pm))
    if not reports:
        raise UserError(
            f"{plan_path}: no parent has a calendar target",
            hint='add parents.ID.calendar = { type = "ics", folder = "out/ID" }',
        )
    return reports


def _one(
    plan: Any, plan_path: Path, target: Any, state_path: Path, timeout: float, pm: Any
) -> TargetReport:
    from ..sync.runner import target_label
    from ..sync.targets import BackendContext, make_backend

    report = TargetReport(target.parent_id, target_label(target))
    context = BackendContext(plan.family.id, target.parent_id, plan_path.parent, target.source)
    try:
        backend = make_backend(target, context, pm)
    except UserError as exc:
        report.add("settings", FAIL, exc.message, exc.hint or f"fix {target.source}")
        report.skip(STEPS, "the settings are wrong")
    else:
        report.add("settings", OK, f"read from {target.source}")
        try:
            _reach(report, backend, target, plan, plan_path)
        finally:
            backend.close()
    _last_sync(report, target.key(plan.family.id, plan_path.parent), state_path, plan_path)
    return report


def _reach(report: TargetReport, backend: Any, target: Any, plan: Any, plan_path: Path) -> None:
    from .probe import check_write

    if target.type == "caldav":
        if not _caldav(report, backend, target, plan_path):
            return
    elif not _listing(report, backend):
        return
    check_write(report, backend, plan.family.id)


def _caldav(report: TargetReport, backend: Any, target: Any, plan_path: Path) -> bool:
    from .caldav_checks import check_calendar, check_login, check_protocol
    from .network import check_network

    settings = backend.settings
    verify = getattr(settings, "verify", True)
    user = f" --user {settings.username}" if settings.username else ""
    hint = (
        f"pc-calendar targets discover {settings.url}{user} --write {plan_path} "
        f"--parent {target.parent_id} --replace"
    )
    ok = check_network(report, settings.url, settings.timeout, verify) and check_login(
        report, backend, hint
    )
    if ok:
        check_protocol(report, backend)
        ok = check_calendar(report, backend, hint)
    if not ok:
        report.skip(STEPS, "an earlier step failed")
    return ok


def _listing(report: TargetReport, backend: Any) -> bool:
    """Backends without network steps: listing our events proves access."""
    try:
        listing = backend.list(None)
    except UserError as exc:
        report.add("calendar", FAIL, exc.message, exc.hint)
        report.skip(["write"], "the calendar could not be read")
        return False
    report.add("calendar", OK, f"readable; {len(listing.events)} of our events in it")
    return True


def _last_sync(report: TargetReport, key: str, state_path: Path, plan_path: Path) -> None:
    from ..sync.state import StateStore

    run = None
    if state_path.exists():
        with StateStore(state_path, readonly=True) as store:
            run = store.last_run(key)
    if run is None or run.last_attempt is None:
        report.add(
            "last sync", WARN, "never synced (with this state file)",
            f"pc-calendar sync {plan_path}",
        )  # fmt: skip
    elif run.failing:
        report.add(
            "last sync",
            FAIL,
            f"the last sync failed at {run.last_error_at}: {run.last_error}",
            f"fix what is above, then pc-calendar sync {plan_path}",
        )
    else:
        report.add("last sync", OK, f"succeeded at {run.last_success}")
