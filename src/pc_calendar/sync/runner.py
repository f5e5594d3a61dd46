"""Sync a family: load -> compute_timeline -> render_parent -> diff -> apply -> summary.

``sync_calendar`` is the engine for one calendar (tests drive it with their own desired
events); ``sync_family`` wires it to a plan file, its targets and the plugin hooks. A
calendar that fails (auth, missing calendar, retries exhausted, refused mass deletion)
is reported and the others carry on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pluggy

from ..backends.base import Backend, DesiredEvent, Listing, RemoteEvent
from ..errors import BackendError, UserError
from .apply import Applier, RetryPolicy, entry_for, with_retries
from .diff import Policy, check_deletions, compute_plan
from .state import CalendarState, Entry, StateStore
from .summary import CalendarSummary
from .targets import BackendContext, load_targets, make_backend

#: how far before the range the timeline is computed (longer custody runs than this
#: that cross the range start may get a new identity as the range moves on)
LOOKBACK = timedelta(days=120)

Progress = Callable[[str, int], Callable[[int], None]]


@dataclass
class SyncOptions:
    """How to sync. ``start``/``end``: the local dates ``[start, end)`` to push."""

    start: date
    end: date
    dry_run: bool = False
    yes: bool = False
    policy: Policy = "plan-wins"
    delete_share: float = 0.25
    delete_minimum: int = 10
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def current_view(state: CalendarState, listing: Listing) -> list[RemoteEvent]:
    """Our events on the server: the listing itself, or the state patched by a delta.

    Entries we wrote after the stored token (``pending``) must show up in the delta:
    RFC 6578 lets a server leave out members created and deleted after the token, so a
    pending entry the delta does not mention is gone.
    """
    if listing.full:
        return list(listing.events)
    changed = {e.href for e in listing.events} | set(listing.removed)
    view = [
        RemoteEvent(e.uid, e.href, e.etag, e.content_hash, e.actual_hash, e.start)
        for e in state.entries.values()
        if e.href is not None and e.href not in changed and not e.pending
    ]
    return view + list(listing.events)


def _seen_state(state: CalendarState, view: list[RemoteEvent]) -> dict[str, Entry]:
    """The state as the listing shows it, keeping what keep-theirs remembered."""
    entries: dict[str, Entry] = {}
    for remote in view:
        old = state.entries.get(remote.uid)
        if remote.uid not in entries or (old is not None and old.href == remote.href):
            entries[remote.uid] = entry_for(remote, old.accepted if old else None)
    for uid, old in state.entries.items():
        if old.href is None and uid not in entries:
            entries[uid] = old
    return entries


def sync_calendar(
    backend: Backend,
    desired: list[DesiredEvent],
    store: StateStore,
    key: str,
    options: SyncOptions,
    parent: str = "",
    progress: Progress | None = None,
) -> CalendarSummary:
    """Make one calendar hold exactly ``desired``; never raises BackendError."""
    summary = CalendarSummary(parent=parent, target=backend.label, dry_run=options.dry_run)
    before = backend.request_count
    try:
        state = store.load(key)
        listing = with_retries(
            lambda: backend.list(state.token), options.retry, "listing events", backend.label
        )
        view = current_view(state, listing)
        plan = compute_plan(desired, view, state, options.policy, (options.start, options.end))
        if not options.yes and (
            reason := check_deletions(plan, options.delete_share, options.delete_minimum)
        ):
            raise BackendError(reason, target=backend.label)
        if options.dry_run:
            summary.created = len(plan.ops("create"))
            summary.updated = len(plan.ops("update"))
            summary.deleted = len(plan.ops("delete"))
            summary.unchanged = len(plan.ops("keep"))
            summary.conflicts = plan.conflicts
            return summary
        seen = _seen_state(state, view)
        if seen != state.entries or listing.token != state.token:
            store.replace(key, seen, listing.token)
        working = CalendarState(key, listing.token, dict(seen))
        writes = len(plan.writes)
        tick = progress(backend.label, writes) if progress and writes else None
        applier = Applier(backend, store, working, options.policy, options.retry, tick)
        outcome = applier.run(plan.actions)
        summary.created, summary.updated = outcome.created, outcome.updated
        summary.deleted, summary.unchanged = outcome.deleted, outcome.unchanged
        summary.conflicts, summary.problems = outcome.conflicts, outcome.problems
    except BackendError as exc:
        summary.error = exc.render()
    finally:
        summary.requests = backend.request_count - before
    return summary


def reaches(event: DesiredEvent, start: date) -> bool:
    """Whether the event lasts into the range starting at ``start``."""
    vevent = event.event
    if vevent is None:
        return True
    if "DTEND" in vevent:
        end = vevent["DTEND"].dt
        # an all-day DTEND is exclusive; a timed one counts on the day it ends
        return end.date() >= start if isinstance(end, datetime) else end > start
    if "DTSTART" in vevent:
        begin = vevent["DTSTART"].dt
        return (begin.date() if isinstance(begin, datetime) else begin) >= start
    return True


def sync_family(
    plan_path: Path,
    options: SyncOptions,
    store: StateStore,
    parents: list[str] | None = None,
    pm: pluggy.PluginManager | None = None,
    progress: Progress | None = None,
) -> list[CalendarSummary]:
    """Sync every chosen parent's calendar target of the plan at ``plan_path``."""
    from ..plan.load import load_plan
    from ..plugins import get_plugin_manager
    from ..render import render_parent
    from ..schedule.engine import compute_timeline

    pm = pm or get_plugin_manager()
    plan = load_plan(plan_path)
    targets = load_targets(plan, plan_path, parents, pm)
    # Computed from before the range, so an event running into the range keeps the
    # identity (its true start) it had when an earlier range held all of it.
    timeline = compute_timeline(plan, options.start - LOOKBACK, options.end, pm)
    summaries = []
    for target in targets:
        context = BackendContext(
            plan.family.id, target.parent_id, plan_path.parent, target.source, options.dry_run
        )
        label = f"{target.type} ({target.parent_id})"
        backend: Backend | None = None
        try:
            backend = make_backend(target, context, pm)
            label = backend.label
            desired = [
                d
                for d in render_parent(plan, timeline, target.parent_id, pm)
                if reaches(d, options.start)
            ]
            summary = sync_calendar(
                backend,
                desired,
                store,
                target.key(plan.family.id, plan_path.parent),
                options,
                target.parent_id,
                progress,
            )
            backend.close()
        except UserError as exc:  # auth, missing calendar, a target's own settings
            summary = CalendarSummary(
                target.parent_id, label, error=exc.render(), dry_run=options.dry_run
            )
            _close_quietly(backend)
        except BaseException:
            _close_quietly(backend)
            raise
        summaries.append(summary)
        _notify(pm, plan.family, summary)
    return summaries


def _notify(pm: pluggy.PluginManager, family: object, summary: CalendarSummary) -> None:
    """Call the finished/failed hooks; a failing hook is reported, never fatal."""
    try:
        if summary.error is None:
            pm.hook.pc_calendar_sync_finished(family=family, target=summary.target, summary=summary)
        else:
            pm.hook.pc_calendar_sync_failed(
                family=family, target=summary.target, error=BackendError(summary.error)
            )
    except Exception as exc:  # a notifier plugin's bug must not hide the sync result
        summary.problems.append(f"a sync hook failed: {exc.__class__.__name__}: {exc}")


def _close_quietly(backend: Backend | None) -> None:
    """Close after a failure; the first error is the one worth reporting."""
    if backend is None:
        return
    with contextlib.suppress(UserError):
        backend.close()
