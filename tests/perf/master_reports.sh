#!/usr/bin/env bash
# How many workers one master can absorb, run by hand (not in CI): WORKERS
# simulated workers (tests/perf/fake_workers.py, one process of ZeroMQ
# DEALER sockets speaking Locust's worker protocol) connect to a loadhost
# master, then to a Locust 2.12 master, in the same run. Each worker sends a
# heartbeat every second and a stats report of ENTRIES entries every 3 s,
# as real workers do (loadhost workers add their exact histogram; the
# Locust master gets Locust's own report shape). The test starts from each
# master's POST /swarm; after one report cycle the driver measures for
# SECONDS: the master's CPU over the window (from /proc) per report, and
# the lag between a report sent and its requests appearing in
# /stats/requests (polled every 0.25 s). Loopback only.
#
#   bash tests/perf/master_reports.sh [WORKERS] [SECONDS] [ENTRIES]   (default 1000 30 50)
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/perf/quiet_machine.sh
note_load_before
workers=${1:-1000}
seconds=${2:-30}
entries=${3:-50}
build=${BUILD:-build}
loadhost="$build/bin/loadhost"
py=/usr/bin/python3  # Debian's, with python3-zmq and python3-msgpack
[ -x "$loadhost" ] || { echo "build first: bash tests/setup-debian.sh" >&2; exit 1; }
command -v locust >/dev/null || { echo "needs Locust: apt-get install python3-locust" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)"  # a socket per worker on each side
work=$(mktemp -d)
master=""
trap '[ -n "$master" ] && kill "$master" 2>/dev/null; rm -rf "$work"' EXIT
echo "load average before the run: $(cut -d' ' -f1 /proc/loadavg)"

free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
version=$("$loadhost" --version | awk '{print "loadhost-" $2}')

# The Locust master's locustfile names the class the workers report
# (Debian's Locust reports an empty version; see docs/distributed.md).
cat >"$work/stub.py" <<'PY'
import locust.runners
locust.runners.__version__ = "2.12.1"
from locust import HttpUser, task
class Hello(HttpUser):
    @task
    def hello(self): pass
PY

# measure NAME FLAVOUR VERSION COMMAND...: starts the master, drives it,
# prints the driver's JSON line into $work/NAME.json.
measure() {
  local name=$1 flavour=$2 worker_version=$3; shift 3
  local zport=$1 wport=$2; shift 2
  "$@" >"$work/$name.log" 2>&1 &
  master=$!
  for _ in $(seq 200); do
    $py -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$wport/stats/requests', timeout=1)" \
      2>/dev/null && break
    sleep 0.1
  done
  if ! $py tests/perf/fake_workers.py --master-port "$zport" --web "http://127.0.0.1:$wport" \
      --workers "$workers" --entries "$entries" --seconds "$seconds" --flavour "$flavour" \
      --version "$worker_version" --master-pid "$master" >"$work/$name.json" 2>"$work/$name.driver"; then
    echo "$name: the driver failed:" >&2; tail -5 "$work/$name.driver" "$work/$name.log" >&2
  fi
  kill -INT "$master" 2>/dev/null; sleep 1; kill "$master" 2>/dev/null || true
  wait "$master" 2>/dev/null || true
  master=""
}

z=$(free_port); w=$(free_port)
measure loadhost loadhost "$version" "$z" "$w" \
  "$loadhost" --master --master-bind-port "$z" --web-port "$w" -f tests/perf/hello_user.cpp -H http://127.0.0.1:9
z=$(free_port); w=$(free_port)
measure loadhost_locust_reports locust 2.12.1 "$z" "$w" \
  "$loadhost" --master --master-bind-port "$z" --web-port "$w" -f tests/perf/hello_user.cpp -H http://127.0.0.1:9
z=$(free_port); w=$(free_port)
measure locust locust 2.12.1 "$z" "$w" \
  locust --master --master-bind-host 127.0.0.1 --master-bind-port "$z" --web-host 127.0.0.1 --web-port "$w" \
    -f "$work/stub.py" -H http://127.0.0.1:9 --loglevel WARNING

printf '\n%s simulated workers, %s entries per report, a report every 3 s and a heartbeat every 1 s each, %ss measured, %s cores\n' \
  "$workers" "$entries" "$seconds" "$(nproc)"
printf '%-40s %9s %12s %14s %12s %10s\n' master reports "core share" "CPU ms/report" "lag median" "lag max"
for name in loadhost loadhost_locust_reports locust; do
  label=$name
  [ "$name" = loadhost ] && label="loadhost (loadhost workers' reports)"
  [ "$name" = loadhost_locust_reports ] && label="loadhost (Locust workers' reports)"
  [ "$name" = locust ] && label="Locust 2.12 (Locust workers' reports)"
  [ -s "$work/$name.json" ] || { printf '%-40s %s\n' "$label" "no result (see above)"; continue; }
  $py - "$work/$name.json" "$label" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]:<40} {r['reports']:>9} {r['master_core_share']*100:>11.1f}% {r['cpu_ms_per_report']:>14.3f} "
      f"{r['lag_median_s']:>11.3f}s {r['lag_max_s']:>9.3f}s")
PY
done
if [ -s "$work/loadhost.json" ] && [ -s "$work/locust.json" ]; then
  $py - "$work/loadhost.json" "$work/locust.json" <<'PY'
import json, sys
l, c = (json.load(open(p)) for p in sys.argv[1:3])
print(f"\nCPU per report, Locust / loadhost: {c['cpu_ms_per_report'] / max(l['cpu_ms_per_report'], 1e-9):.1f}x")
PY
fi
say_if_busy
