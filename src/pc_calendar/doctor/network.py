"""The way to an HTTP(S) server, one layer at a time: name, connection, TLS, HTTP.

Each layer fails with its own words, so "the server is down" is never reported as "wrong
password" or "calendar not found". Uses only the standard library, so what it reports is
what the network does, not what a client library makes of it.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from .report import FAIL, OK, WARN, TargetReport

#: more than this between the server's clock and ours is reported
CLOCK_SKEW_LIMIT = 60.0
NETWORK_STEPS = ["name", "connection", "tls", "http"]


def tls_context(verify: bool | str) -> ssl.SSLContext:
    """The context a target's ``verify`` setting asks for (a CA bundle or pinned cert)."""
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)


def check_network(
    report: TargetReport, url: str, timeout: float, verify: bool | str = True
) -> bool:
    """Name, connection, TLS and an HTTP answer; True when the server answered."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    tls = parts.scheme == "https"
    port = parts.port or (443 if tls else 80)
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        report.add(
            "name",
            FAIL,
            f"cannot resolve {host} ({exc.strerror})",
            "check the host name in the target's url, or this machine's DNS",
        )
        return False
    report.add("name", OK, f"{host} is {addresses[0][4][0]}")
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError:
        report.add(
            "connection",
            FAIL,
            f"no answer from {host}:{port} within {timeout:g} s",
            "check the port in the url; a firewall may drop the connection",
        )
        return False
    except OSError as exc:
        report.add(
            "connection",
            FAIL,
            f"{host}:{port} refused the connection ({exc.strerror})",
            f"is the server running and listening on port {port}?",
        )
        return False
    with sock:
        report.add("connection", OK, f"connected to {host}:{port}")
        if tls and not _check_tls(report, sock, host, verify):
            return False
    if not tls:
        report.add(
            "tls",
            WARN if host not in ("localhost", "127.0.0.1", "::1") else OK,
            "plain http: the password and the family's events cross the network unencrypted",
            "use the server's https:// address",
        )
    return _check_http(report, parts, timeout, verify)


def _check_tls(report: TargetReport, sock: socket.socket, host: str, verify: bool | str) -> bool:
    try:
        with tls_context(verify).wrap_socket(sock, server_hostname=host) as wrapped:
            version = wrapped.version()
    except ssl.SSLCertVerificationError as exc:
        report.add(
            "tls",
            FAIL,
            f"the server's certificate is not trusted ({exc.verify_message})",
            'if the server uses its own certificate, set verify = "path/to/ca-or-cert.pem" '
            "in the target (the CA bundle, or the server's own certificate to pin it)",
        )
        return False
    except (ssl.SSLError, OSError) as exc:
        report.add(
            "tls",
            FAIL,
            f"TLS handshake failed ({exc.__class__.__name__}: {exc})",
            "check that the url's port speaks https",
        )
        return False
    report.add("tls", OK, f"{version}, certificate trusted")
    return True


def _check_http(report: TargetReport, parts: object, timeout: float, verify: bool | str) -> bool:
    host, port = parts.hostname, parts.port  # type: ignore[attr-defined]
    if parts.scheme == "https":  # type: ignore[attr-defined]
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=tls_context(verify)
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    sent = time.time()
    try:
        conn.request("OPTIONS", parts.path or "/")  # type: ignore[attr-defined]
        response = conn.getresponse()
        response.read()
    except (OSError, http.client.HTTPException) as exc:
        report.add(
            "http",
            FAIL,
            f"no HTTP answer ({exc.__class__.__name__})",
            "check that the url points at a web server",
        )
        return False
    finally:
        conn.close()
    received = time.time()
    dav = response.getheader("DAV") or ""
    status = response.status
    if status >= 500:
        report.add(
            "http", FAIL, f"server error HTTP {status}", "try later, or ask its administrator"
        )
        return False
    caldav = "calendar-access" in dav
    report.add(
        "http",
        OK if caldav or status == 401 else WARN,
        f"HTTP {status}" + ("; speaks CalDAV" if caldav else "; no CalDAV in its DAV header"),
        None if caldav or status == 401 else "check that the url is the CalDAV address",
    )
    _check_clock(report, response.getheader("Date"), (sent + received) / 2)
    return True


def _check_clock(report: TargetReport, date_header: str | None, local: float) -> None:
    if not date_header:
        report.add("clock", WARN, "the server sent no Date header; clock skew unknown")
        return
    try:
        server = parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        report.add("clock", WARN, f"unreadable Date header {date_header!r}")
        return
    skew = server.timestamp() - local
    here = datetime.fromtimestamp(local, UTC).strftime("%H:%M:%S")
    if abs(skew) > CLOCK_SKEW_LIMIT:
        report.add(
            "clock",
            WARN,
            f"the server's clock is {skew:+.0f} s from this machine's ({here} UTC here)",
            "fix the clock (NTP) on whichever machine is wrong: reminders and check-in "
            "windows depend on it",
        )
    else:
        report.add("clock", OK, f"within {CLOCK_SKEW_LIMIT:g} s of this machine ({skew:+.1f} s)")
