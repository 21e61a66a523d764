#!/usr/bin/env bash
# What serving the web UI costs the request path, run by hand (not in CI):
# one nginx (1 worker, loopback) driven in the same run by wrk, by loadhost
# headless, and by loadhost with the web UI while five watchers hold its
# live WebSocket and poll /stats/requests and /metrics every second (the
# load of five open browser tabs, without five Chromiums competing for this
# machine's cores). Prints requests/s, the ratios, and the load average
# before the run; on a busy machine it says so and quotes no ratio.
#
#   bash tests/perf/web_ui_overhead.sh [SECONDS] [ROUNDS]    (default 10 s, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/perf/quiet_machine.sh
note_load_before
duration=${1:-10}
rounds=${2:-3}
users=50
build=${BUILD:-build}
loadhost="$build/bin/loadhost"
[ -x "$loadhost" ] || { echo "build first: bash tests/setup-debian.sh" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

load=$(cut -d' ' -f1 /proc/loadavg)
quiet=$(awk -v l="$load" 'BEGIN{print (l < 0.5) ? 1 : 0}')
echo "load average before the run: $load"

. tests/perf/nginx_hello.sh
start_hello_nginx "$work"
host="http://127.0.0.1:$port"
"$loadhost" -f tests/perf/hello_user.cpp --headless -u 1 -t 0.1s -H "$host" >/dev/null 2>&1 || true  # compile once

requests() { python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['aggregated']['num_requests'])" "$1"; }

headless() {
  "$loadhost" -f tests/perf/hello_user.cpp --headless --only-summary -u $users -r 1000 -t ${duration}s \
    -H "$host" --json "$work/headless.json" >/dev/null 2>&1 || true
  requests "$work/headless.json"
}

with_ui() {
  "$loadhost" -f tests/perf/hello_user.cpp --only-summary -u $users -r 1000 -t ${duration}s -H "$host" \
    --web-port 0 --autostart --autoquit 0 --json "$work/ui.json" >/dev/null 2>"$work/ui.err" &
  local pid=$! url=""
  for _ in $(seq 100); do
    url=$(sed -n 's/.*web UI at \(http[^ ]*\).*/\1/p' "$work/ui.err")
    [ -n "$url" ] && break
    sleep 0.05
  done
  node --experimental-websocket tests/perf/web_ui_watchers.mjs "$url" "$duration" 5 >"$work/watchers.out" 2>&1 || true
  wait $pid || true
  requests "$work/ui.json"
}

declare -a W H U
for r in $(seq "$rounds"); do
  W+=("$(wrk -t2 -c$users -d${duration}s "$host/" | awk '/requests in/ {print $1}')")
  H+=("$(headless)")
  U+=("$(with_ui)")
  echo "round $r: wrk ${W[-1]}, headless ${H[-1]}, web UI + 5 watchers ${U[-1]} ($(cat "$work/watchers.out"))"
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
w=$(median "${W[@]}"); h=$(median "${H[@]}"); u=$(median "${U[@]}")
printf '\nHTTP/1.1, %s users, no wait, %ss x %s rounds (medians), nginx 1 worker on loopback, %s cores\n' \
  $users "$duration" "$rounds" "$(nproc)"
printf '%-34s %10s\n' tool "req/s"
printf '%-34s %10.0f\n' "wrk" "$(awk -v r="$w" -v d="$duration" 'BEGIN{print r/d}')"
printf '%-34s %10.0f\n' "loadhost --headless" "$(awk -v r="$h" -v d="$duration" 'BEGIN{print r/d}')"
printf '%-34s %10.0f\n' "loadhost web UI, 5 watchers" "$(awk -v r="$u" -v d="$duration" 'BEGIN{print r/d}')"
if [ "$quiet" = 1 ]; then
  printf 'web UI / headless: %s   headless / wrk: %s\n' \
    "$(awk -v a="$u" -v b="$h" 'BEGIN{printf "%.3fx", a/b}')" "$(awk -v a="$h" -v b="$w" 'BEGIN{printf "%.3fx", a/b}')"
else
  echo "warning: the load average was $load (>= 0.5) before the run: ratios not quoted"
fi
say_if_busy
