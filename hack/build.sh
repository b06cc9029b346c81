#!/usr/bin/env bash
# `make build`: compiles the single binary dist/frappe-op with exactly the
# permissions in bin/permissions (the same list bin/frappe-op uses from source).
# `deno compile` downloads the matching `denort` runtime unless DENORT_BIN
# points at one already on disk (needed on machines without internet).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DENO="$REPO_ROOT/node_modules/.bin/deno"
mapfile -t perms < <(grep -v '^#' "$REPO_ROOT/bin/permissions")
mkdir -p "$REPO_ROOT/dist"
if [[ -n "${DENORT_BIN:-}" ]]; then
  [[ -x "$DENORT_BIN" ]] || die "DENORT_BIN=$DENORT_BIN is not an executable denort"
  log "using the runtime at DENORT_BIN=$DENORT_BIN"
fi
cd "$REPO_ROOT"
"$DENO" compile --no-prompt "${perms[@]}" --output dist/frappe-op mod.ts
log "built dist/frappe-op"
