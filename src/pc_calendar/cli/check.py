"""``pc-calendar check``: validate a plan and lint it for ambiguities.

Exit status: 0 when the plan is valid (warnings are printed but allowed), 2 when it has
problems, 1 with ``--strict`` when it is valid but has warnings. ``--json`` prints one
JSON object on stdout for scripts, with the same exit statuses.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click

from ..errors import PlanError, Problem
from ..plan.lint import LintWarning, lint_plan
from ..plan.lint_school_ics import school_ics_warnings
from ..plan.load import LoadedPlan, load
from ..plan.locate import Locator, format_path
from ..plan.model import Plan
from ..plan.references import default_years
from ..schedule.engine import compute_timeline
from . import verbosity
from .common import plan_argument


def _problem_dict(problem: Problem) -> dict[str, object]:
    found: dict[str, object] = {"key": problem.key, "line": problem.line}
    if problem.file is not None:
        found["file"] = str(problem.file)
    return {**found, "message": problem.message}


def target_problems(loaded: LoadedPlan) -> list[Problem]:
    """Sync's own checks of the calendar targets (plan and ``calendars.toml``), with lines."""
    from ..sync.targets import target_problems as find

    problems = []
    locators: dict[Path, Locator] = {loaded.path: loaded.locator}
    for found in find(loaded.plan, loaded.path, build=True):
        if found.file not in locators:
            text = found.file.read_text(encoding="utf-8") if found.line is None else ""
            locators[found.file] = Locator(text)
        line = found.line or locators[found.file].line_of(found.path)
        message = found.message if not found.hint else f"{found.message} ({found.hint})"
        file = None if found.file == loaded.path else found.file
        problems.append(Problem(format_path(found.path), message, line, file))
    return problems


def run_check(plan_path: Path, today: date | None = None) -> tuple[Plan, list[LintWarning]]:
    """Load and lint ``plan_path``; PlanError (naming the file) if it is not valid."""
    from ..compare.decisions import family_today, review_warnings

    loaded = load(plan_path)
    if problems := target_problems(loaded):
        raise PlanError(plan_path, problems)
    try:
        warnings = lint_plan(loaded.plan, locator=loaded.locator, today=today)
        warnings = sorted(
            [*warnings, *school_ics_warnings(loaded)],
            key=lambda w: (w.line or 0, w.key, w.message),
        )
        # Compute the linted years once, so a plan that checks OK also shows and exports.
        years = default_years(loaded.plan)
        compute_timeline(loaded.plan, date(years[0], 1, 1), date(years[-1] + 1, 1, 1))
        when = today or family_today(loaded.plan)
        warnings += review_warnings(loaded.plan, when, loaded.line_of)
    except PlanError as exc:  # the engine raises without file or line; add them
        problems = [
            Problem(p.key, p.message, p.line or loaded.line_of(p.key)) for p in exc.problems
        ]
        raise PlanError(plan_path, problems) from None
    return loaded.plan, warnings


@click.command("check")
@plan_argument
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when there are warnings.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Treat this day as today (what is past, for retroactive amendments).",
)
def check(plan_path: Path, as_json: bool, strict: bool, today: datetime | None) -> None:
    """Validate PLAN.toml and warn about what parents could read two ways.

    Problems (unknown keys, parents or patterns, impossible dates, bad time zones) are
    listed with file, line and key, and exit with status 2. Warnings (overlapping
    holidays at equal priority, a holiday inside the other parent's season, exchange
    times on DST change days, conflicting overrides, a rotation without an anchor)
    leave the status 0 unless --strict is given. -q leaves out the OK line (problems
    and warnings are the result and stay); -v also says what was checked.

    Exit status: 0 the plan is valid (warnings allowed); 1 valid but with warnings and
    --strict; 2 the plan has problems, or a usage mistake.
    """
    try:
        plan, warnings = run_check(plan_path, today.date() if today else None)
    except PlanError as exc:
        if not as_json:
            raise
        payload = {
            "ok": False,
            "file": str(plan_path),
            "problems": [_problem_dict(p) for p in exc.problems],
            "warnings": [],
        }
        click.echo(json.dumps(payload, indent=2))
        raise SystemExit(exc.exit_code) from None
    status = 1 if strict and warnings else 0
    if as_json:
        payload = {
            "ok": True,
            "file": str(plan_path),
            "problems": [],
            "warnings": [w.as_dict() for w in warnings],
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        verbosity.say(
            f"{plan_path}: OK ({len(plan.parents)} parents, {len(plan.children)} "
            f"{'child' if len(plan.children) == 1 else 'children'}, {len(warnings)} "
            f"warning{'s' if len(warnings) != 1 else ''})"
        )
        if verbosity.verbose():
            years = default_years(plan)
            verbosity.detail(
                f"{plan_path}: checked keys, references and calendar targets (as sync "
                f"reads them); timeline computed for {years[0]}-{years[-1]}"
            )
        for warning in warnings:
            click.echo(warning.render(plan_path))
    if status:
        # SystemExit, not ctx.exit: click's non-standalone main returns an Exit's code
        # instead of exiting, and the status must reach the shell.
        raise SystemExit(status)


def register(cli: click.Group) -> None:
    cli.add_command(check)
