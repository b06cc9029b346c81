#!/usr/bin/env bash
# Installs what the tests and the demo need on a fresh machine, and does
# nothing that is already done: Debian packages (redis, openssl, curl, procps,
# python3-venv, make), Deno (pinned in package.json, via npm), the Python venvs
# with the RQ versions Frappe pins, and the Go-built binaries (cached by version).
#
#   hack/setup.sh                        # everything: kubernetes etcd keda
#   hack/setup.sh kubernetes etcd        # the control plane only (integration tier)
#   hack/setup.sh none                   # no Go builds (unit tier)
#   hack/setup.sh deno                   # Deno only (lint, fmt, manifests)
#
# A preflight first checks what cannot be installed here (Go, Node.js/npm,
# root or sudo for apt, a writable /etc/hosts) and stops with one line saying
# what is missing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

go_targets=("$@")
[[ ${#go_targets[@]} -gt 0 ]] || go_targets=(kubernetes etcd keda)
[[ "${go_targets[*]}" != none ]] || go_targets=()
deno_only=false
[[ "${go_targets[*]}" != deno ]] || { deno_only=true; go_targets=(); }

# The newest `go` directive of the wrapper modules.
go_needed() { sed -n 's/^go \([0-9.]*\)$/\1/p' "$HACK_DIR"/gomod/*/go.mod | sort -V | tail -n 1; }
version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]; }

check_go() {
  local need have
  need="$(go_needed)"
  command -v go >/dev/null || die "Go >= $need is needed to build the control plane (hack/gomod/*/go.mod): install it from https://go.dev/dl/"
  have="$(go env GOVERSION)"; have="${have#go}"
  version_ge "$have" "$need" && return
  # Go >= 1.21 fetches the toolchain a go.mod asks for, unless GOTOOLCHAIN=local.
  if version_ge "$have" 1.21 && [[ "$(go env GOTOOLCHAIN)" != local ]]; then
    log "go $have < $need: go will download go$need itself (GOTOOLCHAIN=$(go env GOTOOLCHAIN), needs internet)"
    return
  fi
  die "Go >= $need is needed (hack/gomod/*/go.mod), found go $have: install a newer one from https://go.dev/dl/"
}

deno_ready() {
  local pin
  pin="$(sed -n 's/.*"deno": "\(.*\)".*/\1/p' "$REPO_ROOT/package.json")"
  "$REPO_ROOT/node_modules/.bin/deno" --version 2>/dev/null | grep -q "^deno $pin "
}

apt_packages() { # what is missing, as Debian package names
  command -v redis-server >/dev/null || echo redis-server
  command -v openssl >/dev/null || echo openssl
  command -v curl >/dev/null || echo curl ca-certificates
  command -v ps >/dev/null || echo procps
  command -v make >/dev/null || echo make
  command -v python3 >/dev/null || echo python3
  # Debian's python3 has `venv` but ensurepip (which `python3 -m venv` needs) only with python3-venv.
  command -v python3 >/dev/null && python3 -c 'import ensurepip' 2>/dev/null || echo python3-venv
}

apt_install() {
  local sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    sudo -n true 2>/dev/null || die "installing Debian packages ($*) needs root or passwordless sudo; install them yourself or run as root"
    sudo=(sudo)
  fi
  command -v apt-get >/dev/null || die "missing: $* (no apt-get here: install them with your package manager)"
  log "installing Debian packages: $*"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Preflight: nothing is installed before every check has passed.
if ((${#go_targets[@]})); then
  check_go
  # The test node agent maps tenants' Redis Service names to loopback addresses there.
  [[ -w /etc/hosts ]] || die "the test node agent edits /etc/hosts (tenants' Redis Service names): run as root"
fi
deno_ready || command -v npm >/dev/null ||
  die "Node.js and npm are needed to install Deno (package.json pin): e.g. apt-get install nodejs npm"
if $deno_only; then
  deno_ready && exit 0
  log "installing Deno from npm (package.json pin)"
  cd "$REPO_ROOT" && exec npm ci --no-audit --no-fund --loglevel=error
fi
mapfile -t need_apt < <(apt_packages | tr ' ' '\n')

if ((${#need_apt[@]})); then apt_install "${need_apt[@]}"; fi
if ! deno_ready; then
  log "installing Deno from npm (package.json pin)"
  (cd "$REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
fi
"$HACK_DIR/python-env.sh" >/dev/null
if ((${#go_targets[@]})); then "$HACK_DIR/build-binaries.sh" "${go_targets[@]}"; fi
