"""Google credentials: the parent's OAuth token, a service account, or none (emulator).

The installed-app token (from ``pc-calendar google login PARENT``) is kept in the system
keyring when one works, else in a file of mode 0600 under the user data dir
(``$PC_CALENDAR_GOOGLE_TOKENS`` overrides the folder). A keyring that silently drops
secrets (the null backend) is detected by reading the value back. Tokens are refreshed
before use and saved again when they changed; ``logout`` revokes and forgets them.
Nothing here opens a browser or reaches Google unless the CLI asks it to: the flow,
the HTTP transport and the revocation are parameters so tests pass fakes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import BackendError, UserError
from ..sync.inputs import unrecorded
from .google_config import GoogleSettings

SCOPES = ["https://www.googleapis.com/auth/calendar"]
KEYRING_SERVICE = "pc-calendar-google"
TOKENS_ENV = "PC_CALENDAR_GOOGLE_TOKENS"
CLIENT_SECRETS_ENV = "PC_CALENDAR_GOOGLE_CLIENT_SECRETS"
REVOKE_URI = "https://oauth2.googleapis.com/revoke"


def login_hint(account: str) -> str:
    return f"run: pc-calendar google login {account}"


def default_token_dir() -> Path:
    if env := os.environ.get(TOKENS_ENV):
        return Path(env).expanduser()
    from ..paths import data_dir

    return data_dir() / "google-tokens"


class TokenStore:
    """One account's OAuth token (authorized-user JSON): keyring first, else a 0600 file."""

    def __init__(self, account: str, directory: Path | None = None) -> None:
        self.account = account
        self.directory = directory or default_token_dir()

    @property
    def path(self) -> Path:
        safe = re.sub(r"[^A-Za-z0-9._@-]", "_", self.account)
        return self.directory / f"{safe}.json"

    def load(self) -> dict[str, Any] | None:
        raw = _keyring_get(self.account)
        if raw is None and self.path.exists():
            from ..sync.secrets import read_token_file

            raw = read_token_file(self.path, f"google token for {self.account}")
        if raw is None:
            return None
        try:
            info = json.loads(raw)
        except ValueError:
            raise UserError(
                f"the stored Google token for {self.account} is damaged",
                hint=login_hint(self.account),
            ) from None
        return info if isinstance(info, dict) else None

    def save(self, info: dict[str, Any]) -> str:
        """Store ``info``; returns where it went ("keyring" or the file path)."""
        raw = json.dumps(info, sort_keys=True, separators=(",", ":"))
        if _keyring_set(self.account, raw):
            self.path.unlink(missing_ok=True)  # never two copies that can disagree
            return "keyring"
        from ..sync.secrets import write_token_file

        write_token_file(self.path, raw)
        return str(self.path)

    def delete(self) -> list[str]:
        """Forget the token everywhere; returns where it was found."""
        found = []
        if _keyring_delete(self.account):
            found.append("keyring")
        if self.path.exists():
            self.path.unlink()
            found.append(str(self.path))
        return found


def _keyring_get(account: str) -> str | None:
    try:
        import keyring

        with unrecorded():  # a keyring may keep its store in a file
            return keyring.get_password(KEYRING_SERVICE, account)
    except Exception:  # no usable keyring: the file is the store
        return None


def _keyring_set(account: str, raw: str) -> bool:
    """True only if the keyring kept the value (read back: null backends drop it)."""
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, account, raw)
        return keyring.get_password(KEYRING_SERVICE, account) == raw
    except Exception:
        return False


def _keyring_delete(account: str) -> bool:
    try:
        import keyring

        if keyring.get_password(KEYRING_SERVICE, account) is None:
            return False
        keyring.delete_password(KEYRING_SERVICE, account)
        return True
    except Exception:
        return False


# -- credentials for a sync --------------------------------------------------------------


def http_request(timeout: float = 30) -> Any:
    """A google-auth transport over httplib2 (the stack the API client uses)."""
    import google_auth_httplib2
    import httplib2

    return google_auth_httplib2.Request(httplib2.Http(timeout=timeout))


def credentials_for(
    settings: GoogleSettings, store: TokenStore | None = None, request: Any = None
) -> Any:
    """Credentials for the target: anonymous, service account, or the stored token."""
    if settings.anonymous:
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()
    if settings.service_account_file is not None:
        return service_account_credentials(settings)
    store = store or TokenStore(settings.account)
    info = store.load()
    if info is None:
        raise BackendError(
            f"no Google authorisation stored for {settings.account}",
            target=settings.where,
            hint=login_hint(settings.account),
        )
    from google.oauth2.credentials import Credentials

    try:
        creds = Credentials.from_authorized_user_info(info, SCOPES)
    except ValueError as exc:
        raise BackendError(
            f"the stored Google token for {settings.account} is incomplete ({exc})",
            target=settings.where,
            hint=login_hint(settings.account),
        ) from None
    refresh_if_needed(creds, store, request or http_request(settings.timeout), settings)
    return creds


