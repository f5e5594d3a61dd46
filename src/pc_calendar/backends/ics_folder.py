"""The embedded default target: a folder of plain files, no account or server needed.

``type = "ics", folder = PATH`` (relative to the plan file) holds

- ``<folder>/vdir/``: one ``.ics`` per event, the layout khal and vdirsyncer read; the
  parent's own files there are never touched (we only ever write at our UIDs' names and
  only change files whose bytes still hash to the etag we saw);
- ``<folder>/<family>-<parent>.ics``: one subscribable feed of all our events,
  regenerated from the vdir when the sync closes the calendar after changes.

Every write is atomic (temp file, then rename or link), the etag is a hash of the file's
bytes, and the change token is a digest of the vdir's (name, inode, size, mtime), so a
no-op re-run reads a directory listing and no file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from .. import hookimpl
from ..errors import BackendError, PreconditionFailed, UserError
from ..identity import is_ours
from .base import (
    Backend,
    DesiredEvent,
    Listing,
    RemoteEvent,
    remote_event_from_ical,
    remote_from_desired,
)

UNSAFE = re.compile(r"[^A-Za-z0-9@._-]")


def file_name(uid: str) -> str:
    """The file we keep the event with ``uid`` in."""
    return UNSAFE.sub("_", uid) + ".ics"


def etag_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


class IcsFolderBackend(Backend):
    """One parent's folder: a vdir plus a feed generated from it."""

    def __init__(
        self, folder: Path, family_id: str, parent_id: str, *, dry_run: bool = False
    ) -> None:
        self.folder = folder
        self.vdir = folder / "vdir"
        self.feed = folder / f"{family_id}-{parent_id}.ics"
        self.family_id = family_id
        self.parent_id = parent_id
        self.dry_run = dry_run
        self.label = f"ics {folder}"
        self._dirty = False
        self._requests = 0
        self._listed: dict[str, str] | None = None  # file signatures at the last listing

    # -- reading ---------------------------------------------------------------------------

    def _files(self) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(self.vdir) as entries:
                return sorted(
                    (
                        e
                        for e in entries
                        if e.name.endswith(".ics") and not e.name.startswith(".") and e.is_file()
                    ),
                    key=lambda e: e.name,
                )
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise BackendError(
                f"cannot read {self.vdir} ({exc.strerror})", target=self.label
            ) from None

    @staticmethod
    def _signatures(files: list[os.DirEntry[str]]) -> dict[str, str]:
        """Per file what changes with any write: name -> inode, size, mtime."""
        found = {}
        for entry in files:
            st = entry.stat()
            found[entry.name] = f"{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}"
        return found

    @staticmethod
    def _token(signatures: dict[str, str]) -> str:
        digest = hashlib.sha256()
        for name, signature in signatures.items():
            digest.update(f"{name}\0{signature}\n".encode())
        return "vdir-" + digest.hexdigest()[:32]

    def list(self, since_token: str | None = None) -> Listing:
        self._requests += 1
        files = self._files()
        self._listed = self._signatures(files)
        token = self._token(self._listed)
        newest = max((e.stat().st_mtime_ns for e in files), default=0)
        if not self.feed.exists() or self.feed.stat().st_mtime_ns < newest:
            self._dirty = True  # an earlier run stopped before regenerating the feed
        if since_token is not None and since_token == token:
            return Listing(events=[], full=False, token=token, requests=1)
        listing = Listing(events=[], full=True, token=token, requests=1)
        for entry in files:
            body = self._read(Path(entry.path))
            remote = None
            if body is not None:
                etag = etag_of(body)
                remote = remote_event_from_ical(
                    body, entry.name, etag, self.family_id, unmarked=True
                )
            if remote is not None and remote.marked:
                listing.events.append(remote)
            elif remote is not None and entry.name == file_name(remote.uid):
                listing.unmarked.append(remote)  # ours, stripped of its marker by a client
        return listing

    @property
    def feed_outdated(self) -> bool:
        """Whether :meth:`close` will write the feed: after our writes, or (seen by a
        listing) when an earlier run stopped before regenerating it."""
        return self._dirty

    def confirm_writes(
        self, since_token: str | None, written: Mapping[str, str | None], deleted: Collection[str]
    ) -> str | None:
        """The vdir's token now, if every file that changed since the listing is ours.

        Changed files must hash to the etag our write gave them (a parent's app editing
        one meanwhile is left for the next run to see); vanished ones must be our deletes.
        """
        if self._listed is None or since_token != self._token(self._listed):
            return None
        self._requests += 1
        now = self._signatures(self._files())
        if any(name not in now for name in written):
            return None
        if any(name not in now and name not in deleted for name in self._listed):
            return None
        for name, signature in now.items():
            if self._listed.get(name) == signature:
                continue
            body = self._read(self.vdir / name)
            if name not in written or body is None or etag_of(body) != written[name]:
                return None
        return self._token(now)

    def _read(self, path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise BackendError(f"cannot read {path} ({exc.strerror})", target=self.label) from None

    def fetch(self, remote: RemoteEvent) -> bytes | None:
        self._requests += 1
        return self._read(self.vdir / remote.href)

    @property
    def request_count(self) -> int:
        return self._requests

    # -- writing ---------------------------------------------------------------------------

    def create(self, event: DesiredEvent) -> RemoteEvent:
        self._requests += 1
        name = file_name(event.uid)
        path = self.vdir / name

        def place(tmp: str) -> None:
            try:
                os.link(tmp, path)  # fails if the name exists: never clobbers
            except FileExistsError:
                raise PreconditionFailed(name, "already exists") from None

        self._check_ours(event)
        self._write(event.ical, place)
        return remote_from_desired(event, name, etag_of(event.ical))

    def update(self, remote: RemoteEvent, event: DesiredEvent) -> RemoteEvent:
        self._requests += 1
        self._check_ours(event)
        path = self._check_match(remote)
        self._write(event.ical, lambda tmp: os.replace(tmp, path))
        return remote_from_desired(event, remote.href, etag_of(event.ical))

    def delete(self, remote: RemoteEvent) -> None:
        self._requests += 1
        path = self._check_match(remote)
        self._guard()
        try:
            path.unlink()
        except FileNotFoundError:
            raise PreconditionFailed(remote.href, "gone") from None
        except OSError as exc:
            raise BackendError(
                f"cannot delete {path} ({exc.strerror})", target=self.label
            ) from None
        self._dirty = True

    def close(self) -> None:
        """Regenerate the feed if the vdir changed (never in a dry run)."""
        if self._dirty and not self.dry_run:
            self.write_feed()
            self._dirty = False

    def write_feed(self) -> None:
        """The feed: every event of ours in the vdir, one VCALENDAR, deterministic."""
        from .ics_feed import build_feed  # not needed by a no-op (see sync.quick)

        bodies = (body for e in self._files() if (body := self._read(Path(e.path))) is not None)
        feed = build_feed(bodies, self.family_id, f"{self.family_id}: {self.parent_id}")
        self.folder.mkdir(parents=True, exist_ok=True)
        self._atomic(self.folder, feed, lambda tmp: os.replace(tmp, self.feed))

    # -- internals -------------------------------------------------------------------------

    def _guard(self) -> None:
        if self.dry_run:
            raise BackendError("refusing to write during a dry run", target=self.label)

    def _check_match(self, remote: RemoteEvent) -> Path:
        path = self.vdir / remote.href
        body = self._read(path)
        if body is None:
            raise PreconditionFailed(remote.href, "gone")
        if remote.etag is not None and etag_of(body) != remote.etag:
            raise PreconditionFailed(remote.href, "changed since listed")
        return path

    def _write(self, body: bytes, place: Callable[[str], None]) -> None:
        self._guard()
        try:
            self.vdir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackendError(
                f"cannot create {self.vdir} ({exc.strerror})", target=self.label
            ) from None
        self._atomic(self.vdir, body, place)
        self._dirty = True

    def _atomic(self, folder: Path, body: bytes, place: Callable[[str], None]) -> None:
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".pc-calendar-", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            place(tmp)
        except OSError as exc:
            raise BackendError(
                f"cannot write in {folder} ({exc.strerror})", target=self.label
            ) from None
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)

    def _check_ours(self, event: DesiredEvent) -> None:
        """Never write what we could not recognise (and so never clean up) later."""
        if event.event is None or not is_ours(event.event, self.family_id):
            raise BackendError(
                f"event {event.uid} lacks our marker; not written", target=self.label
            )


def ics_factory(config: dict[str, Any], context: Any) -> IcsFolderBackend:
    """``type = "ics", folder = PATH``: PATH relative to the plan file's folder."""
    unknown = sorted(set(config) - {"folder"})
    if unknown:
        raise UserError(
            f"{context.source}: unknown key {unknown[0]!r} for an ics target",
            hint='an ics target takes only folder = "PATH"',
        )
    folder = config.get("folder")
    if not isinstance(folder, str) or not folder:
        raise UserError(f'{context.source}: folder: expected a path like "out/alex"')
    return IcsFolderBackend(
        context.path(folder), context.family_id, context.parent_id, dry_run=context.dry_run
    )


@hookimpl
def pc_calendar_register_backends(register: Callable[[str, Any], None]) -> None:
    register("ics", ics_factory)
