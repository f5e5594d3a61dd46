"""Shared fixtures: real CalDAV servers (Radicale, Xandikos) started once per session.

Each server is a subprocess on a free 127.0.0.1 port with its own temp storage; tests get
a fresh calendar collection each (``caldav_calendar``), so they never see each other's
events. Tests that kill a server use the ``*_server`` fixture and must restart it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from servers import CalDAVServer, CalendarRef, RadicaleServer, XandikosServer


@pytest.fixture(autouse=True, scope="session")
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test writes to the real user data folder: exchange logs, tokens and sync state
    that a test leaves to their defaults land in a temp folder (tests that check the
    defaults themselves set or unset the variable)."""
    saved = os.environ.get("PC_CALENDAR_DATA_DIR")
    os.environ["PC_CALENDAR_DATA_DIR"] = str(tmp_path_factory.mktemp("data-dir"))
    yield
    if saved is None:
        os.environ.pop("PC_CALENDAR_DATA_DIR", None)
    else:
        os.environ["PC_CALENDAR_DATA_DIR"] = saved


def _serve(server: CalDAVServer) -> Iterator[CalDAVServer]:
    if server.password is not None:
        os.environ[server.password_env] = server.password
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def radicale_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CalDAVServer]:
    yield from _serve(RadicaleServer(tmp_path_factory.mktemp("radicale")))


@pytest.fixture(scope="session")
def xandikos_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CalDAVServer]:
    yield from _serve(XandikosServer(tmp_path_factory.mktemp("xandikos")))


@pytest.fixture(params=["radicale", "xandikos"])
def caldav_server(request: pytest.FixtureRequest) -> CalDAVServer:
    """Each CalDAV server in turn (running; restarted if a previous test killed it)."""
    server = request.getfixturevalue(f"{request.param}_server")
    if server.process is None or server.process.poll() is not None:
        server.start()
    return server


@pytest.fixture
def caldav_calendar(caldav_server: CalDAVServer) -> CalendarRef:
    """A fresh, empty calendar collection on each server in turn."""
    return caldav_server.new_calendar()
