"""Debian's nginx, run in the foreground with the ``server`` block that docs/feeds.md
documents, so the documented reverse-proxy recipe is the one the tests prove.

Only the listen address, server name, certificate paths and upstream port of the doc's
block are replaced (each must be found exactly once, so a reworded doc fails loudly
instead of silently testing something else). Everything nginx writes (pid, logs, temp
files) goes into the test's folder; it listens on 127.0.0.1 only.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "feeds.md"
BLOCK = re.compile(r"^```nginx\n(.*?)^```", re.MULTILINE | re.DOTALL)
START_SECONDS = 10


def need_tools() -> str:
    """nginx's path; skip outside CI when nginx or openssl is missing, fail in CI."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    missing = [
        name
        for name, found in (("nginx", nginx), ("openssl", shutil.which("openssl")))
        if not found
    ]
    if missing:
        message = f"{', '.join(missing)} missing: run tests/tools/install-test-tools.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert nginx is not None
    return nginx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 (and its key), valid for a day."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"docs/feeds.md's nginx block no longer has {old!r} once"
    return text.replace(old, new)


def documented_block() -> str:
    """The one ```nginx block of docs/feeds.md, as written."""
    [block] = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    return block


def documented_server_block(port: int, upstream: int, cert: Path, key: Path) -> str:
    """The doc's ``server`` block, pointed at this test's ports and certificate."""
    block = documented_block()
    block = _replace_once(block, "listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    block = _replace_once(block, "server_name calendar.example.org;", "server_name 127.0.0.1;")
    block = re.sub(r"(ssl_certificate) \S+;", f"\\1 {cert};", block, count=1)
    block = re.sub(r"(ssl_certificate_key) \S+;", f"\\1 {key};", block, count=1)
    assert str(cert) in block and str(key) in block, "the doc's block names no certificate"
    return _replace_once(block, "http://127.0.0.1:8080;", f"http://127.0.0.1:{upstream};")


def nginx_conf(folder: Path, server_block: str) -> str:
    """A whole nginx.conf around ``server_block``: everything inside ``folder``."""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / 'temp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root the workers would drop to "nobody", who cannot write the test's folder.
    user = ""
    if os.geteuid() == 0:
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
    return f"""{user}
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"};
events {{
    worker_connections 64;
}}
http {{
    access_log {folder / "access.log"};
    default_type text/plain;
{temp}
{server_block}
}}
"""


class Nginx:
    """nginx in the foreground (``daemon off``), stopped by :meth:`stop`."""

    def __init__(self, nginx: str, folder: Path, server_block: str, port: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "temp").mkdir(exist_ok=True)
        self.folder = folder
        conf = folder / "nginx.conf"
        conf.write_text(nginx_conf(folder, server_block), encoding="utf-8")
        self.proc = subprocess.Popen(
            [nginx, "-p", str(folder), "-c", str(conf), "-e", str(self.error_log),
             "-g", "daemon off;"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        message = self.errors()
        self.stop()
        raise AssertionError(f"nginx did not start: {message}")

    @property
    def error_log(self) -> Path:
        return self.folder / "error.log"

    @property
    def access_log(self) -> Path:
        return self.folder / "access.log"

    def errors(self) -> str:
        stderr = self.proc.stderr.read().decode() if self.proc.poll() is not None else ""
        logged = self.error_log.read_text() if self.error_log.exists() else ""
        return f"{stderr}{logged}"

    def stop(self) -> None:
        """Graceful stop (SIGQUIT: finish requests, flush logs), killed after 10 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stderr is not None:
            self.proc.stderr.close()
