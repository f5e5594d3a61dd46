"""Plans named ``PLAN@REV``: the plan file as it was at a git revision.

``plan.toml@HEAD``, ``plan.toml@v2``, ``plan.toml@HEAD~3`` or ``plan.toml@2b1c9e0``
read the file with ``git show`` from the repository the plan's folder is in. A
``school.ics`` the plan names by a relative path is read from the same revision, so an
old plan is compared with the school calendar it was written against. A name that is
an existing file is always that file, even with an ``@`` in it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pluggy

from ..errors import PlanError, UserError
from ..plan.load import load_plan, parse_plan_text
from ..plan.model import Plan


@dataclass(frozen=True)
class PlanRef:
    """A plan file, optionally at a git revision; ``label`` is how output names it."""

    path: Path
    revision: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path}@{self.revision}" if self.revision else str(self.path)


@contextlib.contextmanager
def blamed_on(label: str) -> Iterator[None]:
    """Report an engine's PlanError (which knows keys, not files) against ``label``."""
    try:
        yield
    except PlanError as exc:
        if exc.path is not None:
            raise
        raise PlanError(label, exc.problems) from None


def parse_ref(value: str) -> PlanRef:
    """``PLAN`` or ``PLAN@REV`` (split at the first ``@``, so ``HEAD@{1}`` works)."""
    if "@" not in value or Path(value).exists():
        return PlanRef(Path(value))
    path, revision = value.split("@", 1)
    if not path or not revision:
        raise UserError(f"{value}: expected PLAN.toml@REVISION, e.g. plan.toml@HEAD~1")
    return PlanRef(Path(path), revision)


def _git(folder: Path, *args: str, what: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise UserError(f"{what}: reading a revision needs git, which is not installed") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UserError(f"{what}: git could not read it ({reason[-1] if reason else 'failed'})")
    return done.stdout


def read_at_revision(ref: PlanRef, relative: str, what: str) -> bytes:
    """The bytes of ``relative`` (to the plan's folder) at ``ref.revision``; errors
    begin with ``what``."""
    folder = ref.path.parent if str(ref.path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"{ref.label}: no folder {folder} to find the git repository from")
    name = PurePosixPath(os.path.normpath(PurePosixPath(relative)))
    return _git(folder, "show", f"{ref.revision}:./{name}", what=what)


def _school_ics(text: str) -> str | None:
    """The relative ``school.ics`` path the plan names, if any (absolute paths stay put)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None  # parse_plan_text reports it with its line
    school = data.get("school")
    ics = school.get("ics") if isinstance(school, dict) else None
    if isinstance(ics, str) and ics and not Path(ics).is_absolute():
        return ics
    return None


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def load_ref(ref: PlanRef, pm: pluggy.PluginManager | None = None) -> Plan:
    """The validated plan ``ref`` names; problems are reported against ``ref.label``."""
    if ref.revision is None:
        return load_plan(ref.path, pm)
    raw = read_at_revision(ref, ref.path.name, ref.label)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{ref.label}: not UTF-8 text") from None
    ics = _school_ics(text)
    with tempfile.TemporaryDirectory(prefix="pc-calendar-rev-") as tmp:
        # Mirror the layout so the relative school.ics resolves inside the folder,
        # even when it climbs out of the plan's folder with "..".
        ups = len([p for p in PurePosixPath(os.path.normpath(ics or ".")).parts if p == ".."])
        folder = Path(tmp).joinpath(*(["d"] * ups))
        if ics is not None:
            _write_private(
                folder / ics, read_at_revision(ref, ics, f"{ref.label}: school.ics {ics!r}")
            )
        try:
            return parse_plan_text(text, folder / ref.path.name, pm).plan
        except PlanError as exc:
            raise PlanError(ref.label, exc.problems) from None
