"""Running the feed app under waitress, a production WSGI server (threads, no dev server).

:func:`build_app` wires the cache, token store and rate limiter; :func:`create` makes a
waitress server without starting it; :class:`Running` runs one in a background thread
(tests and the benchmark use it) and stops it cleanly.

Waitress refuses request headers over 64 KiB itself (with its own 431); the app refuses
anything over 8 KiB with a plain 431, so the usual case never shows waitress's page.
Request bodies are capped at 1 KiB: a feed server never needs one.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from .app import FeedApp
from .cache import FeedCache
from .ratelimit import RateLimiter
from .tokens import TokenStore

log = logging.getLogger("pc_calendar.feeds")

DEFAULT_RATE = 2.0  # requests per second per client, sustained
DEFAULT_BURST = 120
WAITRESS_HEADER_LIMIT = 65536


def build_app(
    plan_paths: list[Path],
    db_path: Path,
    *,
    rate: float | None = DEFAULT_RATE,
    burst: int = DEFAULT_BURST,
    warm: bool = True,
    **cache_options: Any,
) -> FeedApp:
    """The feed app for these plans; ``rate=None`` turns rate limiting off."""
    cache = FeedCache(plan_paths, **cache_options)
    if warm:
        cache.warm()
    limiter = RateLimiter(rate, burst) if rate else None
    return FeedApp(cache, TokenStore(db_path), limiter=limiter)


def create(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    threads: int = 4,
    trusted_proxy: str | None = None,
) -> Any:
    """A bound, not yet running waitress server (``port=0`` picks a free port)."""
    import waitress

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "threads": threads,
        "ident": "pc-calendar",
        "expose_tracebacks": False,
        "max_request_header_size": WAITRESS_HEADER_LIMIT,
        "max_request_body_size": 1024,
        "channel_timeout": 60,
    }
    if trusted_proxy:
        options |= {
            "trusted_proxy": trusted_proxy,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
            "trusted_proxy_count": 1,
        }
    return waitress.create_server(app, **options)


def port_of(server: Any) -> int:
    return int(server.effective_port)


class Running:
    """A waitress server on a background thread: ``with Running(app) as url: ...``."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, **options: Any):
        self.server = create(app, host, port, **options)
        self.thread = threading.Thread(target=self.server.run, name="feed-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.server.effective_host}:{self.server.effective_port}"

    def __enter__(self) -> str:
        self.thread.start()
        return self.url

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Close every channel, the listener and the trigger from inside the server's own
        loop (closing sockets under a running select() from another thread races), so
        the loop ends; then stop the worker threads."""
        server = self.server

        def close_all() -> None:
            for channel in list(server._map.values()):
                channel.close()

        if self.thread.is_alive():
            server.trigger.pull_trigger(close_all)
            self.thread.join(timeout=10)
        server.task_dispatcher.shutdown(timeout=5)


def serve(app: Any, host: str, port: int, **options: Any) -> None:
    """Serve until interrupted (Ctrl-C)."""
    server = create(app, host, port, **options)
    log.info("serving feeds on http://%s:%s/feeds/<token>.ics", host, port_of(server))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
