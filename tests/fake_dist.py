"""Install a throw-away distribution with ``pc_calendar`` entry points, for tests.

Writes ``NAME-VERSION.dist-info`` (METADATA + entry_points.txt) and optional modules
into a folder put on ``sys.path``: ``importlib.metadata`` then finds the entry points
exactly as it finds a pip-installed plugin's, without installing anything.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest


def install_fake_dist(
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    name: str,
    version: str,
    entry_points: dict[str, str],
    modules: dict[str, str] | None = None,
) -> Path:
    """Make ``name==version`` visible with ``entry_points`` (ep name -> 'module:attr')."""
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = ["[pc_calendar]"] + [f"{ep} = {target}" for ep, target in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for module, source in (modules or {}).items():
        (root / f"{module}.py").write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(root))
    for module in modules or {}:
        monkeypatch.delitem(sys.modules, module, raising=False)
    return root
