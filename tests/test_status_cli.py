"""``pc-calendar status``: last sync, pending changes (online and offline), exchanges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pc_calendar.cli import main

EXAMPLE = Path(__file__).parents[1] / "examples" / "rivera-chen.toml"
RANGE = ["--from", "2026-11-01", "--to", "2027-01-01"]
MISSED = "2026-12-08T1700-alex-sam"


def write_family(folder: Path, family: str) -> Path:
    text = EXAMPLE.read_text().replace('id = "rivera-chen"', f'id = "{family}"', 1)
    text = text.replace('folder = "out/', f'folder = "out/{family}/')
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{family}.toml"
    path.write_text(text)
    return path


def run(capsys, *args):
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def caseload(tmp_path, monkeypatch, capsys):
    """fam-a synced (one exchange recorded missed), fam-b never synced, one bad plan."""
    monkeypatch.setenv("PC_CALENDAR_NOW", "2026-12-20T12:00:00Z")
    monkeypatch.setenv("PC_CALENDAR_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "plans"
    a = write_family(folder, "fam-a")
    write_family(folder, "fam-b")
    (folder / "fam-bad.toml").write_text('[family]\nid = "BAD ID"\n')
    state = tmp_path / "state.sqlite"
    code, _, err = run(capsys, "sync", str(a), "--state", str(state), *RANGE)
    assert code == 0, err
    code, _, err = run(capsys, "exchange", "record", str(a), MISSED, "--status", "missed")
    assert code == 0, err
    return folder, state


def status(capsys, folder, state, *args):
    code, out, err = run(capsys, "status", str(folder), "--state", str(state), *RANGE, *args)
    return code, out, err


def families(out):
    return {f["family"] or Path(f["plan"]).stem: f for f in json.loads(out)["families"]}


def test_json_per_family_and_calendar(capsys, caseload):
    code, out, _ = status(capsys, *caseload, "--json")
    assert code == 1  # fam-bad could not be checked
    data = json.loads(out)
    assert data["pending_source"] == "backend" and data["now"].startswith("2026-12-20T12:00")
    fams = families(out)
    assert "fam-bad.toml" in fams["fam-bad"]["error"] and not fams["fam-bad"]["calendars"]
    a, b = fams["fam-a"], fams["fam-b"]
    for cal in a["calendars"]:
        assert cal["last_success"] is not None and cal["last_error"] is None
        assert cal["pending"] == {
            "source": "backend", "create": 0, "update": 0, "delete": 0, "conflicts": 0
        }  # fmt: skip
    for cal in b["calendars"]:
        assert cal["last_success"] is None and cal["pending"]["create"] > 10
    assert [r["exchange_id"] for r in a["missed"]] == [MISSED]
    overdue = [r["exchange_id"] for r in a["overdue"]]
    assert MISSED not in overdue and len(overdue) > 3
    assert all(r["state"] == "overdue" and r["local_at"] < "2026-12-20T12" for r in a["overdue"])
    assert len(b["overdue"]) == len(overdue) + 1 and not b["missed"]


def test_offline_uses_only_the_state_and_says_so(capsys, caseload):
    folder, state = caseload
    # the parent deletes one of our events: only a look at the calendar can see that
    victim = sorted((folder / "out" / "fam-a" / "alex" / "vdir").glob("exchange-*.ics"))[0]
    victim.unlink()
    code, out, _ = status(capsys, folder, state, "--json", "--offline")
    assert json.loads(out)["pending_source"] == "state"
    alex = families(out)["fam-a"]["calendars"][0]
    assert alex["pending"]["source"] == "state" and alex["pending"]["create"] == 0
    code, out, _ = status(capsys, folder, state, "--json")
    alex = families(out)["fam-a"]["calendars"][0]
    assert alex["pending"]["create"] + alex["pending"]["conflicts"] >= 1
    # a longer range is pending offline too: the plan wants more than was pushed
    code, out, _ = run(
        capsys, "status", str(folder), "--state", str(state), "--offline", "--json",
        "--from", "2026-11-01", "--to", "2027-03-01",
    )  # fmt: skip
    assert families(out)["fam-a"]["calendars"][1]["pending"]["create"] > 5


def test_text_table_and_a_failing_calendar(capsys, caseload, tmp_path):
    folder, state = caseload
    (folder / "fam-bad.toml").unlink()
    (folder / "out" / "fam-b").mkdir(parents=True)
    (folder / "out" / "fam-b" / "sam").write_text("not a folder")
    code, _, _ = run(capsys, "sync", str(folder), "--state", str(state), *RANGE)
    assert code == 1
    code, out, _ = status(capsys, folder, state, "--offline")
    assert code == 0  # offline, every calendar could be checked
    lines = out.splitlines()
    assert lines[0].split() == ["family", "parent", "target", "last", "success", "pending", "note"]
    sam_b = next(line for line in lines if line.startswith("fam-b") and " sam " in line)
    assert "never" in sam_b and "last sync failed" in sam_b
    alex_a = next(line for line in lines if line.startswith("fam-a") and " alex " in line)
    assert "UTC" in alex_a and "in sync" in alex_a
    assert "pending changes: offline, from the sync state" in out
    assert (
        f"fam-a: MISSED 2026-12-08 17:00 alex -> sam at library ({MISSED}) alex at fault "
        "[one-sided (coordinator)]" in out
    ), "whose fault, and whether both parents agree"
    assert "fam-a: OVERDUE" in out
    assert out.rstrip().endswith("missed exchanges in the last 30 days")
    assert "2 families, 4 calendars" in out and "1 failing" in out
    code, out, _ = status(capsys, folder, state)  # online: that calendar cannot be checked
    assert code == 1 and "cannot check" in out


def test_no_plans_is_a_user_error(capsys, tmp_path):
    code, _, err = run(capsys, "status", str(tmp_path))
    assert code == 2 and "no plans found" in err


def test_disputed_outcomes_are_shown_apart(caseload, capsys):
    folder, state = caseload
    plan = folder / "fam-a.toml"
    code, out, _ = run(capsys, "exchanges", str(plan), "--json")
    late = next(r for r in json.loads(out) if r["state"] == "overdue")
    code, out, err = run(
        capsys, "exchange", "record", str(plan), late["exchange_id"], "--status", "late",
        "--minutes-late", "30", "--by", late["to"],
    )  # fmt: skip
    assert code == 0, err
    seq = out.split("#")[1].split(":")[0]
    code, out, err = run(
        capsys, "exchange", "respond", str(plan), seq, "--by", late["from"], "--dispute"
    )
    assert code == 0, err
    code, out, _ = status(capsys, folder, state, "--offline")
    line = next(x for x in out.splitlines() if x.startswith("fam-a: DISPUTED late"))
    assert late["exchange_id"] in line and line.endswith(f"[DISPUTED by {late['from']}]")
    code, out, _ = status(capsys, folder, state, "--offline", "--json")
    disputed = families(out)["fam-a"]["disputed"]
    assert [(r["exchange_id"], r["agreement"]) for r in disputed] == [
        (late["exchange_id"], "disputed")
    ]
