"""Where a calendar password comes from: never the plan.

A target names its secret by reference only:

- ``password_env = "VAR"``: the environment variable VAR;
- ``keyring = true`` (service "pc-calendar") or ``keyring = "service"``: the system
  keyring, looked up by the target's ``user`` (or the parent id);
- ``password_file = "path"``: a file only its owner can read (mode 0600), relative to the
  plan's folder. ``write_token_file`` creates such files;
- ``password_command = ["pass", "show", "alex"]``: the first line a command prints (as
  vdirsyncer's ``fetch = ["command", ...]``), run without a shell from the plan's folder,
  for password managers.

Headless machines often have no keyring backend: the error then says to use a 0600 file.
Values never appear in messages, reprs or logs.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import UserError
from .inputs import unrecorded

if TYPE_CHECKING:  # only an annotation here (the caller opened the database): check skips it
    import sqlite3

#: keys that would hold a secret's value; refused in plans and calendars.toml
SECRET_VALUE_KEYS = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "token",
        "api_key",
        "apikey",
        "access_token",
        "refresh_token",
        "client_secret",
    }
)
KEYRING_SERVICE = "pc-calendar"


class Secret(str):
    """A str whose repr never shows the value (safe in tracebacks and debug logs)."""

    def __repr__(self) -> str:
        return "Secret('***')"


SECRET_KEY_MESSAGE = "key {key!r} would store a secret in a file that gets shared and committed"
SECRET_HINT = 'use password_env = "VAR", keyring = true, or password_file = "PATH" (mode 0600)'


def secret_value_keys(config: dict[str, Any]) -> list[str]:
    """The keys of ``config`` that would hold a secret's value rather than name one."""
    return [key for key in config if key.lower() in SECRET_VALUE_KEYS]


def redact_url(url: str) -> str:
    """``url`` with any password in it replaced by ``***`` (the user name stays).

    >>> redact_url("https://alex:hunter2@cal.example.org/dav/")
    'https://alex:***@cal.example.org/dav/'
    >>> redact_url("https://cal.example.org/dav/")
    'https://cal.example.org/dav/'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/@:\"']*):[^\s/@\"']*@")


def redact_urls(text: str) -> str:
    """Every password inside a URL in ``text`` replaced by ``***``.

    >>> redact_urls('caldav (alex) https://alex:hunter2@cal.example.org/ custody')
    'caldav (alex) https://alex:***@cal.example.org/ custody'
    """
    return _URL_PASSWORD.sub(r"\1:***@", text)


def scrub_url_passwords(db: sqlite3.Connection, columns: Iterable[tuple[str, str]]) -> None:
    """Replace passwords inside URLs that older versions stored in ``columns`` (table,
    column) of a sync state.

    The key of a calendar is its settings, URL included, and labels and errors quote
    it: a ``https://user:password@host/`` target left its password there. Such targets
    are refused now; this removes what they left (a key may merge into another: the
    state is a cache, so the newer row wins).
    """
    for table, column in columns:
        rows = db.execute(
            f"SELECT DISTINCT {column} FROM {table} WHERE {column} LIKE '%://%:%@%'"
        ).fetchall()
        for (value,) in rows:
            clean = redact_urls(value)
            if clean != value:
                with db:
                    db.execute(
                        f"UPDATE OR REPLACE {table} SET {column} = ? WHERE {column} = ?",
                        (clean, value),
                    )


def url_passwords(config: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, redacted URL) of each value of ``config`` that is a URL with a password."""
    found = []
    for key, value in config.items():
        if isinstance(value, str) and "://" in value:
            try:
                has_password = urlsplit(value).password is not None
            except ValueError:
                continue
            if has_password:
                found.append((key, redact_url(value)))
    return found


def refuse_secret_values(config: dict[str, Any], source: str) -> None:
    """A UserError if a target carries a secret value instead of a reference to one."""
    for key in secret_value_keys(config):
        raise UserError(f"{source}: {SECRET_KEY_MESSAGE.format(key=key)}", hint=SECRET_HINT)
    for key, redacted in url_passwords(config):
        raise UserError(
            f"{source}: {key}: the URL holds a password ({redacted})",
            hint='keep user = "NAME" in the target and the password in '
            + SECRET_HINT.removeprefix("use "),
        )


