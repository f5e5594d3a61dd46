"""The embedded ics-folder target: vdir + feed, atomic, foreign files untouched."""

from __future__ import annotations

import os
from datetime import datetime

import icalendar
import pytest
from sync_helpers import FAMILY, ZONE, Syncer, edited_body, exchanges, make_event

from pc_calendar.backends.ics_folder import IcsFolderBackend, etag_of
from pc_calendar.errors import BackendError, PreconditionFailed

DAYS = [1, 3, 8, 10, 15, 17]


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "out" / "alex"


def backend(folder, dry_run=False):
    return IcsFolderBackend(folder, FAMILY, "alex", dry_run=dry_run)


def run(tmp_path, folder, desired, **options):
    """One sync as the CLI does it: a fresh backend, closed afterwards."""
    b = backend(folder, options.get("dry_run", False))
    try:
        return Syncer(tmp_path, b).run(desired, **options)
    finally:
        b.close()


def snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def feed_uids(folder):
    cal = icalendar.Calendar.from_ical((folder / f"{FAMILY}-alex.ics").read_bytes())
    return sorted(str(e["UID"]) for e in cal.walk("VEVENT"))


def test_first_sync_writes_vdir_and_feed(tmp_path, folder):
    desired = exchanges(DAYS)
    summary = run(tmp_path, folder, desired)
    assert summary.created == 6 and summary.ok
    names = sorted(p.name for p in (folder / "vdir").iterdir())
    assert names == sorted(f"{d.uid}.ics" for d in desired)
    for d in desired:
        assert (folder / "vdir" / f"{d.uid}.ics").read_bytes() == d.ical
    assert feed_uids(folder) == sorted(d.uid for d in desired)
    feed = (folder / f"{FAMILY}-alex.ics").read_bytes()
    assert feed.count(b"BEGIN:VEVENT") == 6 and feed.startswith(b"BEGIN:VCALENDAR")
    assert not [p for p in folder.rglob("*") if p.name.startswith(".")]  # no temp files left


def test_second_run_touches_no_file_and_reads_none(tmp_path, folder, monkeypatch):
    desired = exchanges(DAYS)
    run(tmp_path, folder, desired)
    run(tmp_path, folder, desired)  # picks up the token that includes our writes
    before = snapshot(folder)
    reads = []
    real = IcsFolderBackend._read
    monkeypatch.setattr(IcsFolderBackend, "_read", lambda self, p: reads.append(p) or real(self, p))
    summary = run(tmp_path, folder, desired)
    assert summary.writes == 0 and summary.unchanged == 6 and summary.requests == 1
    assert reads == []
    assert snapshot(folder) == before


def test_foreign_files_in_the_vdir_are_never_touched(tmp_path, folder):
    vdir = folder / "vdir"
    vdir.mkdir(parents=True)
    own = make_event(
        "gym", datetime(2026, 12, 2, 7, tzinfo=ZONE), "Gym", marker=False, uid="gym@example.org"
    )
    lookalike = make_event(
        "2026-12-03", datetime(2026, 12, 3, 18, tzinfo=ZONE), "Exchange 12/3", marker=False
    )
    (vdir / "gym.ics").write_bytes(own.ical)
    (vdir / "copy.ics").write_bytes(lookalike.ical)
    (vdir / "notes.txt").write_text("not a calendar file")
    (vdir / "broken.ics").write_bytes(b"BEGIN:VCALENDAR\nthis is not ical")
    before = {p.name: p.read_bytes() for p in vdir.iterdir()}
    run(tmp_path, folder, exchanges(DAYS))
    run(tmp_path, folder, [], yes=True)
    after = {p.name: p.read_bytes() for p in vdir.iterdir()}
    assert after == before
    assert feed_uids(folder) == []  # the feed holds only our events


def test_changes_regenerate_the_feed(tmp_path, folder):
    desired = exchanges(DAYS)
    run(tmp_path, folder, desired)
    moved = [
        make_event(d.natural_key, d.event["DTSTART"].dt, "moved") if i == 0 else d
        for i, d in enumerate(desired[:5])
    ]
    summary = run(tmp_path, folder, moved)
    assert (summary.updated, summary.deleted) == (1, 1)
    assert feed_uids(folder) == sorted(d.uid for d in moved)
    assert b"SUMMARY:moved" in (folder / f"{FAMILY}-alex.ics").read_bytes()


def test_parent_edit_in_the_vdir_is_a_conflict(tmp_path, folder):
    desired = exchanges(DAYS)
    run(tmp_path, folder, desired)
    path = folder / "vdir" / f"{desired[0].uid}.ics"
    path.write_bytes(edited_body(desired[0], "khal edit"))
    kept = run(tmp_path, folder, desired, policy="keep-theirs")
    assert kept.writes == 0 and kept.conflicts[0].resolution == "kept theirs"
    assert b"khal edit" in path.read_bytes()
    restored = run(tmp_path, folder, desired)
    assert restored.updated == 1 and restored.conflicts[0].resolution == "restored"
    assert path.read_bytes() == desired[0].ical


def test_dry_run_creates_nothing(tmp_path, folder):
    summary = run(tmp_path, folder, exchanges(DAYS), dry_run=True)
    assert summary.created == 6
    assert not folder.exists() and not (tmp_path / "state.sqlite").exists()


def test_stale_feed_after_a_crash_is_regenerated(tmp_path, folder):
    desired = exchanges(DAYS)
    b = backend(folder)
    Syncer(tmp_path, b).run(desired)  # never closed: the process "died" before the feed
    assert not (folder / f"{FAMILY}-alex.ics").exists()
    summary = run(tmp_path, folder, desired)
    assert summary.writes == 0
    assert feed_uids(folder) == sorted(d.uid for d in desired)


