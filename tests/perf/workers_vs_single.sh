#!/usr/bin/env bash
# What a distributed run costs, run by hand (not in CI): one nginx (1 worker,
# loopback) driven in the same run, with the same total users and no wait,
# by wrk (the ceiling), by one loadhost process, by a loadhost master with
# WORKERS worker processes of one loop thread each (the many-workers layout
# of a Kubernetes deployment, squeezed onto this machine), and by Locust's
# best layout here: a master and one FastHttpUser worker per core. Prints
# requests/s and the ratios to the single process.
#
#   bash tests/perf/workers_vs_single.sh [SECONDS] [WORKERS] [USERS]   (default 10 20 100)
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/perf/quiet_machine.sh
note_load_before
duration=${1:-10}
workers=${2:-20}
users=${3:-100}
build=${BUILD:-build}
loadhost="$build/bin/loadhost"
[ -x "$loadhost" ] || { echo "build first: bash tests/setup-debian.sh" >&2; exit 1; }
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
echo "load average before the run: $(cut -d' ' -f1 /proc/loadavg)"

. tests/perf/nginx_hello.sh
start_hello_nginx "$work"
host="http://127.0.0.1:$port"
"$loadhost" -f tests/perf/hello_user.cpp --headless -u 1 -t 0.1s -H "$host" >/dev/null 2>&1 || true  # compile once

requests() { python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['aggregated']['num_requests'])" "$1"; }
rate() { awk -v r="$1" -v d="$duration" 'BEGIN{printf "%.0f", r/d}'; }

wrk_rps=$(wrk -t2 -c"$users" -d"${duration}s" "$host/" | awk '/requests in/ {print $1}')
wrk_rps=$(rate "$wrk_rps")

"$loadhost" -f tests/perf/hello_user.cpp --headless --only-summary -u "$users" -r 100000 -t "${duration}s" \
  -H "$host" --json "$work/single.json" >"$work/single.log" 2>&1 || true
single_rps=$(rate "$(requests "$work/single.json")")

# The master starts the test once every worker is in; its -t runs from there.
mport=$(free_port)
"$loadhost" -f tests/perf/hello_user.cpp --master --master-bind-port "$mport" --headless --only-summary \
  --expect-workers "$workers" --expect-workers-max-wait 60s -u "$users" -r 100000 -t "${duration}s" -H "$host" \
  --json "$work/master.json" >"$work/master.log" 2>&1 &
master=$!
pids=("$master")
for _ in $(seq "$workers"); do
  "$loadhost" -f tests/perf/hello_user.cpp --worker --master-port "$mport" --threads 1 >>"$work/workers.log" 2>&1 &
  pids+=($!)
done
wait "$master" || true
for p in "${pids[@]:1}"; do wait "$p" 2>/dev/null || true; done
pids=()
distributed_rps=$(rate "$(requests "$work/master.json" 2>/dev/null || echo 0)")

locust_rps="n/a"
if command -v locust >/dev/null; then
  # Debian's Locust reports an empty version, which its own master refuses.
  { echo 'import locust.runners'; echo 'locust.runners.__version__ = "2.12.1"'; cat tests/perf/locust_fast.py; } \
    >"$work/locustfile.py"
  lport=$(free_port)
  locust -f "$work/locustfile.py" --master --master-bind-host 127.0.0.1 --master-bind-port "$lport" --headless \
    --only-summary --expect-workers "$(nproc)" -u "$users" -r "$users" -t "${duration}s" -H "$host" \
    --csv "$work/locust" >"$work/locust.log" 2>&1 &
  pids=($!)
  for _ in $(seq "$(nproc)"); do
    locust -f "$work/locustfile.py" --worker --master-port "$lport" >>"$work/locust-workers.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
  locust_rps=$(rate "$(awk -F, '$2=="Aggregated" {print $3}' "$work/locust_stats.csv")")
fi

printf '\nHTTP/1.1, %s users in total, no wait, %ss, nginx 1 worker on loopback, %s cores\n' "$users" "$duration" "$(nproc)"
printf '%-52s %10s %12s\n' layout "req/s" "vs single"
row() { printf '%-52s %10s %12s\n' "$1" "$2" "$(awk -v a="$2" -v b="$single_rps" 'BEGIN{ if (a+0>0) printf "%.2fx", a/b; else print "n/a"}')"; }
row "wrk -t2 (the ceiling)" "$wrk_rps"
row "loadhost, one process" "$single_rps"
row "loadhost master + $workers workers (--threads 1)" "$distributed_rps"
row "Locust master + $(nproc) FastHttpUser workers" "$locust_rps"
say_if_busy