def resolve_password(
    config: dict[str, Any], source: str, base_dir: Path, default_user: str
) -> Secret | None:
    """The password the target refers to, or None when it names none."""
    if env := config.get("password_env"):
        value = os.environ.get(str(env))
        if not value:
            raise UserError(
                f"{source}: environment variable {env} is not set",
                hint=f"export {env}=... before running pc-calendar",
            )
        return Secret(value)
    if path := config.get("password_file"):
        return Secret(read_token_file(_resolve(base_dir, str(path)), source))
    if command := config.get("password_command"):
        return Secret(_from_command(command, source, base_dir))
    if service := config.get("keyring"):
        service = KEYRING_SERVICE if service is True else str(service)
        user = str(config.get("user") or default_user)
        return Secret(_from_keyring(service, user, source))
    return None


def _resolve(base_dir: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base_dir / path


#: how long a password manager may take (it may ask to be unlocked)
COMMAND_TIMEOUT = 60


def command_argv(command: Any, source: str) -> list[str]:
    """``password_command`` checked for its shape without running it (``check`` and
    sync's checks before any calendar is touched must not wake a password manager)."""
    if (
        not isinstance(command, list)
        or not command
        or not all(isinstance(part, str) and part for part in command)
    ):
        raise UserError(
            f"{source}: key 'password_command' must be a list of strings, the command and "
            f'its arguments, like ["pass", "show", "alex"], got {command!r}'
        )
    return command


def _from_command(command: Any, source: str, base_dir: Path) -> str:
    """The first line ``command`` prints; its output is never shown in a message."""
    command = command_argv(command, source)
    import subprocess

    try:
        done = subprocess.run(
            command, cwd=base_dir, capture_output=True, text=True, timeout=COMMAND_TIMEOUT
        )
    except FileNotFoundError:
        raise UserError(f"{source}: password_command: no program {command[0]!r}") from None
    except subprocess.TimeoutExpired:
        raise UserError(
            f"{source}: password_command {command[0]!r} gave no answer in {COMMAND_TIMEOUT} s"
        ) from None
    except OSError as exc:
        raise UserError(f"{source}: password_command {command[0]!r}: {exc.strerror}") from None
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or [""])[-1][:200]
        raise UserError(
            f"{source}: password_command {command[0]!r} failed (exit {done.returncode})"
            + (f": {why}" if why else "")
        )
    line = (done.stdout.splitlines() or [""])[0].strip()
    if not line:
        raise UserError(f"{source}: password_command {command[0]!r} printed no password")
    return line


def _from_keyring(service: str, user: str, source: str) -> str:
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        with unrecorded():
            value = keyring.get_password(service, user)
    except NoKeyringError:
        raise UserError(
            f"{source}: no system keyring is available on this machine",
            hint='use password_file = "PATH" with a file of mode 0600 '
            "(pc_calendar.sync.secrets.write_token_file makes one)",
        ) from None
    except KeyringError as exc:
        raise UserError(f"{source}: the keyring failed ({exc.__class__.__name__})") from None
    if not value:
        raise UserError(
            f"{source}: no password for user {user!r} in keyring service {service!r}",
            hint=f"store one with: keyring set {service} {user}",
        )
    return value


def check_private(path: Path, source: str = "", what: str = "password file") -> None:
    """A UserError unless ``path`` exists and only its owner may read or write it."""
    where = f"{source}: " if source else ""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise UserError(f"{where}cannot read {what} {path} ({exc.strerror})") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UserError(
            f"{where}{what} {path} is accessible by others (mode {stat.S_IMODE(mode):04o})",
            hint=f"chmod 600 {path}",
        )


def read_token_file(path: Path, source: str = "") -> str:
    """The file's first line, refusing files that others can read or write."""
    where = f"{source}: " if source else ""
    check_private(path, source)
    with unrecorded():
        text = path.read_text(encoding="utf-8").strip()
    if not text:
        raise UserError(f"{where}password file {path} is empty")
    return text.splitlines()[0]


def write_token_file(path: Path, secret: str) -> None:
    """Write a secret to ``path`` with mode 0600 from the first byte (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".token-")  # mkstemp uses 0600
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secret + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
