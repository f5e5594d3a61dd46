"""Desired events vs what the calendar holds of ours -> create / update / delete / keep.

A pure function: no I/O, so every rule below is tested without a server.

- The content hash decides: equal hashes keep, different ones update.
- An event of ours the parent edited (the hash of what is there differs from the hash we
  wrote into it) or deleted (we pushed it, now it is gone) is a conflict, settled by the
  policy: ``plan-wins`` restores the plan's version, ``keep-theirs`` leaves the parent's
  version and remembers the plan version it won against, so the conflict is reported
  once, and again only when the plan's version of that event changes.
- Events of ours lying wholly outside the synced range are left alone (past history
  stays); one that overlaps it (a custody block starting before ``--from``) is ours to
  update or delete, exactly as the plan's side counts it (:func:`overlaps`).
- Events without our marker never get here, with one exception (:func:`claim`): an
  object at our own name for one of our UIDs whose X-PC-* properties a client stripped
  is the parent's edit of our event when the plan wants that UID or we pushed it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ..backends.base import DesiredEvent, RemoteEvent, overlaps
from .state import CalendarState

Policy = Literal["plan-wins", "keep-theirs"]
POLICIES: tuple[str, ...] = ("plan-wins", "keep-theirs")
#: ``accepted`` value when the parent kept an edited event the plan no longer wants
GONE_FROM_PLAN = "gone-from-plan"


@dataclass(frozen=True)
class Conflict:
    """A parent changed one of our events. ``change``: edited | deleted."""

    uid: str
    change: str
    resolution: str  # restored | kept theirs | removed
    title: str


@dataclass(frozen=True)
class Action:
    """One step. ``op``: create | update | delete | keep | forget."""

    op: str
    uid: str
    desired: DesiredEvent | None = None
    remote: RemoteEvent | None = None
    conflict: Conflict | None = None
    accepted: str | None = None


@dataclass
class SyncPlan:
    actions: list[Action] = field(default_factory=list)
    existing: int = 0  # our events in range before the sync (the deletion threshold's base)

    def ops(self, op: str) -> list[Action]:
        return [a for a in self.actions if a.op == op]

    @property
    def writes(self) -> list[Action]:
        return [a for a in self.actions if a.op in ("create", "update", "delete")]

    @property
    def conflicts(self) -> list[Conflict]:
        return [a.conflict for a in self.actions if a.conflict is not None]


def title_of(event: DesiredEvent) -> str:
    """A short human label: summary and start."""
    vevent = event.event
    summary = str(vevent.get("SUMMARY", event.kind)) if vevent is not None else event.kind
    start = vevent.get("DTSTART") if vevent is not None else None
    return (
        f"{summary} ({start.dt:%Y-%m-%d %H:%M})"
        if start is not None and hasattr(start.dt, "hour")
        else (f"{summary} ({start.dt})" if start is not None else summary)
    )


def edited(remote: RemoteEvent) -> bool:
    """Whether what is stored no longer matches the hash we wrote into it."""
    return remote.actual_hash != remote.content_hash


def pick(
    remotes: Iterable[RemoteEvent], state: CalendarState
) -> tuple[dict[str, RemoteEvent], list[RemoteEvent]]:
    """One remote event per uid (the one at our stored href), and the extra copies."""
    chosen: dict[str, RemoteEvent] = {}
    extra: list[RemoteEvent] = []
    for remote in sorted(remotes, key=lambda r: r.href):
        current = chosen.get(remote.uid)
        if current is None:
            chosen[remote.uid] = remote
            continue
        entry = state.entries.get(remote.uid)
        if entry is not None and entry.href == remote.href:
            chosen[remote.uid], remote = remote, current
        extra.append(remote)
    return chosen, extra


def in_window(remote: RemoteEvent, window: tuple[date, date] | None) -> bool:
    return overlaps(remote.start, remote.end, window)


def claim(
    unmarked: Iterable[RemoteEvent],
    view: Iterable[RemoteEvent],
    wanted: Collection[str],
    state: CalendarState,
) -> list[RemoteEvent]:
    """The stripped events (see :attr:`Listing.unmarked`) that are ours to settle.

    Only where nothing carrying our marker has the UID, and only when the plan wants
    that UID or the state says we pushed that very object; the rest (an event with our
    UID but no hash that we never pushed and the plan does not want) is not ours and
    is never touched. A claimed one has no content hash, so it reads as edited.
    """
    marked = {r.uid for r in view}
    claimed = []
    for remote in unmarked:
        entry = state.entries.get(remote.uid)
        pushed = entry is not None and entry.href == remote.href
        if remote.uid not in marked and (remote.uid in wanted or pushed):
            claimed.append(remote)
    return claimed


def compute_plan(
    desired: list[DesiredEvent],
    remotes: Iterable[RemoteEvent],
    state: CalendarState,
    policy: Policy = "plan-wins",
    window: tuple[date, date] | None = None,
) -> SyncPlan:
    """The actions that make the calendar hold exactly ``desired`` (within ``window``)."""
    if policy not in POLICIES:
        raise ValueError(f"unknown conflict policy {policy!r}")
    view, extra = pick(remotes, state)
    plan = SyncPlan(existing=sum(1 for r in view.values() if in_window(r, window)))
    wanted = {d.uid: d for d in desired}
    for d in desired:
        plan.actions.append(_for_desired(d, view.get(d.uid), state, policy))
    for uid, remote in sorted(view.items()):
        if uid in wanted or not in_window(remote, window):
            continue
        plan.actions.append(_for_unwanted(remote, state, policy))
    for remote in extra:  # a duplicate left by an earlier crash: never keep two
        plan.actions.append(Action("delete", remote.uid, remote=remote))
    for uid in sorted(state.entries):
        if uid not in wanted and uid not in view:
            plan.actions.append(Action("forget", uid))
    return plan


def _for_desired(
    d: DesiredEvent, remote: RemoteEvent | None, state: CalendarState, policy: Policy
) -> Action:
    entry = state.entries.get(d.uid)
    if remote is None:
        if entry is None:
            return Action("create", d.uid, desired=d)
        if policy == "keep-theirs" and entry.href is None and entry.accepted == d.content_hash:
            return Action("keep", d.uid, desired=d, accepted=d.content_hash)
        if policy == "plan-wins":
            return Action(
                "create",
                d.uid,
                desired=d,
                conflict=Conflict(d.uid, "deleted", "restored", title_of(d)),
            )
        return Action(
            "keep",
            d.uid,
            desired=d,
            accepted=d.content_hash,
            conflict=Conflict(d.uid, "deleted", "kept theirs", title_of(d)),
        )
    if not remote.marked and remote.actual_hash == d.content_hash:
        return Action("update", d.uid, desired=d, remote=remote)  # only our marker was lost
    if not edited(remote) or remote.actual_hash == d.content_hash:
        if remote.content_hash == d.content_hash or remote.actual_hash == d.content_hash:
            return Action("keep", d.uid, desired=d, remote=remote)
        return Action("update", d.uid, desired=d, remote=remote)
    if policy == "plan-wins":
        return Action(
            "update",
            d.uid,
            desired=d,
            remote=remote,
            conflict=Conflict(d.uid, "edited", "restored", title_of(d)),
        )
    if entry is not None and entry.accepted == d.content_hash:
        return Action("keep", d.uid, desired=d, remote=remote, accepted=d.content_hash)
    return Action(
        "keep",
        d.uid,
        desired=d,
        remote=remote,
        accepted=d.content_hash,
        conflict=Conflict(d.uid, "edited", "kept theirs", title_of(d)),
    )


def _for_unwanted(remote: RemoteEvent, state: CalendarState, policy: Policy) -> Action:
    if not edited(remote):
        return Action("delete", remote.uid, remote=remote)
    title = f"event {remote.uid} (no longer in the plan)"
    if policy == "plan-wins":
        return Action(
            "delete",
            remote.uid,
            remote=remote,
            conflict=Conflict(remote.uid, "edited", "removed", title),
        )
    entry = state.entries.get(remote.uid)
    if entry is not None and entry.accepted == GONE_FROM_PLAN:
        return Action("keep", remote.uid, remote=remote, accepted=GONE_FROM_PLAN)
    return Action(
        "keep",
        remote.uid,
        remote=remote,
        accepted=GONE_FROM_PLAN,
        conflict=Conflict(remote.uid, "edited", "kept theirs", title),
    )


def check_deletions(plan: SyncPlan, share: float = 0.25, minimum: int = 10) -> str | None:
    """Why this plan deletes too much to run without --yes, or None if it is fine."""
    deletes = len(plan.ops("delete"))
    if deletes >= minimum and deletes > share * plan.existing:
        return (
            f"would delete {deletes} of our {plan.existing} events "
            f"(more than {share:.0%}); re-run with --yes if that is intended"
        )
    return None
