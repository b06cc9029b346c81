#!/usr/bin/env bash
# Starts a real local control plane on loopback: etcd, kube-apiserver (RBAC on,
# aggregation layer configured, the OwnerReferencesPermissionEnforcement
# admission plugin of OpenShift and hardened clusters on top of the default
# plugins), kube-controller-manager and kube-scheduler,
# then installs KEDA's CRDs from the pinned KEDA module. Writes the admin
# kubeconfig to $CLUSTER_DIR/admin.kubeconfig (default .local/cluster/).
# Idempotent: a healthy running cluster is left running (only KEDA's CRDs are
# applied again, in case they are missing); the remains of a crashed run are
# stopped and removed first. Logs: $CLUSTER_DIR/logs/*.log
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PKI="$CLUSTER_DIR/pki"
SERVER="https://127.0.0.1:$APISERVER_PORT"

healthy() { [[ -f "$(admin_kubeconfig)" ]] && apiserver_ready; }

all_running() {
  local p
  for p in etcd kube-apiserver kube-controller-manager kube-scheduler; do
    running "$p" || return 1
  done
}

write_kubeconfig() { # write_kubeconfig <file> <cert-name> <user>
  cat >"$1" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: frappe-op-local
  cluster:
    server: $SERVER
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $3
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$2.crt")
    client-key-data: $(base64 -w0 "$PKI/$2.key")
contexts:
- name: frappe-op-local
  context: {cluster: frappe-op-local, user: $3}
current-context: frappe-op-local
KCFG
}

if all_running && healthy; then
  # The processes may be up while KEDA's CRDs are not (install-keda-crds.sh
  # failed on the run that started them, or someone deleted them): ensure them
  # again; a server-side apply of unchanged CRDs changes nothing.
  "$HACK_DIR/install-keda-crds.sh"
  log "cluster already up: KUBECONFIG=$(admin_kubeconfig)"
  exit 0
fi
if [[ -d "$CLUSTER_DIR" ]]; then log "cleaning up a previous run"; "$HACK_DIR/cluster-down.sh"; fi

"$HACK_DIR/build-binaries.sh" kubernetes etcd
K8S="$(k8s_bin_dir)"; ETCD="$(etcd_bin_dir)/etcd"
mkdir -p "$RUN" "$LOGS" "$CLUSTER_DIR/etcd"
# A stable path to the pinned binaries for tests and developers.
ln -sfn "$K8S" "$CLUSTER_DIR/bin"
"$HACK_DIR/pki.sh"
write_kubeconfig "$(admin_kubeconfig)" admin kubernetes-admin
write_kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" controller-manager system:kube-controller-manager
write_kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" scheduler system:kube-scheduler

log "starting etcd $ETCD_VERSION"
start etcd "$ETCD" --name local --data-dir "$CLUSTER_DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
wait_for etcd 30 curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

log "starting kube-apiserver $K8S_VERSION"
start kube-apiserver "$K8S/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --client-ca-file "$PKI/ca.crt" --authorization-mode RBAC --allow-privileged \
  --enable-admission-plugins OwnerReferencesPermissionEnforcement \
  --service-cluster-ip-range 10.0.0.0/24 --endpoint-reconciler-type none \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
  --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --cert-dir "$CLUSTER_DIR/apiserver-certs" --v 1
wait_for kube-apiserver 90 healthy

# nodelifecycle is left out: nothing here runs a kubelet that renews node Leases,
# so that controller would taint and evict every pod on a test node.
log "starting kube-controller-manager and kube-scheduler"
start kube-controller-manager "$K8S/kube-controller-manager" \
  --kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --leader-elect=false \
  --controllers '*,-nodelifecycle' --use-service-account-credentials \
  --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
  --horizontal-pod-autoscaler-sync-period "${HPA_SYNC_PERIOD:-15s}" --v 1
start kube-scheduler "$K8S/kube-scheduler" \
  --kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" \
  --authentication-kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" \
  --authorization-kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" --leader-elect=false --v 1

KUBECTL=("$K8S/kubectl" --kubeconfig "$(admin_kubeconfig)")
wait_for "default service account" 60 "${KUBECTL[@]}" get serviceaccount default -n default
"$HACK_DIR/install-keda-crds.sh"
log "cluster up: export KUBECONFIG=$(admin_kubeconfig)"
