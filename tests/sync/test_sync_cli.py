"""``pc-calendar sync`` on the shipped example plan, into its ics folders."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import icalendar
import pytest

from pc_calendar.cli import main
from pc_calendar.cli.sync import default_range

EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
RANGE = ["--from", "2026-11-01", "--to", "2027-03-01"]


@pytest.fixture
def plan(tmp_path):
    path = tmp_path / "family" / "rivera-chen.toml"
    path.parent.mkdir()
    path.write_text(EXAMPLE.read_text())
    return path


def sync(capsys, plan, *args):
    state = plan.parent.parent / "state.sqlite"
    try:
        main(["sync", str(plan), "--state", str(state), *RANGE, *args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_sync_writes_both_parents_folders_then_is_unchanged(capsys, plan):
    code, out, err = sync(capsys, plan)
    assert code == 0, err
    assert "alex -> ics" in out and "sam -> ics" in out and "created" in out
    for parent in ("alex", "sam"):
        folder = plan.parent / "out" / parent
        feed = folder / f"rivera-chen-{parent}.ics"
        vdir_files = sorted((folder / "vdir").glob("*.ics"))
        cal = icalendar.Calendar.from_ical(feed.read_bytes())
        assert len(cal.walk("VEVENT")) == len(vdir_files) > 10
    code, out, _ = sync(capsys, plan)
    assert code == 0
    assert out.count("unchanged (") == 2 and "created" not in out


def test_json_summary(capsys, plan):
    code, out, _ = sync(capsys, plan, "--json", "--parent", "Sam")
    assert code == 0
    data = json.loads(out)
    assert data["ok"] is True and data["from"] == "2026-11-01" and data["to"] == "2027-03-01"
    [cal] = data["calendars"]
    assert cal["parent"] == "sam" and cal["created"] > 10 and cal["error"] is None
    assert set(cal) >= {"created", "updated", "deleted", "unchanged", "conflicts", "requests"}
    assert not (plan.parent / "out" / "alex").exists()


def test_dry_run_writes_nothing(capsys, plan):
    code, out, _ = sync(capsys, plan, "--dry-run")
    assert code == 0 and "would create" in out and "nothing was written" in out
    assert sorted(p.name for p in plan.parent.parent.rglob("*")) == ["family", "rivera-chen.toml"]


def test_one_failing_calendar_exits_1_and_the_other_syncs(capsys, plan):
    (plan.parent / "out").mkdir()
    (plan.parent / "out" / "sam").write_text("a file where a folder should be")
    code, out, _ = sync(capsys, plan)
    assert code == 1
    assert "sam -> ics" in out and "FAILED" in out and "out/sam" in out
    assert (plan.parent / "out" / "alex" / "rivera-chen-alex.ics").exists()


def test_parent_edit_is_reported(capsys, plan):
    sync(capsys, plan, "--parent", "alex")
    vdir = plan.parent / "out" / "alex" / "vdir"
    victim = sorted(vdir.glob("exchange-*.ics"))[0]
    victim.unlink()
    code, out, _ = sync(capsys, plan, "--parent", "alex", "--conflicts", "keep-theirs")
    assert code == 0 and "conflict:" in out and "kept theirs" in out
    assert not victim.exists()
    code, out, _ = sync(capsys, plan, "--parent", "alex")
    assert "conflict:" in out and "restored" in out and victim.exists()


def test_bad_options_exit_2(capsys, plan):
    code, _, err = sync(capsys, plan, "--to", "2026-10-01")
    assert code == 2 and "--to" in err
    code, _, err = sync(capsys, plan, "--parent", "robin")
    assert code == 2 and "robin" in err and "Traceback" not in err


def test_default_range():
    assert default_range(date(2026, 11, 25)) == (date(2026, 10, 1), date(2028, 11, 1))
    assert default_range(date(2027, 1, 1)) == (date(2026, 12, 1), date(2029, 1, 1))


def test_progress_bar_ticks_only_for_many_writes():
    from pc_calendar.cli.sync import PROGRESS_MIN, _progress_bar

    with _progress_bar(False) as none:
        assert none is None
    with _progress_bar(True) as start:
        small = start("cal", PROGRESS_MIN - 1)
        small(1)
        tick = start("cal", PROGRESS_MIN * 2)
        for _ in range(PROGRESS_MIN * 2):
            tick(1)


def _custody_spans(folder):
    spans = []
    for path in (folder / "vdir").glob("custody-*.ics"):
        event = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")[0]
        spans.append((event.decoded("DTSTART"), event.decoded("DTEND"), path.name))
    return sorted(spans)


def test_moving_range_keeps_identities_no_overlapping_duplicates(capsys, plan):
    """Next month's range must not re-create the first custody run under a new UID."""
    state = ["--state", str(plan.parent.parent / "state.sqlite")]
    for start, end in (("2026-11-01", "2027-03-01"), ("2026-12-01", "2027-04-01")):
        main(["sync", str(plan), *state, "--from", start, "--to", end])
    capsys.readouterr()
    for parent in ("alex", "sam"):
        spans = _custody_spans(plan.parent / "out" / parent)
        assert len(spans) > 5
        for (_, end, name), (start, _, other) in zip(spans, spans[1:], strict=False):
            assert start >= end, f"{name} overlaps {other}"
