"""Targets from the plan or calendars.toml, secrets by reference only, hooks called."""

from __future__ import annotations

import logging
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from pc_calendar import hookimpl, plugins
from pc_calendar.backends.memory import MemoryBackend
from pc_calendar.errors import UserError
from pc_calendar.plan.load import load_plan
from pc_calendar.sync.runner import SyncOptions, sync_family
from pc_calendar.sync.secrets import (
    Secret,
    read_token_file,
    resolve_password,
    write_token_file,
)
from pc_calendar.sync.state import StateStore
from pc_calendar.sync.targets import load_targets

EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
SECRET = "s3cret-horse-battery-77"


def plan_copy(tmp_path, replace=None):
    text = EXAMPLE.read_text()
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "plan.toml"
    path.write_text(text)
    return path


ALEX_ICS = 'calendar = { type = "ics", folder = "out/alex" }'
SAM_ICS = 'calendar = { type = "ics", folder = "out/sam" }'


def test_targets_come_from_the_plan(tmp_path):
    path = plan_copy(tmp_path)
    targets = load_targets(load_plan(path), path)
    assert [(t.parent_id, t.type, t.config) for t in targets] == [
        ("alex", "ics", {"folder": "out/alex"}),
        ("sam", "ics", {"folder": "out/sam"}),
    ]
    assert "parents.alex.calendar" in targets[0].source


def test_calendars_toml_beside_the_plan_wins(tmp_path):
    path = plan_copy(tmp_path)
    (tmp_path / "calendars.toml").write_text('[sam]\ntype = "ics"\nfolder = "elsewhere"\n')
    targets = {t.parent_id: t for t in load_targets(load_plan(path), path)}
    assert targets["sam"].config == {"folder": "elsewhere"}
    assert "calendars.toml" in targets["sam"].source
    assert targets["alex"].config == {"folder": "out/alex"}


def test_calendars_toml_naming_an_unknown_parent(tmp_path):
    path = plan_copy(tmp_path)
    (tmp_path / "calendars.toml").write_text('[robin]\ntype = "ics"\nfolder = "x"\n')
    with pytest.raises(UserError, match=r"calendars.toml: \[robin\]: no parent 'robin'"):
        load_targets(load_plan(path), path)


def test_unknown_type_names_the_key(tmp_path):
    path = plan_copy(tmp_path, {ALEX_ICS: 'calendar = { type = "outlook" }'})
    with pytest.raises(UserError, match=r"parents.alex.calendar: type: expected one of .*ics"):
        load_targets(load_plan(path), path)


def test_a_password_in_the_plan_is_refused_without_echoing_it(tmp_path):
    path = plan_copy(
        tmp_path,
        {
            ALEX_ICS: f'calendar = {{ type = "caldav", url = "http://127.0.0.1:1/", '
            f'password = "{SECRET}" }}'
        },
    )
    with pytest.raises(UserError) as info:
        load_targets(load_plan(path), path)
    message = info.value.render()
    assert "'password'" in message and "password_env" in message
    assert SECRET not in message


def test_password_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("PCAL_TEST_PW", SECRET)
    value = resolve_password({"password_env": "PCAL_TEST_PW"}, "src", tmp_path, "alex")
    assert value == SECRET and isinstance(value, Secret)
    assert SECRET not in repr(value) and SECRET not in repr({"pw": value})
    monkeypatch.delenv("PCAL_TEST_PW")
    with pytest.raises(UserError, match="PCAL_TEST_PW is not set"):
        resolve_password({"password_env": "PCAL_TEST_PW"}, "src", tmp_path, "alex")


def test_token_file_is_written_0600_and_others_are_refused(tmp_path):
    path = tmp_path / "secrets" / "alex.token"
    write_token_file(path, SECRET)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_token_file(path) == SECRET
    value = resolve_password({"password_file": "secrets/alex.token"}, "src", tmp_path, "alex")
    assert value == SECRET
    path.chmod(0o644)
    with pytest.raises(UserError) as info:
        read_token_file(path, "src")
    assert "chmod 600" in info.value.render() and "0644" in info.value.render()
    assert SECRET not in info.value.render()
    write_token_file(path, "rotated")  # replaces, and tightens the mode again
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and read_token_file(path) == "rotated"


