"""CalDAV steps after the network: login, the HTTP version, the calendar, how changes
can be asked for."""

from __future__ import annotations

from typing import Any

from ..errors import BackendError
from .report import FAIL, OK, WARN, TargetReport

_SUPPORT_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">'
    "<D:prop><D:sync-token/><CS:getctag/><D:current-user-privilege-set/></D:prop>"
    "</D:propfind>"
)


def check_login(report: TargetReport, backend: Any, discover_hint: str) -> bool:
    """The user's principal answers with these credentials."""
    from ..backends.caldav_discover import _principal

    settings = backend.settings
    who = settings.username or "(no user)"
    try:
        principal = _principal(backend.session)
    except BackendError as exc:
        if "authentication failed" in exc.message:
            step = (
                "check the password its source gives (password_env, password_file or "
                "keyring) and the username"
                if settings.password
                else "the server wants a login: add username and a password source "
                '(password_env = "VAR", keyring = true or password_file = "PATH")'
            )
            report.add("login", FAIL, f"the server refused {who}", step)
        else:
            report.add("login", FAIL, exc.message, discover_hint)
        return False
    report.add("login", OK, f"logged in as {who} (principal {principal})")
    return True


def check_protocol(report: TargetReport, backend: Any) -> None:
    """The HTTP version the push will speak, as the backend's client negotiated it on
    the login's request (HTTP/2 when the server offers ``h2`` by ALPN over TLS, else
    HTTP/1.1): no request of its own. The network steps use the standard library,
    which only speaks HTTP/1.1, so they cannot tell."""
    protocol = backend.session.clients.protocol
    if protocol is None:
        return
    report.http_version = protocol
    one = backend.settings.connections == "one"
    if protocol not in ("HTTP/1.1", "HTTP/1.0"):
        shared = "one connection" if one else "a connection per write in flight"
        report.add("protocol", OK, f"{protocol} (the writes in flight go on {shared})")
        return
    why = (
        "plain http: HTTP/2 is offered over https only"
        if backend.settings.url.startswith("http:")
        else "the server (or its proxy) offers no HTTP/2"
    )
    if one:
        report.add(
            "protocol",
            WARN,
            f'{protocol} ({why}): connections = "one" needs HTTP/2, so each write in '
            "flight still takes a connection of its own",
            'enable HTTP/2 on the server or its proxy, or remove connections = "one"',
        )
        return
    report.add("protocol", OK, f"{protocol} ({why}); each write in flight on its own connection")


def check_calendar(report: TargetReport, backend: Any, discover_hint: str) -> bool:
    try:
        collection = backend.collection
        response = backend.session.request(
            "PROPFIND",
            collection,
            _SUPPORT_BODY,
            {"Depth": "0", "Content-Type": "application/xml"},
        )
    except BackendError as exc:
        found = exc.hint or ""
        report.add("calendar", FAIL, f"{exc.message}; {found}".rstrip("; "), discover_hint)
        return False
    if response.status == 404 or response.all_responses_not_found():
        report.add("calendar", FAIL, f"no calendar at {collection}", discover_hint)
        return False
    report.add("calendar", OK, f"found at {collection}")
    _check_changes(report, response)
    return True


def _check_changes(report: TargetReport, response: Any) -> None:
    """Sync tokens make a no-op one request; a ctag alone costs a full listing on change."""
    tree = response.tree
    token = tree is not None and any(e.text for e in tree.iter("{DAV:}sync-token"))
    ctag = tree is not None and any(
        e.text for e in tree.iter("{http://calendarserver.org/ns/}getctag")
    )
    if token:
        report.add("changes", OK, "sync tokens (RFC 6578): a no-op sync costs one request")
    elif ctag:
        report.add("changes", OK, "a ctag but no sync token: a change costs a full listing")
    else:
        report.add(
            "changes",
            WARN,
            "neither sync tokens nor a ctag: every sync lists the whole calendar",
            "nothing to fix here; syncs are slower on this server",
        )
