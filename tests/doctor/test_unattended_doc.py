"""docs/unattended.md's recipes, run: the cron command, the monitoring script on what it
prints (a healthy caseload, then one with a wrong password), and the systemd units
checked by systemd-analyze."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from doctor_helpers import EXAMPLE, write_calendars

DOC = Path(__file__).parents[2] / "docs" / "unattended.md"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(), re.S)


@pytest.fixture
def caseload(tmp_path) -> Path:
    """~/families with one folder per family, each plan with its calendars.toml."""
    home = tmp_path / "home"
    for name in ("rivera-chen", "okafor"):
        folder = home / "families" / name
        folder.mkdir(parents=True)
        text = EXAMPLE.read_text()
        if name == "okafor":
            text = text.replace('id = "rivera-chen"', 'id = "okafor"', 1)
        (folder / "family.toml").write_text(text)
    (home / ".cache").mkdir()
    return home


def _cron(home: Path, env: dict) -> subprocess.CompletedProcess:
    (line,) = [ln for ln in _blocks("cron")[0].splitlines() if ln.strip()]
    command = line.split(None, 5)[5]  # after the five schedule fields
    # a real cron run, only shorter: one month instead of the default range
    command = command.replace(
        "sync . -r --json", "sync . -r --json --from 2026-12-01 --to 2027-01-01"
    )
    return subprocess.run(["sh", "-c", command], env=env | {"HOME": str(home)}, timeout=300)


def _monitor(home: Path) -> subprocess.CompletedProcess:
    script = home / "monitor.py"
    script.write_text(_blocks("python")[0])
    summary = home / ".cache" / "pc-calendar-last.json"
    return subprocess.run([sys.executable, str(script), str(summary)], capture_output=True,
                          text=True, timeout=60)  # fmt: skip


def test_cron_line_and_monitor_on_a_healthy_caseload(caseload):
    env = dict(os.environ, PC_CALENDAR_STATE=str(caseload / "state.sqlite"))
    assert _cron(caseload, env).returncode == 0
    monitored = _monitor(caseload)
    assert monitored.returncode == 0, monitored.stdout
    assert monitored.stdout.strip() == "4 of 4 calendars ok"


def test_monitor_names_the_failing_calendar(caseload, radicale_server, monkeypatch):
    plan = caseload / "families" / "okafor" / "family.toml"
    calendar = radicale_server.new_calendar()
    write_calendars(plan, alex={"type": "caldav", "url": radicale_server.base_url,
                                "calendar": calendar.path, "username": "alex",
                                "password_env": "OKAFOR_WRONG"})  # fmt: skip
    env = dict(os.environ, PC_CALENDAR_STATE=str(caseload / "state.sqlite"),
               OKAFOR_WRONG="not it")  # fmt: skip
    assert _cron(caseload, env).returncode == 1
    monitored = _monitor(caseload)
    assert monitored.returncode == 2
    assert "okafor/alex" in monitored.stdout and "authentication failed" in monitored.stdout
    assert "3 of 4 calendars ok" in monitored.stdout
    assert "not it" not in (caseload / ".cache" / "pc-calendar-last.json").read_text()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_units_verify(tmp_path):
    units = _blocks("ini")
    names = ["pc-calendar-sync.service", "pc-calendar-sync.timer", "pc-calendar-serve.service"]
    assert len(units) == len(names)
    for name, text in zip(names, units, strict=True):
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / n) for n in names)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    complaints = [
        ln for ln in done.stderr.splitlines()
        if "pc-calendar" in ln and "Failed to" not in ln.split(":", 1)[0]
    ]  # fmt: skip
    assert done.returncode == 0 and not complaints, done.stderr
