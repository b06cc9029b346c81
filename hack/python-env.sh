#!/usr/bin/env bash
# Creates the two Python virtualenvs the loadtest tests and benchmarks use:
# real RQ workers of the versions Frappe pins (v15: rq 1.15.1, v16: rq 2.6.1),
# each with a redis-py that version accepts. Idempotent: a venv whose marker
# file exists is left alone.
#
#   hack/python-env.sh            # create both (prints their paths)
#   hack/python-env.sh --print    # only print the paths
#
# Location: ${FRAPPE_OP_CACHE:-$HOME/.cache/frappe-op}/venv/rq-<version>
set -euo pipefail

CACHE="${FRAPPE_OP_CACHE:-$HOME/.cache/frappe-op}"
PYTHON="${PYTHON:-python3}"

# version -> pip requirements (redis-py pinned near what each Frappe release pins)
declare -A REQS=(
  ["1.15.1"]="rq==1.15.1 redis==4.5.5"
  ["2.6.1"]="rq==2.6.1 redis==5.2.1"
)

venv_dir() { echo "$CACHE/venv/rq-$1"; }

make_venv() {
  local version="$1" dir marker
  dir="$(venv_dir "$version")"
  marker="$dir/.frappe-op-ready"
  if [[ -f "$marker" ]]; then
    return 0
  fi
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  "$PYTHON" -m venv "$dir"
  # shellcheck disable=SC2086
  "$dir/bin/pip" install --quiet --disable-pip-version-check ${REQS[$version]}
  echo "${REQS[$version]}" >"$marker"
}

main() {
  for version in "${!REQS[@]}"; do
    if [[ "${1:-}" != "--print" ]]; then
      make_venv "$version" >&2
    fi
    echo "rq-$version $(venv_dir "$version")"
  done
}

main "$@"
