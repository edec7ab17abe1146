#!/usr/bin/env bash
# Makes a fresh clone runnable: installs npm dependencies (Node 22 comes with them) when they are missing or
# older than package-lock.json, and builds the test bed binaries into the machine-wide cache on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[bootstrap] installing npm dependencies (first run only)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
# moto plays AWS, cfn-lint checks the templates and parliament lints the IAM policies (test/unit/deploy/iam-lint);
# all come from PyPI when the machine lacks them.
python3 -c 'import moto, flask, cfnlint, parliament' 2>/dev/null || {
  echo "[bootstrap] installing moto[server], cfn-lint and parliament from PyPI (first run only)" >&2
  python3 -m pip install --quiet 'moto[server]==5.2.1' cfn-lint 'parliament==1.6.4' >&2
}
command -v kubectl >/dev/null || { echo "[bootstrap] kubectl is required on PATH" >&2; exit 1; }
bash local/testbed/build-binaries.sh >/dev/null
