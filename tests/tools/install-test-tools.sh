#!/usr/bin/env bash
# Installs the non-Python tools the test suite uses: real client parsers (ical.js through
# node, libical) and a real browser. Idempotent: a second run only checks. Part of the
# README's test command, so `.ci/run` and a fresh clone install the same things.
set -euo pipefail
cd "$(dirname "$0")"

# Each tool's section below says what it is for. Keep them in this one file so the
# README's test command stays one line.

# openssl: the exchange log's RFC 3161 anchors (`openssl ts -query/-verify`), and the
# tests' local time-stamping authority (`openssl ts -reply`, throwaway CA).
if ! command -v openssl >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq openssl
fi

# chromium + chromedriver: the check-in page is tested in a real browser, headless at a
# phone-sized viewport, with and without JavaScript (tests/checkin/test_checkin_browser.py;
# selenium itself is a [test] dependency).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi
