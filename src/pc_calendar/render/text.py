"""Words for calendar events: names, places, times and the rule behind each event.

Parents read these on their phones and sometimes show them to a mediator, so every
event says who, where and why. Formatting avoids ``strftime`` names (they follow the
process locale) so the output is byte-identical on every machine.
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import UserError
from ..plan.model import Plan
from ..schedule.timeline import HolidayLabel, Rule
from .amendment_text import amendment_index, describe_amendment

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_OVERRIDE_SOURCE = re.compile(r"^overrides\[(\d+)\]$")
_NUMERIC_ZONE = re.compile(r"^([+-])(\d\d)(\d\d)?$")
_MEMOS: dict[int, tuple[weakref.ref, dict]] = {}
T = TypeVar("T")


def _memo(plan: Plan) -> dict:
    """A cache of words that depend only on the (frozen) plan, kept while it lives.

    Rendering asks for the same names and rule explanations thousands of times over 18
    years; computing each once per plan makes the words a small part of the cost.
    """
    key = id(plan)
    entry = _MEMOS.get(key)
    if entry is None or entry[0]() is not plan:
        entry = (weakref.ref(plan, lambda _: _MEMOS.pop(key, None)), {})
        _MEMOS[key] = entry
    return entry[1]


def _memoized(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn(plan, *args, **kwargs)`` computed once per plan and arguments."""

    @functools.wraps(fn)
    def cached(plan: Plan, *args: Any, **kwargs: Any) -> T:
        entry = _MEMOS.get(id(plan))
        memo = entry[1] if entry is not None and entry[0]() is plan else _memo(plan)
        key = (fn, args, *kwargs.items())  # keyword order only splits the cache
        try:
            return memo[key]
        except KeyError:
            value = memo[key] = fn(plan, *args, **kwargs)
            return value

    return cached


@_memoized
def short_name(plan: Plan, parent_id: str) -> str:
    """The first word of a parent's name (Alex) for short summaries, or the full name
    when two parents share a first name (so a summary never leaves it ambiguous)."""
    parent = plan.parents.get(parent_id)
    if parent is None or not parent.name.strip():
        return parent_id
    first = parent.name.split()[0]
    others = [
        p.name.split()[0] for pid, p in plan.parents.items() if pid != parent_id and p.name.strip()
    ]
    return parent.name if first in others else first


def full_name(plan: Plan, parent_id: str) -> str:
    parent = plan.parents.get(parent_id)
    return parent.name if parent is not None else parent_id


def ordered_children(plan: Plan, child_ids: Iterable[str]) -> list[str]:
    """Child ids in plan order (then unknown ids sorted), so summaries never reorder."""
    wanted = set(child_ids)
    known = [c.id for c in plan.children if c.id in wanted]
    return known + sorted(wanted - set(known))


def child_names(plan: Plan, child_ids: Iterable[str]) -> list[str]:
    return list(_child_names(plan, tuple(child_ids)))


@_memoized
def _child_names(plan: Plan, child_ids: tuple[str, ...]) -> tuple[str, ...]:
    names = {c.id: c.name for c in plan.children}
    return tuple(names.get(cid, cid) for cid in ordered_children(plan, child_ids))


def join_names(names: list[str], last: str = " & ") -> str:
    """Names as people write them: Maya; Maya & Leo; Maya, Leo & Zoe."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + last + names[-1]


def location_name(plan: Plan, key: str | None) -> str | None:
    """A location key from the plan, or free text when the key is not a known location."""
    if key is None:
        return None
    loc = plan.locations.get(key)
    return loc.name if loc is not None else key


def location_text(plan: Plan, key: str | None) -> str | None:
    """Name and address, for the LOCATION property (maps apps search for it)."""
    if key is None:
        return None
    loc = plan.locations.get(key)
    if loc is None:
        return key
    return f"{loc.name}, {loc.address}" if loc.address else loc.name


def clock(moment: datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def zone_abbreviation(moment: datetime) -> str:
    """CST, BST, AEDT; where tz data has no letters (``-03``, ``+0545``), UTC-3, UTC+5:45."""
    name = moment.tzname() or ""
    match = _NUMERIC_ZONE.match(name)
    if match is None:
        return name
    sign, hours, minutes = match.groups()
    return f"UTC{sign}{int(hours)}" + (f":{minutes}" if minutes and minutes != "00" else "")


def clock_and_zone(moment: datetime) -> str:
    """15:00 CST: a time that says whose clock it is."""
    return f"{clock(moment)} {zone_abbreviation(moment)}".rstrip()


def when(moment: datetime) -> str:
    """Like Fri 4 Dec 2026 18:00, in the moment's own zone (locale-independent)."""
    return _when(moment, moment.tzinfo)


