"""One sync per calendar at a time: a ``flock`` on a lock file per calendar.

A cron job overlapping a manual run must not interleave writes into one calendar (both
would list, then both create, and the conditional requests would turn the race into
conflicts and retries). Each calendar is keyed by what identifies it (backend type and
its non-secret settings: url, calendar, folder), hashed into a file name in the lock
folder. ``flock`` is released by the kernel when the holder exits or is killed, so a
crashed sync never leaves a stale lock; it is per open file, so two threads of one
process exclude each other too. The holder writes its pid into the file so the one it
turns away can say who has it.

The lock folder is ``$PC_CALENDAR_LOCK_DIR`` or ``locks/`` beside the sync state file:
runs sharing a state file share their locks.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import UserError
from ..fileio import PRIVATE

LOCK_DIR_ENV = "PC_CALENDAR_LOCK_DIR"
POLL = 0.05


class CalendarBusy(Exception):
    """Another process (or another family of this run) holds the calendar's lock."""

    def __init__(self, label: str, pid: int | None) -> None:
        self.label = label
        self.pid = pid
        if pid is not None and pid == os.getpid():
            who = "another family in this run"
        else:
            who = f"another process (pid {pid})" if pid else "another process"
        super().__init__(f"calendar {label} is being synced by {who}; skipped")


def lock_dir_for(state_path: Path | None) -> Path | None:
    """``$PC_CALENDAR_LOCK_DIR``, else ``locks/`` beside the state file (None: no locks)."""
    env = os.environ.get(LOCK_DIR_ENV)
    if env:
        return Path(env)
    return state_path.parent / "locks" if state_path is not None else None


def lock_path(folder: Path, identity: str) -> Path:
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return folder / f"{digest}.lock"


def _holder(fd: int) -> int | None:
    try:
        first = os.pread(fd, 64, 0).split(b"\n", 1)[0]
        return int(first) if first.strip() else None
    except (OSError, ValueError):
        return None


@contextmanager
def calendar_lock(folder: Path, identity: str, label: str, wait: float = 0.0) -> Iterator[Path]:
    """Hold the calendar's lock for the ``with`` block.

    Raises CalendarBusy if it is held elsewhere and not released within ``wait`` seconds
    (0: do not wait). A lock folder we cannot create is a UserError.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = lock_path(folder, identity)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE)
        if stat.S_IMODE(os.fstat(fd).st_mode) != PRIVATE:  # a lock from an older version
            os.fchmod(fd, PRIVATE)
    except OSError as exc:
        raise UserError(
            f"{folder}: cannot create the sync lock ({exc.strerror})",
            hint=f"set {LOCK_DIR_ENV} to a writable folder",
        ) from None
    try:
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise CalendarBusy(label, _holder(fd)) from None
                time.sleep(min(POLL, max(0.0, deadline - time.monotonic())))
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n{identity}\n".encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)  # no stale pid for the next one to report
    finally:
        os.close(fd)  # releases the flock
