"""The ``pc-calendar`` command group: a thin click layer over plain functions.

Each subcommand lives in its own module exposing ``register(cli)``; ``COMMANDS`` names
each command's module and short help. The group imports a module only when one of its
commands runs (or shows its own help), so start-up does not pay for pydantic, icalendar
or rich that other commands need. Plugins add commands through
``pc_calendar_register_commands``, asked only for the command listing or for a name no
built-in has. ``main`` turns user errors into messages.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import sys
from collections.abc import Callable
from gettext import gettext as _
from typing import Any

import click

from .. import __version__
from ..errors import LOADED_PLANS, UserError
from . import pipes, verbosity

#: command name -> (module in this package, short help as ``--help`` lists it). The
#: short help is kept here so listing commands imports none of them;
#: tests/cli/test_lazy_commands.py checks it against the commands themselves.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init_cmd", "Write a commented plan file PLAN.toml from a template."),
    "check": (
        "check",
        "Validate PLAN.toml and warn about what parents could read two ways.",
    ),
    "show": ("show", "Show who has the children, day by day, for a month or a year."),
    "stats": ("stats", "Overnights and hours per parent with exact percentages."),
    "diff": (
        "diff",
        "Compare two plans as timelines: time per parent, exchanges, holidays, calendars.",
    ),
    "decisions": (
        "decisions",
        "List every swap, decision and amendment, with reviews due and fees.",
    ),
    "export": ("export", "Write RFC 5545 calendars (.ics) from a plan."),
    "sync": ("sync", "Push each parent's events into their calendar target."),
    "status": (
        "status",
        "Show when each family's calendars last synced, what is pending, and overdue or "
        "missed exchanges across the caseload.",
    ),
    "exchanges": (
        "exchanges",
        "List scheduled exchanges with their recorded outcome; flag overdue ones.",
    ),
    "exchange": (
        "exchanges",
        "Record and check what happened at exchanges (append-only, tamper-evident log).",
    ),
    "report": ("exchanges", "Summarise exchange outcomes and parenting time per parent."),
    "plugins": (
        "plugins_cmd",
        "List installed plugins, their versions and the hooks each implements.",
    ),
    "feed": ("feeds", "Issue, revoke and list the secret URLs of subscribable feeds."),
    "serve": (
        "feeds",
        "Serve one ICS feed per parent, and the coordinator's, and parents' check-in "
        "pages, for the PLANS given.",
    ),
    "checkin": (
        "checkin",
        "Issue, revoke and list parents' check-in links (one per parent per family).",
    ),
    "targets": ("targets_cmd", "Find and connect parents' calendars."),
    "doctor": (
        "doctor",
        "Check every parent's calendar target and say what to fix.",
    ),
    "google": (
        "google",
        "Authorise a parent's Google account and create a calendar for the plan.",
    ),
}

#: the modules commands are loaded from; a test may narrow this to hide the others
COMMAND_MODULES = tuple(dict.fromkeys(module for module, _help in COMMANDS.values()))


class LazyGroup(click.Group):
    """A click group that imports a command's module on first use of the command."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plugins_from: object = None  # the manager whose commands were added
        self._adding_plugins = False

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with pipes.carried_past_click():  # --help into a closed pipe
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with pipes.carried_past_click():
            return super().invoke(ctx)

    def _module_of(self, name: str) -> str | None:
        """The module of built-in command ``name``, if it is one and may be loaded."""
        module = COMMANDS.get(name, (None, ""))[0]
        return module if module in COMMAND_MODULES else None

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        """As click's; without ``args`` (they come from the command line) the run is the
        whole process, which :mod:`pc_calendar.startup` may tune for a fast start."""
        if args is None:
            from ..startup import whole_process

            whole_process()
        return super().main(args, *rest, **kwargs)

    def _load_module(self, module: str) -> None:
        """Register the module's commands."""
        from ..startup import importing_command

        try:
            with importing_command():
                loaded = importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{module}":
                return  # a command still being built; the rest of the CLI works
            raise
        loaded.register(self)

    def load_plugin_commands(self) -> None:
        """Let plugins add their commands (once per process-wide plugin manager)."""
        from ..plugins import get_command_manager

        pm = get_command_manager()
        if self._plugins_from is not pm:
            self._adding_plugins = True
            try:
                pm.hook.pc_calendar_register_commands(cli=self)
            finally:
                self._adding_plugins = False
            self._plugins_from = pm

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Built-in names stay built-in: a plugin's command under one is left out, with
        a warning, so a command never depends on which module was imported first.

        Every command added, built-in or a plugin's, gets -v/--verbose and -q/--quiet
        (see :mod:`.verbosity`), so ``pc-calendar sync -q PLAN`` works everywhere."""
        name = name or cmd.name
        if self._adding_plugins and name in COMMANDS:
            click.echo(
                f"warning: a plugin's command {name!r} was not added: the name is a "
                "built-in command",
                err=True,
            )
            return
        verbosity.add_options(cmd)
        super().add_command(cmd, name)

    def load_all(self) -> None:
        """Every built-in command, then the plugins'."""
        for module in COMMAND_MODULES:
            self._load_module(module)
        self.load_plugin_commands()

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            module = self._module_of(cmd_name)
            if module is not None:
                self._load_module(module)
            else:
                self.load_plugin_commands()
        command = self.commands.get(cmd_name)
        if command is not None:  # again: a group's subcommands may be defined after it
            verbosity.add_options(command)
        return command

    def list_commands(self, ctx: click.Context | None) -> list[str]:
        self.load_plugin_commands()
        builtin = {name for name in COMMANDS if self._available(name)}
        return sorted(builtin | set(self.commands))

    def _available(self, name: str) -> bool:
        module = self._module_of(name)
        return module is not None and importlib.util.find_spec(f"{__name__}.{module}") is not None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, but a built-in not yet imported shows its short help from COMMANDS."""
        rows: list[tuple[str, click.Command | None]] = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name)
            if command is None or not command.hidden:
                rows.append((name, command))
        if not rows:
            return
        limit = formatter.width - 6 - max(len(row[0]) for row in rows)
        with formatter.section(_("Commands")):  # as click words it
            formatter.write_dl(
                [
                    (
                        name,
                        (command or click.Command(name, help=COMMANDS[name][1])).get_short_help_str(
                            limit
                        ),
                    )
                    for name, command in rows
                ]
            )

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """As click's, but a mistyped name is matched against every command, not only
        the ones imported so far (and in the same words on every click 8.x)."""
        name = args[0] if args else ""
        if (
            name
            and not name.startswith("-")
            and not ctx.resilient_parsing
            and self.get_command(ctx, name) is None
        ):
            raise click.UsageError(_no_such_command(name, self.list_commands(ctx)), ctx=ctx)
        return super().resolve_command(ctx, args)


def _no_such_command(name: str, commands: list[str]) -> str:
    """click's words: "No such command 'helo'. Did you mean 'hello'?"."""
    message = _("No such command {name!r}.").format(name=name)
    close = sorted(difflib.get_close_matches(name, commands))
    if len(close) == 1:
        return f"{message} Did you mean {close[0]!r}?"
    if close:
        return f"{message} (Did you mean one of: {', '.join(map(repr, close))}?)"
    return message


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pc-calendar")
def cli() -> None:
    """Parenting-plan calendars: check plans, show and export custody timelines.

    -v/--verbose and -q/--quiet work here and after any command (pc-calendar sync -q
    PLAN.toml). Tab completion for bash, zsh and fish: see docs/cli.md.

    Exit status: 0 success; 1 the work ran but something failed or differs (each
    command's help says what); 2 a usage mistake or bad input (plan, option, file).
    """


