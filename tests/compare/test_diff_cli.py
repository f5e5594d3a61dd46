"""``pc-calendar diff``: exit status, text, --json, --html, and PLAN@REV from git."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from diff_plans import FEBRUARY_WEEKEND, JANUARY_WEEKEND, write_plan
from timeline_factory import Structure

from pc_calendar.testing_cli import run_cli

DATA = Path(__file__).resolve().parent.parent / "data"
RANGE = ["--from", "2026-01-01", "--to", "2026-03-01"]
ENV = {"PC_CALENDAR_PLUGINS": "none", "PC_CALENDAR_NOW": "2026-01-15T12:00:00Z"}


def diff(*args: object):
    return run_cli(["diff", *map(str, args)], env=ENV)


@pytest.fixture
def plans(tmp_path):
    old = write_plan(tmp_path / "old.toml", overrides=JANUARY_WEEKEND)
    new = write_plan(tmp_path / "new.toml", overrides=FEBRUARY_WEEKEND)
    return old, new


def test_identical_plans_exit_0(plans):
    old, _ = plans
    result = diff(old, old, *RANGE)
    assert result.exit_code == 0, result.stderr
    assert "The plans give the same timeline." in result.output
    assert "No exchange changes." in result.output


def test_a_moved_swap_weekend_exits_1_and_says_what_changes(plans):
    old, new = plans
    result = diff(old, new, *RANGE)
    assert result.exit_code == 1, result.stderr
    out = result.output
    assert "The plans differ." in out
    assert "Parenting time: Ivy" in out
    lines = [line.split() for line in out.splitlines()]
    assert lines_starting(lines, "2026-01") == [
        "2026-01",
        "Dana",
        "Lindqvist",
        "12",
        "→",
        "14",
        "+2",
    ]
    assert "removed  Fri 23 Jan 2026 18:00, Dana Lindqvist → Marcus Okafor (Ivy)" in out
    assert "added" in out and "Fri 6 Feb 2026 18:00, Dana Lindqvist → Marcus Okafor (Ivy)" in out
    assert "Dana Lindqvist  ics" in out and "no calendar target" in out
    assert "okafor-lind" not in out.split("Events")[0]  # names, not ids


def lines_starting(lines: list[list[str]], first: str) -> list[str]:
    row = next(line for line in lines if line and line[0] == first)
    return row[:7]


def test_json_fields(plans):
    old, new = plans
    result = diff(old, new, *RANGE, "--json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert {
        "family",
        "old",
        "new",
        "same",
        "timezone",
        "start",
        "end",
        "end_is_exclusive",
        "convention",
        "parents",
        "shares",
        "exchanges",
        "holidays",
        "calendars",
        "warnings",
    } <= set(doc)
    assert (doc["same"], doc["start"], doc["end"]) == (False, "2026-01-01", "2026-03-01")
    [group] = doc["shares"]
    assert group["children"] == ["ivy"] and group["names"] == ["Ivy"]
    january = group["months"][0]
    dana = january["parents"][0]
    assert (dana["parent"], dana["name"]) == ("dana", "Dana Lindqvist")
    assert dana["before"]["overnights"] == 12 and dana["after"]["overnights"] == 14
    assert dana["before"]["fraction"] == "12/31" and dana["after"]["fraction"] == "14/31"
    assert dana["overnights_change"] == 2 and dana["hours_change"] == "+48"
    assert group["total"]["changed"] is False
    assert [c["change"] for c in doc["exchanges"]] == ["removed", "removed", "added", "added"]
    first = doc["exchanges"][0]["before"]
    assert first["at"] == "2026-01-23T18:00:00-06:00"
    assert (first["from_name"], first["to_name"]) == ("Dana Lindqvist", "Marcus Okafor")
    assert first["location_name"] == "Curbside at Dana's home"
    dana_cal = doc["calendars"][0]
    assert (dana_cal["create"], dana_cal["update"], dana_cal["delete"]) == (3, 2, 3)
    assert {e["change"] for e in dana_cal["events"]} == {"create", "update", "delete"}


def test_html_page_for_both_parents(plans, tmp_path):
    old, new = plans
    page = tmp_path / "change.html"
    result = diff(old, new, *RANGE, "--html", page)
    assert result.exit_code == 1
    html = page.read_text()
    assert stat.S_IMODE(page.stat().st_mode) == 0o600  # family data
    parser = Structure()
    parser.feed(html)
    parser.close()
    assert parser.stack == []  # every tag closed
    text = " ".join(" ".join(parser.text).split())
    assert "Proposed change: Okafor-Lind family" in text
    assert "Dana Lindqvist" in text and "Marcus Okafor" in text
    assert "12 → 14" in text and "Fri 6 Feb 2026 18:00" in text
    tags = {tag for tag, _ in parser.tags}
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert "http" not in html  # nothing fetched from elsewhere
    assert "marcus" not in text.split()  # names, never ids
    assert "Before: old.toml. After: new.toml." in text  # no folders of the machine
    assert str(tmp_path) not in html
    assert '<td class="num">+2</td>' in html and '<td class="num">moved</td>' not in html
    again = tmp_path / "again.html"
    diff(old, new, *RANGE, "--html", again)
    assert again.read_bytes() == page.read_bytes()  # deterministic


def test_place_change_shows_as_moved(tmp_path):
    old = write_plan(tmp_path / "old.toml")
    new = write_plan(
        tmp_path / "new.toml", exchange='weekdays = { monday = { location = "library" } }'
    )
    result = diff(old, new, "--month", "2026-02", "--json")
    assert result.exit_code == 1
    moved = json.loads(result.output)["exchanges"]
    assert [m["change"] for m in moved] == ["moved"] * 4
    assert all(m["place_changed"] and not m["time_changed"] for m in moved)
    assert json.loads(result.output)["timelines_same"] is False
    assert moved[0]["after"]["location_name"] == "Central Library"


def test_holiday_changing_hands_is_listed(tmp_path):
    old = write_plan(tmp_path / "old.toml")
    new = write_plan(tmp_path / "new.toml", even="marcus", odd="dana")
    result = diff(old, new, "--year", "2026", "--brief")
    assert result.exit_code == 1
    row = next(line for line in result.output.splitlines() if "Independence Day" in line)
    assert row.split() == [
        "Independence",
        "Day",
        "2026-07-04",
        "Dana",
        "Lindqvist",
        "Marcus",
        "Okafor",
    ]
    assert "\nEvents\n" not in result.output  # --brief


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "--month: expected a month like 2026-12"),
        (["--from", "2026-03-01", "--to", "2026-01-01"], "must be after --from"),
        (["--year", "2026", "--from", "2026-01-01"], "not both"),
        (["--overnight-at", "25:00"], "--overnight-at"),
    ],
)
def test_bad_options_exit_2(plans, args, message):
    old, new = plans
    result = diff(old, new, *args)
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_plan_names_its_file(plans, tmp_path):
    old, _ = plans
    broken = tmp_path / "broken.toml"
    broken.write_text("[family]\nid = 'x'\n")
    result = diff(old, broken, *RANGE)
    assert result.exit_code == 2 and "broken.toml" in result.stderr


# -- PLAN@REV -------------------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull},
    )


@pytest.fixture
def repo(tmp_path):
    """A repository holding the plan (with a school ICS beside it), committed once."""
    root = tmp_path / "repo"
    (root / "family").mkdir(parents=True)
    shutil.copy(DATA / "school.ics", root / "family" / "school.ics")
    plan = write_plan(root / "family" / "plan.toml", overrides=JANUARY_WEEKEND)
    plan.write_text(plan.read_text() + '\n[school]\nics = "school.ics"\n')
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "agreed plan")
    return plan


def test_revision_against_the_working_copy(repo):
    text = repo.read_text().replace(JANUARY_WEEKEND, FEBRUARY_WEEKEND)
    assert text != repo.read_text()
    repo.write_text(text)
    result = diff(f"{repo}@HEAD", repo, *RANGE, "--json")
    assert result.exit_code == 1, result.stderr
    doc = json.loads(result.output)
    assert doc["old"] == f"{repo}@HEAD"
    assert [c["change"] for c in doc["exchanges"]] == ["removed", "removed", "added", "added"]


def test_revision_reads_the_school_calendar_of_that_revision(repo):
    (repo.parent / "school.ics").unlink()  # gone from the working tree, still in HEAD
    result = diff(f"{repo}@HEAD", f"{repo}@HEAD", *RANGE)
    assert result.exit_code == 0, result.stderr
    assert diff(repo, repo, *RANGE).exit_code == 2  # the working copy misses it


def test_unknown_revision_is_a_user_error(repo):
    result = diff(f"{repo}@no-such-tag", repo, *RANGE)
    assert result.exit_code == 2
    assert f"{repo}@no-such-tag" in result.stderr and "git could not read it" in result.stderr
    assert "Traceback" not in result.stderr


def test_revision_outside_a_repository(plans):
    old, new = plans
    result = diff(f"{old}@HEAD", new, *RANGE)
    assert result.exit_code == 2 and "git could not read it" in result.stderr


def test_a_file_with_an_at_sign_is_a_file(plans, tmp_path):
    old, _ = plans
    odd = tmp_path / "plan@home.toml"
    odd.write_text(old.read_text())
    assert diff(old, odd, *RANGE).exit_code == 0


def test_a_school_calendar_missing_from_the_revision_is_named(repo):
    git(repo.parents[1], "rm", "-q", "family/school.ics")
    git(repo.parents[1], "commit", "-qm", "drop the school calendar")
    result = diff(f"{repo}@HEAD", f"{repo}@HEAD~1", *RANGE)
    assert result.exit_code == 2
    assert f"{repo}@HEAD: school.ics 'school.ics'" in result.stderr
    assert "Traceback" not in result.stderr


def test_default_range_is_what_sync_pushes(plans):
    old, new = plans
    doc = json.loads(diff(old, new, "--json").output)  # "now" is 15 January 2026
    assert (doc["start"], doc["end"]) == ("2025-12-01", "2028-01-01")
    assert [m["period"] for m in doc["shares"][0]["months"]][:2] == ["2025-12", "2026-01"]
    assert len(doc["shares"][0]["months"]) == 25


def test_a_new_reminder_changes_calendars_not_the_timeline(tmp_path):
    old = write_plan(tmp_path / "old.toml")
    new = tmp_path / "new.toml"
    new.write_text(
        old.read_text().replace(
            'name = "Dana Lindqvist"', 'name = "Dana Lindqvist"\nreminder_minutes = 30'
        )
    )
    result = diff(old, new, "--month", "2026-02")
    assert result.exit_code == 1
    assert "same timeline, but 4 calendar event(s) would change" in result.output
    doc = json.loads(diff(old, new, "--month", "2026-02", "--json").output)
    assert (doc["same"], doc["timelines_same"]) == (False, True)
    assert [(c["parent"], c["update"]) for c in doc["calendars"]] == [("dana", 4), ("marcus", 0)]
