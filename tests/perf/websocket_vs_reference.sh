#!/usr/bin/env bash
# WebSocket echo benchmark, run by hand (not in CI): the echo server
# (loadhost-ws-echo-server, websocketpp on Asio, one thread, loopback) and,
# in turns within one run, loadhost quick mode (-u 50: 50 users, a
# connection each, "request" round trips with no wait) and the reference: a
# minimal websocketpp client on its own Asio transport with the same 50
# connections, a thread per core, no stats (tests/perf/websocket_reference_client.cpp).
# Prints round trips/s and client CPU per round trip (median of the rounds),
# and the ratios.
#
#   bash tests/perf/websocket_vs_reference.sh [SECONDS] [ROUNDS]   (default 10, 3)
#   BUILD=/path/to/build bash tests/perf/websocket_vs_reference.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/perf/quiet_machine.sh
note_load_before
duration=${1:-10}
rounds=${2:-3}
users=50
message=hello
build=${BUILD:-build}
loadhost="$build/bin/loadhost"
server="$build/tests/support/ws_echo_server/loadhost-ws-echo-server"
for f in "$loadhost" "$server" "$build/lib/loadhost/plugins/websocket.so"; do
  [ -e "$f" ] || { echo "missing $f: build first (cmake --build $build --target loadhost websocket loadhost-ws-echo-server)" >&2; exit 1; }
done
reference="$build/perf/websocket_reference_client"
if [ ! -x "$reference" ] || [ tests/perf/websocket_reference_client.cpp -nt "$reference" ] ||
   [ plugins/websocket/masking_keys.hpp -nt "$reference" ]; then
  mkdir -p "$build/perf"
  echo "building $reference" >&2
  g++ -O2 -std=c++17 -I. -o "$reference" tests/perf/websocket_reference_client.cpp -pthread -lcrypto
fi

work=$(mktemp -d)
"$server" --port 0 >"$work/server.out" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "^listening on" "$work/server.out" && break; sleep 0.1; done
port=$(sed -n 's/^listening on 127.0.0.1://p' "$work/server.out")
[ -n "$port" ] || { echo "the echo server did not start: $(cat "$work/server.out")" >&2; exit 1; }
url="ws://127.0.0.1:$port/echo"

# measure NAME ROUND_TRIPS SECONDS CPU_SECONDS: one round's figures.
declare -A RPS CPU
measure() {
  RPS[$1]+="$(awk -v c="$2" -v d="$3" 'BEGIN{printf "%.0f", c/d}') "
  CPU[$1]+="$(awk -v c="$2" -v s="$4" 'BEGIN{printf "%.1f", s/c*1e6}') "
}
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

run_loadhost() {
  /usr/bin/time -f "%U %S" -o "$work/time" "$loadhost" --plugin websocket --headless --only-summary -u $users \
    -r $users -t "${duration}s" --message "$message" --json "$work/loadhost.json" "$url" >"$work/loadhost.out" 2>&1 || true
  local trips failures
  read -r trips failures < <(python3 -c "
import json
r = json.load(open('$work/loadhost.json'))
req = [s for s in r['stats'] if s['type'] == 'request']
print(sum(s['num_requests'] for s in req), r['aggregated']['num_failures'])")
  [ "$failures" = 0 ] || echo "warning: loadhost counted $failures failures" >&2
  measure loadhost "$trips" "$duration" "$(awk '{print $1+$2}' "$work/time")"
}

run_reference() {
  /usr/bin/time -f "%U %S" -o "$work/time" "$reference" --url "$url" --connections $users --threads "$(nproc)" \
    --duration "$duration" --message "$message" >"$work/reference.out" 2>&1 || true
  local trips seconds
  read -r trips seconds < <(awk '{print $2, $4}' "$work/reference.out")
  measure reference "$trips" "$seconds" "$(awk '{print $1+$2}' "$work/time")"
}

for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  run_reference
  run_loadhost
done

printf '\nWebSocket echo round trips, %s connections (loadhost: -u %s, quick mode), %ss x %s rounds (median), echo server on loopback, %s cores, load average %s\n' \
  $users $users "$duration" "$rounds" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-30s %14s %18s\n' tool "round trips/s" "CPU µs/round trip"
for t in reference loadhost; do
  label=$t
  [ $t = reference ] && label="websocketpp asio (reference)"
  [ $t = loadhost ] && label="loadhost (quick mode)"
  printf '%-30s %14s %18s   rounds: %s\n' "$label" "$(median "${RPS[$t]}")" "$(median "${CPU[$t]}")" "${RPS[$t]}"
done
printf '\nloadhost / reference: %s round trips/s, %s CPU per round trip\n' \
  "$(awk -v a="$(median "${RPS[loadhost]}")" -v b="$(median "${RPS[reference]}")" 'BEGIN{printf "%.2fx", a/b}')" \
  "$(awk -v a="$(median "${CPU[loadhost]}")" -v b="$(median "${CPU[reference]}")" 'BEGIN{printf "%.2fx", a/b}')"
say_if_busy
