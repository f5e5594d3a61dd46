"""``pc-calendar google login|logout|setup PARENT``: a parent's Google authorisation.

``login`` runs the installed-app OAuth flow with the client-secrets file the coordinator
provides and stores the token (keyring, else a 0600 file); ``logout`` revokes it at
Google and forgets it; ``setup`` creates a dedicated calendar and prints the target
line for the plan. With ``--plan`` the parent's google target in that plan (or the
``calendars.toml`` beside it) supplies ``account``, ``client_secrets`` and endpoints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import UserError
from . import verbosity

plan_option = click.option(
    "--plan",
    "plan_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="The plan whose google target for PARENT gives the account and settings.",
)


def target_config(parent: str, plan_path: Path | None) -> tuple[dict[str, Any], Any]:
    """The parent's google target settings (and a context), from the plan if given."""
    from ..backends.google_config import read_settings

    context: dict[str, Any] = {"parent_id": parent, "source": f"google account of {parent}"}
    if plan_path is None:
        return {}, read_settings({}, context)
    from ..plan.load import load_plan
    from ..sync.targets import load_targets

    plan = load_plan(plan_path)
    (target,) = load_targets(plan, plan_path, [parent])
    if target.type != "google":
        raise UserError(
            f'{target.source}: type is {target.type!r}, not "google"',
            hint='set calendar = { type = "google", calendar_id = "primary" }',
        )
    context.update(family_id=plan.family.id, base_dir=plan_path.parent, source=target.source)
    return dict(target.config), read_settings(dict(target.config), context)


@click.group("google")
def google() -> None:
    """Authorise a parent's Google account and create a calendar for the plan.

    Exit status (every subcommand): 0 done; 1 Google refused or failed; 2 a mistake
    (the google extra not installed, no client secrets, not a google target).
    """
    from ..extras import require

    require("google", "pc-calendar google")


@google.command("login")
@click.argument("parent")
@plan_option
@click.option(
    "--client-secrets",
    type=click.Path(path_type=Path, dir_okay=False),
    help="OAuth client file from the coordinator (or $PC_CALENDAR_GOOGLE_CLIENT_SECRETS).",
)
@click.option("--no-browser", is_flag=True, help="Print the consent URL instead of opening it.")
@click.option("--port", type=int, default=0, show_default=True, help="Loopback port (0: any).")
def login_cmd(
    parent: str, plan_path: Path | None, client_secrets: Path | None, no_browser: bool, port: int
) -> None:
    """Authorise PARENT's Google account (opens a browser) and store the token.

    The token is stored under the target's ``account`` (with --plan), else under PARENT
    itself, which may also be that account name. -q leaves out the confirmation.

    Exit status: 0 authorised; 1 Google refused; 2 a mistake in the settings.
    """
    from ..backends import google_auth

    _, settings = target_config(parent, plan_path)
    secrets = google_auth.client_secrets_path(
        str(client_secrets) if client_secrets else None, settings.client_secrets
    )

    def flow(path: Path) -> Any:
        return google_auth.run_installed_app_flow(path, open_browser=not no_browser, port=port)

    where = google_auth.login(settings.account, secrets, flow=flow)
    verbosity.say(f"authorised {settings.account}; token stored in {where}")


@google.command("logout")
@click.argument("parent")
@plan_option
def logout_cmd(parent: str, plan_path: Path | None) -> None:
    """Revoke PARENT's Google token and forget it.

    -q leaves out the confirmation (a revocation Google did not confirm is still
    reported, as an error of the outcome).

    Exit status: 0 forgotten, or nothing was stored; 2 a mistake in the settings.
    """
    from ..backends import google_auth

    _, settings = target_config(parent, plan_path)
    found, problem = google_auth.logout(settings.account)
    if not found:
        verbosity.say(f"no Google token stored for {settings.account}")
        return
    verbosity.say(f"forgot the Google token of {settings.account} ({', '.join(found)})")
    if problem:
        click.echo(
            f"warning: Google did not confirm the revocation ({problem}); remove access at "
            "https://myaccount.google.com/permissions",
            err=True,
        )


@google.command("setup")
@click.argument("parent")
@plan_option
@click.option("--name", default="Kids", show_default=True, help="The new calendar's name.")
@click.option("--time-zone", help="The calendar's zone (default: the family's).")
def setup_cmd(parent: str, plan_path: Path | None, name: str, time_zone: str | None) -> None:
    """Create a dedicated calendar in PARENT's Google account and print its target line.

    -q prints only the target line.

    Exit status: 0 created; 1 Google refused or failed; 2 a mistake in the settings.
    """
    from ..backends.google import GoogleBackend

    _, settings = target_config(parent, plan_path)
    zone = time_zone or _family_zone(plan_path) or "UTC"
    backend = GoogleBackend(settings, family_id="")
    try:
        calendar_id = backend.create_calendar(name, zone)
    finally:
        backend.close()
    verbosity.say(f"created Google calendar {name!r} for {settings.account}: {calendar_id}")
    verbosity.say("use it in the plan (or calendars.toml):")
    click.echo(
        f'  calendar = {{ type = "google", calendar_id = "{calendar_id}", '
        f'account = "{settings.account}" }}'
    )


def _family_zone(plan_path: Path | None) -> str | None:
    if plan_path is None:
        return None
    from ..plan.load import load_plan

    return load_plan(plan_path).family.timezone


def register(cli: click.Group) -> None:
    cli.add_command(google)
