"""show, stats and export print the engine's warnings on stderr (QA D1, part c).

The texas-spo template lists school years to 2028-29; a range in December 2029 has no
Winter Break to place, which must be said rather than silently dropped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pc_calendar.cli import main
from pc_calendar.templates import builtin_templates

CHRISTMAS_2029 = (
    "warning: holidays[2] 'Christmas vacation': no school break named 'Winter Break' in "
    "2029; the school calendar in the plan ends 2029-05-24 -- add the 2029-30 school year"
)


@pytest.fixture
def texas(tmp_path: Path) -> Path:
    path = tmp_path / "texas.toml"
    path.write_text(builtin_templates()["texas-spo"], encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "args",
    [
        ("show", "--month", "2029-12"),
        ("show", "--month", "2029-12", "--explain"),
        ("show", "--month", "2029-12", "--json"),
        ("stats", "--month", "2029-12"),
    ],
)
def test_show_and_stats_warn_on_stderr(capsys, texas, args):
    code, out, err = run(capsys, args[0], texas, *args[1:])
    assert code == 0
    assert CHRISTMAS_2029 in err.splitlines()
    assert "warning:" not in out  # stdout stays the output (JSON stays valid)


def test_export_warns_on_stderr(capsys, texas, tmp_path):
    out_file = tmp_path / "family.ics"
    code, out, err = run(
        capsys, "export", texas, "-o", out_file, "--from", "2029-12-01", "--to", "2030-01-01"
    )
    assert code == 0 and out_file.exists()
    assert CHRISTMAS_2029 in err.splitlines()


def test_no_warning_inside_the_school_calendar(capsys, texas):
    code, _, err = run(capsys, "show", texas, "--month", "2026-12")
    assert (code, err) == (0, "")
