"""Real CalDAV servers for tests: Radicale and Xandikos as subprocesses on 127.0.0.1.

Subprocesses rather than caldav.testing's in-thread servers so a test can kill a server
mid-sync and start it again on the same port and storage. Each test gets a fresh calendar
collection (MKCALENDAR) on a shared session-scoped server, which keeps the suite fast.

Neither server reports a port it chose itself, so each is given a free one; another
process may take it before the server binds it (parallel test runs), so a first start
that finds its port taken tries another, and a start counts only once the listener on
the port is the server's own process (not whoever took the port).
"""

from __future__ import annotations

import base64
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STARTUP_TIMEOUT = 20.0
PORT_ATTEMPTS = 5


def _die_with_parent() -> None:
    """Linux: the server gets SIGKILL when the test process dies, even if it is killed
    itself and never runs its teardown, so no server outlives its test run."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port() -> int:
    """A port nobody listens on now: only for a server that cannot bind port 0 and say
    which port it got, and that retries when it finds the port taken (see
    :meth:`CalDAVServer.start`). For a port that must refuse connections, hold
    :func:`refused_port` instead."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def refused_port() -> Iterator[int]:
    """A port that refuses connections for the whole block: bound, never listening, so
    no other process can start a server on it meanwhile (a closed free_port() could)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def port_taken(log: str) -> bool:
    """Whether a server's output says it could not bind its port (Radicale, Xandikos,
    nginx and Caddy all say it in these words)."""
    return "address already in use" in log.lower()


def listens_on(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds the socket listening on 127.0.0.1:``port`` (Linux:
    /proc; elsewhere assumed true)."""
    table = Path("/proc/net/tcp")
    if not table.exists():
        return True
    wanted = f"0100007F:{port:04X}"
    inodes = {
        fields[9]
        for fields in (line.split() for line in table.read_text().splitlines()[1:])
        if fields[1] == wanted and fields[3] == "0A"  # 0A: LISTEN
    }
    try:
        links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return False
    return any(link == f"socket:[{inode}]" for link in links for inode in inodes)


class PortTaken(RuntimeError):
    """The server could not bind its port: another process has it."""


@dataclass
class CalendarRef:
    """One calendar collection on a test server, with what a backend config needs."""

    server: CalDAVServer
    path: str

    @property
    def url(self) -> str:
        return self.server.base_url

    def config(self, **extra: object) -> dict:
        cfg: dict = {"type": "caldav", "url": self.server.base_url, "calendar": self.path}
        if self.server.username:
            cfg["username"] = self.server.username
            cfg["password_env"] = self.server.password_env
        cfg.update(extra)
        return cfg

    def put(self, name: str, body: bytes, headers: dict | None = None) -> int:
        """PUT a raw object as another client would (no conditions); returns the status."""
        status, _, _ = self.server.http(
            "PUT", self.path + name, body, {"Content-Type": "text/calendar", **(headers or {})}
        )
        return status

    def get(self, name_or_href: str) -> tuple[int, bytes]:
        href = name_or_href if name_or_href.startswith("/") else self.path + name_or_href
        status, _, body = self.server.http("GET", href)
        return status, body

    def delete(self, name_or_href: str) -> int:
        href = name_or_href if name_or_href.startswith("/") else self.path + name_or_href
        return self.server.http("DELETE", href)[0]


