"""Running the feed app under waitress, a production WSGI server (threads, no dev server).

:func:`build_app` wires the cache, token store and rate limiter; :func:`create` makes a
waitress server without starting it; :class:`Running` runs one in a background thread
(tests and the benchmark use it) and stops it cleanly.

Waitress refuses request headers over 64 KiB itself (with its own 431); the app refuses
anything over 8 KiB with a plain 431, so the usual case never shows waitress's page.
Request bodies are capped at 1 KiB: a feed server never needs one.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from .app import FeedApp
from .cache import FeedCache
from .ratelimit import RateLimiter
from .tokens import TokenStore

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
    from ..extras import require

    require("serve", "pc-calendar serve")
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
                wasyncore.loop(timeout=self.POLL_SECONDS, map=server._map, count=1)
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
