"""Reading a Google target's settings; every mistake names the key and what is expected.

A target looks like::

    calendar = { type = "google", calendar_id = "primary", account = "alex@example.org" }

``calendar_id``: "primary" or a calendar's id (``pc-calendar google setup`` creates a
dedicated one). Credentials, by reference only:

- default: the installed-app OAuth token ``pc-calendar google login PARENT`` stored
  under ``account`` (default: the parent id);
- ``service_account_file = "sa.json"`` with ``subject = "alex@example.org"``: a
  Workspace service account with domain-wide delegation;
- ``credentials = "anonymous"``: no credentials at all, only for a local emulator
  (``api_endpoint`` must point to 127.0.0.1).

``api_endpoint`` / ``batch_uri`` redirect the client (tests, emulators);
``requests_per_minute`` paces requests under Google's per-user rate (default 570,
a margin below the 600 a project gets per user).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import UserError

KNOWN_KEYS = frozenset(
    {
        "calendar_id",
        "account",
        "client_secrets",
        "service_account_file",
        "subject",
        "credentials",
        "api_endpoint",
        "batch_uri",
        "requests_per_minute",
        "timeout",
        "family_id",
    }
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DEFAULT_RPM = 570


@dataclass(frozen=True)
class GoogleSettings:
    calendar_id: str
    account: str
    service_account_file: Path | None
    subject: str | None
    anonymous: bool
    api_endpoint: str | None
    batch_uri: str | None
    requests_per_minute: float
    timeout: float
    client_secrets: Path | None
    where: str


def ctx(context: Any, name: str) -> Any:
    if context is None:
        return None
    if isinstance(context, dict):
        return context.get(name)
    return getattr(context, name, None)


def _url(config: dict, key: str, where: str) -> str | None:
    value = config.get(key)
    if value is None:
        return None
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(f"{where}: key {key!r} must be an http(s) URL, got {value!r}")
    return value


def _path(config: dict, key: str, where: str, base_dir: Any) -> Path | None:
    value = config.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"{where}: key {key!r} must be a file path")
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = Path(base_dir or Path.cwd()) / path
    return path


def _number(config: dict, key: str, default: float, where: str) -> float:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise UserError(f"{where}: key {key!r} must be a positive number, got {value!r}")
    return float(value)


def read_settings(config: dict, context: Any = None) -> GoogleSettings:
    """Validate a google target's config; UserError naming the key on any mistake."""
    from ..sync.secrets import refuse_secret_values

    where = str(ctx(context, "source") or "google calendar target")
    refuse_secret_values(config, where)
    unknown = sorted(set(config) - KNOWN_KEYS - {"type"})
    if unknown:
        raise UserError(
            f"{where}: unknown key {unknown[0]!r}; expected one of {', '.join(sorted(KNOWN_KEYS))}"
        )
    calendar_id = config.get("calendar_id", "primary")
    if not isinstance(calendar_id, str) or not calendar_id.strip():
        raise UserError(f"{where}: key 'calendar_id' must be \"primary\" or a calendar id")
    account = config.get("account", ctx(context, "parent_id"))
    if not isinstance(account, str) or not account.strip():
        raise UserError(f"{where}: key 'account' must name the Google account (or omit it)")
    base_dir = ctx(context, "base_dir")
    endpoint = _url(config, "api_endpoint", where)
    creds = config.get("credentials")
    if creds not in (None, "anonymous", "oauth"):
        raise UserError(f'{where}: key \'credentials\' must be "oauth" or "anonymous"')
    anonymous = creds == "anonymous"
    if anonymous and (endpoint is None or urlsplit(endpoint).hostname not in LOCAL_HOSTS):
        raise UserError(
            f'{where}: credentials = "anonymous" is only for a local emulator',
            hint="set api_endpoint to http://127.0.0.1:PORT/calendar/v3/, or remove it",
        )
    service_file = _path(config, "service_account_file", where, base_dir)
    subject = config.get("subject")
    if subject is not None and (not isinstance(subject, str) or "@" not in subject):
        raise UserError(f"{where}: key 'subject' must be the delegated user's email address")
    if subject is not None and service_file is None:
        raise UserError(f"{where}: key 'subject' needs service_account_file")
    if service_file is not None and anonymous:
        raise UserError(f"{where}: give either service_account_file or credentials, not both")
    return GoogleSettings(
        calendar_id=calendar_id,
        account=account,
        service_account_file=service_file,
        subject=subject,
        anonymous=anonymous,
        api_endpoint=endpoint,
        batch_uri=_url(config, "batch_uri", where),
        requests_per_minute=_number(config, "requests_per_minute", DEFAULT_RPM, where),
        timeout=_number(config, "timeout", 30, where),
        client_secrets=_path(config, "client_secrets", where, base_dir),
        where=where,
    )
