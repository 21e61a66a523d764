#!/usr/bin/env bash
# Open-model (arrival-rate) benchmark, run by hand (not in CI): one nginx
# (1 worker, loopback, pinned to core 0) and, in the same run, each client
# pinned to core 1 — loadhost --arrival-rate, autocannon --overallRate and
# artillery's arrivalRate (both from npm; wrk2 and k6 are not packaged here).
#
# Part 1, all three at the same rate: achieved rate, CPU µs per request, p99;
#         loadhost also prints its p99 from the intended start (corrected).
# Part 2, the highest rate each sustains on its one core within 1 % of the
#         target (a ladder of rates, SECONDS/2 each).
#
#   bash tests/perf/open_model_vs_autocannon.sh [RATE] [SECONDS]   (default 2000/s, 10 s)
#
# What differs by design, so read the table with it: artillery's arrivalRate
# starts a new virtual user per arrival and each opens a fresh connection
# (that is its model); autocannon spreads the rate over its -c connections,
# each waiting for its response before sending the next; loadhost starts an
# iteration per slot on an idle pre-allocated user (keep-alive connections).
# Node's start-up CPU (≈0.2–0.4 s) is inside its figure.
set -euo pipefail
cd "$(dirname "$0")/../.."
rate=${1:-2000}
duration=${2:-10}
build=${BUILD:-build}
loadhost="$build/bin/loadhost"
[ -x "$loadhost" ] || { echo "build first: bash tests/setup-debian.sh" >&2; exit 1; }
npm_dir=${LOADHOST_PERF_NPM:-$HOME/.cache/loadhost-perf-npm}
if [ ! -x "$npm_dir/node_modules/.bin/artillery" ] || [ ! -x "$npm_dir/node_modules/.bin/autocannon" ]; then
  echo "installing autocannon and artillery into $npm_dir (once)"
  mkdir -p "$npm_dir"
  (cd "$npm_dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --silent autocannon@9 artillery@2 >/dev/null)
fi
autocannon="$npm_dir/node_modules/.bin/autocannon"
artillery="$npm_dir/node_modules/.bin/artillery"

. tests/perf/quiet_machine.sh
note_load_before
work=$(mktemp -d)
trap 'kill $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
. tests/perf/nginx_hello.sh
start_hello_nginx "$work"
for pid in $(pgrep -f "nginx: worker process" ); do taskset -pc 0 "$pid" >/dev/null 2>&1 || true; done
url="http://127.0.0.1:$port/"

# measure TOOL RATE SECONDS: runs TOOL at RATE/s pinned to core 1; sets
# SENT (requests completed), CPU_US (per request), P99_MS and CP99_MS
# (loadhost's corrected p99, "-" for the others).
measure() {
  local tool=$1 r=$2 d=$3 out="$work/$1-$2"
  # 100 users (connections) up front, at most 1,000: enough for 100k/s at
  # 10 ms, and below nginx's 4,096 connections (a pool that outgrew them
  # once made nginx close connections, and the ladder measured that).
  local users=100
  case $tool in
    loadhost)
      /usr/bin/time -f "%U %S" -o "$out.time" taskset -c 1 "$loadhost" --headless --only-summary --threads 1 \
        --arrival-rate "$r/s" --pre-allocated-users "$users" --max-users $(( users * 10 )) -t "${d}s" \
        --json "$out.json" "$url" >"$out.log" 2>&1 || true
      read -r SENT P99_MS CP99_MS < <(python3 - "$out.json" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("0 - -"); sys.exit()
a = d["aggregated"]
def p99(pcts):  # keys as the JSON report writes them: "99%"
    return (pcts or {}).get("99%", "-")
print(a["num_requests"], p99(a.get("percentiles_ms")), p99((a.get("corrected") or {}).get("percentiles_ms")))
PY
      ) ;;
    autocannon)
      /usr/bin/time -f "%U %S" -o "$out.time" taskset -c 1 "$autocannon" --json -c "$users" -R "$r" -d "$d" "$url" \
        >"$out.json" 2>"$out.log" || true
      read -r SENT P99_MS < <(python3 -c "
import json,sys
try: d=json.load(open('$out.json'))
except Exception: print('0 -'); sys.exit()
print(d['2xx'] + d['non2xx'], d['latency']['p99'])")
      CP99_MS=- ;;
    artillery)
      cat >"$out.yml" <<YML
config:
  target: "http://127.0.0.1:$port"
  phases: [{ duration: $d, arrivalRate: $r }]
scenarios: [{ flow: [{ get: { url: "/" } }] }]
YML
      /usr/bin/time -f "%U %S" -o "$out.time" taskset -c 1 env WORKERS=1 "$artillery" run --quiet \
        --output "$out.json" "$out.yml" >"$out.log" 2>&1 || true
      read -r SENT P99_MS < <(python3 -c "
import json,sys
try: a=json.load(open('$out.json'))['aggregate']
except Exception: print('0 -'); sys.exit()
print(a['counters'].get('http.responses',0), a['summaries'].get('http.response_time',{}).get('p99','-'))")
      CP99_MS=- ;;
  esac
  read -r user sys < <(tail -1 "$out.time")  # after "Command exited with non-zero status" if any
  CPU_US=$(awk -v u="$user" -v s="$sys" -v n="$SENT" 'BEGIN{ if (n>0) printf "%.1f", (u+s)/n*1e6; else print "n/a"}')
}

tools="loadhost autocannon artillery"
printf '\nPart 1: %s/s for %s s against nginx (1 worker, core 0); each client on core 1\n' "$rate" "$duration"
printf '%-12s %10s %10s %12s %10s %16s\n' tool "req/s" "of target" "CPU µs/req" "p99 ms" "corrected p99 ms"
for t in $tools; do
  measure "$t" "$rate" "$duration"
  printf '%-12s %10s %10s %12s %10s %16s\n' "$t" \
    "$(awk -v n="$SENT" -v d="$duration" 'BEGIN{printf "%.0f", n/d}')" \
    "$(awk -v n="$SENT" -v d="$duration" -v r="$rate" 'BEGIN{printf "%.3f", n/d/r}')" "$CPU_US" "$P99_MS" "$CP99_MS"
done

# Part 2: the ladder. A rate is sustained when the requests completed are
# within 1 % of rate × seconds.
ladder="1000 2000 5000 10000 20000 40000 60000 80000 100000 140000"
step=$(( duration / 2 > 2 ? duration / 2 : 2 ))
printf '\nPart 2: highest rate sustained within 1 %% on one core (%s s per step)\n' "$step"
printf '%-12s %14s %12s   %s\n' tool "sustained/s" "CPU µs/req" "first rate missed (achieved)"
for t in $tools; do
  best=0 best_cpu=- missed=-
  for r in $ladder; do
    measure "$t" "$r" "$step"
    if awk -v n="$SENT" -v r="$r" -v d="$step" 'BEGIN{exit !(n >= 0.99*r*d)}'; then
      best=$r best_cpu=$CPU_US
    else
      missed="$r/s ($(awk -v n="$SENT" -v d="$step" 'BEGIN{printf "%.0f", n/d}')/s)"
      break
    fi
  done
  printf '%-12s %14s %12s   %s\n' "$t" "$best" "$best_cpu" "$missed"
done
say_if_busy