@dataclass
class CalDAVServer:
    """A CalDAV server process we own: start, stop (kill), restart on the same port."""

    name: str
    root: Path
    port: int = 0  # chosen at the first start, kept by restarts
    username: str | None = None
    password: str | None = None
    home: str = "/"
    process: subprocess.Popen | None = None

    @property
    def password_env(self) -> str:
        """The environment variable a backend config reads this server's password from."""
        return f"PC_CALENDAR_TEST_{self.name.upper()}_PASSWORD"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        """Start the server (no-op if it is running) and wait until it answers.

        The first start takes a free port, and another if that one is taken before the
        server binds it; a restart keeps the port (tests restart a killed server at the
        same address)."""
        if self.process is not None and self.process.poll() is None:
            return
        for _attempt in range(PORT_ATTEMPTS):
            first = not self.port
            if first:
                self.port = free_port()
            try:
                self._start_process()
                return
            except PortTaken:
                if not first:
                    raise
                self.port = 0
        raise RuntimeError(f"{self.name}: every port tried was taken")

    def _start_process(self) -> None:
        log = open(self.root / f"{self.name}.log", "ab")  # noqa: SIM115 - closed in stop()
        since = log.seek(0, os.SEEK_END)  # this start's output only
        self.process = subprocess.Popen(
            self.command(),
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self._log = log
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                with open(log.name, "rb") as written:
                    written.seek(since)
                    output = written.read().decode(errors="replace")
                if port_taken(output):
                    raise PortTaken(f"{self.name}: port {self.port} taken")
                raise RuntimeError(f"{self.name} exited at startup; see {log.name}")
            try:
                status, _, _ = self.http("PROPFIND", self.home, b"", {"Depth": "0"})
                if status < 500 and listens_on(self.process.pid, self.port):
                    return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not start within {STARTUP_TIMEOUT}s")

    def stop(self) -> None:
        """Kill the server (SIGKILL: a crash, not a clean shutdown) and wait for it."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def connection(self) -> http.client.HTTPConnection:
        """A fresh connection to the server (a TLS server's subclass trusts its cert)."""
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def http(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict | None = None,
        password: str | None = None,
    ) -> tuple[int, dict, bytes]:
        """One raw request, as a third-party client would send it."""
        conn = self.connection()
        try:
            hdrs = dict(headers or {})
            if self.username:
                secret = password if password is not None else self.password
                token = base64.b64encode(f"{self.username}:{secret}".encode()).decode()
                hdrs["Authorization"] = f"Basic {token}"
            conn.request(method, path, body=body, headers=hdrs)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def new_calendar(self, display_name: str | None = None) -> CalendarRef:
        """MKCALENDAR a fresh collection with a unique name."""
        path = f"{self.home}test-{uuid.uuid4().hex[:12]}/"
        body = b""
        if display_name:
            body = (
                '<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" '
                'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
                f"<D:displayname>{display_name}</D:displayname></D:prop></D:set>"
                "</C:mkcalendar>"
            ).encode()
        status, _, text = self.http(
            "MKCALENDAR", path, body, {"Content-Type": "application/xml"} if body else {}
        )
        if status not in (200, 201):
            raise RuntimeError(f"MKCALENDAR {path} on {self.name}: {status} {text[:200]!r}")
        return CalendarRef(self, path)


class RadicaleServer(CalDAVServer):
    """Radicale with htpasswd (plain) auth, so a wrong password really fails."""

    def __init__(self, root: Path) -> None:
        super().__init__("radicale", root, username="alex", password="correct horse 7")
        self.home = f"/{self.username}/"
        users = root / "users"
        users.write_text(f"{self.username}:{self.password}\n")

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "radicale",
            "--config",
            "",
            "--server-hosts",
            f"127.0.0.1:{self.port}",
            "--storage-filesystem-folder",
            str(self.root / "storage"),
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(self.root / "users"),
            "--auth-htpasswd-encryption",
            "plain",
            "--auth-delay",
            "0",
            "--rights-type",
            "owner_only",
            "--logging-level",
            "warning",
        ]


class XandikosServer(CalDAVServer):
    """Xandikos without auth (its auth needs TLS)."""

    def __init__(self, root: Path) -> None:
        super().__init__("xandikos", root)
        self.home = "/user/calendars/"

    def command(self) -> list[str]:
        exe = Path(sys.executable).with_name("xandikos")
        prog = [str(exe)] if exe.exists() else [sys.executable, "-m", "xandikos"]
        return [
            *prog,
            "serve",
            "--defaults",
            "-d",
            str(self.root / "data"),
            "-l",
            "127.0.0.1",
            "-p",
            str(self.port),
        ]
