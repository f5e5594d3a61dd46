"""Check-in pages over HTTP: reports land in the log, stamped by the server, and only for
the link's own parent and family; forms are CSRF-protected; links are never logged."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from checkin_helpers import AT, EXCHANGE, Site, forms_of

from pc_calendar.exchanges.store import ExchangeStore
from pc_calendar.feeds.checkin_tokens import CheckinTokens


def records(data, family="rivera-chen"):
    with ExchangeStore.open(data / "exchanges" / f"{family}.sqlite3", family, create=False) as s:
        return s.records(), s.verify()


def test_page_shows_the_open_exchange_with_its_buttons(site: Site) -> None:
    r = site.page("alex")
    assert r.status == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert 'name=viewport content="width=device-width, initial-scale=1"' in r.text
    assert "Alex Rivera" in r.text and "<script" not in r.text
    [form] = [f for f in forms_of(r.text) if f.hidden.get("exchange") == EXCHANGE]
    assert [label for value, label in form.buttons if value] == [
        "I'm here",
        "Handed over",
        "The other parent did not come",
        "Running late",
    ]


def test_report_is_recorded_with_parent_channel_and_server_time(site: Site, data, clock) -> None:
    r = site.press("sam", "late", minutes="15", note="traffic on I-35")
    assert r.status == 303
    assert r.headers["location"] == site.path("sam") + "?done=1"
    [record], check = records(data)
    assert check.ok
    assert (record.reported_by, record.channel, record.status) == ("sam", "checkin", "late")
    assert (record.minutes_late, record.at_fault) == (15, "handing_over")
    assert record.recorded_at == "2026-11-13T20:50:00Z"  # the server's clock, not the form's
    assert record.note == "traffic on I-35"
    page = site.request("GET", r.headers["location"]).text
    assert f"Recorded. Receipt #1: {record.hash}" in page


def test_the_other_parent_sees_the_report_and_can_dispute_it(site: Site, data, clock) -> None:
    clock[0] = AT + timedelta(minutes=20)
    assert site.press("alex", "absent", note="waited 20 minutes").status == 303
    page = site.page("sam").text
    assert "Alex Rivera (check-in link): Sam Chen did not come" in page
    assert "waited 20 minutes" in page
    assert site.press("sam", "dispute", note="I was at the side door").status == 303
    [missed, dispute], check = records(data)
    assert check.ok
    assert (missed.status, missed.at_fault) == ("missed", "handing_over")
    assert (dispute.kind, dispute.responds_to, dispute.reported_by) == ("dispute", 1, "sam")
    assert dispute.responds_to_hash == missed.hash
    assert "Dispute" not in site.page("sam").text  # answered once
    assert "disputed record #1" in site.page("alex").text  # both see both, with receipts
    assert dispute.hash in site.page("alex").text


def test_absent_is_refused_before_the_exchange_time(site: Site, data) -> None:
    r = site.press("alex", "absent")
    assert r.status == 400
    assert "not the exchange time yet" in r.text
    assert records(data)[0] == []


def test_outside_the_window_nothing_can_be_reported(site: Site, data, clock) -> None:
    page = site.page("alex").text
    [form] = [f for f in forms_of(page) if f.hidden.get("exchange") == EXCHANGE]
    clock[0] = AT + timedelta(hours=5)  # after_minutes is 240
    r = site.post("alex", {**form.hidden, "action": "handed"})
    assert r.status == 400 and "not open now" in r.text
    assert records(data)[0] == []


def test_a_form_for_another_exchange_or_family_is_refused(site: Site, data) -> None:
    page = site.page("alex").text
    [form] = [f for f in forms_of(page) if f.hidden.get("exchange") == EXCHANGE]
    # the same form posted through the other family's alex: CSRF token is per link
    assert site.post("other-alex", {**form.hidden, "action": "here"}).status == 403
    # another exchange id with this link's token for the shown exchange: refused
    assert site.post("alex", {**form.hidden, "exchange": "2026-11-13T1500-alex-sam"}).status == 403
    assert records(data)[0] == []


def test_cross_site_post_and_missing_token_are_refused(site: Site, data) -> None:
    [form] = [f for f in forms_of(site.page("alex").text) if f.hidden.get("exchange")]
    fields = {**form.hidden, "action": "here"}
    assert site.post("alex", fields, Origin="https://evil.example").status == 403
    assert site.post("alex", fields, Sec_Fetch_Site="cross-site").status == 403
    assert site.post("alex", {**fields, "csrf": ""}).status == 403
    assert site.post("alex", {k: v for k, v in fields.items() if k != "csrf"}).status == 403
    assert records(data)[0] == []
    assert site.post("alex", fields, Origin=site.url, Sec_Fetch_Site="same-origin").status == 303
    assert site.post("alex", fields).status == 403  # the same form again: replay


def test_unknown_and_revoked_links_get_the_feeds_404(site: Site, data) -> None:
    unknown = site.request("GET", "/checkin/" + "A" * 43)
    feed_404 = site.request("GET", "/feeds/" + "A" * 43 + ".ics")
    assert unknown.status == feed_404.status == 404 and unknown.text == feed_404.text
    assert site.page("alex").status == 200
    links = CheckinTokens(data)
    links.revoke("rivera-chen", "alex")
    links.close()
    assert site.page("alex").status == 404  # at once
    assert site.request("GET", f"/feeds/{site.tokens['feed-alex']}.ics").status == 200


def test_a_feed_token_is_not_a_check_in_link(site: Site) -> None:
    assert site.request("GET", f"/checkin/{site.tokens['feed-alex']}").status == 404


def test_links_are_never_logged(site: Site, clock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    clock[0] = AT + timedelta(minutes=30)
    site.press("alex", "absent")
    site.press("sam", "confirm")
    site.request("GET", "/checkin/" + "B" * 43)
    site.request("GET", f"/feeds/{site.tokens['feed-alex']}.ics")
    text = caplog.text
    assert "checkin" in text
    for token in site.tokens.values():
        assert token not in text


def test_bad_input_is_a_clear_400_and_writes_nothing(site: Site, data) -> None:
    assert "enter the minutes" in site.press("alex", "late", minutes="abc").text
    assert "enter the minutes" in site.press("alex", "late", minutes="0").text
    assert "too long" in site.press("alex", "here", note="x" * 281).text
    r = site.request("PUT", site.path("alex"))
    assert r.status == 405
    r = site.request("POST", site.path("alex"), b"{}", {"Content-Type": "application/json"})
    assert r.status == 415
    assert records(data)[0] == []


def test_per_link_rate_limit(tmp_path, data, clock) -> None:
    from checkin_helpers import issue_links, make_app, write_plans

    from pc_calendar.feeds.server import Running

    app = make_app(write_plans(tmp_path), data, clock, rate=1000.0, burst=1000)
    tokens = issue_links(data)
    with Running(app) as url:
        client = Site(url, tokens)
        codes = [client.page("alex").status for _ in range(35)]
        assert codes[:30] == [200] * 30 and codes[-1] == 429
        assert client.page("sam").status == 200  # another link is not held back


def test_another_familys_link_sees_nothing_of_this_family(site: Site, data) -> None:
    assert site.press("sam", "late", minutes="5", note="rivera secret").status == 303
    [record], _ = records(data)
    other = site.request("GET", site.path("other-alex") + "?done=1").text
    assert "Okafor-Lind family" in other and "Rivera-Chen" not in other
    assert record.hash not in other and "rivera secret" not in other
    assert "Recorded" not in other
    # the same parent id in the other family reports into the other family's log only
    assert site.press("other-alex", "here").status == 303
    assert len(records(data)[0]) == 1
    [theirs], check = records(data, "okafor-lind")
    assert check.ok and (theirs.family, theirs.reported_by) == ("okafor-lind", "alex")
