"""An in-memory calendar for fast sync-engine tests.

It behaves like a small CalDAV collection: objects live at hrefs with etags, writes are
conditional, an optional change log answers ``list(since_token)`` like RFC 6578, and
every call counts as one request. Tests simulate the parent with ``put_foreign``,
``edit`` and ``remove`` (which do not count as requests) and inject faults with
``fault`` (a callable run before every request) or ``fail_after_writes``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any

from .. import hookimpl
from ..errors import BackendError, PreconditionFailed, TransientBackendError
from ..identity import is_ours
from .base import (
    Backend,
    DesiredEvent,
    Listing,
    RemoteEvent,
    remote_event_from_ical,
    remote_from_desired,
)

FaultHook = Callable[[str, str | None], None]


class Crash(Exception):
    """Raised by ``fail_after_writes``: stands in for a process killed mid-sync."""


def _etag(body: bytes, version: int) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:12]}-{version}"'


class MemoryBackend(Backend):
    """One calendar held in a dict of href -> (body, etag)."""

    def __init__(self, family_id: str, *, label: str = "memory", tokens: bool = True) -> None:
        self.family_id = family_id
        self.label = label
        self.tokens = tokens
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.fault: FaultHook | None = None
        self.fail_after_writes: int | None = None
        self.writes = 0
        #: like Xandikos: a delta leaves out members created and deleted since the token
        self.omit_transient = False
        self._born: dict[str, int] = {}
        self._requests = 0
        self._version = 0
        self._log: list[tuple[int, str]] = []  # (version, href) of every change
        #: set above 1 to have the engine send writes from several threads (see
        #: sync.concurrent); every call then holds the lock, as a server serialises
        self.max_in_flight = 1
        self._lock = threading.RLock()

    # -- the Backend interface -------------------------------------------------------

    def list(self, since_token: str | None = None) -> Listing:
        with self._lock:
            self._request("list", None)
            since = self._parse_token(since_token)
            token = str(self._version) if self.tokens else None
            full = since is None
            hrefs = sorted(self.objects) if full else sorted({h for v, h in self._log if v > since})
            listing = Listing(events=[], full=full, token=token, requests=1)
            for href in hrefs:
                if href not in self.objects:
                    if not (self.omit_transient and self._born.get(href, 0) > since):
                        listing.removed.append(href)
                    continue
                body, etag = self.objects[href]
                event = remote_event_from_ical(body, href, etag, self.family_id, unmarked=True)
                if event is not None and event.marked:
                    listing.events.append(event)
                elif event is not None and href == f"{event.uid}.ics":
                    listing.unmarked.append(event)  # ours, stripped of its marker by a client
                elif not full:
                    listing.removed.append(href)  # no longer (or never) ours: gone, we know
            return listing

    def create(self, event: DesiredEvent) -> RemoteEvent:
        with self._lock:
            href = f"{event.uid}.ics"
            self._request("create", href)
            if href in self.objects:
                raise PreconditionFailed(href, "already exists")
            return self._write(href, event)

    def update(self, remote: RemoteEvent, event: DesiredEvent) -> RemoteEvent:
        with self._lock:
            self._request("update", remote.href)
            self._check_match(remote)
            return self._write(remote.href, event)

    def delete(self, remote: RemoteEvent) -> None:
        with self._lock:
            self._request("delete", remote.href)
            self._check_match(remote)
            del self.objects[remote.href]
            self._changed(remote.href)
            self._count_write()

    def fetch(self, remote: RemoteEvent) -> bytes | None:
        self._request("fetch", remote.href)
        found = self.objects.get(remote.href)
        return found[0] if found else None

    @property
    def request_count(self) -> int:
        return self._requests

    # -- what the parent (or another client) does, not counted as our requests -------

    def put_foreign(self, href: str, body: bytes) -> None:
        """Store any object at ``href`` (a parent's own event, or an edit of ours)."""
        self._version += 1
        if href not in self.objects:
            self._born[href] = self._version
        self.objects[href] = (body, _etag(body, self._version))
        self._log.append((self._version, href))

    edit = put_foreign

    def remove(self, href: str) -> None:
        """Delete an object as the parent would."""
        del self.objects[href]
        self._changed(href)

    def href_of(self, uid: str) -> str:
        return f"{uid}.ics"

    # -- internals ---------------------------------------------------------------------

    def _parse_token(self, token: str | None) -> int | None:
        if token is None or not self.tokens:
            return None
        try:
            value = int(token)
        except ValueError:
            return None  # an unknown token: fall back to a full listing, like a server
        return value if value <= self._version else None

    def _request(self, op: str, href: str | None) -> None:
        self._requests += 1
        if self.fault is not None:
            self.fault(op, href)

    def _check_match(self, remote: RemoteEvent) -> None:
        current = self.objects.get(remote.href)
        if current is None:
            raise PreconditionFailed(remote.href, "gone")
        if remote.etag is not None and current[1] != remote.etag:
            raise PreconditionFailed(remote.href, "etag changed")

    def _write(self, href: str, event: DesiredEvent) -> RemoteEvent:
        if event.event is None or not is_ours(event.event, self.family_id):
            raise BackendError(
                f"refusing to store an event without our marker: {event.uid}", target=self.label
            )
        self._version += 1
        if href not in self.objects:
            self._born[href] = self._version
        etag = _etag(event.ical, self._version)
        self.objects[href] = (event.ical, etag)
        self._log.append((self._version, href))
        self._count_write()
        return remote_from_desired(event, href, etag)

    def _changed(self, href: str) -> None:
        self._version += 1
        self._log.append((self._version, href))

    def _count_write(self) -> None:
        self.writes += 1
        if self.fail_after_writes is not None and self.writes >= self.fail_after_writes:
            self.fail_after_writes = None
            raise Crash(f"crash injected after {self.writes} writes")


def transient_faults(
    count: int, ops: tuple[str, ...] = ("create", "update", "delete")
) -> FaultHook:
    """A fault hook failing the next ``count`` matching requests with a transient error."""
    left = [count]

    def hook(op: str, href: str | None) -> None:
        if op in ops and left[0] > 0:
            left[0] -= 1
            raise TransientBackendError("503 service unavailable (injected)", target="memory")

    return hook


_SHARED: dict[str, MemoryBackend] = {}


def reset_memory_calendars() -> None:
    """Forget every process-wide memory calendar (test isolation)."""
    _SHARED.clear()


def memory_factory(config: dict[str, Any], context: Any) -> MemoryBackend:
    """``type = "memory", name = "x"``: calendars that live as long as the process."""
    name = str(config.get("name", "default"))
    family_id = context.family_id
    key = f"{family_id}/{name}"
    if key not in _SHARED:
        _SHARED[key] = MemoryBackend(
            family_id, label=f"memory {name}", tokens=bool(config.get("tokens", True))
        )
    return _SHARED[key]


@hookimpl
def pc_calendar_register_backends(register: Callable[[str, Any], None]) -> None:
    register("memory", memory_factory)
