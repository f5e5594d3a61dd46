"""Writing user-visible files so that a failure never leaves one half-written."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import UserError


def _file_mode(path: Path, new_mode: int | None = None) -> int:
    """The replaced file's mode, else ``new_mode``, else what a plain open() would give."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        if new_mode is not None:
            return new_mode
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(
    path: Path,
    data: bytes | str,
    *,
    make_folder: bool = False,
    mode: int | None = None,
    new_mode: int | None = None,
) -> None:
    """Write ``data`` via a temporary file in the same folder, fsync, then os.replace.

    Keeps the mode of the file it replaces, unless ``mode`` is given (0o600 for family
    data); ``new_mode`` is the mode of a file that does not exist yet. Errors become a
    UserError naming the path.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if make_folder:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"{path}: cannot create the folder {folder} ({exc.strerror})") from None
    if not folder.is_dir():
        raise UserError(f"{path}: the folder {folder} does not exist")
    body = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UserError(f"{path}: cannot write in {folder} ({exc.strerror})") from None
    try:
        os.chmod(tmp, _file_mode(path, new_mode) if mode is None else mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"{path}: cannot write ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: the mode of every file the tool writes that holds family data for its own use (sync
#: state, exchange log, feed tokens, locks): only the user who runs it may read it
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
