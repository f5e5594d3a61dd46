"""pc-calendar plugin: date rules for lunar and lunisolar religious and cultural holidays.

Registers one date rule per holiday (``date = { rule = "eid_al_fitr" }`` and so on)
through ``pc_calendar_register_date_rules``. See README.md for the list and options.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pc_calendar import hookimpl

from .rules import RULES, LunarHolidayRule

__version__ = "0.1.0"
__all__ = ["RULES", "LunarHolidayRule", "pc_calendar_register_date_rules"]


@hookimpl
def pc_calendar_register_date_rules(register: Callable[[str, Any], None]) -> None:
    """Register every rule in :data:`RULES` under its name."""
    for name, rule in RULES.items():
        register(name, rule)
