"""Sync a family: load -> compute_timeline -> render_parent -> diff -> apply -> summary.

``sync_calendar`` is the engine for one calendar (tests drive it with their own desired
events); ``sync_family`` wires it to a plan file, its targets and the plugin hooks. A
calendar that fails (auth, missing calendar, retries exhausted, refused mass deletion)
is reported and the others carry on.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

from ..backends.base import Backend, DesiredEvent, Listing, RemoteEvent
from ..errors import BackendError, PreconditionFailed, UserError
from ..plan.model import Plan
from ..schedule.timeline import Timeline
from .apply import Applier, RetryPolicy, entry_for, with_retries
from .diff import Policy, check_deletions, claim, compute_plan
from .inputs import reading
from .locking import CalendarBusy, calendar_lock
from .secrets import redact_urls
from .state import CalendarState, Entry, StateStore
from .state_history import utc_now
from .summary import CalendarSummary
from .targets import BackendContext, Target, load_targets, make_backend

if TYPE_CHECKING:
    from ..render.checkin_text import CheckinNotes
    from .quick_record import Recording

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
    changed = {e.href for e in [*listing.events, *listing.unmarked]} | set(listing.removed)
    view = [
        RemoteEvent(e.uid, e.href, e.etag, e.content_hash, e.actual_hash, e.start, e.end)
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


def _nothing_to_do(
    store: StateStore, header: CalendarState, listing: Listing, fingerprint: str | None
) -> bool:
    """The fast no-op: same inputs as the last run that converged, and the calendar
    reports no change since. Then the desired set is what was pushed, and rendering it
    again (the costly part of a no-op) would only confirm that. Decided on the state's
    header alone, so a no-op never loads the per-event rows."""
    return (
        fingerprint is not None
        and header.fingerprint == fingerprint
        and header.desired is not None
        and header.token is not None
        and not listing.full
        and not listing.events
        and not listing.removed
        and not listing.unmarked
        and not store.has_pending(header.key)
    )


def _confirm_writes(
    backend: Backend, store: StateStore, state: CalendarState, deleted: set[str]
) -> None:
    """Move the token past this run's own writes, so the next run need not read them back.

    Only an optimisation: when the backend cannot vouch that the changes since the token
    are exactly ours (or fails to answer), the token stays and the next run reads them.
    """
    written = {e.href: e.etag for e in state.entries.values() if e.pending and e.href}
    if not written and not deleted:
        return
    try:
        token = backend.confirm_writes(state.token, written, deleted)
    except (BackendError, PreconditionFailed):
        return
    if token is not None:
        store.confirm(state.key, token)


def sync_calendar(
    backend: Backend,
    desired: list[DesiredEvent] | Callable[[], list[DesiredEvent]],
    store: StateStore,
    key: str,
    options: SyncOptions,
    parent: str = "",
    progress: Progress | None = None,
    fingerprint: str | None = None,
) -> CalendarSummary:
    """Make one calendar hold exactly ``desired``; never raises BackendError.

    ``desired`` may be a callable, called only when needed. ``fingerprint`` names the
    inputs that determine ``desired`` (see :func:`inputs_fingerprint`): with the same
    fingerprint as the last converged run and no change on the server, nothing is
    rendered and the run costs the one listing request.
    """
    summary = CalendarSummary(parent=parent, target=backend.label, dry_run=options.dry_run)
    before = backend.request_count
    try:
        header = store.load_header(key)
        listing = with_retries(
            lambda: backend.list(header.token), options.retry, "listing events", backend.label
        )
        if _nothing_to_do(store, header, listing, fingerprint):
            summary.unchanged = header.desired or 0
            if listing.token != header.token:
                store.set_token(key, listing.token)
            return summary
        state = store.load(key)
        if callable(desired):
            desired = desired()
        view = current_view(state, listing)
        view += claim(listing.unmarked, view, {d.uid for d in desired}, state)
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
        store.set_fingerprint(key, None, None)  # set again only once this run converges
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
        if outcome.created + outcome.updated + outcome.deleted and not outcome.problems:
            _confirm_writes(backend, store, working, applier.deleted_hrefs)
        if fingerprint is not None and not summary.problems and not summary.conflicts:
            store.set_fingerprint(key, fingerprint, len(desired))
    except BackendError as exc:
        summary.error = exc.render()
    finally:
        summary.requests = backend.request_count - before
    return summary


@dataclass
class FamilyWork:
    """A loaded plan with its targets and Timeline: what every calendar sync needs."""

    plan_path: Path
    plan: Plan
    targets: list[Target]
    timeline: Timeline

    @functools.cached_property
    def plan_json(self) -> str:
        """The validated plan as the fingerprint reads it (once per family, not target)."""
        return self.plan.model_dump_json()

    def key(self, target: Target) -> str:
        """The state key of ``target``."""
        return target.key(self.plan.family.id, self.plan_path.parent)

    def lock_identity(self, target: Target) -> str:
        """Family and calendar (type and non-secret settings), without the parent.

        Our events are recognised per family, so two families may share a calendar
        without harm, and memory calendars are per family; what must not interleave
        is one family's syncs of one calendar.
        """
        return f"{self.plan.family.id}/{self.key(target).split('/', 2)[2]}"

    def context(self, target: Target, dry_run: bool) -> BackendContext:
        return BackendContext(
            self.plan.family.id, target.parent_id, self.plan_path.parent, target.source, dry_run
        )


def prepare_family(
    plan_path: Path,
    options: SyncOptions,
    parents: list[str] | None = None,
    pm: pluggy.PluginManager | None = None,
    plan: Plan | None = None,
) -> FamilyWork:
    """Load the plan (unless given), its targets, and the Timeline for the range."""
    from ..plan.load import errors_located, load_plan
    from ..plugins import get_plugin_manager
    from ..schedule.window import compute_window

    pm = pm or get_plugin_manager()
    plan = plan if plan is not None else load_plan(plan_path)
    targets = load_targets(plan, plan_path, parents, pm)
    # Computed beyond the range on both sides, so an event crossing --from keeps its
    # identity (its true start) and one crossing --to its true end: the range decides
    # which events are pushed, never what they say.
    with errors_located(plan_path):
        timeline = compute_window(plan, options.start, options.end, pm)
    return FamilyWork(plan_path, plan, targets, timeline)


def desired_for(
    work: FamilyWork, target: Target, options: SyncOptions, pm: pluggy.PluginManager
) -> list[DesiredEvent]:
    """The events ``target``'s parent should have that touch the range, whole."""
    from ..render import render_parent

    notes = checkin_notes_for(work, target)
    window = (options.start, options.end)
    return render_parent(work.plan, work.timeline, target.parent_id, pm, window, checkin=notes)


