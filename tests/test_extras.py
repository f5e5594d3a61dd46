"""The Google client and the feed server are optional extras: the main job runs without
them, and a plan or command that needs one names the extra to install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "rivera-chen.toml"

# Runs pc-calendar with the extras' modules made impossible to import.
WITHOUT_EXTRAS = """
import sys
from importlib.abc import MetaPathFinder

BLOCKED = ("google", "googleapiclient", "google_auth_httplib2", "google_auth_oauthlib",
           "httplib2", "waitress")

class Block(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Block())
for name in list(sys.modules):
    if name.split(".")[0] in BLOCKED:
        del sys.modules[name]
from pc_calendar.cli import main
main(sys.argv[1:])
"""


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PC_CALENDAR_STATE=str(tmp_path / "state.sqlite"),
               PC_CALENDAR_DATA_DIR=str(tmp_path / "data"))  # fmt: skip
    return subprocess.run([sys.executable, "-c", WITHOUT_EXTRAS, *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.fixture
def plan(tmp_path) -> Path:
    path = tmp_path / "family.toml"
    shutil.copy(EXAMPLE, path)
    return path


def test_core_dependencies_leave_out_the_extras():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = " ".join(project["dependencies"])
    assert "google" not in core and "waitress" not in core
    extras = project["optional-dependencies"]
    assert any(d.startswith("google-api-python-client") for d in extras["google"])
    assert any(d.startswith("waitress") for d in extras["serve"])
    assert "pc-calendar[google,serve,pdf]" in extras["test"]  # the test command installs all


def test_the_main_job_runs_without_extras(tmp_path, plan):
    done = _run(tmp_path, "sync", str(plan), "--from", "2026-12-01", "--to", "2027-01-01")
    assert done.returncode == 0, done.stderr
    assert "created" in done.stdout


def test_a_google_target_names_the_extra(tmp_path, plan):
    (tmp_path / "calendars.toml").write_text('[alex]\ntype = "google"\ncalendar_id = "x"\n')
    done = _run(tmp_path, "sync", str(plan), "--parent", "alex")
    assert done.returncode != 0
    said = done.stdout + done.stderr  # the calendar's failure is in the run's summary
    assert "pc-calendar[google]" in said
    assert "pip install 'pc-calendar[google]'" in said
    assert "Traceback" not in said


def test_google_commands_name_the_extra(tmp_path):
    done = _run(tmp_path, "google", "login", "alex")
    assert done.returncode == 2
    assert "pc-calendar google needs the optional dependencies of pc-calendar[google]" in (
        done.stderr
    )


def test_serve_names_the_extra(tmp_path, plan):
    done = _run(tmp_path, "serve", "--port", "0", str(plan))
    assert done.returncode == 2
    assert "pc-calendar serve needs the optional dependencies of pc-calendar[serve]" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr
