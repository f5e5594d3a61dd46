"""The reverse proxies docs/feeds.md documents (Debian's nginx and Caddy), run in the
foreground with the configuration blocks the doc shows, so the documented HTTPS recipes
are the ones the tests prove.

Only the site's address, certificate and upstream port are replaced in a doc block (each
must be found exactly once, so a reworded doc fails loudly instead of silently testing
something else). Everything a proxy writes (pid, logs, temp files, Caddy's storage) goes
into the test's folder; both listen on 127.0.0.1 only.
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
from servers import PortTaken, listens_on, port_taken

DOC = Path(__file__).resolve().parents[2] / "docs" / "feeds.md"
START_SECONDS = 20
DOC_UPSTREAM = "127.0.0.1:8080"


def need_tools(proxy: str) -> str:
    """The proxy's path; skip outside CI when it or openssl is missing, fail in CI."""
    found = shutil.which(proxy) or shutil.which(proxy, path="/usr/sbin:/usr/local/sbin")
    tools = ((proxy, found), ("openssl", shutil.which("openssl")))
    missing = [name for name, path in tools if not path]
    if missing:
        message = f"{', '.join(missing)} missing: run tests/tools/install-test-tools.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert found is not None
    return found


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


def documented_block(language: str) -> str:
    """The one ```<language> block of docs/feeds.md, as written."""
    pattern = re.compile(rf"^```{language}\n(.*?)^```", re.MULTILINE | re.DOTALL)
    [block] = pattern.findall(DOC.read_text(encoding="utf-8"))
    return block


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"a docs/feeds.md proxy block no longer has {old!r} once"
    return text.replace(old, new)


def nginx_server_block(port: int, upstream: int, cert: Path, key: Path) -> str:
    """The doc's nginx ``server`` block, pointed at this test's ports and certificate."""
    block = documented_block("nginx")
    block = _replace_once(block, "listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    block = _replace_once(block, "server_name calendar.example.org;", "server_name 127.0.0.1;")
    block = re.sub(r"(ssl_certificate) \S+;", f"\\1 {cert};", block, count=1)
    block = re.sub(r"(ssl_certificate_key) \S+;", f"\\1 {key};", block, count=1)
    assert str(cert) in block and str(key) in block, "the doc's nginx block names no certificate"
    return _replace_once(block, f"http://{DOC_UPSTREAM};", f"http://127.0.0.1:{upstream};")


def nginx_conf_head(folder: Path) -> str:
    """nginx.conf up to inside its ``http`` block (the caller adds servers and closes
    it): everything inside ``folder``, which must hold a ``temp`` folder."""
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
"""


def nginx_conf(folder: Path, port: int, upstream: int, cert: Path, key: Path) -> str:
    """A whole nginx.conf around the doc's block: everything inside ``folder``."""
    return f"{nginx_conf_head(folder)}{nginx_server_block(port, upstream, cert, key)}\n}}\n"


def caddyfile(folder: Path, port: int, upstream: int, cert: Path, key: Path) -> str:
    """The doc's Caddy site, on this test's port with its certificate (no ACME, no admin
    endpoint, no port 80 redirect, nothing written outside ``folder``)."""
    site = documented_block("caddyfile")
    site = _replace_once(
        site, "calendar.example.org {", f"https://127.0.0.1:{port} {{\n    tls {cert} {key}"
    )
    site = _replace_once(
        site, f"reverse_proxy {DOC_UPSTREAM}", f"reverse_proxy 127.0.0.1:{upstream}"
    )
    return f"""{{
    admin off
    auto_https disable_redirects
    default_bind 127.0.0.1
    skip_install_trust
    storage file_system {folder / "storage"}
}}
{site}"""


class Proxy:
    """A reverse proxy in the foreground, listening on ``port``; :meth:`stop` ends it.

    ``log`` holds everything it wrote: its error log and access log (nginx), or its
    output (Caddy logs to stderr). Neither can bind port 0 and say which port it got, so
    ``port`` is a free one: :class:`servers.PortTaken` when another process took it
    first (the caller tries another), and started means the listener is the proxy's own.
    """

    def __init__(self, kind: str, folder: Path, port: int, upstream: int, cert: Path) -> None:
        path = need_tools(kind)
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.output = folder / "output.log"
        key = cert.with_name("key.pem")
        if kind == "nginx":
            (folder / "temp").mkdir(exist_ok=True)
            conf = folder / "nginx.conf"
            conf.write_text(nginx_conf(folder, port, upstream, cert, key), encoding="utf-8")
            command = [path, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log"),
                       "-g", "daemon off;"]  # fmt: skip
            env = dict(os.environ)
            self.quit = signal.SIGQUIT  # graceful: finish requests, close the logs
        else:
            conf = folder / "Caddyfile"
            conf.write_text(caddyfile(folder, port, upstream, cert, key), encoding="utf-8")
            command = [path, "run", "--config", str(conf), "--adapter", "caddyfile"]
            home = str(folder / "home")
            env = {**os.environ, "HOME": home, "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
            self.quit = signal.SIGINT
        with self.output.open("wb") as out:
            self.proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                if listens_on(self.proc.pid, port):
                    return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        if port_taken(self.log()):
            raise PortTaken(f"{kind}: port {port} taken")
        raise AssertionError(f"{kind} did not start: {self.log()}")

    def file(self, name: str) -> str:
        path = self.folder / name
        return path.read_text(errors="replace") if path.exists() else ""

    def log(self) -> str:
        return self.file("output.log") + self.file("error.log") + self.file("access.log")

    def stop(self) -> None:
        """Stop it gracefully; killed if it takes over 10 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(self.quit)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