def service_account_credentials(settings: GoogleSettings) -> Any:
    from google.oauth2 import service_account

    from ..sync.secrets import check_private

    path = settings.service_account_file
    assert path is not None
    check_private(path, settings.where, "service_account_file")  # it holds a private key
    try:
        with unrecorded():  # a secret: never digested into the sync state
            creds = service_account.Credentials.from_service_account_file(str(path), scopes=SCOPES)
    except (OSError, ValueError) as exc:
        raise UserError(
            f"{settings.where}: service_account_file {path}: not a service-account key "
            f"({exc.__class__.__name__}: {exc})"
        ) from None
    return creds.with_subject(settings.subject) if settings.subject else creds


def refresh_if_needed(creds: Any, store: TokenStore, request: Any, settings: Any) -> bool:
    """Refresh an expired token now (not mid-batch) and save it; True if refreshed."""
    if creds.valid:
        return False
    account = getattr(settings, "account", store.account)
    if not creds.refresh_token:
        raise BackendError(
            f"the Google token for {account} expired and cannot be refreshed",
            target=getattr(settings, "where", None),
            hint=login_hint(account),
        )
    from google.auth.exceptions import RefreshError, TransportError

    try:
        creds.refresh(request)
    except RefreshError as exc:
        reason = exc.args[0] if exc.args else exc
        raise BackendError(
            f"Google refused to refresh the token for {account} ({reason})",
            target=getattr(settings, "where", None),
            hint=login_hint(account) + " (the access may have been revoked)",
        ) from None
    except TransportError as exc:
        from ..errors import TransientBackendError

        raise TransientBackendError(
            f"cannot reach Google to refresh the token ({exc})",
            target=getattr(settings, "where", None),
        ) from None
    save_credentials(creds, store)
    return True


def save_credentials(creds: Any, store: TokenStore) -> str:
    return store.save(json.loads(creds.to_json()))


def save_if_changed(creds: Any, store: TokenStore, before: str | None) -> bool:
    """Persist a token the HTTP layer refreshed mid-run (tokens live an hour)."""
    token = getattr(creds, "token", None)
    if token is None or token == before or not hasattr(creds, "to_json"):
        return False
    save_credentials(creds, store)
    return True


# -- login and logout (the CLI's work) ---------------------------------------------------


def client_secrets_path(option: str | None, settings_path: Path | None = None) -> Path:
    """``--client-secrets``, else the target's ``client_secrets``, else the env var."""
    value: str | Path | None = option or settings_path or os.environ.get(CLIENT_SECRETS_ENV)
    if not value:
        raise UserError(
            "no OAuth client secrets file given",
            hint=f"pass --client-secrets PATH or set {CLIENT_SECRETS_ENV} (the coordinator "
            "provides the file, a Google Cloud 'Desktop app' OAuth client)",
        )
    path = Path(value).expanduser()
    if not path.is_file():
        raise UserError(f"client secrets file {path} does not exist")
    return path


def run_installed_app_flow(secrets: Path, open_browser: bool = True, port: int = 0) -> Any:
    """The installed-app OAuth flow: a browser consent page and a loopback redirect."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(secrets), scopes=SCOPES)
    except ValueError as exc:
        raise UserError(f"{secrets}: not an OAuth client secrets file ({exc})") from None
    return flow.run_local_server(port=port, open_browser=open_browser)


def login(
    account: str,
    secrets: Path,
    store: TokenStore | None = None,
    flow: Callable[[Path], Any] | None = None,
) -> str:
    """Authorise ``account`` and store its token; returns where it was stored."""
    creds = (flow or run_installed_app_flow)(secrets)
    if not getattr(creds, "refresh_token", None):
        raise UserError(
            "Google gave no refresh token, so the authorisation would expire within an hour",
            hint="remove pc-calendar from https://myaccount.google.com/permissions and log in "
            "again",
        )
    return save_credentials(creds, store or TokenStore(account))


def revoke_token(token: str, request: Any = None) -> None:
    """Ask Google to revoke ``token``; raises on failure."""
    request = request or http_request()
    response = request(
        url=f"{REVOKE_URI}?token={token}",
        method="POST",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    if response.status not in (200, 400):  # 400: already invalid, which is what we want
        raise RuntimeError(f"revocation answered HTTP {response.status}")


def logout(
    account: str,
    store: TokenStore | None = None,
    revoke: Callable[[str], None] | None = None,
) -> tuple[list[str], str | None]:
    """Revoke and forget ``account``'s token: (where it was, a revocation problem or None)."""
    store = store or TokenStore(account)
    revoke = revoke or revoke_token
    info = store.load()
    problem = None
    if info is not None:
        token = info.get("refresh_token") or info.get("token")
        if token:
            try:
                revoke(str(token))
            except Exception as exc:  # forget it locally anyway; say so
                problem = f"{exc.__class__.__name__}: {exc}"
    return store.delete(), problem
