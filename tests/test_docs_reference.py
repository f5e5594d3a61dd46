"""Every TOML example in docs/plan-reference.md loads, so the reference stays accurate.

A block that starts a plan (has ``[family]``) is loaded as it is and must check clean.
Any other block is a fragment: it is loaded inside a small base plan whose tables it
does not define itself, and its timeline is computed, so a key the model does not know,
a bad option or an unknown id fails here.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

from pc_calendar.plan.lint import lint_plan
from pc_calendar.plan.load import load
from pc_calendar.schedule.engine import compute_timeline

DOC = Path(__file__).parents[1] / "docs" / "plan-reference.md"
BLOCK = re.compile(r"^```toml\n(.*?)^```", re.MULTILINE | re.DOTALL)

# The base plan fragments are dropped into, one chunk per top-level table.
BASE = {
    "family": '[family]\nid = "doc-family"\nname = "Doc family"\ntimezone = "America/Chicago"\n',
    "parents": '[parents.alex]\nname = "Alex"\n\n[parents.sam]\nname = "Sam"\n',
    "children": (
        '[[children]]\nid = "maya"\nname = "Maya"\nbirth_date = 2016-04-12\n\n'
        '[[children]]\nid = "leo"\nname = "Leo"\nbirth_date = 2019-09-03\n'
    ),
    "locations": (
        '[locations.school]\nname = "School"\n\n[locations.alex-home]\nname = "Alex\'s"\n\n'
        '[locations.sam-home]\nname = "Sam\'s"\n\n[locations.library]\nname = "Library"\n'
    ),
    "school": (
        "[school]\nterms = [\n"
        "  { start = 2026-01-05, end = 2026-05-29 },\n"
        "  { start = 2026-08-17, end = 2026-12-18 },\n"
        "  { start = 2027-01-05, end = 2027-05-27 },\n]\n"
        'breaks = [{ name = "Winter Break", start = 2026-12-21, end = 2027-01-04 }]\n'
    ),
    "rotation": '[rotation]\npattern = "alternating_weeks"\nanchor = 2026-01-05\n',
    "exchange": '[exchange]\ntime = 18:00:00\nlocation = "alex-home"\n',
}
# Tables a fragment may add to (TOML allows more [parents.X] or [[children]] later on).
EXTENDABLE = {"parents", "children", "locations", "schedules"}


def blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_the_reference_has_examples_and_a_complete_plan():
    found = blocks()
    assert len(found) >= 15
    assert any("[family]" in block for block in found)


def _ids(found: list[str]) -> list[str]:
    return [f"block{i}-{block.splitlines()[0][:30]}" for i, block in enumerate(found)]


@pytest.mark.parametrize("block", blocks(), ids=_ids(blocks()))
def test_example_loads(block, tmp_path):
    path = tmp_path / "plan.toml"
    if "[family]" in block:
        path.write_text(block, encoding="utf-8")
        loaded = load(path)
        assert lint_plan(loaded.plan, locator=loaded.locator) == []
        compute_timeline(loaded.plan, date(2026, 1, 1), date(2028, 1, 1))
        return
    defined = set(tomllib.loads(block))
    base = [text for key, text in BASE.items() if key not in defined or key in EXTENDABLE]
    path.write_text("\n".join(base) + "\n" + block, encoding="utf-8")
    plan = load(path).plan
    compute_timeline(plan, date(2026, 1, 1), date(2028, 1, 1))


def test_every_model_key_is_documented():
    """Each field of each plan table appears in the reference as `key`."""
    from pydantic import BaseModel

    from pc_calendar.plan import amendments, bounds, decisions, model

    text = DOC.read_text(encoding="utf-8")
    tables = [
        obj
        for module in (model, amendments, bounds, decisions)
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, BaseModel)
        and obj.__module__ == module.__name__
    ]
    missing = [
        f"{table.__name__}.{name}"
        for table in tables
        for name, field in table.model_fields.items()
        if f"`{field.alias or name}`" not in text
    ]
    assert missing == []
