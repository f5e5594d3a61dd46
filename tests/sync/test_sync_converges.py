"""Whatever happened before (plan changes, parent edits, crashes, lost state), one
plan-wins sync leaves exactly the desired events, and the parent's own untouched."""

from __future__ import annotations

import contextlib
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sync_helpers import FAMILY, ZONE, Syncer, edited_body, make_event

from pc_calendar.backends.memory import Crash, MemoryBackend

POOL = [
    [make_event(f"k{i}", datetime(2026, 12, 1 + i, 18, tzinfo=ZONE), f"v{v} {i}") for v in (0, 1)]
    for i in range(10)
]
FOREIGN = make_event(
    "own", datetime(2026, 12, 5, 9, tzinfo=ZONE), "Mine", marker=False, uid="own@example.org"
)

step = st.tuples(
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 1)), max_size=10),  # desired
    st.sampled_from(["none", "edit", "delete", "lose-state"]),  # what happens before
    st.integers(0, 9),  # which event the parent touches
    st.one_of(st.none(), st.integers(1, 6)),  # crash after N writes
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    tokens=st.booleans(),
    omit=st.booleans(),
    in_flight=st.sampled_from([1, 4]),  # one write at a time, or several (sync.concurrent)
    steps=st.lists(step, min_size=1, max_size=5),
)
def test_any_history_converges(tmp_path_factory, tokens, omit, in_flight, steps):
    tmp = tmp_path_factory.mktemp("conv")
    backend = MemoryBackend(FAMILY, tokens=tokens)
    backend.omit_transient = omit
    backend.max_in_flight = in_flight
    backend.put_foreign("own.ics", FOREIGN.ical)
    syncer = Syncer(tmp, backend)
    desired = []
    for picks, before, touch, crash in steps:
        victim = POOL[touch][0]
        href = f"{victim.uid}.ics"
        if before == "edit" and href in backend.objects:
            backend.edit(href, edited_body(victim, "parent"))
        elif before == "delete" and href in backend.objects:
            backend.remove(href)
        elif before == "lose-state" and syncer.state_path.exists():
            syncer.state_path.unlink()
        desired = list({i: POOL[i][v] for i, v in picks}.values())
        if crash is not None:
            backend.fail_after_writes = backend.writes + crash
            with contextlib.suppress(Crash):
                syncer.run(desired, yes=True)
            backend.fail_after_writes = None
        summary = syncer.run(desired, yes=True)
        assert summary.ok, summary.problems
        ours = {h: b for h, (b, _) in backend.objects.items() if h != "own.ics"}
        assert sorted(ours.values()) == sorted(d.ical for d in desired)
        assert backend.objects["own.ics"][0] == FOREIGN.ical
        again = syncer.run(desired, yes=True)
        assert again.writes == 0 and again.conflicts == []
