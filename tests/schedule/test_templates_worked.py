"""Worked examples: every shipped template computed, checked against dates worked out by hand.

The expected custodians below were worked out from each template's rules and a printed
calendar, not copied from the engine's output. "Night of D" means where the children
sleep after the evening of D (checked at 23:00 local time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pc_calendar import plugins
from pc_calendar.plan.load import load_plan
from pc_calendar.plan.model import Plan
from pc_calendar.templates import builtin_templates, description_of

engine = pytest.importorskip("pc_calendar.schedule.engine")

TEMPLATE_DIR = Path(__file__).parents[2] / "src" / "pc_calendar" / "templates"
START, END = date(2026, 1, 1), date(2028, 1, 16)


@cache
def plan_of(name: str) -> Plan:
    return load_plan(TEMPLATE_DIR / f"{name}.toml")


@cache
def timeline_of(name: str):
    return engine.compute_timeline(plan_of(name), START, END)


class Family:
    """Lookups on one template's timeline, in its family's local time."""

    def __init__(self, name: str, child: str | None = None) -> None:
        self.plan = plan_of(name)
        self.tl = timeline_of(name)
        self.zone = ZoneInfo(self.plan.family.timezone)
        self.child = child or self.plan.children[0].id
        self.blocks = self.tl.children[self.child].blocks
        self.exchanges = self.tl.children[self.child].exchanges

    def at(self, y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
        return datetime(y, m, d, hh, mm, tzinfo=self.zone).astimezone(UTC)

    def block(self, y: int, m: int, d: int, hh: int = 0, mm: int = 0):
        instant = self.at(y, m, d, hh, mm)
        for block in self.blocks:
            if block.start <= instant < block.end:
                return block
        raise AssertionError(f"{y}-{m}-{d} {hh}:{mm} is outside the timeline")

    def who(self, y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> str:
        return self.block(y, m, d, hh, mm).parent

    def night(self, y: int, m: int, d: int) -> str:
        return self.who(y, m, d, 23, 0)

    def nights(self, first: date, count: int) -> list[str]:
        days = [first + timedelta(days=i) for i in range(count)]
        return [self.night(d.year, d.month, d.day) for d in days]

    def exchange_at(self, y: int, m: int, d: int, hh: int, mm: int = 0):
        instant = self.at(y, m, d, hh, mm)
        found = [ex for ex in self.exchanges if ex.at == instant]
        assert len(found) == 1, f"no single exchange at {y}-{m}-{d} {hh}:{mm}: {found}"
        return found[0]

    def exchanges_between(self, first: date, last: date) -> list[str]:
        """Exchanges on local days first..last as 'YYYY-MM-DD HH:MM from->to'."""
        out = []
        for ex in self.exchanges:
            local = ex.at.astimezone(self.zone)
            if first <= local.date() <= last:
                out.append(f"{local:%Y-%m-%d %H:%M} {ex.from_parent}->{ex.to_parent}")
        return out


NAMES = sorted(builtin_templates())


def test_all_expected_templates_ship():
    assert NAMES == [
        "2-2-3",
        "2-2-5-5",
        "3-4-4-3",
        "alternating-weeks",
        "custom-days",
        "every-other-weekend",
        "step-up-young-children",
        "texas-spo",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_template_registered_loads_and_is_sound(name):
    description, text = plugins.templates()[name]
    assert description == description_of(text) and len(description) > 20
    assert text.startswith("# ")
    plan = plan_of(name)
    assert len(plan.parents) == 2 and plan.children and plan.rotation is not None
    tl = timeline_of(name)
    for child in plan.children:
        blocks = tl.children[child.id].blocks
        assert blocks[0].start == datetime(2026, 1, 1, tzinfo=ZoneInfo(plan.family.timezone))
        for before, after in zip(blocks, blocks[1:], strict=False):
            assert before.end == after.start
        for block in blocks:  # a holiday snapped to a far-away school day shows up here
            if block.rule.layer == "holiday":
                assert block.end - block.start <= timedelta(days=17), block
        for ex in tl.children[child.id].exchanges:
            assert ex.from_parent != ex.to_parent
            assert ex.location is None or ex.location in plan.locations
    assert not [w for w in tl.warnings if "2026" in w or "2027" in w], tl.warnings


# --- texas-spo ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spo() -> Family:
    return Family("texas-spo")


def test_spo_every_rule_cites_the_family_code(spo):
    for block in spo.blocks:
        assert block.rule.citation and block.rule.citation.startswith("Tex. Fam. Code §"), (
            block.rule
        )
    plan = spo.plan
    cited = (
        [plan.rotation.citation]
        + [v.citation for v in plan.visits]
        + [s.citation for s in plan.seasons]
        + [h.citation for h in plan.holidays]
    )
    assert all(c and c.startswith("Tex. Fam. Code §") for c in cited)


def test_spo_first_third_fifth_friday_weekends(spo):
    # October 2026: Fridays 2, 9, 16, 23, 30.
    assert spo.who(2026, 10, 2, 17, 59) == "dana"
    assert spo.who(2026, 10, 2, 18, 0) == "marcus"
    assert spo.nights(date(2026, 10, 2), 10) == [
        "marcus",
        "marcus",
        "dana",
        "dana",
        "dana",
        "dana",
        "dana",  # Fri 2 .. Thu 8
        "dana",
        "dana",
        "dana",  # 9-11: 2nd Friday weekend stays with Dana
    ]
    assert spo.who(2026, 10, 4, 17, 59) == "marcus"
    assert spo.who(2026, 10, 4, 18, 0) == "dana"
    ex = spo.exchange_at(2026, 10, 2, 18)
    assert (ex.from_parent, ex.to_parent, ex.location) == ("dana", "marcus", "dana-home")


def test_spo_fifth_friday_weekend_and_dst_sunday(spo):
    # Friday 30 October 2026 is the 5th Friday; the weekend ends Sunday 1 November, the
    # day daylight saving time ends, still at 18:00 local.
    assert spo.nights(date(2026, 10, 30), 3) == ["marcus", "marcus", "dana"]
    ex = spo.exchange_at(2026, 11, 1, 18)
    assert (ex.from_parent, ex.to_parent) == ("marcus", "dana")
    assert ex.at == datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # 18:00 CST = 00:00 UTC


def test_spo_thursday_visit_in_term_only(spo):
    assert spo.who(2026, 10, 8, 17, 59) == "dana"
    assert spo.who(2026, 10, 8, 18, 30) == "marcus"
    assert spo.who(2026, 10, 8, 20, 0) == "dana"
    assert spo.block(2026, 10, 8, 18, 30).rule.citation == "Tex. Fam. Code § 153.312(a)(2)"
    # Summer (no term) and the week before school starts on 12 August: no visit.
    assert spo.who(2026, 6, 11, 19, 0) == "dana"
    assert spo.who(2026, 8, 6, 19, 0) == "dana"
    assert spo.who(2026, 8, 13, 19, 0) == "marcus"
    # Thanksgiving week is a school break: no Thursday visit on 26 November 2026.
    assert spo.who(2026, 11, 26, 19, 0) == "dana"


def test_spo_weekend_extended_by_monday_and_friday_school_holidays(spo):
    # Labor Day, Monday 7 September 2026, after the 1st-Friday weekend: until Monday 18:00.
    assert spo.nights(date(2026, 9, 4), 4) == ["marcus", "marcus", "marcus", "dana"]
    assert spo.who(2026, 9, 7, 17, 59) == "marcus"
    assert spo.who(2026, 9, 7, 18, 0) == "dana"
    # MLK Day, Monday 18 January 2027, after the 3rd-Friday weekend.
    assert spo.nights(date(2027, 1, 15), 4) == ["marcus", "marcus", "marcus", "dana"]
    # Good Friday 3 April 2026 (1st Friday, no school): the weekend starts Thursday 18:00.
    assert spo.who(2026, 4, 2, 17, 59) == "dana"
    assert spo.who(2026, 4, 2, 18, 0) == "marcus"
    assert spo.nights(date(2026, 4, 2), 4) == ["marcus", "marcus", "marcus", "dana"]
    # A school holiday next to Dana's weekend changes nothing (Monday 12 October 2026).
    assert spo.nights(date(2026, 10, 9), 4) == ["dana"] * 4
    # Summer: Friday 19 June 2026 (Juneteenth, a federal holiday) starts the 3rd-Friday
    # weekend on Thursday; ordinary summer Fridays do not (5 June 2026).
    assert spo.who(2026, 6, 18, 18, 0) == "marcus"
    assert spo.who(2026, 6, 4, 20, 0) == "dana"
    assert spo.nights(date(2026, 6, 5), 3) == ["marcus", "marcus", "dana"]


def test_spo_thanksgiving_alternates(spo):
    # 2026 (even): Dana from 18:00 on the day school lets out (Friday 20 November; the
    # district closes the week) to Sunday 29 November 18:00, over Marcus's 3rd weekend.
    assert spo.who(2026, 11, 20, 18, 0) == "dana"
    assert spo.block(2026, 11, 21, 12).rule.name == "Thanksgiving"
    assert spo.nights(date(2026, 11, 20), 10) == ["dana"] * 10
    assert spo.exchanges_between(date(2026, 11, 20), date(2026, 12, 2)) == []
    # 2027 (odd): Marcus, Friday 19 November 18:00 to Sunday 28 November 18:00.
    assert spo.who(2027, 11, 19, 17, 59) == "dana"
    assert spo.nights(date(2027, 11, 19), 10) == ["marcus"] * 9 + ["dana"]
    assert spo.who(2027, 11, 28, 17, 59) == "marcus"
    assert spo.who(2027, 11, 28, 18, 0) == "dana"
    assert spo.block(2027, 11, 25, 12).rule.citation == "Tex. Fam. Code § 153.314(3)"


def test_spo_christmas_split_at_noon_on_28_december(spo):
    # 2026 (even): Marcus from 18:00 Friday 18 December (school lets out) to noon on
    # 28 December; Dana from noon until 18:00 on Sunday 3 January, the day before school
    # resumes; Dana keeps the 1st-Friday weekend of January 2027.
    assert spo.who(2026, 12, 18, 17, 59) == "dana"
    assert spo.who(2026, 12, 18, 18, 0) == "marcus"
    assert spo.night(2026, 12, 24) == "marcus"
    assert spo.night(2026, 12, 25) == "marcus"
    assert spo.who(2026, 12, 28, 11, 59) == "marcus"
    assert spo.who(2026, 12, 28, 12, 0) == "dana"
    ex = spo.exchange_at(2026, 12, 28, 12)
    assert (ex.from_parent, ex.to_parent) == ("marcus", "dana")
    assert ex.rule.citation == "Tex. Fam. Code § 153.314(1), (2)"
    assert spo.night(2027, 1, 1) == "dana"
    assert spo.exchanges_between(date(2026, 12, 29), date(2027, 1, 6)) == []
    # 2027 (odd): Dana from 18:00 on Friday 17 December (over Marcus's 3rd weekend) to
    # noon on 28 December; Marcus from noon to 18:00 on the day before school resumes.
    # School resumes on Tuesday 4 January 2028 in the template's calendar, so that is
    # Monday 3 January, not the Sunday (153.314(1)).
    assert spo.nights(date(2027, 12, 17), 3) == ["dana"] * 3
    assert spo.night(2027, 12, 25) == "dana"
    assert spo.who(2027, 12, 28, 11, 59) == "dana"
    assert spo.who(2027, 12, 28, 12, 0) == "marcus"
    assert spo.nights(date(2027, 12, 31), 3) == ["marcus", "marcus", "marcus"]
    assert spo.who(2028, 1, 3, 17, 59) == "marcus"
    assert spo.who(2028, 1, 3, 18, 0) == "dana"
    assert spo.exchanges_between(date(2027, 12, 29), date(2028, 1, 4)) == [
        "2028-01-03 18:00 marcus->dana"
    ]
    assert spo.block(2028, 1, 3, 12).rule.citation == "Tex. Fam. Code § 153.314(1), (2)"


def test_spo_spring_break_alternates(spo):
    # 2026 (even): Marcus from Friday 13 March 18:00 to 18:00 on the day before school
    # resumes (Monday 23 March), i.e. Sunday 22 March.
    assert spo.nights(date(2026, 3, 13), 10) == ["marcus"] * 9 + ["dana"]
    assert spo.who(2026, 3, 22, 17, 59) == "marcus"
    assert spo.who(2026, 3, 22, 18, 0) == "dana"
    assert spo.block(2026, 3, 22, 12).rule.citation == "Tex. Fam. Code § 153.312(b)(1)"
    # 2027 (odd): Dana, including the 3rd-Friday weekend of 19-21 March.
    assert spo.nights(date(2027, 3, 12), 10) == ["dana"] * 10


def test_spo_mothers_and_fathers_day_weekends(spo):
    # Mother's Day 2027 is 9 May; Friday 7 May is the 1st Friday, Dana has it anyway.
    assert spo.nights(date(2027, 5, 7), 3) == ["dana"] * 3
    assert spo.block(2027, 5, 8, 12).rule.citation == "Tex. Fam. Code § 153.314(6)"
    # Father's Day 2026 is 21 June: Marcus from Friday 19 June 18:00 to Sunday 18:00.
    assert spo.block(2026, 6, 20, 12).rule.name == "Father's Day weekend"
    assert spo.who(2026, 6, 21, 17, 59) == "marcus"
    assert spo.who(2026, 6, 21, 18, 0) == "dana"


def test_spo_summer_possession_and_fifth_friday_after_it(spo):
    # 2026: 1 July 18:00 to 31 July 18:00; 31 July is the 5th Friday, so Marcus keeps the
    # children through Sunday 2 August 18:00 with no exchange on the 31st.
    assert spo.who(2026, 7, 1, 17, 59) == "dana"
    assert spo.who(2026, 7, 1, 18, 0) == "marcus"
    assert spo.block(2026, 7, 15, 12).rule.citation == "Tex. Fam. Code § 153.312(b)(2)(B)"
    assert spo.night(2026, 7, 31) == "marcus"
    assert spo.night(2026, 8, 1) == "marcus"
    assert spo.night(2026, 8, 2) == "dana"
    assert spo.exchanges_between(date(2026, 7, 2), date(2026, 8, 1)) == []
    # 2027: 31 July is a Saturday; the summer ends then and the next weekend is 6 August.
    assert spo.who(2027, 7, 31, 17, 59) == "marcus"
    assert spo.night(2027, 8, 1) == "dana"


def test_spo_birthday_evening(spo):
    # Ava turns 12 on Wednesday 11 February 2026 (Dana's night): Marcus 18:00-20:00.
    assert spo.who(2026, 2, 11, 17, 59) == "dana"
    assert spo.who(2026, 2, 11, 18, 30) == "marcus"
    assert spo.who(2026, 2, 11, 20, 0) == "dana"
    assert spo.block(2026, 2, 11, 18, 30).rule.citation == "Tex. Fam. Code § 153.314(4)"
    # Eli's sibling evening: Saturday 27 June 2026, Dana's weekend (4th Friday).
    eli = Family("texas-spo", child="eli")
    assert eli.who(2026, 6, 27, 19) == "marcus"
    assert eli.night(2026, 6, 27) == "dana"
    # Ava turns 13 on Thursday 11 February 2027: Marcus has his Thursday evening then
    # (153.312(a)(2)), so the parent not otherwise entitled is Dana: 18:00-20:00 hers.
    assert spo.who(2027, 2, 11, 17, 59) == "dana"
    assert spo.who(2027, 2, 11, 19, 0) == "dana"
    assert spo.block(2027, 2, 11, 19).rule.name == "Ava's birthday"
    assert spo.exchanges_between(date(2027, 2, 11), date(2027, 2, 11)) == []
    # Eli turns 9 on Sunday 27 June 2027, Dana's weekend (25 June is a 4th Friday).
    assert eli.who(2027, 6, 27, 19) == "marcus"
    labels = [h for h in spo.tl.holidays if h.name.endswith("birthday")]
    assert [(h.first, h.parent) for h in labels] == [
        (date(2026, 2, 11), "marcus"),
        (date(2026, 6, 27), "marcus"),
        (date(2027, 2, 11), "dana"),
        (date(2027, 6, 27), "marcus"),
    ]


# --- alternating-weeks ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def weeks() -> Family:
    return Family("alternating-weeks")


def test_alternating_weeks_friday_school_handover(weeks):
    # Week A (Ngozi) from Friday 2 January 2026; Friday 2 October 2026 is 39 weeks later,
    # a B week: Tom picks up at school dismissal (15:20).
    ex = weeks.exchange_at(2026, 10, 2, 15, 20)
    assert (ex.from_parent, ex.to_parent, ex.location) == ("ngozi", "tom", "school")
    assert weeks.nights(date(2026, 10, 2), 8) == ["tom"] * 7 + ["ngozi"]


def test_alternating_weeks_thanksgiving_and_christmas(weeks):
    # Thanksgiving 2026 (even) with Ngozi, who has that week; the next week (Tom's)
    # starts when Thanksgiving ends, Friday 27 November 18:00 (no school, curbside).
    assert weeks.block(2026, 11, 26, 12).rule.name == "Thanksgiving"
    ex = weeks.exchange_at(2026, 11, 27, 18)
    assert (ex.from_parent, ex.to_parent, ex.location) == ("ngozi", "tom", "curbside")
    # Christmas 2026: Tom noon 24th to noon 25th, Ngozi noon 25th to noon 26th, then
    # Tom's week (which began on Friday the 25th).
    assert weeks.night(2026, 12, 23) == "ngozi"
    assert weeks.night(2026, 12, 24) == "tom"
    assert weeks.night(2026, 12, 25) == "ngozi"
    assert weeks.night(2026, 12, 26) == "tom"
    assert weeks.exchanges_between(date(2026, 12, 24), date(2026, 12, 26)) == [
        "2026-12-24 12:00 ngozi->tom",
        "2026-12-25 12:00 tom->ngozi",
        "2026-12-26 12:00 ngozi->tom",
    ]


def test_alternating_weeks_fathers_day_in_the_other_week(weeks):
    # Friday 19 June 2026 starts a Ngozi week; Father's Day (21 June) 10:00-19:00 with Tom.
    assert weeks.who(2026, 6, 21, 9, 59) == "ngozi"
    assert weeks.who(2026, 6, 21, 12) == "tom"
    assert weeks.who(2026, 6, 21, 19) == "ngozi"
    labels = {(h.name, h.first) for h in weeks.tl.holidays}
    assert ("Zara's birthday", date(2026, 9, 30)) in labels


# --- 2-2-3 ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two23() -> Family:
    return Family("2-2-3")


def test_2_2_3_cycle(two23):
    # Monday 5 October 2026 is day 273 = 7 (mod 14) of the cycle from Monday 5 January:
    # the week-2 Monday, so Emma Mon-Tue, Luis Wed-Thu, Emma Fri-Sun, then Luis Mon-Tue.
    assert two23.nights(date(2026, 10, 5), 9) == [
        "emma",
        "emma",
        "luis",
        "luis",
        "emma",
        "emma",
        "emma",
        "luis",
        "luis",
    ]
    ex = two23.exchange_at(2026, 10, 7, 14, 45)  # Wednesday, school dismissal
    assert (ex.from_parent, ex.to_parent, ex.location) == ("emma", "luis", "school")


def test_2_2_3_holidays(two23):
    # Halloween 2026 (even, Saturday) 16:00-20:30 with Emma during Luis's weekend.
    assert two23.who(2026, 10, 31, 15, 59) == "luis"
    assert two23.who(2026, 10, 31, 16) == "emma"
    assert two23.who(2026, 10, 31, 20, 30) == "luis"
    # Father's Day 2026 (21 June, Emma's weekend): Luis 09:00-19:00.
    assert two23.who(2026, 6, 21, 12) == "luis"
    assert two23.night(2026, 6, 21) == "emma"
    # Winter break 2026: Emma from dismissal (14:45) on Friday 18 December to noon on
    # 26 December, then Luis until 17:00 on Sunday 3 January 2027.
    assert two23.who(2026, 12, 18, 14, 45) == "emma"
    assert two23.who(2026, 12, 26, 11, 59) == "emma"
    assert two23.who(2026, 12, 26, 12) == "luis"
    assert two23.who(2027, 1, 3, 16, 59) == "luis"
    # Thanksgiving 2026 (even): Luis, Wednesday 17:00 to Sunday 17:00.
    assert two23.nights(date(2026, 11, 25), 4) == ["luis"] * 4


# --- 2-2-5-5 ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two55() -> Family:
    return Family("2-2-5-5")


def test_2_2_5_5_fixed_weekdays_and_alternate_weekends(two55):
    # From Monday 12 October 2026 (day 280 = 0 mod 14): Priya Mon-Tue, Daniel Wed-Thu,
    # Priya Fri-Tue, Daniel Wed-Sun.
    assert two55.nights(date(2026, 10, 12), 14) == (
        ["priya"] * 2 + ["daniel"] * 2 + ["priya"] * 5 + ["daniel"] * 5
    )
    ex = two55.exchange_at(2026, 10, 14, 15, 30)
    assert (ex.from_parent, ex.to_parent, ex.location) == ("priya", "daniel", "school")
    # Monday 26 October is a school day: pickup at school at dismissal.
    assert two55.exchange_at(2026, 10, 26, 15, 30).location == "school"


def test_2_2_5_5_holidays(two55):
    # Thanksgiving 2026 (even): Daniel from dismissal Friday 20 November (already his
    # Wed-Sun run) to Sunday 29th 18:00, over Priya's Monday-Tuesday 23-24 November.
    assert two55.block(2026, 11, 23, 23).rule.name == "Thanksgiving"
    assert two55.nights(date(2026, 11, 20), 10) == ["daniel"] * 9 + ["priya"]
    assert two55.who(2026, 11, 29, 17, 59) == "daniel"
    ex = two55.exchange_at(2026, 11, 29, 18)
    assert (ex.from_parent, ex.to_parent, ex.location) == ("daniel", "priya", "curbside")
    # Christmas 2026 (even): Priya 23rd 18:00 to 26th 18:00; New Year's Eve with Daniel.
    assert two55.nights(date(2026, 12, 23), 3) == ["priya"] * 3
    assert two55.night(2026, 12, 31) == "daniel"
    # Independence Day 2027 (odd): Priya 10:00-22:00 on Sunday 4 July, Daniel's weekend.
    assert two55.who(2027, 7, 4, 9, 59) == "daniel"
    assert two55.who(2027, 7, 4, 12) == "priya"
    assert two55.night(2027, 7, 4) == "daniel"


# --- 3-4-4-3 ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def three443() -> Family:
    return Family("3-4-4-3")


def test_3_4_4_3_cycle(three443):
    # Sunday 4 October 2026 is day 273 = 7 (mod 14) from Sunday 4 January: the week-2
    # Sunday, so Hana Sun-Wed, Jonas Thu-Sat, then Hana Sun-Tue, Jonas Wed-Sat.
    assert three443.nights(date(2026, 10, 4), 14) == (
        ["hana"] * 4 + ["jonas"] * 3 + ["hana"] * 3 + ["jonas"] * 4
    )


def test_3_4_4_3_summer_fortnights_swap_each_year(three443):
    assert three443.nights(date(2026, 7, 5), 28) == ["hana"] * 14 + ["jonas"] * 14
    assert three443.nights(date(2027, 7, 5), 28) == ["jonas"] * 14 + ["hana"] * 14
    assert three443.block(2026, 7, 10, 12).rule.name == "First summer fortnight"


def test_3_4_4_3_christmas_split(three443):
    # 2026 (even): Hana 14:00 on the 24th to 14:00 on the 25th, then Jonas until 14:00
    # on the 26th.
    assert three443.who(2026, 12, 24, 14) == "hana"
    assert three443.who(2026, 12, 25, 13, 59) == "hana"
    assert three443.who(2026, 12, 25, 14) == "jonas"
    assert three443.who(2026, 12, 26, 13, 59) == "jonas"


# --- every-other-weekend -------------------------------------------------------------------


@pytest.fixture(scope="module")
def eow() -> Family:
    return Family("every-other-weekend")


def test_every_other_weekend_and_wednesday_dinner(eow):
    # Omar's weekends: 9 January 2026 and every 14 days, so 2 and 16 October 2026.
    assert eow.nights(date(2026, 10, 2), 17) == (
        ["omar"] * 2 + ["rachel"] * 12 + ["omar"] * 2 + ["rachel"]
    )
    ex = eow.exchange_at(2026, 10, 7, 17)
    assert (ex.from_parent, ex.to_parent, ex.location) == ("rachel", "omar", "diner")
    assert eow.who(2026, 10, 7, 19, 29) == "omar"
    assert eow.who(2026, 10, 7, 19, 30) == "rachel"


def test_every_other_weekend_holidays_and_summer(eow):
    # Father's Day weekend 2026 (19-21 June) is a Rachel weekend in the rotation.
    assert eow.nights(date(2026, 6, 19), 3) == ["omar", "omar", "rachel"]
    # Summer: Omar 1 July 18:00 to 15 July 18:00; Wednesday dinners inside are his anyway.
    assert eow.nights(date(2026, 7, 1), 15) == ["omar"] * 14 + ["rachel"]
    assert eow.exchanges_between(date(2026, 7, 2), date(2026, 7, 14)) == []
    # Winter break 2026 (even): Omar from Friday 18 December 18:00 to noon on the 27th.
    assert eow.who(2026, 12, 27, 11, 59) == "omar"
    assert eow.who(2026, 12, 27, 12) == "rachel"
    # Thanksgiving 2027 (odd): Omar, Wednesday 24 November 18:00 to Sunday 18:00.
    assert eow.nights(date(2027, 11, 24), 5) == ["omar"] * 4 + ["rachel"]


def test_every_other_weekend_leap_day_birthday_label(eow):
    labels = {(h.name, h.first) for h in eow.tl.holidays}
    assert ("Sami's birthday", date(2027, 2, 28)) in labels
    assert ("Sami's birthday", date(2026, 2, 28)) in labels


# --- custom-days ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def custom() -> Family:
    return Family("custom-days")


def test_custom_days_string(custom):
    # Monday 12 October 2026 is day 280 = 0 (mod 14): the string read from its start.
    letters = "AABBAAABBAABBB"
    expected = ["petra" if ch == "A" else "femi" for ch in letters]
    assert custom.nights(date(2026, 10, 12), 14) == expected
    assert custom.nights(date(2026, 10, 26), 14) == expected
    ex = custom.exchange_at(2026, 10, 14, 17, 30)
    assert (ex.from_parent, ex.to_parent, ex.location) == ("petra", "femi", "daycare")


def test_custom_days_holidays(custom):
    # Christmas Day 2027 (odd) with Femi, 09:00-18:00, on Petra's Saturday.
    assert custom.who(2027, 12, 25, 8, 59) == "petra"
    assert custom.who(2027, 12, 25, 9) == "femi"
    assert custom.who(2027, 12, 25, 18) == "petra"
    # Ada's birthday 2026 (Wednesday 18 November, even year): Femi 15:00-19:00.
    assert custom.who(2026, 11, 18, 15) == "femi"
    assert custom.night(2026, 11, 18) == "petra"
