#!/usr/bin/env bash
# Installs the non-Python tools the test suite uses: real client parsers (ical.js through
# node, libical) and a real browser. Idempotent: a second run only checks. Part of the
# README's test command, so `.ci/run` and a fresh clone install the same things.
set -euo pipefail
cd "$(dirname "$0")"

# Each tool's section below says what it is for. Keep them in this one file so the
# README's test command stays one line.

# Debian packages, installed (as root) only when missing; `apt-get update` runs at most once.
apt_updated=""
apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-tools: missing Debian packages ${missing[*]}; run this script as root" >&2
    exit 1
  fi
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Client parsers for tests/interop: every calendar we write is read back by them.
# - ical.js (Mozilla; Thunderbird and Nextcloud's calendar app), run with node, pinned in
#   package.json and installed into tests/tools/node_modules (gitignored).
# - libical (Evolution, GNOME) through Debian's GObject bindings, run with /usr/bin/python3.
apt_install python3 python3-gi gir1.2-ical-3.0
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi
# npm packages: every dependency in package.json, at exactly its pinned version.
npm_installed() {
  node -e '
    const wanted = require("./package.json").dependencies || {};
    for (const [name, version] of Object.entries(wanted)) {
      let found = null;
      try { found = require(`./node_modules/${name}/package.json`).version; } catch {}
      if (found !== version) process.exit(1);
    }'
}
npm_installed || npm install --no-save --silent
npm_installed

# openssl: the exchange log's RFC 3161 anchors (`openssl ts -query/-verify`), and the
# tests' local time-stamping authority (`openssl ts -reply`, throwaway CA).
command -v openssl >/dev/null 2>&1 || apt_install openssl

# Printable documents (`show --pdf`, `report --format pdf`): WeasyPrint needs Pango, the
# documents are set in DejaVu; the tests read the PDFs back with poppler-utils (pdftotext,
# pdftoppm) and print the HTML with a real browser (Debian's chromium, headless).
apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils chromium \
    chromium-driver
# chromium + chromedriver also drive the check-in page's browser test, headless at a
# phone-sized viewport, with and without JavaScript (selenium is a [test] dependency).

# Reverse proxies: tests/feeds/test_behind_https_proxy.py runs docs/feeds.md's nginx and
# Caddy configurations (TLS on 127.0.0.1, their own folders and logs) in front of
# `pc-calendar serve`; tests/sync/test_caldav_http2.py puts them (HTTP/2 on) in front of
# Radicale and Xandikos for a push (tests/tls_proxy.py). Where systemd runs, each package
# starts a system service on port 80: one installed here for the tests is stopped and
# disabled again (one that was already installed is left alone).
for proxy in nginx caddy; do
  if ! dpkg -s "$proxy" >/dev/null 2>&1; then
    apt_install "$proxy"
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl disable --now "$proxy" >/dev/null 2>&1 || true
    fi
  fi
done
