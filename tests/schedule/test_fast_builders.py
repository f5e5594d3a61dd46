"""Blocks and exchanges built without ``__init__`` are the very objects ``__init__`` makes.

The engine builds them through ``timeline.new_block``/``new_exchange`` and copies a
sibling's through ``handovers._for_children`` (speed, issue 15); consumers compare,
hash, copy and replace them like any frozen dataclass.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import UTC, datetime

import pytest

from pc_calendar.schedule.handovers import _for_children
from pc_calendar.schedule.timeline import CustodyBlock, Exchange, Rule, new_block, new_exchange

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
    ("cls", "build", "args"), [(CustodyBlock, new_block, BLOCK), (Exchange, new_exchange, EXCHANGE)]
)
def test_built_like_init(cls, build, args):
    fast, slow = build(*args), cls(*args)
    assert type(fast) is cls
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
    assert copy.deepcopy(fast) == slow and pickle.loads(pickle.dumps(fast)) == slow
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.children = ()  # type: ignore[misc]
    copied = _for_children(fast, ("leo",))
    assert copied == dataclasses.replace(slow, children=("leo",))
    assert fast.children == ("maya",)  # the original is untouched
