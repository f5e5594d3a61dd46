"""`pc-calendar doctor` against real servers: each failure named at its step, with the
next step to take, and nothing but its own probe ever written."""

from __future__ import annotations

import json

from doctor_helpers import write_calendars

from pc_calendar.testing_cli import run_cli


def _target(server, calendar: str, **extra) -> dict:
    table = {"type": "caldav", "url": server.base_url, "calendar": calendar}
    if server.username:
        table |= {"username": server.username, "password_env": server.password_env}
    return table | extra


def _doctor(family, *args: str):
    result = run_cli(["doctor", str(family), "--parent", "alex", "--json",
                      "--state-beside-plan", "--timeout", "5", *args])  # fmt: skip
    data = json.loads(result.output)
    checks = {c["name"]: c for c in data["targets"][0]["checks"]}
    return result.exit_code, checks


def test_a_good_calendar_passes_every_step_and_keeps_nothing(caldav_server, family):
    calendar = caldav_server.new_calendar()
    write_calendars(family, alex=_target(caldav_server, calendar.path))
    code, checks = _doctor(family)
    assert code == 0, checks
    assert checks["last sync"]["status"] == "warn"  # never synced: a warning, not a failure
    for step in ("settings", "name", "connection", "http", "login", "calendar", "write"):
        assert checks[step]["status"] == "ok", checks[step]
    assert checks["changes"]["detail"].startswith("sync tokens")
    assert checks["clock"]["status"] == "ok"
    # the probe was removed: the calendar holds no event
    status, _, body = caldav_server.http("PROPFIND", calendar.path, b"", {"Depth": "1"})
    assert body.count(b"<D:response>") + body.count(b"<response>") <= 1, body[:500]


def test_after_a_sync_the_last_sync_is_reported(radicale_server, family):
    calendar = radicale_server.new_calendar()
    write_calendars(family, alex=_target(radicale_server, calendar.path))
    synced = run_cli(["sync", str(family), "--parent", "alex", "--state-beside-plan",
                      "--from", "2026-12-01", "--to", "2027-01-01"])  # fmt: skip
    assert synced.exit_code == 0, synced.stderr
    code, checks = _doctor(family)
    assert code == 0
    assert checks["last sync"]["status"] == "ok"
    assert "succeeded at" in checks["last sync"]["detail"]
    # the probe did not disturb the synced calendar: the next sync changes nothing
    again = run_cli(["sync", str(family), "--parent", "alex", "--state-beside-plan",
                     "--from", "2026-12-01", "--to", "2027-01-01"])  # fmt: skip
    assert "unchanged" in again.output and "created" not in again.output


def test_wrong_password_fails_at_login(radicale_server, family, monkeypatch):
    monkeypatch.setenv("ALEX_WRONG", "not it")
    calendar = radicale_server.new_calendar()
    write_calendars(family, alex=_target(radicale_server, calendar.path,
                                         password_env="ALEX_WRONG"))  # fmt: skip
    code, checks = _doctor(family)
    assert code == 1
    assert checks["http"]["status"] == "ok"
    assert checks["login"]["status"] == "fail"
    assert "refused alex" in checks["login"]["detail"]
    assert "password" in checks["login"]["next_step"]
    assert checks["calendar"]["status"] == "skip" and checks["write"]["status"] == "skip"


def test_wrong_calendar_name_points_at_discover(caldav_server, family):
    caldav_server.new_calendar("Kids")
    write_calendars(family, alex=_target(caldav_server, "Kdis"))
    code, checks = _doctor(family)
    assert code == 1
    assert checks["login"]["status"] == "ok"
    assert checks["calendar"]["status"] == "fail"
    assert "Kids" in checks["calendar"]["detail"]
    assert "pc-calendar targets discover" in checks["calendar"]["next_step"]


def test_a_stopped_server_fails_at_the_connection(family):
    from servers import refused_port

    with refused_port() as port:
        url = f"http://127.0.0.1:{port}/"
        write_calendars(family, alex={"type": "caldav", "url": url, "calendar": "/alex/kids/"})
        code, checks = _doctor(family)
    assert code == 1
    assert checks["name"]["status"] == "ok"
    assert checks["connection"]["status"] == "fail"
    assert "refused the connection" in checks["connection"]["detail"]
    assert "running" in checks["connection"]["next_step"]
    assert checks["login"]["status"] == "skip"


def test_a_read_only_calendar_fails_at_write(restricted_radicale, family):
    write_calendars(family, alex=_target(restricted_radicale, "/alex/shared/"))
    code, checks = _doctor(family)
    assert code == 1
    assert checks["calendar"]["status"] == "ok"
    assert checks["write"]["status"] == "fail"
    assert "read-only" in checks["write"]["next_step"]


def test_self_signed_certificate_fails_at_tls_until_pinned(tls_radicale, family):
    calendar = tls_radicale.new_calendar()
    write_calendars(family, alex=_target(tls_radicale, calendar.path))
    code, checks = _doctor(family)
    assert code == 1
    assert checks["connection"]["status"] == "ok"
    assert checks["tls"]["status"] == "fail"
    assert "not trusted" in checks["tls"]["detail"]
    assert "verify" in checks["tls"]["next_step"]
    write_calendars(family, alex=_target(tls_radicale, calendar.path,
                                         verify=str(tls_radicale.cert)))  # fmt: skip
    code, checks = _doctor(family)
    assert checks["tls"]["status"] == "ok", checks["tls"]
    assert checks["write"]["status"] == "ok", checks["write"]
    # and a sync through the pinned certificate works
    synced = run_cli(["sync", str(family), "--parent", "alex", "--state-beside-plan",
                      "--from", "2026-12-01", "--to", "2027-01-01"])  # fmt: skip
    assert synced.exit_code == 0, synced.stderr


def test_bad_settings_are_a_usage_mistake_named_by_file_and_key(family):
    """Wrong keys in the files are the user's to fix, found before any step: exit 2
    (as sync and check), not a failed step (see tests/sync/test_target_mistakes_cli.py)."""
    write_calendars(family, alex={"type": "caldav", "url": "ftp://x", "calendar": "k"})
    result = run_cli(["doctor", str(family), "--parent", "alex", "--json", "--state-beside-plan"])
    assert result.exit_code == 2 and result.output == ""
    calendars = family.parent / "calendars.toml"
    assert f"{calendars}: [alex]: key 'url' must be an http(s) URL" in result.stderr


def test_the_example_ics_targets_are_healthy_in_text(family):
    result = run_cli(["doctor", str(family), "--state-beside-plan"])
    assert result.exit_code == 0, result.output + result.stderr
    assert "alex: ics (alex) out/alex (healthy)" in result.output
    assert "[ok  ] write: added and removed a probe event" in result.output
    assert "next: pc-calendar sync" in result.output  # never synced: says what to run


def test_password_command_supplies_the_password(radicale_server, family):
    calendar = radicale_server.new_calendar()
    script = family.parent / "secret-tool.sh"
    script.write_text(f"#!/bin/sh\necho '{radicale_server.password}'\necho ignored\n")
    script.chmod(0o700)
    table = _target(radicale_server, calendar.path, password_command=["./secret-tool.sh"])
    del table["password_env"]
    write_calendars(family, alex=table)
    code, checks = _doctor(family)
    assert checks["login"]["status"] == "ok", checks["login"]
    assert code == 0


def test_a_failing_password_command_is_named_without_its_output(family):
    script = family.parent / "locked.sh"
    script.write_text("#!/bin/sh\necho hunter2\necho 'vault is locked' >&2\nexit 3\n")
    script.chmod(0o700)
    write_calendars(family, alex={"type": "caldav", "url": "http://127.0.0.1:9/",
                                  "password_command": ["./locked.sh"]})  # fmt: skip
    code, checks = _doctor(family)
    assert checks["settings"]["status"] == "fail"
    detail = checks["settings"]["detail"]
    assert "'./locked.sh' failed (exit 3): vault is locked" in detail
    assert "hunter2" not in detail
