"""``--from``/``--to`` choose which events are pushed, never what they say.

An event touching the window belongs to it whole: sync pushes it with its real start
and end, owns it (updates and deletes it) like any other, and export writes exactly the
same events with the same times.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import icalendar
import pytest
from sync_helpers import FAMILY, ZONE, Syncer, exchanges, make_event

from pc_calendar.backends.memory import MemoryBackend
from pc_calendar.cli import main
from pc_calendar.identity import HASH_PROP, OWNER_PROP

EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
#: a Sunday; custody blocks of the example plan cross both midnights
FROM, TO = "2026-11-04", "2027-01-13"


def crossing(start: datetime, days: int, key: str = "long-weekend"):
    """A 'custody' event of ours from ``start`` for ``days`` days."""
    return make_event(key, start, "With Alex", kind="custody", hours=24 * days)


# -- the engine ----------------------------------------------------------------------------


@pytest.mark.parametrize("tokens", [True, False])
def test_event_crossing_from_is_deleted_when_no_longer_wanted(tmp_path, tokens) -> None:
    syncer = Syncer(tmp_path, MemoryBackend(FAMILY, tokens=tokens))
    across = crossing(datetime(2025, 12, 30, 18, tzinfo=ZONE), 4)  # into 1 January
    before = crossing(datetime(2025, 12, 20, 18, tzinfo=ZONE), 2, "past")  # wholly before
    syncer.backend.put_foreign(f"{before.uid}.ics", before.ical)
    first = syncer.run([across, *exchanges([3])])
    assert first.ok and first.created == 2
    gone = syncer.run(exchanges([3]))
    assert gone.ok and gone.deleted == 1 and gone.unchanged == 1
    assert syncer.uids() == sorted([before.uid, exchanges([3])[0].uid])
    assert syncer.run(exchanges([3])).writes == 0


def test_event_ending_before_from_is_past_history(tmp_path) -> None:
    syncer = Syncer(tmp_path, MemoryBackend(FAMILY))
    old = crossing(datetime(2025, 12, 29, 18, tzinfo=ZONE), 2)  # ends 31 December
    syncer.backend.put_foreign(f"{old.uid}.ics", old.ical)
    summary = syncer.run(exchanges([3]))
    assert summary.deleted == 0 and f"{old.uid}.ics" in syncer.backend.objects


def test_marker_without_hash_is_not_ours_without_state(tmp_path) -> None:
    """The README: events without the content hash are not ours. Never deleted on a
    first sync (no state); taken back only when the plan wants that very UID."""
    syncer = Syncer(tmp_path, MemoryBackend(FAMILY))
    unwanted, wanted = exchanges([8, 10])
    for event in (unwanted, wanted):
        body = event.ical.replace(f"{HASH_PROP}:{event.content_hash}\r\n".encode(), b"")
        assert HASH_PROP.encode() not in body and OWNER_PROP.encode() in body
        syncer.backend.put_foreign(f"{event.uid}.ics", body)
    kept = dict(syncer.backend.objects)
    summary = syncer.run([wanted, *exchanges([3])])
    assert summary.ok and summary.deleted == 0
    assert syncer.backend.objects[f"{unwanted.uid}.ics"] == kept[f"{unwanted.uid}.ics"]
    # the wanted one says what the plan says: only our hash is put back, no conflict
    assert summary.updated == 1 and summary.conflicts == []
    assert syncer.backend.objects[f"{wanted.uid}.ics"][0] == wanted.ical
    assert syncer.run([], yes=True).deleted == 2  # what we pushed, never the unwanted one
    assert f"{unwanted.uid}.ics" in syncer.backend.objects


# -- sync and export of a real plan ----------------------------------------------------------


@pytest.fixture
def plan(tmp_path):
    path = tmp_path / "family" / "rivera-chen.toml"
    path.parent.mkdir()
    path.write_text(EXAMPLE.read_text())
    return path


def cli(capsys, *args: str) -> tuple[int, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out + out.err


def sync(capsys, plan: Path, *args: str) -> tuple[int, str]:
    state = plan.parent.parent / "state.sqlite"
    return cli(capsys, "sync", str(plan), "--state", str(state), "--parent", "alex", *args)


def vdir_events(plan: Path) -> dict[str, tuple]:
    """uid -> (DTSTART, DTEND) of what sync put in alex's vdir."""
    found = {}
    for path in (plan.parent / "out" / "alex" / "vdir").glob("*.ics"):
        found.update(file_events(path))
    return found


def file_events(path: Path) -> dict[str, tuple]:
    """uid -> (DTSTART, DTEND), all-day ones as local midnights (comparable)."""
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["UID"]): (_at(e.decoded("DTSTART")), _at(e.decoded("DTEND")))
            for e in cal.walk("VEVENT")}  # fmt: skip


