"""``pc-calendar export`` on the shipped example plan, through the real engine."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import icalendar
import pytest

from pc_calendar import identity
from pc_calendar.cli import main
from pc_calendar.cli.export import default_range
from pc_calendar.plan.load import load_plan
from pc_calendar.schedule.engine import compute_timeline

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rivera-chen.toml"
RANGE = ["--from", "2026-11-01", "--to", "2027-02-01"]


@pytest.fixture(autouse=True)
def pinned_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    try:
        main(["export", str(EXAMPLE), *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def events(path: Path) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def kinds(path: Path) -> set[str]:
    return {str(ev[identity.KIND_PROP]) for ev in events(path)}


def test_folder_export_writes_each_parent_and_the_family(tmp_path, capsys) -> None:
    target = tmp_path / "out"
    code, out, err = run(capsys, "-o", f"{target}/", *RANGE)
    assert code == 0, err
    names = sorted(p.name for p in target.iterdir())
    assert names == ["rivera-chen-alex.ics", "rivera-chen-sam.ics", "rivera-chen.ics"]
    for name in names:
        count = len(events(target / name))
        assert f"wrote {target / name} ({count} events, 2026-11-01 to 2027-02-01)" in out
    assert kinds(target / "rivera-chen-alex.ics") == {"own_custody", "exchanges", "holidays"}
    assert kinds(target / "rivera-chen-sam.ics") == {
        "own_custody",
        "other_custody",
        "exchanges",
        "holidays",
    }
    assert kinds(target / "rivera-chen.ics") == {"custody", "exchanges", "holidays"}
    for path in target.iterdir():  # the example's emails never reach a calendar
        assert b"@example.org" not in path.read_bytes()
        for ev in events(path):
            start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
            assert type(start) is type(end) and end > start, ev["UID"]


def test_same_plan_same_range_gives_identical_bytes(tmp_path, capsys) -> None:
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    assert run(capsys, "--parent", "sam", "-o", str(first), *RANGE)[0] == 0
    assert run(capsys, "--parent", "Sam", "-o", str(second), *RANGE)[0] == 0
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ics", "b.ics"]  # no temp files


def test_parent_calendar_matches_the_timeline(tmp_path, capsys) -> None:
    """Sam sees both custody kinds: together they tile the range with no gap or overlap,
    and every exchange Sam takes part in is there once, with a reminder."""
    path = tmp_path / "sam.ics"
    assert run(capsys, "--parent", "sam", "-o", str(path), *RANGE)[0] == 0
    evs = events(path)
    custody = sorted(
        (ev.decoded("DTSTART"), ev.decoded("DTEND"))
        for ev in evs
        if str(ev[identity.KIND_PROP]).endswith("custody")
    )
    timeline = compute_timeline(load_plan(EXAMPLE), date(2026, 11, 1), date(2027, 2, 1))
    # whole blocks: the first and last cross the range's midnights, never clipped there
    zone = timeline.zone
    first, last = datetime(2026, 11, 1, tzinfo=zone), datetime(2027, 2, 1, tzinfo=zone)
    assert custody[0][0] < first < custody[0][1]
    assert custody[-1][0] < last < custody[-1][1]
    assert all(a[1] == b[0] for a, b in zip(custody, custody[1:], strict=False))
    wanted = [ex for ex in timeline.merged_exchanges() if "sam" in (ex.from_parent, ex.to_parent)]
    got = sorted(ev.decoded("DTSTART") for ev in evs if str(ev[identity.KIND_PROP]) == "exchanges")
    assert got == [ex.at for ex in wanted]
    for ev in evs:
        if str(ev[identity.KIND_PROP]) == "exchanges":
            assert ev.walk("VALARM")[0].decoded("TRIGGER").total_seconds() == -120 * 60


def test_family_calendar_to_a_file(tmp_path, capsys) -> None:
    path = tmp_path / "family.ics"
    code, out, _ = run(capsys, "-o", str(path), *RANGE)
    assert code == 0 and out.count("wrote ") == 1
    assert kinds(path) == {"custody", "exchanges", "holidays"}
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/Chicago"]


def test_parent_into_a_folder(tmp_path, capsys) -> None:
    assert run(capsys, "--parent", "alex", "-o", str(tmp_path), *RANGE)[0] == 0
    assert [p.name for p in tmp_path.iterdir()] == ["rivera-chen-alex.ics"]


def test_unknown_parent_lists_parents_and_writes_nothing(tmp_path, capsys) -> None:
    code, _, err = run(capsys, "--parent", "bob", "-o", str(tmp_path / "x.ics"), *RANGE)
    assert code == 2
    assert "bob" in err and "alex (Alex Rivera)" in err and "sam (Sam Chen)" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2027-01-01", "--to", "2026-01-01"], "--to 2026-01-01 must be after"),
        (["--from", "2026-02-30"], "--from: expected a date"),
    ],
)
def test_bad_range_is_a_user_error(tmp_path, capsys, args, message) -> None:
    code, _, err = run(capsys, "-o", str(tmp_path / "x.ics"), *args)
    assert code == 2 and message in err
    assert list(tmp_path.iterdir()) == []


def test_missing_output_folder_is_a_user_error(tmp_path, capsys) -> None:
    code, _, err = run(capsys, "-o", str(tmp_path / "nope" / "x.ics"), *RANGE)
    assert code == 2 and "does not exist" in err


def test_default_range_is_this_year_and_the_next() -> None:
    plan = load_plan(EXAMPLE)
    assert default_range(plan, date(2026, 5, 3)) == (date(2026, 1, 1), date(2028, 1, 1))
    start, end = default_range(plan)
    # the family's "this year" may differ from the machine's by a day around New Year
    assert (start.month, start.day) == (1, 1) and abs(start.year - datetime.now().year) <= 1
    assert (end.year - start.year, end.month, end.day) == (2, 1, 1)


class DiskFull(OSError):
    pass


def test_a_failure_half_way_through_a_folder_leaves_every_file_as_it_was(
    tmp_path, capsys, monkeypatch
) -> None:
    """Calendars are streamed to temporary files and put in place only when all are
    written: the third calendar failing (a full disk, here) leaves the first two as
    they were, no temporary file behind, and a folder the run created is removed."""
    from pc_calendar.render.publish import Published

    target = tmp_path / "out"
    assert run(capsys, "-o", f"{target}/", *RANGE)[0] == 0
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    written = []
    real = Published.vevent

    def failing(self):
        written.append(self)
        if len(written) > 400:  # well into the third calendar
            raise DiskFull(28, "No space left on device")
        return real(self)

    monkeypatch.setattr(Published, "vevent", failing)
    year = ["--from", "2026-06-01", "--to", "2027-06-01"]
    code, _, err = run(capsys, "-o", f"{target}/", *year)
    assert code == 2 and "No space left on device" in err
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    fresh = tmp_path / "fresh"
    written.clear()
    assert run(capsys, "-o", f"{fresh}/", *year)[0] == 2
    assert not fresh.exists()
