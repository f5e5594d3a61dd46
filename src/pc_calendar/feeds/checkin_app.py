"""The WSGI app of check-in pages at ``/checkin/<token>``: GET shows, POST records.

The link is the credential: it names one parent of one family, and every exchange and
record the page shows or accepts is looked up from it, never from the form (which only
says which of that parent's exchanges, or which record shown to them, a button is for).
An unknown, revoked or malformed link gets the same fixed 404 as a feed. Requests are
limited per client and per link; a POST must pass the origin check and carry a fresh
form token (:mod:`.csrf`); a good POST answers 303 to the page (so a reload does not
post again) and the page shows the new record's receipt. Logs name a link only by a
short prefix of its hash.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from ..errors import UserError
from ..exchanges.chain import Record
from ..exchanges.store import ExchangeStore
from . import checkin_actions as actions
from .app import StartResponse, plain_error, serve_request
from .cache import FeedCache
from .checkin_page import PageData, render_page
from .checkin_tokens import CheckinTokens
from .checkin_view import Window, cards_for, find_exchange
from .csrf import FormTokens, same_origin
from .ratelimit import RateLimiter
from .tokens import log_id, token_hash

log = logging.getLogger("pc_calendar.feeds")

CHECKIN_PATH = re.compile(r"/checkin/([A-Za-z0-9_-]{43})")
NOT_RECORDED = "Not recorded: the log could not take it. Try again, or tell the coordinator."
FORM_TYPE = "application/x-www-form-urlencoded"
HEADERS = [
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "same-origin"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'",
    ),
]


@dataclass(frozen=True)
class Link:
    """Who a request's link names."""

    token: str
    family: str
    parent: str

    @property
    def hash(self) -> str:
        return token_hash(self.token)


