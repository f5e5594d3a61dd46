"""The no-op fast path: same inputs and no change on the server -> nothing is rendered."""

from __future__ import annotations

import pytest
from sync_helpers import FAMILY, KEY, Syncer, edited_body, exchanges

from pc_calendar.backends.memory import Crash, MemoryBackend
from pc_calendar.sync.runner import sync_calendar
from pc_calendar.sync.state import StateStore

DAYS = [1, 3, 8, 10, 15, 17]


class Renders:
    """A desired-events callable that counts how often the engine asked for it."""

    def __init__(self, desired):
        self.desired = desired
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.desired


def run(syncer, desired, fingerprint, **changes):
    options = syncer.options(**changes)
    with StateStore(syncer.state_path, readonly=options.dry_run) as store:
        return sync_calendar(
            syncer.backend, desired, store, KEY, options, "alex", fingerprint=fingerprint
        )


def converged(tmp_path, tokens=True):
    syncer = Syncer(tmp_path, MemoryBackend(FAMILY, tokens=tokens))
    desired = exchanges(DAYS)
    run(syncer, Renders(desired), "inputs-1")  # first push
    run(syncer, Renders(desired), "inputs-1")  # learns the token after its own writes
    return syncer, desired


def test_same_inputs_and_no_server_change_render_nothing(tmp_path):
    syncer, desired = converged(tmp_path)
    renders = Renders(desired)
    writes = syncer.backend.writes
    summary = run(syncer, renders, "inputs-1")
    assert renders.calls == 0
    assert summary.ok and summary.requests == 1
    assert (summary.created, summary.updated, summary.deleted, summary.unchanged) == (0, 0, 0, 6)
    assert syncer.backend.writes == writes


def test_changed_inputs_render_and_sync(tmp_path):
    syncer, _ = converged(tmp_path)
    after = exchanges(DAYS[:-1] + [29])
    renders = Renders(after)
    summary = run(syncer, renders, "inputs-2", yes=True)
    assert renders.calls == 1
    assert (summary.created, summary.deleted) == (1, 1)
    assert syncer.uids() == sorted(d.uid for d in after)


def test_a_parent_edit_is_seen_and_restored_despite_same_inputs(tmp_path):
    syncer, desired = converged(tmp_path)
    victim = desired[2]
    syncer.backend.edit(f"{victim.uid}.ics", edited_body(victim, "Renamed by parent"))
    renders = Renders(desired)
    summary = run(syncer, renders, "inputs-1")
    assert renders.calls == 1
    assert summary.updated == 1 and len(summary.conflicts) == 1
    body = syncer.backend.objects[f"{victim.uid}.ics"][0]
    assert body == victim.ical


def test_without_change_tokens_there_is_no_fast_path(tmp_path):
    syncer, desired = converged(tmp_path, tokens=False)
    renders = Renders(desired)
    run(syncer, renders, "inputs-1")
    assert renders.calls == 1


def test_a_run_that_crashed_midway_does_not_leave_a_fingerprint(tmp_path):
    syncer, _ = converged(tmp_path)
    after = exchanges([2, 4, 9, 11])
    syncer.backend.fail_after_writes = syncer.backend.writes + 2
    with pytest.raises(Crash):
        run(syncer, Renders(after), "inputs-2", yes=True)
    syncer.backend.fail_after_writes = None
    with StateStore(syncer.state_path) as store:
        assert store.load(KEY).fingerprint is None
    renders = Renders(after)
    run(syncer, renders, "inputs-2", yes=True)
    assert renders.calls == 1
    assert syncer.uids() == sorted(d.uid for d in after)


def test_dry_run_never_stores_a_fingerprint(tmp_path):
    syncer = Syncer(tmp_path, MemoryBackend(FAMILY))
    run(syncer, Renders(exchanges(DAYS)), "inputs-1", dry_run=True)
    assert (
        not syncer.state_path.exists()
        or StateStore(syncer.state_path).load(KEY).fingerprint is None
    )


def test_cli_no_op_renders_nothing_once_converged(tmp_path, monkeypatch):
    """The README's main job, run again and again: the third run renders no event."""
    import shutil
    from pathlib import Path

    import pc_calendar.render as render
    from pc_calendar.cli import main

    plan = tmp_path / "plan.toml"
    shutil.copy(Path(__file__).parents[2] / "examples" / "rivera-chen.toml", plan)
    monkeypatch.setenv("PC_CALENDAR_PLUGINS", "none")
    args = ["sync", str(plan), "--state", str(tmp_path / "state.sqlite")]
    args += ["--from", "2026-11-01", "--to", "2027-03-01"]
    calls = []
    real = render.render_parent

    def counting(*a, **k):
        calls.append(a[2])
        return real(*a, **k)

    monkeypatch.setattr(render, "render_parent", counting)
    for _ in range(2):  # push, then learn the folder's token after our own writes
        try:
            main(args)
        except SystemExit as exc:
            assert exc.code in (0, None)
    calls.clear()
    try:
        main(args)
    except SystemExit as exc:
        assert exc.code in (0, None)
    assert calls == []
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["alex", "sam"]
