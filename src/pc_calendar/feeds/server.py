"""Running the feed app under waitress, a production WSGI server (threads, no dev server).

:func:`build_app` wires the cache, token store and rate limiter; :func:`create` makes a
waitress server without starting it; :class:`Running` runs one in a background thread
(tests and the benchmark use it) and stops it cleanly.

Waitress refuses request headers over 64 KiB itself (with its own 431); the app refuses
anything over 8 KiB with a plain 431, so the usual case never shows waitress's page.
Request bodies are capped at 4 KiB: a check-in form is a few hundred bytes.

Idle connections: waitress stops accepting once ``connection_limit`` sockets are open
(100 by default), so a hundred idle keep-alive connections from one client made every
other request wait for them to time out. The limit is raised to :data:`MAX_CONNECTIONS`,
waitress polls with ``poll()`` instead of ``select()`` (which cannot watch descriptors
above 1023), the process may open enough descriptors for that many sockets, and an idle
connection is closed after :data:`IDLE_SECONDS`.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .app import FeedApp
from .cache import FeedCache
from .checkin_app import CheckinApp
from .checkin_tokens import PATH_PREFIX, CheckinTokens
from .ratelimit import RateLimiter
from .tokens import TokenStore

DEFAULT_RATE = 2.0  # requests per second per client, sustained
DEFAULT_BURST = 120
LINK_RATE = 0.2  # requests per second per check-in link, sustained (12 a minute)
LINK_BURST = 30
WAITRESS_HEADER_LIMIT = 65536
MAX_CONNECTIONS = 2000
IDLE_SECONDS = 30
MAX_BODY_BYTES = 4096
log = logging.getLogger("pc_calendar.feeds")


class Site:
    """The whole server: check-in pages under ``/checkin/``, feeds everywhere else."""

    def __init__(self, feeds: FeedApp, checkins: CheckinApp | None) -> None:
        self.feeds = feeds
        self.checkins = checkins
        self.cache = feeds.cache

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        raw = environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
        if self.checkins is not None and raw.startswith(PATH_PREFIX):
            return self.checkins(environ, start_response)
        return self.feeds(environ, start_response)


def build_app(
    plan_paths: list[Path],
    db_path: Path,
    *,
    rate: float | None = DEFAULT_RATE,
    burst: int = DEFAULT_BURST,
    warm: bool = True,
    checkin_dir: Path | None = None,
    **cache_options: Any,
) -> Site:
    """Feeds and check-in pages for these plans; ``rate=None`` turns rate limiting off.

    Check-in links and the server key live in ``checkin_dir`` (default: the folder of
    the feed token database).
    """
    folder = checkin_dir or Path(db_path).parent
    exchange_db = cache_options.get("exchange_db")

    def notes(plan: Any, parent: str, timeline: Any) -> Any:
        from .checkin_notes import checkin_notes

        log = exchange_db(plan.family.id) if exchange_db else None
        return checkin_notes(plan, parent, timeline.start, timeline.end, folder=folder, log=log)

    from .checkin_tokens import DB_FILE

    watch = (folder / DB_FILE, folder / f"{DB_FILE}-wal")
    cache = FeedCache(plan_paths, notes=notes, watch=watch, **cache_options)
    if warm:
        cache.warm()
    limiter = RateLimiter(rate, burst) if rate else None
    feeds = FeedApp(cache, TokenStore(db_path), limiter=limiter)
    hosts = frozenset(
        urlsplit(plan.checkin.url).netloc.lower() for plan in cache.plans() if plan.checkin.url
    )
    checkins = CheckinApp(
        cache,
        CheckinTokens(folder),
        exchange_db=cache.exchange_db,
        pm=cache.pm,
        limiter=limiter,
        link_limiter=RateLimiter(LINK_RATE, LINK_BURST) if rate else None,
        clock=cache.now,
        trusted_hosts=hosts,
    )
    return Site(feeds, checkins)


def create(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    threads: int = 4,
    trusted_proxy: str | None = None,
    max_connections: int = MAX_CONNECTIONS,
) -> Any:
    """A bound, not yet running waitress server (``port=0`` picks a free port)."""
    from ..extras import require

    require("serve", "pc-calendar serve")
    import waitress

    max_connections = allow_descriptors(max_connections)

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "threads": threads,
        "ident": "pc-calendar",
        "expose_tracebacks": False,
        "max_request_header_size": WAITRESS_HEADER_LIMIT,
        "max_request_body_size": MAX_BODY_BYTES,
        "channel_timeout": IDLE_SECONDS,
        "cleanup_interval": 10,
        "connection_limit": max_connections,
        "asyncore_use_poll": True,
    }
    if trusted_proxy:
        options |= {
            "trusted_proxy": trusted_proxy,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
            "trusted_proxy_count": 1,
        }
    return waitress.create_server(app, **options)


def allow_descriptors(connections: int, spare: int = 64) -> int:
    """Raise this process's open-file limit (soft, up to the hard one) so it can hold
    ``connections`` sockets; returns how many it can (fewer if the hard limit is low)."""
    try:
        import resource
    except ImportError:  # not on POSIX: leave the platform's limit
        return connections
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + spare
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
            soft = new
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < wanted:
        log.warning("open-file limit %d allows only %d connections", soft, soft - spare)
        return max(16, soft - spare)
    return connections


def port_of(server: Any) -> int:
    return int(server.effective_port)


class Running:
    """A waitress server on a background thread: ``with Running(app) as url: ...``.

    The thread polls the server's sockets itself (rather than ``server.run()``) so that
    stopping needs no signal from another thread: it sees the flag, lets the workers
    finish, and closes every socket itself. Closing sockets under another thread's
    select() races with file descriptor reuse.
    """

    POLL_SECONDS = 0.05

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, **options: Any):
        self.server = create(app, host, port, **options)
        self._stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="feed-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.server.effective_host}:{self.server.effective_port}"

    def __enter__(self) -> str:
        self.thread.start()
        return self.url

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        from waitress import wasyncore

        server = self.server
        try:
            while not self._stopping.is_set():
                wasyncore.loop(
                    timeout=self.POLL_SECONDS,
                    map=server._map,
                    use_poll=server.adj.asyncore_use_poll,
                    count=1,
                )
            server.task_dispatcher.shutdown(timeout=5)
        finally:
            for channel in list(server._map.values()):
                channel.close()

    def stop(self) -> None:
        self._stopping.set()
        self.thread.join(timeout=15)


def run_forever(server: Any) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM), then close the listener."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
        server.task_dispatcher.shutdown(timeout=5)
