"""`pc-calendar doctor` says which HTTP version a CalDAV target's push will speak.

Read from the backend's own client on the login's request (no request of its own):
HTTP/1.1 straight to Radicale (plain http), HTTP/2 through a TLS proxy offering ``h2``
by ALPN (Caddy, as tests/sync/test_caldav_http2.py runs it), HTTP/1.1 through the same
proxy speaking HTTP/1.1 only, where ``connections = "one"`` is warned about. The
proxy's access log shows doctor's requests and the protocol each came in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from doctor_helpers import write_calendars
from servers import CalDAVServer
from tls_proxy import TLSProxy, need_tools

from pc_calendar.testing_cli import run_cli


def _target(server: CalDAVServer, calendar: str, **extra) -> dict:
    table = {"type": "caldav", "url": server.base_url, "calendar": calendar}
    table |= {"username": server.username, "password_env": server.password_env}
    return table | extra


def _doctor_json(family) -> tuple[int, dict]:
    result = run_cli(["doctor", str(family), "--parent", "alex", "--json", "--state-beside-plan",
                      "--timeout", "5"])  # fmt: skip
    (target,) = json.loads(result.output)["targets"]
    return result.exit_code, target


def _checks(target: dict) -> dict[str, dict]:
    return {c["name"]: c for c in target["checks"]}


@pytest.fixture(scope="module", params=[True, False], ids=["h2", "h1-only"])
def caddy(request, radicale_server, tmp_path_factory) -> Iterator[TLSProxy]:
    """Caddy in front of the suite's Radicale, offering HTTP/2 or HTTP/1.1 only."""
    need_tools("caddy")
    if radicale_server.process is None or radicale_server.process.poll() is not None:
        radicale_server.start()
    folder = tmp_path_factory.mktemp("doctor-caddy")
    proxy = TLSProxy("caddy", folder, radicale_server.port, http2=request.param).start()
    try:
        yield proxy
    finally:
        proxy.stop()


def test_straight_to_radicale_it_is_http_1_1_in_text_and_json(radicale_server, family):
    calendar = radicale_server.new_calendar()
    write_calendars(family, alex=_target(radicale_server, calendar.path))
    code, target = _doctor_json(family)
    assert code == 0, target
    assert target["http_version"] == "HTTP/1.1"
    protocol = _checks(target)["protocol"]
    assert protocol["status"] == "ok"
    assert protocol["detail"].startswith("HTTP/1.1 (plain http: HTTP/2 is offered over https")
    steps = [c["name"] for c in target["checks"]]
    assert steps.index("login") + 1 == steps.index("protocol") < steps.index("calendar")

    text = run_cli(["doctor", str(family), "--parent", "alex", "--state-beside-plan"])
    assert text.exit_code == 0, text.output + text.stderr
    assert "  [ok  ] protocol: HTTP/1.1 (plain http" in text.output


def test_through_a_tls_proxy_it_is_what_the_proxy_offers(caddy, radicale_server, family):
    h2 = caddy.http2
    calendar = radicale_server.new_calendar()
    write_calendars(family, alex=_target(radicale_server, calendar.path, url=caddy.base_url,
                                         verify=str(caddy.cert)))  # fmt: skip
    before = len(caddy.requests())
    code, target = _doctor_json(family)
    assert code == 0, target
    expected = "HTTP/2" if h2 else "HTTP/1.1"
    assert target["http_version"] == expected
    protocol = _checks(target)["protocol"]
    assert protocol["status"] == "ok" and protocol["detail"].startswith(expected + " (")
    if not h2:
        assert "offers no HTTP/2" in protocol["detail"]
    # doctor's own requests: the standard library's OPTIONS (HTTP/1.1 always), then the
    # backend's login, calendar and write probe, in the version reported; nothing more
    logged = caddy.requests()[before:]
    assert [r.method for r in logged] == ["OPTIONS", "PROPFIND", "PROPFIND", "PUT", "DELETE"]
    assert logged[0].protocol == "HTTP/1.1"
    assert {r.protocol for r in logged[1:]} == {"HTTP/2.0" if h2 else "HTTP/1.1"}


def test_connections_one_is_warned_about_without_http2(caddy, radicale_server, family):
    calendar = radicale_server.new_calendar()
    write_calendars(family, alex=_target(radicale_server, calendar.path, url=caddy.base_url,
                                         verify=str(caddy.cert), connections="one"))  # fmt: skip
    code, target = _doctor_json(family)
    protocol = _checks(target)["protocol"]
    if caddy.http2:
        assert code == 0 and protocol["status"] == "ok"
        assert protocol["detail"] == "HTTP/2 (the writes in flight go on one connection)"
    else:
        assert code == 0 and protocol["status"] == "warn"  # a warning is not a failure
        assert 'connections = "one" needs HTTP/2' in protocol["detail"]
        assert "enable HTTP/2" in protocol["next_step"]
