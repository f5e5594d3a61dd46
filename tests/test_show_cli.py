"""``pc-calendar show`` on the shipped example plan, checked against the engine and the plan."""

from __future__ import annotations

import calendar
import json
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from timeline_factory import EXAMPLE, grid_cells, parse, run_cli

CHICAGO = ZoneInfo("America/Chicago")


def example_timeline():
    from pc_calendar.plan.load import load_plan
    from pc_calendar.schedule.engine import compute_timeline

    return compute_timeline(load_plan(EXAMPLE), date(2026, 11, 30), date(2027, 1, 2))


def test_cli_month_grid_matches_the_engine(monkeypatch, capsys):
    code, out, err = run_cli(monkeypatch, capsys, "show", EXAMPLE, "--month", "2026-12")
    assert (code, err) == (0, "")
    assert "December 2026" in out and "Alex Rivera" in out and "Sam Chen" in out
    cells = grid_cells(out)
    assert sorted(cells) == list(range(1, 32))
    tl = example_timeline()
    for day, lines in cells.items():
        midnight = datetime.combine(date(2026, 12, day) + timedelta(days=1), time(0), CHICAGO)
        owners = {
            b.parent
            for ct in tl.children.values()
            for b in ct.blocks
            if b.start <= midnight.astimezone(UTC) < b.end
        }
        assert [lines[1]] == sorted(owners), day
    # plan facts: Alex's work trip (override) and Christmas 2026 (even year: Sam first)
    assert cells[10][1] == "sam"
    assert all(cells[d][1] == "sam" for d in range(19, 28))
    assert cells[25][0] == "25 *"
    assert cells[28] == ["28", "alex", "12:00→alex"]
    # A split holiday names both halves (QA D3), not only the first.
    assert "* 25 Dec Christmas (sam until 28 Dec 12:00, then alex)" in out


def test_cli_year_and_child(monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "show", EXAMPLE, "--year", "2027")
    assert code == 0
    titles = re.findall(r"^\s+([A-Z][a-z]+ 2027)\s*$", out, flags=re.M)
    assert titles == [f"{calendar.month_name[m]} 2027" for m in range(1, 13)]
    code, out, _ = run_cli(
        monkeypatch, capsys, "show", EXAMPLE, "--month", "2026-12", "--child", "maya"
    )
    assert code == 0 and "Rivera-Chen family - Maya" in out and "who has Maya" in out


def test_cli_explain_json(monkeypatch, capsys):
    code, out, _ = run_cli(
        monkeypatch, capsys, "show", EXAMPLE, "--month", "2026-12", "--explain", "--json"
    )
    assert code == 0
    data = json.loads(out)
    blocks, exchanges = data["blocks"], data["exchanges"]
    assert blocks[0]["start"] == "2026-12-01T00:00-06:00"
    assert blocks[-1]["end"] == "2027-01-01T00:00-06:00"
    assert all(a["end"] == b["start"] for a, b in zip(blocks, blocks[1:], strict=False))
    assert all(b["rule"]["describe"] and b["children"] == ["leo", "maya"] for b in blocks)
    trip = [b for b in blocks if b["rule"]["layer"] == "override"]
    assert [(b["start"], b["end"], b["parent"]) for b in trip] == [
        ("2026-12-09T18:00-06:00", "2026-12-11T18:00-06:00", "sam")
    ]
    christmas = next(e for e in exchanges if e["local_at"] == "2026-12-28T12:00-06:00")
    assert (christmas["from"], christmas["to"]) == ("sam", "alex")
    assert christmas["begins"]["name"] == christmas["ends"]["name"] == "Christmas"
    for a, b in zip(exchanges, exchanges[1:], strict=False):
        assert a["local_at"] < b["local_at"] and a["to"] == b["from"]
    code, out, _ = run_cli(monkeypatch, capsys, "show", EXAMPLE, "--month", "2026-12", "--explain")
    assert "override 'Alex's work trip' (overrides[0])" in out
    assert "2026-12-28 12:00 CST  sam -> alex at Curbside at Alex's home" in out


def test_cli_html(monkeypatch, capsys, tmp_path):
    target = tmp_path / "december.html"
    code, out, _ = run_cli(
        monkeypatch, capsys, "show", EXAMPLE, "--month", "2026-12", "--html", target
    )
    assert code == 0 and f"wrote {target}" in out
    html = target.read_text(encoding="utf-8")
    doc = parse(html)
    assert "Rivera-Chen family" in html and "Christmas" in html
    assert "⇄ 12:00 &rarr; Alex Rivera" in html
    assert [a for t, a in doc.tags if t == "td" and "holiday" in a.get("class", "")]
    code, out, err = run_cli(
        monkeypatch,
        capsys,
        "show",
        EXAMPLE,
        "--year",
        "2027",
        "--html",
        tmp_path / "nope" / "x.html",
    )
    assert code == 2 and "does not exist" in err and "Traceback" not in err
    assert not (tmp_path / "nope").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "--month: expected a month like 2026-12"),
        (["--month", "2026-12", "--year", "2027"], "either --month or --year"),
        (["--child", "bob"], "hint: children: maya, leo"),
        (["--overnight-at", "7pm"], "--overnight-at: expected a time"),
    ],
)
def test_cli_bad_options(monkeypatch, capsys, args, message):
    code, out, err = run_cli(monkeypatch, capsys, "show", EXAMPLE, *args)
    assert code == 2 and message in err and out == "" and "Traceback" not in err
