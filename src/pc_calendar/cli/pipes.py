"""A reader that stops early (``pc-calendar show PLAN | head -1``) ends the run quietly.

As ``git log | head`` does: no message, no traceback, and the status a shell reports for
a command stopped by SIGPIPE (141), so ``set -o pipefail`` scripts can tell "the reader
had enough" (``|| [ $? -eq 141 ]``) from this CLI's own 1 ("something failed or
differs"). SIGPIPE itself stays ignored, as Python sets it: a peer that closes a network
connection must be an error the code handles, not a silent death mid-sync.

Only a broken standard output or standard error is quiet: a BrokenPipeError from anything
else (a socket, a subprocess) is a bug and keeps its traceback. click would turn any
EPIPE into a silent exit 1, so the group carries the error past click in
:class:`PipeClosed`.
"""

from __future__ import annotations

import errno
import os
import select
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from rich.console import Console

#: what a shell reports for a process stopped by SIGPIPE (128 + 13)
EXIT_PIPE_CLOSED = 141


class PipeClosed(Exception):
    """A BrokenPipeError carried past click's own EPIPE handling."""

    def __init__(self, error: BrokenPipeError) -> None:
        super().__init__(str(error))
        self.error = error


@contextmanager
def carried_past_click() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError as exc:
        raise PipeClosed(exc) from None


def console(**options: Any) -> Console:
    """A rich Console whose broken pipe ends the run like any other output's (rich's own
    handling exits 1)."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    return _Console(**options)


def _reader_gone(fd: int) -> bool:
    """True if ``fd`` is a pipe or socket whose other end is closed."""
    poller = select.poll()
    try:
        poller.register(fd, select.POLLOUT)
    except (OSError, ValueError):
        return False
    return any(events & (select.POLLERR | select.POLLHUP) for _fd, events in poller.poll(0))


def standard_output_closed() -> bool:
    return any(_reader_gone(fd) for fd in (1, 2))


def settle(error: BrokenPipeError) -> NoReturn:
    """Exit quietly with 141 when standard output or error lost its reader; else re-raise.

    Both are pointed at /dev/null first, so the flush at interpreter exit cannot fail
    again and print "Exception ignored ... BrokenPipeError".
    """
    if not standard_output_closed():
        raise error from None  # its own traceback, not the carrier's
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError, AttributeError):
            continue  # not a real file (a test's capture): nothing will flush to the pipe
    os.close(devnull)
    sys.exit(EXIT_PIPE_CLOSED)
