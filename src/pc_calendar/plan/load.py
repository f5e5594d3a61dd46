"""Read a plan file into a validated Plan (minimal version; being extended)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ..errors import PlanError, Problem
from .model import Plan


def load_plan(path: Path | str) -> Plan:
    """Read and validate ``path``; raise PlanError naming the file, key and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(path, [Problem("", f"cannot read the plan file ({exc.strerror})")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(path, [Problem("", f"not valid TOML: {exc}")]) from None
    from pydantic import ValidationError

    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(".".join(str(p) for p in err["loc"]), err["msg"]) for err in exc.errors()
        ]
        raise PlanError(path, problems) from None
