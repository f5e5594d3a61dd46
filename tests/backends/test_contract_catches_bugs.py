"""The contract suite is not vacuous: a small correct backend passes it, and each kind of
bug a backend author could make fails the test meant to catch it."""

from __future__ import annotations

import hashlib

import pytest

from pc_calendar.backends.base import (
    Backend,
    DesiredEvent,
    Listing,
    RemoteEvent,
    remote_event_from_ical,
)
from pc_calendar.errors import PreconditionFailed
from pc_calendar.testing import FAMILY_ID, BackendContract


class DictBackend(Backend):
    """About the smallest correct backend; ``bug`` switches one mistake on."""

    def __init__(self, bug: str | None = None) -> None:
        self.bug = bug
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.version = 0
        self.changed: dict[str, int] = {}

    def _store(self, href: str, body: bytes) -> str:
        self.version += 1
        etag = hashlib.sha256(body + str(self.version).encode()).hexdigest()[:16]
        self.objects[href] = (body, etag)
        self.changed[href] = self.version
        return etag

    def list(self, since_token: str | None = None) -> Listing:
        hrefs = sorted(self.objects)
        full = since_token is None
        if not full and self.bug != "token-lists-all":  # the bug: unchanged ones too
            hrefs = [h for h in hrefs if self.changed[h] > int(since_token)]
        events, unmarked = [], []
        for href in hrefs:
            body, etag = self.objects[href]
            remote = remote_event_from_ical(body, href, etag, FAMILY_ID, unmarked=True)
            if remote is None and self.bug == "lists-foreign":
                remote = RemoteEvent("?", href, etag, "?", None)
            if remote is not None and remote.marked:
                events.append(remote)
            elif remote is not None and href == f"{remote.uid}.ics":
                unmarked += [] if self.bug == "drops-stripped" else [remote]
        removed = [
            h
            for h, v in sorted(self.changed.items())
            if not full and v > int(since_token or 0) and h not in self.objects
        ]
        token = str(self.version)
        return Listing(events, full, token, removed=removed, unmarked=unmarked)

    def create(self, event: DesiredEvent) -> RemoteEvent:
        href = f"{event.uid}.ics"
        if href in self.objects and self.bug != "create-overwrites":
            raise PreconditionFailed(href, "exists")
        return self._written(href, event)

    def update(self, remote: RemoteEvent, event: DesiredEvent) -> RemoteEvent:
        self._check(remote)
        return self._written(remote.href, event)

    def delete(self, remote: RemoteEvent) -> None:
        self._check(remote)
        del self.objects[remote.href]
        self.changed[remote.href] = self.version = self.version + 1

    def _check(self, remote: RemoteEvent) -> None:
        current = self.objects.get(remote.href)
        if current is None or (current[1] != remote.etag and self.bug != "ignores-etag"):
            raise PreconditionFailed(remote.href)

    def _written(self, href: str, event: DesiredEvent) -> RemoteEvent:
        body = event.ical
        if self.bug == "ascii-only":
            body = body.decode("utf-8").encode("ascii", "replace")
        etag = self._store(href, body)
        return remote_event_from_ical(body, href, etag, FAMILY_ID)  # type: ignore[return-value]


class TestDictBackendContract(BackendContract):
    """The reference: the suite passes on a correct backend."""

    @pytest.fixture
    def backend(self) -> Backend:
        return DictBackend()

    def foreign_put(self, backend: Backend, name: str, ical: bytes) -> None:
        assert isinstance(backend, DictBackend)
        backend._store(name, ical)

    def foreign_get(self, backend: Backend, name: str) -> bytes | None:
        assert isinstance(backend, DictBackend)
        found = backend.objects.get(name)
        return found[0] if found else None


@pytest.mark.parametrize(
    ("bug", "test_name"),
    [
        ("ignores-etag", "test_stale_etag_refused"),
        ("create-overwrites", "test_create_existing_fails"),
        ("lists-foreign", "test_foreign_events_not_listed_and_untouched"),
        ("token-lists-all", "test_no_changes_gives_empty_incremental_listing"),
        ("ascii-only", "test_unicode_and_long_fields_round_trip"),
        ("drops-stripped", "test_stripped_event_listed_apart"),
    ],
)
def test_each_bug_is_caught(bug: str, test_name: str) -> None:
    suite = TestDictBackendContract()
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        getattr(suite, test_name)(DictBackend(bug))
    getattr(suite, test_name)(DictBackend())  # and the same test passes without the bug
