"""A reader that stops early (``| head -1``) ends the run quietly, with status 141.

As ``git log | head``: nothing on stderr, no traceback, and the status a shell reports
for a command stopped by SIGPIPE, so ``set -o pipefail`` scripts can tell it from the
CLI's own 1. Real pipes, real processes: the point is what the operating system does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pc_calendar.cli import init_cmd, main
from pc_calendar.cli.pipes import EXIT_PIPE_CLOSED

EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
CLI = [sys.executable, "-c", "from pc_calendar.cli import main; main()"]


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {
        **os.environ,
        "PC_CALENDAR_DATA_DIR": str(tmp_path / "data"),
        "PC_CALENDAR_PLUGINS": "none",
        "PC_CALENDAR_NOW": "2026-11-25T12:00:00+00:00",
    }


def test_head_takes_one_line_of_a_long_output(env):
    """Four years of exchanges, a line per write (96 kB, past a pipe's 64 kB buffer, so
    the writer waits for the reader), read as ``head -1`` reads it: one line, then the
    reading end closes and the next write fails."""
    args = ["exchanges", EXAMPLE, "--from", "2026-01-01", "--to", "2030-01-01"]
    with subprocess.Popen(
        [*CLI, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().startswith(b"Mon 2026-01-05 18:00")
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait(timeout=120) == EXIT_PIPE_CLOSED
    assert err == b""


@pytest.mark.parametrize(
    "args",
    [
        ["show", EXAMPLE, "--month", "2026-11"],  # rich, which would exit 1 on its own
        ["stats", EXAMPLE],
        ["exchanges", EXAMPLE, "--json"],  # click.echo
        ["--help"],  # printed while click parses the command line
    ],
    ids=["show", "stats", "exchanges --json", "--help"],
)
def test_a_reader_gone_before_the_first_line(env, args):
    """The reading end is closed before the command starts: its first write fails."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [*CLI, *map(str, args)], stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=120
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (EXIT_PIPE_CLOSED, b"")


def test_an_error_message_into_a_closed_pipe(env, tmp_path):
    """``pc-calendar check missing.toml 2>&1 | head -0``: nothing to say it to, no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [*CLI, "check", str(tmp_path / "missing.toml")],
            stdout=write_end,
            stderr=write_end,
            env=env,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert done.returncode == EXIT_PIPE_CLOSED


def test_a_broken_pipe_elsewhere_is_a_bug_with_its_traceback(monkeypatch, capsys):
    """Standard output is fine (pytest's capture file): the error is not swallowed."""

    def broken() -> list[tuple[str, str]]:
        raise BrokenPipeError(32, "Broken pipe (a subprocess, a socket)")

    monkeypatch.setattr(init_cmd, "template_listing", broken)
    with pytest.raises(BrokenPipeError, match="a subprocess, a socket"):
        main(["init", "--list"])
