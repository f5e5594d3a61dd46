"""``pc-calendar feed issue|revoke|list`` and ``pc-calendar serve``, end to end."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pc_calendar.cli import main
from pc_calendar.feeds.tokens import TokenStore, log_id


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_issue_prints_the_path_once_and_list_shows_only_ids(
    capsys: pytest.CaptureFixture, plans: list[Path], tmp_path: Path
) -> None:
    db = str(tmp_path / "tokens.sqlite3")
    code, out, err = run(capsys, "feed", "issue", str(plans[0]), "alex", "--db", db)
    assert code == 0, err
    path = out.strip()
    assert re.fullmatch(r"/feeds/[A-Za-z0-9_-]{43}\.ics", path)
    assert "shown only now" in err
    token = path[len("/feeds/") : -len(".ics")]
    assert TokenStore(db).lookup(token) == ("rivera-chen", "alex")

    code, out, _ = run(capsys, "feed", "issue", str(plans[0]), "coordinator", "--db", db)
    assert code == 0
    coordinator = out.strip()[len("/feeds/") : -len(".ics")]
    assert TokenStore(db).lookup(coordinator) == ("*", "coordinator")

    code, out, _ = run(capsys, "feed", "list", str(plans[0]), "--db", db)
    assert code == 0
    assert log_id(token) in out and log_id(coordinator) in out
    assert token not in out and coordinator not in out
    assert out.count("active") == 2


def test_revoke_then_list_and_errors(
    capsys: pytest.CaptureFixture, plans: list[Path], tmp_path: Path
) -> None:
    db = str(tmp_path / "tokens.sqlite3")
    run(capsys, "feed", "issue", str(plans[0]), "sam", "--db", db)
    code, out, _ = run(capsys, "feed", "revoke", str(plans[0]), "sam", "--db", db)
    assert code == 0 and "revoked 1 feed URL of Sam Chen" in out
    code, out, _ = run(capsys, "feed", "list", str(plans[0]), "sam", "--db", db)
    assert "revoked" in out and "active" not in out
    code, _, err = run(capsys, "feed", "revoke", str(plans[0]), "sam", "--db", db)
    assert code == 2 and "no active feed URL" in err
    code, _, err = run(capsys, "feed", "issue", str(plans[0]), "zoe", "--db", db)
    assert code == 2 and "no parent 'zoe'" in err and "Traceback" not in err


def test_data_dir_env_is_the_default_location(
    capsys: pytest.CaptureFixture,
    plans: list[Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PC_CALENDAR_DATA_DIR", str(tmp_path / "data"))
    code, out, _ = run(capsys, "feed", "issue", str(plans[0]), "alex")
    assert code == 0
    assert (tmp_path / "data" / "feeds.sqlite3").is_file()
    token = out.strip()[7:-4]
    assert token.encode() not in (tmp_path / "data" / "feeds.sqlite3").read_bytes()


def test_serve_command_runs_waitress_and_stops_on_sigterm(
    plans: list[Path], tmp_path: Path
) -> None:
    db = tmp_path / "tokens.sqlite3"
    token = TokenStore(db).issue("rivera-chen", "alex")
    env = dict(os.environ, PC_CALENDAR_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen(
        [sys.executable, "-c", "from pc_calendar.cli import main; main()", "serve",
         str(plans[0]), "--port", "0", "--db", str(db)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        line = ""
        deadline = time.monotonic() + 60
        while "serving" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
            assert line or proc.poll() is None, "server exited early"
        port = re.search(r"127\.0\.0\.1:(\d+)/", line)
        assert port, line
        base = f"http://127.0.0.1:{port[1]}"
        with urllib.request.urlopen(f"{base}/feeds/{token}.ics", timeout=30) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"] == "text/calendar; charset=utf-8"
            assert resp.read().startswith(b"BEGIN:VCALENDAR")
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/feeds/{'B' * 43}.ics", timeout=30)
        assert missing.value.code == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=30)
    assert proc.returncode == 0, rest
    assert token not in line + rest  # the access log names tokens by hash prefix only
    assert log_id(token) in rest
