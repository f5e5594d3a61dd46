"""Rendered feeds, kept until what they are made of changes.

Rendering a family's feed takes a fraction of a second; a request must take well under a
millisecond. So each feed is rendered once and kept with its gzip form, ETag and
Last-Modified. Before a feed is served, its family's *fingerprint* is recomputed: the
SHA-256 of the plan file's bytes (and of its school ICS file, if it names one), the size
and mtime of the family's exchange log (its database and WAL file), and the feed's date
range. Only when the fingerprint moves is the plan reloaded and the feed rendered again;
when only the exchange log moved (a check-in), the plan and its Timeline are kept and
only the feeds are rendered again.
Hashing the plan bytes (a few KiB) instead of trusting its mtime means an edit is never
missed, even two edits within one clock tick.

The range is whole months: from the first of the month three months back to the first of
the month nineteen months ahead (so at least 18 months ahead), computed in the family's
zone. It moves once a month, so the feed does too.

A re-render whose events are unchanged (DTSTAMP aside) keeps the old bytes, ETag and
Last-Modified, so subscribers are not made to download the same feed again. A plan that
stops loading while served is logged and the last good feed stays up.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import formatdate
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import UserError

log = logging.getLogger("pc_calendar.feeds")

MONTHS_BACK = 3
MONTHS_AHEAD = 18
COORDINATOR_NAME = "pc-calendar: all families"
_DTSTAMP = re.compile(rb"^DTSTAMP[;:].*\r\n", re.MULTILINE)


def feed_range(
    today: date, back: int = MONTHS_BACK, ahead: int = MONTHS_AHEAD
) -> tuple[date, date]:
    """``[first of month - back months, first of month + ahead + 1 months)``."""
    month = today.year * 12 + today.month - 1
    first, last = month - back, month + ahead + 1
    return date(first // 12, first % 12 + 1, 1), date(last // 12, last % 12 + 1, 1)


@dataclass(frozen=True)
class Rendered:
    """One feed, ready to send: bytes, gzip bytes, validators."""

    body: bytes
    gzipped: bytes
    etag: str
    gzip_etag: str
    last_modified: int  # whole seconds since the epoch
    content_key: str  # hash of the body without DTSTAMP lines

    @cached_property
    def last_modified_http(self) -> str:
        return formatdate(self.last_modified, usegmt=True)

    @classmethod
    def build(cls, body: bytes, previous: Rendered | None, now: float) -> Rendered:
        key = hashlib.sha256(_DTSTAMP.sub(b"", body)).hexdigest()
        if previous is not None and previous.content_key == key:
            return previous
        tag = hashlib.sha256(body).hexdigest()[:32]
        return cls(
            body=body,
            gzipped=gzip.compress(body, compresslevel=9, mtime=0),
            etag=f'"{tag}"',
            gzip_etag=f'"{tag}-gz"',
            last_modified=int(now),
            content_key=key,
        )


def _stat(path: str) -> bytes:
    try:
        st = os.stat(path)
    except OSError:
        return b"-"
    return b"%d:%d" % (st.st_mtime_ns, st.st_size)


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        return b"unreadable:%d" % (exc.errno or 0)


@dataclass
class _Source:
    """One plan file: its loaded plan, timeline and rendered feeds."""

    path: Path
    lock: threading.Lock = field(default_factory=threading.Lock)
    fingerprint: str = ""
    log_stamp: bytes = b""
    plan: Any = None
    timeline: Any = None
    #: the feed's dates [first, last): events touching them are served whole
    window: tuple[date, date] | None = None
    feeds: dict[str | None, Rendered] = field(default_factory=dict)
    previous: dict[str | None, Rendered] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()  # files read (school ICS) and stat'ed (exchange log)
    zone: Any = UTC

    @property
    def family_id(self) -> str:
        return self.plan.family.id


class FeedCache:
    """The feeds of the families in ``plan_paths``, rendered on first use after a change.

    ``clock`` gives the current time (tests pin it); ``exchange_db(family_id)`` the
    family's exchange log path. ``months`` is the range (back, ahead); tests shorten it.
    ``renders`` counts calls to the renderer.
    """

    def __init__(
        self,
        plan_paths: list[Path],
        *,
        clock: Callable[[], datetime] | None = None,
        exchange_db: Callable[[str], Path] | None = None,
        pm: Any = None,
        months: tuple[int, int] = (MONTHS_BACK, MONTHS_AHEAD),
        notes: Callable[[Any, str, Any], Any] | None = None,
        watch: tuple[Path, ...] = (),
    ) -> None:
        if exchange_db is None:
            from ..exchanges.store import default_db_path

            exchange_db = default_db_path
        self._clock = clock or (lambda: datetime.now(UTC))
        self._exchange_db = exchange_db
        self._pm = pm
        self._months = months
        self._notes = notes  # (plan, parent, timeline) -> CheckinNotes | None
        self._watch = tuple(str(p) for p in watch)  # e.g. the check-in link database
        self.renders = 0
        self._sources: list[_Source] = []
        self._by_family: dict[str, _Source] = {}
        self._coord_lock = threading.Lock()
        self._coord_key = ""
        self._coord: Rendered | None = None
        for path in plan_paths:
            source = _Source(Path(path))
            self._load(source, self._fingerprint(source))
            if source.family_id in self._by_family:
                other = self._by_family[source.family_id].path
                raise UserError(
                    f"{path}: family id {source.family_id!r} is also the id in {other}",
                    hint="each served plan must have its own [family] id",
                )
            self._sources.append(source)
            self._by_family[source.family_id] = source

    # -- what is served -----------------------------------------------------------------

    @property
    def exchange_db(self) -> Callable[[str], Path]:
        return self._exchange_db

    @property
    def pm(self) -> Any:
        return self._pm

    def now(self) -> datetime:
        return self._clock()

    def plans(self) -> list[Any]:
        """The served plans, as currently loaded."""
        return [s.plan for s in self._sources]

    def families(self) -> dict[str, list[str]]:
        """Family id -> parent ids, as currently loaded."""
        return {s.family_id: list(s.plan.parents) for s in self._sources}

    def feed(self, family: str, recipient: str) -> Rendered | None:
        """A parent's feed, or None if no served family has that parent."""
        source = self._by_family.get(family)
        if source is None:
            return None
        with source.lock:
            self._refresh(source)
            if recipient not in source.plan.parents or source.family_id != family:
                return None
            return self._render(source, recipient)

    def coordinator_feed(self) -> Rendered:
        """Every served family's whole calendar in one feed, family by family."""
        bodies: list[tuple[str, bytes]] = []
        keys = []
        for source in self._sources:
            with source.lock:
                self._refresh(source)
                rendered = self._render(source, None)
            bodies.append((source.plan.family.name, rendered.body))
            keys.append(rendered.content_key)
        key = hashlib.sha256("\n".join(keys).encode()).hexdigest()
        with self._coord_lock:
            if self._coord is None or key != self._coord_key:
                self._coord = Rendered.build(
                    merge_calendars(bodies), self._coord, self._clock().timestamp()
                )
                self._coord_key = key
            return self._coord

    def warm(self) -> None:
        """Render every feed now, so the first subscribers do not wait."""
        for source in self._sources:
            for parent in list(source.plan.parents):
                self.feed(source.family_id, parent)
        self.coordinator_feed()

    # -- keeping it fresh ---------------------------------------------------------------

    def _today(self, source: _Source) -> date:
        return self._clock().astimezone(source.zone).date()

    def _range(self, source: _Source) -> tuple[date, date]:
        return feed_range(self._today(source), *self._months)

    def _fingerprint(self, source: _Source) -> str:
        digest = hashlib.sha256(_read(str(source.path)))
        if source.plan is not None:
            school = source.inputs[0]
            if school:
                digest.update(b"\0school\0" + _read(school))
            digest.update(b"\0range\0" + str(self._range(source)).encode())
        return digest.hexdigest()

    def _log_stamp(self, source: _Source) -> bytes:
        """The exchange log's (and watched files') sizes and times: when they move, the
        feeds are rendered again but the plan is not reloaded."""
        if source.plan is None:
            return b""
        _, log_path, wal = source.inputs
        return b"\0".join(_stat(p) for p in (log_path, wal, *self._watch))

    def _refresh(self, source: _Source) -> None:
        """Reload the plan if its fingerprint moved, or drop the rendered feeds if only
        the exchange log did; caller holds ``source.lock``."""
        fingerprint = self._fingerprint(source)
        if fingerprint == source.fingerprint:
            stamp = self._log_stamp(source)
            if stamp != source.log_stamp:
                source.log_stamp = stamp
                source.previous.update(source.feeds)
                source.feeds = {}
            return
        try:
            self._load(source, fingerprint)
        except UserError as exc:
            source.fingerprint = fingerprint  # do not retry until it changes again
            log.error("%s no longer loads; serving the last good feeds: %s", source.path, exc)

    def plan_and_timeline(self, family: str) -> tuple[Any, Any] | None:
        """A served family's current plan and Timeline (kept fresh like its feeds)."""
        source = self._by_family.get(family)
        if source is None:
            return None
        with source.lock:
            self._refresh(source)
            if source.family_id != family:
                return None
            return source.plan, source.timeline

    def _load(self, source: _Source, fingerprint: str) -> None:
        from ..plan.load import load_plan
        from ..schedule.window import compute_window

        plan = load_plan(source.path)
        old, old_inputs, old_zone = source.plan, source.inputs, source.zone
        school = plan.school.ics if plan.school is not None and plan.school.ics else ""
        log_path = str(self._exchange_db(plan.family.id))
        try:
            source.plan, source.zone = plan, ZoneInfo(plan.family.timezone)
            source.inputs = (
                school and str(source.path.parent / school),
                log_path,
                log_path + "-wal",
            )
            start, end = self._range(source)
            # as sync and export: the blocks crossing the range's ends are whole
            source.timeline = compute_window(plan, start, end, self._pm)
            source.window = (start, end)
        except BaseException:
            source.plan, source.inputs, source.zone = old, old_inputs, old_zone
            raise
        # The first fingerprint was taken before the plan was known: take it again.
        source.fingerprint = self._fingerprint(source) if old is None else fingerprint
        source.log_stamp = self._log_stamp(source)
        source.previous.update(source.feeds)
        source.feeds = {}
        if old is not None and old.family.id != plan.family.id:
            log.warning(
                "%s: family id changed from %s to %s", source.path, old.family.id, plan.family.id
            )
            self._by_family.pop(old.family.id, None)
            self._by_family.setdefault(plan.family.id, source)

    def _render(self, source: _Source, recipient: str | None) -> Rendered:
        """The recipient's feed, rendered if not yet; caller holds ``source.lock``."""
        rendered = source.feeds.get(recipient)
        if rendered is None:
            from ..render import render_calendar

            outcomes = None
            if recipient is None:  # the coordinator's feed shows recorded outcomes
                from ..exchanges.service import outcome_labels

                outcomes = outcome_labels(source.plan, None, *source.window)
            notes = None
            if recipient is not None and self._notes is not None:
                notes = self._notes(source.plan, recipient, source.timeline)
            body = render_calendar(
                source.plan,
                source.timeline,
                recipient,
                self._pm,
                outcomes,
                source.window,
                checkin=notes,
            )
            self.renders += 1
            rendered = Rendered.build(
                body, source.previous.get(recipient), self._clock().timestamp()
            )
            source.feeds[recipient] = rendered
        return rendered


def merge_calendars(calendars: list[tuple[str, bytes]]) -> bytes:
    """One VCALENDAR of the events of several, each SUMMARY prefixed with its family name
    (a coordinator's calendar mixes families); VTIMEZONEs are rebuilt to cover them all."""
    from icalendar import Calendar

    from ..render.publish import assemble

    events = []
    for name, body in calendars:
        for event in Calendar.from_ical(body).walk("VEVENT"):
            summary = str(event.pop("SUMMARY", ""))
            event.add("SUMMARY", f"[{name}] {summary}")
            events.append(event)
    return assemble(events, name=COORDINATOR_NAME)
