#!/usr/bin/env bash
# gRPC unary benchmark, run by hand (not in CI): the gRPC test server
# (loadhost-grpc-test-server, callback API, loopback) and, in turns within
# one run, loadhost quick mode (-u 50: 50 users, a channel each, no wait)
# and the reference: a minimal grpc++ async client with the same 50 calls in
# flight on 50 channels, a completion queue per core, no stats, no JSON
# (tests/perf/grpc_reference_client.cpp). Prints calls/s and client CPU per
# call (median of the rounds), the server's CPU per call, and the ratios.
#
#   bash tests/perf/grpc_vs_reference.sh [SECONDS] [ROUNDS]   (default 10, 3)
#   BUILD=/path/to/build bash tests/perf/grpc_vs_reference.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/perf/quiet_machine.sh
note_load_before
duration=${1:-10}
rounds=${2:-3}
users=50
build=${BUILD:-build}
loadhost="$build/bin/loadhost"
server="$build/tests/support/grpc_test_server/loadhost-grpc-test-server"
for f in "$loadhost" "$server" "$build/lib/loadhost/plugins/grpc.so"; do
  [ -e "$f" ] || { echo "missing $f: build first (cmake --build $build --target loadhost grpc loadhost-grpc-test-server)" >&2; exit 1; }
done
reference="$build/perf/grpc_reference_client"
if [ ! -x "$reference" ] || [ tests/perf/grpc_reference_client.cpp -nt "$reference" ]; then
  mkdir -p "$build/perf"
  echo "building $reference" >&2
  # shellcheck disable=SC2046
  g++ -O2 -std=c++17 -o "$reference" tests/perf/grpc_reference_client.cpp $(pkg-config --cflags --libs grpc++) \
    -labsl_synchronization
fi

work=$(mktemp -d)
"$server" --port 0 >"$work/server.out" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "^listening on" "$work/server.out" && break; sleep 0.1; done
port=$(sed -n 's/^listening on 127.0.0.1://p' "$work/server.out")
[ -n "$port" ] || { echo "the test server did not start: $(cat "$work/server.out")" >&2; exit 1; }

ticks=$(getconf CLK_TCK)
server_cpu() { awk -v t="$ticks" '{printf "%.3f", ($14 + $15) / t}' "/proc/$server_pid/stat"; }

# measure NAME CALLS CPU_SECONDS SERVER_CPU_SECONDS: one round's figures.
declare -A RPS CPU SRV
measure() {
  RPS[$1]+="$(awk -v c="$2" -v d="$duration" 'BEGIN{printf "%.0f", c/d}') "
  CPU[$1]+="$(awk -v c="$2" -v s="$3" 'BEGIN{printf "%.1f", s/c*1e6}') "
  SRV[$1]+="$(awk -v c="$2" -v s="$4" 'BEGIN{printf "%.1f", s/c*1e6}') "
}
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

run_loadhost() {
  local before; before=$(server_cpu)
  /usr/bin/time -f "%U %S" -o "$work/time" "$loadhost" --headless --only-summary -u $users -t "${duration}s" \
    --proto tests/support/grpc_test_server/echo.proto --call loadhost.test.Echo/Unary -d '{"message":"x"}' \
    --json "$work/loadhost.json" "grpc://127.0.0.1:$port" >"$work/loadhost.out" 2>&1 || true
  local after calls failures; after=$(server_cpu)
  read -r calls failures < <(python3 -c "import json; a=json.load(open('$work/loadhost.json'))['aggregated']; print(a['num_requests'], a['num_failures'])")
  [ "$failures" = 0 ] || echo "warning: loadhost counted $failures failures" >&2
  measure loadhost "$calls" "$(awk '{print $1+$2}' "$work/time")" "$(awk -v a="$after" -v b="$before" 'BEGIN{print a-b}')"
}

run_reference() {
  local before; before=$(server_cpu)
  /usr/bin/time -f "%U %S" -o "$work/time" "$reference" --target "127.0.0.1:$port" --concurrency $users \
    --channels $users --threads "$(nproc)" --duration "$duration" >"$work/reference.out" 2>&1 || true
  local after calls; after=$(server_cpu)
  calls=$(awk '{print $2}' "$work/reference.out")
  measure reference "$calls" "$(awk '{print $1+$2}' "$work/time")" "$(awk -v a="$after" -v b="$before" 'BEGIN{print a-b}')"
}

for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  run_reference
  run_loadhost
done

printf '\ngRPC unary, %s calls in flight (loadhost: -u %s, a channel per user), %ss x %s rounds (median), test server on loopback, %s cores, load average %s\n' \
  $users $users "$duration" "$rounds" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-26s %10s %14s %16s\n' tool "calls/s" "CPU µs/call" "server µs/call"
for t in reference loadhost; do
  label=$t
  [ $t = reference ] && label="grpc++ async (reference)"
  [ $t = loadhost ] && label="loadhost (quick mode)"
  printf '%-26s %10s %14s %16s   rounds: %s\n' "$label" "$(median "${RPS[$t]}")" "$(median "${CPU[$t]}")" \
    "$(median "${SRV[$t]}")" "${RPS[$t]}"
done
printf '\nloadhost / reference: %s calls/s, %s CPU per call\n' \
  "$(awk -v a="$(median "${RPS[loadhost]}")" -v b="$(median "${RPS[reference]}")" 'BEGIN{printf "%.2fx", a/b}')" \
  "$(awk -v a="$(median "${CPU[loadhost]}")" -v b="$(median "${CPU[reference]}")" 'BEGIN{printf "%.2fx", a/b}')"
say_if_busy
