"""`check` warns when the school terms are unknown, naming the file and what to add."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pc_calendar.cli import main
from pc_calendar.plan.lint import lint_plan
from pc_calendar.plan.lint_school_ics import school_ics_warnings
from pc_calendar.plan.load import load

DATA = Path(__file__).parent.parent / "data"
DISTRICTS = DATA / "districts"
MINIMAL = (DATA / "minimal.toml").read_text()
BREAKS_LINE = 'breaks = [{ name = "Spring Break", start = 2027-03-15, end = 2027-03-19 }]\n'
TERMS_LINE = 'terms = [{ name = "Year", start = 2026-08-17, end = 2027-05-28 }]\n'
VISIT = (
    '\n[[visits]]\nname = "Thursday evening"\nparent = "ben"\nweekday = "thursday"\n'
    'start = 18:00:00\nend = 20:00:00\nduring = "school_term"\n'
)


def plan_text(*, ics: str | None = None, terms: bool = False, visit: bool = True) -> str:
    text = MINIMAL
    if ics is not None:
        text = text.replace("dismissal = 15:00:00", f'dismissal = 15:00:00\nics = "{ics}"')
    if not terms:
        text = text.replace(TERMS_LINE, "")
    return text + (VISIT if visit else "")


def warnings_of(tmp_path: Path, text: str) -> list:
    for name in ("cedar-hollow-2025-2028.ics", "pine-ridge-breaks-only.ics"):
        shutil.copy(DISTRICTS / name, tmp_path / name)
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load(path)
    found = lint_plan(loaded.plan, locator=loaded.locator)
    return [w for w in found if w.code == "school-terms-unknown"]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_an_ics_with_breaks_but_no_first_or_last_day(tmp_path):
    text = plan_text(ics="pine-ridge-breaks-only.ics")
    [warning] = warnings_of(tmp_path, text)
    assert warning.key == "school.ics"
    assert warning.line == line_of(text, "ics = ")
    assert warning.message == (
        "pine-ridge-breaks-only.ics has no first and last day of school that make a term "
        "(looked for events titled like 'First Day of School' and 'Last Day of School'), "
        "and [school] lists no terms, so the school terms are unknown: every weekday "
        "outside a break counts as a school day in term, the summer holidays included "
        "(school-day exchange times and school snaps too); so visits[0] 'Thursday "
        'evening\' (during = "school_term") also happen in the summer holidays -- add '
        "terms = [{ name, start, end }, ...] under [school], one per school year, or, if "
        "the district titles those days differently, list the titles in "
        "school.first_day_events and school.last_day_events"
    )


def test_an_ics_with_first_and_last_days_needs_no_terms(tmp_path):
    assert warnings_of(tmp_path, plan_text(ics="cedar-hollow-2025-2028.ics")) == []


def test_listed_terms_are_enough(tmp_path):
    assert warnings_of(tmp_path, plan_text(ics="pine-ridge-breaks-only.ics", terms=True)) == []


def test_listed_breaks_without_terms(tmp_path):
    text = plan_text(visit=False)
    [warning] = warnings_of(tmp_path, text)
    assert warning.key == "school.terms"
    assert warning.line == line_of(text, "[school]")
    assert warning.message.startswith(
        "[school] lists breaks but no terms, so the school terms are unknown: every "
        "weekday outside a break counts as a school day in term, the summer holidays "
        "included (school-day exchange times and school snaps too) -- add terms = ["
    )


def test_a_term_visit_with_bell_times_but_no_school_calendar(tmp_path):
    # (Without any [school] table such a visit is an error when the plan is loaded.)
    text = plan_text().replace(BREAKS_LINE, "")
    [warning] = warnings_of(tmp_path, text)
    assert warning.key == "visits[0]"
    assert warning.line == line_of(text, "[[visits]]")
    assert "so visits[0] 'Thursday evening' (during = \"school_term\") also happen" in (
        warning.message
    )


def test_bell_times_alone_are_not_warned_about(tmp_path):
    text = plan_text(visit=False).replace(BREAKS_LINE, "")
    assert "breaks" not in text
    assert warnings_of(tmp_path, text) == []


def test_check_prints_the_plan_file_line_and_the_ics_name(tmp_path, capsys):
    shutil.copy(DISTRICTS / "pine-ridge-breaks-only.ics", tmp_path / "district.ics")
    text = plan_text(ics="district.ics")
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    try:
        main(["check", str(path)])
        status = 0
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    assert status == 0
    expected = f"{path}:{line_of(text, 'ics = ')}: warning: school.ics: district.ics has no"
    assert expected in out + err


# -- what the district calendar says and the plan does not use -------------------------


def ics_warnings(tmp_path: Path, text: str, ics_text: str | None = None) -> list:
    shutil.copy(DISTRICTS / "cedar-hollow-2025-2028.ics", tmp_path / "district.ics")
    if ics_text is not None:
        (tmp_path / "district.ics").write_text(ics_text, encoding="utf-8")
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return school_ics_warnings(load(path))


def test_hand_typed_terms_that_differ_from_the_district_calendar(tmp_path):
    # The plan's "Year" is 2026-08-17 to 2027-05-28; Cedar Hollow's 2026-27 runs from
    # 2026-08-12 ("First Day for Students") to 2027-05-27 ("Last Day for Students").
    text = plan_text(ics="district.ics", terms=True)
    [warning] = ics_warnings(tmp_path, text)
    assert (warning.code, warning.key) == ("school-ics-terms", "school.terms")
    assert warning.line == line_of(text, "terms = ")
    assert warning.message == (
        "district.ics has the 2026-27 school year from 2026-08-12 to 2027-05-27, but the "
        "plan's terms differ ('Year' starts 2026-08-17, its first day is 2026-08-12; 'Year' "
        "ends 2027-05-28, its last day is 2027-05-27); the plan's terms win -- correct "
        "them, or remove them to use the district's dates"
    )


def test_matching_terms_and_plain_plans_say_nothing(tmp_path):
    text = plan_text(ics="district.ics", terms=True).replace(
        "start = 2026-08-17, end = 2027-05-28", "start = 2026-08-12, end = 2027-05-27"
    )
    assert ics_warnings(tmp_path, text) == []
    assert ics_warnings(tmp_path, plan_text(ics="district.ics")) == []
    assert ics_warnings(tmp_path, plan_text(terms=True)) == []


def test_a_first_day_without_a_last_day_is_named(tmp_path):
    # Without its 2027-05-27 last day, the 2026-27 year makes no term: it lies between
    # the 2025-26 and 2027-28 terms, so it would count as out of term all year.
    full = (DISTRICTS / "cedar-hollow-2025-2028.ics").read_text()
    start = full.index("BEGIN:VEVENT\nUID:last-day-2027@")
    cut = full[:start] + full[full.index("END:VEVENT\n", start) + len("END:VEVENT\n") :]
    text = plan_text(ics="district.ics")
    [warning] = ics_warnings(tmp_path, text, cut)
    assert (warning.key, warning.line) == ("school.ics", line_of(text, "ics = "))
    assert warning.message == (
        "district.ics: 'First Day for Students' on 2026-08-12 has no matching last day of "
        "school after it, so its school year makes no term (between listed terms its days "
        "count as out of term and term-only visits stop; past them they are guessed as "
        "term time) -- add that term under [school], or save the district's calendar with "
        "both days"
    )


def test_check_prints_the_district_calendar_warnings(tmp_path, capsys):
    shutil.copy(DISTRICTS / "cedar-hollow-2025-2028.ics", tmp_path / "district.ics")
    text = plan_text(ics="district.ics", terms=True)
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    try:
        main(["check", "--json", str(path)])
        status = 0
    except SystemExit as exc:
        status = exc.code
    out, _ = capsys.readouterr()
    assert status == 0
    found = [w for w in json.loads(out)["warnings"] if w["code"] == "school-ics-terms"]
    assert [(w["key"], w["line"]) for w in found] == [("school.terms", line_of(text, "terms = "))]
