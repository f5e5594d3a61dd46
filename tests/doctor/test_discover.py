"""`pc-calendar targets discover` against real Radicale and Xandikos."""

from __future__ import annotations

import json
import tomllib
import uuid

from doctor_helpers import write_calendars

from pc_calendar.testing_cli import run_cli


def _name(prefix: str) -> str:
    """A display name no other test on the shared server uses."""
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def _discover(server, *args: str):
    auth = ["--user", server.username, "--password-env", server.password_env]
    return run_cli(
        ["targets", "discover", server.base_url, *(auth if server.username else []), *args]
    )


def test_lists_calendars_with_names_and_write_access(caldav_server):
    kids = caldav_server.new_calendar("Kids")
    result = _discover(caldav_server, "--json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.output)
    assert found["home"].startswith(caldav_server.home.rstrip("/"))
    by_href = {c["href"]: c for c in found["calendars"]}
    assert by_href[kids.path]["name"] == "Kids"
    assert by_href[kids.path]["accepts_events"] is True
    assert by_href[kids.path]["writable"] is True


def test_text_listing_says_what_each_calendar_accepts(caldav_server):
    caldav_server.new_calendar("Kids")
    result = _discover(caldav_server)
    assert result.exit_code == 0, result.stderr
    assert "principal:" in result.output and "home:" in result.output
    assert "Kids" in result.output and "events, writable" in result.output


def test_create_makes_an_event_calendar_and_write_records_it(caldav_server, family):
    result = _discover(caldav_server, "--create", "Kids (pc)", "--write", str(family),
                       "--parent", "alex")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    table = tomllib.loads((family.parent / "calendars.toml").read_text())["alex"]
    assert table["type"] == "caldav" and table["url"] == caldav_server.base_url
    assert table["calendar"].startswith(caldav_server.home)
    status, _ = caldav_server.new_calendar().get(table["calendar"])
    assert status in (200, 207, 405)  # the collection exists (GET on a collection varies)
    if caldav_server.username:
        assert table["password_env"] == caldav_server.password_env
        assert "password" not in table
    # the written target syncs
    synced = run_cli(["sync", str(family), "--parent", "alex", "--state-beside-plan",
                      "--from", "2026-12-01", "--to", "2027-01-01"])  # fmt: skip
    assert synced.exit_code == 0, synced.stderr
    assert "created" in synced.output


def test_write_keeps_other_parents_and_comments(caldav_server, family):
    kids = caldav_server.new_calendar(name := _name("Kids"))
    path = family.parent / "calendars.toml"
    path.write_text('# sam keeps his feed\n[sam]\ntype = "ics"\nfolder = "out/sam"\n')
    result = _discover(caldav_server, "--calendar", name, "--write", str(family),
                       "--parent", "alex")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = path.read_text()
    assert text.startswith("# sam keeps his feed\n[sam]")
    data = tomllib.loads(text)
    assert data["sam"] == {"type": "ics", "folder": "out/sam"}
    assert data["alex"]["calendar"] == kids.path


def test_an_existing_target_is_replaced_only_when_asked(caldav_server, family):
    first, second = caldav_server.new_calendar("One"), caldav_server.new_calendar("Two")
    write_calendars(family, alex={"type": "caldav", "url": caldav_server.base_url,
                                  "calendar": first.path})  # fmt: skip
    args = ["--calendar", second.path, "--write", str(family), "--parent", "alex"]
    refused = _discover(caldav_server, *args)
    assert refused.exit_code == 2 and "--replace" in refused.stderr
    replaced = _discover(caldav_server, *args, "--replace")
    assert replaced.exit_code == 0, replaced.stderr
    assert (
        tomllib.loads((family.parent / "calendars.toml").read_text())["alex"]["calendar"]
        == second.path
    )


def test_write_without_a_choice_among_several_asks_for_one(caldav_server, family):
    caldav_server.new_calendar("One")
    caldav_server.new_calendar("Two")
    result = _discover(caldav_server, "--write", str(family), "--parent", "alex")
    assert result.exit_code == 2
    assert "--calendar NAME" in result.stderr and "One" in result.stderr
    assert not (family.parent / "calendars.toml").exists()


def test_unknown_calendar_name_lists_the_real_ones(caldav_server):
    caldav_server.new_calendar("Kids")
    result = _discover(caldav_server, "--calendar", "Kdis")
    assert result.exit_code == 2
    assert "no such calendar" in result.stderr and "Kids" in result.stderr


def test_a_display_name_two_calendars_share_is_refused(caldav_server):
    name = _name("Twin")
    one, two = caldav_server.new_calendar(name), caldav_server.new_calendar(name)
    result = _discover(caldav_server, "--calendar", name)
    assert result.exit_code == 2
    assert "2 calendars are named" in result.stderr
    assert one.path in result.stderr and two.path in result.stderr


def test_wrong_password_is_an_authentication_failure(radicale_server, monkeypatch):
    monkeypatch.setenv("WRONG_PASSWORD", "not it")
    result = run_cli(["targets", "discover", radicale_server.base_url, "--user", "alex",
                      "--password-env", "WRONG_PASSWORD"])  # fmt: skip
    assert result.exit_code == 1
    assert "authentication failed for alex" in result.stderr
    assert "not it" not in result.stderr + result.output


def test_a_stopped_server_is_unreachable_not_missing(tmp_path):
    from servers import refused_port

    with refused_port() as port:
        result = run_cli(["targets", "discover", f"http://127.0.0.1:{port}/"])
    assert result.exit_code == 1
    assert "cannot reach" in result.stderr and "connection refused" in result.stderr
    assert "calendar not found" not in result.stderr


def test_a_non_caldav_address_is_a_clear_error():
    result = run_cli(["targets", "discover", "not an address"])
    assert result.exit_code == 2
    assert "expected a server URL" in result.stderr


def test_read_only_calendar_is_shown_read_only(restricted_radicale):
    result = _discover(restricted_radicale, "--json")
    assert result.exit_code == 0, result.stderr
    shared = [c for c in json.loads(result.output)["calendars"] if c["name"] == "Shared"]
    assert shared and shared[0]["writable"] is False


def test_self_signed_certificate_is_refused_then_trusted_when_pinned(tls_radicale):
    refused = _discover(tls_radicale)
    assert refused.exit_code == 1
    pinned = _discover(tls_radicale, "--verify", str(tls_radicale.cert), "--json")
    assert pinned.exit_code == 0, pinned.stderr
    assert json.loads(pinned.output)["principal"] == "/alex/"
