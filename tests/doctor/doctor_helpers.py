"""Helpers the doctor tests import by name.

They live here, not in this folder's conftest.py: several test folders have a
conftest.py, and ``from conftest import ...`` gets whichever of them pytest loaded last,
so it broke whenever another folder was collected after this one
(``pytest tests/doctor tests/feeds``). A module name no other folder uses is found the
same way in every order and selection.
"""

from __future__ import annotations

import json
from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"


def write_calendars(plan: Path, **tables: dict) -> None:
    """Write the ``calendars.toml`` beside ``plan``: one table of settings per parent."""
    lines = []
    for parent, table in tables.items():
        lines.append(f"[{parent}]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in table.items()]
    (plan.parent / "calendars.toml").write_text("\n".join(lines) + "\n")
