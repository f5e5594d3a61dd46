"""Wire-level checks with plain http.client: the batch format and error bodies as Google
documents them, independent of how google-api-python-client happens to parse them."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from .emulator import GoogleEmulator

BOUNDARY = "batch_foobarbaz"


def _post(emu: GoogleEmulator, path: str, body: bytes, content_type: str):
    conn = http.client.HTTPConnection("127.0.0.1", urlsplit(emu.root_url).port, timeout=5)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": content_type})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type"), resp.read().decode()
    finally:
        conn.close()


def _part(content_id: str | None, request_line: str, body: str | None = None) -> str:
    lines = [f"--{BOUNDARY}", "Content-Type: application/http"]
    if content_id is not None:
        lines.append(f"Content-ID: {content_id}")
    lines += ["", request_line]
    if body is not None:
        lines += ["Content-Type: application/json", "", body]
    return "\r\n".join(lines) + "\r\n\r\n"


def test_batch_wire_format_follows_the_batch_guide(google_emulator: GoogleEmulator) -> None:
    event = json.dumps(
        {"id": "abc000001", "start": {"date": "2026-01-01"}, "end": {"date": "2026-01-02"}}
    )
    payload = (
        _part(
            "<item1:12930812@barnyard.example.com>",
            "POST /calendar/v3/calendars/primary/events HTTP/1.1",
            event,
        )
        + _part(
            "<item2:12930812@barnyard.example.com>",
            "GET /calendar/v3/calendars/primary/events/nothere00 HTTP/1.1",
        )
        + _part(None, "GET https://www.googleapis.com/calendar/v3/calendars/primary HTTP/1.1")
        + f"--{BOUNDARY}--\r\n"
    )
    status, content_type, text = _post(
        google_emulator,
        "/batch/calendar/v3",
        payload.encode(),
        f"multipart/mixed; boundary={BOUNDARY}",
    )
    assert status == 200 and content_type.startswith("multipart/mixed; boundary=")
    boundary = content_type.split("boundary=")[1]
    parts = [p for p in text.split(f"--{boundary}") if p.strip() not in ("", "--")]
    assert len(parts) == 3
    assert "Content-ID: <response-item1:12930812@barnyard.example.com>" in parts[0]
    assert "HTTP/1.1 200 OK" in parts[0] and '"id": "abc000001"' in parts[0]
    assert "Content-ID: <response-item2:12930812@barnyard.example.com>" in parts[1]
    assert "HTTP/1.1 404 Not Found" in parts[1]
    assert "Content-ID" not in parts[2] and "HTTP/1.1 400 Bad Request" in parts[2]
    assert google_emulator.quota_units == 3 and len(google_emulator.calls) == 1


def test_batch_needs_multipart(google_emulator: GoogleEmulator) -> None:
    status, _, text = _post(google_emulator, "/batch/calendar/v3", b"{}", "application/json")
    assert status == 400 and json.loads(text)["error"]["code"] == 400


def test_error_body_shape(google_emulator: GoogleEmulator) -> None:
    status, content_type, text = _post(
        google_emulator,
        "/calendar/v3/calendars/primary/events",
        b'{"id": "UPPER", "start": {"date": "2026-01-01"}, "end": {"date": "2026-01-02"}}',
        "application/json",
    )
    assert status == 400 and content_type.startswith("application/json")
    error = json.loads(text)["error"]
    assert list(error) == ["errors", "code", "message", "status"]
    assert error["errors"] == [
        {"domain": "global", "reason": "invalid", "message": "Invalid resource id value."}
    ]
    assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")


def test_smaller_batch_ceiling_is_configurable() -> None:
    with GoogleEmulator(max_batch_parts=1) as emu:
        payload = (
            _part("<a>", "GET /calendar/v3/calendars/primary HTTP/1.1")
            + _part("<b>", "GET /calendar/v3/calendars/primary HTTP/1.1")
            + f"--{BOUNDARY}--\r\n"
        )
        status, _, text = _post(
            emu, "/batch/calendar/v3", payload.encode(), f"multipart/mixed; boundary={BOUNDARY}"
        )
    assert status == 400 and "batchSizeTooLarge" in text
