"""Each parent's calendar target: from the plan, or a ``calendars.toml`` beside it.

``calendars.toml`` has one table per parent id and wins over the plan's
``parents.X.calendar``, so a family can share the plan and keep accounts apart::

    [alex]
    type = "caldav"
    url = "https://cal.example.org/dav/"
    calendar = "custody"
    user = "alex"
    password_env = "ALEX_CALDAV_PASSWORD"

Relative paths in a target are relative to the plan's folder. Secrets are only ever
referenced (see :mod:`.secrets`). Backends are built by the factory registered under
``type`` with ``factory(config, context)``; ``context`` is a :class:`BackendContext`.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pluggy

from ..backends.base import Backend
from ..errors import UserError
from ..plan.model import Plan
from ..plugins import backends as backend_registry
from .secrets import (
    SECRET_HINT,
    SECRET_KEY_MESSAGE,
    Secret,
    resolve_password,
    secret_value_keys,
    url_passwords,
)

CALENDARS_FILE = "calendars.toml"
NOT_IDENTITY = frozenset(
    {
        "password_env",
        "password_file",
        "password_command",
        "keyring",
        "timeout",
        "quick_check",
        "requests_per_minute",
        "verify",
        "max_in_flight",
        "connections",
    }
)


@dataclass(frozen=True)
class Target:
    """Where one parent's events go. ``source`` says where it was configured."""

    parent_id: str
    type: str
    config: dict[str, Any]
    source: str

    def key(self, family_id: str, base_dir: Path) -> str:
        """The state key: family, parent and what identifies the calendar itself."""
        # how we reach it (password source, timeout, pacing, cheap checks) is not part of
        # which calendar it is: changing those keeps the state
        config = {k: v for k, v in self.config.items() if k not in NOT_IDENTITY}
        for name in ("folder", "path"):
            if isinstance(config.get(name), str):
                config[name] = str(resolve_path(base_dir, config[name]).resolve())
        ident = json.dumps(config, sort_keys=True, default=str)
        return f"{family_id}/{self.parent_id}/{self.type}:{ident}"


@dataclass(frozen=True)
class BackendContext:
    """What a backend factory gets besides its config."""

    family_id: str
    parent_id: str
    base_dir: Path
    source: str
    dry_run: bool = False

    def path(self, value: str) -> Path:
        """A path from the config, relative to the plan's folder."""
        return resolve_path(self.base_dir, value)

    def password(self, config: dict[str, Any]) -> Secret | None:
        """The password the config refers to (env var, keyring or 0600 file), or None."""
        return resolve_password(config, self.source, self.base_dir, self.parent_id)


