#!/usr/bin/env bash
# The main job on the embedded default. Today: load the example CIB (one cluster node, a guest
# node launched by the netns launcher, three Dummy resources), verify it and show what the
# scheduler would do with it. (The node daemon issue turns this into a running single-node
# cluster with a guest node.)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
[ -f dist/atrium.mjs ] || npm run --silent build
cib=${1:-examples/guest-quick.xml}
echo "==> atrium verify --xml-file $cib"
node dist/atrium.mjs verify --xml-file "$cib" || true
if node dist/atrium.mjs --help | grep -q "simulate"; then
  echo; echo "==> atrium simulate --xml-file $cib"
  node dist/atrium.mjs simulate --xml-file "$cib"
fi
