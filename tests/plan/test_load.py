"""Loading plans: every problem reported with file, line, key and what is expected."""

from __future__ import annotations

import os
import shutil
import tomllib
from datetime import date
from pathlib import Path

import pytest

from pc_calendar import hookimpl, plugins
from pc_calendar.errors import PlanError, PluginError
from pc_calendar.plan.load import load, load_plan
from pc_calendar.plan.locate import Locator, format_path, parse_path
from pc_calendar.plan.model import DateRange

DATA = Path(__file__).parent.parent / "data"
EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
MINIMAL = (DATA / "minimal.toml").read_text()


def line_with(text: str, needle: str) -> int:
    """The 1-based line of the first line containing ``needle`` (asserts it exists)."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def write(tmp_path: Path, text: str, name: str = "plan.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, pm=None) -> list:
    with pytest.raises(PlanError) as info:
        load_plan(path, pm=pm)
    assert info.value.path == path
    return info.value.problems


def edit(old: str, new: str, text: str = MINIMAL) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# -- locating keys ----------------------------------------------------------------------


def test_locator_finds_tables_arrays_inline_tables_and_multiline_arrays():
    text = (
        '[family]\nid = "x" # a [comment] with "quotes"\n'
        '[parents."ana maria"]\nname = "A"\n'
        "[[holidays]]\nname = 'one'\n"
        "[[holidays]]\n"
        'name = """two\n[not a table]\n"""\n'
        'date = { rule = "fixed", month = 13,\n  day = 1 }\n'
        '[holidays.assign]\nparent = "x"\n'
        "[school]\nbreaks = [\n  { start = 2026-01-01, end = 2026-01-02 },\n"
        "  { start = 2026-02-01, end = 2026-01-02 },\n]\n"
        "a.b.c = 1\n"
    )
    loc = Locator(text)
    assert loc.line_of("family.id") == 2
    assert loc.line_of(("parents", "ana maria", "name")) == 4
    assert loc.line_of("holidays[0].name") == 6
    assert loc.line_of("holidays[1]") == 7
    assert loc.line_of("holidays[1].date.month") == 11
    assert loc.line_of("holidays[1].date.day") == 12
    assert loc.line_of("holidays[1].assign.parent") == 14
    assert loc.line_of("school.breaks[1].end") == 18
    assert loc.line_of("school.a.b.c") == 20
    # a missing key falls back to the closest enclosing one
    assert loc.line_of("holidays[1].start.time") == 7
    assert loc.line_of("nothing.here") is None


def _key_paths(data, path=()):
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        yield (*path, key)
        if isinstance(value, dict | list):
            yield from _key_paths(value, (*path, key))


def _real_plans() -> dict[str, str]:
    texts = {"example": EXAMPLE.read_text()}
    registry = plugins.templates()
    texts.update({name: registry[name][1] for name in registry.names()})
    return texts


@pytest.mark.parametrize(("name", "text"), list(_real_plans().items()))
def test_locator_places_every_key_of_real_plans_on_its_own_line(name, text):
    """Every key tomllib sees has a line, and that line names the key."""
    locator = Locator(text)
    lines = text.splitlines()
    for path in _key_paths(tomllib.loads(text)):
        assert path in locator.lines, path
        if isinstance(path[-1], str):
            assert path[-1] in lines[locator.lines[path] - 1], path


def test_key_paths_round_trip():
    path = ("parents", "ana maria", "events", 2)
    assert format_path(path) == 'parents."ana maria".events[2]'
    assert parse_path(format_path(path)) == path
    assert parse_path("holidays[2].start.time") == ("holidays", 2, "start", "time")


# -- good plans -------------------------------------------------------------------------


def test_shipped_example_loads():
    plan = load_plan(EXAMPLE)
    assert plan.family.id == "rivera-chen"
    assert [c.id for c in plan.children] == ["maya", "leo"]


def test_minimal_plan_loads_with_source_kept():
    loaded = load(DATA / "minimal.toml")
    assert loaded.plan.rotation.pattern == "alternating_weeks"
    assert loaded.line_of("rotation.anchor") == line_with(MINIMAL, "anchor = ")


# -- the bad-input matrix ---------------------------------------------------------------

BAD = [
    # (name, old, new, key, marker on the expected line, message fragment)
    (
        "unknown pattern",
        'pattern = "alternating_weeks"',
        'pattern = "alternate_weeks"',
        "rotation.pattern",
        "pattern = ",
        "unknown pattern 'alternate_weeks'; known: 2-2-3",
    ),
    (
        "unknown parent",
        'parents = ["ana", "ben"]',
        'parents = ["ana", "bob"]',
        "rotation.parents[1]",
        "parents = [",
        "unknown parent 'bob'; known: ana, ben",
    ),
    (
        "30 February as month-day",
        "month = 1, day = 1",
        "month = 2, day = 30",
        "holidays[0].date.day",
        "date = {",
        "month 2 has no day 30",
    ),
    (
        "span ends before start",
        "end = 2027-03-19 }",
        "end = 2027-03-01 }",
        "school.breaks[0].end",
        "breaks = ",
        "end 2027-03-01 is before start 2027-03-15",
    ),
    (
        "unknown time zone",
        'timezone = "America/Denver"',
        'timezone = "America/Denvr"',
        "parents.ben.timezone",
        "America/Denvr",
        "unknown time zone 'America/Denvr'; expected an IANA name like America/Chicago "
        "(did you mean 'America/Denver'?)",
    ),
    (
        "unknown key",
        'name = "Ben"',
        'name = "Ben"\nemial = "b@example.org"',
        "parents.ben.emial",
        "emial",
        "unknown key; expected one of: name, email,",
    ),
    (
        "unknown location",
        'location = "home"',
        'location = "hom"',
        "exchange.location",
        'location = "hom"',
        "unknown location 'hom'; known: home",
    ),
    (
        "unknown date rule",
        'rule = "fixed"',
        'rule = "fixd"',
        "holidays[0].date.rule",
        "date = {",
        "unknown rule 'fixd'; known: ",
    ),
    (
        "bad enum",
        'assign = { even_years = "ana", odd_years = "ben" }',
        'assign = { even_years = "ana", odd_years = "ben" }\nstart = { weekday = "fri" }',
        "holidays[0].start.weekday",
        "weekday = ",
        "expected one of 'monday'",
    ),
    (
        "bad time",
        "time = 18:00:00",
        'time = "six"',
        "exchange.time",
        'time = "six"',
        "expected a time like 18:00:00 or one of 'dismissal'",
    ),
    (
        "month out of range",
        "start = 2026-08-17,",
        'start = "13-01",',
        "school.terms[0].start",
        "terms = ",
        "expected a date like 2027-06-15",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "key", "marker", "fragment"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_input_names_key_line_and_expectation(tmp_path, old, new, key, marker, fragment):
    text = edit(old, new)
    problems = problems_of(write(tmp_path, text))
    match = [p for p in problems if p.key == key]
    assert match, [(p.key, p.message) for p in problems]
    assert fragment in match[0].message
    assert match[0].line == line_with(text, marker)
    rendered = str(PlanError(tmp_path / "plan.toml", match))
    assert rendered.startswith(f"{tmp_path / 'plan.toml'}:{match[0].line}: {key}: ")


def test_30_february_as_toml_date_is_named(tmp_path):
    text = edit("birth_date = 2018-05-01", "birth_date = 2018-02-30")
    [problem] = problems_of(write(tmp_path, text))
    assert problem.line == line_with(text, "2018-02-30")
    assert "TOML syntax error" in problem.message
    assert "2018-02-30 is not a real date" in problem.message


def test_30_february_month_day_is_not_a_real_date(tmp_path):
    text = (
        MINIMAL + '\n[[seasons]]\nname = "S"\nstart = "02-30"\nend = "03-10"\n'
        'assign = { parent = "ben" }\n'
    )
    [problem] = problems_of(write(tmp_path, text))
    assert problem.key == "seasons[0].start"
    assert problem.message == "not a real date: '02-30'"
    assert problem.line == line_with(text, 'start = "02-30"')


def test_union_branch_that_fits_the_shape_wins(tmp_path):
    """A table start fails 'date' by shape and MonthDay by value: only the latter counts."""
    text = MINIMAL + (
        '\n[[seasons]]\nname = "S"\nstart = { month = 13, day = 1 }\nend = "03-10"\n'
        'assign = { parent = "ben" }\n'
    )
    [problem] = problems_of(write(tmp_path, text))
    assert (problem.key, problem.message) == ("seasons[0].start.month", "expected 1..12, got 13")
    assert problem.line == line_with(text, "month = 13")


def test_override_with_impossible_datetime_string(tmp_path):
    text = MINIMAL + (
        '\n[[overrides]]\nstart = "2026-02-30T10:00:00"\nend = 2026-03-02T10:00:00\n'
        'parent = "ben"\nagreed_by = ["ana", "ben"]\ndecided_on = 2026-01-10\n'
    )
    [problem] = problems_of(write(tmp_path, text))
    assert (problem.key, problem.message) == (
        "overrides[0].start",
        "2026-02-30 is not a real date",
    )


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    text = edit('pattern = "alternating_weeks"', 'pattern = "nope"')
    text = edit('location = "home"', 'location = "nowhere"', text)
    text = edit('timezone = "America/Chicago"', 'timezone = "Mars/Olympus"', text)
    problems = problems_of(write(tmp_path, text))
    assert {p.key for p in problems} == {"rotation.pattern", "exchange.location", "family.timezone"}
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_model_errors_are_all_reported(tmp_path):
    text = edit('name = "Ben"', 'name = "Ben"\nreminder_minutes = -5\nevents = ["own"]')
    text = edit('id = "kim"', 'id = "Kim K"', text)
    problems = problems_of(write(tmp_path, text))
    by_key = {p.key: p.message for p in problems}
    assert by_key["parents.ben.reminder_minutes"] == "expected 0..10080, got -5"
    assert by_key["parents.ben.events[0]"].startswith("expected one of 'own_custody'")
    assert by_key["children[0].id"].startswith("expected lowercase letters, digits")


def test_missing_required_key(tmp_path):
    text = edit('[[children]]\nid = "kim"\nname = "Kim"\n', '[[children]]\nid = "kim"\n')
    [problem] = problems_of(write(tmp_path, text))
    assert (problem.key, problem.message) == ("children[0].name", "missing required key")
    assert problem.line == line_with(text, "[[children]]")


def test_toml_syntax_error_gives_line_and_column(tmp_path):
    text = edit('name = "Ben"', "name = ")
    [problem] = problems_of(write(tmp_path, text))
    assert problem.line == MINIMAL.splitlines().index('name = "Ben"') + 1
    assert problem.message.startswith("TOML syntax error: Invalid value at column ")


def test_missing_file(tmp_path):
    [problem] = problems_of(tmp_path / "absent.toml")
    assert problem.message == "no such file"
    assert str(PlanError(tmp_path / "absent.toml", [problem])).endswith("absent.toml: no such file")


def test_directory_instead_of_file(tmp_path):
    [problem] = problems_of(tmp_path)
    assert "is a directory" in problem.message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path):
    path = write(tmp_path, MINIMAL)
    path.chmod(0)
    try:
        [problem] = problems_of(path)
    finally:
        path.chmod(0o600)
    assert problem.message == "cannot read the file (permission denied)"


def test_permission_denied_message(tmp_path, monkeypatch):
    path = write(tmp_path, MINIMAL)
    real = Path.read_bytes

    def deny(self):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    [problem] = problems_of(path)
    assert problem.message == "cannot read the file (permission denied)"


def test_utf8_with_byte_order_mark_loads(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert load_plan(path).family.id == "test-family"


def test_not_utf8(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_bytes(MINIMAL.replace('name = "Ben"', 'name = "Ben M\xfcller"').encode("latin-1"))
    [problem] = problems_of(path)
    assert problem.line == line_with(MINIMAL, 'name = "Ben"')
    assert problem.message.startswith("not UTF-8 text (byte 0xfc)")


# -- cross-references -------------------------------------------------------------------


def test_needs_two_parents(tmp_path):
    text = edit('[parents.ben]\nname = "Ben"\ntimezone = "America/Denver"\n', "")
    text = edit('parents = ["ana", "ben"]', 'parents = ["ana", "ana"]', text)
    text = edit('odd_years = "ben"', 'odd_years = "ana"', text)
    [problem] = problems_of(write(tmp_path, text))
    assert problem.key == "parents"
    assert problem.message == "a plan needs at least two parents, found 1"


def test_override_references(tmp_path):
    text = MINIMAL + (
        '\n[[overrides]]\nkind = "decision"\nstart = 2026-12-09T18:00:00\n'
        'end = 2026-12-11T18:00:00\nparent = "ben"\nchildren = ["kim", "kym"]\n'
        'decided_by = "judge"\ndecided_on = 2026-11-20\nlocation = "park"\n'
        '\n[[overrides]]\nkind = "decision"\nstart = 2027-12-09T18:00:00\n'
        'end = 2027-12-11T18:00:00\nparent = "ana"\ndecided_by = "coordinator"\n'
        "decided_on = 2027-11-20\n"
    )
    problems = problems_of(write(tmp_path, text))
    assert {p.key: p.message for p in problems} == {
        "overrides[0].children[1]": "unknown child 'kym'; known: kim (did you mean 'kim'?)",
        "overrides[0].decided_by": "unknown parent 'judge'; known: ana, ben, coordinator",
        "overrides[0].location": "unknown location 'park'; known: home",
    }


def test_child_schedule_must_exist(tmp_path):
    text = edit("birth_date = 2018-05-01", 'birth_date = 2018-05-01\nschedule = "teen"')
    [problem] = problems_of(write(tmp_path, text))
    assert problem.key == "children[0].schedule"
    assert problem.message == "unknown schedule 'teen'; known: default"


def test_school_time_keyword_needs_school(tmp_path):
    text = edit("[school]\ndismissal = 15:00:00\n", "[unused]\n")
    text = text.replace("[unused]\nterms = [", "terms = [")
    text = edit(
        'terms = [{ name = "Year", start = 2026-08-17, end = 2027-05-28 }]\n'
        'breaks = [{ name = "Spring Break", start = 2027-03-15, end = 2027-03-19 }]\n',
        "",
        text,
    )
    text = edit("time = 18:00:00", 'time = 18:00:00\nschool_day = { time = "dismissal" }', text)
    [problem] = problems_of(write(tmp_path, text))
    assert problem.key == "exchange.school_day.time"
    assert problem.message == "'dismissal' needs a [school] table with the school's times"


def test_holiday_span_ending_before_it_starts(tmp_path):
    text = edit(
        'assign = { even_years = "ana"',
        "start = { days = 0, time = 20:00:00 }\nend = { time = 08:00:00 }\n"
        'assign = { even_years = "ana"',
    )
    [problem] = problems_of(write(tmp_path, text))
    assert problem.key == "holidays[0]"
    assert "ends (" in problem.message and "before it starts" in problem.message
    assert problem.line == line_with(text, "[[holidays]]")


# -- plugin-defined options, with our own small plugins ---------------------------------


class FakePattern:
    description = "test: A every day"
    needs_anchor = False

    def slot_for(self, day, ctx):
        return 0

    def validate(self, options):
        return [] if options.get("size") == 1 else ["size: expected 1"]


class FakeRule:
    description = "test: a fixed month"

    def validate(self, options, ctx):
        month = options.get("month")
        if not isinstance(month, int) or not 1 <= month <= 12:
            return [f"month: expected 1..12, got {month}"]
        return []

    def occurrences(self, year, options, ctx):
        from pc_calendar.schedule.api import Occurrence

        day = date(year, options["month"], 1)
        return [Occurrence(day, day)]


class CrashingRule(FakeRule):
    def validate(self, options, ctx):
        raise RuntimeError("boom")


class FakePlugin:
    @hookimpl
    def pc_calendar_register_patterns(self, register):
        register("test_every_day", FakePattern())

    @hookimpl
    def pc_calendar_register_date_rules(self, register):
        register("test_month", FakeRule())
        register("test_crash", CrashingRule())


@pytest.fixture(scope="module")
def fake_pm():
    return plugins.build_plugin_manager(extra=[FakePlugin()])


def test_plugin_option_problems_are_keyed_under_the_options(tmp_path, fake_pm):
    text = edit(
        'pattern = "alternating_weeks"', 'pattern = "test_every_day"\noptions = { size = 3 }'
    )
    text = edit('rule = "fixed", month = 1, day = 1', 'rule = "test_month", month = 13', text)
    problems = problems_of(write(tmp_path, text), pm=fake_pm)
    assert [(p.key, p.message, p.line) for p in problems] == [
        ("rotation.options.size", "expected 1", line_with(text, "options = ")),
        ("holidays[0].date.month", "expected 1..12, got 13", line_with(text, "test_month")),
    ]
    rendered = str(PlanError("plan.toml", problems[1:]))
    assert (
        rendered == f"plan.toml:{problems[1].line}: holidays[0].date.month: expected 1..12, got 13"
    )


def test_plugin_options_that_validate_load(tmp_path, fake_pm):
    text = edit(
        'pattern = "alternating_weeks"', 'pattern = "test_every_day"\noptions = { size = 1 }'
    )
    text = edit('rule = "fixed", month = 1, day = 1', 'rule = "test_month", month = 2', text)
    plan = load_plan(write(tmp_path, text), pm=fake_pm)
    assert plan.rotation.options == {"size": 1}


def test_crashing_plugin_validation_names_the_plugin(tmp_path, fake_pm):
    text = edit('rule = "fixed", month = 1, day = 1', 'rule = "test_crash"')
    with pytest.raises(PluginError, match="date rule 'test_crash' failed to validate"):
        load_plan(write(tmp_path, text), pm=fake_pm)


# -- school ICS -------------------------------------------------------------------------


def with_ics(tmp_path: Path, ics_name: str, ref: str) -> Path:
    (tmp_path / "cal").mkdir(exist_ok=True)
    if ics_name:
        shutil.copy(DATA / ics_name, tmp_path / "cal" / ics_name)
    text = edit("dismissal = 15:00:00", f'dismissal = 15:00:00\nics = "{ref}"')
    return write(tmp_path, text)


def test_school_ics_breaks_are_merged(tmp_path):
    plan = load_plan(with_ics(tmp_path, "school.ics", "cal/school.ics"))
    assert plan.school.breaks == [
        DateRange(
            name="No School - Teacher Workday", start=date(2026, 10, 9), end=date(2026, 10, 9)
        ),
        DateRange(name="Winter Break", start=date(2026, 12, 21), end=date(2027, 1, 1)),
        DateRange(
            name="Holiday: Martin Luther King Jr. Day",
            start=date(2027, 1, 18),
            end=date(2027, 1, 18),
        ),
        DateRange(name="Spring Break", start=date(2027, 3, 15), end=date(2027, 3, 19)),
        DateRange(name="Spring Vacation", start=date(2027, 3, 15), end=date(2027, 3, 19)),
    ]


def test_school_ics_that_does_not_parse(tmp_path):
    path = with_ics(tmp_path, "bad-school.ics", "cal/bad-school.ics")
    [problem] = problems_of(path)
    assert problem.key == "school.ics"
    assert (
        problem.message
        == "cal/bad-school.ics: event 'Winter Break': DTSTART: Wrong date format 2026XX21"
    )
    assert problem.line == line_with(path.read_text(), "ics = ")


def test_school_ics_not_icalendar_at_all(tmp_path):
    (tmp_path / "cal").mkdir()
    (tmp_path / "cal" / "school.ics").write_text("<html>404 Not Found</html>\n")
    [problem] = problems_of(with_ics(tmp_path, "", "cal/school.ics"))
    assert problem.key == "school.ics"
    assert problem.message.startswith("cal/school.ics: not a valid iCalendar file (")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Winter Break \xff\r\n",
            "cal/school.ics: not UTF-8 text (byte 0xff at line 4, byte offset 65); "
            "an iCalendar file must be UTF-8, save or download it as UTF-8",
        ),
        (
            "BEGIN:VCALENDAR\r\n".encode("utf-16"),
            "cal/school.ics: not UTF-8 text (it starts with a UTF-16 byte order mark); "
            "an iCalendar file must be UTF-8, save or download it as UTF-8",
        ),
        (
            b"\n<html>404 Not Found</html>\n",
            "cal/school.ics: not a valid iCalendar file (line 2: expected BEGIN:VCALENDAR, "
            "found '<html>404 Not Found</html>')",
        ),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nthis is\r\n  junk\r\nEND:VCALENDAR\r\n",
            "cal/school.ics: not a valid iCalendar file "
            "(line 3: 'this is junk' is not a NAME:value content line)",
        ),
        (b"  \r\n", "cal/school.ics: not a valid iCalendar file (the file is empty)"),
    ],
    ids=["latin1-byte", "utf16", "html", "junk-line", "empty"],
)
def test_school_ics_bad_bytes_say_which_file_and_where(tmp_path, raw, expected):
    (tmp_path / "cal").mkdir()
    (tmp_path / "cal" / "school.ics").write_bytes(raw)
    path = with_ics(tmp_path, "", "cal/school.ics")
    [problem] = problems_of(path)
    assert problem.key == "school.ics"
    assert problem.message == expected
    assert problem.line == line_with(path.read_text(), "ics = ")


def test_school_ics_with_bom_and_non_ascii_names(tmp_path):
    (tmp_path / "cal").mkdir()
    (tmp_path / "cal" / "school.ics").write_bytes(
        "\ufeffBEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\n"
        "UID:1\r\nSUMMARY:Vacances d'hiver \u2013 Winter Break\r\nDTSTART;VALUE=DATE:20261221\r\n"
        "DTEND;VALUE=DATE:20270102\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".encode()
    )
    plan = load_plan(with_ics(tmp_path, "", "cal/school.ics"))
    assert (
        DateRange(
            name="Vacances d'hiver \u2013 Winter Break",
            start=date(2026, 12, 21),
            end=date(2027, 1, 1),
        )
        in plan.school.breaks
    )


def test_school_ics_missing(tmp_path):
    [problem] = problems_of(with_ics(tmp_path, "", "cal/gone.ics"))
    assert problem.key == "school.ics"
    assert problem.message == "cal/gone.ics: no such file (the path is relative to the plan file)"
