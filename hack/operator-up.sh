#!/usr/bin/env bash
# Starts frappe-op from source (bin/frappe-op run, the binary's exact
# permissions) against the local cluster, in the background, after installing
# the FrappeDeployment CRD. Idempotent. Pid file $CLUSTER_DIR/run/frappe-op.pid,
# log $CLUSTER_DIR/logs/frappe-op.log. Extra flags: FRAPPE_OP_RUN_FLAGS.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

OPERATOR_HEALTH_PORT="${OPERATOR_HEALTH_PORT:-18091}"
KUBECTL=("$(kubectl_bin)" --kubeconfig "$(admin_kubeconfig)")
[[ -f "$(admin_kubeconfig)" ]] || die "no cluster: run hack/cluster-up.sh first"
mkdir -p "$RUN" "$LOGS"

"${KUBECTL[@]}" apply --server-side --force-conflicts -f "$REPO_ROOT/manifests/crd/frappedeployments.yaml" >/dev/null
"${KUBECTL[@]}" wait --for condition=Established --timeout 60s crd/frappedeployments.frappe-op.dev >/dev/null

if running frappe-op; then
  log "frappe-op already running"; exit 0
fi
log "starting frappe-op from source (log: $LOGS/frappe-op.log)"
# Short local intervals: an idle bench's queue depths are read every 5 s (not
# 30 s), so status shows a burst of short jobs before it has drained.
# shellcheck disable=SC2086
KUBECONFIG="$(admin_kubeconfig)" start frappe-op "$REPO_ROOT/bin/frappe-op" run \
  --bind-address 127.0.0.1 --health-port "$OPERATOR_HEALTH_PORT" --metrics-port "$OPERATOR_HEALTH_PORT" \
  --keda-recheck 5s --queue-poll-interval 5s --log-format text ${FRAPPE_OP_RUN_FLAGS:-}
wait_for --process frappe-op frappe-op 60 curl -fsS "http://127.0.0.1:$OPERATOR_HEALTH_PORT/readyz"
log "frappe-op ready (health http://127.0.0.1:$OPERATOR_HEALTH_PORT/readyz)"
