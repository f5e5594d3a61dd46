"""Read a plan file into a validated Plan, or explain everything that is wrong with it.

A coordinator fixes a plan faster when every problem is listed at once, each with the
file, line, key and what is expected, in words rather than a validator's jargon. So
this module collects problems from every stage (reading, TOML syntax, the model,
the school ICS import, cross-references) and raises one PlanError with all of them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pluggy
from pydantic import ValidationError

from ..errors import LOADED_PLANS, PlanError, Problem
from .locate import Locator
from .model import Plan
from .references import check_references, check_spans
from .school_ics import import_school_ics
from .toml_types import TOML_INPUT


@dataclass(frozen=True)
class LoadedPlan:
    """A validated plan with its source, so later checks (lint) can cite lines."""

    path: Path
    text: str
    plan: Plan
    locator: Locator

    def line_of(self, key: str) -> int | None:
        return self.locator.line_of(key)


def load_plan(path: Path | str, pm: pluggy.PluginManager | None = None) -> Plan:
    """Read and validate ``path``; raise PlanError naming the file, key and line."""
    return load(path, pm).plan


def load(path: Path | str, pm: pluggy.PluginManager | None = None) -> LoadedPlan:
    """Like :func:`load_plan`, keeping the text and key locations for messages."""
    path = Path(path)
    return parse_plan_text(_read_text(path), path, pm)


def parse_plan_text(
    text: str, path: Path | str, pm: pluggy.PluginManager | None = None
) -> LoadedPlan:
    """Validate plan ``text`` as if read from ``path`` (which anchors ``school.ics``)."""
    path = Path(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        from .toml_errors import toml_problem

        raise PlanError(path, [toml_problem(text, str(exc))]) from None
    locator = Locator(text)
    try:
        plan = Plan.model_validate(data, context={TOML_INPUT: True})
    except ValidationError as exc:
        from .pydantic_messages import problems_from_validation  # only a plan with mistakes

        raise PlanError(path, _sorted(problems_from_validation(exc, data, locator))) from None
    plan, problems = import_school_ics(plan, path.parent)
    problems += check_references(plan, pm)
    if not problems:  # resolving spans needs valid references
        problems += check_spans(plan, pm)
    problems = [p if p.line is not None else _with_line(p, locator) for p in problems]
    if problems:
        raise PlanError(path, _sorted(problems))
    LOADED_PLANS.setdefault(path.resolve(), path)
    return LoadedPlan(path, text, plan, locator)


def only_loaded_path() -> Path | None:
    """The plan file this run loaded, if it loaded exactly one (see ``LOADED_PLANS``)."""
    return next(iter(LOADED_PLANS.values())) if len(LOADED_PLANS) == 1 else None


def locate_error(exc: PlanError, path: Path) -> PlanError:
    """``exc`` (raised by the engine without a file) with ``path`` and each key's line."""
    try:
        locator: Locator | None = Locator(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        locator = None
    problems = [
        Problem(
            p.key,
            p.message,
            p.line if p.line is not None or locator is None else locator.line_of(p.key),
            p.file,
        )
        for p in exc.problems
    ]
    return PlanError(path, problems)


@contextmanager
def errors_located(path: Path) -> Iterator[None]:
    """Give a PlanError raised inside without a file the plan's file and lines."""
    try:
        yield
    except PlanError as exc:
        if exc.path is not None:
            raise
        raise locate_error(exc, path) from None


def _with_line(problem: Problem, locator: Locator) -> Problem:
    return Problem(problem.key, problem.message, locator.line_of(problem.key))


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line or 0, p.key))


def _read_text(path: Path) -> str:
    """The file as text, or a PlanError that says why it cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PlanError(path, [Problem("", "no such file")]) from None
    except IsADirectoryError:
        raise PlanError(path, [Problem("", "is a directory, expected a plan file")]) from None
    except PermissionError:
        raise PlanError(path, [Problem("", "cannot read the file (permission denied)")]) from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise PlanError(path, [Problem("", f"cannot read the file ({reason})")]) from None
    try:
        return raw.decode("utf-8-sig")  # a BOM (Windows editors) is not an error
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        message = f"not UTF-8 text (byte 0x{bad}); save the plan file as UTF-8"
        raise PlanError(path, [Problem("", message, line)]) from None
