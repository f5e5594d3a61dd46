"""pc_calendar: parenting-plan calendars.

Public API for plugin authors: ``hookimpl`` marks hook implementations; the hook
contract lives in :mod:`pc_calendar.hookspecs`.

``hookimpl`` is made on first use (PEP 562), so a command that loads no plugin, such
as the quick no-op sync, does not import pluggy (a couple of milliseconds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "hookimpl"]

if TYPE_CHECKING:
    import pluggy

    hookimpl: pluggy.HookimplMarker


def __getattr__(name: str) -> Any:
    if name == "hookimpl":
        import pluggy

        marker = pluggy.HookimplMarker("pc_calendar")
        globals()["hookimpl"] = marker
        return marker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
