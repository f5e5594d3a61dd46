"""Records built without ``__init__`` are the very objects ``__init__`` makes.

The engine builds blocks and exchanges as ``timeline.new_block``/``new_exchange`` do
(drafts with the same slots, then given their class; written out in
``handovers._shared_facts`` for every child who moves with the first), and holiday
spans through ``spans._new_span`` (speed, issue 15); consumers compare, hash, copy and
replace them like any frozen dataclass.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import UTC, datetime

import pytest

from pc_calendar.schedule.spans import ResolvedSpan, _new_span
from pc_calendar.schedule.timeline import (
    CustodyBlock,
    Exchange,
    HolidayLabel,
    Rule,
    new_block,
    new_exchange,
    new_label,
)

RULE = Rule("visit", "Wednesday dinner", "visits[0]")
AT = datetime(2027, 3, 3, 23, 0, tzinfo=UTC)
BLOCK = (AT, datetime(2027, 3, 4, 1, 30, tzinfo=UTC), "sam", RULE, ("maya",), "amendments[1]")
EXCHANGE = (
    AT,
    "alex",
    "sam",
    "curb",
    RULE,
    Rule("rotation", "2-2-3", "rotation"),
    ("maya",),
    AT,
    None,
)


@pytest.mark.parametrize(
    ("cls", "build", "args"),
    [
        (CustodyBlock, new_block, BLOCK),
        (Exchange, new_exchange, EXCHANGE),
    ],
)
def test_built_like_init(cls, build, args):
    fast, slow = build(*args), cls(*args)
    assert type(fast) is cls
    assert values(fast) == values(slow)  # with the fields equality ignores
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
    assert copy.deepcopy(fast) == slow and pickle.loads(pickle.dumps(fast)) == slow
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.children = ()  # type: ignore[misc]


def values(fact: object) -> list[object]:
    return [getattr(fact, f.name) for f in dataclasses.fields(fact)]  # type: ignore[arg-type]


def test_holiday_spans_built_like_init():
    """``spans._new_span`` (every holiday occurrence near the range) is ``ResolvedSpan``."""
    args = (RULE, 3, AT, AT, "sam", 1, "school", None, False, AT.date())
    fast, slow = _new_span(*args), ResolvedSpan(*args)
    assert type(fast) is ResolvedSpan and values(fast) == values(slow)
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert pickle.loads(pickle.dumps(fast)) == slow


def test_holiday_labels_built_like_init():
    args = ("Christmas", AT.date(), AT.date(), "sam", RULE, AT, "alex", False)
    fast, slow = new_label(*args), HolidayLabel(*args)
    assert type(fast) is HolidayLabel and values(fast) == values(slow)
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)


def test_engine_made_records_are_init_made_ones():
    """What the engine's loop builds (its own copy of the builders) equals, hashes,
    copies and pickles as ``__init__``'s records, and stays frozen."""
    from datetime import date
    from pathlib import Path

    from pc_calendar.plan.load import load_plan
    from pc_calendar.schedule.engine import compute_timeline

    example = Path(__file__).resolve().parents[2] / "examples" / "rivera-chen.toml"
    timeline = compute_timeline(load_plan(example), date(2027, 1, 1), date(2027, 4, 1))
    assert len(timeline.children) == 2  # two children moving together
    facts = []
    for child in timeline.children.values():
        assert child.blocks and child.exchanges
        assert {f.children for f in [*child.blocks, *child.exchanges]} == {(child.child,)}
        facts += [*child.blocks, *child.exchanges]
    for fact in facts:
        cls = type(fact)
        assert cls in (CustodyBlock, Exchange)
        slow = cls(*values(fact))
        assert values(fact) == values(slow)
        assert fact == slow and hash(fact) == hash(slow) and repr(fact) == repr(slow)
        assert pickle.loads(pickle.dumps(fact)) == slow
        with pytest.raises(dataclasses.FrozenInstanceError):
            fact.children = ()  # type: ignore[misc]
