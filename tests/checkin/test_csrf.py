"""Form tokens and the origin check of the check-in forms."""

from __future__ import annotations

from pc_calendar.feeds.csrf import MAX_AGE_S, FormTokens, same_origin

KEY = b"k" * 32


def test_a_form_token_works_once_for_its_link_and_purpose() -> None:
    now = [1_000_000.0]
    forms = FormTokens(KEY, clock=lambda: now[0])
    token = forms.issue("link-a", "report:x")
    assert not forms.check("link-b", "report:x", token)
    assert not forms.check("link-a", "report:y", token)
    assert forms.check("link-a", "report:x", token)
    assert not forms.check("link-a", "report:x", token)  # replayed


def test_forged_expired_and_garbled_tokens_fail() -> None:
    now = [1_000_000.0]
    forms = FormTokens(KEY, clock=lambda: now[0])
    token = forms.issue("link", "p")
    issued, nonce, mac = token.split(".")
    assert not forms.check("link", "p", f"{int(issued) + 1}.{nonce}.{mac}")
    assert not FormTokens(b"x" * 32, clock=lambda: now[0]).check("link", "p", token)
    for bad in ("", "..", "abc", "1.2", token + "x" * 300):
        assert not forms.check("link", "p", bad)
    now[0] += MAX_AGE_S + 1
    assert not forms.check("link", "p", token)


def test_origin_check() -> None:
    host = {"HTTP_HOST": "cal.example.org"}
    assert same_origin(host)
    assert same_origin({**host, "HTTP_ORIGIN": "https://cal.example.org"})
    assert same_origin({**host, "HTTP_REFERER": "https://cal.example.org/checkin/x"})
    assert not same_origin({**host, "HTTP_ORIGIN": "https://evil.example"})
    assert not same_origin({**host, "HTTP_ORIGIN": "null"})
    assert not same_origin({**host, "HTTP_REFERER": "https://evil.example/page"})
    assert not same_origin({**host, "HTTP_SEC_FETCH_SITE": "cross-site"})
    assert not same_origin({**host, "HTTP_SEC_FETCH_SITE": "same-site"})
    proxied = {"HTTP_HOST": "127.0.0.1:8080", "HTTP_ORIGIN": "https://cal.example.org"}
    assert not same_origin(proxied)
    assert same_origin(proxied, frozenset({"cal.example.org"}))
