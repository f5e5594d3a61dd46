"""Reading a CalDAV target's settings, and its password from outside the plan.

The plan names the server, the calendar and the user, but never holds a secret: the
password comes from an environment variable (``password_env``), a file only its owner
can read (``password_file``, mode 0600), or the system keyring (``keyring = true``:
service "pc-calendar", the username), resolved by :mod:`pc_calendar.sync.secrets` as for
every backend. Every mistake here is a :class:`UserError` that says which key and what
is expected, because it is found before any request is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import UserError

KNOWN_KEYS = frozenset(
    {
        "type",
        "url",
        "calendar",
        "username",
        "user",
        "password_env",
        "password_file",
        "password_command",
        "keyring",
        "timeout",
        "quick_check",
        "verify",
        "max_in_flight",
        "connections",
    }
)

#: writes kept in flight per calendar by default: enough to hide a 40-150 ms round trip
#: behind the server's own write time, few enough to be a polite client (vdirsyncer
#: keeps up to 16 connections per host)
MAX_IN_FLIGHT = 8
#: the most a target may ask for (browsers keep at most 6 connections per host)
MAX_IN_FLIGHT_LIMIT = 16
#: how the writes in flight travel (see backends.caldav_connections): a connection per
#: write worker (the default, HTTP/2 where offered), or all multiplexed on one HTTP/2
#: connection for servers that limit connections per client
CONNECTIONS = ("per-worker", "one")


@dataclass(frozen=True)
class CalDAVSettings:
    url: str
    calendar: str | None
    username: str | None
    password: str | None
    timeout: float
    #: ask the calendar's last-modified before its sync token (see backends.caldav_stamp)
    quick_check: bool = True
    #: True (the system's CAs), or a PEM file: a CA bundle, or the server's own
    #: certificate to pin it (a self-signed certificate is its own authority)
    verify: bool | str = True
    #: writes sent at once into the calendar (see backends.caldav_connections)
    max_in_flight: int = MAX_IN_FLIGHT
    #: "per-worker" (a connection per write worker) or "one" (multiplexed over HTTP/2)
    connections: str = CONNECTIONS[0]


def _where(context: Any) -> str:
    source = _ctx(context, "source")
    return str(source) if source else "caldav calendar target"


def _ctx(context: Any, name: str) -> Any:
    if context is None:
        return None
    if isinstance(context, dict):
        return context.get(name)
    return getattr(context, name, None)


def family_id_of(config: dict, context: Any) -> str:
    """The family whose marker makes an event ours (from the sync context)."""
    family = _ctx(context, "family_id")
    if family is None and _ctx(context, "family") is not None:
        family = getattr(_ctx(context, "family"), "id", None)
    family = family or config.get("family_id")
    if not family:
        raise UserError(
            "caldav backend needs the family id (context.family_id) to recognise its own events"
        )
    return str(family)


def read_settings(config: dict, context: Any = None, *, secrets: bool = True) -> CalDAVSettings:
    """Validate ``config`` and resolve the password; raise UserError naming the key.

    ``secrets=False`` checks how the password is referenced without reading it (no
    environment, file, keyring or command): the checks made before anything is synced.
    """
    where = _where(context)
    from ..sync.secrets import refuse_secret_values

    refuse_secret_values(config, where)
    unknown = sorted(set(config) - KNOWN_KEYS - {"family_id"})
    if unknown:
        raise UserError(
            f"{where}: unknown key {unknown[0]!r}; expected one of {', '.join(sorted(KNOWN_KEYS))}"
        )
    url = config.get("url")
    if (
        not isinstance(url, str)
        or urlsplit(url).scheme not in ("http", "https")
        or not urlsplit(url).netloc
    ):
        raise UserError(f"{where}: key 'url' must be an http(s) URL, got {url!r}")
    calendar = config.get("calendar")
    if calendar is not None and (not isinstance(calendar, str) or not calendar.strip()):
        raise UserError(f"{where}: key 'calendar' must be a path or a display name")
    if "username" in config and "user" in config:
        raise UserError(f"{where}: give only one of 'username' and 'user' (the same setting)")
    username = config.get("username", config.get("user"))
    if username is not None and not isinstance(username, str):
        raise UserError(f"{where}: key 'username' must be a string")
    timeout = config.get("timeout", 30)
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise UserError(f"{where}: key 'timeout' must be a positive number of seconds")
    quick_check = config.get("quick_check", True)
    if not isinstance(quick_check, bool):
        raise UserError(f"{where}: key 'quick_check' must be true or false")
    in_flight = config.get("max_in_flight", MAX_IN_FLIGHT)
    if (
        not isinstance(in_flight, int)
        or isinstance(in_flight, bool)
        or not 1 <= in_flight <= MAX_IN_FLIGHT_LIMIT
    ):
        raise UserError(
            f"{where}: key 'max_in_flight' must be a whole number from 1 to "
            f"{MAX_IN_FLIGHT_LIMIT} (writes sent at once; 1 sends one at a time), "
            f"got {in_flight!r}"
        )
    connections = config.get("connections", CONNECTIONS[0])
    if connections not in CONNECTIONS:
        raise UserError(
            f"{where}: key 'connections' must be \"per-worker\" (a connection per write "
            f'in flight, the default) or "one" (every write multiplexed on one HTTP/2 '
            f"connection, for servers that limit connections per client), got {connections!r}"
        )
    password = _password(
        config, username, where, _ctx(context, "base_dir"), _ctx(context, "parent_id"), secrets
    )
    return CalDAVSettings(
        url if url.endswith("/") else url + "/",
        calendar,
        username,
        password,
        float(timeout),
        quick_check,
        _verify(config.get("verify", True), where, _ctx(context, "base_dir")),
        in_flight,
        connections,
    )


def _verify(value: Any, where: str, base_dir: Any) -> bool | str:
    """``verify``: true, or a PEM file relative to the plan's folder. Never off."""
    if value is True:
        return True
    if not isinstance(value, str) or not value.strip():
        raise UserError(
            f"{where}: key 'verify' must be a path to a PEM file (a CA bundle, or the "
            f"server's own certificate), got {value!r}",
            hint="certificate checks cannot be turned off: pin the server's certificate instead",
        )
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = (Path(base_dir) if base_dir is not None else Path.cwd()) / path
    if not path.is_file():
        raise UserError(f"{where}: key 'verify': no such file {path}")
    return str(path)


def _password(
    config: dict,
    username: str | None,
    where: str,
    base_dir: Any,
    parent: str | None,
    resolve: bool = True,
) -> str | None:
    """One implementation of password sources for every backend (see sync.secrets)."""
    from ..sync.secrets import command_argv, resolve_password

    sources = [k for k in ("password_env", "password_file", "password_command") if config.get(k)]
    if len(sources) > 1:
        raise UserError(f"{where}: give only one of {' and '.join(sources)}")
    if not resolve:
        if config.get("password_command"):
            command_argv(config["password_command"], where)
        return None
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    # the keyring entry is under the login name, else the parent (as for every backend)
    return resolve_password(
        {**config, "user": username} if username else config, where, base, parent or ""
    )
