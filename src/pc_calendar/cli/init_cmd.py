"""``pc-calendar init``: start a plan file from a template.

Templates come from the ``pc_calendar_register_templates`` hook, so a plugin's
templates appear next to the built-in ones. The file is written atomically and never
replaces an existing plan unless asked: a coordinator's edited plan is the one thing
this command must not lose.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import UserError
from ..fileio import write_atomic
from ..plugins import templates
from . import verbosity


def write_new_file(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` to ``path`` via a temporary file and ``os.replace``.

    Refuses an existing ``path`` unless ``force``; either way nothing is half-written.
    """
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give the name of the plan file to create")
    if path.exists() and not force:
        raise UserError(
            f"{path}: already exists; not overwriting it",
            hint="use --force to replace it, or choose another file name",
        )
    write_atomic(path, text)


def template_listing() -> list[tuple[str, str]]:
    """(name, description) of every registered template, sorted by name."""
    registry = templates()
    return [(name, registry[name][0]) for name in registry.names()]


@click.command("init")
@click.option(
    "--template",
    "-t",
    "template_name",
    metavar="NAME",
    help="the template to start from (see --list)",
)
@click.option("--list", "list_only", is_flag=True, help="list the templates and exit")
@click.option("--force", is_flag=True, help="replace PLAN.toml if it already exists")
@click.option("--json", "as_json", is_flag=True, help="with --list: the templates as JSON")
@click.argument("plan_path", metavar="PLAN.toml", required=False, type=click.Path(path_type=Path))
def init_command(
    template_name: str | None, list_only: bool, force: bool, as_json: bool, plan_path: Path | None
) -> None:
    """Write a commented plan file PLAN.toml from a template.

    Edit the names, dates and school calendar, then run `pc-calendar check PLAN.toml`.
    --list --json prints the templates as JSON; -q leaves out the "wrote" line.

    Exit status: 0 the file was written or the templates listed; 2 a mistake (no or
    unknown template, PLAN.toml exists and --force was not given, a folder given).
    """
    if as_json and not list_only:
        raise UserError("--json: only with --list (writing a plan prints one line)")
    if list_only:
        listing = template_listing()
        if as_json:
            rows = [{"name": name, "description": text} for name, text in listing]
            click.echo(json.dumps(rows, indent=2))
            return
        width = max((len(name) for name, _ in listing), default=0)
        for name, description in listing:
            click.echo(f"{name:<{width}}  {description}")
        return
    registry = templates()
    if template_name is None:
        raise UserError(
            f"--template: which template? (expected one of: {', '.join(registry.names())})"
        )
    if template_name not in registry:
        raise UserError(
            f"--template: unknown template {template_name!r} "
            f"(expected one of: {', '.join(registry.names())})"
        )
    if plan_path is None:
        raise UserError("PLAN.toml: give the name of the plan file to create")
    _, text = registry[template_name]
    write_new_file(plan_path, text, force=force)
    verbosity.say(
        f"wrote {plan_path} from template {template_name!r}; "
        f"edit it, then run: pc-calendar check {plan_path}"
    )


def register(cli: click.Group) -> None:
    """Add ``init`` to the command group."""
    cli.add_command(init_command)
