#!/usr/bin/env bash
# Starts the test node agent (hack/node-agent/) in the background against the
# local cluster: it registers Node $NODE_NAME and plays kubelet for it (real
# RQ workers and redis-servers, see hack/node-agent/README.md). Idempotent.
# Pid file: $CLUSTER_DIR/run/node-agent.pid; log: $CLUSTER_DIR/logs/node-agent.log
set -euo pipefail
source "$(dirname "$0")/lib.sh"

NODE_NAME="${NODE_NAME:-frappe-op-local-node}"
DENO="$REPO_ROOT/node_modules/.bin/deno"
[[ -f "$(admin_kubeconfig)" ]] || die "no cluster: run hack/cluster-up.sh first"
mkdir -p "$RUN" "$LOGS"

if running node-agent; then
  log "node agent already running (node $NODE_NAME)"
  exit 0
fi
[[ -x "$HACK_DIR/python-env.sh" ]] && "$HACK_DIR/python-env.sh" >/dev/null
command -v redis-server >/dev/null || die "redis-server not installed (hack/setup.sh)"
command -v ps >/dev/null || die "ps not installed (procps; hack/setup.sh)"

log "starting node agent for node $NODE_NAME"
start node-agent "$DENO" run --allow-read --allow-write --allow-net --allow-env --allow-run \
  "$HACK_DIR/node-agent/main.ts" --kubeconfig "$(admin_kubeconfig)" --node-name "$NODE_NAME" \
  --state-dir "$CLUSTER_DIR/node-agent"

KUBECTL=("$(kubectl_bin)" --kubeconfig "$(admin_kubeconfig)")
node_ready() {
  "${KUBECTL[@]}" get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' | grep -q True
}
wait_for --process node-agent "node $NODE_NAME Ready" 60 node_ready
log "node $NODE_NAME Ready (log: $LOGS/node-agent.log)"
