#!/usr/bin/env bash
# `make build`: compiles the single binary dist/frappe-op with exactly the
# permissions in bin/permissions (the same list bin/frappe-op uses from source),
# stamped with its version: FRAPPE_OP_VERSION, else `git describe --tags
# --always --dirty`, else "dev". The stamp goes to cli/version.txt (gitignored),
# is embedded with `deno compile --include` (cli/version.ts reads it) and is
# removed afterwards, so a source checkout keeps reporting 0.1.0-dev.
# `deno compile` downloads the matching `denort` runtime unless DENORT_BIN
# points at one already on disk (needed on machines without internet).
# DENO overrides the deno binary (the Dockerfile uses the image's own).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DENO="${DENO:-$REPO_ROOT/node_modules/.bin/deno}"
STAMP="cli/version.txt"
mapfile -t perms < <(grep -v '^#' "$REPO_ROOT/bin/permissions")
version="${FRAPPE_OP_VERSION:-$(git -C "$REPO_ROOT" describe --tags --always --dirty 2>/dev/null || echo dev)}"
[[ "$version" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] || die "version \"$version\" is not one word of [A-Za-z0-9._+-]"
mkdir -p "$REPO_ROOT/dist"
if [[ -n "${DENORT_BIN:-}" ]]; then
  [[ -x "$DENORT_BIN" ]] || die "DENORT_BIN=$DENORT_BIN is not an executable denort"
  log "using the runtime at DENORT_BIN=$DENORT_BIN"
fi
cd "$REPO_ROOT"
trap 'rm -f "$REPO_ROOT/$STAMP"' EXIT
printf '%s\n' "$version" >"$STAMP"
"$DENO" compile --no-prompt "${perms[@]}" --include "$STAMP" --output dist/frappe-op mod.ts
log "built dist/frappe-op $version"
