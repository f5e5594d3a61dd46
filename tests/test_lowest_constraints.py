"""tests/tools/constraints-lowest.txt pins exactly the lower bounds the packages state.

``tests/tools/run-lowest-versions.sh`` runs the suite with those pins, so a lower bound
in a pyproject.toml is honest only while its pin here moves with it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "tests" / "tools" / "constraints-lowest.txt"
OURS = {"pc-calendar"}


def lower_bounds() -> dict[str, Version]:
    """Every dependency's ``>=`` bound (core, its test extra, the example plugins); the
    highest where several packages name one, since that is the lowest all accept."""
    files = [ROOT / "pyproject.toml", *sorted((ROOT / "plugins").glob("*/pyproject.toml"))]
    bounds: dict[str, Version] = {}
    for file in files:
        project = tomllib.loads(file.read_text(encoding="utf-8"))["project"]
        requirements = project.get("dependencies", [])
        if file.parent == ROOT:  # every extra: the test extra pulls in the others
            for extra in project.get("optional-dependencies", {}).values():
                requirements += extra
        for text in requirements:
            requirement = Requirement(text)
            name = canonicalize_name(requirement.name)
            for spec in requirement.specifier:
                if spec.operator == ">=" and name not in OURS:
                    bounds[name] = max(
                        bounds.get(name, Version(spec.version)), Version(spec.version)
                    )
    return bounds


def pins() -> dict[str, Version]:
    found = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            found[canonicalize_name(name)] = Version(version)
    return found


def test_every_lower_bound_is_pinned_in_the_lowest_constraints():
    assert pins() == lower_bounds()
