"""``report --format html|pdf``: the exchange report as a document for a filing."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

from document_pages import (
    chromium_pdf,
    expected_cells,
    ink,
    month_row,
    page_count,
    page_images,
    page_texts,
    run,
)

from pc_calendar.exchanges.chart import nice_ticks, outcome_chart
from pc_calendar.exchanges.report import STATES

EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
SHA = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
RANGE = ("--from", "2026-09-01", "--to", "2027-01-01")


def _record(capsys, when, *args):
    code, out, err = run(capsys, "exchange", "record", EXAMPLE, when, *args)
    assert code == 0, err


def test_report_pdf_and_html_are_documents(capsys, tmp_path):
    _record(
        capsys,
        "2026-11-03T1930-sam-alex",
        "--status",
        "late",
        "--minutes-late",
        "25",
        "--by",
        "alex",
    )
    _record(capsys, "2026-11-09T1500-sam-alex", "--status", "missed", "--by", "alex")
    html_file, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    assert run(capsys, "report", EXAMPLE, *RANGE, "--format", "html", "-o", html_file)[0] == 0
    assert run(capsys, "report", EXAMPLE, *RANGE, "--format", "pdf", "-o", pdf)[0] == 0
    html = html_file.read_text()
    assert {f.stat().st_mode & 0o777 for f in (html_file, pdf)} == {0o600}
    body = re.sub(r"<[^>]+>", " ", html[html.index("<body>") :])
    assert "Alex Rivera" in body and "Sam Chen" in body
    assert not re.search(r"\b(alex|sam)\b", body.replace("-alex", "").replace("-sam", ""))
    assert SHA in body and "original plan" in body and "overdue" in body
    assert "unrecorded" not in html  # one term: overdue
    code, out, _ = run(capsys, "stats", EXAMPLE, "--month", "2026-11", "--json")
    assert month_row(html, "November 2026") == expected_cells(json.loads(out)["totals"])
    texts = page_texts(pdf)
    assert page_count(pdf) == len(texts) >= 3
    for number, page in enumerate(texts, start=1):
        text = " ".join(page.split())  # -layout wraps the legend where the page does
        assert "Rivera-Chen family · Exchange report" in text and f"SHA-256 {SHA[:12]}" in text
        assert f"Page {number} of {len(texts)}" in text and "Outcomes: on-time:" in text
        assert "its time plus the grace period has passed" in text
    assert all(ink(png) > 0.02 for png in page_images(pdf, tmp_path))
    printed = tmp_path / "chromium.pdf"
    chromium_pdf(html_file, printed)
    assert abs(page_count(printed) - len(texts)) <= 1
    assert all(f"SHA-256 {SHA[:12]}" in t for t in page_texts(printed))


def test_pdf_needs_an_output_file(capsys):
    code, out, err = run(capsys, "report", EXAMPLE, *RANGE, "--format", "pdf")
    assert code == 2 and "-o FILE" in err and out == ""


def test_ticks_are_round_and_cover_the_peak():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(19) == [0, 5, 10, 15, 20]
    assert nice_ticks(230) == [0, 50, 100, 150, 200, 250]


def test_chart_has_labelled_axes_and_a_legend_of_every_outcome():
    months = {"2026-11": Counter({"on-time": 3, "missed": 1}), "2026-12": Counter({"late": 2})}
    svg = outcome_chart(months, STATES, {s: "#888" for s in STATES})
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "Exchanges" in texts and any(t.startswith("Month") for t in texts)
    assert [t for t in texts if t.isdigit()][:5] == ["0", "1", "2", "3", "4"]
    assert "Nov 2026" in texts and "Dec 2026" in texts
    assert all(state in texts for state in STATES)
    assert 'fill="url(#pat-missed)"' in svg  # a pattern, not colour alone
