"""A TLS reverse proxy (Caddy or nginx) on 127.0.0.1 in front of a CalDAV server, as
self-hosters run Radicale and Xandikos, logging each request's protocol and connection.

The proxies are the ones tests/tools/install-test-tools.sh installs; the certificate is
a throwaway self-signed one for 127.0.0.1 (a client trusts it through ``verify``). Caddy
offers HTTP/2 by ALPN (and advertises HTTP/3 by ``Alt-Svc``, as it does by default);
nginx offers HTTP/2 with ``listen ... http2``. With ``http2=False`` both speak HTTP/1.1
only. Everything a proxy writes stays in its folder.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# appended, not prepended: tests/feeds/conftest.py must not shadow another folder's
sys.path.append(str(Path(__file__).resolve().parent / "feeds"))
from https_proxies import need_tools, nginx_conf_head, self_signed  # noqa: E402
from servers import free_port  # noqa: E402

START_SECONDS = 20


@dataclass(frozen=True)
class Logged:
    """One request as the proxy's access log has it."""

    protocol: str  # "HTTP/2.0", "HTTP/1.1"
    connection: str  # the client connection it came on (Caddy: port; nginx: serial)
    method: str
    status: int
    end: float  # when it was answered (epoch seconds)
    seconds: float  # how long the proxy had it


class TLSProxy:
    """``kind`` ("caddy" or "nginx") on a free port, forwarding to ``upstream``.

    ``per_connection`` (nginx): requests per client connection before nginx closes it
    (``keepalive_requests``; over HTTP/2 a GOAWAY with streams in flight).
    """

    def __init__(
        self,
        kind: str,
        folder: Path,
        upstream: int,
        *,
        http2: bool = True,
        per_connection: int = 1000,
    ) -> None:
        self.kind = kind
        self.per_connection = per_connection
        self.path = need_tools(kind)
        self.folder = folder
        self.upstream = upstream
        self.http2 = http2
        self.port = free_port()
        self.access_log = folder / ("access.log" if kind == "caddy" else "protocol.log")
        self.proc: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)
        self.cert, self.key = self_signed(folder)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}/"

    def start(self) -> TLSProxy:
        if self.kind == "caddy":
            command, env, self._quit = self._caddy()
        else:
            command, env, self._quit = self._nginx()
        with (self.folder / "output.log").open("ab") as out:
            self.proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"{self.kind} did not start: {self.output()}")

    def _caddy(self) -> tuple[list[str], dict[str, str], int]:
        protocols = "h1 h2 h3" if self.http2 else "h1"  # h1 h2 h3 is Caddy's default
        conf = self.folder / "Caddyfile"
        conf.write_text(
            f"""{{
    admin off
    auto_https disable_redirects
    default_bind 127.0.0.1
    skip_install_trust
    storage file_system {self.folder / "storage"}
    servers {{
        protocols {protocols}
    }}
}}
https://:{self.port} {{
    tls {self.cert} {self.key}
    log {{
        output file {self.access_log}
        format json
    }}
    reverse_proxy 127.0.0.1:{self.upstream}
}}
""",
            encoding="utf-8",
        )
        home = str(self.folder / "home")
        env = {**os.environ, "HOME": home, "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
        command = [self.path, "run", "--config", str(conf), "--adapter", "caddyfile"]
        return command, env, signal.SIGINT

    def _nginx(self) -> tuple[list[str], dict[str, str], int]:
        listen = f"127.0.0.1:{self.port} ssl" + (" http2" if self.http2 else "")
        server = f"""
    log_format protocol '$server_protocol $connection $request_method $status $msec '
                        '$request_time';
    server {{
        listen {listen};
        access_log {self.folder / "protocol.log"} protocol;
        ssl_certificate {self.cert};
        ssl_certificate_key {self.key};
        client_max_body_size 10m;
        keepalive_requests {self.per_connection};
        location / {{
            proxy_pass http://127.0.0.1:{self.upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
        }}
    }}
"""
        (self.folder / "temp").mkdir(exist_ok=True)
        conf = self.folder / "nginx.conf"
        conf.write_text(nginx_conf_head(self.folder) + server + "}\n", encoding="utf-8")
        command = [self.path, "-p", str(self.folder), "-c", str(conf),
                   "-e", str(self.folder / "error.log"), "-g", "daemon off;"]  # fmt: skip
        return command, dict(os.environ), signal.SIGQUIT

    def requests(self) -> list[Logged]:
        """Every request logged so far, oldest first."""
        if not self.access_log.exists():
            return []
        lines = self.access_log.read_text(errors="replace").splitlines()
        if self.kind == "caddy":
            found = []
            for line in lines:
                entry = json.loads(line)
                request = entry["request"]
                found.append(
                    Logged(request["proto"], request["remote_port"], request["method"],
                           int(entry["status"]), float(entry["ts"]), float(entry["duration"]))
                )  # fmt: skip
            return found
        return [
            Logged(p, c, m, int(s), float(end), float(took))
            for p, c, m, s, end, took in (line.split() for line in lines)
        ]

    def output(self) -> str:
        texts = (self.folder / name for name in ("output.log", "error.log"))
        return "".join(p.read_text(errors="replace") for p in texts if p.exists())

    def stop(self) -> None:
        """Stop it gracefully (its logs flushed); killed if it takes over 10 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(self._quit)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
