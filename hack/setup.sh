#!/usr/bin/env bash
# Installs everything the tests and the demo need on a fresh machine, and does
# nothing that is already done: Debian packages (redis), Deno (pinned in
# package.json, via npm), the Python venvs with the RQ versions Frappe pins,
# and the Go-built control plane binaries (cached by version).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v curl >/dev/null || need_apt+=(curl)
if ((${#need_apt[@]})); then
  log "installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

deno_pin="$(sed -n 's/.*"deno": "\(.*\)".*/\1/p' "$REPO_ROOT/package.json")"
if ! "$REPO_ROOT/node_modules/.bin/deno" --version 2>/dev/null | grep -q "^deno $deno_pin "; then
  log "installing Deno from npm (package.json pin)"
  (cd "$REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
fi

if [[ -x "$HACK_DIR/python-env.sh" ]]; then "$HACK_DIR/python-env.sh"; fi
"$HACK_DIR/build-binaries.sh" "$@"