def resolve_path(base_dir: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base_dir / path


@dataclass(frozen=True)
class TargetProblem:
    """One mistake in a calendar target: the file, the key path in it, what is expected."""

    file: Path
    path: tuple[str, ...]
    message: str
    hint: str | None = None
    line: int | None = None  # known only for TOML syntax errors; else found from path

    @property
    def _base(self) -> int:
        """How many parts of ``path`` name the target itself (the rest: a key in it)."""
        return 1 if self.file.name == CALENDARS_FILE else 3

    @property
    def source(self) -> str:
        """Where it is, as sync's messages say it: ``plan.toml: parents.alex.calendar``."""
        if self._base == 1:
            return f"{self.file}: [{self.path[0]}]"
        return f"{self.file}: {'.'.join(self.path[:3])}"

    def error(self) -> UserError:
        if not self.path:
            return UserError(f"{self.file}: {self.message}", hint=self.hint)
        key = ".".join(self.path[self._base :])
        return UserError(
            f"{self.source}: {key + ': ' if key else ''}{self.message}", hint=self.hint
        )


class CalendarsFileError(UserError):
    """``calendars.toml`` cannot be read or is not TOML; ``line`` when TOML says it."""

    def __init__(self, path: Path, reason: str, line: int | None = None) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason, self.line = path, reason, line


def calendars_file(plan_path: Path) -> tuple[Path, str | None, dict[str, Any]]:
    """``calendars.toml`` beside the plan: its path, text (None if absent) and data."""
    beside = plan_path.parent / CALENDARS_FILE
    if not beside.exists():
        return beside, None, {}
    try:
        text = beside.read_text(encoding="utf-8")
        return beside, text, tomllib.loads(text)
    except OSError as exc:
        raise CalendarsFileError(beside, f"cannot read ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        at = re.search(r"at line (\d+)", str(exc))
        line = int(at[1]) if at else None
        raise CalendarsFileError(beside, f"not valid TOML: {exc}", line) from None


def _configs(
    plan: Plan, plan_path: Path, beside: Path, overrides: dict[str, Any]
) -> list[tuple[str, Any, Path, tuple[str, ...]]]:
    """(parent, config, file, key path) of every parent that has a target."""
    found = []
    for pid, parent in plan.parents.items():
        if pid in overrides:
            found.append((pid, overrides[pid], beside, (pid,)))
        elif parent.calendar is not None:
            found.append((pid, parent.calendar, plan_path, ("parents", pid, "calendar")))
    return found


def target_problems(
    plan: Plan, plan_path: Path, pm: pluggy.PluginManager | None = None, *, build: bool = False
) -> list[TargetProblem]:
    """Every mistake in the plan's targets and ``calendars.toml``, found without secrets.

    ``check`` lists them all with lines; ``sync`` and ``doctor`` refuse to start on the
    first. The same checks serve both, so a plan that checks clean is not rejected by
    sync. With ``build``, the built-in backends' own settings checks run too (see
    :mod:`.target_settings`).
    """
    try:
        beside, _text, overrides = calendars_file(plan_path)
    except CalendarsFileError as exc:
        return [TargetProblem(exc.path, (), exc.reason, line=exc.line)]
    problems = [
        TargetProblem(
            beside,
            (pid,),
            f"no parent {pid!r} in the plan",
            f"parents are: {', '.join(plan.parents)}",
        )
        for pid in overrides
        if pid not in plan.parents
    ]
    configs = _configs(plan, plan_path, beside, overrides)
    known = backend_registry(pm) if configs else None  # a plan without targets needs none
    targets = []
    for pid, config, file, path in configs:
        if not isinstance(config, dict):
            problems.append(
                TargetProblem(file, path, 'expected a table like { type = "ics", ... }')
            )
            continue
        for key in secret_value_keys(config):
            problems.append(
                TargetProblem(file, (*path, key), SECRET_KEY_MESSAGE.format(key=key), SECRET_HINT)
            )
        for key, redacted in url_passwords(config):
            problems.append(
                TargetProblem(
                    file,
                    (*path, key),
                    f"the URL holds a password ({redacted}); plans and calendars.toml "
                    "get shared and committed, so passwords never go in them",
                    'keep user = "NAME" in the target and the password in '
                    + SECRET_HINT.removeprefix("use "),
                )
            )
        kind = config.get("type")
        assert known is not None
        if not isinstance(kind, str) or kind not in known:
            close = difflib.get_close_matches(str(kind), known.names(), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(
                TargetProblem(
                    file,
                    (*path, "type"),
                    f"expected one of {', '.join(known.names())}, got {kind!r}{hint}",
                )
            )
            continue
        settings = {k: v for k, v in config.items() if k != "type"}
        source = TargetProblem(file, path, "").source
        targets.append((Target(pid, kind, settings, source), file, path))
    problems += _shared(targets, plan.family.id, plan_path.parent)
    if build and not problems:
        from .target_settings import settings_problems

        problems += settings_problems(plan.family.id, targets, plan_path, pm)
    return problems


def load_targets(
    plan: Plan,
    plan_path: Path,
    parents: list[str] | None = None,
    pm: pluggy.PluginManager | None = None,
) -> list[Target]:
    """The targets of the chosen parents (default: every parent that has one)."""
    for pid in parents or []:
        if pid not in plan.parents:
            raise UserError(
                f"--parent {pid}: no such parent in {plan_path}",
                hint=f"parents are: {', '.join(plan.parents)}",
            )
    problems = target_problems(plan, plan_path, pm, build=True)
    if problems:
        raise problems[0].error()
    beside, _text, overrides = calendars_file(plan_path)
    configured = {
        pid: (config, file, path)
        for pid, config, file, path in _configs(plan, plan_path, beside, overrides)
    }
    targets = []
    for pid in plan.parents:
        if parents and pid not in parents:
            continue
        if pid not in configured:
            if parents:
                raise UserError(
                    f"{plan_path}: parents.{pid}.calendar: no calendar target",
                    hint='add calendar = { type = "ics", folder = "out/NAME" }',
                )
            continue
        config, file, path = configured[pid]
        settings = {k: v for k, v in config.items() if k != "type"}
        source = TargetProblem(file, path, "").source
        targets.append(Target(pid, config["type"], settings, source))
    return targets


def _shared(
    targets: list[tuple[Target, Path, tuple[str, ...]]], family_id: str, base_dir: Path
) -> list[TargetProblem]:
    """Two parents in one calendar would delete each other's events: a problem.

    Our events are recognised by family, and both parents' copies of an exchange share
    its UID, so each parent needs a calendar (or folder) of their own.
    """
    seen: dict[str, Target] = {}
    problems = []
    for target, file, path in targets:
        ident = target.key(family_id, base_dir).split("/", 2)[2]
        if ident in seen:
            first = seen[ident]
            problems.append(
                TargetProblem(
                    file,
                    path,
                    f"the same calendar as {first.source}",
                    f"give {first.parent_id} and {target.parent_id} a calendar each",
                )
            )
        seen.setdefault(ident, target)
    return problems


def make_backend(
    target: Target, context: BackendContext, pm: pluggy.PluginManager | None = None
) -> Backend:
    """Build the target's backend through its registered factory."""
    factory = backend_registry(pm)[target.type]
    return factory(dict(target.config), context)
