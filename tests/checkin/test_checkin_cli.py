"""``pc-calendar checkin issue|revoke|list``: links printed once, listed by id only."""

from __future__ import annotations

from pathlib import Path

from checkin_helpers import write_plans

from pc_calendar.feeds.checkin_tokens import CheckinTokens
from pc_calendar.testing_cli import run_cli


def test_issue_rotate_list_revoke(tmp_path: Path) -> None:
    plan, _ = write_plans(tmp_path)
    data = tmp_path / "data"
    env = {"PC_CALENDAR_DATA_DIR": str(data), "PC_CALENDAR_PLUGINS": "none"}
    first = run_cli(["checkin", "issue", str(plan), "alex"], env=env)
    assert first.exit_code == 0, first.output
    url = first.output.strip()
    assert url.startswith("https://cal.example.org/checkin/")
    token = url.rsplit("/", 1)[1]
    links = CheckinTokens(data)
    assert links.lookup(token) == ("rivera-chen", "alex")
    again = run_cli(["checkin", "issue", str(plan), "alex"], env=env)
    assert links.lookup(token) is None  # rotated
    listing = run_cli(["checkin", "list", str(plan)], env=env)
    assert listing.exit_code == 0
    assert token not in listing.output and again.output.strip() not in listing.output
    assert listing.output.count("alex") == 2 and "revoked" in listing.output
    assert "active" in listing.output
    revoked = run_cli(["checkin", "revoke", str(plan), "alex"], env=env)
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert run_cli(["checkin", "revoke", str(plan), "alex"], env=env).exit_code == 2
    links.close()


def test_unknown_parent_is_a_user_error(tmp_path: Path) -> None:
    plan, _ = write_plans(tmp_path)
    env = {"PC_CALENDAR_DATA_DIR": str(tmp_path / "data"), "PC_CALENDAR_PLUGINS": "none"}
    result = run_cli(["checkin", "issue", str(plan), "jordan"], env=env)
    assert result.exit_code == 2
    assert "no parent 'jordan'" in result.stderr and "Traceback" not in result.stderr
