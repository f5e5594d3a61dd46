"""Servers a coordinator meets when connecting calendars: TLS with a self-signed
certificate, and a calendar the user may read but not write (real Radicale, its own
rights file)."""

from __future__ import annotations

import http.client
import json
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from doctor_helpers import EXAMPLE
from servers import RadicaleServer

RIGHTS = """\
[root]
user: .+
collection:
permissions: R

[principal]
user: .+
collection: {user}
permissions: RW

[shared-read-only]
user: .+
collection: {user}/shared
permissions: r

[own-calendars]
user: .+
collection: {user}/[^/]+
permissions: rw
"""


class RestrictedRadicale(RadicaleServer):
    """Radicale whose ``/alex/shared/`` calendar alex may only read."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        (root / "rights").write_text(RIGHTS)
        shared = root / "storage" / "collection-root" / "alex" / "shared"
        shared.mkdir(parents=True)
        props = {"tag": "VCALENDAR", "D:displayname": "Shared"}
        (shared / ".Radicale.props").write_text(json.dumps(props))

    def command(self) -> list[str]:
        cmd = super().command()
        at = cmd.index("--rights-type")
        cmd[at + 1 : at + 2] = ["from_file", "--rights-file", str(self.root / "rights")]
        return cmd


class TLSRadicale(RadicaleServer):
    """Radicale over https with a certificate nobody vouches for (made by the test)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.cert, self.key = root / "cert.pem", root / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(self.key), "-out", str(self.cert)],
            check=True, capture_output=True,
        )  # fmt: skip

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}/"

    def command(self) -> list[str]:
        return [*super().command(), "--server-ssl", "True", "--server-certificate",
                str(self.cert), "--server-key", str(self.key)]  # fmt: skip

    def connection(self) -> http.client.HTTPConnection:
        context = ssl.create_default_context(cafile=str(self.cert))
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=10, context=context)


def _serve(server: RadicaleServer) -> Iterator[RadicaleServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def restricted_radicale(tmp_path_factory, radicale_server) -> Iterator[RadicaleServer]:
    # same user, password and password variable as the session's Radicale
    yield from _serve(RestrictedRadicale(tmp_path_factory.mktemp("restricted")))


@pytest.fixture(scope="module")
def tls_radicale(tmp_path_factory, radicale_server) -> Iterator[TLSRadicale]:
    yield from _serve(TLSRadicale(tmp_path_factory.mktemp("tls")))


@pytest.fixture
def family(tmp_path) -> Path:
    """The example plan in a folder of its own (its calendars.toml goes beside it)."""
    plan = tmp_path / "family.toml"
    shutil.copy(EXAMPLE, plan)
    return plan
