"""Writing user-visible files so that a failure never leaves one half-written."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import UserError


def _file_mode(path: Path) -> int:
    """The replaced file's mode, or what a plain open() would give (mkstemp uses 0600)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(
    path: Path, data: bytes | str, *, make_folder: bool = False, mode: int | None = None
) -> None:
    """Write ``data`` via a temporary file in the same folder, fsync, then os.replace.

    Keeps the mode of the file it replaces, unless ``mode`` is given (0o600 for family
    data). Errors become a UserError naming the path.
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
        """Write ``chunks`` to a temporary file beside ``path`` (put in place by commit)."""
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
            os.chmod(tmp, _file_mode(path) if mode is None else mode)
            with os.fdopen(fd, "wb") as handle:
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