verbosity.add_options(cli)


def _failure_reporter() -> Callable[[Any], None]:
    """Warn once per run about each plugin that failed to import, as a manager is built."""
    shown: set[str] = set()

    def report(pm: Any) -> None:
        from ..plugins import load_failures  # (imported with the manager built)

        for failure in load_failures(pm):
            text = failure.render()
            if text not in shown:
                shown.add(text)
                click.echo(f"warning: {text}", err=True)

    return report


def _load_commands() -> None:
    """Import every command now, for code that drives ``cli`` directly and wants all."""
    from ..plugin_watch import watch_managers

    with watch_managers(_failure_reporter()):
        cli.load_all()


def _located(exc: UserError) -> UserError:
    """A plan error from the engine (keys, no file) named after the plan the command read."""
    from ..errors import PlanError

    if isinstance(exc, PlanError) and exc.path is None:
        from ..plan.load import locate_error, only_loaded_path

        path = only_loaded_path()
        if path is not None:
            return locate_error(exc, path)
    return exc


def main(argv: list[str] | None = None) -> None:
    """Entry point: user mistakes print a message and exit non-zero, bugs keep tracebacks;
    a reader that stops early (``| head``) ends the run quietly (see :mod:`.pipes`)."""
    try:
        try:
            _run(argv)
        finally:
            if sys.stdout is not None:  # now, not at exit where a failure is printed
                sys.stdout.flush()
    except pipes.PipeClosed as exc:
        pipes.settle(exc.error)
    except BrokenPipeError as exc:
        pipes.settle(exc)


def _run(argv: list[str] | None) -> None:
    from ..plugin_watch import watch_managers

    LOADED_PLANS.clear()
    try:
        with watch_managers(_failure_reporter()):
            rc = cli.main(args=argv, prog_name="pc-calendar", standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except UserError as exc:
        click.echo(f"error: {_located(exc).render()}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
