"""Gathering a parent's :class:`~pc_calendar.render.checkin_text.CheckinNotes`: their
current check-in link and the records of their exchanges, for their calendar events.

Only plans with a ``[checkin] url`` get notes, so a family that does not use check-ins
keeps the calendars it had. Nothing is created here: without a link database (or the
server key) there is simply no link, and without a log no records.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from ..exchanges.status import local_range_utc
from ..exchanges.store import ExchangeStore
from ..exchanges.store import default_db_path as default_log_path
from ..plan.model import Plan
from ..render.checkin_text import CheckinNotes
from .checkin_tokens import DB_FILE, CheckinTokens, checkin_url
from .secret import KEY_FILE
from .tokens import default_db_path


def default_folder() -> Path:
    """Where ``serve`` and ``checkin`` keep links and the key by default."""
    return default_db_path().parent


def current_link(plan: Plan, parent: str, folder: Path | None = None) -> str | None:
    """The parent's full check-in URL, or None (no url in the plan, or no link issued)."""
    folder = folder or default_folder()
    if not plan.checkin.url or not (folder / DB_FILE).exists() or not (folder / KEY_FILE).exists():
        return None
    links = CheckinTokens(folder)
    try:
        token = links.current(plan.family.id, parent)
    finally:
        links.close()
    return checkin_url(plan.checkin.url, token) if token else None


def checkin_notes(
    plan: Plan,
    parent: str,
    start: date,
    end: date,
    *,
    folder: Path | None = None,
    log: Path | None = None,
) -> CheckinNotes | None:
    """The parent's notes for exchanges on local dates ``[start, end)``, or None when the
    plan does not use check-ins."""
    if not plan.checkin.url:
        return None
    url = current_link(plan, parent, folder)
    path = log or default_log_path(plan.family.id)
    with ExchangeStore.open(path, plan.family.id, create=False) as store:
        found = store.between(*local_range_utc(start, end, ZoneInfo(plan.family.timezone)))
    records: dict[str, list] = {}
    for record in found:
        if parent in (record.from_parent, record.to_parent):
            records.setdefault(record.exchange_id, []).append(record)
    return CheckinNotes(url, {k: tuple(v) for k, v in records.items()})
