#!/usr/bin/env bash
# Builds the pinned control-plane binaries from the Go wrapper modules under
# hack/gomod/, into $FRAPPE_OP_CACHE/bin/<module>-<version>-<hash>/. A second
# run finds them there and builds nothing; changing a pin changes the key.
# Usage: hack/build-binaries.sh [kubernetes] [etcd] [keda]   (default: kubernetes etcd)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

export CGO_ENABLED=0 GOFLAGS=-mod=mod

# The version the wrapper's go.mod resolves (a replace's, if any) must be the
# pin: the pin names the cache directory and goes into the version ldflags.
check_pin() { # check_pin <module_dir> <module> <pin>
  local got
  got="$(cd "$HACK_DIR/gomod/$1" && go list -m -f '{{with .Replace}}{{.Version}}{{else}}{{.Version}}{{end}}' "$2")" ||
    die "cannot resolve $2 in hack/gomod/$1/go.mod"
  [[ "$got" == "$3" ]] || die "hack/gomod/$1/go.mod resolves $2 $got, but hack/versions.env pins $3: update one of them"
}
# Builds share one Go build cache; on 2 cores one package build at a time is fastest overall.
build() { # build <out_dir> <module_dir> <module> <pin> <ldflags> <packages...>
  local out="$1" mod="$2" module="$3" pin="$4" ldflags="$5"; shift 5
  # A cached binary passed the check when it was built (the key hashes go.mod and the pin).
  if [[ -f "$out/.complete" ]]; then log "cached: $out"; return; fi
  check_pin "$mod" "$module" "$pin"
  log "building $(basename "$out") (cold builds take minutes; logs: $out.log)"
  mkdir -p "$out.tmp"
  local start=$SECONDS
  if ! (cd "$HACK_DIR/gomod/$mod" && go build -trimpath -ldflags "$ldflags" -o "$out.tmp/" "$@") >"$out.log" 2>&1; then
    tail -n 30 "$out.log" >&2; die "build of $mod failed"
  fi
  rm -rf "$out"; mv "$out.tmp" "$out"; touch "$out/.complete"
  log "built $(basename "$out") in $((SECONDS - start))s"
}

k8s_ldflags() {
  local v="${K8S_VERSION#v}" pkg=k8s.io/component-base/version
  local major="${v%%.*}" minor; minor="$(cut -d. -f2 <<<"$v")"
  echo "-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
}

build_kubernetes() {
  build "$(k8s_bin_dir)" kubernetes k8s.io/kubernetes "$K8S_VERSION" "$(k8s_ldflags)" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
}
build_etcd() {
  local out; out="$(etcd_bin_dir)"
  build "$out" etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "-s -w" go.etcd.io/etcd/server/v3
  # go names the binary of a /v3 module path after its parent element.
  if [[ -f "$out/server" ]]; then mv "$out/server" "$out/etcd"; fi
}
build_keda() {
  local pkg=github.com/kedacore/keda/v2/version
  build "$(keda_bin_dir)" keda github.com/kedacore/keda/v2 "$KEDA_VERSION" "-s -w -X $pkg.Version=$KEDA_VERSION" \
    github.com/kedacore/keda/v2/cmd/operator github.com/kedacore/keda/v2/cmd/adapter
}

targets=("$@"); [[ ${#targets[@]} -gt 0 ]] || targets=(kubernetes etcd)
for t in "${targets[@]}"; do
  case "$t" in
    kubernetes) build_kubernetes ;;
    etcd) build_etcd ;;
    keda) build_keda ;;
    *) die "unknown target $t (kubernetes, etcd, keda)" ;;
  esac
done
