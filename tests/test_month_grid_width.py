"""The terminal month grid never cuts a parent's id, and uses the terminal's width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pc_calendar.testing_cli import run_cli
from pc_calendar.views.month_grid import CELL, cell_width

EXAMPLE = Path(__file__).parents[1] / "examples" / "rivera-chen.toml"
LONG = "alexandra-nkemelu"


@pytest.fixture
def long_ids(tmp_path) -> Path:
    text = re.sub(r"\balex\b(?!@|-home)", LONG, EXAMPLE.read_text())
    plan = tmp_path / "family.toml"
    plan.write_text(text)
    return plan


def _show(plan: Path, columns: int) -> str:
    result = run_cli(["show", str(plan), "--month", "2026-12"],
                     env={"COLUMNS": str(columns), "NO_COLOR": "1"})  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result.output


@pytest.mark.parametrize("columns", [80, 120, 200])
def test_long_ids_are_never_cut(long_ids, columns):
    out = _show(long_ids, columns)
    assert "…" not in out
    grid = [line for line in out.splitlines() if line.startswith(("│", "┌", "├", "└"))]
    assert grid and all(len(line) <= columns for line in grid)
    if (len(LONG) + 1) * 7 + 1 <= columns:  # room for the whole id on one line
        assert f"│{LONG}" in out.replace(" ", "") or LONG in out
        assert any(LONG in line for line in grid)
    else:  # wrapped inside its cell: both pieces are there, in order
        width = cell_width([LONG], columns)
        assert any(LONG[:width] in line for line in grid)
        assert any(line.count(LONG[width:]) for line in grid)


def test_short_ids_keep_the_compact_grid(tmp_path):
    out = _show(EXAMPLE, 200)
    first_row = next(line for line in out.splitlines() if line.startswith("┌"))
    assert len(first_row) == CELL * 7 + 8  # no wider than the narrowest cells


def test_cell_width_rules():
    assert cell_width(["sam"], 80) == CELL
    assert cell_width(["x" * 17], 200) == 17
    assert cell_width(["x" * 17], 80) == (80 - 8) // 7
    assert cell_width(["x" * 40], 40) == CELL  # never narrower than the minimum
