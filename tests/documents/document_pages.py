"""Reading printed documents back: text per page, page images, a browser's print.

pdfinfo, pdftotext and pdftoppm (poppler-utils) and chromium are installed by
tests/tools/install-test-tools.sh; in CI a missing tool fails the test, elsewhere it is
skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing: run tests/tools/install-test-tools.sh")
        pytest.skip(f"{tool} is not installed (tests/tools/install-test-tools.sh installs it)")
    return path


def page_count(pdf: Path) -> int:
    out = subprocess.run(
        [need("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    return int(next(line for line in out.splitlines() if line.startswith("Pages:")).split()[1])


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with form feeds)."""
    out = subprocess.run(
        [need("pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def page_images(pdf: Path, folder: Path, dpi: int = 40) -> list[Path]:
    subprocess.run(
        [need("pdftoppm"), "-r", str(dpi), "-png", str(pdf), str(folder / "page")], check=True
    )
    return sorted(folder.glob("page-*.png"))


def ink(png: Path) -> float:
    """The share of the page's pixels that are not white: a blank page is ~0."""
    from PIL import Image

    image = Image.open(png).convert("L")
    histogram = image.histogram()
    return 1 - sum(histogram[245:]) / (image.width * image.height)


def chromium_pdf(html: Path, pdf: Path) -> str:
    """Print ``html`` to ``pdf`` with headless chromium; returns its stderr."""
    done = subprocess.run(
        [
            need("chromium"),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and pdf.exists(), done.stderr
    return done.stderr


def run(capsys, *args) -> tuple[int, str, str]:
    """``pc-calendar ARGS`` in-process: (exit status, stdout, stderr)."""
    from pc_calendar.cli import main

    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
