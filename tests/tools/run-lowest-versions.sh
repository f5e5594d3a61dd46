#!/usr/bin/env bash
# Run the whole suite against the lowest dependency versions the project allows.
#
# Makes a throwaway virtualenv in a temporary folder, installs the project with its test
# extra and the example plugins, constrained (pip -c) to tests/tools/constraints-lowest.txt,
# then runs pytest from the repository with that venv's python. Nothing outside the
# temporary folder is changed (the non-Python test tools are installed as the README's
# test command does). Extra arguments go to pytest, e.g. `-x tests/backends`.
#
# Usage: bash tests/tools/run-lowest-versions.sh [pytest args...]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
constraints="$repo/tests/tools/constraints-lowest.txt"
work="$(mktemp -d "${TMPDIR:-/tmp}/pc-calendar-lowest.XXXXXX")"
trap 'rm -rf "$work"' EXIT

bash "$repo/tests/tools/install-test-tools.sh"  # before the copy: it fills tests/tools/
python3 -m venv "$work/venv"
py="$work/venv/bin/python"
# Copies, not editable installs: the venv must not re-point anyone's pc_calendar.
cp -r "$repo" "$work/src"
rm -rf "$work/src/.git" "$work/src/build" "$work/src"/src/*.egg-info
unset PYTHONPATH
"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet -c "$constraints" \
    "$work/src[test]" \
    "$work/src/plugins/pc-calendar-apprise" \
    "$work/src/plugins/pc-calendar-religious-holidays" \
    "$work/src/plugins/pc-calendar-state-templates"
echo "installed (lowest allowed versions):"
"$py" -m pip freeze | grep -i -E "^($(grep -v '^#' "$constraints" | cut -d= -f1 | \
    grep . | paste -sd'|'))==" || true
# Run from the copy (src/ is not on sys.path: the tests import the installed package).
cd "$work/src"
PATH="$work/venv/bin:$PATH" "$py" -m pytest -p no:cacheprovider "${@:--q}"
