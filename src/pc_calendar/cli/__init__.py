"""The ``pc-calendar`` command group: a thin click layer over plain functions.

Each subcommand lives in its own module listed in ``COMMAND_MODULES``; each module
exposes ``register(cli)``. Plugins add commands through
``pc_calendar_register_commands``. ``main`` turns user errors into messages.
"""

from __future__ import annotations

import importlib
import sys

import click

from .. import __version__
from ..errors import UserError

COMMAND_MODULES = (
    "init_cmd",
    "check",
    "show",
    "stats",
    "export",
    "sync",
    "status",
    "exchanges",
    "plugins_cmd",
    "feeds",
    "google",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pc-calendar")
def cli() -> None:
    """Parenting-plan calendars: check plans, show and export custody timelines."""


def _load_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue  # a command still being built; the rest of the CLI works
            raise
        module.register(cli)
    from ..plugins import get_plugin_manager, load_failures

    pm = get_plugin_manager()
    for failure in load_failures(pm):
        click.echo(f"warning: {failure.render()}", err=True)
    pm.hook.pc_calendar_register_commands(cli=cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user mistakes print a message and exit non-zero, bugs keep tracebacks."""
    try:
        _load_commands()
        rc = cli.main(args=argv, prog_name="pc-calendar", standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except UserError as exc:
        click.echo(f"error: {exc.render()}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
