"""Run the ``pc-calendar`` CLI in-process with extra plugins registered: for plugin tests.

A plugin author checks their plugin the way a user meets it, through the command line,
without installing it first::

    from pc_calendar.testing_cli import run_cli

    def test_my_template_is_listed():
        result = run_cli(["init", "--list"], plugins=[my_plugin_module])
        assert result.exit_code == 0
        assert "my-template" in result.output

The plugins are added to the process-wide plugin manager only for the call (see
:func:`pc_calendar.plugins.extra_plugins`); commands a plugin adds are removed
afterwards, so one test cannot leak into the next. A user error (exit status 1 or 2)
is a result to assert on; a bug in the CLI or the plugin propagates with its traceback.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from . import plugins as plugin_manager


@dataclass(frozen=True)
class Result:
    """What one CLI run did: its exit status and what it printed."""

    exit_code: int
    output: str
    stderr: str = ""


@contextmanager
def _environment(env: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for None, unset) environment variables for the block only."""
    saved = {key: os.environ.get(key) for key in env}
    try:
        for key, value in env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _stream(data: bytes = b"") -> io.TextIOWrapper:
    """A text stream over bytes, like a terminal's: click writes ICS bytes to .buffer."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")


def _read(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]


def run_cli(
    args: Iterable[str],
    plugins: Iterable[Any] = (),
    *,
    env: Mapping[str, str | None] | None = None,
    input: str | None = None,
) -> Result:
    """Run ``pc-calendar ARGS`` with ``plugins`` registered; return exit status and output.

    ``env`` sets environment variables for the run (None unsets one, e.g.
    ``{"PC_CALENDAR_PLUGINS": "none"}`` to hide installed entry-point plugins);
    ``input`` is fed to standard input.
    """
    from .cli import cli, main

    commands = dict(cli.commands)
    out, err = _stream(), _stream()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = _stream((input or "").encode("utf-8"))
    sys.stdout, sys.stderr = out, err
    code = 0
    try:
        with _environment(env or {}), plugin_manager.extra_plugins(*plugins):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if isinstance(exc.code, str):
                    err.write(exc.code + "\n")
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        cli.commands.clear()
        cli.commands.update(commands)
    return Result(code, _read(out), _read(err))
