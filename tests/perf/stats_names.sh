#!/usr/bin/env bash
# What a stats entry per request name costs, run by hand (not in CI): one
# nginx (1 worker, loopback), 50 users with no wait, whose URLs cycle over N
# distinct query strings and are not grouped with name= (every URL its own
# row: the commonest Locust-style mistake). For each N, loadhost
# (tests/perf/many_names.cpp) and Locust 2.12's FastHttpUser with the same
# URLs, in the same run. Prints peak RSS, the bytes each name adds over the
# one-name run, requests/s, and loadhost's per-second stats merge time (its
# own end-of-run line). Locust runs only up to LOCUST_MAX names (it takes
# minutes to report 100,000 rows).
#
#   bash tests/perf/stats_names.sh [SECONDS] [N...]      (default 20 s; 1 2000 8000 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/perf/quiet_machine.sh
note_load_before
duration=${1:-20}
shift || true
if [ $# -gt 0 ]; then counts=("$@"); else counts=(1 2000 8000 100000); fi
locust_max=${LOCUST_MAX:-8000}
build=${BUILD:-build}
loadhost="$build/bin/loadhost"
[ -x "$loadhost" ] || { echo "build first: bash tests/setup-debian.sh" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
echo "load average before the run: $(cut -d' ' -f1 /proc/loadavg)"

. tests/perf/nginx_hello.sh
start_hello_nginx "$work"
host="http://127.0.0.1:$port"
"$loadhost" -f tests/perf/many_names.cpp --headless -u 1 -t 0.1s -H "$host" >/dev/null 2>&1 || true  # compile once

cat >"$work/locustfile.py" <<'PY'
import itertools, os
from locust import FastHttpUser, task
NAMES = int(os.environ.get("LH_NAMES", "1000"))
counter = itertools.count()
class Names(FastHttpUser):
    @task
    def item(self):
        self.client.get(f"/item?id={next(counter) % NAMES}")
PY

requests_of() { python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['aggregated']['num_requests'])" "$1"; }

printf '\n50 users, no wait, %ss, nginx 1 worker on loopback, %s cores\n' "$duration" "$(nproc)"
printf '%-9s %-10s %12s %14s %10s  %s\n' names tool "peak MiB" "bytes/name" "req/s" "stats merge (loadhost's own line)"
declare -A BASE
for n in "${counts[@]}"; do
  /usr/bin/time -f "%M" -o "$work/lh.time" env LH_NAMES="$n" "$loadhost" -f tests/perf/many_names.cpp --headless \
    -u 50 -r 1000 -t "${duration}s" -H "$host" --only-summary --json "$work/lh.json" >"$work/lh.out" 2>"$work/lh.err" || true
  rss=$(tail -1 "$work/lh.time")
  [ "$n" = 1 ] && BASE[loadhost]=$rss
  merge=$(sed -n 's/.*request names; merging the loops. stats cost the control thread \(.*\)/\1/p' "$work/lh.err" | head -1)
  per=$(awk -v r="$rss" -v b="${BASE[loadhost]:-$rss}" -v n="$n" 'BEGIN{ if (n>1) printf "%.0f", (r-b)*1024/n; else print "-"}')
  printf '%-9s %-10s %12d %14s %10.0f  %s\n' "$n" loadhost $((rss / 1024)) "$per" \
    "$(awk -v r="$(requests_of "$work/lh.json")" -v d="$duration" 'BEGIN{print r/d}')" "${merge:--}"
  if command -v locust >/dev/null && [ "$n" -le "$locust_max" ]; then
    /usr/bin/time -f "%M" -o "$work/lc.time" env LH_NAMES="$n" locust -f "$work/locustfile.py" --headless \
      --only-summary -u 50 -r 50 -t "${duration}s" -H "$host" --csv "$work/lc" >"$work/lc.out" 2>&1 || true
    rss=$(tail -1 "$work/lc.time")
    [ "$n" = 1 ] && BASE[locust]=$rss
    per=$(awk -v r="$rss" -v b="${BASE[locust]:-$rss}" -v n="$n" 'BEGIN{ if (n>1) printf "%.0f", (r-b)*1024/n; else print "-"}')
    printf '%-9s %-10s %12d %14s %10.0f\n' "$n" locust $((rss / 1024)) "$per" \
      "$(awk -F, -v d="$duration" '$2=="Aggregated" {print $3/d}' "$work/lc_stats.csv")"
  fi
done
say_if_busy
