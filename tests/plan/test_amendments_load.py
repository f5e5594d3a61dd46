"""Malformed amendments and decision metadata: file, line, key and exit status 2."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pc_calendar.cli import main
from pc_calendar.errors import PlanError
from pc_calendar.plan.amendments import AgeTrigger, add_months
from pc_calendar.plan.load import load_plan

DATA = Path(__file__).parent.parent / "data"
MINIMAL = (DATA / "minimal.toml").read_text()

VISIT = """
[[visits]]
name = "Wednesday dinner"
parent = "ben"
weekday = "wednesday"
start = 16:00:00
end = 19:00:00
"""


def amendment(body: str, effective: str = "2027-01-04") -> str:
    return (
        f'\n[[amendments]]\neffective = {effective}\nkind = "decision"\n'
        f'decided_by = "coordinator"\ndecided_on = 2026-12-01\nreason = "test"\n{body}\n'
    )


def problems(tmp_path: Path, extra: str) -> list[tuple[int | None, str, str]]:
    path = tmp_path / "plan.toml"
    path.write_text(MINIMAL + VISIT + extra, encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(path)
    return [(p.line, p.key, p.message) for p in info.value.problems]


def line_of(tmp_path: Path, needle: str) -> int:
    text = (tmp_path / "plan.toml").read_text()
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_valid_amendment_loads(tmp_path):
    path = tmp_path / "plan.toml"
    text = MINIMAL + VISIT + amendment("exchange = { time = 17:00:00 }\nreview_on = 2027-02-01")
    path.write_text(text, encoding="utf-8")
    plan = load_plan(path)
    assert plan.amendments[0].exchange.time.hour == 17
    assert plan.amendments[0].changes == ["exchange"]


def test_unknown_child_in_age_trigger(tmp_path):
    found = problems(
        tmp_path,
        amendment("rotation = { parents = ['ben', 'ana'] }", '{ child = "zoe", age = "5y" }'),
    )
    assert found == [
        (
            line_of(tmp_path, 'child = "zoe"'),
            "amendments[0].effective.child",
            "unknown child 'zoe'; known: kim",
        ),
    ]


def test_age_of_someone_without_a_birth_date(tmp_path):
    found = problems(
        tmp_path,
        amendment("rotation = { parents = ['ben', 'ana'] }", '{ child = "ana", age = "18m" }'),
    )
    assert found[0][1] == "amendments[0].effective.child"
    assert "'ana' is a parent" in found[0][2]


def test_bad_age_and_anchor_shapes(tmp_path):
    found = problems(
        tmp_path,
        amendment(
            'rotation = { pattern = "2-2-5-5", anchor = "next monday" }',
            '{ child = "kim", age = "five" }',
        ),
    )
    keys = [key for _, key, _ in found]
    assert keys == ["amendments[0].effective.age", "amendments[0].rotation.anchor"]
    assert "'5y', '18m' or '2y6m'" in found[0][2]


def test_effective_dates_out_of_order(tmp_path):
    extra = amendment("exchange = { time = 17:00:00 }", "2027-03-01") + amendment(
        "exchange = { time = 19:00:00 }", "2027-02-01"
    )
    found = problems(tmp_path, extra)
    assert len(found) == 1
    line, key, message = found[0]
    assert key == "amendments[1].effective"
    assert line == line_of(tmp_path, "effective = 2027-02-01")
    assert "before amendments[0]" in message and "order they take effect" in message


def test_removing_a_rule_that_is_not_in_force(tmp_path):
    found = problems(tmp_path, amendment('remove = { visits = ["Wednesday diner"] }'))
    assert len(found) == 1
    _, key, message = found[0]
    assert key == "amendments[0].remove.visits[0]"
    assert "did you mean 'Wednesday dinner'" in message


def test_a_removed_rule_cannot_be_removed_again(tmp_path):
    extra = amendment('remove = { visits = ["Wednesday dinner"] }') + amendment(
        'remove = { visits = ["Wednesday dinner"] }', "2027-02-01"
    )
    found = problems(tmp_path, extra)
    assert [key for _, key, _ in found] == ["amendments[1].remove.visits[0]"]


def test_kind_metadata_and_fees(tmp_path):
    extra = (
        '\n[[amendments]]\neffective = 2027-01-04\nkind = "agreement"\ndecided_on = 2026-12-01\n'
        'reason = "x"\nfees = { ana = 70, zed = 30 }\nexchange = { time = 17:00:00 }\n'
    )
    found = problems(tmp_path, extra)
    assert [key for _, key, _ in found] == ["amendments[0]"]
    assert "agreed_by" in found[0][2]
    fixed = extra.replace('kind = "agreement"', 'kind = "agreement"\nagreed_by = ["ana", "ben"]')
    found = problems(tmp_path, fixed)
    assert [key for _, key, _ in found] == ["amendments[0].fees.zed"]


def test_fees_must_add_up(tmp_path):
    found = problems(
        tmp_path, amendment("exchange = { time = 17:00:00 }\nfees = { ana = 50, ben = 40 }")
    )
    assert found[0][1] == "amendments[0].fees"
    assert "add up to 100" in found[0][2]


def test_review_follows_decision(tmp_path):
    found = problems(tmp_path, amendment("exchange = { time = 17:00:00 }\nreview_on = 2026-01-01"))
    assert "review_on 2026-01-01 is before decided_on 2026-12-01" in found[0][2]


def test_an_amendment_must_change_something(tmp_path):
    found = problems(tmp_path, amendment(""))
    assert "changes nothing" in found[0][2]


def test_children_must_follow_the_schedule(tmp_path):
    found = problems(
        tmp_path, amendment('children = ["kim"]\nschedule = "teen"\nexchange = { time = 17:00:00 }')
    )
    keys = [key for _, key, _ in found]
    assert "amendments[0].schedule" in keys


def test_bounds_must_be_ordered(tmp_path):
    bounded = VISIT.replace(
        "end = 19:00:00", "end = 19:00:00\nfrom = 2027-02-01\nuntil = 2027-01-01"
    )
    path = tmp_path / "plan.toml"
    path.write_text(MINIMAL + bounded, encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert "until 2027-01-01 is not after from 2027-02-01" in str(info.value)


def test_override_metadata(tmp_path):
    extra = (
        '\n[[overrides]]\nkind = "decision"\nstart = 2027-01-08T18:00:00\n'
        'end = 2027-01-10T18:00:00\nparent = "ben"\ndecided_by = "coordinator"\n'
        "decided_on = 2027-01-02\nreview_on = 2027-03-01\nfees = { ana = 25, ben = 75 }\n"
    )
    path = tmp_path / "plan.toml"
    path.write_text(MINIMAL + extra, encoding="utf-8")
    plan = load_plan(path)
    assert plan.overrides[0].fees == {"ana": 25, "ben": 75}
    assert str(plan.overrides[0].review_on) == "2027-03-01"


def test_cli_exits_2_without_traceback(tmp_path, capsys):
    path = tmp_path / "plan.toml"
    path.write_text(MINIMAL + amendment('remove = { holidays = ["Christmas"] }'), encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["check", str(path)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "amendments[0].remove.holidays[0]" in err and "Traceback" not in err
    assert f"plan.toml:{line_of(tmp_path, 'remove = ')}" in err


def test_ages_in_months_and_years():
    assert AgeTrigger(child="kim", age="18m").reached_on(date(2025, 1, 31)) == date(2026, 7, 31)
    assert AgeTrigger(child="kim", age="2y6m").months == 30
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