def checkin_notes_for(work: FamilyWork, target: Target) -> CheckinNotes | None:
    """The parent's check-in link and the log's records of their exchanges, for plans
    with a ``[checkin] url`` (None otherwise): part of what their events say."""
    if not work.plan.checkin.url:
        return None
    from ..feeds.checkin_notes import checkin_notes

    timeline = work.timeline
    return checkin_notes(work.plan, target.parent_id, timeline.start, timeline.end)


def inputs_fingerprint(
    work: FamilyWork, target: Target, options: SyncOptions, pm: pluggy.PluginManager
) -> str:
    """A digest of everything the target's desired events depend on.

    The validated plan (school ICS breaks included), the parent, the range, the
    conflict policy, the code that renders: pc_calendar's version and every plugin by
    name and version, and the parent's check-in link and the records their exchange
    events show. DTSTAMP is not an input: it is excluded from hashes.
    """
    notes = checkin_notes_for(work, target)
    digest = hashlib.sha256()
    for part in (
        *_code_identity(pm),
        work.plan_json,
        target.parent_id,
        options.start.isoformat(),
        options.end.isoformat(),
        str(options.policy),
        notes.key() if notes is not None else "",
    ):
        digest.update(part.encode())
        digest.update(b"\x1f")
    return digest.hexdigest()


@functools.lru_cache(maxsize=16)
def _code_identity(pm: pluggy.PluginManager) -> tuple[str, ...]:
    """pc_calendar's version and every plugin by name and installed version (asked once
    per plugin manager: scanning the installed packages costs milliseconds each time)."""
    from importlib.metadata import entry_points

    from .. import __version__

    plugins = sorted(name for name, _ in pm.list_name_plugin())
    plugins += sorted(
        f"{ep.dist.name}={ep.dist.version}"
        for ep in entry_points(group="pc_calendar")
        if ep.dist is not None
    )
    return (__version__, *plugins)


