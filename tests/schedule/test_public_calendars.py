"""Public holidays load one country's module, and give what ``holidays`` itself gives."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import holidays
import pytest

from pc_calendar.schedule import public_calendars

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")


def test_a_public_holiday_rule_loads_one_country_module():
    """Checking and computing a plan with a ``public`` rule imports the US module only
    (a fresh interpreter: this test process has long since loaded the rest)."""
    script = textwrap.dedent(
        """
        import sys
        from datetime import date
        from pc_calendar.plan.model import Plan
        from pc_calendar.schedule.engine import compute_timeline
        from pc_calendar.schedule.date_rules import PublicHolidayRule

        rule = {"rule": "public", "country": "US", "subdiv": "TX",
                "name": "Juneteenth National Independence Day"}
        problems = PublicHolidayRule().validate(
            {k: v for k, v in rule.items() if k != "rule"}, None)
        plan = Plan.model_validate({
            "family": {"id": "f", "name": "F", "timezone": "America/Chicago"},
            "parents": {"alex": {"name": "Alex"}, "sam": {"name": "Sam"}},
            "children": [{"id": "maya", "name": "Maya", "birth_date": date(2016, 4, 12)}],
            "rotation": {"pattern": "alternating_weeks", "anchor": date(2026, 1, 5)},
            "exchange": {"time": "18:00"},
            "holidays": [{"name": "Juneteenth", "date": rule, "assign": {"parent": "sam"}}],
        })
        timeline = compute_timeline(plan, date(2027, 6, 1), date(2027, 7, 1))
        loaded = sorted(m for m in sys.modules if m.startswith("holidays.countries"))
        print(problems, [h.first.isoformat() for h in timeline.holidays], loaded)
        """
    )
    env = {**os.environ, "PYTHONPATH": os.path.abspath(SRC)}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()
    assert out == "[] ['2027-06-19'] ['holidays.countries.united_states']"


@pytest.mark.parametrize(
    ("code", "subdiv"), [("US", None), ("US", "TX"), ("GB", "SCT"), ("AU", "NSW")]
)
def test_same_holidays_and_classes_as_the_package(code, subdiv):
    for year in (2026, 2033):
        ours = public_calendars.country_holidays(code, subdiv=subdiv, years=year)
        theirs = holidays.country_holidays(code, subdiv=subdiv, years=year)
        assert type(ours) is type(theirs)
        assert dict(ours) == dict(theirs)
    assert public_calendars.subdivisions(code) == tuple(getattr(holidays, code).subdivisions)


def test_unknown_country_is_not_available():
    with pytest.raises(NotImplementedError, match="XX"):
        public_calendars.country_holidays("XX", years=2026)
