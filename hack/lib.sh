# Shared settings for the hack/ scripts. Sourced, never executed.
# shellcheck shell=bash
HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HACK_DIR/.." && pwd)"
# shellcheck source=versions.env
source "$HACK_DIR/versions.env"

CACHE_DIR="${FRAPPE_OP_CACHE:-$HOME/.cache/frappe-op}"
CLUSTER_DIR="${FRAPPE_OP_CLUSTER_DIR:-$REPO_ROOT/.local/cluster}"
ETCD_CLIENT_PORT="${ETCD_CLIENT_PORT:-23790}"
ETCD_PEER_PORT="${ETCD_PEER_PORT:-23800}"
APISERVER_PORT="${APISERVER_PORT:-16443}"
KCM_PORT="${KCM_PORT:-16257}"
SCHEDULER_PORT="${SCHEDULER_PORT:-16259}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The cache key of a wrapper module: its pinned version plus a hash of its
# go.mod/go.sum, so editing a pin or a replace rebuilds.
module_key() {
  local dir="$HACK_DIR/gomod/$1" version="$2"
  printf '%s-%s' "$version" "$(cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -c1-12)"
}

k8s_bin_dir() { echo "$CACHE_DIR/bin/kubernetes-$(module_key kubernetes "$K8S_VERSION")"; }
etcd_bin_dir() { echo "$CACHE_DIR/bin/etcd-$(module_key etcd "$ETCD_VERSION")"; }
keda_bin_dir() { echo "$CACHE_DIR/bin/keda-$(module_key keda "$KEDA_VERSION")"; }
keda_module_dir() { echo "$(go env GOMODCACHE)/github.com/kedacore/keda/v2@$KEDA_VERSION"; }

kubectl_bin() { echo "$(k8s_bin_dir)/kubectl"; }
admin_kubeconfig() { echo "$CLUSTER_DIR/admin.kubeconfig"; }
