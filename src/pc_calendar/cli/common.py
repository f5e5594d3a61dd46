"""Options and helpers shared by subcommands."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..errors import UserError

plan_argument = click.argument(
    "plan_path", metavar="PLAN.toml", type=click.Path(path_type=Path, dir_okay=False)
)


def parse_date(value: str, option: str) -> date:
    """A YYYY-MM-DD option value, or a UserError naming the option."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option}: expected a date like 2026-12-31, got {value!r}") from None
