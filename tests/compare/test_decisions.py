"""The register of decisions: order, who/when/why, effect per parent, reviews due, fees."""

from __future__ import annotations

import json
from datetime import date, timedelta
from fractions import Fraction

import pytest
from diff_plans import DINNERS, REGISTER, plan_text, write_plan

from pc_calendar.compare.decisions import build_register, review_warnings
from pc_calendar.plan.load import parse_plan_text
from pc_calendar.testing_cli import run_cli

H = timedelta(hours=1)
ENV = {"PC_CALENDAR_PLUGINS": "none", "PC_CALENDAR_NOW": "2026-03-01T18:00:00Z"}


@pytest.fixture(autouse=True)
def no_plugins(monkeypatch):
    monkeypatch.setenv("PC_CALENDAR_PLUGINS", "none")


@pytest.fixture
def plan(tmp_path):
    return parse_plan_text(plan_text(overrides=REGISTER), tmp_path / "plan.toml").plan


def test_entries_in_date_order_with_who_when_why(plan):
    register = build_register(plan, date(2026, 3, 1))
    swap, decision, amendment = register.decisions
    assert [e.key for e in register.decisions] == ["overrides[0]", "overrides[1]", "amendments[0]"]
    assert (swap.kind, swap.decided_on, swap.agreed_by) == (
        "swap",
        date(2026, 1, 10),
        ("dana", "marcus"),
    )
    assert swap.reason == "Dana presents at a conference in Denver."
    assert swap.applies == "2026-01-23 18:00 to 2026-01-25 18:00, with Marcus Okafor"
    assert (decision.kind, decision.decided_by) == ("decision", "coordinator")
    assert amendment.kind == "decision" and amendment.cites == "Plan section 5"
    assert amendment.reason.startswith("Curbside handovers")
    assert amendment.applies == "from 2026-03-01"
    assert amendment.window == (date(2026, 3, 1), date(2027, 3, 1))


def test_effect_is_the_days_that_change_hands(plan):
    swap, decision, _ = build_register(plan, date(2026, 3, 1)).decisions
    # The swap gives Marcus the nights of 23 and 24 January in Dana's week.
    [effect] = swap.effects
    assert effect.children == ("ivy",)
    assert effect.nights == {"dana": -2, "marcus": 2}
    assert effect.time == {"dana": -48 * H, "marcus": 48 * H}
    assert swap.exchanges == {"added": 2}
    # The decision gives Dana the nights of 13 and 14 February in Marcus's week.
    [effect] = decision.effects
    assert effect.nights == {"dana": 2, "marcus": -2}
    assert decision.exchanges == {"added": 2}


def test_an_amendment_is_measured_over_its_first_year(plan):
    *_, amendment = build_register(plan, date(2026, 3, 1)).decisions
    assert amendment.effects == ()  # a new place only: nobody's time changes
    # Every Monday handover from 2 March 2026 to 22 February 2027 (52) and the two of
    # 4 July (a holiday without a place of its own uses the rotation's) move.
    assert amendment.exchanges == {"moved": 54}


def test_an_amendment_that_ends_a_visit(tmp_path):
    plan = parse_plan_text(plan_text(overrides=DINNERS), tmp_path / "plan.toml").plan
    added, ended = build_register(plan, date(2026, 3, 1)).decisions
    # Ending the dinner: in its first year (1 June 2026 to 31 May 2027) the 26
    # Wednesdays of Marcus's weeks each lose Dana's 2.5 hours and two handovers.
    [effect] = ended.effects
    assert effect.nights == {}
    assert effect.time == {"dana": -65 * H, "marcus": 65 * H}
    assert ended.exchanges == {"removed": 52}
    # Without the first, the second would remove a visit that is not there: said, not
    # guessed, and numbered as in the file.
    assert added.effects == ()
    assert added.effect_error == (
        "without it, amendments[1].remove.visits[0]: no visit named 'Wednesday dinner' "
        "is in force to remove; in force: none"
    )


