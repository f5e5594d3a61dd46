"""What ``check`` loads, and what the CLI does around importing a command.

``check`` runs right after a coordinator edits a plan, so it must not pay for what only
sync, the exchange log or the servers need: the first test runs it in a fresh
interpreter and lists the modules it must never import. The others pin down
:mod:`pc_calendar.startup`: pydantic plugins skipped unless the user asks, and the
environment and the collector as they were once the command module is imported.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pc_calendar import startup

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "rivera-chen.toml"

#: network stacks, keyring, and our own modules for sync, its state, the exchange log,
#: statistics and views: none is needed to validate and lint a plan
NEVER_FOR_CHECK = {
    "caldav",
    "niquests",
    "urllib3",
    "requests",
    "httplib2",
    "googleapiclient",
    "google.auth",
    "keyring",
    "rich",
    "pc_calendar.sync.caseload",
    "pc_calendar.sync.runner",
    "pc_calendar.sync.state",
    "pc_calendar.backends.caldav_http",
    "pc_calendar.backends.google_backend",  # the example has no Google target
    "pc_calendar.exchanges.store",
    "pc_calendar.schedule.stats",
    "pc_calendar.compare.shares",
    "pc_calendar.views",
}


def _run(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )


def test_check_of_the_example_imports_nothing_sync_or_the_network_needs(tmp_path):
    plan = tmp_path / "family.toml"
    shutil.copy(EXAMPLE, plan)
    code = textwrap.dedent(
        """
        import json, sys
        from pc_calendar.cli import main
        try:
            main(["check", sys.argv[1]])
        except SystemExit as exc:
            assert not exc.code, exc.code
        print(json.dumps(sorted(sys.modules)))
        """
    )
    loaded = set(json.loads(_run(code, str(plan)).stdout.splitlines()[-1]))
    assert "pc_calendar.plan.model" in loaded  # it did check the plan
    assert loaded & NEVER_FOR_CHECK == set()


OBSERVER = """\
import os


class Observer:
    def new_schema_validator(self, schema, schema_type, *rest):
        with open(os.environ["OBSERVED"], "a", encoding="utf-8") as seen:
            seen.write(getattr(schema_type, "__name__", "?") + "\\n")
        return None, None, None


plugin = Observer()
"""


@pytest.fixture
def pydantic_observer(tmp_path):
    """A pydantic plugin installed as its entry point makes it visible; (env, log file)."""
    site = tmp_path / "site"
    info = site / "observer-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: observer\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pydantic]\nobserver = observer:plugin\n")
    (site / "observer.py").write_text(OBSERVER)
    log = tmp_path / "observed.txt"
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    env = {"PYTHONPATH": path, "OBSERVED": str(log)}
    env_without = {k: v for k, v in os.environ.items() if k != startup.PYDANTIC_PLUGINS_ENV}
    return {**env_without, **env}, log


def _check_with(env: dict[str, str], tmp_path: Path) -> None:
    plan = tmp_path / "family.toml"
    shutil.copy(EXAMPLE, plan)
    subprocess.run(
        [sys.executable, "-c", "from pc_calendar.cli import main; main()", "check", str(plan)],
        capture_output=True,
        env=env,
        check=True,
    )


def test_pydantic_plugins_do_not_observe_the_plan_model(pydantic_observer, tmp_path):
    env, log = pydantic_observer
    _check_with(env, tmp_path)
    seen = log.read_text().split() if log.exists() else []
    assert "Plan" not in seen


def test_a_pydantic_plugins_setting_of_the_user_is_kept(pydantic_observer, tmp_path):
    env, log = pydantic_observer
    _check_with({**env, startup.PYDANTIC_PLUGINS_ENV: ""}, tmp_path)  # "": disable none
    assert "Plan" in log.read_text().split()


def test_importing_a_command_leaves_environment_and_collector_as_they_were(monkeypatch):
    monkeypatch.delenv(startup.PYDANTIC_PLUGINS_ENV, raising=False)
    assert gc.isenabled()
    with startup.importing_command():
        assert os.environ[startup.PYDANTIC_PLUGINS_ENV] == "__all__"
        assert not gc.isenabled()
    assert startup.PYDANTIC_PLUGINS_ENV not in os.environ
    assert gc.isenabled()


def test_importing_a_command_keeps_a_paused_collector_paused_and_a_users_setting(monkeypatch):
    monkeypatch.setenv(startup.PYDANTIC_PLUGINS_ENV, "logfire")
    gc.disable()
    try:
        with startup.importing_command():
            assert os.environ[startup.PYDANTIC_PLUGINS_ENV] == "logfire"
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert os.environ[startup.PYDANTIC_PLUGINS_ENV] == "logfire"


def test_the_import_is_frozen_only_when_the_run_is_the_whole_process(tmp_path):
    plan = tmp_path / "family.toml"
    shutil.copy(EXAMPLE, plan)
    code = textwrap.dedent(
        """
        import gc, sys
        from pc_calendar.cli import main
        {call}
        print(gc.get_freeze_count())
        """
    )
    from_shell = code.format(call="main()")  # arguments from sys.argv, as the script's
    caller = code.format(call="main(['check', sys.argv[2]])")  # a caller that goes on
    assert int(_run(from_shell, "check", str(plan)).stdout.split()[-1]) > 0
    assert int(_run(caller, "-", str(plan)).stdout.split()[-1]) == 0
