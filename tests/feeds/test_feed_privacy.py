"""Each feed shows only what its recipient may see, checked through the server."""

from __future__ import annotations

import icalendar
import pytest
from feed_helpers import Served

NOTE = "Alex travels for work"
SAM_ZONE = "America/Denver"  # Sam's own time zone: a field of Sam's, not Alex's


@pytest.fixture
def served(shared_served: Served) -> Served:
    return shared_served  # these tests only read


def _events(body: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def test_a_parents_feed_has_only_their_family_and_chosen_kinds(served: Served) -> None:
    events = _events(served.get("alex").body)
    assert events
    assert {str(e["X-PC-CALENDAR-FAMILY"]) for e in events} == {"rivera-chen"}
    # Alex chose own custody, exchanges and holidays; not Sam's custody.
    assert {str(e["X-PC-CALENDAR-KIND"]) for e in events} <= {
        "own_custody",
        "exchanges",
        "holidays",
    }
    assert "own_custody" in {str(e["X-PC-CALENDAR-KIND"]) for e in events}


def test_a_parents_feed_never_carries_coordinator_notes_or_the_other_parents_fields(
    served: Served,
) -> None:
    alex = served.get("alex").body
    sam = served.get("sam").body
    for body in (alex, sam):
        assert NOTE.encode() not in body
        assert b"coordinator note" not in body
    assert SAM_ZONE.encode() not in alex  # Sam's zone only appears to Sam
    assert SAM_ZONE.encode() in sam
    assert b"TRIGGER:-PT2H" not in alex  # Sam's reminder setting
    assert b"TRIGGER:-PT1H" not in sam  # Alex's
    # The swap itself is visible to both parents, only the note is private.
    assert b"swap agreed by" in alex and b"swap agreed by" in sam


def test_same_parent_id_in_another_family_gets_that_familys_feed(served: Served) -> None:
    other = _events(served.get("other-alex").body)
    assert {str(e["X-PC-CALENDAR-FAMILY"]) for e in other} == {"okafor-lind"}
    assert served.get("other-alex").body != served.get("alex").body


def test_coordinator_feed_spans_every_family_with_notes(served: Served) -> None:
    body = served.get("coordinator").body
    events = _events(body)
    families = {str(e["X-PC-CALENDAR-FAMILY"]) for e in events}
    assert families == {"rivera-chen", "okafor-lind"}
    assert body.count(NOTE.encode()) >= 2  # the note, in each family's swap
    assert b"coordinator note" in body
    summaries = [str(e["SUMMARY"]) for e in events]
    assert any(s.startswith("[Rivera-Chen family] ") for s in summaries)
    assert any(s.startswith("[Okafor-Lind family] ") for s in summaries)
    # Every kind is there, including both parents' custody.
    assert {str(e["X-PC-CALENDAR-KIND"]) for e in events} >= {"custody", "exchanges", "holidays"}
    per_family = len(_events(served.app.cache.feed("rivera-chen", "sam").body))
    assert len(events) >= per_family
    # One VTIMEZONE per zone, even though both families use it.
    cal = icalendar.Calendar.from_ical(body)
    tzids = [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
    assert len(tzids) == len(set(tzids)) and "America/Chicago" in tzids
