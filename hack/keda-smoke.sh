#!/usr/bin/env bash
# Proves local KEDA end to end without the node agent: a plain Deployment
# (pause-like, never scheduled: only spec.replicas matters), a ScaledObject
# with a redis list trigger on a local redis-server, then
#   LPUSH 12 items -> KEDA 0->1, HPA (external metrics via aggregation) 1->4
#   DEL the list   -> back to 0 after the cooldown.
# Prints the external metric as the HPA reads it. Needs cluster-up + keda-up.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PORT="${KEDA_SMOKE_REDIS_PORT:-16390}" NS=keda-smoke
KUBECTL=("$(kubectl_bin)" --kubeconfig "$(admin_kubeconfig)")
r() { redis-cli -h 127.0.0.1 -p "$PORT" "$@"; }
replicas() { "${KUBECTL[@]}" -n "$NS" get deploy smoke -o jsonpath='{.spec.replicas}'; }
wait_replicas() { # wait_replicas <test-expr on $n> <seconds>
  local deadline=$((SECONDS + $2)) n
  while n="$(replicas)"; ! eval "$1"; do
    ((SECONDS < deadline)) || die "replicas $n after $2 s (wanted $1)"
    sleep 1
  done
  log "replicas: $n  ($1)"
}

redis-server --bind 127.0.0.1 --port "$PORT" --save "" --daemonize yes --pidfile "$CLUSTER_DIR/run/keda-smoke-redis.pid" >/dev/null
trap 'r shutdown nosave >/dev/null 2>&1 || true; "${KUBECTL[@]}" delete ns "$NS" --wait=false >/dev/null 2>&1 || true' EXIT

"${KUBECTL[@]}" apply --server-side -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: $NS}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: smoke, namespace: $NS}
spec:
  replicas: 0
  selector: {matchLabels: {app: smoke}}
  template:
    metadata: {labels: {app: smoke}}
    spec:
      nodeSelector: {frappe-op.dev/nowhere: "true"}
      containers: [{name: c, image: registry.k8s.io/pause:3.10}]
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: smoke, namespace: $NS}
spec:
  scaleTargetRef: {name: smoke}
  pollingInterval: 2
  cooldownPeriod: 10
  minReplicaCount: 0
  maxReplicaCount: 4
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleDown: {stabilizationWindowSeconds: 5, policies: [{type: Percent, value: 100, periodSeconds: 5}]}
  triggers:
  - type: redis
    metadata: {address: "127.0.0.1:$PORT", listName: smoke-list, listLength: "3", activationListLength: "0"}
YAML

r del smoke-list >/dev/null
wait_replicas '[[ $n == 0 ]]' 60
start=$SECONDS
r rpush smoke-list $(seq 1 12) >/dev/null
wait_replicas '[[ $n -ge 1 ]]' 60
log "0->1 after $((SECONDS - start)) s (KEDA)"
wait_replicas '[[ $n == 4 ]]' 90
log "1->4 after $((SECONDS - start)) s (HPA)"
metric="$("${KUBECTL[@]}" get --raw "/apis/external.metrics.k8s.io/v1beta1/namespaces/$NS/s0-redis-smoke-list?labelSelector=scaledobject.keda.sh%2Fname%3Dsmoke")"
log "external metric: $metric"
"${KUBECTL[@]}" -n "$NS" get hpa keda-hpa-smoke
start=$SECONDS
r del smoke-list >/dev/null
wait_replicas '[[ $n == 0 ]]' 120
log "4->0 after $((SECONDS - start)) s"
log "KEDA smoke test passed"
