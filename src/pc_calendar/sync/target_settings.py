"""Each built-in target's own settings, checked before any calendar is touched.

``check`` lists a target's mistakes; ``sync`` and ``doctor`` refuse to start on the
first (exit 2), so a misspelt key never leaves one parent's calendar synced and the
other's failed, and the message names the file, the key and what is expected. The
reader is the one the backend itself uses, run offline: no request, no token file, and
no password read (``check`` runs where the parents' passwords are not, and a password
manager must not be asked twice in one sync).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pluggy

from ..errors import UserError
from .targets import BackendContext, Target, TargetProblem, make_backend


def _caldav(target: Target, context: BackendContext, pm: pluggy.PluginManager | None) -> None:
    from ..backends.caldav_config import read_settings

    read_settings(dict(target.config), context, secrets=False)


def _google(target: Target, context: BackendContext, pm: pluggy.PluginManager | None) -> None:
    from ..backends.google_config import read_settings  # not the client: no credentials read

    read_settings(dict(target.config), context)


def _build(target: Target, context: BackendContext, pm: pluggy.PluginManager | None) -> None:
    make_backend(target, context, pm).close()  # an ics folder: its factory only reads keys


#: the built-in types and how their settings are read offline; third-party backends
#: are checked when sync builds them
READERS: dict[str, Callable[[Target, BackendContext, pluggy.PluginManager | None], None]] = {
    "caldav": _caldav,
    "google": _google,
    "ics": _build,
}


def settings_problems(
    family_id: str,
    targets: list[tuple[Target, Path, tuple[str, ...]]],
    plan_path: Path,
    pm: pluggy.PluginManager | None,
) -> list[TargetProblem]:
    """What each built-in backend's settings reader refuses, as problems of the target."""
    problems = []
    for target, file, path in targets:
        reader = READERS.get(target.type)
        if reader is None:
            continue
        context = BackendContext(
            family_id, target.parent_id, plan_path.parent, target.source, dry_run=True
        )
        try:
            reader(target, context, pm)
        except UserError as exc:
            message = exc.message.removeprefix(f"{target.source}: ")
            problems.append(TargetProblem(file, path, message, exc.hint))
    return problems
