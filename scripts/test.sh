#!/usr/bin/env bash
# The whole test suite: generated files, types, unit, integration and end-to-end tests on the real test bed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PATH="$PWD/node_modules/.bin:$PATH"
# The components log JSON at info; in the suite only warnings and errors are worth reading.
export LOG_LEVEL="${LOG_LEVEL:-warn}"

echo "== generated files are fresh"
tsx scripts/generate.ts --check
echo "== typecheck"
tsc --noEmit -p tsconfig.json
echo "== jest (unit, integration, e2e)"
exec node --experimental-vm-modules node_modules/jest/bin/jest.js --runInBand "$@"
