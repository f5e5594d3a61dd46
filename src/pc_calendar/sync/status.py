"""Where each family of a caseload stands: last sync, pending changes, exchanges.

Pending changes come from a dry run against the backend (one listing per calendar,
nothing written), or with ``offline`` from the sync state alone: what we last pushed
compared with what the plan wants now. Offline cannot see a parent's edits in their
calendar, so every result says which it is. Overdue and missed exchanges come from the
exchange log joined with the Timeline (:mod:`pc_calendar.exchanges.service`).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pluggy

from ..backends.base import RemoteEvent
from ..errors import UserError
from ..exchanges.status import ExchangeRow
from ..plan.model import Plan
from .diff import compute_plan
from .runner import (
    FamilyWork,
    SyncOptions,
    desired_for,
    prepare_family,
    sync_calendar,
    target_label,
)
from .state import CalendarState, RunRecord, StateStore
from .targets import Target, make_backend


@dataclass
class Pending:
    """Changes a sync would make now; ``source`` is "backend" or "state" (offline)."""

    source: str
    create: int = 0
    update: int = 0
    delete: int = 0
    conflicts: int = 0

    @property
    def total(self) -> int:
        return self.create + self.update + self.delete

    def text(self) -> str:
        if self.total == 0 and not self.conflicts:
            return "in sync"
        out = f"+{self.create} ~{self.update} -{self.delete}"
        return out + (f", {self.conflicts} conflicts" if self.conflicts else "")


@dataclass
class CalendarStatus:
    parent: str
    target: str
    run: RunRecord | None
    pending: Pending | None = None
    error: str | None = None  # why the pending changes could not be worked out

    def as_dict(self) -> dict[str, Any]:
        run = self.run
        return {
            "parent": self.parent,
            "target": self.target,
            "last_success": run.last_success if run else None,
            "last_attempt": run.last_attempt if run else None,
            "last_error": run.last_error if run else None,
            "last_error_at": run.last_error_at if run else None,
            "failing": run.failing if run else False,
            "pending": None if self.pending is None else {
                "source": self.pending.source,
                "create": self.pending.create,
                "update": self.pending.update,
                "delete": self.pending.delete,
                "conflicts": self.pending.conflicts,
            },
            "error": self.error,
        }  # fmt: skip


@dataclass
class FamilyStatus:
    plan_path: Path
    family: str | None = None
    calendars: list[CalendarStatus] = field(default_factory=list)
    overdue: list[ExchangeRow] = field(default_factory=list)
    missed: list[ExchangeRow] = field(default_factory=list)
    disputed: list[ExchangeRow] = field(default_factory=list)  # other outcomes, disputed
    exchanges_error: str | None = None
    error: str | None = None
    trace: str | None = None
    reviews_due: list[str] = field(default_factory=list)  # decisions to review (warnings)

    @property
    def name(self) -> str:
        return self.family or self.plan_path.stem

    @property
    def ok(self) -> bool:
        """Everything could be checked (says nothing about what was found)."""
        return (
            self.error is None
            and self.exchanges_error is None
            and all(c.error is None for c in self.calendars)
        )

    @property
    def status(self) -> str:
        return "ok" if self.ok else "failed"


@dataclass
class StatusRequest:
    """What to look at: options per family, where the state is, how far back."""

    options_for: Callable[[Plan], SyncOptions]
    state_path: Callable[[Path], Path]
    offline: bool
    now: datetime
    grace: timedelta
    days: int
    pm: pluggy.PluginManager
    db: Path | None = None  # an exchange log path (tests); default: one per family


def family_status(plan_path: Path, request: StatusRequest) -> FamilyStatus:
    """One family's status; never raises (failures are in the result)."""
    from ..plan.load import load_plan

    result = FamilyStatus(plan_path)
    try:
        plan = load_plan(plan_path)
        result.family = plan.family.id
        result.reviews_due = _reviews_due(plan, request.now)
        options = request.options_for(plan)
        work = prepare_family(plan_path, options, None, request.pm, plan)
        with StateStore(request.state_path(plan_path), readonly=True) as store:
            for target in work.targets:
                result.calendars.append(_calendar(work, target, options, store, request))
        _exchanges(result, plan, request)
    except UserError as exc:
        result.error = exc.render()
    except Exception as exc:  # a bug: reported, the other families still answer
        result.error = f"internal error: {exc.__class__.__name__}: {exc}"
        result.trace = traceback.format_exc()
    return result


def _reviews_due(plan: Plan, now: datetime) -> list[str]:
    """One line per swap, decision or amendment whose review date has come."""
    from zoneinfo import ZoneInfo

    from ..compare.decisions import due_reviews

    today = now.astimezone(ZoneInfo(plan.family.timezone)).date()
    return [
        f"{d.key} '{d.name}' (decided {d.decided_on}): review due {d.review_on}"
        for d in due_reviews(plan, today)
    ]


def _calendar(
    work: FamilyWork,
    target: Target,
    options: SyncOptions,
    store: StateStore,
    request: StatusRequest,
) -> CalendarStatus:
    key = work.key(target)
    run = store.last_run(key)
    status = CalendarStatus(target.parent_id, run.target if run and run.target else "", run)
    try:
        desired = desired_for(work, target, options, request.pm)
        if request.offline:
            state = store.load(key)
            view = _as_last_seen(state)
            plan = compute_plan(desired, view, state, options.policy, (options.start, options.end))
            status.pending = Pending(
                "state",
                len(plan.ops("create")),
                len(plan.ops("update")),
                len(plan.ops("delete")),
                len(plan.conflicts),
            )
        else:
            backend = make_backend(target, work.context(target, dry_run=True), request.pm)
            try:
                status.target = backend.label
                summary = sync_calendar(backend, desired, store, key, options, target.parent_id)
            finally:
                backend.close()
            if summary.error is not None:
                status.error = summary.error
            else:
                status.pending = Pending(
                    "backend",
                    summary.created,
                    summary.updated,
                    summary.deleted,
                    len(summary.conflicts),
                )
    except UserError as exc:
        status.error = exc.render()
    status.target = status.target or target_label(target)
    return status


def _as_last_seen(state: CalendarState) -> list[RemoteEvent]:
    """The calendar as the state remembers it: every event we wrote or last saw there
    (including ones written since the stored token, which a delta would confirm)."""
    return [
        RemoteEvent(e.uid, e.href, e.etag, e.content_hash, e.actual_hash, e.start, e.end)
        for e in state.entries.values()
        if e.href is not None
    ]


def _exchanges(result: FamilyStatus, plan: Plan, request: StatusRequest) -> None:
    """Overdue (past, no outcome) and missed exchanges of the last ``days`` days."""
    from ..exchanges import service

    today = request.now.astimezone(service.zone_of(plan)).date()
    try:
        rows = service.list_exchanges(
            plan,
            request.db,
            today - timedelta(days=request.days),
            today + timedelta(days=1),
            now=request.now,
            grace=request.grace,
            compute=lambda p, s, e: service.engine_timeline(p, s, e, request.pm),
        )
    except UserError as exc:
        result.exchanges_error = exc.render()
        return
    result.overdue = [r for r in rows if r.overdue]
    result.missed = [
        r for r in rows if r.latest is not None and r.latest.status in ("missed", "interference")
    ]
    result.disputed = [
        r for r in rows if r.agreement_state == "disputed" and r not in result.missed
    ]
