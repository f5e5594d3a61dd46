"""A local HTTP endpoint for apprise's ``json://`` schema, and a clean environment.

Notifications go to 127.0.0.1 only: the endpoint records each POST (path and JSON
body) and answers with the status the test chose, so failures are tested as well.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Endpoint:
    port: int
    status: int = 200
    received: list[tuple[str, dict]] = field(default_factory=list)

    def url(self, path: str = "/notify") -> str:
        return f"json://127.0.0.1:{self.port}{path}"


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    state = Endpoint(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length", 0))
            state.received.append((self.path, json.loads(self.rfile.read(length) or b"{}")))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No URL from the developer's own environment or keyring reaches a test."""
    import os

    for key in list(os.environ):
        if key.startswith("PC_CALENDAR_APPRISE_URLS"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


class MemoryKeyring:
    """A keyring backend holding secrets in a dict, for the keyring lookup tests."""

    priority = 1

    def __init__(self, secrets: dict[tuple[str, str], str] | None = None) -> None:
        self.secrets = dict(secrets or {})

    def get_password(self, service: str, user: str) -> str | None:
        return self.secrets.get((service, user))


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    """An empty keyring; a test adds secrets to it to check the keyring lookup."""
    import keyring

    memory = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_password", memory.get_password)
    return memory
