"""Recording a discovered calendar as a parent's target in ``calendars.toml``.

The file is edited as text, so the coordinator's comments and other parents' tables stay
exactly as they were; only the ``[parent]`` table is added (or, with ``replace``,
swapped). The result is parsed again before it is written, atomically.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..fileio import write_atomic
from ..sync.targets import CALENDARS_FILE

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def target_table(config: dict[str, Any], chosen: Any, secret_keys: dict[str, Any]) -> dict:
    """The target keys for ``chosen``: where it is and how to find the password."""
    return {**config, "calendar": chosen.href, **secret_keys}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(str(value))  # a JSON string is a valid TOML basic string


def render_table(parent: str, table: dict[str, Any]) -> str:
    lines = [f"[{parent}]"] + [f"{key} = {_toml_value(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


def _without_table(text: str, parent: str) -> str:
    """``text`` less the ``[parent]`` table (its header up to the next header)."""
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        header = _HEADER.match(line)
        if header:
            skipping = header.group(1).strip('"') == parent
        if not skipping:
            out.append(line)
    return "".join(out)


def write_target(plan_path: Path, parent: str, table: dict[str, Any], replace: bool) -> Path:
    """Add (or replace) ``[parent]`` in the calendars.toml beside ``plan_path``."""
    from ..plan.load import load_plan

    plan = load_plan(plan_path)
    if parent not in plan.parents:
        raise UserError(
            f"--parent {parent}: no such parent in {plan_path}",
            hint=f"parents are: {', '.join(plan.parents)}",
        )
    path = plan_path.parent / CALENDARS_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        existing = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML ({exc}); fix it before writing to it") from None
    if parent in existing:
        if not replace:
            raise UserError(
                f"{path}: [{parent}] already has a target",
                hint="add --replace to swap it for the one found",
            )
        text = _without_table(text, parent)
    if text and not text.endswith("\n"):
        text += "\n"
    text += ("\n" if text.strip() else "") + render_table(parent, table)
    if tomllib.loads(text).get(parent) != table:  # never write what would read back wrong
        raise UserError(f"{path}: could not edit [{parent}] safely; edit the file by hand")
    write_atomic(path, text)
    return path