class CheckinApp:
    """WSGI callable for the check-in pages of the families ``cache`` serves."""

    def __init__(
        self,
        cache: FeedCache,
        links: CheckinTokens,
        *,
        exchange_db: Callable[[str], Path],
        pm: Any = None,
        limiter: RateLimiter | None = None,
        link_limiter: RateLimiter | None = None,
        clock: Callable[[], datetime] | None = None,
        trusted_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self.cache = cache
        self.links = links
        self.forms = FormTokens(links.key)
        self.exchange_db = exchange_db
        self.pm = pm
        self.limiter = limiter
        self.link_limiter = link_limiter
        self.clock = clock or (lambda: datetime.now(UTC))
        self.trusted_hosts = trusted_hosts
        self._local = threading.local()
        # One writer per family at a time inside this process: threads queue here rather
        # than in SQLite's busy handler, whose back-off sleeps (up to 100 ms a try) would
        # cost more than the writes. Other processes (the CLI) still meet SQLite's lock.
        self._write_locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return serve_request(environ, start_response, self._handle, "checkin")

    def _handle(self, environ: dict[str, Any], client: str, method: str):
        if self.limiter is not None and (wait := self.limiter.check(client)):
            return (*plain_error(429, [("Retry-After", str(wait))]), "-")
        raw = environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
        path, _, query = raw.partition("#")[0].partition("?")
        match = CHECKIN_PATH.fullmatch(path)
        if match is None or len(query) > 40:
            return (*plain_error(404), "-")
        who = log_id(match[1])
        found = self.links.lookup(match[1])
        if found is None:
            return (*plain_error(404), who)
        link = Link(match[1], *found)
        if self.link_limiter is not None and (wait := self.link_limiter.check(link.hash)):
            return (*plain_error(429, [("Retry-After", str(wait))]), who)
        if method in ("GET", "HEAD"):
            done = parse_qs(query).get("done", [""])[0]
            return (*self._page(link, 200, done=int(done) if done.isdigit() else None), who)
        if method != "POST":
            return (*plain_error(405, [("Allow", "GET, HEAD, POST")]), who)
        return (*self._post(environ, link), who)

    # -- answering -----------------------------------------------------------------------

    def _page(self, link: Link, code: int, *, done: int | None = None, error: str | None = None):
        view = self.cache.plan_and_timeline(link.family)
        if view is None or link.parent not in view[0].parents:
            return plain_error(404)
        plan, timeline = view
        now = self.clock()
        cards = cards_for(plan, timeline, link.parent, self._records(plan, now), now)
        message = None
        if done is not None:
            shown = {r.seq: r for c in cards for r in c.records}
            if done in shown:
                message = f"Recorded. Receipt #{done}: {shown[done].hash}"
        data = PageData(
            plan,
            link.parent,
            cards,
            lambda purpose: self.forms.issue(link.hash, purpose),
            message=message,
            error=error,
        )
        body = render_page(data).encode("utf-8")
        status = "200 OK" if code == 200 else f"{code} Bad Request"
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            *HEADERS,
        ]
        return status, headers, body

    def _records(self, plan: Any, now: datetime) -> list[Record]:
        """Records of exchanges scheduled from the start of the answer window to 60 days
        ahead (the cards pick theirs)."""
        from ..exchanges.status import utc_text

        window = Window.of(plan)
        start = now - max(window.after, window.respond) - window.before
        end = now + timedelta(days=60)  # the next exchange ahead may be a while off
        store = self._store(plan.family.id, create=False)
        return store.between(utc_text(start), utc_text(end)) if store is not None else []

    def _store(self, family: str, *, create: bool = True) -> ExchangeStore | None:
        """This thread's open connection to the family's log (opened once; closing a WAL
        database checkpoints it, which costs more than a check-in's write). A log that
        does not exist yet is only created to be written to."""
        stores: dict[str, ExchangeStore] = self._local.__dict__.setdefault("stores", {})
        store = stores.get(family)
        if store is None:
            path = self.exchange_db(family)
            if not create and not path.exists():
                return None
            store = stores[family] = ExchangeStore.open(path, family)
        return store

    def _post(self, environ: dict[str, Any], link: Link):
        ctype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
        if ctype != FORM_TYPE:
            return plain_error(415)
        if not same_origin(environ, self.trusted_hosts):
            return plain_error(403)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return plain_error(400)
        raw = environ["wsgi.input"].read(min(max(length, 0), 8192))
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        view = self.cache.plan_and_timeline(link.family)
        if view is None or link.parent not in view[0].parents:
            return plain_error(404)
        plan, timeline = view
        if "record" in form:
            purpose = f"answer:{form['record']}"
        else:
            purpose = f"report:{form.get('exchange', '')}"
        if not self.forms.check(link.hash, purpose, form.get("csrf", "")):
            return plain_error(403)
        now = self.clock()
        try:
            record = self._act(plan, timeline, link, form, now)
        except actions.Refused as exc:
            return self._page(link, 400, error=exc.message)
        except UserError as exc:  # the log refused (locked, damaged): say so, never where
            log.error("check-in %s not recorded: %s", log_id(link.token), exc.message)
            return self._page(link, 400, error=NOT_RECORDED)
        location = f"/checkin/{link.token}?done={record.seq}"
        return "303 See Other", [("Location", location), ("Content-Length", "0"), *HEADERS], b""

    def _act(self, plan: Any, timeline: Any, link: Link, form: dict[str, str], now: datetime):
        window = Window.of(plan)
        who = log_id(link.token)
        db = self.exchange_db(plan.family.id)
        if "record" in form:
            cards = cards_for(plan, timeline, link.parent, self._records(plan, now), now)
            shown = {r.seq: r for c in cards for r in c.answerable}
            seq = form["record"]
            target = shown.get(int(seq)) if seq.isdigit() else None
            if target is None:
                raise actions.Refused("That report can no longer be answered here.")
            return actions.answer(
                plan,
                db,
                target,
                link.parent,
                form.get("action", ""),
                note=form.get("note"),
                now=now,
                pm=self.pm,
                on_warning=lambda text: log.warning("check-in %s: %s", who, text),
            )
        exchange = find_exchange(timeline, link.parent, form.get("exchange", ""))
        if exchange is None or not window.open_for_report(exchange, now):
            raise actions.Refused("Check-in for that exchange is not open now.")
        store = self._store(plan.family.id)
        assert store is not None
        done = self._report(plan, store, exchange, link, form, now)
        for warning in done.warnings:
            log.warning("check-in %s: %s", who, warning)
        return done.record

    def _write_lock(self, family: str) -> threading.Lock:
        with self._locks_lock:
            return self._write_locks.setdefault(family, threading.Lock())

    def _report(self, plan, store, exchange, link: Link, form: dict[str, str], now: datetime):
        return actions.report(
            plan,
            store,
            exchange,
            link.parent,
            form.get("action", ""),
            minutes=form.get("minutes"),
            note=form.get("note"),
            now=now,
            pm=self.pm,
            lock=self._write_lock(plan.family.id),
        )
