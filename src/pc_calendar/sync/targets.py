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

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pluggy

from ..backends.base import Backend
from ..errors import UserError
from ..plan.model import Plan
from ..plugins import backends as backend_registry
from .secrets import Secret, refuse_secret_values, resolve_password

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


def _read_calendars_file(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML: {exc}") from None


def load_targets(
    plan: Plan,
    plan_path: Path,
    parents: list[str] | None = None,
    pm: pluggy.PluginManager | None = None,
) -> list[Target]:
    """The targets of the chosen parents (default: every parent that has one)."""
    base_dir = plan_path.parent
    beside = base_dir / CALENDARS_FILE
    overrides = _read_calendars_file(beside) if beside.exists() else {}
    for pid in overrides:
        if pid not in plan.parents:
            raise UserError(
                f"{beside}: [{pid}]: no parent {pid!r} in the plan",
                hint=f"parents are: {', '.join(plan.parents)}",
            )
    for pid in parents or []:
        if pid not in plan.parents:
            raise UserError(
                f"--parent {pid}: no such parent in {plan_path}",
                hint=f"parents are: {', '.join(plan.parents)}",
            )
    known = backend_registry(pm)
    targets = []
    for pid, parent in plan.parents.items():
        if parents and pid not in parents:
            continue
        if pid in overrides:
            config, source = overrides[pid], f"{beside}: [{pid}]"
        elif parent.calendar is not None:
            config, source = parent.calendar, f"{plan_path}: parents.{pid}.calendar"
        else:
            if parents:
                raise UserError(
                    f"{plan_path}: parents.{pid}.calendar: no calendar target",
                    hint='add calendar = { type = "ics", folder = "out/NAME" }',
                )
            continue
        if not isinstance(config, dict):
            raise UserError(f'{source}: expected a table like {{ type = "ics", ... }}')
        refuse_secret_values(config, source)
        kind = config.get("type")
        if not isinstance(kind, str) or kind not in known:
            raise UserError(
                f"{source}: type: expected one of {', '.join(known.names())}, got {kind!r}"
            )
        settings = {k: v for k, v in config.items() if k != "type"}
        targets.append(Target(pid, kind, settings, source))
    _refuse_shared(targets, plan.family.id, base_dir)
    return targets


def _refuse_shared(targets: list[Target], family_id: str, base_dir: Path) -> None:
    """Two parents in one calendar would delete each other's events: refuse.

    Our events are recognised by family, and both parents' copies of an exchange share
    its UID, so each parent needs a calendar (or folder) of their own.
    """
    seen: dict[str, Target] = {}
    for target in targets:
        ident = target.key(family_id, base_dir).split("/", 2)[2]
        if ident in seen:
            first = seen[ident]
            raise UserError(
                f"{target.source}: the same calendar as {first.source}",
                hint=f"give {first.parent_id} and {target.parent_id} a calendar each",
            )
        seen[ident] = target


def make_backend(
    target: Target, context: BackendContext, pm: pluggy.PluginManager | None = None
) -> Backend:
    """Build the target's backend through its registered factory."""
    factory = backend_registry(pm)[target.type]
    return factory(dict(target.config), context)
