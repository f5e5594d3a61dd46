"""Who wants to hear of each process-wide plugin manager as it is built.

Kept apart from :mod:`.plugins` so a command that never builds a manager (the quick
no-op sync) can watch for one without importing pluggy: the CLI watches around every
command to report plugins that failed to import.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: called with each process-wide manager as it is built (see :func:`watch_managers`)
WATCHERS: list[Callable[[Any], None]] = []

#: one build at a time: caseload workers may ask for the manager at once
BUILD_LOCK = threading.RLock()


@contextmanager
def watch_managers(watcher: Callable[[Any], None]) -> Iterator[None]:
    """Call ``watcher(pm)`` for each process-wide manager in use during the block: at
    once for one already built, else when it is built.

    The CLI reports plugins that failed to import this way without building a
    manager the command does not need.
    """
    with BUILD_LOCK:
        WATCHERS.append(watcher)
        plugins = sys.modules.get("pc_calendar.plugins")  # not imported: none is built
        shared = (plugins.get_plugin_manager, plugins.get_command_manager) if plugins else ()
        built = [get() for get in shared if get.is_built()]
    try:
        for pm in built:
            watcher(pm)
        yield
    finally:
        with BUILD_LOCK:
            WATCHERS.remove(watcher)
