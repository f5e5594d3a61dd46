"""The stamp rules of the CalDAV quick check, without a server (see caldav_stamp)."""

from __future__ import annotations

import pytest

from pc_calendar.backends.caldav_stamp import (
    MARGIN,
    REVERIFY,
    DavToken,
    LastModified,
    http_date,
)

T = 1_800_000_000  # some server time, epoch seconds


def trusted(stamp: int = T, verified: int = T + MARGIN) -> DavToken:
    return DavToken("sync:abc", stamp=stamp, verified_at=verified, trust=True)


def test_plain_and_unreadable_tokens() -> None:
    assert DavToken.decode(None) == DavToken()
    assert DavToken.decode("sync:http://x/1") == DavToken(authority="sync:http://x/1")
    assert DavToken.decode("ctag:7").authority == "ctag:7"
    assert DavToken.decode("dav:{not json") == DavToken()  # lists everything, like no state
    assert DavToken.decode('dav:{"s": 1}') == DavToken()


def test_round_trip() -> None:
    token = DavToken("sync:abc", T, T + 5, True, False, T - 9, True)
    assert DavToken.decode(token.encode()) == token
    assert DavToken().encode() is None


def test_a_stamp_needs_margin_from_the_server_clock() -> None:
    assert LastModified(T, T + MARGIN).safe_stamp() == T
    assert LastModified(T, T + MARGIN - 1).safe_stamp() is None
    assert LastModified(T, T).safe_stamp() is None


def test_unchanged_only_when_trusted_equal_and_recent() -> None:
    seen = LastModified(T, T + 60)
    assert trusted().unchanged_at(seen)
    assert not trusted().unchanged_at(LastModified(T + 1, T + 60))  # moved
    assert not trusted().unchanged_at(None)
    assert not DavToken("sync:abc", T, T + MARGIN, None).unchanged_at(seen)  # trust unknown
    assert not DavToken("sync:abc", None, T + MARGIN, True).unchanged_at(seen)  # no stamp
    late = LastModified(T, T + MARGIN + REVERIFY)
    assert not trusted().unchanged_at(late)  # a day on: ask the sync token again
    assert not trusted().unchanged_at(LastModified(T, T - 5))  # server clock went back


def test_a_change_that_left_last_modified_put_ends_trust() -> None:
    token = trusted()
    stayed = token.after_listing(LastModified(T, T + 90), "sync:new", changed=True)
    assert stayed.trust is False and not stayed.asks_last_modified
    moved = token.after_listing(LastModified(T + 30, T + 90), "sync:new", changed=True)
    assert moved.trust is True and moved.stamp == T + 30 and moved.verified_at == T + 90
    quiet = DavToken("sync:a", T, T + 9, None).after_listing(
        LastModified(T, T + 90), "sync:b", changed=False
    )
    assert quiet.trust is None and quiet.stamp == T


def test_trust_is_learnt_from_our_own_writes() -> None:
    before = LastModified(T, T + MARGIN)  # safe
    written = DavToken("sync:a").after_writes("sync:b", before)
    assert (written.stamp, written.before_writes, written.before_writes_safe) == (None, T, True)
    moved = written.after_listing(LastModified(T + 4, T + 10), "sync:b", changed=False)
    assert moved.trust is True
    stayed = written.after_listing(LastModified(T, T + 10), "sync:b", changed=False)
    assert stayed.trust is False
    unsafe = DavToken("sync:a").after_writes("sync:b", LastModified(T, T))
    assert unsafe.after_listing(LastModified(T, T + 10), "sync:b", False).trust is None


def test_a_server_without_last_modified_is_not_asked_again() -> None:
    token = DavToken("sync:a").after_listing(None, "sync:b", changed=False)
    assert token.unsupported and not token.asks_last_modified
    assert DavToken.decode(token.encode()).unsupported


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, 25 Nov 2026 15:11:03 GMT", 1795619463),
        ("garbage", None),
        ("", None),
        (None, None),
        ("Wed, 25 Nov 2026 15:11:03", None),  # no zone: not comparable
    ],
)
def test_http_date(text, expected) -> None:
    assert http_date(text) == expected
