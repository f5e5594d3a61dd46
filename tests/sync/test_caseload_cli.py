"""``pc-calendar sync FOLDER``: the caseload from the command line, ics targets."""

from __future__ import annotations

import json
from pathlib import Path

from caseload_helpers import RANGE, by_family, run_cli, write_family


def caseload(tmp_path):
    folder = tmp_path / "plans"
    write_family(folder, "fam-a")
    write_family(folder, "fam-b")
    (folder / "fam-broken.toml").write_text("[family\n")
    (folder / "calendars.toml").write_text("")  # not a plan: skipped
    # fam-c's sam calendar cannot be written: a file where its folder should be
    write_family(folder, "fam-c")
    (folder / "out" / "fam-c").mkdir(parents=True)
    (folder / "out" / "fam-c" / "sam").write_text("not a folder")
    return folder


def sync(capsys, tmp_path, *args):
    state = tmp_path / "state.sqlite"
    return run_cli(capsys, "sync", *args, "--state", str(state), *RANGE)


def table_rows(out):
    """The plain table's rows as lists of cells (header first; a blank line ends it)."""
    lines = out.splitlines()
    return [line.split() for line in lines[: lines.index("")]]


def test_folder_syncs_every_family_and_sums_up(capsys, tmp_path):
    folder = caseload(tmp_path)
    code, out, err = sync(capsys, tmp_path, str(folder), "--jobs", "2")
    assert code == 1, err
    rows = table_rows(out)
    assert rows[0] == [
        "family", "parent", "target", "created", "updated", "deleted", "unchanged",
        "conflicts", "status",
    ]  # fmt: skip
    by_row = {(r[0], r[1]): r for r in rows[1:]}
    assert set(by_row) == {
        ("fam-a", "alex"), ("fam-a", "sam"), ("fam-b", "alex"), ("fam-b", "sam"),
        ("fam-broken", "-"), ("fam-c", "alex"), ("fam-c", "sam"),
    }  # fmt: skip
    assert by_row[("fam-a", "alex")][-1] == "ok" and int(by_row[("fam-a", "alex")][4]) > 10
    assert by_row[("fam-broken", "-")][-1] == "failed"
    assert by_row[("fam-c", "sam")][-1] == "failed" and by_row[("fam-c", "alex")][-1] == "ok"
    assert "fam-broken (" in out and "FAILED" in out and "fam-c: sam -> ics" in out
    assert out.rstrip().endswith("4 families, 6 calendars: 5 ok, 2 failed, 0 skipped")
    for family in ("fam-a", "fam-b"):
        for parent in ("alex", "sam"):
            assert (folder / "out" / family / parent / f"{family}-{parent}.ics").exists()


def test_json_for_cron_then_a_no_op_rerun(capsys, tmp_path):
    folder = caseload(tmp_path)
    code, out, _ = sync(capsys, tmp_path, str(folder), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False and data["from"] == "2026-11-01" and data["to"] == "2027-01-01"
    families = by_family(out)
    assert families["fam-broken"]["status"] == "failed"
    assert "fam-broken.toml" in families["fam-broken"]["error"]
    assert families["fam-c"]["status"] == "failed" and families["fam-a"]["status"] == "ok"
    assert {c["family"] for c in data["calendars"]} == {"fam-a", "fam-b", "fam-c"}
    (folder / "fam-broken.toml").unlink()
    (folder / "out" / "fam-c" / "sam").unlink()
    code, out, _ = sync(capsys, tmp_path, str(folder), "--json")
    assert code == 0
    calendars = json.loads(out)["calendars"]
    for c in calendars:
        assert c["status"] == "ok"
        assert c["created"] == 0 or c["family"] == "fam-c" and c["parent"] == "sam"
    code, out, _ = sync(capsys, tmp_path, str(folder), "--json")
    assert all(
        c["created"] + c["updated"] + c["deleted"] == 0 for c in json.loads(out)["calendars"]
    )


def test_several_plan_files_and_a_dry_run(capsys, tmp_path):
    a = write_family(tmp_path / "one", "fam-a")
    b = write_family(tmp_path / "two", "fam-b")
    code, out, _ = sync(capsys, tmp_path, str(a), str(b), "--dry-run")
    assert code == 0
    assert "(dry run: nothing was written)" in out
    assert [r[0] for r in table_rows(out)[1:]] == ["fam-a", "fam-a", "fam-b", "fam-b"]
    assert not (tmp_path / "one" / "out").exists() and not (tmp_path / "state.sqlite").exists()


def test_user_errors_exit_2(capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = sync(capsys, tmp_path, str(empty))
    assert code == 2 and "no plans found" in err
    code, _, err = sync(capsys, tmp_path, str(tmp_path / "missing.toml"))
    assert code == 2 and "no such plan file or folder" in err
    folder = caseload(tmp_path)
    code, _, err = sync(capsys, tmp_path, str(folder), "--parent", "alex")
    assert code == 2 and "--parent" in err
    code, _, err = run_cli(capsys, "sync", str(folder), "--from", "2026-13-01")
    assert code == 2 and "--from" in err and "Traceback" not in err
    code, _, err = run_cli(capsys, "sync", str(folder), "--jobs", "0")
    assert code == 2
    assert not (folder / "out" / "fam-a").exists()


def test_a_single_invalid_plan_is_still_a_user_error(capsys, tmp_path):
    plan = tmp_path / "bad.toml"
    plan.write_text("[family\n")
    code, _, err = sync(capsys, tmp_path, str(plan))
    assert code == 2 and "bad.toml" in err and "Traceback" not in err


def test_live_display_tracks_families_and_big_calendars():
    from pc_calendar.cli.caseload_view import PROGRESS_MIN, live_caseload, plain_table
    from pc_calendar.sync.caseload import FamilyResult

    with live_caseload(False, 3) as none:
        assert none is None
    with live_caseload(True, 2) as live:
        first, second = Path("a/fam-a.toml"), Path("a/fam-b.toml")
        live("start", first, None)
        live("start", second, None)
        assert len(live.bar.tasks) == 3
        tick = live.progress("caldav x", PROGRESS_MIN)
        assert len(live.bar.tasks) == 4
        tick(PROGRESS_MIN)  # a finished calendar's bar goes away
        live("done", first, FamilyResult(first, "fam-a"))
        live("done", second, FamilyResult(second, "fam-b", error="boom"))
        assert [t.description.strip() for t in live.bar.tasks] == ["syncing 2 families"]
        assert live.bar.tasks[0].completed == 2
    assert plain_table(["a", "n"], [["x", "-"], ["yy", 3]]).splitlines() == [
        "a   n",
        "x   -",
        "yy  3",
    ]
