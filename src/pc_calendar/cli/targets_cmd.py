"""``pc-calendar targets discover``: find a parent's CalDAV calendars and connect one.

Exit codes: 0 found (and written, with ``--write``); 1 the server failed or refused
(unreachable, wrong password, no calendars); 2 a usage mistake.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..errors import UserError
from . import verbosity


def register(cli: click.Group) -> None:
    cli.add_command(targets)


@click.group()
def targets() -> None:
    """Find and connect parents' calendars.

    Exit status: as each subcommand says.
    """


@targets.command()
@click.argument("address")
@click.option("--user", "username", help="Login name (default: the address, if it has an @).")
@click.option("--password-env", metavar="VAR", help="Read the password from this variable.")
@click.option(
    "--password-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read the password from this file (mode 0600).",
)
@click.option("--keyring", "use_keyring", is_flag=True, help="Read it from the system keyring.")
@click.option("--calendar", "choose", metavar="NAME", help="The calendar to connect.")
@click.option("--create", metavar="NAME", help="Create a calendar for events named NAME.")
@click.option(
    "--write",
    "plan_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Write the chosen calendar into calendars.toml beside this plan.",
)
@click.option("--parent", help="The parent whose target --write sets.")
@click.option("--replace", is_flag=True, help="Replace the parent's existing target.")
@click.option(
    "--verify",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="PEM file to trust: the server's CA bundle, or its own certificate (pinned).",
)
@click.option("--timeout", type=click.FloatRange(min=1), default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print what was found as JSON.")
def discover(
    address: str,
    username: str | None,
    password_env: str | None,
    password_file: Path | None,
    use_keyring: bool,
    choose: str | None,
    create: str | None,
    plan_path: Path | None,
    parent: str | None,
    replace: bool,
    verify: Path | None,
    timeout: float,
    as_json: bool,
) -> None:
    """Find the CalDAV calendars of ADDRESS (a server URL, a domain or user@domain).

    Follows RFC 6764 (DNS SRV, /.well-known/caldav), current-user-principal and
    calendar-home-set, then lists each calendar with whether it accepts events and
    whether this user may write to it. --create makes a dedicated calendar (MKCALENDAR);
    --write PLAN --parent ID records the chosen one in calendars.toml beside the plan,
    with the password by reference only. -q prints only the chosen calendar (and
    what was written).

    Exit status: 0 found (and written); 1 the server failed or refused; 2 a usage mistake.
    """
    from ..backends.caldav_config import read_settings
    from ..backends.caldav_discover import create_calendar, discover, open_session, service_url
    from .targets_write import target_table, write_target

    if (plan_path is None) != (parent is None):
        raise UserError("--write and --parent go together: --write PLAN.toml --parent ID")
    if choose and create:
        raise UserError("give --calendar (an existing calendar) or --create (a new one)")
    if username is None and "@" in address and "://" not in address:
        username = address
    url, how = service_url(address, timeout=timeout)
    secret_keys = _secret_keys(password_env, password_file, use_keyring)
    config = {"type": "caldav", "url": url, **({"username": username} if username else {})}
    if verify is not None:
        config["verify"] = str(verify.resolve())
    base = plan_path.parent if plan_path else Path.cwd()
    settings = read_settings(
        {**config, **secret_keys}, {"source": "targets discover", "base_dir": base}
    )
    session = open_session(
        settings.url, settings.username, settings.password, timeout, settings.verify
    )
    try:
        found = discover(session, how)
        chosen = create_calendar(session, found.home, create) if create else None
        if chosen is not None:
            found.calendars.append(chosen)
    finally:
        session.close()
    if choose:
        chosen = found.find(choose)
        if chosen is None:
            raise UserError(
                f"--calendar {choose}: no such calendar",
                hint="calendars: " + ", ".join(c.label for c in found.calendars) or "none",
            )
    if plan_path is not None and parent is not None:
        chosen = chosen or _only_usable(found.calendars)
        write_target(plan_path, parent, target_table(config, chosen, secret_keys), replace)
    _print(found, chosen, as_json, plan_path, parent)


def _secret_keys(env: str | None, file: Path | None, use_keyring: bool) -> dict[str, Any]:
    given = [k for k, v in (("env", env), ("file", file), ("keyring", use_keyring)) if v]
    if len(given) > 1:
        raise UserError("give only one of --password-env, --password-file and --keyring")
    if env:
        return {"password_env": env}
    if file:
        return {"password_file": str(file)}
    return {"keyring": True} if use_keyring else {}


def _only_usable(calendars: list[Any]) -> Any:
    usable = [c for c in calendars if c.accepts_events and c.writable is not False]
    if len(usable) == 1:
        return usable[0]
    names = ", ".join(c.label for c in usable) or "none"
    raise UserError(
        "--write needs one calendar: choose it with --calendar NAME or make one with --create NAME",
        hint=f"calendars that accept events and may be written: {names}",
    )


def _print(found: Any, chosen: Any, as_json: bool, plan_path: Any, parent: Any) -> None:
    if as_json:
        data = found.as_json()
        data["chosen"] = chosen.href if chosen else None
        click.echo(json.dumps(data, indent=2))
        return
    if verbosity.quiet():
        if chosen is not None:
            click.echo(f"{chosen.label}  {chosen.href}")
        if plan_path is not None and chosen is not None:
            click.echo(f"wrote [{parent}] into {plan_path.parent / 'calendars.toml'}")
        return
    click.echo(f"service:   {found.service_url} (found from {found.how})")
    click.echo(f"principal: {found.principal}")
    click.echo(f"home:      {found.home}")
    if not found.calendars:
        click.echo("no calendars yet: create one with --create Kids")
    for calendar in found.calendars:
        events = "events" if calendar.accepts_events else "no events (tasks only?)"
        write = {True: "writable", False: "read-only", None: "write access unknown"}
        mark = "*" if chosen is not None and calendar.href == chosen.href else " "
        click.echo(
            f" {mark} {calendar.label:<24} {calendar.href}  {events}, {write[calendar.writable]}"
        )
    if plan_path is not None and chosen is not None:
        click.echo(f"wrote [{parent}] into {plan_path.parent / 'calendars.toml'}")