def test_reviews_due_from_their_day_on(plan):
    register = build_register(plan, date(2026, 3, 1))
    assert [e.key for e in register.reviews_due] == ["overrides[0]", "overrides[1]"]
    earlier = build_register(plan, date(2026, 2, 28), effects=False)
    assert [e.key for e in earlier.reviews_due] == ["overrides[0]"]


def test_fees_are_summed_per_parent(plan):
    register = build_register(plan, date(2026, 3, 1), effects=False)
    assert register.apportioned == 3
    assert register.fee_totals() == {"dana": Fraction(11, 10), "marcus": Fraction(19, 10)}


def test_a_plan_without_decisions_has_an_empty_register(tmp_path):
    plan = parse_plan_text(plan_text(), tmp_path / "plan.toml").plan
    register = build_register(plan, date(2026, 3, 1))
    assert register.decisions == [] and register.fee_totals() == {
        "dana": 0,
        "marcus": 0,
    }


def test_review_warnings_point_at_the_line(tmp_path):
    text = plan_text(overrides=REGISTER)
    loaded = parse_plan_text(text, tmp_path / "plan.toml")
    warnings = review_warnings(loaded.plan, date(2026, 3, 1), loaded.line_of)
    assert [w.code for w in warnings] == ["review-due", "review-due"]
    first = warnings[0]
    assert first.key == "overrides[0].review_on"
    assert text.splitlines()[first.line - 1] == "review_on = 2026-02-01"
    assert "28 days ago" in first.message and "swap 'Dana's conference'" in first.message
    assert "today" in warnings[1].message


def test_decisions_command_text(tmp_path):
    path = write_plan(tmp_path / "plan.toml", overrides=REGISTER)
    result = run_cli(["decisions", str(path)], env=ENV)
    assert result.exit_code == 0, result.stderr
    out = result.output
    assert "Okafor-Lind family: register of decisions (3), today 2026-03-01" in out
    assert "2026-01-10  swap 'Dana's conference' (overrides[0])" in out
    assert "who: agreed by Dana Lindqvist and Marcus Okafor" in out
    assert "who: decided by the coordinator" in out
    assert (
        "effect 2026-01-23 to 2026-01-25: Ivy: Dana Lindqvist -2 nights (-48 h); "
        "Marcus Okafor +2 nights (+48 h)" in out
    )
    assert "review: 2026-02-01 -- REVIEW DUE" in out
    assert "review: 2026-06-01\n" in out
    assert "fee: Dana Lindqvist 60%, Marcus Okafor 40%" in out
    assert "Fees apportioned (3), in whole fees: Dana Lindqvist 1.1, Marcus Okafor 1.9" in out
    assert "Reviews due: 2 (overrides[0], overrides[1])" in out
    assert "2026-02-20  amendment by decision 'Mondays at the library' (amendments[0])" in out
    assert "effect 2026-03-01 to 2027-02-28: nobody's time changes" in out
    assert "exchanges 2026-03-01 to 2027-02-28: 54 moved" in out
    assert "cites: Plan section 5" in out


