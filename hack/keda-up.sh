#!/usr/bin/env bash
# Runs KEDA (operator + metrics API server, built from the pinned Go module)
# as local processes against the local control plane (hack/cluster-up.sh):
#
#   keda-operator   ScaledObject controller, 0<->1 scaling, creates the HPAs;
#                   serves KEDA's metrics gRPC on 127.0.0.1:$KEDA_GRPC_PORT.
#   keda-adapter    the external metrics API server (external.metrics.k8s.io),
#                   on https://127.0.0.1:$KEDA_ADAPTER_PORT, registered through
#                   the aggregation layer, so kube-controller-manager's HPA
#                   controller reads KEDA's metrics (1<->N).
#
# How the apiserver reaches a process on loopback: the APIService points at
# Service keda/keda-metrics-apiserver of type ExternalName `localhost`; for
# ExternalName the apiserver dials https://<externalName>:<APIService port>.
# The serving certificate (SANs localhost + keda-metrics-apiserver.keda.svc)
# is signed by a CA generated here and given to the APIService as caBundle.
# The same CA signs the operator<->adapter mTLS gRPC certificate.
#
# Idempotent: running processes are left alone. Pid files in $CLUSTER_DIR/run
# (hack/cluster-down.sh stops them), logs in $CLUSTER_DIR/logs/keda-*.log.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

KEDA_GRPC_PORT="${KEDA_GRPC_PORT:-19666}"
KEDA_ADAPTER_PORT="${KEDA_ADAPTER_PORT:-16444}"
KEDA_ADAPTER_METRICS_PORT="${KEDA_ADAPTER_METRICS_PORT:-18082}"
KEDA_OPERATOR_METRICS_PORT="${KEDA_OPERATOR_METRICS_PORT:-18080}"
KEDA_OPERATOR_PROBE_PORT="${KEDA_OPERATOR_PROBE_PORT:-18081}"
KEDA_NAMESPACE=keda

KEDA_DIR="$CLUSTER_DIR/keda"
CERTS="$KEDA_DIR/certs"
KUBECONFIG_FILE="$(admin_kubeconfig)"
KUBECTL=("$(kubectl_bin)" --kubeconfig "$KUBECONFIG_FILE")

[[ -f "$KUBECONFIG_FILE" ]] || die "no cluster: run hack/cluster-up.sh first"
"${KUBECTL[@]}" get --raw /readyz >/dev/null || die "the local apiserver is not ready"

gen_certs() { # one CA; one cert for both ends of gRPC mTLS and the adapter's serving TLS
  [[ -f "$CERTS/.complete" ]] && return
  rm -rf "$CERTS"; mkdir -p "$CERTS"
  (
    cd "$CERTS"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/O=KEDAORG/CN=KEDA-local" \
      -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/O=KEDAORG/CN=keda-local" \
      -keyout tls.key -out tls.csr 2>/dev/null
    local ns="$KEDA_NAMESPACE" san="DNS:localhost,IP:127.0.0.1"
    for svc in keda-operator keda-metrics-apiserver; do
      san+=",DNS:$svc,DNS:$svc.$ns,DNS:$svc.$ns.svc,DNS:$svc.$ns.svc.cluster.local"
    done
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=$san" >tls.ext
    openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile tls.ext -out tls.crt 2>/dev/null
    rm -f tls.csr tls.ext
  )
  touch "$CERTS/.complete"
}

apply_eventing_crds() { # the operator also watches (Cluster)CloudEventSources; cluster-up installs only keda.sh
  local f
  for f in "$(keda_module_dir)"/config/crd/bases/eventing.keda.sh_*.yaml; do
    "${KUBECTL[@]}" apply --server-side --force-conflicts -f "$f" >/dev/null
  done
}

apply_registration() {
  "${KUBECTL[@]}" apply --server-side --force-conflicts -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: $KEDA_NAMESPACE}
---
apiVersion: v1
kind: Service
metadata: {name: keda-metrics-apiserver, namespace: $KEDA_NAMESPACE}
spec:
  type: ExternalName
  externalName: localhost
  ports: [{name: https, port: $KEDA_ADAPTER_PORT, protocol: TCP}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.external.metrics.k8s.io}
spec:
  service: {name: keda-metrics-apiserver, namespace: $KEDA_NAMESPACE, port: $KEDA_ADAPTER_PORT}
  group: external.metrics.k8s.io
  version: v1beta1
  caBundle: $(base64 -w0 "$CERTS/ca.crt")
  groupPriorityMinimum: 100
  versionPriority: 100
YAML
}

"$HACK_DIR/build-binaries.sh" keda
BIN="$(keda_bin_dir)"
mkdir -p "$RUN" "$LOGS" "$KEDA_DIR/ca"
gen_certs
apply_eventing_crds
apply_registration

# KEDA reads these (pkg/util/env_resolver.go, watch.go): all namespaces, its
# own namespace for leader election and cluster-scoped auth secrets.
export KUBECONFIG="$KUBECONFIG_FILE" WATCH_NAMESPACE="" POD_NAMESPACE="$KEDA_NAMESPACE" \
  KEDA_CLUSTER_OBJECT_NAMESPACE="$KEDA_NAMESPACE"

if running keda-operator; then
  log "keda-operator already running"
else
  log "starting keda-operator $KEDA_VERSION (gRPC 127.0.0.1:$KEDA_GRPC_PORT)"
  start keda-operator "$BIN/operator" --leader-elect=false \
    --metrics-bind-address "127.0.0.1:$KEDA_OPERATOR_METRICS_PORT" \
    --health-probe-bind-address "127.0.0.1:$KEDA_OPERATOR_PROBE_PORT" \
    --metrics-service-bind-address "127.0.0.1:$KEDA_GRPC_PORT" \
    --cert-dir "$CERTS" --ca-dir "$KEDA_DIR/ca" --enable-cert-rotation=false \
    --enable-webhook-patching=false --enable-apiservice-patching=false \
    --zap-log-level=info --zap-encoder=console --zap-time-encoding=rfc3339
fi

if running keda-adapter; then
  log "keda-adapter already running"
else
  log "starting keda-adapter (https://127.0.0.1:$KEDA_ADAPTER_PORT)"
  # Delegated authn/authz read kube-system/extension-apiserver-authentication,
  # which carries the front-proxy CA the apiserver's proxy client cert is from.
  start keda-adapter "$BIN/adapter" \
    --secure-port "$KEDA_ADAPTER_PORT" --bind-address 127.0.0.1 \
    --tls-cert-file "$CERTS/tls.crt" --tls-private-key-file "$CERTS/tls.key" --cert-dir "$CERTS" \
    --lister-kubeconfig "$KUBECONFIG_FILE" \
    --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE" \
    --metrics-service-address "localhost:$KEDA_GRPC_PORT" \
    --port "$KEDA_ADAPTER_METRICS_PORT" --zap-log-level=info --zap-encoder=console
fi

wait_for "keda-operator" 120 curl -fsS "http://127.0.0.1:$KEDA_OPERATOR_PROBE_PORT/readyz"
wait_for "external metrics APIService" 120 \
  "${KUBECTL[@]}" get --raw /apis/external.metrics.k8s.io/v1beta1
log "KEDA $KEDA_VERSION up: operator + metrics API server (logs: $LOGS/keda-*.log)"
