#!/usr/bin/env bash
# Makes a fresh clone runnable: installs npm dependencies (Node 22 comes with them) when they are missing or
# older than package-lock.json, and builds the test bed binaries into the machine-wide cache on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[bootstrap] installing npm dependencies (first run only)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
bash local/testbed/build-binaries.sh >/dev/null
