"""The server's secret key: 32 random bytes in a 0600 file beside the token databases.

Check-in links are derived from it (so a copied token database alone cannot be turned
back into working links) and so are the CSRF tokens of the check-in forms. The file is
created once, atomically (``O_EXCL``), so two processes starting together agree on one
key; deleting it invalidates every check-in link (re-issue them) and every open form.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from ..errors import UserError

KEY_BYTES = 32
KEY_FILE = "server.key"


def load_or_create(path: Path) -> bytes:
    """The key in ``path``, created (mode 0600) if the file does not exist."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    except OSError as exc:
        raise UserError(f"{path}: cannot create the server key ({exc.strerror})") from None
    key = secrets.token_bytes(KEY_BYTES)
    written = False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
            written = True
    finally:
        if not written:
            path.unlink(missing_ok=True)
    return key


def _read(path: Path) -> bytes:
    for _ in range(50):  # another process may be between O_EXCL and its write
        try:
            key = path.read_bytes()
        except OSError as exc:
            raise UserError(f"{path}: cannot read the server key ({exc.strerror})") from None
        if len(key) == KEY_BYTES:
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
            return key
        if key:
            break
        import time

        time.sleep(0.01)
    raise UserError(
        f"{path}: not a pc-calendar server key (expected {KEY_BYTES} bytes)",
        hint="remove the file to make a new key, then re-issue the check-in links",
    )


def derive(key: bytes, *parts: str) -> bytes:
    """HMAC-SHA256 of the parts (NUL-separated) under ``key``, for one purpose each."""
    return hmac.new(key, "\0".join(parts).encode("utf-8"), hashlib.sha256).digest()
