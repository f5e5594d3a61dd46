"""The ``google`` backend plugin: registers the Google Calendar backend.

The backend itself is :class:`.google_backend.GoogleBackend` (see that module for how it
lists and writes). This module is what the plugin manager loads on every command, so it
imports the backend, its batching and its event mapping only when a Google target is
built: ``check`` of a plan without one never loads them. ``GoogleBackend`` and
``build_service`` can still be imported from here.
"""

from __future__ import annotations

from typing import Any

from .. import hookimpl
from .base import Backend


def factory(config: dict, context: Any = None) -> Backend:
    """``type = "google"``: see :mod:`.google_config` for the keys."""
    from ..errors import BackendError
    from ..extras import require
    from .google_backend import GoogleBackend
    from .google_config import ctx, read_settings

    settings = read_settings(config, context)
    require("google", f'{ctx(context, "source") or "a google target"}: type = "google"')
    family = ctx(context, "family_id") or config.get("family_id")
    if not family:
        raise BackendError("the google backend needs the family id to recognise its events")
    return GoogleBackend(settings, str(family))


@hookimpl
def pc_calendar_register_backends(register: Any) -> None:
    register("google", factory)


def __getattr__(name: str) -> Any:
    """``from pc_calendar.backends.google import GoogleBackend`` as before the split."""
    if name in ("GoogleBackend", "build_service", "PAGE_SIZE"):
        from . import google_backend

        return getattr(google_backend, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
