"""Date-rule options share an occurrence cache key only when they are the same options.

``EngineContext.occurrences`` keys what it computed (and, for context-free rules, what
every run may reuse) by ``key_of(options)``: a key that two different options shared
would hand one holiday another's dates.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import IntEnum

import pytest

from pc_calendar.schedule.context import key_of


class Month(IntEnum):
    NOVEMBER = 11


def test_the_same_options_in_any_order_share_a_key():
    a = {"month": 11, "weekday": "thursday", "n": 4}
    b = {"n": 4, "weekday": "thursday", "month": 11}
    assert key_of(a) == key_of(b) and hash(key_of(a)) == hash(key_of(b))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ({"n": 1}, {"n": True}),
        ({"n": 1}, {"n": 1.0}),
        ({"offset": 0.0}, {"offset": -0.0}),
        ({"month": 11}, {"month": Month.NOVEMBER}),
        ({"on": date(2027, 1, 1)}, {"on": datetime(2027, 1, 1)}),
        ({"at": time(0, 0)}, {"at": None}),
        ({"names": ["a", "b"]}, {"names": ("a", "b")}),
        ({"month": 11}, {"month": "11"}),
        ({"month": 11}, {"month": 11, "day": 1}),
    ],
)
def test_different_options_never_share_a_key(one, other):
    assert key_of(one) != key_of(other)


def test_unhashable_options_are_keyed_by_repr():
    key = key_of({"names": ["Spring Break"], "n": 1})
    assert key == repr([("n", 1), ("names", ["Spring Break"])])
    hash(key)
