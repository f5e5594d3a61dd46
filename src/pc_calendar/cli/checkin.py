"""``pc-calendar checkin issue|revoke|list``: each parent's secret check-in link.

The link opens a small page served by ``pc-calendar serve`` where the parent reports an
exchange ("I'm here", "Handed over", ...). One link per parent per family; issuing a new
one revokes the old. See docs/checkin.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import UserError
from . import verbosity
from .common import plan_argument

folder_option = click.option(
    "--data-dir",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of the check-in link database and the server key (default: "
    "$PC_CALENDAR_DATA_DIR or the user data folder; the folder `serve` uses).",
)


def _links(data_dir: Path | None):
    from ..feeds.checkin_tokens import CheckinTokens
    from ..feeds.tokens import default_db_path

    return CheckinTokens(data_dir or default_db_path().parent)


def _parent(plan_path: Path, name: str):
    from ..plan.load import load_plan

    plan = load_plan(plan_path)
    if name not in plan.parents:
        raise UserError(
            f"{plan_path}: no parent {name!r} in family {plan.family.id!r}",
            hint=f"use a parent id: {', '.join(plan.parents)}",
        )
    return plan, f"{plan.parents[name].name} ({plan.family.id}/{name})"


@click.group("checkin")
def checkin() -> None:
    """Issue, revoke and list parents' check-in links (one per parent per family).

    Exit status (every subcommand): 0 done; 2 a mistake (a bad plan, an unknown
    PARENT, no link to revoke).
    """


@checkin.command("issue")
@plan_argument
@click.argument("parent")
@folder_option
def issue(plan_path: Path, parent: str, data_dir: Path | None) -> None:
    """Make PARENT's check-in link, revoking the one they had, and print it.

    The link also appears in PARENT's exchange events after the next sync (when the
    plan's [checkin] url is set). -q prints only the link.

    Exit status: 0 issued; 2 a mistake (a bad plan, an unknown PARENT).
    """
    from ..feeds.checkin_tokens import PATH_PREFIX, checkin_url

    plan, label = _parent(plan_path, parent)
    token = _links(data_dir).issue(plan.family.id, parent)
    click.echo(checkin_url(plan.checkin.url, token) if plan.checkin.url else PATH_PREFIX + token)
    note = "" if plan.checkin.url else " Set [checkin] url in the plan to give the full link."
    verbosity.say(
        f"check-in link of {label}; any earlier link of theirs is revoked.{note}", err=True
    )


@checkin.command("revoke")
@plan_argument
@click.argument("parent")
@folder_option
def revoke(plan_path: Path, parent: str, data_dir: Path | None) -> None:
    """Revoke PARENT's check-in link now (a running server refuses it at once).

    -q prints nothing on success.

    Exit status: 0 revoked; 2 a mistake (no active link, an unknown PARENT).
    """
    plan, label = _parent(plan_path, parent)
    if _links(data_dir).revoke(plan.family.id, parent) == 0:
        raise UserError(f"no active check-in link for {label}")
    verbosity.say(f"revoked the check-in link of {label}")


@checkin.command("list")
@plan_argument
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@folder_option
def list_(plan_path: Path, as_json: bool, data_dir: Path | None) -> None:
    """List the family's check-in links by id; never the links themselves.

    Exit status: 0 listed (none issued too); 2 a mistake (a bad plan).
    """
    from ..plan.load import load_plan

    rows = _links(data_dir).list(load_plan(plan_path).family.id)
    if as_json:
        keys = ("id", "parent", "issued_at", "active", "revoked_at")
        click.echo(json.dumps([{key: getattr(row, key) for key in keys} for row in rows], indent=2))
        return
    if not rows:
        click.echo("no check-in links issued")
        return
    click.echo(f"{'id':<12}{'parent':<16}{'issued (UTC)':<27}status")
    for row in rows:
        status = "active" if row.active else f"revoked {row.revoked_at}"
        click.echo(f"{row.id:<12}{row.parent:<16}{row.issued_at:<27}{status}")


def register(cli: click.Group) -> None:
    cli.add_command(checkin)