def _at(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else midnight(value.isoformat())


def midnight(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=ZONE)


def test_sync_to_never_changes_the_block_crossing_it(capsys, plan) -> None:
    code, out = sync(capsys, plan, "--from", FROM, "--to", TO)
    assert code == 0, out
    short = vdir_events(plan)
    end = midnight(TO)
    across = {u: t for u, t in short.items() if t[0] < end < t[1]}
    assert across, "the example must have a block crossing --to"
    assert all(t[1] != end for t in short.values())  # nothing cut at 00:00
    code, out = sync(capsys, plan, "--from", FROM, "--to", "2027-06-01")
    assert code == 0 and "updated 0" in out and "deleted 0" in out, out
    longer = vdir_events(plan)
    assert {u: longer[u] for u in across} == across


def test_export_and_sync_agree_on_blocks_crossing_from(capsys, plan, tmp_path) -> None:
    code, out = sync(capsys, plan, "--from", FROM, "--to", TO)
    assert code == 0, out
    exported = tmp_path / "alex.ics"
    code, out = cli(capsys, "export", str(plan), "--parent", "alex", "-o", str(exported),
                    "--from", FROM, "--to", TO)  # fmt: skip
    assert code == 0, out
    synced, written = vdir_events(plan), file_events(exported)
    assert written == synced
    start = midnight(FROM)
    assert any(t[0] < start < t[1] for t in written.values())  # one crosses, whole
    assert all(t[0] != start for t in written.values())


def test_custody_identity_does_not_depend_on_the_window(capsys, plan, tmp_path) -> None:
    """A long block keeps its UID whatever --from cuts into it."""
    outputs = []
    for first in ("2026-11-04", "2026-11-05"):
        path = tmp_path / f"{first}.ics"
        code, _ = cli(capsys, "export", str(plan), "--parent", "alex", "-o", str(path),
                      "--from", first, "--to", TO)  # fmt: skip
        assert code == 0
        outputs.append(file_events(path))
    later, earlier = outputs[1], outputs[0]
    assert set(later) <= set(earlier)  # the block crossing 5 November: same UID in both
    assert all(later[u] == earlier[u] for u in later)


@pytest.mark.parametrize(
    ("first", "last"),
    [(date(2025, 9, 1), date(2026, 6, 1)), (date(2026, 1, 1), date(2029, 6, 1))],
)
def test_padding_adds_no_warnings(first, last) -> None:
    """The days computed around the window are not the user's range: guesses made
    there (school days before the listed terms) are not warned about."""
    from pc_calendar.plan.load import load_plan
    from pc_calendar.schedule.engine import compute_timeline
    from pc_calendar.schedule.window import compute_window

    plan = load_plan(EXAMPLE)
    padded = compute_window(plan, first, last)
    assert padded.warnings == compute_timeline(plan, first, last).warnings


def test_runs_longer_than_the_padding_are_whole(tmp_path) -> None:
    """A 200-day stay with one parent (an order while the other is abroad) crossing
    both ends of a short window: its real start and end, whatever the window."""
    from pc_calendar.plan.load import load_plan
    from pc_calendar.render import render_parent
    from pc_calendar.schedule.window import PAD, compute_window

    minimal = Path(__file__).parents[1] / "data" / "minimal.toml"
    plan_path = tmp_path / "plan.toml"
    plan_path.write_text(
        minimal.read_text()
        + '\n[[overrides]]\nname = "Ben abroad"\nkind = "decision"\nparent = "ana"\n'
        "start = 2026-09-04T18:00:00\nend = 2027-03-23T18:00:00\n"
        'decided_by = "coordinator"\ndecided_on = 2026-08-01\n'
    )
    plan = load_plan(plan_path)
    assert (date(2027, 3, 23) - date(2026, 8, 31)).days > 2 * PAD.days
    seen = set()
    windows = [(date(2026, 12, 1), date(2027, 1, 1)), (date(2027, 2, 1), date(2027, 2, 2))]
    for first, last in windows:
        timeline = compute_window(plan, first, last)
        custody = [
            (d.uid, d.event.decoded("DTSTART"), d.event.decoded("DTEND"))
            for d in render_parent(plan, timeline, "ana", window=(first, last))
            if d.kind.endswith("custody")
        ]
        (stay,) = custody
        # Ana's rotation week before the order joins it: the run starts on its Monday
        assert stay[1] == datetime(2026, 8, 31, 18, tzinfo=ZONE)
        assert stay[2] == datetime(2027, 3, 23, 18, tzinfo=ZONE)
        seen.add(stay)
    assert len(seen) == 1  # one identity, one content, whatever the window
