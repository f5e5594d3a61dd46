"""`.ci/run` must run exactly the README's test command, so a fresh clone tests what CI does."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _test_command(text: str) -> str:
    lines = [line for line in text.splitlines() if "python3 -m pytest -q" in line]
    return lines[0].strip()


def test_ci_runs_the_readme_test_command() -> None:
    readme = _test_command((ROOT / "README.md").read_text())
    ci = _test_command((ROOT / ".ci" / "run").read_text())
    assert readme.startswith("python3 -m pip install -e '.[test]'")
    assert ci == readme
