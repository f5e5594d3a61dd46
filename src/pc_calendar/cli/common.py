"""Options and helpers shared by subcommands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from ..errors import UserError


def complete_plans(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Shell completion of a plan argument: the *.toml files (and folders) that match.

    Nothing matching: the shell's own file completion, as for any other path.
    """
    from click.shell_completion import CompletionItem

    folder, _, start = incomplete.rpartition("/")
    base = Path(folder + "/" if folder else ".")
    try:
        entries = sorted(base.iterdir())
    except OSError:
        entries = []
    prefix = folder + "/" if folder else ""
    found = [
        CompletionItem(prefix + entry.name + ("/" if entry.is_dir() else ""))
        for entry in entries
        if entry.name.startswith(start)
        and not (entry.name.startswith(".") and not start.startswith("."))
        and (entry.is_dir() or entry.suffix == ".toml")
    ]
    if not any(item.value.endswith(".toml") for item in found):
        return [CompletionItem(incomplete, type="file")]
    return found


plan_argument = click.argument(
    "plan_path",
    metavar="PLAN.toml",
    type=click.Path(path_type=Path, dir_okay=False),
    shell_complete=complete_plans,
)


#: the years a date option may name: plan.toml_types.SUPPORTED_YEARS, which a test keeps
#: equal (importing it here would load pydantic for every command, the quick sync too)
YEARS = (1900, 2199)


def parse_date(value: str, option: str) -> date:
    """A YYYY-MM-DD option value in :data:`YEARS`, or a UserError naming the option."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option}: expected a date like 2026-12-31, got {value!r}") from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise UserError(
            f"{option}: expected a date between {YEARS[0]}-01-01 and {YEARS[1]}-12-31, got {value}"
        )
    return day


def state_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--state`` and ``--state-beside-plan``: where the sync state lives (sync, status)."""
    command = click.option(
        "--state-beside-plan",
        is_flag=True,
        help="Keep the sync state in PLAN.sync-state.sqlite next to each plan.",
    )(command)
    return click.option(
        "--state",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Sync state file (default: $PC_CALENDAR_STATE, else in $PC_CALENDAR_DATA_DIR or "
        "the user data dir).",
    )(command)


def caseload_options(verb: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--jobs`` and ``--recursive`` for commands that take many plans or folders."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option(
            "--recursive", "-r", is_flag=True, help="Also find plans in subfolders of a folder."
        )(command)
        return click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=1, max=64),
            default=None,
            help=f"Families {verb} at once (default: min(4, 2 x CPUs)).",
        )(command)

    return decorate
