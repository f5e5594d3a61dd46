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
    path: Path, data: bytes | str, *, make_folder: bool = False, new_mode: int | None = None
) -> None:
    """Write ``data`` via a temporary file in the same folder, fsync, then os.replace.

    ``new_mode`` is the mode of a file that does not exist yet (0o600 for family data).
    Keeps the mode of the file it replaces. Errors become a UserError naming the path.
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
        os.chmod(tmp, _file_mode(path, new_mode))
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
