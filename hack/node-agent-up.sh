#!/usr/bin/env bash
# Starts the test node agent (hack/node-agent/) in the background against the
# local cluster: it registers Node $NODE_NAME and plays kubelet for it (real
# RQ workers and redis-servers, see hack/node-agent/README.md). Idempotent.
# Pid file: $CLUSTER_DIR/run/node-agent.pid; log: $CLUSTER_DIR/logs/node-agent.log
set -euo pipefail
source "$(dirname "$0")/lib.sh"

NODE_NAME="${NODE_NAME:-frappe-op-local-node}"
RUN="$CLUSTER_DIR/run"
LOGS="$CLUSTER_DIR/logs"
DENO="$REPO_ROOT/node_modules/.bin/deno"
[[ -f "$(admin_kubeconfig)" ]] || die "no cluster: run hack/cluster-up.sh first"
mkdir -p "$RUN" "$LOGS"

if [[ -f "$RUN/node-agent.pid" ]] && kill -0 "$(cat "$RUN/node-agent.pid")" 2>/dev/null; then
  log "node agent already running (node $NODE_NAME)"
  exit 0
fi
[[ -x "$HACK_DIR/python-env.sh" ]] && "$HACK_DIR/python-env.sh" >/dev/null
command -v redis-server >/dev/null || die "redis-server not installed (hack/setup.sh)"
command -v ps >/dev/null || die "ps not installed (procps; hack/setup.sh)"

log "starting node agent for node $NODE_NAME"
setsid "$DENO" run --allow-read --allow-write --allow-net --allow-env --allow-run \
  "$HACK_DIR/node-agent/main.ts" --kubeconfig "$(admin_kubeconfig)" --node-name "$NODE_NAME" \
  --state-dir "$CLUSTER_DIR/node-agent" >>"$LOGS/node-agent.log" 2>&1 </dev/null &
echo $! >"$RUN/node-agent.pid"

KUBECTL=("$(kubectl_bin)" --kubeconfig "$(admin_kubeconfig)")
deadline=$((SECONDS + 60))
until "${KUBECTL[@]}" get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -q True; do
  kill -0 "$(cat "$RUN/node-agent.pid")" 2>/dev/null || die "node agent exited; see $LOGS/node-agent.log"
  ((SECONDS < deadline)) || die "node $NODE_NAME not Ready after 60s; see $LOGS/node-agent.log"
  sleep 0.5
done
log "node $NODE_NAME Ready (log: $LOGS/node-agent.log)"