def test_missing_keyring_says_to_use_a_file(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    with pytest.raises(UserError) as info:
        resolve_password({"keyring": True, "user": "alex"}, "src", tmp_path, "alex")
    assert "password_file" in info.value.render()


class Recorder:
    """A test plugin: a backend that needs a password, and the two sync hooks."""

    def __init__(self):
        self.finished, self.failed, self.passwords = [], [], []
        self.parents: list[str] = []
        self.calendars: dict[str, MemoryBackend] = {}

    @hookimpl
    def pc_calendar_register_backends(self, register):
        def factory(config, context):
            password = context.password(config)
            self.passwords.append(password)
            if password != SECRET:
                from pc_calendar.errors import BackendError

                raise BackendError("401 unauthorized: wrong password", target="vault (sam)")
            return self.calendars.setdefault(
                context.parent_id, MemoryBackend(context.family_id, label="vault")
            )

        register("vault", factory)

    @hookimpl
    def pc_calendar_sync_finished(self, family, target, summary, parent):
        self.finished.append((family.id, target, summary.created))
        self.parents.append(parent)

    @hookimpl
    def pc_calendar_sync_failed(self, family, target, error, parent):
        self.failed.append((family.id, target, str(error)))
        self.parents.append(parent)


def test_failed_calendar_reported_others_carry_on_secrets_stay_out(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("ALEX_PW", SECRET)
    monkeypatch.setenv("SAM_PW", "wrong-" + SECRET[::-1])
    path = plan_copy(
        tmp_path,
        {
            ALEX_ICS: 'calendar = { type = "vault", name = "a", password_env = "ALEX_PW" }',
            SAM_ICS: 'calendar = { type = "vault", name = "s", password_env = "SAM_PW" }',
        },
    )
    recorder = Recorder()
    pm = plugins.build_plugin_manager(extra=[recorder])
    options = SyncOptions(start=date(2026, 11, 1), end=date(2027, 3, 1))
    state = tmp_path / "state.sqlite"
    with StateStore(state) as store:
        alex, sam = sync_family(path, options, store, pm=pm)
    assert alex.ok and alex.created > 20 and recorder.calendars["alex"].writes == alex.created
    assert sam.error is not None and "401" in sam.error and not sam.ok
    assert recorder.finished == [("rivera-chen", "vault", alex.created)]
    assert [(f, t) for f, t, _ in recorder.failed] == [("rivera-chen", "vault (sam)")]
    assert recorder.parents == ["alex", "sam"]  # whose calendar each hook call is about
    printed = repr([alex.as_dict(), sam.as_dict(), recorder.failed])
    assert SECRET not in printed and SECRET[::-1] not in printed
    assert SECRET not in caplog.text and SECRET[::-1] not in caplog.text
    assert SECRET.encode() not in state.read_bytes()
    assert SECRET not in path.read_text()


def test_state_path_from_env_or_beside_the_plan(monkeypatch, tmp_path):
    from pc_calendar.sync.state import default_state_path

    monkeypatch.setenv("PC_CALENDAR_STATE", str(tmp_path / "s.sqlite"))
    assert default_state_path(tmp_path / "p.toml") == tmp_path / "s.sqlite"
    assert default_state_path(tmp_path / "p.toml", beside_plan=True) == (
        tmp_path / "p.sync-state.sqlite"
    )
    monkeypatch.delenv("PC_CALENDAR_STATE")
    assert default_state_path().name == "sync-state.sqlite"
    assert os.path.isabs(default_state_path())


def test_two_parents_in_one_calendar_are_refused(tmp_path):
    path = plan_copy(
        tmp_path, {SAM_ICS: 'calendar = { type = "ics", folder = "./out/../out/alex" }'}
    )
    with pytest.raises(UserError) as info:
        load_targets(load_plan(path), path)
    assert "parents.sam.calendar: the same calendar as" in info.value.render()
    assert "parents.alex.calendar" in info.value.render()
