"""Plans that used to crash or silently mean something else (issue 13, bad input).

Each mistake is an error naming the key and line and saying what was probably meant.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pc_calendar.errors import PlanError, Problem
from pc_calendar.plan.load import load_plan

MINIMAL = (Path(__file__).parent.parent / "data" / "minimal.toml").read_text()


def edit(old: str, new: str, text: str = MINIMAL) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def problems(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(path)
    return info.value.problems


def only(tmp_path: Path, text: str) -> Problem:
    [problem] = problems(tmp_path, text)
    return problem


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def override(start: str, end: str, extra: str = 'agreed_by = ["ana", "ben"]') -> str:
    return MINIMAL + (
        f'\n[[overrides]]\nname = "Trip"\nstart = {start}\nend = {end}\nparent = "ben"\n'
        f"{extra}\ndecided_on = 2026-06-01\n"
    )


@pytest.mark.parametrize(
    ("start", "end", "edge"),
    [
        ("2026-07-01T18:00:00-05:00", "2026-07-03T18:00:00", "start"),
        ("2026-07-01T18:00:00", "2026-07-03T18:00:00Z", "end"),
    ],
)
def test_an_offset_on_one_side_of_an_override_is_an_error_not_a_crash(tmp_path, start, end, edge):
    text = override(start, end)
    problem = only(tmp_path, text)
    assert problem.key == f"overrides[0].{edge}"
    assert "has a UTC offset" in problem.message
    local = {"start": start, "end": end}[edge][:19]
    assert f"({edge} = {local})" in problem.message
    assert problem.line == line_of(text, f"{edge} = {local}")


def test_an_override_given_as_a_bare_date_asks_for_the_time(tmp_path):
    text = override("2026-07-01", "2026-07-03T18:00:00")
    problem = only(tmp_path, text)
    assert problem.key == "overrides[0].start"
    assert "2026-07-01 alone (it would mean midnight)" in problem.message
    assert "2026-07-01T18:00:00" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "key", "hint"),
    [
        (
            "birth_date = 2018-05-01",
            'birth_date = "2018-05-01"',
            "children[0].birth_date",
            "write it without quotes: birth_date = 2018-05-01",
        ),
        (
            'name = "Ben"',
            'name = "Ben"\nreminder_minutes = "120"',
            "parents.ben.reminder_minutes",
            "write it without quotes: reminder_minutes = 120",
        ),
        (
            "time = 18:00:00",
            'time = "18:00"',
            "exchange.time",
            "write it without quotes: time = 18:00:00",
        ),
        (
            "anchor = 2026-01-05",
            "anchor = 2026-01-05T00:00:00",
            "rotation.anchor",
            "expected a date like 2027-06-15",
        ),
        (
            "dismissal = 15:00:00",
            'dismissal = "25:00:00"',
            "school.dismissal",
            "25:00:00 is not a real time of day",
        ),
    ],
)
def test_values_are_not_silently_converted(tmp_path, old, new, key, hint):
    text = edit(old, new)
    problem = only(tmp_path, text)
    assert problem.key == key
    assert hint in problem.message
    assert problem.line == line_of(text, new.splitlines()[-1])


def test_a_bool_given_as_text_is_refused(tmp_path):
    text = MINIMAL + (
        '\n[[holidays]]\nname = "Thanksgiving"\n'
        'date = { rule = "nth_weekday", month = 11, weekday = "thursday", n = 4 }\n'
        'assign = { not_in_possession = "true" }\n'
    )
    problem = only(tmp_path, text)
    assert problem.key == "holidays[1].assign.not_in_possession"
    assert "write it without quotes: not_in_possession = true" in problem.message


def test_two_children_with_one_id_is_an_error(tmp_path):
    text = MINIMAL + '\n[[children]]\nid = "kim"\nname = "Kim two"\nbirth_date = 2019-01-02\n'
    problem = only(tmp_path, text)
    assert problem.key == "children[1].id"
    assert "'kim' is already the id of children[0]" in problem.message
    assert problem.line == line_of(text, 'name = "Kim two"') - 1


def test_a_parent_in_two_rotation_slots_is_an_error(tmp_path):
    text = edit('parents = ["ana", "ben"]', 'parents = ["ana", "ana"]')
    problem = only(tmp_path, text)
    assert problem.key == "rotation.parents"
    assert "'ana' fills more than one slot" in problem.message
    assert 'parents = ["ana", "ben"]' in problem.message
    assert problem.line == line_of(text, 'parents = ["ana", "ana"]')


def test_a_swap_needs_both_parents_a_decision_does_not(tmp_path):
    swap = override("2026-07-01T18:00:00", "2026-07-03T18:00:00", 'agreed_by = ["ben"]')
    problem = only(tmp_path, swap)
    assert problem.key == "overrides[0].agreed_by"
    assert "ana did not agree" in problem.message and 'kind = "decision"' in problem.message
    decision = override(
        "2026-07-01T18:00:00",
        "2026-07-03T18:00:00",
        'kind = "decision"\ndecided_by = "coordinator"',
    )
    path = tmp_path / "decision.toml"
    path.write_text(decision, encoding="utf-8")
    assert load_plan(path).overrides[0].kind == "decision"


# -- messages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "line", "words"),
    [
        ('[family]\nid = "x"\nname = "X"\nid = "y"\n', "family.id", 4, "given twice"),
        ('[family]\nid = "x"\n[family]\nname = "X"\n', "family", 3, "declared twice as a table"),
        ('[family]\nid = "x\nname = "X"\n', "family.id", 2, "has no closing quote"),
        ('[family]\nid = "x"\nname = """X\n\n', "family.name", 3, "has no closing quote"),
        ('family = { id = "x", id = "y" }\n', "family.id", 1, "given twice in one inline table"),
        (
            '[[children]]\nid = "a"\n[[children]]\nid = "b"\nid = "c"\n',
            "children[1].id",
            5,
            "twice",
        ),
    ],
)
def test_toml_mistakes_name_the_key(tmp_path, text, key, line, words):
    problem = only(tmp_path, text)
    assert (problem.key, problem.line) == (key, line)
    assert words in problem.message and "Cannot" not in problem.message


@pytest.mark.parametrize("value", ['"25:00"', '"25:00:00"'])
def test_a_bad_time_is_not_called_a_bad_date(tmp_path, value):
    problem = only(tmp_path, edit("time = 18:00:00", f"time = {value}"))
    assert problem.message.startswith(value.strip('"'))
    assert "is not a real time of day" in problem.message and "date" not in problem.message


def test_a_quoted_date_where_a_month_day_also_fits_says_to_unquote(tmp_path):
    """Season edges take a date or "MM-DD": a quoted full date meant the date."""
    text = MINIMAL + (
        '\n[[seasons]]\nname = "Summer"\nstart = "2026-06-01"\nend = 2026-08-01\n'
        'assign = { parent = "ben" }\n'
    )
    problem = only(tmp_path, text)
    assert problem.key == "seasons[0].start"
    assert problem.message == "write it without quotes: start = 2026-06-01"
