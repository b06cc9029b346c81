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
RUN="$CLUSTER_DIR/run"   # pid files of what the scripts start (hack/cluster-down.sh stops them)
LOGS="$CLUSTER_DIR/logs" # their logs

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

running() { # running <name>: the process of $RUN/<name>.pid is alive
  [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null
}

start() { # start <name> <command...>: detached, pid in $RUN/<name>.pid, output appended to $LOGS/<name>.log
  local name="$1"; shift
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

# wait_for [--process <name>] <what> <seconds> <command...>: runs the command
# (output discarded) every half second until it succeeds; dies after <seconds>,
# or as soon as the process <name> (see start) has exited.
wait_for() {
  local name=""
  if [[ "$1" == --process ]]; then name="$2"; shift 2; fi
  local what="$1" limit="$2"; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [[ -z "$name" ]] || running "$name" || die "$name exited; see $LOGS/$name.log"
    ((SECONDS < deadline)) || die "timed out after ${limit}s waiting for $what; see $LOGS/"
    sleep 0.5
  done
}

wait_exit() { # wait_exit <pid> <seconds>: until the process has exited; fails if it is still alive then
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

apiserver_ready() { # the local kube-apiserver answers /readyz to the admin client certificate
  local pki="$CLUSTER_DIR/pki"
  curl -fsS --max-time 3 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$APISERVER_PORT/readyz" >/dev/null 2>&1
}

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
