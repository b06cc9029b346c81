#!/usr/bin/env bash
# `make demo`: the product end to end on this machine, no Docker.
#   setup -> local control plane -> KEDA -> test node agent -> frappe-op (from
#   source) -> the demo FrappeDeployment (manifests/samples/demo.yaml) ->
#   `frappe-op loadtest --scenario bulk-email` -> replica timeline + report.
# The cluster stays up afterwards; stop it with `make cluster-down`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

export HPA_SYNC_PERIOD="${HPA_SYNC_PERIOD:-5s}"
NS=demo FD=acme
DEMO_DIR="$REPO_ROOT/.local/demo"
mkdir -p "$DEMO_DIR"

"$HACK_DIR/setup.sh" kubernetes etcd keda
"$HACK_DIR/cluster-up.sh"
"$HACK_DIR/keda-up.sh"
"$HACK_DIR/node-agent-up.sh"
KUBECTL=("$(kubectl_bin)" --kubeconfig "$(admin_kubeconfig)")

"$HACK_DIR/operator-up.sh"

log "applying manifests/samples/demo.yaml"
"${KUBECTL[@]}" apply --server-side -f "$REPO_ROOT/manifests/samples/demo.yaml" >/dev/null

log "waiting for the bench: Redis, the configure Job, the default worker"
deadline=$((SECONDS + 600))
until [[ "$("${KUBECTL[@]}" -n "$NS" get deploy "$FD-worker-default" -o jsonpath='{.status.readyReplicas}' 2>/dev/null)" == 1 ]] &&
  "${KUBECTL[@]}" -n "$NS" get scaledobject "$FD-worker-short" >/dev/null 2>&1; do
  ((SECONDS < deadline)) || die "bench not ready after 600s; see $LOGS/frappe-op.log and $LOGS/node-agent.log"
  sleep 2
done
"${KUBECTL[@]}" -n "$NS" get fd,deploy,scaledobject,hpa 2>/dev/null || true

# The replica timeline, sampled in the background while the load test runs.
timeline="$DEMO_DIR/timeline.tsv"
printf 'time\tshort\tlong\tdefault\n' >"$timeline"
(
  while :; do
    r() { "${KUBECTL[@]}" -n "$NS" get deploy "$FD-worker-$1" -o jsonpath='{.spec.replicas}' 2>/dev/null || echo '?'; }
    printf '%s\t%s\t%s\t%s\n' "$(date +%H:%M:%S)" "$(r short)" "$(r long)" "$(r default)" >>"$timeline"
    sleep 2
  done
) &
sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT

log "frappe-op loadtest $NS/$FD --scenario bulk-email"
set +e
KUBECONFIG="$(admin_kubeconfig)" "$REPO_ROOT/bin/frappe-op" loadtest "$NS/$FD" \
  --scenario bulk-email --interval 1 --json "$DEMO_DIR/report.json"
status=$?
set -e
# A little after the drain, so the timeline shows the way back to 0.
log "a few more timeline samples"
sleep 6
kill $sampler 2>/dev/null || true

echo
echo "== replica timeline (changes only; full: $timeline) =="
awk -F'\t' 'NR==1 || $2"/"$3"/"$4 != last { print; last=$2"/"$3"/"$4 }' "$timeline"
echo
echo "== report: $DEMO_DIR/report.json (loadtest exit $status) =="
echo
echo "The cluster is still up:  export KUBECONFIG=$(admin_kubeconfig)"
echo "Stop everything with:     make cluster-down"
exit "$status"
