#!/usr/bin/env bash
# Stops every process of the local control plane (and KEDA, the test node agent
# and anything else started with a pid file under $CLUSTER_DIR/run), then removes
# the cluster's state. Safe to run when nothing is up.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [[ -d "$RUN" ]]; then
  # Reverse start order: dependants first, etcd last.
  for f in $(ls -t "$RUN"/*.pid 2>/dev/null); do
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
      # SIGTERM to the process alone: the node agent ends its pods itself (one
      # SIGTERM to each worker, then the whole process tree after its grace
      # period, ~10 s); a group signal would give every worker a second one.
      # What is left of the process group afterwards is SIGKILLed.
      kill -TERM "$pid" 2>/dev/null || true
      wait_exit "$pid" 30 || true
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
fi
rm -rf "$CLUSTER_DIR"
log "cluster down: state removed ($CLUSTER_DIR)"
