"""HTTP behaviour of the feed server, through waitress on 127.0.0.1."""

from __future__ import annotations

import gzip
import http.client
import logging
from email.utils import formatdate

import pytest
from feed_helpers import Response, Served

from pc_calendar.feeds.app import accepts_gzip
from pc_calendar.feeds.tokens import TokenStore, log_id

UNKNOWN = "/feeds/" + "A" * 43 + ".ics"


def _same_answer(a: Response, b: Response) -> bool:
    """Same status, body and headers (the Date header aside)."""
    strip = lambda r: {k: v for k, v in r.headers.items() if k != "date"}  # noqa: E731
    return (a.status, a.body, strip(a)) == (b.status, b.body, strip(b))


def test_get_serves_the_feed_with_validators(served: Served) -> None:
    r = served.get("alex")
    assert r.status == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert int(r.headers["content-length"]) == len(r.body)
    assert r.headers["cache-control"] == "private, max-age=900"
    assert r.headers["etag"].startswith('"') and r.headers["etag"].endswith('"')
    assert "last-modified" in r.headers
    assert r.headers["vary"] == "Accept-Encoding"
    assert "content-encoding" not in r.headers
    assert r.body.startswith(b"BEGIN:VCALENDAR\r\n") and r.body.endswith(b"END:VCALENDAR\r\n")
    assert r.body.count(b"BEGIN:VEVENT") > 20
    assert r.headers["server"] == "pc-calendar"


def test_if_none_match_gives_304_without_body(served: Served) -> None:
    first = served.get("alex")
    again = served.get("alex", If_None_Match=first.headers["etag"])
    assert again.status == 304
    assert again.body == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert "content-length" not in again.headers
    assert served.get("alex", If_None_Match='W/"nope", ' + first.headers["etag"]).status == 304
    assert served.get("alex", If_None_Match="*").status == 304
    assert served.get("alex", If_None_Match='"nope"').status == 200


def test_if_modified_since_gives_304_only_when_not_modified(served: Served) -> None:
    first = served.get("alex")
    modified = first.headers["last-modified"]
    assert served.get("alex", If_Modified_Since=modified).status == 304
    earlier = formatdate(0, usegmt=True)
    assert served.get("alex", If_Modified_Since=earlier).status == 200
    assert served.get("alex", If_Modified_Since="garbage").status == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    assert served.get("alex", If_None_Match='"nope"', If_Modified_Since=modified).status == 200


def test_gzip_when_accepted(served: Served) -> None:
    plain = served.get("alex")
    packed = served.get("alex", Accept_Encoding="br;q=1.0, gzip;q=0.8")
    assert packed.status == 200
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) == len(packed.body) < len(plain.body) / 4
    assert gzip.decompress(packed.body) == plain.body
    assert packed.headers["etag"] != plain.headers["etag"]  # strong ETag per encoding
    assert (
        served.get("alex", Accept_Encoding="gzip", If_None_Match=packed.headers["etag"]).status
        == 304
    )
    assert "content-encoding" not in served.get("alex", Accept_Encoding="gzip;q=0").headers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("gzip", True),
        ("deflate, gzip", True),
        ("gzip;q=0", False),
        ("*", True),
        ("*;q=0", False),
        ("identity", False),
        ("", False),
        ("x-gzip", True),
        ("gzip;q=zz", False),
        ("br, *;q=0.1", True),
    ],
)
def test_accept_encoding_parsing(value: str, expected: bool) -> None:
    assert accepts_gzip(value) is expected


def test_head_has_headers_and_no_body(served: Served) -> None:
    get = served.get("alex")
    head = served.request(served.path("alex"), "HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == str(len(get.body))
    assert head.headers["etag"] == get.headers["etag"]


def test_head_sends_no_body_bytes_on_a_kept_alive_connection(served: Served) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", int(served.url.rsplit(":", 1)[1]), timeout=30)
    try:
        for path in (UNKNOWN, served.path("alex"), served.path("alex")):
            conn.request("HEAD", path)
            conn.getresponse().read()
        conn.request("GET", served.path("alex"))  # would misparse if HEAD had sent a body
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read().startswith(b"BEGIN:VCALENDAR")
    finally:
        conn.close()


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "PROPFIND"])
def test_other_methods_get_405_with_allow(shared_served: Served, method: str) -> None:
    served = shared_served
    r = served.request(served.path("alex"), method)
    assert r.status == 405
    assert r.headers["allow"] == "GET, HEAD"
    assert r.body == b"405 Method Not Allowed\n"
    assert _same_answer(r, served.request(UNKNOWN, method))  # same for unknown tokens


