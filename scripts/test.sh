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

step "tests on Node"
npx vitest run

step "core/ and plugins/ tests on Deno"
npx deno run -A npm:vitest run --config vitest.deno.config.ts

step "done"
