"""Test folders import their helpers by a name that means the same in any run.

Test folders without ``__init__.py`` are put on ``sys.path`` and their helper modules
imported by bare name. ``conftest`` is the one name every folder shares: pytest keeps
only the last one it loaded under that name, so ``from conftest import ...`` worked in
the full run and broke for ``pytest tests/doctor tests/feeds``. The same happens to
any helper module whose name another folder also uses.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [ROOT / "tests", *sorted((ROOT / "plugins").glob("*/tests"))]


def _test_sources() -> list[Path]:
    return [
        path
        for folder in FOLDERS
        for path in sorted(folder.rglob("*.py"))
        if "node_modules" not in path.parts
    ]


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names


def test_no_test_imports_a_conftest_by_name():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _test_sources()
        if "conftest" in _imported_modules(path)
    ]
    assert offenders == [], "move the shared helpers into a uniquely named module"


def test_helper_module_names_are_unique_across_test_folders():
    helpers = [
        path
        for path in _test_sources()
        if path.name != "conftest.py"
        and not path.name.startswith("test_")
        and not (path.parent / "__init__.py").exists()
    ]
    counts = Counter(path.stem for path in helpers)
    assert {name for name, n in counts.items() if n > 1} == set()


def test_the_guard_sees_a_bare_conftest_import(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text("from conftest import write_calendars\nimport conftest as c\n")
    assert "conftest" in _imported_modules(sample)
