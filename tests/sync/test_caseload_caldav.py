"""The caseload end to end on a real Radicale: concurrent families, a wrong password."""

from __future__ import annotations

import json

from caseload_helpers import by_family, run_cli, write_family

RANGE = ["--from", "2026-12-01", "--to", "2027-01-01"]  # a month: Radicale PUTs are slow


def toml_table(config: dict) -> str:
    return "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in config.items()) + " }"


def test_caseload_on_radicale(capsys, tmp_path, monkeypatch, radicale_server):
    monkeypatch.setenv("PC_CALENDAR_TEST_WRONG_PASSWORD", "not the password")
    root = tmp_path / "caseload"
    for name in ("fam-a", "fam-b", "fam-wrong"):
        lines = []
        for parent in ("alex", "sam"):
            config = radicale_server.new_calendar().config(timeout=10)
            if name == "fam-wrong" and parent == "sam":
                config["password_env"] = "PC_CALENDAR_TEST_WRONG_PASSWORD"
            lines.append(f"{parent} = {toml_table(config)}")
        write_family(root / name, name)
        (root / name / "calendars.toml").write_text("\n".join(lines) + "\n")
    state = ["--state", str(tmp_path / "state.sqlite")]
    code, out, err = run_cli(
        capsys, "sync", str(root), "-r", "--jobs", "3", "--json", *state, *RANGE
    )
    assert code == 1, err
    families = by_family(out)
    assert sorted(families) == ["fam-a", "fam-b", "fam-wrong"]
    for name in ("fam-a", "fam-b"):
        assert families[name]["status"] == "ok"
        for cal in families[name]["calendars"]:
            assert cal["created"] > 5 and cal["target"].startswith("caldav")
    alex, sam = families["fam-wrong"]["calendars"]
    assert alex["status"] == "ok" and alex["created"] > 5
    assert sam["status"] == "failed" and sam["created"] == 0
    assert "401" in sam["error"] or "password" in sam["error"].lower(), sam["error"]
    # the no-op re-run: nothing written, at most two requests per calendar
    monkeypatch.setenv("PC_CALENDAR_TEST_WRONG_PASSWORD", radicale_server.password)
    code, out, err = run_cli(capsys, "sync", str(root), "-r", "--json", *state, *RANGE)
    assert code == 0, err
    for name, family in by_family(out).items():
        for cal in family["calendars"]:
            if name == "fam-wrong" and cal["parent"] == "sam":
                assert cal["created"] > 5  # its first good run
                continue
            assert cal["created"] + cal["updated"] + cal["deleted"] == 0
            assert cal["requests"] <= 2
    code, out, err = run_cli(capsys, "status", str(root), "-r", "--json", *state, *RANGE)
    assert code == 0, err
    for family in json.loads(out)["families"]:
        for cal in family["calendars"]:
            assert cal["pending"]["source"] == "backend" and cal["pending"]["create"] == 0
            assert cal["last_success"] is not None and not cal["failing"]
