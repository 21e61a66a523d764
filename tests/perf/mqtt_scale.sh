#!/usr/bin/env bash
# MQTT scale check, run by hand (not in CI): USERS concurrent connected MQTT
# users (default 10,000) against a local mosquitto, each subscribed to a
# topic of its own and publishing to it every PERIOD seconds (default 3).
# Samples loadhost's RSS and CPU once a second while the users are all
# connected, and prints the peak RSS, the mean CPU and the run's summary.
#
#   bash tests/perf/mqtt_scale.sh [USERS] [SECONDS] [PERIOD]     (default 10000 60 3)
#   BUILD=/tmp/build-mqtt bash tests/perf/mqtt_scale.sh 10000 60
#   ENGINE=paho ...     the plugin's engine (--mqtt-engine native|paho; default native)
#   OUT=dir ...   also keeps report.json, the connected-count samples and the output
#
# Needs a file-descriptor limit above USERS for both processes (it raises the
# soft limit to the hard one; as root, `ulimit -Hn` must allow it).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/perf/quiet_machine.sh
note_load_before
users=${1:-10000}
duration=${2:-60}
period=${3:-3}
build=${BUILD:-build}
engine=${ENGINE:-native}
loadhost="$build/bin/loadhost"
[ -x "$loadhost" ] || { echo "build first: bash tests/setup-debian.sh" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -gt $((users + 100)) ] || { echo "the fd limit $(ulimit -n) is too low for $users users" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $(cat "$work/mosquitto.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_connections -1\nsys_interval 1\n' "$port" \
  >"$work/mosquitto.conf"
/usr/sbin/mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
echo $! >"$work/mosquitto.pid"
sleep 0.5
# The broker's count of connected MQTT clients, once a second (its $SYS
# topic; includes this subscriber).
mosquitto_sub -p "$port" -h 127.0.0.1 -t '$SYS/broker/clients/connected' -F '%U %p' >"$work/connected.txt" 2>/dev/null &
sub=$!

rate=$(awk -v p="$period" 'BEGIN{printf "%g", 1/p}')
spawn=$((users / 10 > 0 ? users / 10 : 1))  # all connected after ~10 s
"$loadhost" --plugin mqtt --headless --only-summary -u "$users" -r "$spawn" -t "${duration}s" \
  --topic 'scale/{user}' --qos 1 --publish-rate "$rate" --mqtt-engine "$engine" --json "$work/report.json" "mqtt://127.0.0.1:$port" \
  >"$work/loadhost.out" 2>&1 &
pid=$!
ticks=$(getconf CLK_TCK)
peak_kib=0; cpu_sum=0; samples=0; prev=""
while kill -0 "$pid" 2>/dev/null; do
  sleep 1
  [ -r "/proc/$pid/stat" ] || break
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  [ "${rss:-0}" -gt "$peak_kib" ] && peak_kib=$rss
  t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo "")
  # CPU once every user is spawned (the first ~12 s are the ramp).
  if [ -n "$prev" ] && [ -n "$t" ] && [ "$SECONDS" -gt 12 ]; then
    cpu_sum=$((cpu_sum + t - prev)); samples=$((samples + 1))
  fi
  prev=$t
done
status=0; wait "$pid" || status=$?
kill "$sub" 2>/dev/null || true
printf '\n%s MQTT users (QoS 1, one publish each every %ss, each subscribed to its own topic), %ss, %s cores, engine %s\n' \
  "$users" "$period" "$duration" "$(nproc)" "$engine"
printf 'loadhost peak RSS: %s MiB\n' "$((peak_kib / 1024))"
[ $samples -gt 0 ] && printf 'loadhost CPU with every user connected: %s%% of one core (mean of %s 1-s samples)\n' \
  "$(awk -v c="$cpu_sum" -v n="$samples" -v t="$ticks" 'BEGIN{printf "%.0f", c/n/t*100}')" "$samples"
python3 - "$work/report.json" "$duration" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
by = {}
for e in r["stats"]:
    t = by.setdefault(e["type"], [0, 0, 0.0])
    t[0] += e["num_requests"]; t[1] += e["num_failures"]; t[2] += e["avg_response_time_ms"] * e["num_requests"]
for k, (n, f, s) in sorted(by.items()):
    print(f"{k:14} {n:9} requests {f:6} failures  avg {s / n if n else 0:7.2f} ms")
PY
tail -n 3 "$work/loadhost.out"
[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || echo "loadhost exited with status $status (a signal when above 128)"
# Connected users over time (broker's count minus our subscriber), from the
# start of the run.
python3 - "$work/connected.txt" "$users" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 2]
users = int(sys.argv[2])
if rows:
    t0 = float(rows[0][0]); seen = {}
    peak = max(int(c) - 1 for _, c in rows)
    for t, c in rows:
        n = int(c) - 1
        for frac in (0.25, 0.5, 0.9, 1.0):
            if n >= frac * users and frac not in seen: seen[frac] = float(t) - t0
    print("connected users (broker):", " ".join(f"{int(k*100)}% at {v:.0f}s" for k, v in sorted(seen.items())) or "-",
          f"| peak {peak} of {users}")
    print("  per 5 s:", " ".join(str(int(c) - 1) for _, c in rows[::5]))
PY
if [ -n "${OUT:-}" ]; then mkdir -p "$OUT"; cp "$work/report.json" "$work/connected.txt" "$work/loadhost.out" "$OUT/"; fi
say_if_busy
