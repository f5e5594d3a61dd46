"""Lint warnings for plans that compute, but not as the coordinator probably meant.

A rotation anchored on a weekday that splits weekends between the parents, and a visit
that a season hides completely (issue 13, silent wrong results).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pc_calendar.plan.lint import LintWarning, lint_plan
from pc_calendar.plan.load import load
from pc_calendar.plan.model import Plan
from pc_calendar.schedule.engine import compute_timeline

MINIMAL = (Path(__file__).parent.parent / "data" / "minimal.toml").read_text()


def lint_text(tmp_path: Path, text: str) -> list[LintWarning]:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load(path)
    return lint_plan(loaded.plan, locator=loaded.locator)


def of_kind(warnings: list[LintWarning], code: str) -> list[LintWarning]:
    return [w for w in warnings if w.code == code]


def rotation(pattern: str, anchor: str) -> str:
    text = MINIMAL.replace('pattern = "alternating_weeks"', f'pattern = "{pattern}"')
    return text.replace("anchor = 2026-01-05", f"anchor = {anchor}")


def test_a_2_2_3_anchored_on_a_tuesday_splits_weekends(tmp_path):
    text = rotation("2-2-3", "2026-01-06")
    [warning] = of_kind(lint_text(tmp_path, text), "anchor-weekday")
    assert warning.key == "rotation.anchor"
    assert warning.line == text.splitlines().index("anchor = 2026-01-06") + 1
    assert "2026-01-06 is a Tuesday" in warning.message
    assert "splits 2 of every 2 weekends" in warning.message
    assert "(anchor = 2026-01-05) it keeps every weekend whole" in warning.message


def nights(plan: Plan, days: list[date]) -> list[str]:
    """Who has the child at 23:00 on each of ``days``."""
    zone = ZoneInfo(plan.family.timezone)
    child = compute_timeline(plan, days[0], days[-1] + timedelta(days=2)).children["kim"]
    moments = [datetime.combine(day, time(23, 0), zone) for day in days]
    return [next(b.parent for b in child.blocks if b.start <= m < b.end) for m in moments]


@pytest.mark.parametrize(("anchor", "whole"), [("2026-01-06", False), ("2026-01-05", True)])
def test_the_warning_is_true_of_the_timeline(tmp_path, anchor, whole):
    """With the anchor the warning suggests, Friday and Saturday nights always match."""
    path = tmp_path / "plan.toml"
    path.write_text(rotation("2-2-3", anchor), encoding="utf-8")
    plan = load(path).plan
    fridays = [date(2026, 2, 6) + timedelta(weeks=w) for w in range(4)]
    saturdays = [f + timedelta(days=1) for f in fridays]
    pairs = zip(nights(plan, fridays), nights(plan, saturdays), strict=True)
    assert all(fri == sat for fri, sat in pairs) is whole


@pytest.mark.parametrize(
    ("pattern", "anchor"),
    [
        ("2-2-3", "2026-01-05"),  # Monday: the usual start
        ("2-2-3", "2026-01-07"),  # Wednesday: Friday and Saturday still go together
        ("alternating_weeks", "2026-01-09"),  # Friday handovers keep weekends whole
        ("2-2-5-5", "2026-01-05"),
        ("3-4-4-3", "2026-01-04"),  # every anchor splits some weekends equally
        ("every_other_weekend", "2026-01-07"),  # the anchor only picks the week
    ],
)
def test_anchors_that_keep_weekends_whole_are_quiet(tmp_path, pattern, anchor):
    assert of_kind(lint_text(tmp_path, rotation(pattern, anchor)), "anchor-weekday") == []


def test_alternating_weeks_anchored_on_a_saturday_warns(tmp_path):
    [warning] = of_kind(
        lint_text(tmp_path, rotation("alternating_weeks", "2026-01-10")), "anchor-weekday"
    )
    assert "is a Saturday" in warning.message and "anchor = 2026-01-09" in warning.message


SUMMER_AND_VISIT = """
[[visits]]
name = "Summer dinner"
parent = "ana"
weekday = "wednesday"
start = 17:00:00
end = 19:30:00
during = "outside_school_term"

[[seasons]]
name = "Summer with Ben"
start = "05-19"
end = "08-20"
assign = { parent = "ben" }
"""


def test_a_visit_hidden_by_a_season_warns(tmp_path):
    text = MINIMAL.replace(
        'terms = [{ name = "Year", start = 2026-08-17, end = 2027-05-28 }]',
        "terms = [\n"
        + "".join(
            f'  {{ name = "{y}", start = {y}-08-21, end = {y + 1}-05-19 }},\n'
            for y in range(2025, 2030)
        )
        + "]",
    )
    text = text.replace(
        'breaks = [{ name = "Spring Break", start = 2027-03-15, end = 2027-03-19 }]', ""
    )
    text += SUMMER_AND_VISIT
    [warning] = of_kind(lint_text(tmp_path, text), "visit-hidden")
    assert warning.key == "visits[0]"
    assert "visit 'Summer dinner' never happens" in warning.message
    assert "'Summer with Ben', seasons[0]" in warning.message
    assert warning.line == text.splitlines().index("[[visits]]") + 1


def test_a_visit_partly_inside_a_season_is_quiet(tmp_path):
    text = MINIMAL + SUMMER_AND_VISIT.replace('during = "outside_school_term"\n', "")
    assert of_kind(lint_text(tmp_path, text), "visit-hidden") == []


def test_a_child_born_after_today_is_a_warning_not_an_error(tmp_path):
    """A plan may be made before a birth; a mistyped year is the likelier mistake."""
    text = MINIMAL.replace("birth_date = 2018-05-01", "birth_date = 2081-05-01")
    [warning] = of_kind(lint_text(tmp_path, text), "birth-date-future")
    assert warning.key == "children[0].birth_date"
    assert "Kim is born 2081-05-01, after today" in warning.message
    assert "mistyped" in warning.message
    assert warning.line == text.splitlines().index("birth_date = 2081-05-01") + 1
