#!/usr/bin/env bash
# HTTP/1.1 benchmark, run by hand (not in CI): one nginx (1 worker, loopback)
# and, in the same run, wrk, h2load --h1, Locust FastHttpUser (if installed:
# apt-get install python3-locust), loadhost quick mode and loadhost with an
# equivalent scenario — 50 connections/users, no wait. Prints requests/s,
# CPU µs per request, peak RSS and the ratios to wrk; then 100,000 idle
# loadhost users and their RSS per user.
#
#   bash tests/perf/http1_vs_wrk.sh [SECONDS]      (default 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/perf/quiet_machine.sh
note_load_before
duration=${1:-10}
conns=50
build=${BUILD:-build}
loadhost="$build/bin/loadhost"
[ -x "$loadhost" ] || { echo "build first: bash tests/setup-debian.sh" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

. tests/perf/nginx_hello.sh
start_hello_nginx "$work"
url="http://127.0.0.1:$port/"

# run NAME COMMAND...: runs it under /usr/bin/time; the caller parses
# $work/NAME.out for its request count.
run() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>&1 || true
}
# report NAME REQUESTS
declare -A RPS CPU RSS
report() {
  local name=$1 requests=$2
  read -r wall user sys rss <"$work/$name.time"
  RPS[$name]=$(awk -v r="$requests" -v d="$duration" 'BEGIN{printf "%.0f", r/d}')
  CPU[$name]=$(awk -v u="$user" -v s="$sys" -v r="$requests" 'BEGIN{ if (r>0) printf "%.1f", (u+s)/r*1e6; else print "n/a"}')
  RSS[$name]=$((rss / 1024))
}

run wrk wrk -t2 -c$conns -d${duration}s "$url"
report wrk "$(awk '/requests in/ {print $1}' "$work/wrk.out")"

run h2load h2load --h1 -t2 -c$conns -D "$duration" "$url"
report h2load "$(awk '/^requests:/ {print $8}' "$work/h2load.out")"

run quick "$loadhost" --headless --only-summary -u $conns -t ${duration}s --json "$work/quick.json" "$url"
report quick "$(python3 -c "import json;print(json.load(open('$work/quick.json'))['aggregated']['num_requests'])")"

"$loadhost" -f tests/perf/hello_user.cpp --headless -u 1 -t 0.1s -H "$url" >/dev/null 2>&1 || true  # compile once
run scenario "$loadhost" -f tests/perf/hello_user.cpp --headless --only-summary -u $conns -r 1000 -t ${duration}s \
  -H "http://127.0.0.1:$port" --json "$work/scenario.json"
report scenario "$(python3 -c "import json;print(json.load(open('$work/scenario.json'))['aggregated']['num_requests'])")"

tools="wrk h2load quick scenario"
if command -v locust >/dev/null; then
  run locust locust -f tests/perf/locust_fast.py --headless --only-summary -u $conns -r $conns -t ${duration}s \
    -H "http://127.0.0.1:$port" --csv "$work/locust"
  report locust "$(awk -F, '$2=="Aggregated" {print $3}' "$work/locust_stats.csv")"
  tools="wrk h2load locust quick scenario"
fi

printf '\nHTTP/1.1, %s connections/users, no wait, %ss, nginx 1 worker on loopback, %s cores\n' $conns "$duration" "$(nproc)"
printf '%-22s %10s %12s %10s %10s %12s\n' tool "req/s" "CPU µs/req" "peak MiB" "vs wrk" "CPU vs wrk"
for t in $tools; do
  label=$t
  case $t in quick) label="loadhost (quick)";; scenario) label="loadhost (scenario)";; locust) label="locust FastHttpUser";; h2load) label="h2load --h1";; esac
  printf '%-22s %10s %12s %10s %10s %12s\n' "$label" "${RPS[$t]}" "${CPU[$t]}" "${RSS[$t]}" \
    "$(awk -v a="${RPS[$t]}" -v b="${RPS[wrk]}" 'BEGIN{printf "%.2fx", a/b}')" \
    "$(awk -v a="${CPU[$t]}" -v b="${CPU[wrk]}" 'BEGIN{ if (a+0>0) printf "%.2fx", a/b; else print "n/a"}')"
done

# Memory per idle user.
"$loadhost" -f tests/perf/idle_user.cpp --headless -u 1 -t 0.1s >/dev/null 2>&1 || true  # compile once
/usr/bin/time -f "%M" -o "$work/idle1.time" "$loadhost" -f tests/perf/idle_user.cpp --headless --only-summary \
  -u 1 -r 1 -t 5s >/dev/null 2>&1 || true
/usr/bin/time -f "%M" -o "$work/idle.time" "$loadhost" -f tests/perf/idle_user.cpp --headless --only-summary \
  -u 100000 -r 50000 -t 8s >"$work/idle.out" 2>&1 || true
base=$(cat "$work/idle1.time"); peak=$(cat "$work/idle.time")
printf '\n100,000 idle users (1 s constant wait): peak RSS %d MiB, %s bytes per user (baseline %d MiB)\n' \
  $((peak / 1024)) "$(awk -v p="$peak" -v b="$base" 'BEGIN{printf "%.0f", (p-b)*1024/100000}')" $((base / 1024))
say_if_busy
