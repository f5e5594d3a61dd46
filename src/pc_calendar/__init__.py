"""pc_calendar: parenting-plan calendars.

Public API for plugin authors: ``hookimpl`` marks hook implementations; the hook
contract lives in :mod:`pc_calendar.hookspecs`.
"""

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("pc_calendar")

__all__ = ["__version__", "hookimpl"]
