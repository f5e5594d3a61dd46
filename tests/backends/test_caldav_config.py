"""CalDAV target settings: the password never comes from the plan, and bad keys are named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pc_calendar import plugins
from pc_calendar.backends.caldav import CalDAVBackend
from pc_calendar.backends.caldav_config import read_settings
from pc_calendar.errors import UserError

BASE = {"type": "caldav", "url": "https://cal.example.test/dav/", "calendar": "/dav/kids/"}


def test_password_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIDS_CAL_PW", "s3cret")
    settings = read_settings({**BASE, "username": "alex", "password_env": "KIDS_CAL_PW"})
    assert (settings.username, settings.password) == ("alex", "s3cret")


def test_password_env_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIDS_CAL_PW", raising=False)
    with pytest.raises(UserError, match="KIDS_CAL_PW is not set"):
        read_settings({**BASE, "username": "alex", "password_env": "KIDS_CAL_PW"})


@pytest.mark.parametrize("key", ["password", "token"])
def test_password_in_plan_refused(key: str) -> None:
    with pytest.raises(UserError, match="would store a secret") as info:
        read_settings({**BASE, "username": "alex", key: "hunter2"})
    assert "hunter2" not in info.value.render()


def test_password_file_private(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    secret.chmod(0o600)
    settings = read_settings({**BASE, "username": "alex", "password_file": str(secret)})
    assert settings.password == "s3cret"


def test_password_file_relative_to_plan(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("s3cret")
    (tmp_path / "pw").chmod(0o600)
    config = {**BASE, "username": "alex", "password_file": "pw"}
    assert read_settings(config, {"base_dir": tmp_path}).password == "s3cret"


def test_password_file_readable_by_others_refused(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("s3cret")
    secret.chmod(0o644)
    with pytest.raises(UserError, match="accessible by others") as info:
        read_settings({**BASE, "username": "alex", "password_file": str(secret)})
    assert "chmod 600" in (info.value.hint or "")
    assert "s3cret" not in info.value.render()


def test_password_file_missing(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="password file .*nope"):
        read_settings({**BASE, "username": "alex", "password_file": str(tmp_path / "nope")})


def test_keyring_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    calls = []

    def fake_get(service: str, user: str) -> str | None:
        calls.append((service, user))
        return "from-keyring" if user == "alex" else None

    monkeypatch.setattr(keyring, "get_password", fake_get)
    config = {**BASE, "username": "alex", "keyring": True}
    assert read_settings(config).password == "from-keyring"
    assert calls == [("pc-calendar", "alex")]
    with pytest.raises(UserError, match="no password for user 'sam'"):
        read_settings({**config, "username": "sam"})
    assert read_settings({**BASE, "username": "alex"}).password is None  # no source named


def test_keyring_without_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    with pytest.raises(UserError) as info:
        read_settings({**BASE, "username": "alex", "keyring": True})
    assert "password_file" in info.value.render()


def test_bad_url_and_unknown_key() -> None:
    with pytest.raises(UserError, match="'url' must be an http"):
        read_settings({**BASE, "url": "cal.example.test"})
    with pytest.raises(UserError, match="unknown key 'pasword_env'"):
        read_settings({**BASE, "pasword_env": "X"})


def test_registered_as_default_plugin() -> None:
    factory = plugins.backends(plugins.build_plugin_manager())["caldav"]
    backend = factory({**BASE}, {"family_id": "rivera-chen"})
    assert isinstance(backend, CalDAVBackend)
    assert backend.request_count == 0  # building a backend sends nothing
    backend.close()


def test_caldav_not_imported_until_used() -> None:
    code = (
        "import sys; from pc_calendar import plugins; "
        "plugins.backends(plugins.build_plugin_manager()); "
        "print('caldav' in sys.modules, 'niquests' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_user_and_username_together_are_refused() -> None:
    with pytest.raises(UserError, match="only one of 'username' and 'user'"):
        read_settings({"url": "https://dav.example.org/", "user": "a", "username": "b"})


def test_keyring_entry_defaults_to_the_parent(monkeypatch) -> None:
    from pc_calendar.sync import secrets

    asked = []
    monkeypatch.setattr(secrets, "_from_keyring", lambda s, u, w: asked.append((s, u)) or "pw")
    config = {"url": "https://dav.example.org/", "keyring": True}
    assert read_settings(config, {"parent_id": "alex"}).password == "pw"
    read_settings({**config, "username": "alex@example.org"}, {"parent_id": "alex"})
    assert asked == [("pc-calendar", "alex"), ("pc-calendar", "alex@example.org")]


def test_connections_per_worker_by_default_or_one() -> None:
    assert read_settings({**BASE}).connections == "per-worker"
    assert read_settings({**BASE, "connections": "one"}).connections == "one"
    assert read_settings({**BASE, "connections": "per-worker"}).connections == "per-worker"


@pytest.mark.parametrize("value", ["One", "single", 1, True, ["one"]])
def test_connections_other_values_are_named(value: object) -> None:
    with pytest.raises(UserError) as caught:
        read_settings({**BASE, "connections": value}, {"source": "calendars.toml [alex]"})
    message = str(caught.value)
    assert message.startswith("calendars.toml [alex]: key 'connections' must be")
    assert '"per-worker"' in message and '"one"' in message and repr(value) in message
