"""The plugin manager: built-in plugins first, then the ``pc_calendar`` entry points.

Built-ins are plain modules listed in ``DEFAULT_PLUGINS`` and registered exactly like a
third party's plugin. ``PC_CALENDAR_PLUGINS`` restricts which entry-point plugins load:
unset loads all, ``none`` loads none, ``a,b`` loads only those names.

Importing the built-ins pulls in the plan model and the backends, so the CLI asks for
added commands from :func:`get_command_manager`, which skips them: no built-in adds a
command, and ``pc-calendar --help`` stays fast.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pluggy

from . import hookspecs
from .errors import PluginError
from .plugin_watch import BUILD_LOCK, WATCHERS, watch_managers  # noqa: F401  (re-exported)

DEFAULT_PLUGINS = (
    "pc_calendar.schedule.patterns",
    "pc_calendar.schedule.date_rules",
    "pc_calendar.schedule.statutory",
    "pc_calendar.templates",
    "pc_calendar.backends.memory",
    "pc_calendar.backends.ics_folder",
    "pc_calendar.backends.caldav",
    "pc_calendar.backends.google",
)

ALLOW_ENV = "PC_CALENDAR_PLUGINS"


def _allowed(name: str) -> bool:
    value = os.environ.get(ALLOW_ENV)
    if value is None:
        return True
    names = {n.strip() for n in value.split(",") if n.strip()}
    return "none" not in names and name in names


def build_plugin_manager(
    extra: list[Any] | None = None, *, defaults: bool = True
) -> pluggy.PluginManager:
    """A fresh manager with defaults (unless ``defaults`` is false), entry points, and
    ``extra`` plugin objects."""
    from importlib.metadata import entry_points  # ~15 ms: only when a manager is built

    pm = pluggy.PluginManager("pc_calendar")
    pm.add_hookspecs(hookspecs)
    failures: list[PluginError] = []
    for module_name in DEFAULT_PLUGINS if defaults else ():
        pm.register(importlib.import_module(module_name), name=module_name)
    for ep in entry_points(group="pc_calendar"):
        if not _allowed(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken plugin must not take the tool down
            error = PluginError(ep.name, f"failed to import ({exc.__class__.__name__}: {exc})")
            error.hint = (
                f"skipped; fix or uninstall it, or choose plugins with {ALLOW_ENV}=<names> "
                f"({ALLOW_ENV}=none loads no installed plugin)"
            )
            failures.append(error)
            continue
        pm.register(plugin, name=ep.name)
    for plugin in extra or []:
        if not pm.is_registered(plugin):  # e.g. a module also installed as an entry point
            pm.register(plugin, name=_extra_name(pm, plugin))
    LOAD_FAILURES[id(pm)] = failures
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(pm.get_name(exc.plugin) or str(exc.plugin), str(exc)) from None
    return pm


def _extra_name(pm: pluggy.PluginManager, plugin: Any) -> str:
    """A readable, unique name for a plugin object, so errors and listings name it."""
    base = getattr(plugin, "__name__", None) or type(plugin).__name__
    name, n = base, 1
    while pm.get_plugin(name) is not None:
        n += 1
        name = f"{base}#{n}"
    return name


_EXTRA: list[Any] = []

#: plugins that failed to import, per manager (keyed by id): skipped, reported, not fatal
LOAD_FAILURES: dict[int, list[PluginError]] = {}


def load_failures(pm: pluggy.PluginManager) -> list[PluginError]:
    """The entry-point plugins this manager skipped because they failed to import."""
    return LOAD_FAILURES.get(id(pm), [])


class _Shared:
    """A process-wide manager, built on first use: once, even when threads race."""

    def __init__(self, build: Callable[[], pluggy.PluginManager]) -> None:
        self._build = build
        self._pm: pluggy.PluginManager | None = None
        self.__doc__ = build.__doc__

    def __call__(self) -> pluggy.PluginManager:
        pm = self._pm
        if pm is None:
            with BUILD_LOCK:
                pm = self._pm
                if pm is None:
                    pm = self._pm = self._build()
                    for watcher in list(WATCHERS):
                        watcher(pm)
        return pm

    def is_built(self) -> bool:
        return self._pm is not None

    def cache_clear(self) -> None:
        with BUILD_LOCK:
            self._pm = None


@_Shared
def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide manager (tests build their own with build_plugin_manager)."""
    return build_plugin_manager(list(_EXTRA))