@functools.lru_cache(maxsize=512)  # the zone is in the key: equal instants differ in words
def _when(moment: datetime, zone: object) -> str:
    # %-formatting (noqa UP031): twice as fast as format specs in an f-string, same text
    return "%s %d %s %d %02d:%02d" % (  # noqa: UP031
        _DAYS[moment.weekday()], moment.day, _MONTHS[moment.month - 1], moment.year,
        moment.hour, moment.minute,
    )  # fmt: skip


def parent_zone(plan: Plan, parent_id: str) -> ZoneInfo | None:
    """The zone a parent lives in when it differs from the family's, else None."""
    parent = plan.parents.get(parent_id)
    if parent is None or not parent.timezone or parent.timezone == plan.family.timezone:
        return None
    try:
        return ZoneInfo(parent.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"parents.{parent_id}.timezone: unknown time zone {parent.timezone!r}",
            hint="use an IANA name such as America/Denver",
        ) from None


def reader_zone(plan: Plan, recipient: str | None, family_zone: ZoneInfo) -> ZoneInfo:
    """The zone a reader sees times in: their own if the plan gives them one, else the
    family's (the coordinator's calendar, which several readers share, uses the family's)."""
    own = parent_zone(plan, recipient) if recipient is not None else None
    return own or family_zone


def local_time_lines(
    plan: Plan, recipient: str | None, start: datetime, end: datetime | None = None
) -> list[str]:
    """Lines giving the time in the zone of each reader who lives elsewhere.

    A parent's calendar gets their own local time; the coordinator's gets one line per
    parent living in another zone.
    """
    readers = [recipient] if recipient is not None else list(plan.parents)
    lines = []
    for pid in readers:
        zone = parent_zone(plan, pid)
        if zone is None:
            continue
        span = when(start.astimezone(zone))
        if end is not None:
            span += f" to {when(end.astimezone(zone))}"
        who = "Your" if recipient is not None else f"{full_name(plan, pid)}'s"
        lines.append(f"{who} local time ({zone.key}): {span}")
    return lines


@_memoized
def explain_rule(plan: Plan, rule: Rule, *, coordinator: bool) -> str:
    """The rule with its citation and, for an override, who agreed or decided and when.

    Coordinator notes on overrides are private: only the coordinator's calendar
    (``coordinator=True``) shows them, never a parent's.
    """
    text = rule.describe()
    amended = amendment_index(rule.source)
    if amended is not None:
        names = {p: full_name(plan, p) for p in plan.parents}
        return f"{text}; {describe_amendment(plan, amended, names)}"
    match = _OVERRIDE_SOURCE.match(rule.source) if rule.layer == "override" else None
    if match is None or int(match[1]) >= len(plan.overrides):
        return text
    override = plan.overrides[int(match[1])]
    if override.kind == "swap":
        who = join_names([full_name(plan, p) for p in override.agreed_by], " and ")
        text += f"; swap agreed by {who} on {override.decided_on.isoformat()}"
    else:
        who = full_name(plan, override.decided_by or "")
        text += f"; decided by {who} on {override.decided_on.isoformat()}"
    if coordinator and override.note:
        text += f"; coordinator note: {override.note}"
    return text


def footer(plan: Plan) -> str:
    return (
        f"From the {plan.family.name} parenting plan (pc-calendar). "
        "Changes made here are replaced at the next update."
    )


def holiday_assignment(plan: Plan, labels: list[HolidayLabel], zone: ZoneInfo) -> str | None:
    """Who a holiday belongs to, in words; both halves for a split (None: label only).

    A split holiday must never read as one parent's: "first half to Marcus Okafor
    until Thu 28 Dec 2028 12:00, second half to Dana Lindqvist".
    """
    parts: list[str] = []
    for lb in labels:
        if lb.split_at is not None and lb.parent is not None and lb.second_parent is not None:
            parts.append(
                f"first half to {full_name(plan, lb.parent)} until "
                f"{when(lb.split_at.astimezone(zone))}, second half to "
                f"{full_name(plan, lb.second_parent)}"
            )
        elif lb.parent is not None:
            parts.append(full_name(plan, lb.parent))
        elif lb.not_in_possession:
            parts.append("the parent who does not have the children when it starts")
    parts = list(dict.fromkeys(parts))
    return join_names(parts, " and ") if parts else None
