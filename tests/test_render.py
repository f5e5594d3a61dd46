"""Rendering hand-built Timelines into RFC 5545 events, parsed back with icalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from pc_calendar import hookimpl, identity
from pc_calendar.errors import PluginError, UserError
from pc_calendar.plan.model import Plan
from pc_calendar.plugins import build_plugin_manager
from pc_calendar.render import (
    EXCHANGE_MINUTES,
    EventInfo,
    custody_runs,
    render_calendar,
    render_parent,
    text,
)
from pc_calendar.schedule.timeline import (
    ChildTimeline,
    CustodyBlock,
    Exchange,
    HolidayLabel,
    Rule,
    Timeline,
)

CHICAGO = ZoneInfo("America/Chicago")
EPOCH = 1767225600  # 2026-01-01T00:00:00Z
ROT = Rule("rotation", "2-2-5-5", "rotation")
THANKS = Rule("holiday", "Thanksgiving", "holidays[0]", "Tex. Fam. Code 153.314(5)")
SWAP = Rule("override", "Alex's work trip", "overrides[0]")
VISIT = Rule("visit", "Grandma's lunch", "visits[0]")
NOTE = "Alex travels for work; private coordinator note"


def make_plan(zone: str = "America/Chicago", **parents: dict) -> Plan:
    base = {
        "alex": {"name": "Alex Rivera", "email": "alex@example.org", "reminder_minutes": 60},
        "sam": {
            "name": "Sam Chen",
            "email": "sam@example.org",
            "timezone": "America/Denver",
            "events": ["own_custody", "other_custody", "exchanges", "holidays"],
            "reminder_minutes": 120,
        },
    }
    base.update(parents)
    return Plan.model_validate(
        {
            "family": {"id": "rivera-chen", "name": "Rivera-Chen family", "timezone": zone},
            "parents": base,
            "children": [
                {"id": "maya", "name": "Maya", "birth_date": "2016-04-12"},
                {"id": "leo", "name": "Leo", "birth_date": "2019-09-03"},
            ],
            "locations": {
                "school": {"name": "Lincoln Elementary", "address": "100 Example Ave, Austin TX"},
                "curb": {"name": "Curbside at Alex's home"},
            },
            "rotation": {"pattern": "2-2-5-5", "anchor": "2026-01-05"},
            "overrides": [
                {
                    "name": "Alex's work trip",
                    "start": "2026-11-29T18:00:00",
                    "end": "2026-12-01T00:00:00",
                    "parent": "alex",
                    "agreed_by": ["alex", "sam"],
                    "decided_on": "2026-11-20",
                    "note": NOTE,
                }
            ],
        }
    )


def at(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)


def changes_timeline(
    child: str,
    zone: ZoneInfo,
    first: str,
    changes: list[tuple[datetime, str, Rule, str | None]],
    start: date,
    end: date,
) -> ChildTimeline:
    """Contiguous blocks from ``start`` to ``end`` midnight with an exchange at each change."""
    edges = [at(zone, start.year, start.month, start.day)]
    parents, rules, places = [first], [ROT], [None]
    for moment, parent, rule, place in changes:
        edges.append(moment)
        parents.append(parent)
        rules.append(rule)
        places.append(place)
    edges.append(at(zone, end.year, end.month, end.day))
    blocks = [
        CustodyBlock(edges[i], edges[i + 1], parents[i], rules[i], (child,))
        for i in range(len(parents))
    ]
    exchanges = [
        Exchange(
            edges[i],
            parents[i - 1],
            parents[i],
            places[i],
            rules[i],
            rules[i - 1],
            (child,),
            edges[i].astimezone(zone),
        )
        for i in range(1, len(parents))
        if parents[i] != parents[i - 1]
    ]
    return ChildTimeline(child, blocks, exchanges)


def november(zone: ZoneInfo = CHICAGO, leo_changes=None) -> Timeline:
    """20 Nov - 1 Dec 2026: rotation, Thanksgiving to Alex, then a swap (same parent)."""
    common = [
        (at(zone, 2026, 11, 23, 15), "sam", ROT, "school"),
        (at(zone, 2026, 11, 25, 18), "alex", THANKS, "curb"),
        (at(zone, 2026, 11, 29, 18), "alex", SWAP, None),
    ]
    start, end = date(2026, 11, 20), date(2026, 12, 1)
    children = {
        "maya": changes_timeline("maya", zone, "alex", common, start, end),
        "leo": changes_timeline("leo", zone, "alex", leo_changes or common, start, end),
    }
    labels = [HolidayLabel("Thanksgiving", date(2026, 11, 26), date(2026, 11, 26), "alex", THANKS)]
    return Timeline("rivera-chen", zone, start, end, children, labels)


@pytest.fixture(autouse=True)
def pinned_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def events_of(data: bytes) -> list[icalendar.Event]:
    return list(parse(data).walk("VEVENT"))


def by_kind(data: bytes) -> dict[str, list[icalendar.Event]]:
    out: dict[str, list[icalendar.Event]] = {}
    for ev in events_of(data):
        out.setdefault(str(ev[identity.KIND_PROP]), []).append(ev)
    return out


# --- structure -------------------------------------------------------------------------


def test_calendar_structure_is_rfc5545() -> None:
    data = render_calendar(make_plan(), november(), "sam")
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded content lines
    cal = parse(data)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["PRODID"]).startswith("-//pc-calendar")
    used = {
        str(ev[p].params["TZID"])
        for ev in cal.walk("VEVENT")
        for p in ("DTSTART", "DTEND")
        if "TZID" in ev[p].params
    }
    assert used == {"America/Chicago"}
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == used
    assert cal.walk("VTIMEZONE")[0].walk("DAYLIGHT")  # the zone's DST rule is described
    for ev in cal.walk("VEVENT"):
        for prop in (
            "UID",
            "DTSTAMP",
            "DTSTART",
            "DTEND",
            "SUMMARY",
            "DESCRIPTION",
            identity.OWNER_PROP,
            identity.HASH_PROP,
            identity.KIND_PROP,
        ):
            assert prop in ev, prop
        assert ev.decoded("DTSTAMP") == datetime.fromtimestamp(EPOCH, UTC)
        assert str(ev[identity.OWNER_PROP]) == "rivera-chen"
        assert identity.is_ours(ev, "rivera-chen")
        assert identity.content_hash(ev) == str(ev[identity.HASH_PROP])
    assert len({str(ev["UID"]) for ev in cal.walk("VEVENT")}) == len(cal.walk("VEVENT"))


def test_timed_events_carry_the_family_zone_and_holidays_are_all_day() -> None:
    kinds = by_kind(render_calendar(make_plan(), november(), "sam"))
    exchange = kinds["exchanges"][0]
    start = exchange.decoded("DTSTART")
    assert start == datetime(2026, 11, 23, 15, tzinfo=CHICAGO)
    assert str(exchange["DTSTART"].params["TZID"]) == "America/Chicago"
    assert exchange.decoded("DTEND") - start == timedelta(minutes=EXCHANGE_MINUTES)
    (holiday,) = kinds["holidays"]
    assert holiday["DTSTART"].params["VALUE"] == "DATE"
    assert holiday.decoded("DTSTART") == date(2026, 11, 26)
    assert holiday.decoded("DTEND") == date(2026, 11, 27)  # exclusive end of a one-day label
    assert str(holiday["TRANSP"]) == "TRANSPARENT"


def test_utc_family_needs_no_vtimezone() -> None:
    zone = ZoneInfo("UTC")
    data = render_calendar(make_plan("UTC"), november(zone), "alex")
    assert not parse(data).walk("VTIMEZONE")
    assert b"DTSTART:20261123T150000Z" in data


def test_dst_day_exchange_keeps_local_wall_time() -> None:
    zone = CHICAGO
    changes = [(at(zone, 2026, 3, 8, 18), "sam", ROT, "curb")]  # first day of CDT
    tl = Timeline(
        "rivera-chen",
        zone,
        date(2026, 3, 6),
        date(2026, 3, 11),
        {
            c: changes_timeline(c, zone, "alex", changes, date(2026, 3, 6), date(2026, 3, 11))
            for c in ("maya", "leo")
        },
        [],
    )
    (ex,) = by_kind(render_calendar(make_plan(), tl, "alex"))["exchanges"]
    assert ex.decoded("DTSTART") == datetime(2026, 3, 8, 18, tzinfo=zone)
    assert ex.decoded("DTSTART").astimezone(UTC) == datetime(2026, 3, 8, 23, tzinfo=UTC)
    assert "Exchange 18:00 CDT" in str(ex["SUMMARY"])


# --- content ---------------------------------------------------------------------------


def test_consecutive_blocks_of_one_parent_merge_into_one_run() -> None:
    runs = custody_runs(november())
    assert [(r.parent, r.children) for r in runs] == [
        ("alex", ("leo", "maya")),
        ("sam", ("leo", "maya")),
        ("alex", ("leo", "maya")),
    ]
    last = runs[-1]
    assert (last.start, last.end) == (at(CHICAGO, 2026, 11, 25, 18), at(CHICAGO, 2026, 12, 1))
    assert [seg[2] for seg in last.segments] == [THANKS, SWAP]
    own = by_kind(render_calendar(make_plan(), november(), "alex"))["own_custody"]
    assert [str(ev["SUMMARY"]) for ev in own] == ["Maya & Leo with Alex"] * 2
    desc = str(own[1]["DESCRIPTION"])
    assert "holiday 'Thanksgiving' (holidays[0]) [Tex. Fam. Code 153.314(5)]" in desc
    assert "swap agreed by Alex Rivera and Sam Chen on 2026-11-20" in desc


def test_children_who_do_not_move_together_get_their_own_events() -> None:
    leo = [(at(CHICAGO, 2026, 11, 23, 15), "sam", ROT, "school")]  # Leo stays with Sam
    kinds = by_kind(render_calendar(make_plan(), november(leo_changes=leo), "sam"))
    summaries = [str(ev["SUMMARY"]) for ev in kinds["own_custody"] + kinds["other_custody"]]
    assert sorted(summaries) == [
        "Leo with Sam",
        "Maya & Leo with Alex",
        "Maya with Alex",
        "Maya with Sam",
    ]
    exchanges = [str(ev["SUMMARY"]) for ev in kinds["exchanges"]]
    assert exchanges == [
        "Exchange 14:00 MST: Alex → Sam (Maya, Leo) at Lincoln Elementary",
        "Exchange 17:00 MST: Sam → Alex (Maya) at Curbside at Alex's home",
    ]


def test_exchange_titles_give_the_readers_clock_and_name_it() -> None:
    """The title matches where the reader's calendar shows the event: Alex (family
    zone) and the coordinator see Chicago time, Sam (Denver) sees Denver time; the
    zone is named, so a parent reading on a trip is not misled."""
    titles = {
        who: str(by_kind(render_calendar(make_plan(), november(), who))["exchanges"][0]["SUMMARY"])
        for who in ("alex", "sam", None)
    }
    assert titles["alex"].startswith("Exchange 15:00 CST: Alex → Sam")
    assert titles[None].startswith("Exchange 15:00 CST: Alex → Sam")
    assert titles["sam"].startswith("Exchange 14:00 MST: Alex → Sam")
    sam = by_kind(render_calendar(make_plan(), november(), "sam"))["exchanges"][0]
    assert "on Mon 23 Nov 2026 15:00 (America/Chicago)" in str(sam["DESCRIPTION"])
    assert str(sam.walk("VALARM")[0]["DESCRIPTION"]) == titles["sam"]


@pytest.mark.parametrize(
    "zone, moment, shown",
    [
        ("America/Sao_Paulo", datetime(2026, 1, 10, 21, tzinfo=UTC), "18:00 UTC-3"),
        ("Asia/Kathmandu", datetime(2026, 1, 10, 12, 15, tzinfo=UTC), "18:00 UTC+5:45"),
        ("Europe/London", datetime(2026, 7, 10, 17, tzinfo=UTC), "18:00 BST"),
        ("Australia/Sydney", datetime(2026, 1, 10, 7, tzinfo=UTC), "18:00 AEDT"),
    ],
)
def test_zones_without_letters_are_named_by_offset(zone, moment, shown) -> None:
    assert text.clock_and_zone(moment.astimezone(ZoneInfo(zone))) == shown


def test_each_parent_gets_the_kinds_they_chose() -> None:
    alex = by_kind(render_calendar(make_plan(), november(), "alex"))
    sam = by_kind(render_calendar(make_plan(), november(), "sam"))
    assert set(alex) == {"own_custody", "exchanges", "holidays"}
    assert set(sam) == {"own_custody", "other_custody", "exchanges", "holidays"}
    assert [str(e["SUMMARY"]) for e in sam["other_custody"]] == ["Maya & Leo with Alex"] * 2
    plan = make_plan(alex={"name": "Alex Rivera", "events": ["exchanges"]})
    only = by_kind(render_calendar(plan, november(), "alex"))
    assert set(only) == {"exchanges"}


def test_exchange_summary_location_and_reminders() -> None:
    sam = by_kind(render_calendar(make_plan(), november(), "sam"))["exchanges"]
    first = sam[0]
    assert (
        str(first["SUMMARY"]) == "Exchange 14:00 MST: Alex → Sam (Maya, Leo) at Lincoln Elementary"
    )
    assert str(first["LOCATION"]) == "Lincoln Elementary, 100 Example Ave, Austin TX"
    (alarm,) = first.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-120)
    alex = by_kind(render_calendar(make_plan(), november(), "alex"))["exchanges"]
    assert alex[0].walk("VALARM")[0].decoded("TRIGGER") == timedelta(minutes=-60)
    for minutes in (0, None):
        plan = make_plan(alex={"name": "Alex Rivera", "reminder_minutes": minutes})
        quiet = by_kind(render_calendar(plan, november(), "alex"))["exchanges"]
        assert all(not ev.walk("VALARM") for ev in quiet)


def test_exchanges_only_for_parents_who_take_part() -> None:
    grandma = {"name": "Rosa Rivera", "events": ["own_custody", "exchanges"]}
    changes = [
        (at(CHICAGO, 2026, 11, 21, 11), "rosa", VISIT, "curb"),
        (at(CHICAGO, 2026, 11, 21, 14), "alex", VISIT, "curb"),
        (at(CHICAGO, 2026, 11, 23, 15), "sam", ROT, "school"),
    ]
    start, end = date(2026, 11, 20), date(2026, 11, 25)
    tl = Timeline(
        "rivera-chen",
        CHICAGO,
        start,
        end,
        {c: changes_timeline(c, CHICAGO, "alex", changes, start, end) for c in ("maya", "leo")},
        [],
    )
    plan = make_plan(rosa=grandma)
    count = {
        who: len(by_kind(render_calendar(plan, tl, who)).get("exchanges", []))
        for who in ("alex", "sam", "rosa")
    }
    assert count == {"alex": 3, "sam": 1, "rosa": 2}
    family = by_kind(render_calendar(plan, tl, None))
    assert len(family["exchanges"]) == 3
    assert all(not ev.walk("VALARM") for ev in family["exchanges"])
    assert set(family) == {"custody", "exchanges"}


def test_parent_in_another_zone_sees_local_time() -> None:
    sam = by_kind(render_calendar(make_plan(), november(), "sam"))["exchanges"][0]
    assert "Your local time (America/Denver): Mon 23 Nov 2026 14:00" in str(sam["DESCRIPTION"])
    alex = by_kind(render_calendar(make_plan(), november(), "alex"))["exchanges"][0]
    assert "local time" not in str(alex["DESCRIPTION"])
    family = by_kind(render_calendar(make_plan(), november(), None))["exchanges"][0]
    assert "Sam Chen's local time (America/Denver)" in str(family["DESCRIPTION"])


def test_privacy_no_emails_and_no_coordinator_notes_for_parents() -> None:
    for parent in ("alex", "sam"):
        data = render_calendar(make_plan(), november(), parent)
        assert b"@example.org" not in data
        assert b"private coordinator note" not in data.replace(b"\r\n ", b"")
        for ev in render_parent(make_plan(), november(), parent):
            assert b"@example.org" not in ev.ical
    family = render_calendar(make_plan(), november(), None).replace(b"\r\n ", b"")
    assert b"@example.org" not in family
    assert NOTE.encode() in family.replace(b"\\;", b";")


def test_holiday_labels_from_several_schedules_become_one_event() -> None:
    tl = november()
    tl.holidays.append(
        HolidayLabel(
            "Thanksgiving",
            date(2026, 11, 26),
            date(2026, 11, 26),
            "sam",
            Rule("holiday", "Thanksgiving", "schedules.teen"),
        )
    )
    (holiday,) = by_kind(render_calendar(make_plan(), tl, "alex"))["holidays"]
    assert "Assigned by the plan to Alex Rivera and Sam Chen" in str(holiday["DESCRIPTION"])


# --- identity, hashing, determinism ------------------------------------------------------


def test_uids_are_functions_of_the_thing() -> None:
    events: dict = {}
    for e in render_parent(make_plan(), november(), "sam"):
        events.setdefault(e.kind, e)  # the first of each kind
    ex = events["exchanges"]
    assert ex.natural_key == "2026-11-23T1500-alex-sam|leo,maya"
    assert ex.uid == identity.uid_for("rivera-chen", "exchange", ex.natural_key)
    holiday = events["holidays"]
    assert holiday.uid == identity.uid_for("rivera-chen", "holiday", "Thanksgiving|2026-11-26")
    custody = events["own_custody"]
    assert custody.natural_key == "sam|leo,maya|2026-11-23T21:00:00+00:00"
    # the same custody run is the same event in both parents' calendars
    alex_other = by_kind(render_calendar(make_plan(), november(), "sam"))["other_custody"]
    alex_own = by_kind(render_calendar(make_plan(), november(), "alex"))["own_custody"]
    assert [str(e["UID"]) for e in alex_other] == [str(e["UID"]) for e in alex_own]


def test_same_input_same_bytes_and_dtstamp_outside_the_hash(monkeypatch) -> None:
    first = render_calendar(make_plan(), november(), "sam")
    assert render_calendar(make_plan(), november(), "sam") == first
    hashes = [e.content_hash for e in render_parent(make_plan(), november(), "sam")]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 86400))
    later = render_calendar(make_plan(), november(), "sam")
    assert later != first and b"DTSTAMP:20260102T000000Z" in later
    assert [e.content_hash for e in render_parent(make_plan(), november(), "sam")] == hashes


def test_dtstamp_defaults_to_now_and_rejects_garbage(monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = events_of(render_calendar(make_plan(), november(), "alex"))[0].decoded("DTSTAMP")
    assert before <= stamp <= datetime.now(UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UserError, match="SOURCE_DATE_EPOCH"):
        render_parent(make_plan(), november(), "alex")


def test_a_plan_change_changes_the_hash_not_the_uid() -> None:
    before = {e.uid: e.content_hash for e in render_parent(make_plan(), november(), "sam")}
    plan = make_plan()
    moved = plan.model_copy(
        update={
            "locations": {
                **plan.locations,
                "school": plan.locations["school"].model_copy(
                    update={"address": "200 Other St, Austin TX"}
                ),
            }
        }
    )
    after = {e.uid: e.content_hash for e in render_parent(moved, november(), "sam")}
    assert set(after) == set(before)
    changed = {uid for uid in before if before[uid] != after[uid]}
    assert len(changed) == 1 and changed.pop().startswith("exchange-")


def test_events_are_sorted_by_start() -> None:
    events = render_parent(make_plan(), november(), "sam")
    starts = [e.event.decoded("DTSTART") for e in events]
    keys = [
        s if isinstance(s, datetime) else datetime.combine(s, datetime.min.time(), CHICAGO)
        for s in starts
    ]
    assert keys == sorted(keys)


def test_desired_event_body_is_one_event_with_its_timezone() -> None:
    for desired in render_parent(make_plan(), november(), "sam"):
        cal = parse(desired.ical)
        (event,) = cal.walk("VEVENT")
        assert str(event["UID"]) == desired.uid
        assert str(event[identity.KIND_PROP]) == desired.kind
        assert identity.content_hash(event) == desired.content_hash
        timed = isinstance(event.decoded("DTSTART"), datetime)
        assert len(cal.walk("VTIMEZONE")) == (1 if timed else 0)
        assert str(cal["PRODID"]) and str(cal["VERSION"]) == "2.0"
        # our piecewise serialisation equals icalendar's own
        assert cal.to_ical() == desired.ical


def test_unknown_parent_is_a_user_error() -> None:
    with pytest.raises(UserError, match="unknown parent 'bob'") as info:
        render_parent(make_plan(), november(), "bob")
    assert "alex, sam" in info.value.render()


# --- the decorate hook ---------------------------------------------------------------------


class Decorator:
    seen: list[EventInfo]

    def __init__(self) -> None:
        self.seen = []

    @hookimpl
    def pc_calendar_decorate_event(self, event, info):
        self.seen.append(info)
        if info.kind == "exchanges":
            event.add("categories", ["Handover"])


def test_decorate_hook_runs_before_the_hash() -> None:
    plain = {e.uid: e.content_hash for e in render_parent(make_plan(), november(), "sam")}
    plugin = Decorator()
    pm = build_plugin_manager(extra=[plugin])
    events = render_parent(make_plan(), november(), "sam", pm)
    assert {i.kind for i in plugin.seen} == {
        "own_custody",
        "other_custody",
        "exchanges",
        "holidays",
    }
    assert all(i.family_id == "rivera-chen" and i.recipient == "sam" for i in plugin.seen)
    for ev in events:
        cal_event = parse(ev.ical).walk("VEVENT")[0]
        assert identity.content_hash(cal_event) == ev.content_hash
        assert (ev.content_hash != plain[ev.uid]) == (ev.kind == "exchanges")
        if ev.kind == "exchanges":
            assert b"Handover" in ev.ical


class UidThief:
    @hookimpl
    def pc_calendar_decorate_event(self, event, info):
        event["UID"] = icalendar.vText("stolen")


class Crasher:
    @hookimpl
    def pc_calendar_decorate_event(self, event, info):
        raise RuntimeError("boom")


@pytest.mark.parametrize(
    "plugin, message", [(UidThief(), "changed the UID"), (Crasher(), "RuntimeError: boom")]
)
def test_misbehaving_decorators_are_named(plugin, message) -> None:
    pm = build_plugin_manager(extra=[plugin])
    with pytest.raises(PluginError, match=message):
        render_parent(make_plan(), november(), "alex", pm)


def test_parents_sharing_a_first_name_are_shown_in_full() -> None:
    plan = make_plan(sam={"name": "Alex Chen", "events": ["own_custody", "exchanges"]})
    summaries = [str(e["SUMMARY"]) for e in events_of(render_calendar(plan, november(), "sam"))]
    assert "Exchange 15:00 CST: Alex Rivera → Alex Chen (Maya, Leo) at Lincoln Elementary" in (
        summaries
    )
    assert "Maya & Leo with Alex Chen" in summaries
