#!/usr/bin/env bash
# The README's test command (`make test`): sets up what is missing, starts the
# local control plane, runs every test tier, stops the cluster, and ends with
# the totals line `N passed, N failed`.
# Usage: hack/test.sh [unit|integration|e2e|all]   (default: all)
set -uo pipefail
source "$(dirname "$0")/lib.sh"

tier="${1:-all}"
DENO="$REPO_ROOT/node_modules/.bin/deno"
REPORT_DIR="$REPO_ROOT/.local/test-reports"
# Tests start real processes (redis-server, RQ workers, kubectl, the operator
# from source) and talk to them on loopback, so they get broad permissions; the
# operator binary itself runs with the narrow set in bin/permissions.
TEST_FLAGS=(--allow-read --allow-write --allow-net --allow-env --allow-run --allow-sys)

"$HACK_DIR/setup.sh" || die "setup failed"
case "$tier" in
  unit) paths=(apis controllers kube loadtest cli hack/node-agent) ;;
  integration) paths=(tests/integration tests/loadtest) ;;
  e2e) paths=(tests/e2e) ;;
  all) paths=(apis controllers kube loadtest cli hack/node-agent tests) ;;
  *) die "unknown tier $tier (unit, integration, e2e, all)" ;;
esac
existing=()
for p in "${paths[@]}"; do [[ -e "$REPO_ROOT/$p" ]] && existing+=("$p"); done

if [[ "$tier" != unit ]]; then
  # The HPA controller's loop: 5 s keeps the e2e scenarios short (the default
  # is 15 s; docs/benchmarks.md says which one each number was measured with).
  export HPA_SYNC_PERIOD="${HPA_SYNC_PERIOD:-5s}"
  "$HACK_DIR/cluster-up.sh" || die "cluster-up failed; logs in $CLUSTER_DIR/logs"
  [[ "${KEEP_CLUSTER:-}" == 1 ]] || trap '"$HACK_DIR/cluster-down.sh" >/dev/null 2>&1' EXIT
fi

mkdir -p "$REPORT_DIR"
junit="$REPORT_DIR/$tier.xml"
rm -f "$junit"
(cd "$REPO_ROOT" && "$DENO" test "${TEST_FLAGS[@]}" --junit-path="$junit" "${existing[@]}")
status=$?

# Totals from the JUnit report (one testcase per test, steps included).
if [[ -f "$junit" ]]; then
  read -r total failed < <(python3 - "$junit" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.iter("testcase")
total = failed = 0
for c in cases:
    total += 1
    if c.find("failure") is not None or c.find("error") is not None:
        failed += 1
print(total, failed)
PY
)
else
  total=0; failed=1
fi
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "$((total - failed)) passed, $failed failed"
exit $status
