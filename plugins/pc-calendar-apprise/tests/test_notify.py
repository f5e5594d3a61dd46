"""The notifier end to end against a local HTTP endpoint (never the internet)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

import pc_calendar_apprise as plugin
from pc_calendar_apprise import config
from pc_calendar_apprise.messages import Message
from pc_calendar_apprise.send import send


@dataclass(frozen=True)
class Family:
    id: str = "okafor-lind"
    name: str = "Okafor-Lind family"


@dataclass(frozen=True)
class Exchange:
    at: datetime = datetime(2026, 3, 6, 0, 0, tzinfo=UTC)
    local_at: datetime = datetime(2026, 3, 5, 18, 0)
    from_parent: str = "dana"
    to_parent: str = "marcus"
    location: str | None = "dana-home"


@dataclass(frozen=True)
class Record:
    reported_by: str = "marcus"
    note: str | None = "waited 30 minutes"


def messages_at(endpoint, path="/notify"):
    return [body for p, body in endpoint.received if p == path]


def test_missed_exchange_reaches_the_coordinator(endpoint, monkeypatch, capsys):
    monkeypatch.setenv(config.ENV, endpoint.url())
    plugin.pc_calendar_exchange_missed(family=Family(), exchange=Exchange(), record=Record())
    [sent] = messages_at(endpoint)
    assert sent["title"] == "Okafor-Lind family: missed exchange"
    assert sent["message"] == (
        "The exchange on Thu 05 Mar 2026 18:00 at dana-home from dana to marcus was "
        "recorded as missed by marcus. Note: waited 30 minutes"
    )
    assert sent["type"] == "warning"
    assert capsys.readouterr().err == ""


@dataclass(frozen=True)
class NewRecord:
    """A record as pc-calendar now writes it: who was at fault, its number."""

    seq: int = 12
    status: str = "interference"
    reported_by: str = "marcus"
    at_fault_parent: str = "dana"
    note: str | None = None
    from_parent: str = "dana"
    to_parent: str = "marcus"


def test_interference_names_who_interfered(endpoint, monkeypatch):
    monkeypatch.setenv(config.ENV, endpoint.url())
    plugin.pc_calendar_exchange_missed(family=Family(), exchange=Exchange(), record=NewRecord())
    [sent] = messages_at(endpoint)
    assert sent["title"] == "Okafor-Lind family: interference at an exchange"
    assert sent["message"].endswith("recorded as interference by marcus. Interfering: dana.")


def test_receipts_reach_both_parents_not_the_coordinator(endpoint, monkeypatch):
    monkeypatch.setenv(config.ENV, endpoint.url("/coordinator"))
    monkeypatch.setenv("PC_CALENDAR_APPRISE_URLS_DANA", endpoint.url("/dana"))
    monkeypatch.setenv("PC_CALENDAR_APPRISE_URLS_MARCUS", endpoint.url("/marcus"))
    line = "pc-calendar-receipt okafor-lind 12 sha256:" + "ab" * 32
    plugin.pc_calendar_exchange_recorded(family=Family(), record=NewRecord(), receipt=line)
    assert sorted(p for p, _ in endpoint.received) == ["/dana", "/marcus"]
    for _, sent in endpoint.received:
        assert sent["title"] == "Okafor-Lind family: exchange log receipt #12"
        assert sent["message"] == line


def test_overdue_exchange_says_nothing_was_recorded(endpoint, monkeypatch):
    monkeypatch.setenv(config.ENV, endpoint.url())
    plugin.pc_calendar_exchange_missed(family=Family(), exchange=Exchange(), record=None)
    [sent] = messages_at(endpoint)
    assert sent["message"].endswith("is overdue: no outcome has been recorded.")


def test_parents_with_a_url_are_told_too(endpoint, monkeypatch):
    monkeypatch.setenv(config.ENV, endpoint.url("/coordinator"))
    monkeypatch.setenv("PC_CALENDAR_APPRISE_URLS_DANA", endpoint.url("/dana"))
    plugin.pc_calendar_exchange_missed(family=Family(), exchange=Exchange(), record=Record())
    assert sorted(p for p, _ in endpoint.received) == ["/coordinator", "/dana"]


def test_family_specific_variable_wins(endpoint, monkeypatch):
    monkeypatch.setenv(config.ENV, endpoint.url("/everyone"))
    monkeypatch.setenv("PC_CALENDAR_APPRISE_URLS_FAMILY_OKAFOR_LIND", endpoint.url("/family"))
    plugin.pc_calendar_exchange_missed(family=Family(), exchange=Exchange(), record=None)
    assert [p for p, _ in endpoint.received] == ["/family"]


def test_sync_failure_reaches_the_coordinator(endpoint, monkeypatch):
    monkeypatch.setenv(config.ENV, endpoint.url())
    error = RuntimeError("401 Unauthorized: check the app password")
    plugin.pc_calendar_sync_failed(
        family=Family(), target="caldav (dana)", error=error, parent="dana"
    )
    [sent] = messages_at(endpoint)
    assert sent["title"] == "Okafor-Lind family: calendar sync failed"
    assert sent["message"].startswith(
        "Syncing dana's calendar, caldav (dana), failed: 401 Unauthorized: check the app password."
    )
    assert sent["type"] == "failure"


def test_keyring_is_used_when_the_environment_says_nothing(endpoint, no_keyring):
    no_keyring.secrets[(config.SERVICE, "coordinator")] = endpoint.url("/from-keyring")
    no_keyring.secrets[(config.SERVICE, "parent:marcus")] = endpoint.url("/marcus")
    plugin.pc_calendar_exchange_missed(family=Family(), exchange=Exchange(), record=None)
    assert sorted(p for p, _ in endpoint.received) == ["/from-keyring", "/marcus"]


def test_nothing_configured_sends_nothing(endpoint, capsys):
    plugin.pc_calendar_exchange_missed(family=Family(), exchange=Exchange(), record=None)
    plugin.pc_calendar_sync_failed(
        family=Family(), target="ics", error=OSError("disk full"), parent="marcus"
    )
    assert endpoint.received == []
    assert capsys.readouterr().err == ""


def test_several_urls_in_one_variable(endpoint, monkeypatch):
    monkeypatch.setenv(config.ENV, f"{endpoint.url('/a')}, {endpoint.url('/b')}\n")
    plugin.pc_calendar_sync_failed(
        family=Family(), target="ics", error=OSError("disk full"), parent="marcus"
    )
    assert sorted(p for p, _ in endpoint.received) == ["/a", "/b"]


# --- failures are reported, never raised ---------------------------------------------


def test_endpoint_error_is_reported_not_raised(endpoint, monkeypatch, capsys):
    endpoint.status = 500
    monkeypatch.setenv(config.ENV, endpoint.url())
    plugin.pc_calendar_exchange_missed(family=Family(), exchange=Exchange(), record=None)
    assert len(endpoint.received) == 1  # it was tried
    err = capsys.readouterr().err
    assert "warning: pc-calendar-apprise could not notify json://127.0.0.1" in err
    assert "did not accept the notification" in err


def test_one_dead_url_does_not_stop_the_others(endpoint, monkeypatch, capsys):
    dead = "json://127.0.0.1:9/nobody-listens"  # port 9 (discard) is closed here
    monkeypatch.setenv(config.ENV, f"{dead} {endpoint.url('/alive')}")
    plugin.pc_calendar_sync_failed(
        family=Family(), target="ics", error=OSError("disk full"), parent="marcus"
    )
    assert [p for p, _ in endpoint.received] == ["/alive"]
    assert "127.0.0.1:9" in capsys.readouterr().err


def test_secrets_in_a_failing_url_are_masked(endpoint, capsys):
    endpoint.status = 403
    url = f"json://coordinator:hunter2-secret@127.0.0.1:{endpoint.port}/notify"
    problems = send([url], Message("t", "b"))
    err = capsys.readouterr().err
    assert len(problems) == 1
    assert "hunter2-secret" not in err and "hunter2-secret" not in problems[0]
    assert f"127.0.0.1:{endpoint.port}" in problems[0]


def test_unusable_url_is_reported(capsys):
    problems = send(["nosuchservice://token-123@host"], Message("t", "b"))
    assert problems == ["nosuchservice://...: not an apprise URL apprise can use"]
    assert "token-123" not in capsys.readouterr().err


# --- through the pc-calendar CLI, as a coordinator meets it ---------------------------

PLAN = """
[family]
id = "okafor-lind"
name = "Okafor-Lind family"
timezone = "America/Chicago"