@_Shared
def get_command_manager() -> pluggy.PluginManager:
    """The process-wide manager for ``pc_calendar_register_commands``: entry points and
    extras only, since importing the built-ins costs ~0.1 s and none adds a command."""
    return build_plugin_manager(list(_EXTRA), defaults=False)


@contextmanager
def extra_plugins(*objs: Any) -> Iterator[None]:
    """Add plugin objects to the process-wide managers for the ``with`` block.

    The cached managers are dropped on entry and on exit, so code that calls
    :func:`get_plugin_manager` (the CLI, the engine) builds one with the extra
    plugins, and nothing leaks afterwards. The manager is built lazily, so a broken
    plugin fails where the CLI reports it. Used by :mod:`pc_calendar.testing_cli`.
    """
    _EXTRA.extend(objs)
    _clear_managers()
    try:
        yield
    finally:
        for obj in objs:
            _EXTRA.remove(obj)
        _clear_managers()


def extras_active() -> bool:
    """Whether plugin objects were added in this process (:func:`extra_plugins`)."""
    return bool(_EXTRA)


def _clear_managers() -> None:
    get_plugin_manager.cache_clear()
    get_command_manager.cache_clear()


@dataclass
class Registry:
    """Named things plugins registered, with the plugin that registered each."""

    kind: str
    items: dict[str, Any] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.items[name]

    def __contains__(self, name: object) -> bool:
        return name in self.items

    def names(self) -> list[str]:
        return sorted(self.items)


def _collect(
    pm: pluggy.PluginManager,
    hook_name: str,
    kind: str,
    check: Callable[[str, Any], str | None] | None = None,
) -> Registry:
    """Call a registration hook plugin by plugin, validating every registration."""
    registry = Registry(kind)
    hook = getattr(pm.hook, hook_name)
    for impl in hook.get_hookimpls():
        plugin_name = pm.get_name(impl.plugin) or repr(impl.plugin)

        def register(name: str, *value: Any, _plugin: str = plugin_name) -> None:
            if not isinstance(name, str) or not name:
                raise PluginError(_plugin, f"registered a {kind} with an invalid name {name!r}")
            if name in registry.items:
                raise PluginError(
                    _plugin,
                    f"registered {kind} {name!r}, already registered by {registry.owners[name]!r}",
                )
            item = value[0] if len(value) == 1 else value
            if check is not None and (problem := check(name, item)):
                raise PluginError(_plugin, f"{kind} {name!r}: {problem}")
            registry.items[name] = item
            registry.owners[name] = _plugin

        try:
            impl.function(register)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(plugin_name, f"{hook_name} raised {exc!r}") from exc
    return registry


def _check_has(*attrs: str) -> Callable[[str, Any], str | None]:
    def check(name: str, item: Any) -> str | None:
        missing = [a for a in attrs if not hasattr(item, a)]
        return f"is missing {', '.join(missing)}" if missing else None

    return check


def patterns(pm: pluggy.PluginManager | None = None) -> Registry:
    """Rotation patterns by name."""
    return _collect(
        pm or get_plugin_manager(),
        "pc_calendar_register_patterns",
        "pattern",
        _check_has("slot_for", "description"),
    )


def date_rules(pm: pluggy.PluginManager | None = None) -> Registry:
    """Holiday date rules by name."""
    return _collect(
        pm or get_plugin_manager(),
        "pc_calendar_register_date_rules",
        "date rule",
        _check_has("occurrences", "validate"),
    )


def templates(pm: pluggy.PluginManager | None = None) -> Registry:
    """Plan templates by name: (description, text)."""

    def check(name: str, item: Any) -> str | None:
        ok = isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item)
        return None if ok else "must be registered as register(name, description, text)"

    return _collect(pm or get_plugin_manager(), "pc_calendar_register_templates", "template", check)


def backends(pm: pluggy.PluginManager | None = None) -> Registry:
    """Backend factories by name."""

    def check(name: str, item: Any) -> str | None:
        return None if callable(item) else "factory must be callable"

    return _collect(pm or get_plugin_manager(), "pc_calendar_register_backends", "backend", check)
