"""Month grid, --explain and HTML views from hand-built timelines (DST cases included)."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console
from timeline_factory import HOLIDAY, VISIT, child_timeline, grid_cells, parse, timeline

from pc_calendar.errors import UserError
from pc_calendar.schedule.stats import NightConvention
from pc_calendar.schedule.timeline import HolidayLabel
from pc_calendar.views.days import PALETTE, SPLIT_FILL, ViewContext, build_days
from pc_calendar.views.explain import explain_records, print_explain
from pc_calendar.views.html_calendar import months_of, render_html
from pc_calendar.views.month_grid import print_months

CHICAGO = ZoneInfo("America/Chicago")
CTX = ViewContext(
    "Rivera-Chen family",
    {"alex": "Alex Rivera", "sam": "Sam Chen"},
    {"maya": "Maya", "leo": "Leo"},
    {"school": "Lincoln Elementary"},
)


def november():
    """Nov 2026 (fall back on the 1st): visit on the 4th, split on the 13th-14th."""
    start, end = date(2026, 10, 31), date(2026, 12, 2)
    maya = child_timeline(
        "maya",
        CHICAGO,
        start,
        end,
        "alex",
        [
            (datetime(2026, 11, 1, 12), "sam"),
            (datetime(2026, 11, 4, 17), "alex", VISIT),
            (datetime(2026, 11, 4, 19, 30), "sam"),
            (datetime(2026, 11, 13, 15), "alex"),
        ],
    )
    leo = child_timeline(
        "leo",
        CHICAGO,
        start,
        end,
        "alex",
        [
            (datetime(2026, 11, 1, 12), "sam"),
            (datetime(2026, 11, 4, 17), "alex", VISIT),
            (datetime(2026, 11, 4, 19, 30), "sam"),
            (datetime(2026, 11, 15, 18), "alex", HOLIDAY),
        ],
    )
    thanksgiving = HolidayLabel(
        "Thanksgiving", date(2026, 11, 26), date(2026, 11, 26), "alex", HOLIDAY
    )
    return timeline(CHICAGO, start, end, [maya, leo], [thanksgiving])


def render(tl, months, children=None, width=100, **console_kw) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, no_color=True, force_terminal=False, **console_kw)
    print_months(console, tl, months, CTX, children)
    return out.getvalue()


def test_month_grid_cells_show_night_parent_and_exchanges():
    cells = grid_cells(render(november(), [(2026, 11)]))
    assert len(cells) == 30
    assert cells[1] == ["1", "sam", "12:00→sam"]  # Sunday 1 November, fall-back day
    assert cells[4] == ["4", "sam", "17:00→alex", "19:30→sam"]  # the visit
    assert cells[13] == ["13", "split", "15:00→alex"]  # only Maya moves
    assert cells[14] == ["14", "split"]
    assert cells[15] == ["15", "alex", "18:00→alex"]
    assert cells[26] == ["26 *", "alex"]
    assert cells[30] == ["30", "alex"]


def test_month_grid_starts_monday_and_lists_holidays_and_splits():
    text = render(november(), [(2026, 11)])
    header = next(line for line in text.splitlines() if "Mon" in line)
    assert re.findall(r"[A-Z][a-z]{2}", header) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    first_week = text.splitlines()[text.splitlines().index(header) + 2]
    assert first_week.split("│")[7].strip() == "1"  # 1 Nov 2026 is a Sunday
    assert "* 26 Nov Thanksgiving (alex)" in text
    assert "split 13 Nov-14 Nov: Maya with alex, Leo with sam" in text
    assert "alex  Alex Rivera" in text and "sam  Sam Chen" in text
    assert "at midnight (00:00) that night" in text


def test_one_child_is_never_split():
    cells = grid_cells(render(november(), [(2026, 11)], children=["maya"]))
    assert cells[13] == ["13", "alex", "15:00→alex"]
    assert cells[15] == ["15", "alex"]  # Leo's exchange is not Maya's
    assert "Rivera-Chen family - Maya" in render(november(), [(2026, 11)], children=["maya"])


def test_grid_does_not_depend_on_terminal_width():
    tl = november()
    assert render(tl, [(2026, 11)], width=80) == render(tl, [(2026, 11)], width=200)
    assert max(len(line) for line in render(tl, [(2026, 11)]).splitlines() if "│" in line) == 78


def test_each_parent_has_its_own_colour():
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=True, color_system="standard")
    print_months(console, november(), [(2026, 11)], CTX, None)
    text = out.getvalue()
    alex = re.search(r"\x1b\[([0-9;]+)m30 ", text).group(1)  # 30 Nov: alex
    sam = re.search(r"\x1b\[([0-9;]+)m 9 ", text).group(1)  # 9 Nov: sam
    assert alex != sam
    assert CTX.colour("alex") == PALETTE[0] and CTX.colour("sam") == PALETTE[1]
    assert "44" in alex.split(";")  # blue background, as the palette says


def test_night_convention_changes_which_parent_a_day_shows():
    late = ViewContext(
        CTX.family_name, CTX.parents, CTX.children, convention=NightConvention(time(18))
    )
    days = {
        d.day: d
        for d in build_days(november(), date(2026, 11, 4), date(2026, 11, 5), None, late.convention)
    }
    assert days[date(2026, 11, 4)].night_parent == "alex"  # 18:00 is inside the visit


def test_day_segments_are_proportional_on_a_25_hour_day():
    day = build_days(november(), date(2026, 11, 1), date(2026, 11, 2), None, NightConvention())[0]
    assert [s.parent for s in day.segments] == ["alex", "sam"]
    assert [(s.end - s.start).total_seconds() / 3600 for s in day.segments] == [13, 12]
    html = render_html(november(), [(2026, 11)], CTX)
    # 13 of 25 hours = 52%: both colours, split where the exchange happened; Sam's
    # pattern covers exactly Sam's 48% (positioned at the right edge)
    a, b = PALETTE[0][1], PALETTE[1][1]
    assert f"linear-gradient(to right, {a} 0.00%, {a} 52.00%, {b} 52.00%, {b} 100.00%)" in html
    assert "background-size: 48.00% 100%, 100% 100%" in html
    assert "background-position: 100.00% 0, 0 0" in html


def spring():
    start, end = date(2026, 3, 1), date(2026, 3, 16)
    kids = [
        child_timeline(
            c,
            CHICAGO,
            start,
            end,
            "alex",
            [(datetime(2026, 3, 6, 18), "sam"), (datetime(2026, 3, 13, 18), "alex")],
        )
        for c in ("maya", "leo")
    ]
    return timeline(CHICAGO, start, end, kids)


def test_explain_across_spring_forward():
    records = explain_records(spring(), date(2026, 3, 2), date(2026, 3, 15), CTX)
    blocks = records["blocks"]
    assert [(b["start"], b["end"], b["parent"]) for b in blocks] == [
        ("2026-03-02T00:00-06:00", "2026-03-06T18:00-06:00", "alex"),
        ("2026-03-06T18:00-06:00", "2026-03-13T18:00-05:00", "sam"),
        ("2026-03-13T18:00-05:00", "2026-03-15T00:00-05:00", "alex"),
    ]
    assert blocks[0]["continues_before"] and not blocks[0]["continues_after"]
    assert blocks[2]["continues_after"] and not blocks[1]["continues_before"]
    assert all(b["children"] == ["leo", "maya"] for b in blocks)
    ex = records["exchanges"]
    assert [(e["local_at"], e["from"], e["to"]) for e in ex] == [
        ("2026-03-06T18:00-06:00", "alex", "sam"),
        ("2026-03-13T18:00-05:00", "sam", "alex"),
    ]
    assert ex[1]["utc"] == "2026-03-13T23:00+00:00"
    assert ex[0]["location_name"] == "Lincoln Elementary"
    assert ex[0]["begins"]["describe"] == "rotation 'alternating weeks' (rotation)"
    assert ex[0]["id"] == "2026-03-06T1800-alex-sam"
    json.dumps(records)  # JSON-ready


def test_explain_text_names_rules_and_zone_abbreviations():
    out = io.StringIO()
    console = Console(file=out, width=60, no_color=True)
    print_explain(
        console, explain_records(november(), date(2026, 11, 1), date(2026, 12, 1), CTX), CTX
    )
    text = out.getvalue()
    assert "... 2026-11-01 00:00 CDT -> 2026-11-01 12:00 CST" in text
    assert ("2026-11-04 17:00 CST  sam -> alex at Lincoln Elementary  (Leo, Maya)") in text
    assert "begins: visit 'Wednesday dinner' (visits[0]); ends: rotation" in text
    assert "holiday 'Christmas' (holidays[1]) [TFC 153.314]" in text  # citation shown
    assert "Exchanges (5)" in text


def test_html_month_is_self_contained_printable_and_labelled():
    html = render_html(november(), [(2026, 11)], CTX)
    doc = parse(html)
    assert html.startswith("<!DOCTYPE html>")
    assert "@media print" in html and "print-color-adjust: exact" in html
    assert not any(tag in {"script", "link", "img"} for tag, _ in doc.tags)
    assert "http" not in html
    text = " ".join(doc.text)
    assert "Rivera-Chen family" in text and "1 November 2026 – 30 November 2026" in text
    legend = text[text.index("children with different parents") - 40 :]
    assert "Alex Rivera" in legend and "Sam Chen" in legend  # names, not ids
    assert "(alex)" not in text and "(sam)" not in text
    assert "Thanksgiving" in text
    grid = [a for tag, a in doc.tags if tag == "td" and a.get("class", "num") != "num"]
    cells = grid
    assert len(cells) % 7 == 0 and sum(a["class"].startswith("day") for a in cells) == 30
    tables = [a.get("class", "").split()[0] for tag, a in doc.tags if tag == "table"]
    assert tables == ["grid", "stats"]
    assert sum("holiday" in a["class"] for a in cells) == 1
    assert "⇄ 15:00 Maya &rarr; Alex Rivera" in html  # 13 Nov, only Maya's exchange
    assert f"{SPLIT_FILL}" in html  # the split nights
    assert "Maya: Alex Rivera Leo: Sam Chen" in text  # one line per child
    assert render_html(november(), [(2026, 11)], CTX) == html  # deterministic


def test_html_escapes_names_and_year_has_twelve_months():
    ctx = ViewContext("<Smith & Jones>", {"alex": "A<b>", "sam": "S"}, {"maya": "M", "leo": "L"})
    start, end = date(2026, 12, 31), date(2028, 1, 2)
    tl = timeline(
        CHICAGO,
        start,
        end,
        [
            child_timeline(c, CHICAGO, start, end, "alex", [(datetime(2027, 7, 3, 18), "sam")])
            for c in ("maya", "leo")
        ],
    )
    html = render_html(tl, months_of(date(2027, 1, 1), date(2028, 1, 1)), ctx)
    doc = parse(html)
    assert "&lt;Smith &amp; Jones&gt;" in html and "<Smith" not in html and "A<b>" not in html
    tables = [a.get("class", "").split()[0] for tag, a in doc.tags if tag == "table"]
    assert tables.count("grid") == 12 and tables.count("stats") == 14  # 12 months, year, by month
    assert "1 January 2027 – 31 December 2027" in html


def test_months_of_ranges():
    assert months_of(date(2026, 12, 1), date(2027, 1, 1)) == [(2026, 12)]
    assert len(months_of(date(2027, 1, 1), date(2028, 1, 1))) == 12


def test_write_atomic(tmp_path):
    from pc_calendar.fileio import write_atomic

    target = tmp_path / "cal.html"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    target.chmod(0o640)
    write_atomic(target, "three")
    assert target.stat().st_mode & 0o777 == 0o640  # replacing keeps the file's mode
    assert [p.name for p in tmp_path.iterdir()] == ["cal.html"]  # no temp file left over
    with pytest.raises(UserError, match="does not exist"):
        write_atomic(tmp_path / "missing" / "cal.html", "x")
