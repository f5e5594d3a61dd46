"""The multipart batch endpoint and injected faults, through the real client."""

from __future__ import annotations

import http.client

import pytest
from googleapiclient.errors import HttpError

from .emulator import GoogleEmulator
from .testkit import all_day, error_of, ours


def _collect():
    results: dict[str, tuple] = {}

    def callback(request_id, response, exception) -> None:
        results[request_id] = (response, exception)

    return results, callback


def _body(n: int) -> dict:
    return all_day(f"batch{n:04d}", "2026-10-01", "2026-10-02", **ours(pcal="fam"))


def test_batch_part_fails_while_others_succeed(svc, google_emulator: GoogleEmulator) -> None:
    svc.events().insert(calendarId="primary", body=_body(2)).execute()
    results, callback = _collect()
    batch = google_emulator.new_batch(callback)
    for n in (1, 2, 3):
        batch.add(svc.events().insert(calendarId="primary", body=_body(n)), request_id=f"r{n}")
    batch.add(svc.events().get(calendarId="primary", eventId="missing00"), request_id="r4")
    batch.execute()
    assert results["r1"][0]["id"] == "batch0001" and results["r1"][1] is None
    assert results["r3"][0]["id"] == "batch0003" and results["r3"][1] is None
    assert error_of(results["r2"][1]) == (409, "duplicate")
    assert error_of(results["r4"][1]) == (404, "notFound")
    assert google_emulator.calls[-1] == ("POST", "/batch/calendar/v3")
    assert len(google_emulator.calls) == 2  # one insert, one batch
    assert len(google_emulator.batch_parts) == 4
    assert google_emulator.quota_units == 5
    assert google_emulator.batch_sizes == [4]


def test_batch_from_the_service_with_batch_uri_set(svc, google_emulator: GoogleEmulator) -> None:
    results, callback = _collect()
    batch = svc.new_batch_http_request(callback=callback)
    batch._batch_uri = google_emulator.batch_uri
    batch.add(svc.events().insert(calendarId="primary", body=_body(1)))
    batch.add(svc.events().delete(calendarId="primary", eventId="batch0001"))
    batch.execute()
    assert results["1"][1] is None and results["2"] == ("", None)
    assert [e["status"] for e in google_emulator.events("primary")] == ["cancelled"]


def test_batch_if_match_per_part(svc, google_emulator: GoogleEmulator) -> None:
    made = svc.events().insert(calendarId="primary", body=_body(1)).execute()
    google_emulator.parent_edit("primary", "batch0001", summary="Parent")
    results, callback = _collect()
    batch = google_emulator.new_batch(callback)
    stale = svc.events().patch(calendarId="primary", eventId="batch0001", body={"summary": "Us"})
    stale.headers["If-Match"] = made["etag"]
    batch.add(stale)
    batch.execute()
    assert error_of(results["1"][1]) == (412, "conditionNotMet")
    assert google_emulator.events("primary")[0]["summary"] == "Parent"


def test_batch_of_more_than_50_is_refused_whole(svc, google_emulator: GoogleEmulator) -> None:
    results, callback = _collect()
    batch = google_emulator.new_batch(callback)
    for n in range(51):
        batch.add(svc.events().insert(calendarId="primary", body=_body(n)))
    with pytest.raises(HttpError) as err:
        batch.execute()
    assert error_of(err.value) == (400, "batchSizeTooLarge")
    assert google_emulator.events("primary") == [] and google_emulator.batch_parts == []


def test_batch_of_50_is_accepted(svc, google_emulator: GoogleEmulator) -> None:
    results, callback = _collect()
    batch = google_emulator.new_batch(callback)
    for n in range(50):
        batch.add(svc.events().insert(calendarId="primary", body=_body(n)))
    batch.execute()
    assert all(exc is None for _, exc in results.values()) and len(results) == 50
    assert len(google_emulator.events("primary")) == 50
    assert (len(google_emulator.calls), google_emulator.quota_units) == (1, 50)


@pytest.mark.parametrize(
    ("fault", "status", "reason"),
    [
        ("rateLimitExceeded", 403, "rateLimitExceeded"),
        ("userRateLimitExceeded", 403, "userRateLimitExceeded"),
        ("quotaExceeded", 403, "quotaExceeded"),
        (429, 429, "rateLimitExceeded"),
        (500, 500, "backendError"),
        (503, 503, "backendError"),
    ],
)
def test_faults_answer_like_google(svc, google_emulator, fault, status, reason) -> None:
    google_emulator.inject(fault)
    with pytest.raises(HttpError) as err:
        svc.events().insert(calendarId="primary", body=_body(1)).execute()
    assert error_of(err.value) == (status, reason)
    assert google_emulator.events("primary") == []  # nothing was applied
    svc.events().insert(calendarId="primary", body=_body(1)).execute()  # fault used up
    assert len(google_emulator.events("primary")) == 1


@pytest.mark.parametrize(
    ("fault", "client_retries"),
    [
        ("rateLimitExceeded", True),
        ("userRateLimitExceeded", True),
        ("quotaExceeded", False),
        (429, True),
        (503, True),
    ],
)
def test_client_retry_policy_sees_the_right_shape(svc, google_emulator, fault, client_retries):
    """The client retries a 403 only for rate-limit reasons: proves the body shape."""
    google_emulator.inject(fault)
    request = svc.calendars().get(calendarId="primary")
    if client_retries:
        assert request.execute(num_retries=1)["id"]
        assert len(google_emulator.calls) == 2
    else:
        with pytest.raises(HttpError):
            request.execute(num_retries=1)
        assert len(google_emulator.calls) == 1


