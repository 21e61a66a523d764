#!/usr/bin/env bash
# Writes an HTML report the way a user does (loadhost --headless --html
# against the demo target), then opens it from disk in Chromium
# (report_test.mjs with LH_REPORT_FILE).
#   report_test.sh NODE REPORT_TEST_MJS      (env: LH_LOADHOST_BIN, LH_DEMO_TARGET_BIN, LH_SHOP_SCENARIO)
set -euo pipefail
node=$1 test=$2
work=$(mktemp -d)
trap 'kill $target 2>/dev/null || true; rm -rf "$work"' EXIT
"$LH_DEMO_TARGET_BIN" --port 0 --threads 1 >"$work/target.log" 2>&1 &
target=$!
for _ in $(seq 100); do grep -q "^listening on" "$work/target.log" && break; sleep 0.05; done
address=$(sed -n 's/^listening on //p' "$work/target.log" | head -1)
[ -n "$address" ] || { echo "report_test: the demo target did not start" >&2; exit 1; }
"$LH_LOADHOST_BIN" -f "$LH_SHOP_SCENARIO" -H "http://$address" -u 6 -r 6 -t 4s --threads 1 --headless \
  --only-summary --exit-code-on-error 0 --threshold 'p(95)<10s' --threshold '/nowhere: avg<1s' \
  --html "$work/report.html" >"$work/run.log" 2>&1 || status=$?
# 99: the /nowhere threshold fails on purpose, so the report has a passed and a failed one.
[ "${status:-0}" = 99 ] \
  || { echo "report_test: loadhost exited ${status:-0}, not 99:" >&2; cat "$work/run.log" >&2; exit 1; }
LH_REPORT_FILE="$work/report.html" "$node" "$test"
