"""Google credentials: token store, 0600 files, keyring, refresh, login and logout.

Fakes stand in at the credentials level (a fake OAuth flow, a fake token endpoint, a
fake revocation): nothing here opens a browser or reaches Google.
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import keyring
import pytest
from click.testing import CliRunner
from keyring.backend import KeyringBackend
from keyring.backends.null import Keyring as NullKeyring

from pc_calendar.backends import google_auth
from pc_calendar.backends.google_auth import TokenStore, credentials_for, login, logout
from pc_calendar.backends.google_config import read_settings
from pc_calendar.errors import BackendError, UserError

TOKEN_INFO = {
    "token": "access-1",
    "refresh_token": "refresh-1",
    "client_id": "client.apps.example",
    "client_secret": "not-a-real-secret",
    "token_uri": "https://oauth2.example.invalid/token",
    "scopes": google_auth.SCOPES,
}


class MemoryKeyring(KeyringBackend):
    """A working keyring held in a dict."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.values[(service, username)]


@pytest.fixture
def null_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(NullKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


class FakeTokenEndpoint:
    """A google-auth transport answering the OAuth refresh with a new access token."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.calls: list[dict] = []

    def __call__(self, url, method="GET", body=None, headers=None, **kwargs):
        self.calls.append({"url": url, "method": method, "body": body})
        if self.status != 200:
            data = {"error": "invalid_grant", "error_description": "Token has been revoked."}
        else:
            data = {"access_token": f"access-{len(self.calls) + 1}", "expires_in": 3600}
        return SimpleNamespace(
            status=self.status, headers={}, data=json.dumps(data).encode("utf-8")
        )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_without_keyring_the_token_goes_to_a_0600_file(tmp_path, null_keyring) -> None:
    store = TokenStore("alex@example.org", tmp_path / "tokens")
    where = store.save(TOKEN_INFO)
    assert where == str(store.path)
    assert _mode(store.path) == 0o600
    assert store.load() == TOKEN_INFO
    assert store.delete() == [str(store.path)]
    assert not store.path.exists()
    assert store.load() is None


def test_a_working_keyring_is_preferred_and_no_file_is_left(tmp_path, memory_keyring) -> None:
    store = TokenStore("alex", tmp_path)
    store.path.write_text("stale")
    assert store.save(TOKEN_INFO) == "keyring"
    assert not store.path.exists()
    assert json.loads(memory_keyring.values[(google_auth.KEYRING_SERVICE, "alex")]) == TOKEN_INFO
    assert store.load() == TOKEN_INFO
    assert store.delete() == ["keyring"]
    assert store.load() is None


def test_a_token_file_others_can_read_is_refused(tmp_path, null_keyring) -> None:
    store = TokenStore("alex", tmp_path)
    store.save(TOKEN_INFO)
    store.path.chmod(0o644)
    with pytest.raises(UserError, match="accessible by others"):
        store.load()


def test_account_names_cannot_escape_the_token_folder(tmp_path) -> None:
    store = TokenStore("../../etc/passwd", tmp_path)
    assert store.path.parent == tmp_path


def _oauth_settings(account: str = "alex"):
    return read_settings({"account": account}, {"parent_id": "alex", "source": "plan.toml"})


def test_missing_token_tells_the_user_to_log_in(tmp_path, null_keyring) -> None:
    with pytest.raises(BackendError) as info:
        credentials_for(_oauth_settings(), TokenStore("alex", tmp_path))
    assert "pc-calendar google login alex" in info.value.render()


def test_expired_token_is_refreshed_before_use_and_saved(tmp_path, null_keyring) -> None:
    store = TokenStore("alex", tmp_path)
    expired = dict(TOKEN_INFO, expiry=(datetime.now(UTC) - timedelta(hours=1)).isoformat())
    store.save(expired)
    endpoint = FakeTokenEndpoint()
    creds = credentials_for(_oauth_settings(), store, request=endpoint)
    assert len(endpoint.calls) == 1
    assert endpoint.calls[0]["url"].endswith("/token")
    assert b"refresh_token=refresh-1" in endpoint.calls[0]["body"]
    assert creds.token == "access-2" and creds.valid
    saved = store.load()
    assert saved["token"] == "access-2"
    assert saved["refresh_token"] == "refresh-1"
    assert _mode(store.path) == 0o600


def test_valid_token_is_not_refreshed(tmp_path, null_keyring) -> None:
    store = TokenStore("alex", tmp_path)
    fresh = dict(
        TOKEN_INFO, expiry=(datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None).isoformat()
    )
    store.save(fresh)
    endpoint = FakeTokenEndpoint()
    creds = credentials_for(_oauth_settings(), store, request=endpoint)
    assert endpoint.calls == [] and creds.token == "access-1"


def test_revoked_refresh_token_asks_for_login(tmp_path, null_keyring) -> None:
    store = TokenStore("alex", tmp_path)
    store.save(dict(TOKEN_INFO, expiry="2000-01-01T00:00:00"))
    with pytest.raises(BackendError, match="refused to refresh") as info:
        credentials_for(_oauth_settings(), store, request=FakeTokenEndpoint(status=400))
    assert "pc-calendar google login alex" in info.value.render()


def test_token_refreshed_mid_run_is_saved_on_close(tmp_path, null_keyring) -> None:
    store = TokenStore("alex", tmp_path)
    store.save(TOKEN_INFO)
    creds = SimpleNamespace(
        token="access-9", to_json=lambda: json.dumps(dict(TOKEN_INFO, token="access-9"))
    )
    assert google_auth.save_if_changed(creds, store, before="access-1") is True
    assert store.load()["token"] == "access-9"
    assert google_auth.save_if_changed(creds, store, before="access-9") is False


class FakeCredentials:
    def __init__(self, refresh_token: str | None = "refresh-1") -> None:
        self.refresh_token = refresh_token

    def to_json(self) -> str:
        return json.dumps(dict(TOKEN_INFO, refresh_token=self.refresh_token))


def test_login_runs_the_flow_and_stores_the_token(tmp_path, null_keyring) -> None:
    secrets = tmp_path / "client.json"
    secrets.write_text("{}")
    seen = []
    store = TokenStore("alex", tmp_path / "t")
    where = login("alex", secrets, store, flow=lambda p: seen.append(p) or FakeCredentials())
    assert seen == [secrets]
    assert where == str(store.path) and _mode(store.path) == 0o600
    assert store.load()["refresh_token"] == "refresh-1"


def test_login_without_refresh_token_is_refused(tmp_path, null_keyring) -> None:
    store = TokenStore("alex", tmp_path)
    with pytest.raises(UserError, match="no refresh token"):
        login("alex", tmp_path, store, flow=lambda p: FakeCredentials(refresh_token=None))
    assert store.load() is None


def test_logout_revokes_then_forgets(tmp_path, null_keyring) -> None:
    store = TokenStore("alex", tmp_path)
    store.save(TOKEN_INFO)
    revoked = []
    found, problem = logout("alex", store, revoke=revoked.append)
    assert revoked == ["refresh-1"]
    assert found == [str(store.path)] and problem is None
    assert store.load() is None


def test_logout_forgets_even_when_revocation_fails(tmp_path, null_keyring) -> None:
    store = TokenStore("alex", tmp_path)
    store.save(TOKEN_INFO)

    def offline(token: str) -> None:
        raise OSError("network unreachable")

    found, problem = logout("alex", store, revoke=offline)
    assert found and "network unreachable" in problem
    assert store.load() is None


def test_revoke_posts_the_token_to_google_revocation(tmp_path) -> None:
    endpoint = FakeTokenEndpoint()
    google_auth.revoke_token("refresh-1", request=endpoint)
    assert endpoint.calls[0]["method"] == "POST"
    assert endpoint.calls[0]["url"] == f"{google_auth.REVOKE_URI}?token=refresh-1"


# -- settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"credentials": "anonymous"}, "only for a local emulator"),
        (
            {"credentials": "anonymous", "api_endpoint": "https://www.googleapis.com/calendar/v3/"},
            "only for a local emulator",
        ),
        ({"calendar_id": ""}, "calendar_id"),
        ({"api_endpoint": "ftp://x"}, "api_endpoint"),
        ({"subject": "alex@example.org"}, "needs service_account_file"),
        ({"requests_per_minute": 0}, "requests_per_minute"),
        ({"refresh_token": "x"}, "secret"),
        ({"calender_id": "primary"}, "unknown key 'calender_id'"),
    ],
)
def test_bad_settings_name_the_key(config: dict, message: str) -> None:
    with pytest.raises(UserError, match=message) as info:
        read_settings(config, {"parent_id": "alex", "source": "plan.toml: parents.alex.calendar"})
    assert "plan.toml" in str(info.value)


def test_settings_defaults_and_relative_paths(tmp_path) -> None:
    settings = read_settings(
        {"service_account_file": "sa.json", "subject": "alex@example.org"},
        {"parent_id": "alex", "base_dir": tmp_path},
    )
    assert settings.calendar_id == "primary"
    assert settings.account == "alex"
    assert settings.service_account_file == tmp_path / "sa.json"
    local = read_settings(
        {"credentials": "anonymous", "api_endpoint": "http://127.0.0.1:9/calendar/v3/"},
        {"parent_id": "alex"},
    )
    assert local.anonymous


def test_broken_service_account_file_is_a_user_error(tmp_path) -> None:
    (tmp_path / "sa.json").write_text("{}")
    (tmp_path / "sa.json").chmod(0o600)
    settings = read_settings(
        {"service_account_file": "sa.json"}, {"base_dir": tmp_path, "parent_id": "alex"}
    )
    with pytest.raises(UserError, match="not a service-account key"):
        credentials_for(settings)


def test_service_account_key_others_can_read_is_refused(tmp_path) -> None:
    (tmp_path / "sa.json").write_text("{}")
    (tmp_path / "sa.json").chmod(0o644)
    settings = read_settings(
        {"service_account_file": "sa.json"}, {"base_dir": tmp_path, "parent_id": "alex"}
    )
    with pytest.raises(UserError, match=r"accessible by others \(mode 0644\)") as info:
        credentials_for(settings)
    assert info.value.hint == f"chmod 600 {tmp_path / 'sa.json'}"


# -- the CLI ----------------------------------------------------------------------------


def _cli(args: list[str], monkeypatch, tmp_path) -> object:
    from pc_calendar.cli.google import google

    monkeypatch.setenv(google_auth.TOKENS_ENV, str(tmp_path / "tokens"))
    assert args[0] == "google"
    return CliRunner().invoke(google, args[1:])


def test_cli_login_and_logout(tmp_path, monkeypatch, null_keyring) -> None:
    secrets = tmp_path / "client.json"
    secrets.write_text("{}")
    flows = []

    def fake_flow(path, open_browser=True, port=0):
        flows.append((path, open_browser))
        return FakeCredentials()

    monkeypatch.setattr(google_auth, "run_installed_app_flow", fake_flow)
    result = _cli(
        ["google", "login", "alex", "--client-secrets", str(secrets), "--no-browser"],
        monkeypatch,
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    assert flows == [(secrets, False)]
    token_file = tmp_path / "tokens" / "alex.json"
    assert _mode(token_file) == 0o600
    revoked = []
    monkeypatch.setattr(google_auth, "revoke_token", lambda token: revoked.append(token))
    result = _cli(["google", "logout", "alex"], monkeypatch, tmp_path)
    assert result.exit_code == 0, result.output
    assert "forgot the Google token of alex" in result.output
    assert revoked == ["refresh-1"] and not token_file.exists()


def test_cli_login_without_client_secrets_explains(tmp_path, monkeypatch, null_keyring) -> None:
    monkeypatch.delenv(google_auth.CLIENT_SECRETS_ENV, raising=False)
    result = _cli(["google", "login", "alex"], monkeypatch, tmp_path)
    assert result.exit_code != 0
    assert isinstance(result.exception, UserError)
    assert "client secrets" in str(result.exception)


def test_service_account_with_delegated_subject(tmp_path) -> None:
    pytest.importorskip("cryptography")  # only to make a throwaway key
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    (tmp_path / "sa.json").write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "example",
                "private_key_id": "1",
                "private_key": pem,
                "client_email": "sync@example.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": "https://oauth2.example.invalid/token",
            }
        )
    )
    (tmp_path / "sa.json").chmod(0o600)
    settings = read_settings(
        {"service_account_file": "sa.json", "subject": "alex@example.org"},
        {"base_dir": tmp_path, "parent_id": "alex"},
    )
    creds = credentials_for(settings)
    assert creds.service_account_email == "sync@example.iam.gserviceaccount.com"
    assert creds._subject == "alex@example.org"  # acts as the parent (domain-wide delegation)
    assert creds.scopes == google_auth.SCOPES
