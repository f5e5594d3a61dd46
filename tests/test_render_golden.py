"""The words and bytes of 18 years of calendars, pinned by digest.

tests/test_render_equivalence.py proves the plain writer writes what icalendar would for
the same words; it cannot see a change in the words themselves (both paths share them).
These digests, taken from the committed example plans, templates and the multi-zone
family of that test with DTSTAMP pinned, catch any change of a single byte: in what an
event says, its UID, hash, folding or escaping. Speed work on rendering must keep them.

A deliberate change of the words changes them: check the difference on a rendered
calendar, then print the new digests with ``python3 tests/test_render_golden.py``.
The VTIMEZONEs and UTC offsets come from the tz database: a release that changes the
rules of America/Chicago, America/Denver, Europe/London or America/New_York before 2044
changes them too.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

import pc_calendar.templates
from pc_calendar.plan.load import load_plan
from pc_calendar.render import render_calendar, render_parent
from pc_calendar.render.checkin_text import CheckinNotes
from pc_calendar.schedule.engine import compute_timeline

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_render_equivalence import END, MULTI_ZONE, ROOT, START, _report  # noqa: E402

EPOCH = "1767225600"
TEMPLATES = Path(pc_calendar.templates.__file__).parent

# Taken from the code at bench_render's fix (before the speed work of issue 15).
GOLDEN = {
    "example": {
        "alex": "c2c38362326b49e7aa355f9e796689b2d74ce081e3e01ef0c6b1b9cdbc7f146b",
        "alex check-in": "f51a6008a0f09345a6ec0fedc59484e301c8eba38154bf9bc841dc6281a9278d",
        "alex sync": "476aef6a071437fad2a086334f8223dbcdea0cf61eea015ef4ec9ba758cec446",
        "coordinator": "af0eef2804f0d7745e52af9232d38dfda2e672b707539fbd0d0470e28fa819f7",
        "coordinator outcomes": "c3b322df8e4f79234ee3ec89fa232191ac198019ffe6ed52ffc1d861e2255c83",
        "sam": "71384969104345eaf40a4452cd8eed12766c6f08cac6c33f641689098052a9ec",
        "sam sync": "aa5f0ba4f6c47c4036b3b788f97cff36c1db15fc80cedfe8db23fc5cff1989e1",
    },
    "multi-zone": {
        "coordinator": "584c83f3f2af6c6ec16dddee2bd72a88a994e5052e3389874029987468bd1344",
        "coordinator outcomes": "894759a5eee7abdfe63ca9c93364c65d4c69a0cc467c74bf0aff3534a738ac76",
        "ilse": "ad6e2935b646c9324dc0c7b939bfe53f144572cb43649b5e7e1e244a987386cc",
        "ilse check-in": "a06ad9d27023f9b54d33b9704ca242cfa54ee06fd5b598d59ec0d16b24b2e07e",
        "ilse sync": "c9302593196608a43b59e94e5a99b7fb9992d3f02412e0f685f34009b95f5974",
        "tuomas": "f99ada1815583004c7638e4cee8693f548ab7d8b606e521901ab1a4f9c03af55",
        "tuomas sync": "01f9ace1b0075375acbad8f0d663fc5f87ac0c0fafc214b3615e75d1b410270b",
    },
    "step-up-young-children": {
        "coordinator": "f8db1b88de9b4f7ce019eb1b024bb3fb3ac04bddb5ee21306645b316f92bcdc2",
        "coordinator outcomes": "c7c4b857bd8f8a5a79e9a491c5730a15d9dbcb5f54602aa665ed4e8003b9ca89",
        "priya": "fecea76a3320b7e8caf32c9ca5cbe730ee0894735e3a224176cfa61df1bc7809",
        "priya check-in": "eb439e6962fa1a2f1b3a7c526c1f16e1bd9e43cfc205e6254937380ecd4fe938",
        "priya sync": "f02a9dcdb0fde39f57814376bb896a7ff3cd8f62515122bb7356d2e6ea69d8aa",
        "tomas": "8313fa9bb1508e57ae74b2030f5ee93e21bccf08d3727b912aa0a94a5570163e",
        "tomas sync": "baa4bd1f086f721c9ba10e04fa6ccfc3ddd61cd87d713310ac9ec4709d108424",
    },
    "texas-spo": {
        "coordinator": "67d351d32d5d17733e05a79bd11838bd5df0a57fc1e64c9028bd5d3e8dd9253b",
        "coordinator outcomes": "10054f4c753daffaf9633030cf738e9531751c3ee4a0e0187a59547fdac3ab49",
        "dana": "2f752c1ee2f5b96520ae2c7e840fd76eb40c3b7ffbd83d1920226beb1bd5cdfd",
        "dana check-in": "3360e2f7a452960991abc914e852fe4270c4f6168d3f8c03b9555088fb262963",
        "dana sync": "2f0e4b3be04428e2d94b35e6ede4b4344a9c62bf184a1b29da027073cb1ae86c",
        "marcus": "bb1700678d5207ba8caf866bd36e10e81c30ce3d37b0999865127f4b2815e34d",
        "marcus sync": "d3a8cb28984d88d38b33058dfee69fb34d06e466fc9de13cfe8cd64ae30c9073",
    },
}


def _plan(name: str, folder: Path):
    if name == "example":
        return load_plan(ROOT / "examples" / "rivera-chen.toml")
    if name == "multi-zone":
        path = folder / "aalto.toml"
        path.write_text(MULTI_ZONE, encoding="utf-8")
        return load_plan(path)
    return load_plan(TEMPLATES / f"{name}.toml")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digests(family: str, folder: Path) -> dict[str, str]:
    """reader (or "coordinator") -> SHA-256 of their 18-year calendar, plus the sync
    events' UIDs and hashes, the coordinator's calendar with outcomes and, where the
    plan has exchanges, a parent's with check-in notes."""
    plan = _plan(family, folder)
    timeline = compute_timeline(plan, START, END)
    found = {}
    for reader in [*plan.parents, None]:
        found[reader or "coordinator"] = _sha(render_calendar(plan, timeline, reader))
        if reader is not None:
            pairs = [f"{d.uid} {d.content_hash}" for d in render_parent(plan, timeline, reader)]
            found[f"{reader} sync"] = _sha("\n".join(pairs).encode())
    exchanges = timeline.merged_exchanges()
    labels = ["MISSED", "LATE 25 min", "on time; cancelled, \\ agreed"]
    outcomes = {ex.id: labels[n % 3] for n, ex in enumerate(exchanges[::5])}
    found["coordinator outcomes"] = _sha(render_calendar(plan, timeline, None, None, outcomes))
    reader = next(iter(plan.parents))
    mine = [ex for ex in exchanges if reader in (ex.from_parent, ex.to_parent)]
    other = next(p for p in plan.parents if p != reader)
    records = {
        ex.id: (_report(ex, n, other, 'stuck; "traffic", \\ A1 — ☂ ' * (n % 3 + 1)),)
        for n, ex in enumerate(mine[::7], start=1)
    }
    notes = CheckinNotes("https://checkin.example.org/c/tok;en,x?a=1&b=2", records)
    found[f"{reader} check-in"] = _sha(render_calendar(plan, timeline, reader, checkin=notes))
    return found


FAMILIES = ["example", "texas-spo", "multi-zone", "step-up-young-children"]


@pytest.mark.parametrize("family", FAMILIES)
def test_eighteen_years_render_to_the_pinned_bytes(family, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert digests(family, tmp_path) == GOLDEN[family]


if __name__ == "__main__":  # print the digests of the code as it is now
    import pprint
    import tempfile

    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    with tempfile.TemporaryDirectory() as folder:
        pprint.pprint({f: digests(f, Path(folder)) for f in FAMILIES}, width=100)
