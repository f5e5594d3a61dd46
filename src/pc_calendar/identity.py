"""Stable identities and ownership of the events we write.

A UID is a function of (family, kind, natural key), never of the time of export, so
re-generating never creates a "new" event for the same thing. Every event we write
carries an ownership marker (``X-PC-CALENDAR-FAMILY`` plus our UID domain) and a
content hash (``X-PC-CALENDAR-HASH``); the sync engine ignores anything without both.
"""

from __future__ import annotations

import hashlib
from typing import Any

UID_DOMAIN = "pc-calendar.invalid"
OWNER_PROP = "X-PC-CALENDAR-FAMILY"
HASH_PROP = "X-PC-CALENDAR-HASH"
KIND_PROP = "X-PC-CALENDAR-KIND"

# Properties servers and clients rewrite on their own; excluded from the content hash.
VOLATILE = frozenset({"DTSTAMP", "SEQUENCE", "LAST-MODIFIED", "CREATED", HASH_PROP})


def natural_key_digest(family_id: str, kind: str, natural_key: str) -> str:
    """A short, stable digest of an event's identity (used in UIDs and Google ids)."""
    raw = f"{family_id}\x1f{kind}\x1f{natural_key}".encode()
    return hashlib.sha256(raw).hexdigest()[:24]


def uid_for(family_id: str, kind: str, natural_key: str) -> str:
    """The deterministic UID of one of our events.

    >>> uid = uid_for("rivera-chen", "exchange", "2026-12-04T1800")
    >>> uid.startswith("exchange-"), uid.endswith("@rivera-chen.pc-calendar.invalid")
    (True, True)
    """
    return f"{kind}-{natural_key_digest(family_id, kind, natural_key)}@{family_id}.{UID_DOMAIN}"


def _canonical_lines(component: Any) -> list[str]:
    lines = [f"BEGIN:{component.name}"]
    props = []
    for name, value in component.property_items(recursive=False, sorted=True):
        if name in VOLATILE or name in ("BEGIN", "END"):
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            params = ";".join(
                f"{k.upper()}={v}"
                for k, v in sorted(getattr(item, "params", {}).items())
                if k.upper() != "VALUE"
            )
            rendered = item.to_ical() if hasattr(item, "to_ical") else str(item).encode()
            if isinstance(rendered, bytes):
                rendered = rendered.decode()
            props.append(f"{name};{params}:{rendered}")
    lines.extend(sorted(props))
    for sub in sorted(component.subcomponents, key=lambda c: c.name):
        lines.extend(_canonical_lines(sub))
    lines.append(f"END:{component.name}")
    return lines


def content_hash(event: Any) -> str:
    """Hash of an icalendar VEVENT's meaning, stable across servers' re-serialisation.

    Excludes DTSTAMP, SEQUENCE, LAST-MODIFIED, CREATED and the hash property itself, so a
    server bumping SEQUENCE or a fresh DTSTAMP never looks like a change.
    """
    return hashlib.sha256("\n".join(_canonical_lines(event)).encode()).hexdigest()[:32]


def is_ours(event: Any, family_id: str) -> bool:
    """Whether a VEVENT carries our whole marker for this family: the family property,
    our UID domain and the content hash (an event without the hash is not ours)."""
    owner = event.get(OWNER_PROP)
    return (
        owner is not None
        and str(owner) == family_id
        and event.get(HASH_PROP) is not None
        and uid_is_ours(event, family_id)
    )


def uid_is_ours(event: Any, family_id: str) -> bool:
    """Whether a VEVENT's UID is one we make for this family and no other family's
    marker contradicts it (what is left of ours after a client strips X-PC-*)."""
    uid = str(event.get("UID", ""))
    owner = event.get(OWNER_PROP)
    return uid.endswith(f"@{family_id}.{UID_DOMAIN}") and (owner is None or str(owner) == family_id)
