"""Writing user-visible files so that a failure never leaves one half-written."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import UserError


def _file_mode(path: Path) -> int:
    """The replaced file's mode, else what a plain open() would give."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(
    path: Path,
    data: bytes | str,
    *,
    make_folder: bool = False,
    mode: int | None = None,
) -> None:
    """Write ``data`` via a temporary file in the same folder, fsync, then os.replace.

    Keeps the mode of the file it replaces (a plan or settings file the user edits),
    unless ``mode`` is given: :data:`PRIVATE` for family data, so a file left readable
    by others is made private too. Errors become a UserError naming the path.
    """
    body = data.encode("utf-8") if isinstance(data, str) else data
    with AtomicFiles() as files:
        files.write(path, [body], make_folder=make_folder, mode=mode)
        files.commit()


class AtomicFiles:
    """Files written in pieces to temporary files, then all put in place at once.

    A failure while any is written (a plan error met half-way, a full disk) leaves every
    target as it was and no temporary file behind, and nothing is held whole in memory:
    a long calendar goes to disk chunk by chunk. Use as a context manager and call
    :meth:`commit` at the end of the ``with`` block.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path]] = []

    def __enter__(self) -> AtomicFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        for tmp, _ in self._staged:
            Path(tmp).unlink(missing_ok=True)
        self._staged = []

    def write(
        self,
        path: Path,
        chunks: Iterable[bytes],
        *,
        make_folder: bool = False,
        mode: int | None = None,
    ) -> None:
        """Write ``chunks`` to a temporary file beside ``path`` (put in place by commit);
        ``mode`` as in :func:`write_atomic`."""
        folder = path.parent if str(path.parent) else Path(".")
        if make_folder:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UserError(
                    f"{path}: cannot create the folder {folder} ({exc.strerror})"
                ) from None
        if not folder.is_dir():
            raise UserError(f"{path}: the folder {folder} does not exist")
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as exc:
            raise UserError(f"{path}: cannot write in {folder} ({exc.strerror})") from None
        self._staged.append((tmp, path))
        try:
            # the descriptor belongs to the file object from here on, so whatever fails
            # next (chmod on a file system that refuses it, a full disk) closes it
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), _file_mode(path) if mode is None else mode)
                handle.writelines(chunks)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise UserError(f"{path}: cannot write ({exc.strerror})") from None

    def commit(self) -> None:
        """Put every written file in place (os.replace each)."""
        while self._staged:
            tmp, path = self._staged[0]
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise UserError(f"{path}: cannot write ({exc.strerror})") from None
            self._staged.pop(0)


#: the mode of every file the tool writes that holds family data, for its own use (sync
#: state, exchange log, feed tokens, locks) or where the user asks (exports, reports,
#: documents): only the user who runs it may read it
PRIVATE = 0o600
#: files SQLite keeps beside a database; it creates them with the database's mode
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def make_private(path: Path, what: str = "file") -> None:
    """Create ``path`` (empty) with mode 0600 if missing, else make it 0600.

    Called before SQLite opens a database, so the file never exists with the umask's
    mode; files from older versions (0644) are fixed on their next open, with the
    -wal/-shm/-journal files beside them (which SQLite creates with the database's mode).
    """
    # Never open an existing database file here: closing any descriptor of a file
    # releases every POSIX lock this process holds on it, SQLite's included, so another
    # thread's open connection would lose its locks ("disk I/O error" at best).
    try:
        os.close(os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        if path.is_dir():
            return  # the caller says it is a directory, in its own words
        try:
            if stat.S_IMODE(path.stat().st_mode) != PRIVATE:
                os.chmod(path, PRIVATE)
        except PermissionError:
            pass  # not ours to change (another user's file): SQLite says what it can do
        except OSError as exc:
            raise UserError(f"{path}: cannot read the {what} ({exc.strerror})") from None
    except IsADirectoryError:
        return  # the caller says it is a directory, in its own words
    except OSError as exc:
        raise UserError(f"{path}: cannot create the {what} ({exc.strerror})") from None
    for suffix in SQLITE_SIDECARS:
        sidecar = path.with_name(path.name + suffix)
        try:
            if stat.S_IMODE(sidecar.stat().st_mode) != PRIVATE:
                os.chmod(sidecar, PRIVATE)
        except OSError:
            continue  # absent (the usual case) or not ours
