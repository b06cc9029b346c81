#!/usr/bin/env bash
# The README's test command (`make test`): sets up what is missing, starts the
# local control plane, runs the test tiers in order (unit, integration, e2e),
# stops the cluster, and ends with the totals line `N passed, N failed` (skipped
# tests, if any, are counted on the line before it).
# Usage: hack/test.sh [unit|integration|e2e|all]   (default: all)
# Integration runs before e2e: the e2e stack starts a live KEDA operator,
# which would otherwise act on the integration tests' ScaledObjects.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

tier="${1:-all}"
DENO="$REPO_ROOT/node_modules/.bin/deno"
REPORT_DIR="$REPO_ROOT/.local/test-reports"
# Tests start real processes (redis-server, RQ workers, kubectl, the operator
# from source) and talk to them on loopback, so they get broad permissions; the
# operator binary itself runs with the narrow set in bin/permissions (tests
# that run bin/frappe-op as a subprocess get exactly that set).
TEST_FLAGS=(--allow-read --allow-write --allow-net --allow-env --allow-run --allow-sys)

tier_paths() {
  case "$1" in
    unit) echo apis controllers kube loadtest cli redis hack/node-agent hack/lint_test.ts ;;
    integration) echo tests/integration tests/loadtest ;;
    e2e) echo tests/e2e ;;
  esac
}
# Failing before any test ran still ends with the totals line.
abort() { log "ERROR: $*"; echo "0 passed, 1 failed"; exit 1; }
case "$tier" in
  unit | integration | e2e) tiers=("$tier") ;;
  all) tiers=(unit integration e2e) ;;
  *) abort "unknown tier $tier (unit, integration, e2e, all)" ;;
esac

# Only what the tiers use: unit needs no Go build and no cluster; e2e needs KEDA,
# built here rather than inside the first e2e test.
case "${tiers[*]}" in
  unit) go_targets=(none) ;;
  integration) go_targets=(kubernetes etcd) ;;
  *) go_targets=(kubernetes etcd keda) ;;
esac
"$HACK_DIR/setup.sh" "${go_targets[@]}" || abort "setup failed"
if [[ "${tiers[*]}" != unit ]]; then
  # The HPA controller's loop: 5 s keeps the e2e scenarios short (the default
  # is 15 s; docs/benchmarks.md says which one each number was measured with).
  export HPA_SYNC_PERIOD="${HPA_SYNC_PERIOD:-5s}"
  [[ "${KEEP_CLUSTER:-}" == 1 ]] || trap '"$HACK_DIR/cluster-down.sh" >/dev/null 2>&1' EXIT
  # A cluster left up by `make demo` or an e2e run has a live KEDA and operator,
  # which would act on the integration tests' objects: start from a bare one.
  if [[ " ${tiers[*]} " == *" integration "* ]] &&
    { running frappe-op || running keda-operator || running keda-adapter; }; then
    log "the cluster runs KEDA or the operator (make demo?); restarting it bare for the integration tier"
    "$HACK_DIR/cluster-down.sh" >/dev/null 2>&1 || true
  fi
  "$HACK_DIR/cluster-up.sh" || abort "cluster-up failed; logs in $CLUSTER_DIR/logs"
fi

mkdir -p "$REPORT_DIR"
status=0
reports=()
for t in "${tiers[@]}"; do
  paths=()
  for p in $(tier_paths "$t"); do [[ -e "$REPO_ROOT/$p" ]] && paths+=("$p"); done
  junit="$REPORT_DIR/$t.xml"
  rm -f "$junit"
  log "tier $t: ${paths[*]}"
  (cd "$REPO_ROOT" && "$DENO" test "${TEST_FLAGS[@]}" --junit-path="$junit" "${paths[@]}") || status=1
  reports+=("$junit")
done

# Totals from the JUnit reports (one testcase per test or step); a tier that
# failed without a report (e.g. a type error) counts as one failure.
read -r passed failed skipped < <(python3 - "${reports[@]}" <<'PY'
import os, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in sys.argv[1:]:
    if not os.path.exists(path):
        failed += 1
        continue
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
print(passed, failed, skipped)
PY
)
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
# The last line is exactly the totals (CI reads it); skips go on the line before.
if [[ $skipped -gt 0 ]]; then echo "$skipped skipped"; fi
echo "$passed passed, $failed failed"
exit $status
