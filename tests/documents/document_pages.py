"""Reading printed documents back: text per page, page images, a browser's print.

pdfinfo, pdftotext and pdftoppm (poppler-utils) and chromium are installed by
tests/tools/install-test-tools.sh; in CI a missing tool fails the test, elsewhere it is
skipped with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from pc_calendar.cli.stats import decimal


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


def expected_cells(record: dict) -> list[str]:
    """The stats JSON's exact values, printed as the ``stats`` table prints them."""
    cells = []
    for share in record["parents"]:
        cells += [
            str(share["overnights"]),
            f"{decimal(Fraction(share['fraction']) * 100, 2)}%",
            decimal(Fraction(share["hours_exact"]), 2),
            f"{decimal(Fraction(share['hours_fraction']) * 100, 2)}%",
        ]
    return cells


def month_row(html: str, label: str) -> list[str]:
    """The cells of ``label``'s row in the planned-time-per-month table."""
    table = re.search(r'<table class="stats months-table">(.*?)</table>', html, re.S).group(1)
    row = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', table, re.S)
    return re.findall(r'<td class="num">(.*?)</td>', row.group(1))
