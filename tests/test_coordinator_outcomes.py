"""Recorded exchange outcomes show in the coordinator's calendar, never in a parent's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest

from pc_calendar.cli import main
from pc_calendar.plan.load import load_plan
from pc_calendar.schedule.engine import compute_timeline

EXAMPLE = Path(__file__).parents[1] / "examples" / "rivera-chen.toml"
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("PC_CALENDAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PC_CALENDAR_NOW", NOW.isoformat())
    monkeypatch.setenv("PC_CALENDAR_PLUGINS", "none")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")


def run(*args: object) -> None:
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        assert exc.code in (0, None), exc.code


def summaries(path: Path) -> dict[str, str]:
    """Exchange id -> SUMMARY of every exchange event in a calendar file."""
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    found = {}
    for event in cal.walk("VEVENT"):
        for line in str(event.get("DESCRIPTION", "")).splitlines():
            if line.startswith("Exchange id: "):
                found[line.removeprefix("Exchange id: ")] = str(event["SUMMARY"])
    return found


def test_missed_exchange_is_marked_in_the_family_calendar_only(tmp_path):
    plan = load_plan(EXAMPLE)
    timeline = compute_timeline(plan, date(2026, 11, 1), date(2026, 12, 1))
    missed, late = [e for e in timeline.merged_exchanges() if e.at < NOW][:2]
    run("exchange", "record", EXAMPLE, missed.id, "--status", "missed", "--by", "coordinator")
    run(
        "exchange",
        "record",
        EXAMPLE,
        late.id,
        "--status",
        "late",
        "--minutes-late",
        "15",
        "--by",
        "alex",
    )
    out = tmp_path / "out"
    run("export", EXAMPLE, "-o", f"{out}/", "--from", "2026-11-01", "--to", "2026-12-01")

    family = summaries(out / "rivera-chen.ics")
    assert family[missed.id].endswith(" - MISSED")
    assert family[late.id].endswith(" - late 15 min")
    unrecorded = [s for i, s in family.items() if i not in (missed.id, late.id)]
    assert unrecorded and not any(" - " in s.split(" at ")[-1] for s in unrecorded)
    for parent in ("alex", "sam"):
        text = (out / f"rivera-chen-{parent}.ics").read_text()
        assert "MISSED" not in text and "late 15 min" not in text
