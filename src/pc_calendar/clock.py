"""The CLI's "now": the clock, or ``$PC_CALENDAR_NOW`` so scripts and tests repeat.

Its own small module because every command that asks "what is due today" needs it
(``check`` for due reviews, ``exchange``, ``status``, ``show``...), and the exchange
status rules it used to live beside would load the exchange log's modules with it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from .errors import UserError

NOW_ENV = "PC_CALENDAR_NOW"


def current_time(now: datetime | None = None) -> datetime:
    """``now`` if given, else ``$PC_CALENDAR_NOW`` (ISO; naive means UTC), else the clock."""
    if now is None:
        raw = os.environ.get(NOW_ENV)
        if raw:
            try:
                now = datetime.fromisoformat(raw)
            except ValueError:
                raise UserError(
                    f"{NOW_ENV}: expected an ISO date-time like 2026-12-04T18:30:00Z, got {raw!r}"
                ) from None
        else:
            now = datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(UTC)
