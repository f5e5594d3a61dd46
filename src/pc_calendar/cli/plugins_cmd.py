"""``pc-calendar plugins``: which plugins are loaded, their versions and their hooks.

The first question when a plugin misbehaves is "is it even loaded, which version, and
what does it claim to do?". Each plugin's registration hooks are called on their own
here, so one plugin's bad registration is shown next to its name instead of hiding the
whole list; the commands that use the registries still refuse it (see ``plugins.py``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib.metadata import entry_points
from typing import Any

import click
import pluggy

from .. import __version__, plugins
from . import verbosity

# Registration hook -> the word the listing uses for what it registers.
REGISTRATION_HOOKS = {
    "pc_calendar_register_patterns": "patterns",
    "pc_calendar_register_date_rules": "date_rules",
    "pc_calendar_register_templates": "templates",
    "pc_calendar_register_backends": "backends",
}


@dataclass
class PluginInfo:
    name: str
    kind: str  # "built-in", "entry point" or "extra"
    version: str | None
    distribution: str | None
    hooks: list[str]
    registers: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _distributions() -> dict[str, tuple[str | None, str | None]]:
    """Entry-point name -> (distribution name, version), for the ``pc_calendar`` group."""
    found: dict[str, tuple[str | None, str | None]] = {}
    for ep in entry_points(group="pc_calendar"):
        dist = getattr(ep, "dist", None)
        found[ep.name] = (dist.metadata["Name"], dist.version) if dist else (None, None)
    return found


def _registered(impl: Any) -> tuple[list[str], str | None]:
    """The names one registration hook implementation registers, or what went wrong."""
    names: list[str] = []

    def register(name: Any, *value: Any) -> None:
        names.append(str(name))

    try:
        impl.function(register)
    except Exception as exc:  # shown in the listing, not raised: the list must still print
        return names, f"{exc.__class__.__name__}: {exc}"
    return names, None


def collect(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Every plugin in ``pm``: built-ins first, then entry points, then extras."""
    dists = _distributions()
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked
            continue
        if name in plugins.DEFAULT_PLUGINS:
            kind, dist, version = "built-in", "pc-calendar", __version__
        elif name in dists:
            kind, (dist, version) = "entry point", dists[name]
        else:
            kind, dist, version = "extra", None, getattr(plugin, "__version__", None)
        callers = pm.get_hookcallers(plugin) or []
        info = PluginInfo(name, kind, version, dist, sorted(c.name for c in callers))
        for caller in callers:
            word = REGISTRATION_HOOKS.get(caller.name)
            if word is None:
                continue
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin:
                    names, problem = _registered(impl)
                    info.registers[word] = names
                    if problem:
                        info.problems.append(f"{caller.name} raised {problem}")
        infos.append(info)
    for failure in plugins.load_failures(pm):
        dist, version = dists.get(failure.plugin, (None, None))
        infos.append(
            PluginInfo(failure.plugin, "entry point", version, dist, [], problems=[failure.message])
        )
    order = {"built-in": 0, "entry point": 1, "extra": 2}
    return sorted(infos, key=lambda i: (order[i.kind], i.name))


def _text(infos: list[PluginInfo], hooks: bool = True) -> str:
    """One line per plugin, then (unless ``hooks`` is false) its hooks; problems always."""
    lines = []
    for info in infos:
        source = "built-in" if info.kind == "built-in" else (info.distribution or info.kind)
        lines.append(f"{info.name} {info.version or '(no version)'} ({source})")
        for hook in info.hooks if hooks else ():
            word = REGISTRATION_HOOKS.get(hook)
            names = info.registers.get(word, []) if word else []
            lines.append(f"  {hook}" + (f": {', '.join(names)}" if names else ""))
        lines += [f"  problem: {p}" for p in info.problems]
    return "\n".join(lines)


def register(cli: click.Group) -> None:
    @cli.command("plugins")
    @click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
    def plugins_command(as_json: bool) -> None:
        """List installed plugins, their versions and the hooks each implements.

        -q prints one line per plugin (name, version, source) and its problems.

        Exit status: 0 listed (a plugin's problems are shown, not failed on).
        """
        infos = collect(plugins.get_plugin_manager())
        if as_json:
            click.echo(json.dumps([asdict(i) for i in infos], indent=2))
        else:
            click.echo(_text(infos, hooks=not verbosity.quiet()))
