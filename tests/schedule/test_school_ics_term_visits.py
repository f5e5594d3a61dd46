"""The Texas template fed only a district's ICS: Thursday evenings follow its terms.

Tex. Fam. Code 153.312(a)(2) gives the possessory conservator Thursday evenings
"during the regular school term". With the terms taken from Cedar Hollow's first and
last days (2025-26 ends Thursday 2026-05-21, 2026-27 starts Wednesday 2026-08-12) the
Thursdays of summer 2026 have no visit. Hand-worked, May to September 2026:
- in term: May 7, 14, 21 (the last day is a school day); Aug 13, 20, 27; Sep 3, 10,
  17, 24;
- not in term: May 28, June 4, 11, 18, 25, Aug 6 (July is Marcus's summer possession).
With Pine Ridge's calendar (breaks only) the terms are unknown: every Thursday outside a
vacation counts, June included, and the engine says so.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

from pc_calendar.plan.load import load_plan
from pc_calendar.schedule.engine import compute_timeline
from pc_calendar.templates import builtin_templates

DISTRICTS = Path(__file__).parent.parent / "data" / "districts"


def texas_with_ics(tmp_path: Path, ics_name: str) -> Path:
    """The Texas template with its listed terms and breaks replaced by ``ics``."""
    shutil.copy(DISTRICTS / ics_name, tmp_path / ics_name)
    text = builtin_templates()["texas-spo"]
    text, n = re.subn(r"^(terms|breaks) = \[\n(?:  .*\n)*\]\n", "", text, flags=re.MULTILINE)
    assert n == 2
    text = text.replace(
        'name = "Pecan Creek ISD"\n', f'name = "Pecan Creek ISD"\nics = "{ics_name}"\n'
    )
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def thursday_visits(plan_path: Path) -> tuple[list[date], list[str]]:
    plan = load_plan(plan_path)
    timeline = compute_timeline(plan, date(2026, 5, 1), date(2026, 10, 1))
    zone = timeline.zone
    days = sorted(
        {
            block.start.astimezone(zone).date()
            for child in timeline.children.values()
            for block in child.blocks
            if block.rule.layer == "visit"
        }
    )
    assert all(d.weekday() == 3 for d in days)
    return days, timeline.warnings


def test_terms_from_the_district_calendar_keep_summer_out_of_term(tmp_path):
    days, warnings = thursday_visits(texas_with_ics(tmp_path, "cedar-hollow-2025-2028.ics"))
    assert days == [
        date(2026, 5, 7),
        date(2026, 5, 14),
        date(2026, 5, 21),
        date(2026, 8, 13),
        date(2026, 8, 20),
        date(2026, 8, 27),
        date(2026, 9, 3),
        date(2026, 9, 10),
        date(2026, 9, 17),
        date(2026, 9, 24),
    ]
    assert not [w for w in warnings if "no school terms" in w]


def test_unknown_terms_keep_the_visits_and_say_so(tmp_path):
    days, warnings = thursday_visits(texas_with_ics(tmp_path, "pine-ridge-breaks-only.ics"))
    june = [d for d in days if d.month == 6]
    assert june == [date(2026, 6, 4), date(2026, 6, 11), date(2026, 6, 18), date(2026, 6, 25)]
    assert date(2026, 8, 6) in days
    assert (
        "school: the plan lists no school terms and pine-ridge-breaks-only.ics has no first "
        "and last day of school, so visits[0] 'Thursday evening' (during = \"school_term\") "
        "counts every week outside a break of a school week or more as term time, the "
        "summer holidays included -- add terms under [school]"
    ) in warnings


def test_past_the_district_calendar_the_warnings_say_which_file_to_update(tmp_path):
    from pc_calendar.plan.lint import lint_plan

    plan = load_plan(texas_with_ics(tmp_path, "cedar-hollow-2025-2028.ics"))
    to_file = (
        "to cedar-hollow-2025-2028.ics (save the district's newer calendar there) or under [school]"
    )
    timeline = compute_timeline(plan, date(2028, 6, 1), date(2028, 10, 1))
    [assumed] = [w for w in timeline.warnings if w.startswith("school: terms are listed")]
    assert assumed.startswith(
        "school: terms are listed from 2025-08-13 to 2028-05-25 only; on days outside them"
    )
    assert assumed.endswith(f"-- add the 2028-29 school year {to_file}")
    [ends] = [w for w in lint_plan(plan) if w.code == "school-calendar-ends"]
    assert ends.message.endswith(
        f"add the 2028-29 school year (and later ones as the district publishes them) {to_file}"
    )


def test_check_names_the_texas_rules_that_unknown_terms_change(tmp_path):
    from pc_calendar.plan.lint import lint_plan

    plan = load_plan(texas_with_ics(tmp_path, "pine-ridge-breaks-only.ics"))
    [warning] = [w for w in lint_plan(plan) if w.code == "school-terms-unknown"]
    assert warning.key == "school.ics"
    assert (
        "; so visits[0] 'Thursday evening' (during = \"school_term\") also happen in the "
        "summer holidays; rotation extends no summer weekend for a public holiday on its "
        "Friday or Monday (Tex. Fam. Code 153.315), since such a day counts as a school day "
        "-- add terms"
    ) in warning.message
