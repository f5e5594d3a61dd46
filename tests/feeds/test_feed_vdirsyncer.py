"""A real subscriber: vdirsyncer's ``http`` storage pulls a feed into a local vdir.

vdirsyncer's http storage rewrites each event's UID to a hash of its content, so events
are compared by content with the UID left out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest
from feed_helpers import Served

VDIRSYNCER = shutil.which("vdirsyncer") or str(Path(sys.executable).parent / "vdirsyncer")


def _content(event: icalendar.Event) -> tuple[bytes, ...]:
    """An event as its sorted content lines, without the UID vdirsyncer replaces."""
    lines = event.to_ical().decode("utf-8").replace("\r\n ", "").split("\r\n")
    return tuple(sorted(line.encode() for line in lines if line and not line.startswith("UID:")))


def _feed_events(body: bytes) -> list[tuple[bytes, ...]]:
    return sorted(_content(e) for e in icalendar.Calendar.from_ical(body).walk("VEVENT"))


def _run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NO_PROXY"] = "127.0.0.1"
    return subprocess.run(
        [VDIRSYNCER, "-c", str(config), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(not Path(VDIRSYNCER).exists(), reason="vdirsyncer is in the test extra")
def test_vdirsyncer_subscribes_and_gets_every_event_intact(served: Served, tmp_path: Path) -> None:
    local = tmp_path / "vdir"
    local.mkdir()
    config = tmp_path / "vdirsyncer.conf"
    config.write_text(
        f"""[general]
status_path = "{tmp_path / "status"}/"

[pair feed]
a = "feed_remote"
b = "feed_local"
collections = null

[storage feed_remote]
type = "http"
url = "{served.url}{served.path("sam")}"

[storage feed_local]
type = "filesystem"
path = "{local}/"
fileext = ".ics"
""",
        encoding="utf-8",
    )
    for step in ("discover", "sync"):
        done = _run(config, step, "feed")
        assert done.returncode == 0, f"vdirsyncer {step}:\n{done.stdout}\n{done.stderr}"

    feed = served.get("sam").body
    files = sorted(local.glob("*.ics"))
    pulled = []
    for path in files:
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        pulled.extend(_content(e) for e in cal.walk("VEVENT"))
    assert len(files) == feed.count(b"BEGIN:VEVENT") > 20
    assert sorted(pulled) == _feed_events(feed)
    # Each pulled file keeps the time zone its events are in.
    sample = icalendar.Calendar.from_ical(files[0].read_bytes())
    assert [str(tz["TZID"]) for tz in sample.walk("VTIMEZONE")] == ["America/Chicago"]

    # A second sync with nothing changed leaves the vdir as it was.
    before = {p.name: p.read_bytes() for p in files}
    done = _run(config, "sync", "feed")
    assert done.returncode == 0, done.stderr
    assert {p.name: p.read_bytes() for p in local.glob("*.ics")} == before
