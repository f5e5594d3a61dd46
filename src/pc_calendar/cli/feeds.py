"""``pc-calendar serve`` and ``pc-calendar feed issue|revoke|list``: subscribable feeds.

Feeds are for parents who will not give anyone access to their calendar; push sync stays
the main path (Google refreshes subscribed feeds only every 12 to 24 hours). See
docs/feeds.md.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from pathlib import Path

import click

from ..errors import UserError
from . import verbosity
from .common import plan_argument

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Feed token database (default: feeds.sqlite3 in $PC_CALENDAR_DATA_DIR "
    "or the user data folder).",
)


def _store(db_path: Path | None):
    from ..feeds.tokens import TokenStore, default_db_path

    return TokenStore(db_path or default_db_path())


def _recipient(plan_path: Path, name: str) -> tuple[str, str, str]:
    """(family key, recipient, label) for PARENT: a parent id, or ``coordinator``."""
    from ..feeds.tokens import ALL_FAMILIES, COORDINATOR
    from ..plan.load import load_plan

    plan = load_plan(plan_path)
    if name == COORDINATOR:
        if COORDINATOR in plan.parents:
            raise UserError(
                f"{plan_path}: a parent's id is {COORDINATOR!r}, which names the "
                "coordinator's feed; rename that parent"
            )
        return ALL_FAMILIES, COORDINATOR, "the coordinator (every served family)"
    if name not in plan.parents:
        raise UserError(
            f"{plan_path}: no parent {name!r} in family {plan.family.id!r}",
            hint=f"use a parent id ({', '.join(plan.parents)}) or {COORDINATOR!r}",
        )
    return plan.family.id, name, f"{plan.parents[name].name} ({plan.family.id}/{name})"


@click.group("feed")
def feed() -> None:
    """Issue, revoke and list the secret URLs of subscribable feeds.

    PARENT is a parent id from the plan, or "coordinator" for the coordinator's feed of
    every family the server serves.

    Exit status (every subcommand): 0 done; 2 a mistake (a bad plan, an unknown
    PARENT, nothing to revoke).
    """


@feed.command("issue")
@plan_argument
@click.argument("parent")
@db_option
def issue(plan_path: Path, parent: str, db_path: Path | None) -> None:
    """Make a new feed URL for PARENT and print its path (shown only this once).

    Earlier URLs of the same recipient keep working until revoked. -q prints only the
    path.

    Exit status: 0 issued; 2 a mistake (a bad plan, an unknown PARENT).
    """
    family, recipient, label = _recipient(plan_path, parent)
    token = _store(db_path).issue(family, recipient)
    click.echo(f"/feeds/{token}.ics")
    verbosity.say(
        f"feed URL path for {label}; shown only now. Subscribe with "
        "webcal://YOUR-HOST/feeds/... (see docs/feeds.md).",
        err=True,
    )


@feed.command("revoke")
@plan_argument
@click.argument("parent")
@click.option("--id", "token_id", metavar="ID", help="Only the token with this id (see list).")
@db_option
def revoke(plan_path: Path, parent: str, token_id: str | None, db_path: Path | None) -> None:
    """Revoke PARENT's feed URLs now (a running server stops serving them at once).

    -q prints nothing on success.

    Exit status: 0 revoked; 2 a mistake (no active URL to revoke, an unknown PARENT).
    """
    family, recipient, label = _recipient(plan_path, parent)
    count = _store(db_path).revoke(family, recipient, token_id)
    if count == 0:
        raise UserError(
            f"no active feed URL for {label}" + (f" with id {token_id}" if token_id else "")
        )
    verbosity.say(f"revoked {count} feed URL{'s' if count != 1 else ''} of {label}")


@feed.command("list")
@plan_argument
@click.argument("parent", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@db_option
def list_(plan_path: Path, parent: str | None, as_json: bool, db_path: Path | None) -> None:
    """List feed URLs of the plan's family (or of PARENT) by id; never the URLs.

    Exit status: 0 listed (none issued too); 2 a mistake (a bad plan, an unknown PARENT).
    """
    from ..feeds.tokens import ALL_FAMILIES, COORDINATOR
    from ..plan.load import load_plan

    store = _store(db_path)
    if parent is not None:
        family, recipient, _ = _recipient(plan_path, parent)
        rows = store.list(family, recipient)
    else:
        rows = store.list(load_plan(plan_path).family.id) + store.list(ALL_FAMILIES, COORDINATOR)
    if as_json:
        keys = ("id", "family", "recipient", "issued_at", "active", "revoked_at")
        click.echo(json.dumps([{key: getattr(row, key) for key in keys} for row in rows], indent=2))
        return
    if not rows:
        click.echo("no feed URLs issued")
        return
    click.echo(f"{'id':<12}{'family':<20}{'recipient':<16}{'issued (UTC)':<27}status")
    for row in rows:
        status = "active" if row.active else f"revoked {row.revoked_at}"
        click.echo(f"{row.id:<12}{row.family:<20}{row.recipient:<16}{row.issued_at:<27}{status}")


@click.command(
    "serve",
    epilog="-q drops the access log (errors and warnings stay); -vv logs at DEBUG.\n\n"
    "Exit status: 0 stopped by Ctrl-C or SIGTERM; 2 a mistake (a bad plan, an "
    "address that cannot be listened on).",
)
@click.argument("plans", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@db_option
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--rate",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Requests per second each client may sustain (0: no limit).",
)
@click.option("--burst", default=120, show_default=True, type=click.IntRange(1))
@click.option(
    "--max-connections",
    default=2000,
    show_default=True,
    type=click.IntRange(16, 100_000),
    help="Open connections the server holds at once (idle keep-alive ones included).",
)
@click.option(
    "--trusted-proxy",
    metavar="ADDR",
    help="Address of your HTTPS reverse proxy: trust its X-Forwarded-For for the client.",
)
def serve(
    plans: tuple[Path, ...],
    host: str,
    port: int,
    db_path: Path | None,
    threads: int,
    rate: float,
    burst: int,
    max_connections: int,
    trusted_proxy: str | None,
) -> None:
    """Serve one ICS feed per parent, and the coordinator's, and parents' check-in
    pages, for the PLANS given.

    Feeds live at /feeds/<token>.ics (issue tokens with `pc-calendar feed issue`). They
    are rendered once and re-rendered only when a plan or an exchange log changes.
    Check-in pages live at /checkin/<link> (issue links with `pc-calendar checkin
    issue`; they are kept beside the feed token database). Put the server behind an
    HTTPS reverse proxy before exposing it (docs/feeds.md, docs/checkin.md).
    """
    from ..exchanges.status import current_time
    from ..feeds.server import build_app, create, run_forever
    from ..feeds.tokens import default_db_path
    from ..plugins import get_plugin_manager

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    app = build_app(
        list(plans),
        db_path or default_db_path(),
        rate=rate or None,
        burst=burst,
        pm=get_plugin_manager(),  # loaded now, so the first missed exchange is told at once
        clock=lambda: current_time(),  # $PC_CALENDAR_NOW pins it, as for `exchange`
    )
    try:
        server = create(
            app,
            host,
            port,
            threads=threads,
            trusted_proxy=trusted_proxy,
            max_connections=max_connections,
        )
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    families = app.cache.families()
    click.echo(
        f"serving {len(families)} famil{'y' if len(families) == 1 else 'ies'} "
        f"({sum(len(p) for p in families.values())} parent feeds and the coordinator's) "
        f"on http://{server.effective_host}:{server.effective_port}/feeds/<token>.ics, "
        "check-in pages at /checkin/<link>",
        err=True,
    )
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        click.echo("warning: plain HTTP on a public address; put it behind HTTPS", err=True)
    run_forever(server)


def register(cli: click.Group) -> None:
    cli.add_command(feed)
    cli.add_command(serve)