def test_conditional_writes(folder):
    b = backend(folder)
    d = exchanges([1])[0]
    remote = b.create(d)
    assert remote.etag == etag_of(d.ical)
    with pytest.raises(PreconditionFailed):
        b.create(d)
    (folder / "vdir" / remote.href).write_bytes(edited_body(d, "changed"))
    with pytest.raises(PreconditionFailed):
        b.update(remote, d)
    with pytest.raises(PreconditionFailed):
        b.delete(remote)
    (folder / "vdir" / remote.href).unlink()
    with pytest.raises(PreconditionFailed):
        b.delete(remote)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permissions")
def test_unwritable_folder_is_a_clear_error(tmp_path, folder):
    folder.mkdir(parents=True)
    folder.chmod(0o500)
    try:
        summary = run(tmp_path, folder, exchanges(DAYS))
    finally:
        folder.chmod(0o700)
    assert summary.error is not None and str(folder) in summary.error


def test_folder_that_is_a_file_is_a_clear_error(tmp_path, folder):
    folder.parent.mkdir(parents=True)
    folder.write_text("oops")
    summary = run(tmp_path, folder, exchanges(DAYS))
    assert summary.error is not None and str(folder) in summary.error
    assert summary.error.startswith(f"ics {folder}")
    assert folder.read_text() == "oops"
    with pytest.raises(BackendError):
        backend(folder).create(exchanges([1])[0])


def test_feed_has_one_vtimezone_covering_every_year():
    from pc_calendar.backends.ics_feed import build_feed

    early = make_event("a", datetime(2026, 3, 1, 18, tzinfo=ZONE))
    late = make_event("b", datetime(2028, 7, 1, 18, tzinfo=ZONE))
    foreign = make_event("c", datetime(2027, 1, 1, 9, tzinfo=ZONE), marker=False, uid="x@y")
    other_family = make_event("d", datetime(2027, 1, 1, 9, tzinfo=ZONE), family="someone-else")
    feed = build_feed(
        [early.ical, b"garbage", foreign.ical, other_family.ical, late.ical], FAMILY, "n"
    )
    cal = icalendar.Calendar.from_ical(feed)
    assert [str(e["UID"]) for e in cal.walk("VEVENT")] == [early.uid, late.uid]
    [zone] = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "America/Chicago"
    tz = zone.to_tz()
    for year in (2026, 2027, 2028):
        for month in (1, 7):
            moment = datetime(year, month, 15, 12)
            assert moment.replace(tzinfo=tz).utcoffset() == moment.replace(tzinfo=ZONE).utcoffset()
    assert feed == build_feed([early.ical, late.ical], FAMILY, "n")  # deterministic


# -- the token moves past our own writes, never past anyone else's ----------------------


def test_after_a_sync_the_stored_token_is_the_folders_own(tmp_path, folder):
    from sync_helpers import KEY

    from pc_calendar.sync.state import StateStore

    run(tmp_path, folder, exchanges(DAYS))
    with StateStore(tmp_path / "state.sqlite") as store:
        token = store.load_header(KEY).token
        assert not store.has_pending(KEY)
    listing = backend(folder).list(token)
    assert (listing.full, listing.events) == (False, [])  # the next run reads no file


def _listed_then_written(folder, n=2):
    b = backend(folder)
    token = b.list().token
    made = [b.create(e) for e in exchanges(DAYS[:n])]
    return b, token, {r.href: r.etag for r in made}


def test_confirm_passes_exactly_our_writes_and_deletes(folder):
    b, token, written = _listed_then_written(folder)
    assert b.confirm_writes(token, written, set()) == b.list().token
    gone = b.list().events[0]
    token = b.list().token
    b.delete(gone)
    assert b.confirm_writes(token, {}, {gone.href}) is not None
    assert b.confirm_writes(token, {}, set()) is None


def test_confirm_refuses_what_someone_else_changed_meanwhile(folder):
    b, token, written = _listed_then_written(folder)
    name = next(iter(written))
    (folder / "vdir" / name).write_bytes(edited_body(exchanges(DAYS[:1])[0], "khal edit"))
    assert b.confirm_writes(token, written, set()) is None

    b, token, written = _listed_then_written(folder / "other")
    (folder / "other" / "vdir" / "dentist.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    assert b.confirm_writes(token, written, set()) is None
    assert b.confirm_writes("vdir-not-the-listed-one", written, set()) is None


def test_client_stripping_our_properties_is_the_parents_edit(tmp_path, folder):
    """vdirsyncer or a phone re-saved one of ours without X-PC-*: the parent's edit,
    restored once; a parent's copy under another name is still never touched."""
    desired = exchanges(DAYS)
    run(tmp_path, folder, desired)
    target = desired[2]
    stripped = make_event(
        target.natural_key, target.event["DTSTART"].dt, "Exchange 12/8", marker=False
    )
    (folder / "vdir" / f"{target.uid}.ics").write_bytes(stripped.ical)
    (folder / "vdir" / "my-copy.ics").write_bytes(stripped.ical)
    restored = run(tmp_path, folder, desired)
    assert restored.ok and restored.updated == 1 and restored.problems == []
    assert [(c.uid, c.change, c.resolution) for c in restored.conflicts] == [
        (target.uid, "edited", "restored")
    ]
    assert (folder / "vdir" / f"{target.uid}.ics").read_bytes() == target.ical
    assert (folder / "vdir" / "my-copy.ics").read_bytes() == stripped.ical
    again = run(tmp_path, folder, desired)
    assert again.ok and again.writes == 0 and again.conflicts == []
