"""The WSGI app serving feeds at ``/feeds/<token>.ics``.

Everything that is not a valid request for a live token gets a short, fixed answer that
depends only on the status: an unknown token, a revoked one, a parent no served family
has, and a token that never existed all give the same 404, so probing the server tells
nothing about which families or parents it serves. Requests are rate-limited per client
before anything else is looked at. Logs name a token only by a short prefix of its hash.

Conditional requests are cheap: one token lookup (an indexed SQLite read), one
fingerprint check of the family's files, and a string comparison; the feed body itself
comes rendered and gzipped from :class:`~pc_calendar.feeds.cache.FeedCache`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any

from .cache import FeedCache, Rendered
from .ratelimit import RateLimiter
from .tokens import ALL_FAMILIES, COORDINATOR, TokenStore, log_id

log = logging.getLogger("pc_calendar.feeds")

CACHE_CONTROL = "private, max-age=900"
MAX_PATH = 200
MAX_HEADER_BYTES = 8192
ALLOW = "GET, HEAD"
FEED_PATH = re.compile(r"/feeds/([A-Za-z0-9_-]{43})\.ics")
_TRICKS = re.compile(r"%|\.\.|//|\\|[^\x21-\x7e]")

Headers = list[tuple[str, str]]
StartResponse = Callable[..., Any]


def plain_error(code: int, extra: Headers = ()) -> tuple[str, Headers, bytes]:
    """A plain answer that depends only on the status code."""
    reason = HTTPStatus(code).phrase
    body = f"{code} {reason}\n".encode()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        *extra,
    ]
    return f"{code} {reason}", headers, body


Handler = Callable[[dict[str, Any], str, str], tuple[str, Headers, bytes, str]]


def serve_request(
    environ: dict[str, Any], start_response: StartResponse, handle: Handler, kind: str
) -> list[bytes]:
    """Answer with ``handle(environ, client, method)``, shared by the feed and check-in apps.

    A bug answers a plain 500 and logs its traceback, never the secret path. One access
    line per request names the client, method, status, ``kind`` (empty for feeds) and the
    token's short, non-reversible log id.
    """
    client = environ.get("REMOTE_ADDR", "-")
    method = environ.get("REQUEST_METHOD", "")
    who = "-"
    try:
        status, headers, body, who = handle(environ, client, method)
    except Exception:  # a bug: answer plainly, keep the traceback, never the link or path
        log.exception("error serving %s %s to %s", kind or "feed", who, client)
        status, headers, body = plain_error(500)
    start_response(status, headers)
    log.info("%s %s %s %s%s", client, method[:10], status[:3], f"{kind} " if kind else "", who)
    return [b"" if method == "HEAD" else body]  # waitress sends a HEAD body otherwise


def accepts_gzip(value: str) -> bool:
    """Whether an Accept-Encoding value allows gzip (explicitly or by ``*``), q > 0."""
    star = None
    for part in value.split(","):
        name, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, number = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(number)
                except ValueError:
                    q = 0.0
        name = name.lower()
        if name in ("gzip", "x-gzip"):
            return q > 0
        if name == "*":
            star = q > 0
    return bool(star)


def _etag_matches(value: str, feed: Rendered) -> bool:
    """If-None-Match uses weak comparison: ``W/`` is ignored; either encoding matches."""
    for tag in value.split(","):
        tag = tag.strip()
        if tag == "*":
            return True
        tag = tag.removeprefix("W/")
        if tag in (feed.etag, feed.gzip_etag):
            return True
    return False


def _not_modified_since(value: str, feed: Rendered) -> bool:
    try:
        since = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return False
    if since is None or since.tzinfo is None:
        return False
    return feed.last_modified <= since.timestamp()


class FeedApp:
    """WSGI callable: ``FeedApp(cache, tokens, limiter=RateLimiter(...))``."""

    def __init__(
        self,
        cache: FeedCache,
        tokens: TokenStore,
        *,
        limiter: RateLimiter | None = None,
        cache_control: str = CACHE_CONTROL,
        max_header_bytes: int = MAX_HEADER_BYTES,
    ) -> None:
        self.cache = cache
        self.tokens = tokens
        self.limiter = limiter
        self.cache_control = cache_control
        self.max_header_bytes = max_header_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return serve_request(environ, start_response, self._handle, "")

    def _handle(
        self, environ: dict[str, Any], client: str, method: str
    ) -> tuple[str, Headers, bytes, str]:
        if self.limiter is not None:
            wait = self.limiter.check(client)
            if wait:
                return (*plain_error(429, [("Retry-After", str(wait))]), "-")
        size = sum(len(k) + len(str(v)) for k, v in environ.items() if k.startswith("HTTP_"))
        if size > self.max_header_bytes:
            return (*plain_error(431), "-")
        if method not in ("GET", "HEAD"):
            return (*plain_error(405, [("Allow", ALLOW)]), "-")
        raw = environ.get("REQUEST_URI") or environ.get("RAW_URI") or environ.get("PATH_INFO", "")
        path = raw.partition("?")[0]
        if len(raw) > MAX_PATH or _TRICKS.search(path) or not path.startswith("/"):
            return (*plain_error(400), "-")
        match = FEED_PATH.fullmatch(path)
        if match is None:
            return (*plain_error(404), "-")
        token = match[1]
        who = log_id(token)
        feed = self._feed(token)
        if feed is None:
            return (*plain_error(404), who)
        return (*self._respond(environ, feed), who)

    def _feed(self, token: str) -> Rendered | None:
        found = self.tokens.lookup(token)
        if found is None:
            return None
        family, recipient = found
        if recipient == COORDINATOR and family == ALL_FAMILIES:
            return self.cache.coordinator_feed()
        return self.cache.feed(family, recipient)

    def _respond(self, environ: dict[str, Any], feed: Rendered) -> tuple[str, Headers, bytes]:
        gz = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))
        headers = [
            ("ETag", feed.gzip_etag if gz else feed.etag),
            ("Last-Modified", feed.last_modified_http),
            ("Cache-Control", self.cache_control),
            ("Vary", "Accept-Encoding"),
        ]
        inm = environ.get("HTTP_IF_NONE_MATCH")
        ims = environ.get("HTTP_IF_MODIFIED_SINCE")
        if (inm is not None and _etag_matches(inm, feed)) or (
            inm is None and ims is not None and _not_modified_since(ims, feed)
        ):
            return "304 Not Modified", headers, b""
        body = feed.gzipped if gz else feed.body
        headers += [
            ("Content-Type", "text/calendar; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if gz:
            headers.append(("Content-Encoding", "gzip"))
        return "200 OK", headers, body