def sync_family(
    plan_path: Path,
    options: SyncOptions,
    store: StateStore,
    parents: list[str] | None = None,
    pm: pluggy.PluginManager | None = None,
    progress: Progress | None = None,
    *,
    plan: Plan | None = None,
    lock_dir: Path | None = None,
    wait: float = 0.0,
    clock: Callable[[], str] = utc_now,
    recording: Recording | None = None,
) -> list[CalendarSummary]:
    """Sync every chosen parent's calendar target of the plan at ``plan_path``.

    With ``lock_dir`` each calendar is synced under its lock (see :mod:`.locking`); a
    calendar another process holds is skipped after ``wait`` seconds. Each attempt that
    ran is recorded in the store's run history (``pc-calendar status``). ``recording``
    notes what the run read and leaves the quick no-op its entry (:mod:`.quick_record`).
    """
    from ..plugins import get_plugin_manager

    pm = pm or get_plugin_manager()
    with reading(recording.reads if recording is not None else None):
        work = prepare_family(plan_path, options, parents, pm, plan)
        history = retroactive_notes(work.plan, options.start, pm)
    summaries = []
    for target in work.targets:
        try:
            with _locked(work, target, lock_dir, wait, options.dry_run):
                summary = _sync_target(work, target, options, store, pm, progress, recording)
                if not options.dry_run:
                    error = summary.error or ("; ".join(summary.problems) or None)
                    store.record_run(work.key(target), summary.target, clock(), error)
        except CalendarBusy as busy:
            summary = CalendarSummary(
                target.parent_id, busy.label, skipped=str(busy), dry_run=options.dry_run
            )
        summary.warnings = [*work.timeline.warnings, *history]
        summary.source = target.source
        summaries.append(summary)
        if summary.skipped is None:
            _notify(pm, work.plan.family, summary)
    if recording is not None:
        recording.finish(work, options, summaries, [*work.timeline.warnings, *history], pm, store)
    return summaries


RECENT_DECISION = timedelta(days=62)  # sync reports a retroactive change this long


def retroactive_notes(plan: Plan, start: date, pm: pluggy.PluginManager) -> list[str]:
    """Recent amendments that rewrite days before the sync window, which sync leaves alone.

    Reported while the decision is recent (decided at most two months before the
    window starts), so the first syncs after it say so and later ones stay quiet.
    """
    recent = [a for a in plan.amendments if a.decided_on >= start - RECENT_DECISION]
    if not recent:
        return []
    from ..plan.lint_amendments import retroactive

    return [
        f"{change.describe(start, limit=5)}. Sync leaves every event before {start} as it is "
        "in the calendars"
        for change in retroactive(plan, pm, start)
        if change.changes and change.decided_on >= start - RECENT_DECISION
    ]


@contextlib.contextmanager
def _locked(
    work: FamilyWork, target: Target, lock_dir: Path | None, wait: float, dry_run: bool
) -> Iterator[None]:
    """The calendar's lock, unless there is no lock folder or the run writes nothing."""
    if lock_dir is None or dry_run:
        yield
        return
    label = target_label(target)
    with calendar_lock(lock_dir, work.lock_identity(target), label, wait):
        yield


def target_label(target: Target) -> str:
    """The calendar as messages name it: type, parent, url + calendar or folder.

    Never a secret: only the keys that say where the calendar is.
    """
    keys = ("url", "calendar", "folder", "name")
    where = " ".join(str(target.config[k]) for k in keys if k in target.config)
    return redact_urls(f"{target.type} ({target.parent_id}) {where}".rstrip())


def _sync_target(
    work: FamilyWork,
    target: Target,
    options: SyncOptions,
    store: StateStore,
    pm: pluggy.PluginManager,
    progress: Progress | None,
    recording: Recording | None = None,
) -> CalendarSummary:
    """One calendar: build its backend, render, sync; a UserError becomes its summary."""
    label = f"{target.type} ({target.parent_id})"
    backend: Backend | None = None
    try:
        backend = make_backend(target, work.context(target, options.dry_run), pm)
        label = backend.label
        fingerprint = inputs_fingerprint(work, target, options, pm)
        summary = sync_calendar(
            backend,
            lambda: desired_for(work, target, options, pm),
            store,
            work.key(target),
            options,
            target.parent_id,
            progress,
            fingerprint=fingerprint,
        )
        if recording is not None:
            recording.add_target(work, target, backend, fingerprint)
        backend.close()
    except UserError as exc:  # auth, missing calendar, a target's own settings
        summary = CalendarSummary(
            target.parent_id, label, error=exc.render(), dry_run=options.dry_run
        )
        _close_quietly(backend)
    except BaseException:
        _close_quietly(backend)
        raise
    return summary


def _notify(pm: pluggy.PluginManager, family: object, summary: CalendarSummary) -> None:
    """Call the finished/failed hooks; a failing hook is reported, never fatal."""
    try:
        if summary.error is None:
            pm.hook.pc_calendar_sync_finished(
                family=family, target=summary.target, summary=summary, parent=summary.parent
            )
        else:
            pm.hook.pc_calendar_sync_failed(
                family=family,
                target=summary.target,
                error=BackendError(summary.error),
                parent=summary.parent,
            )
    except Exception as exc:  # a notifier plugin's bug must not hide the sync result
        summary.problems.append(f"a sync hook failed: {exc.__class__.__name__}: {exc}")


def _close_quietly(backend: Backend | None) -> None:
    """Close after a failure; the first error is the one worth reporting."""
    if backend is None:
        return
    with contextlib.suppress(UserError):
        backend.close()
