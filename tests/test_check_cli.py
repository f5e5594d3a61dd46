"""``pc-calendar check``: exit statuses, messages without tracebacks, JSON output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pc_calendar.cli import main

DATA = Path(__file__).parent / "data"
EXAMPLE = Path(__file__).parents[1] / "examples" / "rivera-chen.toml"
MINIMAL = (DATA / "minimal.toml").read_text()


def run(args: list[str], capsys) -> tuple[int, str, str]:
    """Run the CLI like the console script; (exit status, stdout, stderr)."""
    try:
        main(args)
        status = 0
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return status, out, err


def line_with(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def plan_file(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    assert old in MINIMAL, old
    text = MINIMAL.replace(old, new, 1)
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path, text


BAD = [
    # (id, old, new, key, marker for the line, message)
    (
        "unknown-pattern",
        '"alternating_weeks"',
        '"alternating_weks"',
        "rotation.pattern",
        "pattern = ",
        "unknown pattern 'alternating_weks'; known: ",
    ),
    (
        "unknown-parent",
        'odd_years = "ben"',
        'odd_years = "benn"',
        "holidays[0].assign.odd_years",
        "assign = ",
        "unknown parent 'benn'; known: ana, ben",
    ),
    (
        "30-february",
        "month = 1, day = 1",
        "month = 2, day = 30",
        "holidays[0].date.day",
        "date = {",
        "month 2 has no day 30",
    ),
    (
        "span-ends-before-start",
        "end = 2027-05-28 }",
        "end = 2026-05-28 }",
        "school.terms[0].end",
        "terms = ",
        "end 2026-05-28 is before start 2026-08-17",
    ),
    (
        "unknown-time-zone",
        '"America/Chicago"',
        '"America/Chicag"',
        "family.timezone",
        "America/Chicag",
        "unknown time zone 'America/Chicag'",
    ),
    (
        "unknown-key",
        "[rotation]\n",
        "[rotation]\npatern = 1\n",
        "rotation.patern",
        "patern",
        "unknown key; expected one of: pattern, anchor, parents, options, citation "
        "(did you mean 'pattern'?)",
    ),
    (
        "holiday-span-ends-before-start",
        "assign = { even_years",
        "start = { days = 0, time = 20:00:00 }\nend = { time = 08:00:00 }\nassign = { even_years",
        "holidays[0]",
        "[[holidays]]",
        "the span of 'New Year's Day' for 2026-01-01 ends (2026-01-01 08:00) before it starts",
    ),
    (
        "school-ics-not-parsing",
        "dismissal = 15:00:00",
        'dismissal = 15:00:00\nics = "bad.ics"',
        "school.ics",
        "ics = ",
        "bad.ics: event 'Winter Break': DTSTART: Wrong date format",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "key", "marker", "message"), [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_bad_plans_exit_2_with_file_line_key_and_message(
    tmp_path, capsys, old, new, key, marker, message
):
    shutil.copy(DATA / "bad-school.ics", tmp_path / "bad.ics")
    path, text = plan_file(tmp_path, old, new)
    status, out, err = run(["check", str(path)], capsys)
    assert status == 2
    assert out == ""
    assert "Traceback" not in err
    assert f"error: {path}:{line_with(text, marker)}: {key}: {message}" in err


@pytest.mark.parametrize(
    "old, new, line_marker, key",
    [
        ('name = "Ben"', "name = ", 'name = "Ben"', "parents.ben.name"),
        (
            "birth_date = 2018-05-01",
            "birth_date = 2018-02-30",
            "birth_date",
            "children[0].birth_date",
        ),
    ],
)
def test_toml_syntax_errors_exit_2_with_line_and_column(
    tmp_path, capsys, old, new, line_marker, key
):
    path, _ = plan_file(tmp_path, old, new)
    status, _, err = run(["check", str(path)], capsys)
    assert status == 2
    line = line_with(MINIMAL, line_marker)
    assert err.startswith(f"error: {path}:{line}: {key}: TOML syntax error: ")
    assert " at column " in err


def test_missing_and_unreadable_files_exit_2(tmp_path, capsys):
    status, _, err = run(["check", str(tmp_path / "nope.toml")], capsys)
    assert (status, err) == (2, f"error: {tmp_path / 'nope.toml'}: no such file\n")
    (tmp_path / "latin1.toml").write_bytes("name = 'M\xfcller'\n".encode("latin-1"))
    status, _, err = run(["check", str(tmp_path / "latin1.toml")], capsys)
    assert status == 2
    assert err.startswith(f"error: {tmp_path / 'latin1.toml'}:1: not UTF-8 text (byte 0xfc)")


def test_permission_denied_and_directory_exit_2(tmp_path, capsys, monkeypatch):
    path = tmp_path / "plan.toml"
    path.write_text(MINIMAL)
    real = Path.read_bytes

    def deny(self):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    status, _, err = run(["check", str(path)], capsys)
    assert (status, err) == (2, f"error: {path}: cannot read the file (permission denied)\n")
    status, _, err = run(["check", str(tmp_path)], capsys)
    assert status == 2
    assert f"'{tmp_path}' is a directory" in err  # click's own check of the argument


def test_shipped_example_passes(capsys):
    status, out, err = run(["check", str(EXAMPLE)], capsys)
    assert (status, err) == (0, "")
    assert out == f"{EXAMPLE}: OK (2 parents, 2 children, 0 warnings)\n"


def test_warnings_keep_status_0_unless_strict(tmp_path, capsys):
    path, text = plan_file(tmp_path, "anchor = 2026-01-05\n", "")
    status, out, _ = run(["check", str(path)], capsys)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == f"{path}: OK (2 parents, 1 child, 1 warning)"
    assert lines[1].startswith(f"{path}:{line_with(text, '[rotation]')}: warning: rotation: ")
    status, out_strict, _ = run(["check", "--strict", str(path)], capsys)
    assert (status, out_strict) == (1, out)


def test_json_output(tmp_path, capsys):
    path, text = plan_file(tmp_path, "time = 18:00:00", "time = 02:30:00")
    status, out, _ = run(["check", "--json", str(path)], capsys)
    payload = json.loads(out)
    assert status == 0
    assert payload["ok"] is True and payload["problems"] == []
    [warning] = payload["warnings"]
    assert (warning["code"], warning["key"], warning["line"]) == (
        "dst",
        "exchange.time",
        line_with(text, "02:30"),
    )

    path, text = plan_file(tmp_path, 'location = "home"', 'location = "hme"')
    status, out, err = run(["check", "--json", str(path)], capsys)
    assert (status, err) == (2, "")
    assert json.loads(out) == {
        "ok": False,
        "file": str(path),
        "warnings": [],
        "problems": [
            {
                "key": "exchange.location",
                "line": line_with(text, '"hme"'),
                "message": "unknown location 'hme'; known: home (did you mean 'home'?)",
            }
        ],
    }
