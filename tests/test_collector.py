"""The collector pause: counted across threads, and never switching on what was off."""

from __future__ import annotations

import gc
import threading
from datetime import date
from pathlib import Path

import pytest

from pc_calendar import collector
from pc_calendar.plan.load import load_plan
from pc_calendar.schedule.engine import compute_timeline

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rivera-chen.toml"


@pytest.fixture(autouse=True)
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_inside_and_back_after():
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():  # nested (lint computes timelines inside a pause)
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner end does not resume it
    assert gc.isenabled()


def test_back_after_an_exception():
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_caller_that_switched_it_off_keeps_it_off():
    gc.disable()
    with collector.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_overlapping_threads_resume_it_when_the_last_one_ends():
    """Thread A pauses, B pauses, A ends (still paused: B works), B ends (resumed)."""
    a_in, b_in, a_out, b_may_end = (threading.Event() for _ in range(4))
    seen: dict[str, bool] = {}

    def first() -> None:
        with collector.paused():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def second() -> None:
        a_in.wait(5)
        with collector.paused():
            b_in.set()
            a_out.wait(5)
            seen["after A ended, while B works"] = gc.isenabled()
            b_may_end.wait(5)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    a_out.wait(5)
    b_may_end.set()
    for t in threads:
        t.join(5)
    assert seen == {"after A ended, while B works": False}
    assert gc.isenabled()


def test_the_engine_works_paused_and_resumes(monkeypatch):
    """The engine's work (here, building its context and painting) runs paused."""
    from pc_calendar.schedule import engine

    plan = load_plan(EXAMPLE)
    seen: list[bool] = []
    build, paint = engine.EngineContext.build, engine.paint_versions

    def watched_build(*args, **kwargs):
        seen.append(gc.isenabled())
        return build(*args, **kwargs)

    def watched_paint(*args, **kwargs):
        seen.append(gc.isenabled())
        return paint(*args, **kwargs)

    monkeypatch.setattr(engine.EngineContext, "build", watched_build)
    monkeypatch.setattr(engine, "paint_versions", watched_paint)
    timeline = compute_timeline(plan, date(2027, 1, 1), date(2027, 3, 1))
    assert sum(len(c.blocks) for c in timeline.children.values()) > 20
    assert seen and not any(seen)
    assert gc.isenabled()