def test_decisions_command_json(tmp_path):
    path = write_plan(tmp_path / "plan.toml", overrides=REGISTER)
    result = run_cli(["decisions", str(path), "--json"], env=ENV)
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["today"] == "2026-03-01" and doc["reviews_due"] == ["overrides[0]", "overrides[1]"]
    swap = doc["decisions"][0]
    assert {
        "key",
        "kind",
        "name",
        "decided_on",
        "agreed_by",
        "decided_by",
        "who",
        "reason",
        "cites",
        "applies",
        "effect",
        "exchanges",
        "review_on",
        "review_due",
        "fees",
    } <= set(swap)
    assert swap["effect"][0]["parents"] == [
        {
            "parent": "dana",
            "name": "Dana Lindqvist",
            "overnights": -2,
            "hours": "-48",
            "hours_exact": "-48",
        },
        {
            "parent": "marcus",
            "name": "Marcus Okafor",
            "overnights": 2,
            "hours": "+48",
            "hours_exact": "48",
        },
    ]
    assert swap["exchanges"] == {"added": 2, "removed": 0, "moved": 0}
    assert swap["fees"] == {
        "dana": {"fraction": "3/5", "percent": "60"},
        "marcus": {"fraction": "2/5", "percent": "40"},
    }
    assert doc["fees"]["parents"][0] == {
        "parent": "dana",
        "name": "Dana Lindqvist",
        "fees": "1.1",
        "fees_exact": "11/10",
    }
    due = run_cli(["decisions", str(path), "--json", "--due"], env=ENV)
    assert [d["key"] for d in json.loads(due.output)["decisions"]] == [
        "overrides[0]",
        "overrides[1]",
    ]


def test_check_warns_about_due_reviews_without_failing(tmp_path):
    path = write_plan(tmp_path / "plan.toml", overrides=REGISTER)
    result = run_cli(["check", str(path)], env=ENV)
    assert result.exit_code == 0, result.stderr
    assert "warning: overrides[0].review_on: the review of swap" in result.output
    later = run_cli(["check", str(path)], env={**ENV, "PC_CALENDAR_NOW": "2026-01-15T12:00:00Z"})
    assert "review_on" not in later.output


def test_status_lists_due_reviews(tmp_path):
    path = write_plan(tmp_path / "plan.toml", overrides=REGISTER)
    args = ["status", str(path), "--offline", "--state", str(tmp_path / "state.sqlite")]
    env = {**ENV, "PC_CALENDAR_DATA_DIR": str(tmp_path / "data")}
    result = run_cli([*args, "--json"], env=env)
    [family] = json.loads(result.output)["families"]
    assert family["reviews_due"] == [
        "overrides[0] 'Dana's conference' (decided 2026-01-10): review due 2026-02-01",
        "overrides[1] 'Grandmother's 80th' (decided 2026-02-01): review due 2026-03-01",
    ]
    text = run_cli(args, env=env).output
    assert "okafor-lind: REVIEW DUE overrides[0] 'Dana's conference'" in text


def test_check_today_option_decides_which_reviews_are_due(tmp_path):
    path = write_plan(tmp_path / "plan.toml", overrides=REGISTER)
    result = run_cli(["check", str(path), "--today", "2026-02-15"], env=ENV)
    assert "overrides[0].review_on" in result.output
    assert "overrides[1].review_on" not in result.output  # due on 1 March


STEP_AT_SCHOOL_YEAR = """
[school]
terms = [
  { start = 2026-01-05, end = 2026-05-29 },
  { start = 2026-08-17, end = 2027-05-28 },
]

[[amendments]]
name = "Library from fourth grade"
effective = { child = "ivy", age = "9y3m", at = "school_year_start" }
kind = "agreement"
agreed_by = ["dana", "marcus"]
decided_on = 2026-05-01
reason = "Ivy walks to the library after school from fourth grade."
exchange = { location = "library" }
"""


def test_an_age_trigger_is_measured_from_the_day_the_engine_switches(tmp_path):
    text = plan_text(overrides=STEP_AT_SCHOOL_YEAR)
    plan = parse_plan_text(text, tmp_path / "plan.toml").plan
    [entry] = build_register(plan, date(2026, 5, 1)).decisions
    # Ivy is 9 years and 3 months on 2 June 2026; the next school year starts 17 August.
    assert entry.applies == (
        "from Ivy's age 9y3m (2026-06-02), at school year start: in force from 2026-08-17"
    )
    assert entry.window == (date(2026, 8, 17), date(2027, 8, 17))
    # Every Monday handover from 17 August 2026 to 16 August 2027 (53) moves; on 4 July
    # 2027, in Marcus's week and his holiday, nobody is handed over.
    assert entry.exchanges == {"moved": 53}
