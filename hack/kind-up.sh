#!/usr/bin/env bash
# For developers WITH Docker: a kind cluster with KEDA installed, as an
# alternative to the Go-built local control plane. It cannot run on machines
# without a Docker engine (such as the project's CI machines); use
# `make cluster-up` there.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
command -v docker >/dev/null && docker info >/dev/null 2>&1 || die "kind needs a running Docker engine; use 'make cluster-up' instead"
command -v kind >/dev/null || die "install kind (https://kind.sigs.k8s.io) first"
command -v helm >/dev/null || die "install helm first (used to install KEDA)"
kind get clusters | grep -qx frappe-op || kind create cluster --name frappe-op --image "kindest/node:$K8S_VERSION"
helm repo add kedacore https://kedacore.github.io/charts >/dev/null
helm upgrade --install keda kedacore/keda --namespace keda --create-namespace --version "${KEDA_VERSION#v}" --wait
log "kind cluster 'frappe-op' with KEDA $KEDA_VERSION is up (kubectl context kind-frappe-op)"
