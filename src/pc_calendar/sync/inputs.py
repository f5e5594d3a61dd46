"""What a sync's result depends on, as raw bytes and names: the key of the quick no-op.

A full sync reads the plan, ``calendars.toml``, a school's ICS file and whatever a plugin
opens while the plan is loaded and its timeline computed. Rather than keep a hand-made
list of those files, :func:`reading` records every file opened for reading while it is
active (through a ``sys.addaudithook`` hook), hashing each as it is opened. A later run
compares those hashes with the files' bytes now, without importing the loaders.

Around the files: the code that would run (pc_calendar's and every plugin's source
files by size and modification time, each ``sys.path`` folder's modification time, which
any install, upgrade or removal of a package changes), and the environment variables
the loaders consult. Only the standard library is used here: it runs before the choice
between the quick path and the full one is made.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

#: variables that change how paths resolve, which plugins load, or which day it is
ENV_KEYS = (
    "HOME",
    "TZ",
    "PC_CALENDAR_PLUGINS",
    "PC_CALENDAR_DATA_DIR",
    "PC_CALENDAR_STATE",
    "PC_CALENDAR_LOCK_DIR",
)
#: files that are code (their code identity is kept by :func:`code_identity`)
CODE_SUFFIXES = (".py", ".pyc", ".pyi", ".so", ".pyd", ".pth")
ABSENT = "absent"

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_local = threading.local()
_hook_installed = False
_hook_lock = threading.Lock()
#: collectors of every file any thread records (see :func:`sharing`)
_shared: list[Reads] = []
_shared_lock = threading.Lock()


def file_digest(path: str) -> str:
    """sha256 of the file's bytes, or :data:`ABSENT` when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return ABSENT


class Reads:
    """Files opened for reading while recording: path -> digest when first opened."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        #: False when the files could not be recorded (the audit hook was refused)
        self.complete = True

    def add(self, path: str) -> None:
        if path not in self.files:
            self.files[path] = file_digest(path)

    def unchanged(self) -> bool:
        """Whether every file still has the bytes it had when it was read.

        Saved only then: a file edited while the sync ran was read as one version and
        would be hashed as another.
        """
        return all(file_digest(path) == digest for path, digest in self.files.items())


def _is_input(path: str) -> bool:
    if path.endswith(CODE_SUFFIXES) or path.startswith(("/proc/", "/dev/", "/sys/")):
        return False
    parts = path.split(os.sep)
    return not any(p.endswith((".dist-info", ".egg-info")) or p == "__pycache__" for p in parts)


def _audit(event: str, args: tuple) -> None:
    """The audit hook: note files opened for reading by the recording thread."""
    if event != "open":
        return
    reads = getattr(_local, "reads", None)
    if reads is None or getattr(_local, "busy", False):
        return
    path, mode, flags = args
    if isinstance(path, int) or path is None:
        return
    if mode is not None and any(c in mode for c in "wax+"):
        return
    if mode is None and flags & _WRITE_FLAGS:
        return
    path = os.path.abspath(os.fsdecode(path))
    if not _is_input(path):
        return
    _local.busy = True  # hashing opens the file too
    try:
        reads.add(path)
    finally:
        _local.busy = False
    if _shared:
        with _shared_lock:
            for shared in _shared:
                shared.files.setdefault(path, reads.files[path])


def _install() -> bool:
    """Add the audit hook once per process; False if the interpreter refuses it."""
    global _hook_installed
    with _hook_lock:
        if not _hook_installed:
            try:
                sys.addaudithook(_audit)  # cannot be removed: does nothing unless recording
            except Exception:  # another hook may veto new ones: then nothing is recorded
                return False
            _hook_installed = True
        return True


@contextmanager
def reading(reads: Reads | None) -> Iterator[None]:
    """Record into ``reads`` the files this thread opens for reading (None: nothing)."""
    if reads is None:
        yield
        return
    if not _install():
        reads.complete = False
    outer = getattr(_local, "reads", None)
    _local.reads = reads
    try:
        yield
    finally:
        _local.reads = outer


@contextmanager
def unrecorded() -> Iterator[None]:
    """Files opened inside are not recorded: secrets (a password file, a token, a
    keyring's store). Their digests would sit in the sync state, where a short password
    could be guessed from one; and a secret is not what a sync's result depends on (the
    quick path asks the server with whatever secret is current)."""
    was = getattr(_local, "busy", False)
    _local.busy = True
    try:
        yield
    finally:
        _local.busy = was


@contextmanager
def sharing(reads: Reads) -> Iterator[None]:
    """Also collect into ``reads`` every file any thread records while this is active.

    Several families synced in one process share its caches: the first family to use a
    time zone reads its tz file, the next ones get the cached zone and read nothing. A
    caseload adds what the others read (outside the plans' folders) to each family's
    files, so what one family's entry names does not depend on which thread came first.
    """
    with _shared_lock:
        _shared.append(reads)
    try:
        yield
    finally:
        with _shared_lock:
            _shared.remove(reads)


def shared_files(reads: Reads) -> dict[str, str]:
    """A copy of what a :func:`sharing` collector holds (other threads add to it)."""
    with _shared_lock:
        return dict(reads.files)


def _signature(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return ABSENT
    return f"{st.st_mtime_ns}:{st.st_size}"


def code_files(tops: Iterable[str]) -> list[str]:
    """The source files of every loaded module of the packages ``tops``."""
    wanted = set(tops)
    files = {
        module.__file__
        for name, module in list(sys.modules.items())
        if name.split(".", 1)[0] in wanted and getattr(module, "__file__", None)
    }
    return sorted(files)


def code_identity(files: Iterable[str]) -> list[str]:
    """What says the same code would run: version, where it is loaded from, ``sys.path``
    with each folder's modification time, and ``files`` by modification time and size."""
    from .. import __file__ as package_file
    from .. import __version__

    parts = [__version__, package_file or ""]
    # "" is the current folder (python -c, -m): its time moves with every file made in
    # it, such as a state file beside the plan; what it holds of ours is in ``files``
    parts += [f"{entry}={_signature(entry) if entry else ''}" for entry in sys.path]
    parts += [f"{path}={_signature(path)}" for path in files]
    return parts


def zone_file(name: str) -> str | None:
    """The system's tz file of a zone, where :mod:`zoneinfo` looks first (None: none).

    Noted explicitly because zoneinfo keeps each zone it loaded: a zone used before the
    recording started (by the quick path's own "today") is never opened again.
    """
    import zoneinfo

    if not name or ".." in name.split("/"):
        return None
    for base in zoneinfo.TZPATH:
        candidate = os.path.join(base, name)
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return None


def environment() -> list[str]:
    return [f"{key}={os.environ.get(key, '')}" for key in ENV_KEYS]


def digest(parts: Iterable[str]) -> str:
    """One sha256 over ``parts`` (separated, so no two lists give the same bytes)."""
    out = hashlib.sha256()
    for part in parts:
        out.update(part.encode("utf-8", "surrogateescape"))
        out.update(b"\x1f")
    return out.hexdigest()
