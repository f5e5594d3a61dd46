"""Fixtures for the client parser tests: each test runs once per parser."""

from __future__ import annotations

import pytest
from interop_parsers import PARSERS, require


@pytest.fixture(params=sorted(PARSERS))
def parser(request: pytest.FixtureRequest) -> str:
    """The name of a client parser that is installed (see interop_parsers.PARSERS)."""
    require(request.param)
    return request.param


@pytest.fixture(autouse=True)
def pinned_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
