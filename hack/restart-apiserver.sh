#!/usr/bin/env bash
# Restarts the local kube-apiserver with the command line it runs with, keeping
# etcd and everything stored: for tests of what survives an API server restart.
# Usage: hack/restart-apiserver.sh [down-seconds]   (default 2: time it stays down)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

pidfile="$CLUSTER_DIR/run/kube-apiserver.pid"
[[ -f "$pidfile" ]] && pid="$(cat "$pidfile")" && kill -0 "$pid" 2>/dev/null ||
  die "no kube-apiserver running under $CLUSTER_DIR (hack/cluster-up.sh first)"
mapfile -d '' cmd <"/proc/$pid/cmdline"

log "stopping kube-apiserver (pid $pid)"
kill -TERM "$pid"
for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
sleep "${1:-2}"

setsid "${cmd[@]}" >>"$CLUSTER_DIR/logs/kube-apiserver.log" 2>&1 </dev/null &
echo $! >"$pidfile"
pki="$CLUSTER_DIR/pki"
for _ in $(seq 1 180); do
  if curl -fsS --max-time 3 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$APISERVER_PORT/readyz" >/dev/null 2>&1; then
    log "kube-apiserver restarted (pid $(cat "$pidfile"))"
    exit 0
  fi
  sleep 0.5
done
die "kube-apiserver did not become ready after the restart; see $CLUSTER_DIR/logs/kube-apiserver.log"
