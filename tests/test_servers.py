"""The test servers' ports under parallel load: a port another process took between
free_port() and the server's bind is never mistaken for the server, and is replaced."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest
import servers
from servers import RadicaleServer, listens_on, refused_port


@pytest.fixture
def impostor() -> Iterator[int]:
    """Another process's HTTP server answering every request 207 (as a CalDAV server
    would), on the port free_port() is about to hand out."""

    class Answer(http.server.BaseHTTPRequestHandler):
        def do_PROPFIND(self) -> None:  # noqa: N802 - the method's name
            self.send_response(207)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_a_taken_port_is_replaced_and_never_mistaken_for_the_server(
    tmp_path, monkeypatch, impostor
):
    real = servers.free_port
    handed = iter([impostor])
    monkeypatch.setattr(servers, "free_port", lambda: next(handed, None) or real())
    radicale = RadicaleServer(tmp_path)
    radicale.start()
    try:
        assert radicale.port != impostor
        assert radicale.process is not None and listens_on(radicale.process.pid, radicale.port)
        assert radicale.new_calendar().path.startswith("/alex/")  # really Radicale
        first_port = radicale.port
        radicale.restart()  # a restart keeps its address
        assert radicale.port == first_port
    finally:
        radicale.stop()


def test_a_held_port_refuses_connections():
    with refused_port() as port:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5)
        with socket.socket() as other, pytest.raises(OSError, match="in use"):
            other.bind(("127.0.0.1", port))
