"""Run the client parsers on calendar files we wrote and compare with the Timeline.

Each parser runs once per batch of files (one process, every event), and prints
``{file: [{uid, summary, start, end, start_zone, end_zone}]}``. A parser that is not installed
fails the test in CI and skips it elsewhere, naming the install script.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TOOLS = HERE.parent / "tools"
DEBIAN_PYTHON = "/usr/bin/python3"
INSTALL = "bash tests/tools/install-test-tools.sh"


def _icaljs_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (TOOLS / "node_modules" / "ical.js" / "package.json").is_file():
        return "ical.js is not installed in tests/tools/node_modules"
    return None


def _libical_missing() -> str | None:
    if not os.access(DEBIAN_PYTHON, os.X_OK):
        return f"{DEBIAN_PYTHON} is missing"
    probe = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
    done = subprocess.run([DEBIAN_PYTHON, "-c", probe], capture_output=True, timeout=60)
    if done.returncode != 0:
        return "libical's GObject bindings (gir1.2-ical-3.0, python3-gi) are not installed"
    return None


PARSERS = {
    "ical.js": (["node", str(HERE / "icaljs_instants.mjs")], _icaljs_missing),
    "libical": ([DEBIAN_PYTHON, str(HERE / "libical_instants.py")], _libical_missing),
}


def require(parser: str) -> None:
    """Fail in CI, skip elsewhere, when ``parser`` cannot run on this machine."""
    missing = PARSERS[parser][1]()
    if missing is None:
        return
    message = f"{parser}: {missing}; run `{INSTALL}`"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def parse(parser: str, paths: Iterable[Path]) -> dict[Path, list[dict]]:
    """Every event of every file in ``paths`` as ``parser`` reads it, in one process."""
    paths = list(paths)
    command = PARSERS[parser][0]
    done = subprocess.run([*command, *map(str, paths)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{parser} failed:\n{done.stderr[-3000:]}"
    found = json.loads(done.stdout)
    return {Path(name): events for name, events in found.items()}


def mismatches(
    parsed: list[dict],
    expected: Mapping[str, tuple[str, str]],
    zones: Iterable[str],
    optional: frozenset[str] = frozenset(),
) -> list[str]:
    """What a parser read differently from the Timeline, one line per wrong event."""
    wrong = []
    seen = {event["uid"] for event in parsed}
    if len(seen) != len(parsed):
        wrong.append(f"{len(parsed) - len(seen)} events share a UID with another")
    wrong.extend(f"{uid}: missing" for uid in sorted(set(expected) - seen - optional))
    wrong.extend(f"{uid}: not expected" for uid in sorted(seen - set(expected)))
    for event in parsed:
        want = expected.get(event["uid"])
        if want is None:
            continue
        got = (event["start"], event["end"])
        used = {event["start_zone"], event["end_zone"]}
        allowed = {*zones, None} if "T" in want[0] else {None}  # None: UTC, or a date
        if got != want or not used <= allowed:
            wrong.append(f"{event['uid']}: read {got} in {sorted(map(str, used))}, want {want}")
    return wrong


@dataclass(frozen=True)
class Calendar:
    """What a reader's client holds: one feed file, or one file per event (a vdir, the
    objects stored on a CalDAV server). ``expected`` is UID -> (start, end); ``zones``
    the TZIDs its timed events may use (a coordinator's feed mixes families); ``optional``
    the expected events at the range's edges that a writer's range policy may drop."""

    name: str
    files: tuple[Path, ...]
    expected: Mapping[str, tuple[str, str]]
    zones: tuple[str, ...]
    optional: frozenset[str] = frozenset()  # expected UIDs the calendar may leave out


def assert_reads_like_timeline(parser: str, calendars: Iterable[Calendar]) -> dict[str, list[dict]]:
    """Parse every file of every calendar in one run of ``parser`` and assert that each
    calendar holds exactly the expected events (optional ones aside) at the Timeline's
    instants. Returns each calendar's events by calendar name, as the parser read them."""
    calendars = list(calendars)
    parsed = parse(parser, [path for calendar in calendars for path in calendar.files])
    problems = []
    read = {}
    for calendar in calendars:
        events = read[calendar.name] = [e for path in calendar.files for e in parsed[path]]
        wrong = mismatches(events, calendar.expected, calendar.zones, calendar.optional)
        if wrong:
            problems.append(f"{calendar.name}: {len(wrong)} of {len(events)} wrong, e.g.")
            problems.extend(f"  {line}" for line in wrong[:5])
    assert not problems, f"{parser} disagrees with zoneinfo:\n" + "\n".join(problems)
    return read
