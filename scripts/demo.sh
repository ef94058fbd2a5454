#!/usr/bin/env bash
# The main job on the embedded default.
#   1. Verify the example CIB (examples/guest-quick.xml) and show what the scheduler decides.
#   2. As root: start atriumd with the state dir .state/demo (a generated authkey beside it),
#      create a guest node (a network-namespace container on bridge atrium0, 10.214.0.11/24)
#      and three Dummy resources through the CLI, wait until they run, show `atrium status`.
#      The daemon keeps running; `scripts/demo.sh stop` (or `npm run demo -- stop`) stops it,
#      which stops the resources and the guest first.
# Usage: scripts/demo.sh [CIB-FILE] | scripts/demo.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
[ -f dist/atrium.mjs ] && [ -f dist/atriumd.mjs ] || npm run --silent build

state="$PWD/.state/demo"
export ATRIUM_STATE_DIR="$state"
atrium() { node dist/atrium.mjs "$@"; }

daemon_pid() {
  [ -f "$state/api.json" ] || return 1
  local pid
  pid=$(node -e 'try { process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).pid)) } catch { process.exit(1) }' "$state/api.json") || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

if [ "${1:-}" = "stop" ]; then
  if pid=$(daemon_pid); then
    echo "==> stopping atriumd (pid $pid): its resources and guests stop first"
    kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && echo "atriumd is still stopping; see $state/atriumd.log" || echo "stopped"
  else
    echo "atriumd is not running (state dir $state)"
  fi
  exit 0
fi

cib=${1:-examples/guest-quick.xml}
echo "==> 1. atrium verify --xml-file $cib"
atrium verify --xml-file "$cib" || true
echo; echo "==> atrium simulate --xml-file $cib"
atrium simulate --xml-file "$cib" || true

echo
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v unshare >/dev/null; then
  echo "==> 2. skipped: a live cluster with a guest node needs root, ip and unshare (run: sudo npm run demo)"
  exit 0
fi

mkdir -p "$state"
if [ ! -s "$state/authkey" ]; then
  atrium authkey generate --bytes 4096 --out "$state/authkey"
fi
if pid=$(daemon_pid); then
  echo "==> 2. atriumd already runs with state dir $state (pid $pid)"
else
  echo "==> 2. starting atriumd --state-dir $state (log: $state/atriumd.log)"
  PCMK_authkey_location="$state/authkey" nohup node dist/atriumd.mjs --state-dir "$state" >>"$state/atriumd.log" 2>&1 &
  for _ in $(seq 1 100); do daemon_pid >/dev/null && break; sleep 0.1; done
  daemon_pid >/dev/null || { echo "atriumd did not start; see $state/atriumd.log"; tail -5 "$state/atriumd.log"; exit 1; }
fi

have() { atrium status --json | grep -q "\"id\": \"$1\""; }
echo "==> atrium property set stonith-enabled=false   (one node, no fence device)"
atrium property set stonith-enabled=false
if ! have vm-guest1; then
  echo "==> atrium resource create vm-guest1 launcher:netns address=10.214.0.11/24 meta remote-node=guest1"
  atrium resource create vm-guest1 launcher:netns address=10.214.0.11/24 meta remote-node=guest1
fi
for r in FAKE1 FAKE2 FAKE3; do
  if ! have "$r"; then
    echo "==> atrium resource create $r ocf:pacemaker:Dummy op monitor interval=10s"
    atrium resource create "$r" ocf:pacemaker:Dummy op monitor interval=10s
  fi
done

echo "==> waiting for guest1 and the resources"
for _ in $(seq 1 60); do
  if atrium status --json | node -e '
    const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const g = s.nodes.find((n) => n.name === "guest1");
    const up = ["FAKE1", "FAKE2", "FAKE3"].every((id) => s.resources.find((r) => r.id === id)?.role === "Started");
    process.exit(g && g.online && up ? 0 : 1);'; then break; fi
  sleep 1
done
echo
echo "==> atrium status"
atrium status
echo
host=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).node)' "$state/api.json")
echo "The cluster keeps running. Try: ATRIUM_STATE_DIR=$state npx atrium constraint location FAKE1 prefers $host"
echo "Stop it with: npm run demo -- stop   (or scripts/demo.sh stop; kill -TERM $(daemon_pid))"
