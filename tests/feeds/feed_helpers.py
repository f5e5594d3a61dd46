"""A small raw HTTP client for the feed tests: exact paths, methods and headers."""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


@dataclass
class Served:
    url: str
    app: Any
    tokens: dict[str, str]

    def path(self, who: str) -> str:
        return f"/feeds/{self.tokens[who]}.ics"

    def request(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None
    ) -> Response:
        """One request on a fresh connection, sent byte for byte as given."""
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            conn.endheaders()
            resp = conn.getresponse()
            body = resp.read()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
        finally:
            conn.close()

    def get(self, who: str, **headers: str) -> Response:
        return self.request(
            self.path(who), headers={k.replace("_", "-"): v for k, v in headers.items()}
        )
