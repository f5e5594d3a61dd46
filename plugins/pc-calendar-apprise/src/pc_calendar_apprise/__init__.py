"""pc-calendar plugin: notify over apprise when an exchange is missed or a sync fails,
and hand each parent the receipt of every exchange-log record about their exchanges.

Who is told: the coordinator always (when a URL is configured), and each parent of a
missed exchange whose own URL is configured; receipts go to the parents only. Where:
see :mod:`.config` (environment or keyring, never the plan). Failures to notify are
reported and never raised, so they cannot undo an exchange record or hide a sync
result.
"""

from __future__ import annotations

from typing import Any

from pc_calendar import hookimpl

from . import config, messages
from .send import send

__version__ = "0.1.0"


@hookimpl
def pc_calendar_exchange_missed(family: Any, exchange: Any, record: Any) -> None:
    """Tell the coordinator and the exchange's two parents (those with a URL)."""
    urls = config.coordinator_urls(family.id)
    for parent in (exchange.from_parent, exchange.to_parent):
        urls += config.parent_urls(parent)
    if urls:
        send(urls, messages.exchange_missed(family, exchange, record), "warning")


@hookimpl(optionalhook=True)  # older pc-calendar versions do not have this hook
def pc_calendar_exchange_recorded(family: Any, record: Any, receipt: str) -> None:
    """Send the record's receipt to both parents of the exchange (those with a URL), so
    each holds proof of the log as it was, outside the coordinator's reach."""
    urls: list[str] = []
    for parent in (record.from_parent, record.to_parent):
        urls += config.parent_urls(parent)
    if urls:
        send(urls, messages.receipt(family, record, receipt), "info")


@hookimpl
def pc_calendar_sync_failed(family: Any, target: str, error: BaseException, parent: str) -> None:
    """Tell the coordinator whose calendar failed and why."""
    urls = config.coordinator_urls(family.id)
    if urls:
        send(urls, messages.sync_failed(family, target, error, parent), "failure")
