"""Bad input on the command line: a clear message and exit status 2, never a traceback.

Each case used to end in a traceback (issue 13): years the engine cannot reach, a
lateness that overflows, an override with a UTC offset on one edge (also inside a
folder sync, where it showed as an "internal error").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pc_calendar.cli import main

MINIMAL = (Path(__file__).parent / "data" / "minimal.toml").read_text()
ONE_SIDED_OFFSET = MINIMAL + (
    '\n[[overrides]]\nname = "Trip"\nkind = "decision"\ndecided_by = "coordinator"\n'
    'start = 2026-07-01T18:00:00-05:00\nend = 2026-07-03T18:00:00\nparent = "ben"\n'
    "decided_on = 2026-06-01\n"
)


@pytest.fixture
def plan_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PC_CALENDAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PC_CALENDAR_STATE", str(tmp_path / "state.sqlite3"))
    monkeypatch.setenv("PC_CALENDAR_NOW", "2026-03-20T12:00:00+00:00")
    path = tmp_path / "plan.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture, *args: object) -> tuple[int, str, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "args",
    [
        ["export", "{plan}", "--from", "9999-01-01", "-o", "{tmp}/x.ics"],
        ["export", "{plan}", "--from", "0001-01-01", "-o", "{tmp}/x.ics"],
        ["exchanges", "{plan}", "--from", "9999-01-01"],
        ["exchanges", "{plan}", "--to", "0001-01-02"],
        ["status", "{plan}", "--from", "9999-01-01"],
        ["sync", "{plan}", "--dry-run", "--to", "9999-12-31"],
    ],
)
def test_dates_out_of_range_are_an_error(plan_file, tmp_path, capsys, args):
    args = [a.format(plan=plan_file, tmp=tmp_path) for a in args]
    code, out, err = run(capsys, *args)
    assert code == 2, err
    assert "expected a date between 1900-01-01 and 2199-12-31" in err
    assert "Traceback" not in err and not (tmp_path / "x.ics").exists()


def test_the_last_supported_year_still_works(plan_file, tmp_path, capsys):
    code, out, err = run(
        capsys, "export", plan_file, "--from", "2199-12-01", "-o", tmp_path / "x.ics"
    )
    assert code == 0, err
    code, out, err = run(capsys, "exchanges", plan_file, "--from", "2199-12-01")
    assert code == 0, err


@pytest.mark.parametrize("when", ["9999-12-31", "0001-01-01T1800-ana-ben"])
def test_an_exchange_date_out_of_range_is_an_error(plan_file, capsys, when):
    code, out, err = run(capsys, "exchange", "record", plan_file, when, "--status", "missed")
    assert code == 2
    assert "WHEN: expected a date between 1900-01-01 and 2199-12-31" in err


def test_an_absurd_lateness_is_an_error(plan_file, capsys):
    code, out, err = run(
        capsys,
        "exchange",
        "record",
        plan_file,
        "2026-03-09",
        "--status",
        "late",
        "--minutes-late",
        "9999999999",
    )
    assert code == 2
    assert "--minutes-late: must be at most 10080 (a week), got 9999999999" in err
    assert "--status missed" in err
    assert not (plan_file.parent / "data").exists() or not any(
        (plan_file.parent / "data").rglob("*.sqlite3")
    )


def test_an_offset_on_one_edge_of_an_override_is_a_plan_error(plan_file, capsys):
    plan_file.write_text(ONE_SIDED_OFFSET, encoding="utf-8")
    code, out, err = run(capsys, "check", plan_file)
    assert code == 2
    assert f"{plan_file}:" in err and "overrides[0].start" in err and "UTC offset" in err


def test_a_folder_sync_reports_the_plan_error_not_an_internal_error(plan_file, capsys):
    folder = plan_file.parent / "families"
    folder.mkdir()
    (folder / "good.toml").write_text(
        MINIMAL.replace('id = "test-family"', 'id = "good-family"'), encoding="utf-8"
    )
    (folder / "bad.toml").write_text(ONE_SIDED_OFFSET, encoding="utf-8")
    code, out, err = run(capsys, "sync", folder, "--dry-run")
    assert "internal error" not in out + err
    assert "UTC offset" in out + err
    assert "Traceback" not in err


def test_an_engine_error_names_the_plan_file_and_line(plan_file, capsys):
    """The engine knows keys, not files: the command that read the plan names it."""
    plan_file.write_text(
        MINIMAL + '\n[[visits]]\nparent = "ben"\nweekday = "wednesday"\nstart = "dismissal"\n'
        "end = 14:00:00\n",
        encoding="utf-8",
    )
    line = plan_file.read_text().splitlines().index("end = 14:00:00") + 1
    for args in (["show", plan_file, "--month", "2026-03"], ["exchanges", plan_file]):
        code, out, err = run(capsys, *args)
        assert code == 2
        assert f"{plan_file}:{line}: visits[0].end:" in err and "<plan>" not in err
