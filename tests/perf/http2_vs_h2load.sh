#!/usr/bin/env bash
# HTTP/2 benchmark, run by hand (not in CI): one nginx (1 worker, h2c with
# prior knowledge on loopback) and, in the same run, h2load and loadhost —
# 50 connections/users, each keeping 10 requests in flight, no wait:
#
#   h2load -c50 -m10 -D SECONDS  vs  loadhost -f tests/perf/h2_ten_in_flight.cpp -u 50
#
# Prints requests/s, CPU µs per request (user + system of the client
# process), peak RSS and the ratios to h2load.
#
#   bash tests/perf/http2_vs_h2load.sh [SECONDS]      (default 10)
#   BUILD=/tmp/build-http2 THREADS=1 bash tests/perf/http2_vs_h2load.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/perf/quiet_machine.sh
note_load_before
duration=${1:-10}
conns=50
streams=10
build=${BUILD:-build}
loadhost="$build/bin/loadhost"
[ -x "$loadhost" ] || { echo "build first: bash tests/setup-debian.sh" >&2; exit 1; }
command -v h2load >/dev/null || { echo "h2load missing: apt-get install nghttp2-client" >&2; exit 1; }
threads_flag=()
[ -n "${THREADS:-}" ] && threads_flag=(--threads "$THREADS")
work=$(mktemp -d)
trap 'kill $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

. tests/perf/nginx_hello.sh
start_hello_nginx "$work" http2
url="http://127.0.0.1:$port/"

# run NAME COMMAND...: runs it under /usr/bin/time; the caller parses
# $work/NAME.out for its request count.
run() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>&1 || true
}
declare -A RPS CPU RSS
# report NAME REQUESTS
report() {
  local name=$1 requests=$2
  read -r wall user sys rss <"$work/$name.time"
  RPS[$name]=$(awk -v r="$requests" -v d="$duration" 'BEGIN{printf "%.0f", r/d}')
  CPU[$name]=$(awk -v u="$user" -v s="$sys" -v r="$requests" 'BEGIN{ if (r>0) printf "%.1f", (u+s)/r*1e6; else print "n/a"}')
  RSS[$name]=$((rss / 1024))
}

run h2load h2load -c$conns -m$streams -D "$duration" "$url"
report h2load "$(awk '/^requests:/ {print $8}' "$work/h2load.out")"

scenario=tests/perf/h2_ten_in_flight.cpp
"$loadhost" -f "$scenario" --headless -u 1 -t 0.1s -H "http://127.0.0.1:$port" >/dev/null 2>&1 || true  # compile once
run loadhost "$loadhost" -f "$scenario" --headless --only-summary -u $conns -r 1000 -t "${duration}s" \
  "${threads_flag[@]}" -H "http://127.0.0.1:$port" --json "$work/loadhost.json"
report loadhost "$(python3 -c "import json;print(json.load(open('$work/loadhost.json'))['aggregated']['num_requests'])")"
failures=$(python3 -c "import json;print(json.load(open('$work/loadhost.json'))['aggregated']['num_failures'])")
h2load_failed=$(awk '/^requests:/ {print $12}' "$work/h2load.out")

printf '\nHTTP/2 h2c, %s connections/users x %s streams, no wait, %ss, nginx 1 worker on loopback, %s cores\n' \
  $conns $streams "$duration" "$(nproc)"
printf '%-22s %10s %12s %10s %10s %12s %9s\n' tool "req/s" "CPU µs/req" "peak MiB" "vs h2load" "CPU vs h2load" failed
for t in h2load loadhost; do
  label=$t
  case $t in h2load) label="h2load -m$streams"; fail=$h2load_failed;; loadhost) label="loadhost (when_all)"; fail=$failures;; esac
  printf '%-22s %10s %12s %10s %10s %12s %9s\n' "$label" "${RPS[$t]}" "${CPU[$t]}" "${RSS[$t]}" \
    "$(awk -v a="${RPS[$t]}" -v b="${RPS[h2load]}" 'BEGIN{printf "%.2fx", a/b}')" \
    "$(awk -v a="${CPU[$t]}" -v b="${CPU[h2load]}" 'BEGIN{ if (a+0>0) printf "%.2fx", a/b; else print "n/a"}')" \
    "$fail"
done
say_if_busy
