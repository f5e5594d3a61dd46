"""Deliver a message over apprise URLs; report failures, never raise them.

A notifier runs after the exchange record is written or the sync is done: its failure
must not look like theirs. Each URL gets its own attempt so one dead endpoint does
not hide the others, and every failure is reported on stderr with the URL's secrets
masked (apprise's privacy form), since terminal output ends up in logs and emails.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import click

from .messages import Message

log = logging.getLogger("pc_calendar_apprise")

# Seconds apprise waits for an endpoint: a notifier must not stall the CLI for long.
TIMEOUT = 10


def masked(url: str) -> str:
    """``url`` with passwords and tokens hidden, as apprise prints it."""
    import apprise

    try:
        service = apprise.Apprise.instantiate(url)
        if service is not None:
            return service.url(privacy=True)
    except Exception:  # an unparseable URL: show only its scheme
        pass
    return url.split("://", 1)[0] + "://..."


def send(urls: Iterable[str], message: Message, kind: str = "failure") -> list[str]:
    """Send ``message`` to every URL; return (and report) one problem per failed URL."""
    import apprise

    problems = []
    for url in dict.fromkeys(urls):  # each once, in order
        target = apprise.Apprise()
        if not target.add(url):
            problems.append(f"{masked(url)}: not an apprise URL apprise can use")
            continue
        for service in target:
            service.socket_connect_timeout = service.socket_read_timeout = TIMEOUT
        try:
            delivered = bool(
                target.notify(body=message.body, title=message.title, notify_type=kind)
            )
        except Exception as exc:  # apprise or a service plugin of its own failed
            problems.append(f"{masked(url)}: {exc.__class__.__name__}: {exc}")
            continue
        if not delivered:
            problems.append(f"{masked(url)}: the service did not accept the notification")
    for problem in problems:
        log.warning("notification failed: %s", problem)
        click.echo(f"warning: pc-calendar-apprise could not notify {problem}", err=True)
    return problems
