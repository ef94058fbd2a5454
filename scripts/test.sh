#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, builds, type-checks, runs
# every suite on Node and the core/ and plugins/ suites on Deno. Budget: ~20 min on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - t0 ))"; }

step "Debian packages for real peers and agents"
bash scripts/install_deps.sh

step "npm ci"
npm ci --no-audit --no-fund --loglevel=error

step "build"
npm run --silent build

step "type-check"
npx tsc --noEmit -p .

if [ ! -d ../shared ]; then
  if [ "${CI:-}" = "true" ]; then echo "../shared is missing: CI needs it beside the checkout" >&2; exit 1; fi
  echo "NOTE: ../shared is absent: suites that read it skip with a printed reason" >&2
fi

mkdir -p .state/test
rc=0
step "tests on Node"
npx vitest run --reporter=default --reporter=json --outputFile.json=.state/test/node.json || rc=1

step "core/ and plugins/ tests on Deno"
ATRIUM_EXPECT_RUNTIME=deno npx deno run -A npm:vitest run --config vitest.deno.config.ts \
  --reporter=default --reporter=json --outputFile.json=.state/test/deno.json || rc=1

step "done"
node scripts/test_totals.mjs .state/test/node.json .state/test/deno.json || rc=1
exit $rc
