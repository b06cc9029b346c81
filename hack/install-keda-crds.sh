#!/usr/bin/env bash
# Applies KEDA's CRDs from the pinned KEDA Go module (config/crd/bases), so the
# API server validates ScaledObjects with KEDA's real schema.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

(cd "$HACK_DIR/gomod/keda" && GOFLAGS=-mod=mod go mod download "github.com/kedacore/keda/v2@$KEDA_VERSION")
dir="$(keda_module_dir)/config/crd/bases"
[[ -d "$dir" ]] || die "KEDA CRDs not found in $dir"
for f in "$dir"/keda.sh_*.yaml; do
  "$(kubectl_bin)" --kubeconfig "$(admin_kubeconfig)" apply --server-side --force-conflicts -f "$f" >/dev/null
done
"$(kubectl_bin)" --kubeconfig "$(admin_kubeconfig)" wait --for condition=Established --timeout 60s \
  crd/scaledobjects.keda.sh crd/triggerauthentications.keda.sh >/dev/null
# Established is not yet served: the API server answers 429 "storage is
# (re)initializing" until its watch cache for the new resource has filled.
wait_for "KEDA's CRDs (Established) to be served" 60 \
  "$(kubectl_bin)" --kubeconfig "$(admin_kubeconfig)" get scaledobjects,triggerauthentications -A
log "KEDA $KEDA_VERSION CRDs installed"
