"""Proof that we may write: one probe event of ours, created and removed at once.

The probe carries our marker and UID domain like every event we write, so even if its
removal fails the next sync removes it (ours, and not wanted). It is created with
If-None-Match and deleted with If-Match by the backend, so nothing else is touched.
Works through the backend interface, for every backend, built-in or a plugin's.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..errors import BackendError, PreconditionFailed, UserError, WriteRefused
from .report import FAIL, OK, WARN, TargetReport

PROBE_KIND = "doctor-probe"


def probe_event(family_id: str) -> Any:
    """A one-day event far from any custody date, owned by the family."""
    from icalendar import Event

    from .. import identity
    from ..backends.base import DesiredEvent
    from ..render.publish import assemble

    event = Event()
    uid = identity.uid_for(family_id, PROBE_KIND, secrets.token_hex(8))
    day = date.today() + timedelta(days=3650)
    event.add("UID", uid)
    event.add("SUMMARY", "pc-calendar connection check (removed at once)")
    event.add("DTSTART", day)
    event.add("DTEND", day + timedelta(days=1))
    event.add("DTSTAMP", datetime.now(UTC).replace(microsecond=0))
    event.add(identity.OWNER_PROP, family_id)
    event.add(identity.KIND_PROP, PROBE_KIND)
    event.add(identity.HASH_PROP, identity.content_hash(event))
    return DesiredEvent(
        uid, PROBE_KIND, uid, str(event[identity.HASH_PROP]), event=event,
        serialize=lambda: assemble([event]),
    )  # fmt: skip


def check_write(report: TargetReport, backend: Any, family_id: str) -> bool:
    """Create the probe and remove it; a refusal says the calendar is read-only."""
    event = probe_event(family_id)
    try:
        remote = backend.create(event)
    except (BackendError, PreconditionFailed, WriteRefused) as exc:
        report.add(
            "write",
            FAIL,
            f"could not add an event ({_text(exc)})",
            "the calendar is read-only for this user: choose one it may write to "
            "(pc-calendar targets discover lists which) or ask for write access",
        )
        return False
    try:
        backend.delete(remote)
    except (UserError, PreconditionFailed, WriteRefused) as exc:
        report.add(
            "write",
            WARN,
            f"added a probe event but could not remove it ({_text(exc)})",
            f"the next sync removes it (UID {event.uid}), or delete it by hand",
        )
        return True
    report.add("write", OK, "added and removed a probe event")
    return True


def _text(exc: Exception) -> str:
    return exc.message if isinstance(exc, UserError) else str(exc)