def test_fault_match_targets_one_batch_part(svc, google_emulator: GoogleEmulator) -> None:
    google_emulator.inject("rateLimitExceeded", match="events/batch0002")
    results, callback = _collect()
    batch = google_emulator.new_batch(callback)
    for n in (1, 2, 3):
        svc.events().insert(calendarId="primary", body=_body(n)).execute()
        batch.add(
            svc.events().patch(
                calendarId="primary", eventId=f"batch{n:04d}", body={"summary": "new"}
            )
        )
    batch.execute()
    assert results["1"][1] is None and results["3"][1] is None
    assert error_of(results["2"][1]) == (403, "rateLimitExceeded")
    summaries = [e["summary"] for e in google_emulator.events("primary")]
    assert summaries == ["new", "Holiday", "new"]


def test_unmatched_status_fault_hits_first_batch_part(svc, google_emulator) -> None:
    google_emulator.inject(503, times=2)
    results, callback = _collect()
    batch = google_emulator.new_batch(callback)
    for n in (1, 2, 3):
        batch.add(svc.events().insert(calendarId="primary", body=_body(n)))
    batch.execute()
    assert [results[k][1] is None for k in ("1", "2", "3")] == [False, False, True]
    assert google_emulator.faults.pending == 0


def test_whole_batch_fault_by_match(svc, google_emulator: GoogleEmulator) -> None:
    google_emulator.inject(500, match="POST /batch/")
    batch = google_emulator.new_batch(_collect()[1])
    batch.add(svc.events().insert(calendarId="primary", body=_body(1)))
    with pytest.raises(HttpError) as err:
        batch.execute()
    assert err.value.resp.status == 500 and google_emulator.events("primary") == []


def test_drop_closes_without_answer(svc, google_emulator: GoogleEmulator) -> None:
    # httplib2 silently re-sends once after a dropped connection, so drop twice.
    google_emulator.inject("drop", times=2)
    with pytest.raises(http.client.RemoteDisconnected):
        svc.events().insert(calendarId="primary", body=_body(1)).execute()
    assert google_emulator.events("primary") == []
    assert len(google_emulator.calls) == 2


def test_drop_after_applies_the_write_but_loses_the_answer(svc, google_emulator) -> None:
    google_emulator.inject("drop_after", match="POST /calendar/v3/calendars/primary/events")
    with pytest.raises(HttpError) as err:  # httplib2's silent re-send meets the first write
        svc.events().insert(calendarId="primary", body=_body(1)).execute()
    assert error_of(err.value) == (409, "duplicate")
    assert len(google_emulator.events("primary")) == 1


def test_drop_in_the_middle_of_a_batch(svc, google_emulator: GoogleEmulator) -> None:
    google_emulator.inject("drop", times=2, match="events/batch0002")
    batch = google_emulator.new_batch(_collect()[1])
    for n in (1, 2, 3):
        svc.events().insert(calendarId="primary", body=_body(n)).execute()
        batch.add(svc.events().delete(calendarId="primary", eventId=f"batch{n:04d}"))
    with pytest.raises(http.client.RemoteDisconnected):
        batch.execute()
    statuses = [e["status"] for e in google_emulator.events("primary")]
    assert statuses == ["cancelled", "confirmed", "confirmed"]


def test_unknown_fault_is_refused(google_emulator: GoogleEmulator) -> None:
    with pytest.raises(ValueError):
        google_emulator.inject("meteorStrike")


def test_reset_forgets_everything(svc, google_emulator: GoogleEmulator) -> None:
    svc.events().insert(calendarId="primary", body=_body(1)).execute()
    google_emulator.inject(500)
    google_emulator.reset()
    assert google_emulator.events("primary") == []
    assert (google_emulator.calls, google_emulator.quota_units) == ([], 0)
    assert svc.calendars().get(calendarId="primary").execute()["id"]


def test_rate_limit_refuses_beyond_the_window(svc, google_emulator: GoogleEmulator) -> None:
    google_emulator.rate_limit(3, per_seconds=60)
    results, callback = _collect()
    batch = google_emulator.new_batch(callback)
    for n in range(5):
        batch.add(svc.events().insert(calendarId="primary", body=_body(n)))
    batch.execute()
    refused = [k for k, (_, exc) in results.items() if exc is not None]
    assert refused == ["4", "5"]
    assert error_of(results["4"][1]) == (403, "rateLimitExceeded")
    assert len(google_emulator.events("primary")) == 3
    with pytest.raises(HttpError) as err:
        svc.calendars().get(calendarId="primary").execute()
    assert error_of(err.value) == (403, "rateLimitExceeded")
    google_emulator.rate_limit(None)
    assert svc.calendars().get(calendarId="primary").execute()["id"]


def test_rate_limit_window_slides(google_emulator: GoogleEmulator) -> None:
    limiter = google_emulator.limiter
    google_emulator.rate_limit(2, per_seconds=10, fault=429)
    assert limiter.check(0.0) is None and limiter.check(1.0) is None
    assert limiter.check(5.0).code == 429
    assert limiter.check(10.5) is None  # the first request left the window
    with pytest.raises(ValueError):
        google_emulator.rate_limit(1, fault=500)
