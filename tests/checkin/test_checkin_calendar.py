"""Both sides are heard in the calendar too: each parent's exchange events carry their
check-in link and, after the next sync (or feed poll), the other parent's report with its
receipt. Plans without ``[checkin] url`` keep the calendars they had."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import icalendar
from checkin_helpers import AT, EXCHANGE, Site, issue_links, write_plans

from pc_calendar.feeds.checkin_tokens import CheckinTokens
from pc_calendar.testing_cli import run_cli


def descriptions(ical: bytes, exchange_id: str) -> list[str]:
    cal = icalendar.Calendar.from_ical(ical)
    return [
        str(e["DESCRIPTION"])
        for e in cal.walk("VEVENT")
        if f"Exchange id: {exchange_id}" in str(e.get("DESCRIPTION", ""))
    ]


def feed(site: Site, who: str = "feed-alex") -> bytes:
    r = site.request("GET", f"/feeds/{site.tokens[who]}.ics")
    assert r.status == 200
    return r.text.encode()


def test_feed_events_carry_the_link_and_the_other_side(site: Site, data, clock) -> None:
    link = f"https://cal.example.org/checkin/{site.tokens['alex']}"
    [before] = descriptions(feed(site), EXCHANGE)
    assert f"Check in (I'm here, handed over, running late): {link}" in before
    assert "Reported by" not in before
    assert site.press("sam", "late", minutes="10", note="bus").status == 303
    [after] = descriptions(feed(site), EXCHANGE)
    assert "Reported by Sam Chen (check-in link) at 2026-11-13T20:50:00Z: Sam Chen late " in after
    assert '"bus" - receipt #1 sha256:' in after
    assert "confirm or dispute it on your check-in page" in after
    clock[0] = AT + timedelta(minutes=10)
    assert site.press("alex", "confirm").status == 303
    [answered] = descriptions(feed(site), EXCHANGE)
    assert "you confirmed it" in answered
    links = CheckinTokens(data)
    new = links.issue("rivera-chen", "alex")  # rotated: the events follow
    links.close()
    [rotated] = descriptions(feed(site), EXCHANGE)
    assert new in rotated and site.tokens["alex"] not in rotated


def test_sync_puts_the_link_and_reports_into_the_parents_calendar(tmp_path: Path) -> None:
    from pc_calendar.exchanges.service import engine_timeline, record_outcome
    from pc_calendar.plan.load import load_plan

    data = tmp_path / "data"
    [plan_path, _] = write_plans(tmp_path)
    tokens = issue_links(data)
    env = {"PC_CALENDAR_DATA_DIR": str(data), "PC_CALENDAR_PLUGINS": "none"}
    args = [
        "sync",
        str(plan_path),
        "--parent",
        "alex",
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-01",
    ]
    args += ["--state", str(tmp_path / "state.sqlite")]
    first = run_cli(args, env=env)
    assert first.exit_code == 0, first.output
    vdir = tmp_path / "out" / "alex" / "vdir"

    def event_text() -> str:
        texts = [d for p in vdir.iterdir() for d in descriptions(p.read_bytes(), EXCHANGE)]
        assert len(texts) == 1
        return texts[0]

    assert f"https://cal.example.org/checkin/{tokens['alex']}" in event_text()
    assert run_cli(args, env=env).output.count("created") <= first.output.count("created")
    record_outcome(
        load_plan(plan_path),
        data / "exchanges" / "rivera-chen.sqlite3",
        EXCHANGE,
        "missed",
        at_fault="sam",
        now=AT + timedelta(hours=1),
        compute=engine_timeline,
        pm=None,
    )
    again = run_cli(args, env=env)
    assert again.exit_code == 0, again.output
    text = event_text()
    assert "Reported by the coordinator (coordinator's entry)" in text
    assert "Sam Chen did not come" in text


def test_plans_without_a_checkin_url_are_unchanged(tmp_path: Path) -> None:
    from pc_calendar.feeds.checkin_notes import checkin_notes
    from pc_calendar.plan.load import load_plan

    plan = load_plan(Path(__file__).resolve().parents[2] / "examples" / "rivera-chen.toml")
    assert checkin_notes(plan, "alex", date(2026, 11, 1), date(2026, 12, 1)) is None
