"""``show --year --html/--pdf``: the calendar as a document a court can use.

Checked as HTML (structure, figures equal to ``stats``), as a PDF read back with
poppler (text on every page, pages rendered to PNG are not blank, one month per page)
and printed by a real browser (headless chromium).
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
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

from pc_calendar.cli import main
from pc_calendar.plan.load import load_plan
from pc_calendar.views.print_style import amendment_in_force, amendments_between

EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
NOW = "2026-12-05T11:30:00Z"
SHA = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """The 2027 calendar of the example plan as HTML and PDF, made once."""
    folder = tmp_path_factory.mktemp("year")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PC_CALENDAR_NOW", NOW)
        mp.setenv("PC_CALENDAR_PLUGINS", "none")
        html, pdf = folder / "2027.html", folder / "2027.pdf"
        try:
            main(["show", str(EXAMPLE), "--year", "2027", "--html", str(html), "--pdf", str(pdf)])
        except SystemExit as exc:
            assert exc.code == 0
    return SimpleNamespace(folder=folder, html=html, pdf=pdf, text=html.read_text())


def _visible(html: str) -> str:
    body = html[html.index("<body") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_every_page_carries_family_plan_identity_time_and_numbers(year):
    css = year.text[: year.text.index("</style>")]
    assert "@top-left" in css and "Rivera-Chen family" in css
    assert (
        f"Plan rivera-chen.toml · SHA-256 {SHA[:12]} · in force on 2026-12-05: original plan" in css
    )
    assert f"Generated 2026-12-05 11:30 UTC · plan SHA-256 {SHA}" in css
    assert 'counter(page) " of " counter(pages)' in css
    text = _visible(year.text)
    assert (
        SHA in text
        and "in force on 2026-12-05: original plan" in text
        and "Children: Maya, Leo" in text
    )
    assert f'name="keywords" content="plan rivera-chen.toml, sha256 {SHA}"' in year.text


def test_each_month_has_its_grid_figures_and_legend(year):
    sections = re.findall(r'<section class="month">(.*?)</section>', year.text, re.S)
    assert len(sections) == 12
    for month, section in enumerate(sections, start=1):
        assert f"<h2>{calendar.month_name[month]} 2027</h2>" in section
        assert 'class="stats"' in section and 'class="legend"' in section


def test_names_not_ids_and_places_by_name(year):
    plan = load_plan(EXAMPLE)
    text = _visible(year.text)
    for pid, parent in plan.parents.items():
        assert parent.name in text
        assert not re.search(rf"\b{pid}\b", text), pid  # ids never shown
    for child in plan.children:
        assert not re.search(rf"\b{child.id}\b", text), child.id
    used = {loc.name for loc in plan.locations.values()}
    places = re.search(r'<table class="places">(.*?)</table>', year.text, re.S).group(1)
    assert {p for p in used if p.replace("'", "&#x27;") in places} == used - {""}


def _figures(html: str, caption: str) -> dict[str, list[str]]:
    """Row name -> cells of the stats table with ``caption``."""
    table = re.search(rf"<caption>{re.escape(caption)}</caption>(.*?)</table>", html, re.S)
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table.group(1), re.S)
    return {name: re.findall(r'<td class="num">(.*?)</td>', cells) for name, cells in rows}


@pytest.mark.parametrize("period", ["year", "2027-02", "2027-07"])
def test_figures_are_the_stats_commands(capsys, year, period):
    """Overnights, hours and percentages per parent, per child and summed, for the year
    and per month, are exactly what ``stats --json`` says (rounded the way it prints)."""
    args = ("--year", "2027") if period == "year" else ("--month", period)
    code, out, _ = run(capsys, "stats", EXAMPLE, *args, "--json")
    assert code == 0
    data = json.loads(out)
    if period == "year":
        caption = "Whole period: 1 January 2027 – 31 December 2027"
    else:
        caption = calendar.month_name[date.fromisoformat(period + "-01").month]
    shown = _figures(year.text, caption)
    for child in data["children"]:
        assert shown[child["name"]][:-1] == expected_cells(child)
    assert shown["All children (child-nights)"][:-1] == expected_cells(data["totals"])
    label = "Whole period" if period == "year" else f"{caption} 2027"
    assert month_row(year.text, label) == expected_cells(data["totals"])


def test_pdf_pages_have_the_furniture_one_month_each_and_are_not_blank(year, tmp_path):
    pages = page_texts(year.pdf)
    assert page_count(year.pdf) == len(pages) == 13  # summary + 12 months
    for number, text in enumerate(pages, start=1):
        assert "Rivera-Chen family" in text and f"SHA-256 {SHA[:12]}" in text
        assert "Generated 2026-12-05 11:30 UTC" in text and f"Page {number} of 13" in text
        assert "Legend:" in text
    for month in range(1, 13):  # a month never breaks across pages
        title = re.compile(rf"^\s*{calendar.month_name[month]} 2027\s*$", re.M)
        holding = [i for i, t in enumerate(pages) if title.search(t)]
        assert holding == [month], month
    images = page_images(year.pdf, tmp_path)
    assert len(images) == 13
    assert all(ink(png) > 0.15 for png in images[1:])  # coloured month grids
    assert ink(images[0]) > 0.02


def test_a_real_browser_prints_the_same_document(year, tmp_path):
    printed = tmp_path / "chromium.pdf"
    chromium_pdf(year.html, printed)
    pages = page_texts(printed)
    assert abs(len(pages) - 13) <= 1
    assert all("Rivera-Chen family" in t and f"SHA-256 {SHA[:12]}" in t for t in pages)
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert "January 2027" in "".join(pages) and "December 2027" in pages[-1]
    assert all(ink(png) > 0.02 for png in page_images(printed, tmp_path))


def test_missing_pdf_extra_is_named(capsys, monkeypatch, tmp_path):
    from pc_calendar import extras

    monkeypatch.setitem(extras.EXTRAS, "pdf", ("pc_calendar_no_such_module",))
    target = tmp_path / "x.pdf"
    code, _, err = run(capsys, "show", EXAMPLE, "--month", "2027-01", "--pdf", target)
    assert code == 2 and "pc-calendar[pdf]" in err and "Traceback" not in err
    assert not target.exists()


def test_amendment_in_force_is_the_latest_effective_on_the_day():
    plan = load_plan(EXAMPLE)
    assert amendment_in_force(plan, date(2027, 1, 1)) == "original plan"
    step = SimpleNamespace(
        name="Summer schedule",
        effective=date(2027, 6, 1),
        kind="court_order",
        decided_on=date(2027, 5, 2),
    )
    later = SimpleNamespace(name="Step-up", effective=date(2028, 1, 1), kind="agreement")
    amended = SimpleNamespace(children=plan.children, amendments=[step, later])
    assert amendment_in_force(amended, date(2027, 5, 31)) == "original plan"
    assert amendment_in_force(amended, date(2027, 6, 1)) == (
        "Summer schedule (court order, decided 2027-05-02; effective 2027-06-01)"
    )
    assert amendment_in_force(amended, date(2029, 1, 1)).startswith("Step-up (agreement")
    assert amendments_between(amended, date(2027, 1, 1), date(2028, 1, 1)) == (
        "Summer schedule (court order, decided 2027-05-02; effective 2027-06-01)",
    )


def test_amendment_in_force_from_a_real_plan_with_amendments():
    """The step-up template's age-triggered amendments (evolve's model, once merged)."""
    import pc_calendar

    template = Path(pc_calendar.__file__).parent / "templates" / "step-up-young-children.toml"
    if not template.exists():
        pytest.skip("no plan model with [[amendments]] in this tree yet")
    plan = load_plan(template)
    child = next(c for c in plan.children if c.id == "ines")
    assert child.birth_date == date(2025, 6, 14)
    assert amendment_in_force(plan, date(2026, 12, 13)) == "original plan"
    assert amendment_in_force(plan, date(2027, 1, 1)).startswith(
        "Step-up at 18 months (agreement, decided 2025-05-20; effective 2026-12-14"
    )
    assert amendment_in_force(plan, date(2032, 1, 1)).startswith("Step-up at 5 (agreement")
    assert [
        a.split(" (")[0] for a in amendments_between(plan, date(2026, 1, 1), date(2029, 1, 1))
    ] == [
        "Step-up at 18 months",
        "Step-up at 3",
    ]


@pytest.mark.parametrize("month", ["2027-05", "2026-12"])
def test_one_month_is_one_page(capsys, tmp_path, month):
    """May 2027 spans six weeks, December 2026 has Christmas and the most handovers."""
    pdf = tmp_path / "month.pdf"
    code, _, err = run(capsys, "show", EXAMPLE, "--month", month, "--pdf", pdf)
    assert code == 0 and "warning" not in err
    assert pdf.stat().st_mode & 0o777 == 0o600  # it names the family and the children
    (text,) = page_texts(pdf)
    assert "Page 1 of 1" in text and f"SHA-256 {SHA[:12]}" in text
