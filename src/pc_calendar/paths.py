"""Where the tool keeps its own data: one folder, moved by one environment variable.

Sync state, locks, the exchange logs, feed and check-in tokens and Google tokens all
live under :func:`data_dir`: ``$PC_CALENDAR_DATA_DIR`` when set (a coordinator's
encrypted volume, a test's temp folder), else the platform's user data folder. The
older per-file variables (``PC_CALENDAR_STATE``, ``PC_CALENDAR_LOCK_DIR``,
``PC_CALENDAR_GOOGLE_TOKENS``) still win for their one file or folder.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "PC_CALENDAR_DATA_DIR"


def data_dir() -> Path:
    """``$PC_CALENDAR_DATA_DIR``, else the user data folder (not created here)."""
    if env := os.environ.get(DATA_DIR_ENV):
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("pc-calendar"))
