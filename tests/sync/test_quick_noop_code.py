"""The quick no-op and the code that would run: plugins, edited sources, a real process.

A plugin installed, upgraded or removed, or a source file of pc_calendar edited (an
editable install), may change what a sync renders or prints: the quick path steps aside
for the full one. A plugin that implements ``pc_calendar_sync_finished`` must hear every
run, so its users never get the quick path. And as a real process, the quick no-op loads
neither pydantic nor caldav.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fake_dist import install_fake_dist
from quick_helpers import (
    RANGE,
    Family,
    _fresh_plugin_managers,  # noqa: F401 (autouse fixture)
    new_family,
)

from pc_calendar import plugins
from pc_calendar.plugins import ALLOW_ENV

TEMPLATE_PLUGIN = """
from pc_calendar import hookimpl

@hookimpl
def pc_calendar_register_templates(register):
    register("quick-test-template", "A template", "# fake\\n")
"""

FINISHED_PLUGIN = """
import os
from pc_calendar import hookimpl

@hookimpl
def pc_calendar_sync_finished(family, target, summary, parent):
    with open(os.environ["QUICK_TEST_HEARD"], "a") as log:
        log.write(parent + "\\n")
"""


@pytest.fixture
def family(tmp_path, capsys) -> Family:
    return new_family(tmp_path / "family", capsys)


def test_a_plugin_installed_upgraded_or_removed_takes_the_full_path(family, tmp_path, monkeypatch):
    monkeypatch.setenv(ALLOW_ENV, "quick-test")
    family.converge()
    assert family.run().quick
    site = tmp_path / "site"
    install_fake_dist(
        monkeypatch, site, "pc-calendar-quick-test", "1.0", {"quick-test": "quick_test_mod"},
        {"quick_test_mod": TEMPLATE_PLUGIN},
    )  # fmt: skip
    plugins._clear_managers()
    assert not family.run().quick
    assert family.run().quick
    # upgraded in place: the folder on sys.path now holds another version
    (site / "pc_calendar_quick_test-1.0.dist-info").rename(
        site / "pc_calendar_quick_test-1.1.dist-info"
    )
    plugins._clear_managers()
    assert family.run().outcome == "inputs changed"
    assert family.run().quick
    # removed
    shutil.rmtree(site / "pc_calendar_quick_test-1.1.dist-info")
    plugins._clear_managers()
    assert family.run().outcome == "inputs changed"


def test_the_allow_list_is_part_of_the_key(family, monkeypatch):
    monkeypatch.setenv(ALLOW_ENV, "none")
    family.converge()
    assert family.run().quick
    monkeypatch.delenv(ALLOW_ENV)
    plugins._clear_managers()
    assert family.run().outcome == "inputs changed"


def test_a_sync_finished_plugin_hears_every_run(family, tmp_path, monkeypatch):
    heard = tmp_path / "heard.txt"
    monkeypatch.setenv("QUICK_TEST_HEARD", str(heard))
    monkeypatch.setenv(ALLOW_ENV, "finished")
    install_fake_dist(
        monkeypatch, tmp_path / "site", "pc-calendar-finished", "1.0",
        {"finished": "finished_mod"}, {"finished_mod": FINISHED_PLUGIN},
    )  # fmt: skip
    plugins._clear_managers()
    for index in range(3):
        run = family.run()
        assert run.code == 0 and run.outcome == ("no sync state" if index == 0 else "no entry")
    assert heard.read_text().split() == ["alex", "sam"] * 3


def test_an_edited_source_file_takes_the_full_path(family, tmp_path, monkeypatch):
    """An editable install: the version stays, the code changes."""
    import pc_calendar.render.text as module

    family.converge()
    assert family.run().quick
    source = Path(module.__file__)
    stat = source.stat()
    try:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert family.run().outcome == "inputs changed"
    finally:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))


# The child reports its heavy modules and its own peak memory (VmHWM: wait4's ru_maxrss
# would include pytest's, which the child inherits when it is spawned)
LOADED = """
import atexit, re, sys
HEAVY = ("pydantic", "caldav", "niquests", "icalendar", "pc_calendar.plan.model")
def report():
    peak = re.search(r"VmHWM:\\s*(\\d+)", open("/proc/self/status").read())[1]
    sys.stderr.write("PEAK:" + peak + "\\n")
    sys.stderr.write("LOADED:" + ",".join(m for m in HEAVY if m in sys.modules) + "\\n")
atexit.register(report)
from pc_calendar.cli import main
sys.argv[0] = "pc-calendar"
main(sys.argv[1:])
"""


def run_process(family: Family, tmp_path: Path) -> tuple[str, str, float]:
    """``pc-calendar sync`` as its own process: stdout, the heavy modules it loaded, and
    its own peak memory in MiB."""
    args = ["sync", str(family.plan), "--state", str(family.state), *RANGE]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    with open(tmp_path / "out", "w+") as out, open(tmp_path / "err", "w+") as err:
        done = subprocess.run([sys.executable, "-c", LOADED, *args], env=env,
                              stdout=out, stderr=err)  # fmt: skip
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    assert done.returncode == 0, stderr
    peak = int(stderr.split("PEAK:", 1)[1].split()[0]) / 1024
    return stdout, stderr.rsplit("LOADED:", 1)[1].strip(), peak


def test_as_a_process_the_quick_noop_loads_neither_pydantic_nor_caldav(family, tmp_path):
    out_push, loaded, _ = run_process(family, tmp_path)
    assert "created" in out_push and "pydantic" in loaded
    family.forget_entries()
    out_full, loaded, _ = run_process(family, tmp_path)  # the full no-op
    assert "pydantic" in loaded
    out_quick, loaded, peak = run_process(family, tmp_path)
    assert out_quick == out_full and "unchanged (" in out_quick
    assert loaded == ""
    assert peak < 40  # MiB: issue 15's ceiling for a no-op


def test_the_sync_command_imports_no_plan_model():
    """Loading ``sync`` (and its date options' years) must not load pydantic; the quick
    path to a CalDAV calendar not pluggy either (no plugin manager is built)."""
    from pc_calendar.cli.common import YEARS
    from pc_calendar.plan.toml_types import SUPPORTED_YEARS

    assert YEARS == SUPPORTED_YEARS
    code = (
        "import sys, pc_calendar.cli.sync, pc_calendar.sync.quick, pc_calendar.sync.quick_probe\n"
        "import pc_calendar.backends.caldav_probe\n"
        "print(sorted(m for m in ('pydantic', 'caldav', 'pc_calendar.plan', 'pluggy')"
        " if m in sys.modules))"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr
