"""HTML documents to PDF with WeasyPrint (the optional ``pc-calendar[pdf]`` extra).

WeasyPrint implements CSS paged media (``@page`` margin boxes, page counters, breaks),
so the PDF carries the same running header, footer and page numbers a browser prints.
It needs Pango from the system; a missing library is named, not a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..errors import UserError
from ..extras import require
from ..fileio import PRIVATE, write_atomic


class _Collect(logging.Handler):
    """Keeps WeasyPrint's complaints (unsupported CSS, missing fonts) for the caller."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def html_to_pdf(html: str, what: str = "a PDF") -> tuple[bytes, list[str]]:
    """The PDF bytes of ``html``, and WeasyPrint's warnings (empty when all was understood)."""
    require("pdf", what)
    try:
        from weasyprint import HTML
    except OSError as exc:  # the Python package is there, a system library is not
        raise UserError(
            f"{what} needs the Pango library, which WeasyPrint could not load ({exc})",
            hint="Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0",
        ) from None
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    previous, logger.propagate = logger.propagate, False
    try:
        data = HTML(string=html).write_pdf()
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous
    assert data is not None
    return data, list(dict.fromkeys(m for m in handler.messages if not _expected(m)))


def _expected(message: str) -> bool:
    """Properties meant for browsers only (WeasyPrint always prints backgrounds)."""
    return "print-color-adjust" in message


def write_pdf(path: Path, html: str, what: str = "a PDF") -> list[str]:
    """Render and write ``path`` atomically, mode 0600 (it names the family and its
    children); returns WeasyPrint's warnings."""
    data, warnings = html_to_pdf(html, what)
    write_atomic(path, data, mode=PRIVATE)
    return warnings
