#!/usr/bin/env bash
# The main job: set up, build, start the bundled demo shop on a free
# loopback port, and load-test it for 20 s with the shop scenario. Prints the
# live stats and the summary, and writes the Locust-format CSV files, a
# JSON report and a self-contained HTML report into ./loadhost-report/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup-debian.sh

out=loadhost-report
mkdir -p "$out"
./build/bin/loadhost-demo-target --port 0 --threads 1 >"$out/target.log" 2>&1 &
target=$!
trap 'kill $target 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q "^listening on" "$out/target.log" && break
  sleep 0.1
done
address=$(sed -n 's/^listening on //p' "$out/target.log" | head -1)
[ -n "$address" ] || { echo "demo: the demo target did not start:" >&2; cat "$out/target.log" >&2; exit 1; }

# --exit-code-on-error 0: the demo shop fails some requests on purpose.
./build/bin/loadhost -f examples/scenarios/shop.cpp -H "http://$address" \
  -u 50 -r 25 -t 20s --headless --csv "$out/shop" --json "$out/shop.json" --html "$out/shop.html" \
  --exit-code-on-error 0 "$@"
echo "demo: reports in $out/: $(cd "$out" && ls shop* | tr '\n' ' ')"
