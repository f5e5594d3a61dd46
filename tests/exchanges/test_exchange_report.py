"""The per-parent report: counts by delivering parent, late minutes, overnights lost to
missed exchanges, and its four renderings."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
from exchange_fixtures import draft, make_plan, make_timeline, utc

from pc_calendar.exchanges.render import render_csv, render_html, render_json, render_table
from pc_calendar.exchanges.report import build_report, nights_of_block, planned_overnights

NOV = (date(2026, 11, 1), date(2026, 12, 1))


def rec(exchange_id: str, status: str, **kw):
    from_parent, to_parent = exchange_id.split("-")[-2:]
    return draft(exchange_id, status, from_parent=from_parent, to_parent=to_parent, **kw)


RECORDS = [
    rec("2026-11-04T1700-alex-sam", "late", minutes_late=10),
    rec("2026-11-04T1930-sam-alex", "late", minutes_late=20, reported_by="alex"),
    rec("2026-11-06T1800-alex-sam", "missed", reported_by="sam"),
    rec("2026-11-13T1800-sam-alex", "on-time"),
    rec("2026-11-18T1700-alex-sam", "late", minutes_late=30),
    rec("2026-11-18T1700-alex-sam", "on-time", note="correction: the clock was wrong"),
    rec("2026-11-18T1930-sam-alex", "cancelled", agreed_by=["alex", "sam"]),
    rec("2026-11-13T1700-sam-alex", "missed"),  # an exchange the plan no longer has
]


@pytest.fixture(scope="module")
def report():
    plan = make_plan()
    timeline = make_timeline(plan, NOV[0] - timedelta(1), NOV[1] + timedelta(1))
    return build_report(
        timeline,
        RECORDS,
        start=NOV[0],
        end=NOV[1],
        now=utc(2026, 11, 25),
        grace=timedelta(minutes=30),
        parents=["alex", "sam"],
        family_name="Test <family> & co",
    )


def test_counts_per_delivering_parent(report):
    alex, sam = (p.as_dict() for p in report.parents)
    assert alex["parent"] == "alex" and sam["parent"] == "sam"
    assert (alex["scheduled"], alex["on_time"], alex["late"], alex["missed"]) == (4, 1, 1, 1)
    assert (alex["overdue"], alex["upcoming"], alex["cancelled"]) == (1, 0, 0)
    assert (alex["late_minutes_total"], alex["late_minutes_median"]) == (10, 10)
    assert (sam["scheduled"], sam["on_time"], sam["late"], sam["cancelled"]) == (4, 1, 1, 1)
    assert (sam["missed"], sam["overdue"], sam["upcoming"]) == (0, 0, 1)
    assert sam["late_minutes_total"] == 20


def test_overnights_planned_and_lost(report):
    alex, sam = (p.as_dict() for p in report.parents)
    assert alex["overnights_planned"] == 16 and sam["overnights_planned"] == 14
    # the missed Friday handover to Sam should have started Sam's 7-night week
    assert sam["overnights_lost"] == 7 and sam["overnights_exercised"] == 7
    assert alex["overnights_lost"] == 0 and alex["overnights_exercised"] == 16


def test_night_helpers_agree_with_the_blocks():
    plan = make_plan()
    timeline = make_timeline(plan, date(2026, 10, 31), date(2026, 12, 2))
    planned = planned_overnights(timeline, *NOV)
    assert len(planned["alex"]) + len(planned["sam"]) == 30
    missed = next(e for e in timeline.merged_exchanges() if e.id == "2026-11-06T1800-alex-sam")
    nights = nights_of_block(timeline, missed, *NOV)
    assert nights == {date(2026, 11, d) for d in range(6, 13)}
    # clipped to the range
    assert nights_of_block(timeline, missed, date(2026, 11, 10), NOV[1]) == {
        date(2026, 11, d) for d in range(10, 13)
    }


def test_median_of_several_late_records():
    plan = make_plan()
    timeline = make_timeline(plan, date(2026, 10, 31), date(2026, 12, 2))
    records = [
        rec("2026-11-04T1700-alex-sam", "late", minutes_late=5),
        rec("2026-11-06T1800-alex-sam", "late", minutes_late=40),
        rec("2026-11-18T1700-alex-sam", "late", minutes_late=15),
        rec("2026-11-20T1800-alex-sam", "late", minutes_late=10),
    ]
    report = build_report(
        timeline,
        records,
        start=NOV[0],
        end=NOV[1],
        now=utc(2026, 12, 1),
        grace=timedelta(0),
        parents=["alex", "sam"],
    )
    alex = report.parents[0]
    assert (alex.counts["late"], alex.late_total, alex.late_median) == (4, 70, 12.5)


def test_no_longer_in_plan_is_listed_not_counted(report):
    gone = report.no_longer_in_plan
    assert [r.exchange_id for r in gone] == ["2026-11-13T1700-sam-alex"]
    assert sum(p.scheduled for p in report.parents) == 8
    assert report.as_dict()["no_longer_in_plan"][0]["status"] == "missed"


def test_months(report):
    assert list(report.months) == ["2026-11"]
    month = report.months["2026-11"]
    assert (month["on-time"], month["late"], month["missed"], month["cancelled"]) == (2, 2, 1, 1)
    assert (month["overdue"], month["upcoming"]) == (1, 1)


def test_table(report):
    text = render_table(report)
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("parent "))
    assert lines[header].split()[:3] == ["parent", "scheduled", "on"]
    assert lines[header + 1].split()[:3] == ["alex", "4", "1"]
    assert lines[1].startswith("recorded outcomes: 1 agreed, 0 disputed, 5 one-sided")
    assert "2026-11-13T1700-sam-alex  missed" in text


def test_csv(report):
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert [r["parent"] for r in rows] == ["alex", "sam"]
    assert rows[1]["overnights_lost"] == "7" and rows[0]["late_minutes_median"] == "10"
    assert rows[1]["late_minutes_median"] == "20"


def test_json(report):
    data = json.loads(render_json(report))
    assert data["from"] == "2026-11-01" and data["to"] == "2026-12-01"
    assert data["parents"][1]["overnights_exercised"] == 7
    assert data["months"]["2026-11"]["missed"] == 1


def test_html_is_printable_with_inline_svg(report):
    html = render_html(report)
    assert html.startswith("<!DOCTYPE html>") and "@media print" in html
    assert "Test &lt;family&gt; &amp; co" in html and "<family>" not in html
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', svg)
    assert len(bars) == 6 + 7  # one bar segment per state present, plus 7 legend swatches
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


def test_html_lists_every_exchange_escaped(report):
    html = render_html(report)
    table = html[html.index("<h2>Exchanges</h2>") :]
    assert table.count("<tr>") == 1 + 9  # header, 8 scheduled, 1 no longer in plan
    assert "correction: the clock was wrong" in table
    assert "missed (no longer in plan)" in table
    plan = make_plan()
    timeline = make_timeline(plan, date(2026, 11, 1), date(2026, 11, 8))
    nasty = [rec("2026-11-06T1800-alex-sam", "on-time", note="<script>alert(1)</script>")]
    evil = build_report(
        timeline,
        nasty,
        start=date(2026, 11, 1),
        end=date(2026, 11, 8),
        now=utc(2026, 12, 1),
        grace=timedelta(0),
        parents=["alex", "sam"],
    )
    page = render_html(evil)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_json_lists_exchanges(report):
    data = json.loads(render_json(report))
    states = {e["exchange_id"]: e["state"] for e in data["exchanges"]}
    assert states["2026-11-20T1800-alex-sam"] == "overdue"
    assert states["2026-11-27T1800-sam-alex"] == "upcoming"
    assert states["2026-11-18T1700-alex-sam"] == "on-time"


def test_html_of_an_empty_range_still_renders():
    plan = make_plan()
    timeline = make_timeline(plan, date(2026, 11, 1), date(2026, 11, 3))
    report = build_report(
        timeline,
        [],
        start=date(2026, 11, 1),
        end=date(2026, 11, 2),
        now=utc(2026, 12, 1),
        grace=timedelta(0),
        parents=["alex", "sam"],
    )
    assert "<svg" in render_html(report)
    assert [p.scheduled for p in report.parents] == [0, 0]
