#!/usr/bin/env bash
# Restarts the local kube-apiserver with the command line it runs with, keeping
# etcd and everything stored: for tests of what survives an API server restart.
# Usage: hack/restart-apiserver.sh [down-seconds]   (default 2: time it stays down)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

running kube-apiserver || die "no kube-apiserver running under $CLUSTER_DIR (hack/cluster-up.sh first)"
pid="$(cat "$RUN/kube-apiserver.pid")"
mapfile -d '' cmd <"/proc/$pid/cmdline"

log "stopping kube-apiserver (pid $pid)"
kill -TERM "$pid"
wait_exit "$pid" 30 || kill -KILL "$pid"
sleep "${1:-2}"

start kube-apiserver "${cmd[@]}"
wait_for "kube-apiserver after the restart" 90 apiserver_ready
log "kube-apiserver restarted (pid $(cat "$RUN/kube-apiserver.pid"))"
