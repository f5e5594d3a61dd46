"""``-v/--verbose`` and ``-q/--quiet``: one definition every command gets.

The group (``pc-calendar -q sync ...``) and every command, subcommand and plugin
command (``pc-calendar sync -q ...``) accept the same two options; ``LazyGroup`` adds
them as commands are registered, so no command declares them and none can forget.
Their values land in the click context's ``meta``, which nested contexts share, and
commands read the outcome through :func:`level` and the printing helpers below.

Levels: ``-q`` is QUIET (errors and the essential result only: no progress, no
"wrote ..." lines, no warnings), nothing is NORMAL, ``-v`` is VERBOSE (more detail on
stderr), ``-vv`` is DEBUG (also Python logging at DEBUG for ``pc_calendar`` loggers
only: the HTTP libraries' loggers stay where they were, so request headers such as
Authorization never reach the log). ``-q`` also drops ``pc_calendar`` log records below
WARNING (``serve``'s access log). Exit statuses never depend on the level.

Imports nothing beyond click and the standard library: ``--help`` stays fast.
"""

from __future__ import annotations

from typing import Any

import click

QUIET, NORMAL, VERBOSE, DEBUG = -1, 0, 1, 2

_VERBOSE_KEY = "pc_calendar.verbose"
_QUIET_KEY = "pc_calendar.quiet"
_NAMES = {"verbose": ("-v", "--verbose"), "quiet": ("-q", "--quiet")}
HELP_VERBOSE = "More detail on stderr where there is more to say; -vv: DEBUG log."
HELP_QUIET = "Only errors and the result: no progress, confirmations or warnings."


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Add this context's -v count or -q flag to the run's totals; refuse both."""
    if param.name == "verbose":
        ctx.meta[_VERBOSE_KEY] = ctx.meta.get(_VERBOSE_KEY, 0) + (value or 0)
    elif value:
        ctx.meta[_QUIET_KEY] = True
    if ctx.meta.get(_VERBOSE_KEY) and ctx.meta.get(_QUIET_KEY):
        raise click.UsageError("-v/--verbose and -q/--quiet cannot be used together", ctx=ctx)
    if ctx.meta.get(_QUIET_KEY):
        _log_level(ctx, "WARNING")
    elif ctx.meta.get(_VERBOSE_KEY, 0) >= 2:
        _log_level(ctx, "DEBUG")


def _option(name: str, **kwargs: Any) -> click.Option:
    """A fresh ``-v`` or ``-q`` option (a click parameter belongs to one command)."""
    return click.Option([name, *_NAMES[name]], expose_value=False, callback=_store, **kwargs)


def add_options(command: click.Command) -> None:
    """Give ``command`` (and a group's subcommands) -v and -q, once.

    A plugin command that already uses one of the names keeps its own option.
    """
    taken = {name for param in command.params for name in (param.name, *param.opts)}
    if "verbose" not in taken and not taken & set(_NAMES["verbose"]):
        command.params.append(_option("verbose", count=True, help=HELP_VERBOSE))
    if "quiet" not in taken and not taken & set(_NAMES["quiet"]):
        command.params.append(_option("quiet", is_flag=True, help=HELP_QUIET))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_options(sub)


def level() -> int:
    """QUIET, NORMAL, VERBOSE or DEBUG for the running command (NORMAL outside one)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return NORMAL
    if ctx.meta.get(_QUIET_KEY):
        return QUIET
    return min(ctx.meta.get(_VERBOSE_KEY, 0), DEBUG)


def quiet() -> bool:
    return level() == QUIET


def verbose() -> bool:
    return level() >= VERBOSE


def say(message: str, *, err: bool = False) -> None:
    """A confirmation or progress line (``wrote ...``): printed unless -q."""
    if not quiet():
        click.echo(message, err=err)


def detail(message: str) -> None:
    """Extra detail for -v, on stderr so stdout stays the command's output."""
    if verbose():
        click.echo(message, err=True)


def warn(message: str) -> None:
    """``warning: MESSAGE`` on stderr, unless -q."""
    if not quiet():
        click.echo(f"warning: {message}", err=True)


def _log_level(ctx: click.Context, level: str) -> None:
    """``pc_calendar`` loggers at ``level`` for this run, restored when it ends.

    QUIET drops their records below WARNING (e.g. ``serve``'s access log); DEBUG
    prints every record on stderr. Other libraries' loggers are left alone.
    """
    import logging

    logger = logging.getLogger("pc_calendar")
    if "pc_calendar.logging" not in ctx.meta:
        saved = (logger.level, logger.propagate, list(logger.handlers))

        def restore() -> None:
            logger.setLevel(saved[0])
            logger.propagate = saved[1]
            logger.handlers[:] = saved[2]

        ctx.find_root().call_on_close(restore)
        ctx.meta["pc_calendar.logging"] = True
    logger.setLevel(level)
    if level == "DEBUG" and logger.propagate:

        class ClickHandler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                click.echo(self.format(record), err=True)

        handler = ClickHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False  # printed once, not again through a root handler
