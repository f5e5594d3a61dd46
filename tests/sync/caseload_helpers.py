"""Small caseloads on disk: copies of the example plan as separate families."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pc_calendar.cli import main

EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
RANGE = ["--from", "2026-11-01", "--to", "2027-01-01"]


def write_family(folder: Path, family: str, targets: dict[str, str] | None = None) -> Path:
    """The example plan as family ``family`` in ``folder/family.toml``.

    ``targets`` replaces a parent's calendar line (a TOML inline table); by default each
    parent gets an ics folder ``out/<family>/<parent>``.
    """
    text = EXAMPLE.read_text().replace('id = "rivera-chen"', f'id = "{family}"', 1)
    for parent in ("alex", "sam"):
        line = f'calendar = {{ type = "ics", folder = "out/{parent}" }}'
        assert line in text
        new = (targets or {}).get(parent, f'{{ type = "ics", folder = "out/{family}/{parent}" }}')
        text = text.replace(line, f"calendar = {new}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{family}.toml"
    path.write_text(text)
    return path


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """``pc-calendar ARGS`` in-process: (exit status, stdout, stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


def run_process(*args: str, env: dict | None = None, timeout: float = 60) -> tuple[int, str, str]:
    """``pc-calendar ARGS`` as a separate process."""
    done = subprocess.run(
        [sys.executable, "-c", "from pc_calendar.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return done.returncode, done.stdout, done.stderr


def by_family(out: str) -> dict[str, dict]:
    """``sync --json`` output: family id (or plan stem) -> its result."""
    data = json.loads(out)
    return {f["family"] or Path(f["plan"]).stem: f for f in data["families"]}
