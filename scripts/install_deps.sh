#!/usr/bin/env bash
# Installs the Debian packages that tests need for real peers and agents. Idempotent; quiet
# when everything is present. Needs root (CI runs as root); without root it only reports.
set -uo pipefail
PKGS="pacemaker pacemaker-cli-utils pacemaker-resource-agents resource-agents fence-agents gnutls-bin openssl iproute2 procps psmisc cluster-glue"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -z "$missing" ]; then echo "all Debian packages present"; exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages:$missing (not root: tests that need them will report it)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
echo "installing:$missing"
apt-get install -y --no-install-recommends $missing >/tmp/atrium-apt.log 2>&1 || {
  apt-get update >>/tmp/atrium-apt.log 2>&1 && apt-get install -y --no-install-recommends $missing >>/tmp/atrium-apt.log 2>&1
} || { echo "apt-get install failed; see /tmp/atrium-apt.log" >&2; tail -20 /tmp/atrium-apt.log >&2; exit 1; }
# The real pacemaker-remoted, unpacked privately (it conflicts with the pacemaker package).
if [ -x ../shared/reference/run-real-remoted.sh ]; then
  ../shared/reference/run-real-remoted.sh setup >/dev/null 2>&1 || echo "real pacemaker-remoted setup failed" >&2
fi
