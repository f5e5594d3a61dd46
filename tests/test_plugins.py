"""The plugin manager: defaults load, registrations are validated, names are unique."""

from __future__ import annotations

import pytest

from pc_calendar import hookimpl, plugins
from pc_calendar.errors import PluginError


class FirstBackend:
    @hookimpl
    def pc_calendar_register_backends(self, register):
        register("twin", lambda config, context: None)


class DuplicateBackend:
    @hookimpl
    def pc_calendar_register_backends(self, register):
        register("twin", lambda config, context: None)


class NotCallableBackend:
    @hookimpl
    def pc_calendar_register_backends(self, register):
        register("broken", "not a factory")


class RaisingPlugin:
    @hookimpl
    def pc_calendar_register_patterns(self, register):
        raise RuntimeError("boom")


class MisspeltHook:
    @hookimpl
    def pc_calendar_register_backend(self, register):  # missing the final "s"
        pass


def test_default_plugins_load_first():
    pm = plugins.build_plugin_manager()
    names = [pm.get_name(p) for p in pm.get_plugins()]
    for module in plugins.DEFAULT_PLUGINS:
        assert module in names


def test_duplicate_name_names_both_plugins():
    pm = plugins.build_plugin_manager(extra=[FirstBackend(), DuplicateBackend()])
    with pytest.raises(PluginError) as info:
        plugins.backends(pm)
    message = str(info.value)
    assert "'twin'" in message
    assert "already registered by" in message


def test_wrong_type_is_refused_with_the_plugin_named():
    pm = plugins.build_plugin_manager(extra=[NotCallableBackend()])
    with pytest.raises(PluginError, match="factory must be callable"):
        plugins.backends(pm)


def test_raising_plugin_is_named():
    pm = plugins.build_plugin_manager(extra=[RaisingPlugin()])
    with pytest.raises(PluginError, match="boom"):
        plugins.patterns(pm)


def test_misspelt_hook_is_an_error():
    with pytest.raises(PluginError, match="pc_calendar_register_backend"):
        plugins.build_plugin_manager(extra=[MisspeltHook()])


@pytest.mark.parametrize(
    ("value", "name", "expected"),
    [(None, "x", True), ("none", "x", False), ("a, x", "x", True), ("a", "x", False)],
)
def test_allow_list(monkeypatch, value, name, expected):
    if value is None:
        monkeypatch.delenv(plugins.ALLOW_ENV, raising=False)
    else:
        monkeypatch.setenv(plugins.ALLOW_ENV, value)
    assert plugins._allowed(name) is expected