[parents.dana]
name = "Dana Okafor"

[parents.marcus]
name = "Marcus Lind"

[[children]]
id = "ava"
name = "Ava"
birth_date = 2015-02-11

[rotation]
pattern = "alternating_weeks"
anchor = 2026-01-05
parents = ["dana", "marcus"]

[exchange]
time = 18:00:00
"""


@pytest.fixture
def plan_path(tmp_path: Path) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def test_recording_a_missed_exchange_notifies(endpoint, monkeypatch, plan_path, tmp_path):
    from pc_calendar.testing_cli import run_cli

    monkeypatch.setenv(config.ENV, endpoint.url())
    result = run_cli(
        [
            "exchange",
            "record",
            str(plan_path),
            "2026-01-12",
            "--status",
            "missed",
            "--by",
            "marcus",
            "--db",
            str(tmp_path / "log.sqlite3"),
        ],
        plugins=[plugin],
        env={"PC_CALENDAR_PLUGINS": "none"},
    )
    assert result.exit_code == 0, result.stderr
    [sent] = messages_at(endpoint)
    assert sent["message"] == (
        "The exchange on Mon 12 Jan 2026 18:00 from dana to marcus was recorded as "
        "missed by marcus. Absent: dana."
    )


def test_a_failing_notifier_keeps_the_record(endpoint, monkeypatch, plan_path, tmp_path):
    from pc_calendar.testing_cli import run_cli

    endpoint.status = 500
    monkeypatch.setenv(config.ENV, endpoint.url())
    db = str(tmp_path / "log.sqlite3")
    args = ["--db", db]
    recorded = run_cli(
        ["exchange", "record", str(plan_path), "2026-01-12", "--status", "missed", *args],
        plugins=[plugin],
        env={"PC_CALENDAR_PLUGINS": "none"},
    )
    assert recorded.exit_code == 0
    assert "could not notify" in recorded.stderr
    history = run_cli(
        ["exchange", "history", str(plan_path), "2026-01-12", *args],
        env={"PC_CALENDAR_PLUGINS": "none"},
    )
    assert history.exit_code == 0, history.stderr
    assert "missed" in history.output


def test_installed_plugin_is_listed():
    import json

    from pc_calendar.testing_cli import run_cli

    result = run_cli(["plugins", "--json"], env={"PC_CALENDAR_PLUGINS": "apprise"})
    info = {i["name"]: i for i in json.loads(result.output)}["apprise"]
    assert info["version"] == plugin.__version__
    assert info["distribution"] == "pc-calendar-apprise"
    assert info["hooks"] == [
        "pc_calendar_exchange_missed",
        "pc_calendar_exchange_recorded",
        "pc_calendar_sync_failed",
    ]
