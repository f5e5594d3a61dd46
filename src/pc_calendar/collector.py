"""Pausing Python's cyclic garbage collector around work that makes no cycles.

The collector runs every few hundred allocations and, now and then, walks every object
alive in the process. Work that builds many short-lived objects without reference
cycles gains nothing from it, and pays for it in proportion to everything *else* alive:
a caseload run holding 1,000 validated plans spent an eighth of the engine's CPU time
in collections that found no garbage (issue 15: 160 ms of 1.33 s for 1,000
family-years, one full collection alone 115 ms). Reference counting still frees every
object as soon as it is dropped; a cycle made while paused is collected after.

The pause is process-wide (the collector has one switch), so it is counted: threads
(the feeds server answers requests in threads) may overlap their pauses, and the
collector comes back when the last one ends, and only if it was on when the first
began (a caller that switched it off keeps it off).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_on = False  # whether the collector was on when the outermost pause began


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside (see the module docstring)."""
    pause()
    try:
        yield
    finally:
        resume()


def pause() -> None:
    """Begin a pause; every call must be followed by one :func:`resume` (``finally``).

    ``paused()`` without the generator, for calls made thousands of times a second."""
    global _depth, _was_on
    with _lock:
        if _depth == 0:
            _was_on = gc.isenabled()
            gc.disable()
        _depth += 1


def resume() -> None:
    """End a pause begun by :func:`pause`."""
    global _depth
    with _lock:
        _depth -= 1
        if _depth == 0 and _was_on:
            gc.enable()