def test_unknown_revoked_and_unserved_tokens_look_alike(served: Served, store: TokenStore) -> None:
    ghost = store.issue("ghost-family", "alex")  # a family this server does not serve
    nobody = store.issue("rivera-chen", "zoe")  # a parent the plan does not have
    answers = [
        served.request(UNKNOWN),
        served.request(f"/feeds/{ghost}.ics"),
        served.request(f"/feeds/{nobody}.ics"),
        served.request("/feeds/short.ics"),
        served.request("/"),
        served.request("/feeds/"),
        served.request(served.path("alex")[:-4]),  # without .ics
        served.request(UNKNOWN, "HEAD"),
    ]
    assert answers[0].status == 404
    assert answers[0].body == b"404 Not Found\n"
    assert answers[0].headers["cache-control"] == "no-store"
    for other in answers[1:-1]:
        assert _same_answer(answers[0], other)
    assert answers[-1].status == 404 and answers[-1].body == b""
    assert b"rivera" not in b"".join(a.body for a in answers)


def test_revoked_token_stops_at_once(served: Served, store: TokenStore) -> None:
    assert served.get("alex").status == 200
    cli_store = TokenStore(store.path)  # what `pc-calendar feed revoke` does, elsewhere
    assert cli_store.revoke("rivera-chen", "alex") == 1
    cli_store.close()
    gone = served.get("alex")
    assert _same_answer(gone, served.request(UNKNOWN))
    assert served.get("sam").status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/../feeds/{t}.ics",
        "/feeds/..%2F{t}.ics",
        "/feeds%2F{t}.ics",
        "/feeds/%2e%2e/{t}.ics",
        "//feeds/{t}.ics",
        "/feeds/{t}.ics/..",
        "/feeds/" + "a" * 400 + ".ics",
        "/feeds/{t}.ics?" + "x" * 400,
        "/feeds/{t}%00.ics",
        "feeds/{t}.ics",
    ],
)
def test_path_tricks_get_a_plain_400(shared_served: Served, path: str) -> None:
    served = shared_served
    r = served.request(path.format(t=served.tokens["alex"]))
    assert r.status == 400
    assert r.body == b"400 Bad Request\n"
    assert _same_answer(r, served.request("/feeds/..%2Fx.ics"))


def test_huge_headers_get_431(served: Served) -> None:
    r = served.get("alex", X_Padding="a" * 9000)
    assert r.status == 431
    assert r.body == b"431 Request Header Fields Too Large\n"
    assert _same_answer(r, served.request(UNKNOWN, headers={"X-Padding": "a" * 9000}))
    # Beyond waitress's own limit, waitress answers; still nothing about families.
    r = served.get("alex", X_Padding="a" * 70000)
    assert r.status == 431
    assert b"rivera" not in r.body and b"alex" not in r.body


def test_rate_limit_per_client_with_retry_after(limited: tuple[Served, list[float]]) -> None:
    served, now = limited
    assert [served.get("alex").status for _ in range(3)] == [200, 200, 200]
    r = served.get("alex")
    assert r.status == 429
    assert r.headers["retry-after"] == "1"
    assert r.body == b"429 Too Many Requests\n"
    assert served.request(UNKNOWN).status == 429  # guessing tokens is limited too
    now[0] += 1.0
    assert served.get("alex").status == 200
    assert served.get("alex").status == 429


def test_logs_never_carry_tokens(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pc_calendar.feeds")
    served.get("alex")
    served.get("coordinator", Accept_Encoding="gzip")
    served.request(UNKNOWN)
    served.request("/feeds/..%2F" + served.tokens["sam"] + ".ics")
    served.request(served.path("sam"), "POST")
    text = caplog.text
    assert log_id(served.tokens["alex"]) in text
    assert "200" in text and "404" in text and "400" in text and "405" in text
    for token in [*served.tokens.values(), "A" * 43]:
        assert token not in text
