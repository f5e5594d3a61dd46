#!/usr/bin/env bash
# Installs the non-Python tools the test suite uses: real client parsers (ical.js through
# node, libical) and a real browser. Idempotent: a second run only checks. Part of the
# README's test command, so `.ci/run` and a fresh clone install the same things.
set -euo pipefail
cd "$(dirname "$0")"

# Each tool's section below says what it is for. Keep them in this one file so the
# README's test command stays one line.

# Printable documents (`show --pdf`, `report --format pdf`): WeasyPrint needs Pango, the
# documents are set in DejaVu; the tests read the PDFs back with poppler-utils (pdftotext,
# pdftoppm) and print the HTML with a real browser (Debian's chromium, headless).
docs_missing=()
for package in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils chromium \
    chromium-driver; do
    dpkg -s "$package" >/dev/null 2>&1 || docs_missing+=("$package")
done
if [ ${#docs_missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${docs_missing[@]}"
fi
