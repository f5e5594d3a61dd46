"""make_private never opens an existing database: closing any descriptor of a file drops
every POSIX lock the process holds on it, SQLite's too (the check-in server's threads
got "disk I/O error" when one thread opened the log while another wrote)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from pc_calendar.fileio import make_private

WRITER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)
try:
    conn.execute("BEGIN IMMEDIATE")
    print("got the write lock")
except sqlite3.OperationalError as exc:
    print(exc)
"""


def test_another_threads_lock_survives(tmp_path):
    path = tmp_path / "log.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("BEGIN IMMEDIATE")  # this process now holds the write lock
    conn.execute("INSERT INTO t VALUES (1)")
    os.chmod(path, 0o644)
    make_private(path, "log")  # as another thread opening the log would
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    other = subprocess.run([sys.executable, "-c", WRITER, str(path)], capture_output=True,
                           text=True, timeout=60)  # fmt: skip
    assert "locked" in other.stdout, other.stdout  # still ours, not released
    conn.execute("COMMIT")
    conn.close()


def test_a_missing_file_is_created_private(tmp_path):
    path = tmp_path / "new.sqlite3"
    make_private(path, "log")
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_directory_is_left_alone(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir(mode=0o755)
    make_private(folder, "log")
    assert oct(folder.stat().st_mode & 0o777) == "0o755"
