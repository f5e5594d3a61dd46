"""What the CLI does around importing a command, so a short command starts and ends fast.

``pc-calendar check`` of a plan runs in about a quarter of a second; these were overhead
around the work rather than the work (CPU times of a ``check`` of the example, Python
3.11, measured on a busy 2-core machine):

- **pydantic's plugin scan.** Before building its first model class, pydantic reads the
  entry points of every installed distribution looking for plugins that observe
  validation (Logfire's, for one): ~6 ms with two hundred distributions installed,
  for a plan model that is pc-calendar's own. While a command module (and with it the
  plan model) is imported, ``PYDANTIC_DISABLE_PLUGINS`` is ``__all__``; it is unset
  again before the command runs, so nothing the command starts (a password command,
  git, openssl) inherits it. A value the user set is left alone:
  ``PYDANTIC_DISABLE_PLUGINS=""`` lets plugins observe the plan model too.
- **The garbage collector during imports.** Importing builds tens of thousands of
  objects that live until exit; the collector would walk them again and again
  (~9 ms). It is paused while a command module is imported and resumed after, so
  whatever garbage the import left is collected as usual once the command runs. When
  the run is the whole process (``pc-calendar ...`` from a shell; see
  :func:`whole_process`), what the import built is then frozen (``gc.freeze``): the
  collections while the command runs walk only what it makes (~10 ms less), and the
  little garbage the import left stays until exit.
- **The collector at exit.** At shutdown Python collects every remaining object once
  more, ~30 ms after a ``check``, to free memory the operating system is about to
  reclaim anyway. An exit handler freezes the collector's view (``gc.freeze``) first.
  Only cyclic garbage is affected: objects are still freed by reference counting,
  exit handlers still run (temporary folders, log handlers), and open files, SQLite
  connections and the like are closed by the code that opened them, not by the
  collector.

Library callers (``import pc_calendar``) get none of this: it happens only when the
click group imports a command module (:mod:`pc_calendar.cli`). A program that calls
``main([...])`` and goes on gets the scan skipped, the pause and the exit handler, never
the freeze after the import.
"""

from __future__ import annotations

import atexit
import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

from . import collector

#: pydantic's switch for its plugins (``__all__``: none)
PYDANTIC_PLUGINS_ENV = "PYDANTIC_DISABLE_PLUGINS"

_exit_handler_added = False
_whole_process = False


def whole_process() -> None:
    """Say this run is the whole process: the command line, not a caller that goes on
    afterwards (tests, scripts calling ``main([...])``), whose garbage must not be frozen."""
    global _whole_process
    _whole_process = True


@contextmanager
def importing_command() -> Iterator[None]:
    """Around the import of a command module: see the module docstring."""
    _skip_final_collection()
    with _plan_models_unobserved(), collector.paused():
        yield
    if _whole_process:
        gc.freeze()


def _skip_final_collection() -> None:
    """Freeze the collector's view at exit (once per process)."""
    global _exit_handler_added
    if not _exit_handler_added:
        atexit.register(gc.freeze)
        _exit_handler_added = True


@contextmanager
def _plan_models_unobserved() -> Iterator[None]:
    if PYDANTIC_PLUGINS_ENV in os.environ:
        yield
        return
    os.environ[PYDANTIC_PLUGINS_ENV] = "__all__"
    try:
        yield
    finally:
        os.environ.pop(PYDANTIC_PLUGINS_ENV, None)
