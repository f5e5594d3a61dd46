"""The quick no-op's question to each calendar: anything changed since the token?

Per target type, what the full no-op consults, asked the same way: for an ics folder
its own listing (a directory scan, :class:`~pc_calendar.backends.ics_folder.
IcsFolderBackend`, standard library only) and whether closing it would rewrite the feed;
for CalDAV the stdlib probe of :mod:`pc_calendar.backends.caldav_probe`, with the
password resolved as the backend resolves it. Other types (Google, third-party
backends) are not probed: their syncs always take the full path.

:func:`where_of` is the other half, run at the end of a full sync: what the probe will
need, taken from the backend that just synced (None: this target cannot be probed).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..backends.base import Probe

if TYPE_CHECKING:
    from .quick import TargetEntry

#: with a proxy configured the full path's HTTP stack may go through it: not probed
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY")
PROXY_VARS += ("ALL_PROXY",)


def where_of(
    kind: str, config: dict[str, Any], backend: Any, base_dir: str
) -> dict[str, Any] | None:
    """What the probe of a ``kind`` target (settings ``config``, no secret in them: those
    are refused) needs, from its backend after a full sync."""
    if kind == "ics":
        from ..backends.ics_folder import IcsFolderBackend

        if isinstance(backend, IcsFolderBackend):
            return {"folder": os.path.abspath(backend.folder)}
    if kind == "caldav":
        from ..backends.caldav import CalDAVBackend

        if isinstance(backend, CalDAVBackend):
            calendar = backend.settings.calendar
            if calendar is not None and not calendar.startswith("/"):
                return None  # a display name is looked up again on every full run
            return {"config": config, "collection": backend.collection, "base_dir": base_dir}
    return None


def probe(family: str, target: TargetEntry, token: str) -> Probe | None:
    """The calendar's answer, or None when it changed or cannot be asked cheaply."""
    if target.kind == "ics":
        return _ics(family, target, token)
    if target.kind == "caldav":
        return _caldav(family, target, token)
    return None


def _ics(family: str, target: TargetEntry, token: str) -> Probe | None:
    from ..backends.ics_folder import IcsFolderBackend
    from ..errors import BackendError

    backend = IcsFolderBackend(Path(target.where["folder"]), family, target.parent)
    try:
        listing = backend.list(token)
    except BackendError:
        return None
    if listing.full or listing.events or listing.removed or listing.unmarked:
        return None
    if backend.feed_outdated:
        return None  # the full path would write the feed when it closes the folder
    return Probe(listing.token, backend.request_count)


def _caldav(family: str, target: TargetEntry, token: str) -> Probe | None:
    from ..backends import caldav_probe
    from ..backends.caldav_config import read_settings
    from ..errors import UserError

    if any(os.environ.get(name) for name in PROXY_VARS):
        return None
    context = {
        "family_id": family,
        "parent_id": target.parent,
        "base_dir": target.where["base_dir"],
        "source": target.source,
    }
    try:
        settings = read_settings(target.where["config"], context)
    except UserError:
        return None  # a password source that fails: the full path says so
    reach = caldav_probe.DavTarget(
        url=settings.url,
        collection=target.where["collection"],
        username=settings.username,
        password=settings.password,
        timeout=settings.timeout,
        verify=settings.verify,
        quick_check=settings.quick_check,
    )
    return caldav_probe.probe(reach, token)
