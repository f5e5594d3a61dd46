"""The full sync's side of the quick no-op: record what it read, leave an entry if it converged.

``pc-calendar sync PLAN`` (one plan, not a dry run) gives the engine a :class:`Recording`,
and so does ``pc-calendar sync FOLDER`` for each family it syncs in full
(:mod:`.caseload_quick`).
While the plan is loaded and the family prepared, the files opened for reading are
recorded (:func:`.inputs.reading`); each calendar synced adds what its probe will need;
at the end, :meth:`Recording.finish` stores the entry (:mod:`.quick`) when the quick
path could answer the next run exactly as the full path would, and forgets any older
entry otherwise. It never stores one for:

- a calendar that failed, was skipped, met a conflict or did not store its fingerprint;
- a target type without a probe (Google, third-party), or a CalDAV calendar named by
  display name (looked up on every full run);
- a plan with check-in links (its events quote the exchange log, which is not keyed);
- plugins that implement ``pc_calendar_sync_finished`` (the full path calls it on every
  run), plugins that failed to load (warned about on every run), or plugins added
  in-process;
- a file that changed while it was being synced.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from .inputs import ABSENT, Reads, code_files, zone_file
from .quick import QuickEntry, TargetEntry, inputs_digest, parents_key, plan_key
from .quick_probe import where_of
from .targets import CALENDARS_FILE

if TYPE_CHECKING:
    from .runner import FamilyWork, SyncOptions
    from .state import StateStore
    from .summary import CalendarSummary


class Recording:
    """One full sync of one plan, as the quick path will need to repeat its no-op."""

    def __init__(
        self,
        plan_path: Path,
        parents: tuple[str, ...],
        today: date | None = None,
        ambient: Callable[[], dict[str, str]] | None = None,
    ):
        self.plan_path = plan_path
        self.parents = parents
        #: files other families of a caseload read that this one may have used through a
        #: process-wide cache (see :func:`.inputs.sharing`): path -> digest
        self.ambient = ambient
        #: the day the range was computed from (set once the plan's zone is known)
        self.today = today
        self.reads = Reads()
        self.targets: dict[str, TargetEntry | None] = {}

    def add_target(self, work: FamilyWork, target: Any, backend: Any, fingerprint: str) -> None:
        """A calendar the run synced: what its probe will need (None if it has none)."""
        from .runner import target_label

        base_dir = os.path.abspath(work.plan_path.parent)
        try:
            where = where_of(target.type, dict(target.config), backend, base_dir)
        except Exception:  # never a reason to fail a calendar that synced: no entry
            where = None
        self.targets[target.parent_id] = (
            None
            if where is None
            else TargetEntry(
                parent=target.parent_id,
                key=work.key(target),
                lock=work.lock_identity(target),
                lock_label=target_label(target),
                label=backend.label,
                source=target.source,
                fingerprint=fingerprint,
                kind=target.type,
                where=where,
            )
        )

    def finish(
        self,
        work: FamilyWork,
        options: SyncOptions,
        summaries: list[CalendarSummary],
        warnings: list[str],
        pm: pluggy.PluginManager,
        store: StateStore,
    ) -> None:
        """Store the entry for the next run, or forget the plan's old one."""
        if options.dry_run:
            return
        try:
            for path, known in (self.ambient() if self.ambient else {}).items():
                self.reads.files.setdefault(path, known)
            entry = self._entry(work, summaries, warnings, pm, store)
        except Exception:  # a bug here must not fail a sync that worked: no entry
            entry = None
        saved = None
        if entry is not None and self.today is not None:
            files = dict(self.reads.files)
            window = (options.start, options.end)
            key = inputs_digest(entry, files, self.today, window, options.policy, self.parents)
            try:
                saved = (key, entry.to_json())
            except TypeError:  # a setting JSON cannot hold: no entry
                saved = None
        store.set_quick_entry(plan_key(self.plan_path), parents_key(self.parents), saved)

    def _entry(
        self,
        work: FamilyWork,
        summaries: list[CalendarSummary],
        warnings: list[str],
        pm: pluggy.PluginManager,
        store: StateStore,
    ) -> QuickEntry | None:
        from ..plugins import extras_active, load_failures

        targets = [self.targets.get(t.parent_id) for t in work.targets]
        if not targets or any(t is None for t in targets):
            return None
        if any(not s.ok or s.conflicts for s in summaries) or len(summaries) != len(targets):
            return None
        if work.plan.checkin.url:
            return None
        if pm.hook.pc_calendar_sync_finished.get_hookimpls() or load_failures(pm):
            return None
        if extras_active():
            return None
        for t in targets:
            assert t is not None
            if store.load_header(t.key).fingerprint != t.fingerprint:
                return None  # did not converge
        plan_file = os.path.abspath(self.plan_path)
        if not self.reads.complete or plan_file not in self.reads.files:
            return None
        if not self.reads.unchanged():
            return None
        beside = os.path.abspath(self.plan_path.parent / CALENDARS_FILE)
        self.reads.files.setdefault(beside, ABSENT)  # read only when present
        zones = {work.plan.family.timezone}
        zones |= {p.timezone for p in work.plan.parents.values() if p.timezone}
        for zone in filter(None, map(zone_file, sorted(zones))):
            self.reads.add(zone)  # the tz files the events are written in (zoneinfo caches)
        return QuickEntry(
            family=work.plan.family.id,
            timezone=work.plan.family.timezone,
            files=sorted(self.reads.files),
            code=code_files(_packages(pm)),
            warnings=list(warnings),
            targets=[t for t in targets if t is not None],
        )


def _packages(pm: pluggy.PluginManager) -> set[str]:
    """pc_calendar and the top-level package of every plugin: the code a sync runs."""
    import inspect

    tops = {"pc_calendar"}
    for _, plugin in pm.list_name_plugin():
        module = plugin.__name__ if inspect.ismodule(plugin) else type(plugin).__module__
        tops.add(module.split(".", 1)[0])
    return tops
