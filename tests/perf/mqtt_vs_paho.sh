#!/usr/bin/env bash
# MQTT benchmark, run by hand (not in CI): one mosquitto on loopback and, in
# the same run, a minimal Paho C++ async client loop
# (tests/perf/mqtt_reference_client.cpp) and loadhost's mqtt quick mode, at
# QoS 0 and QoS 1 — N clients/users, each on a topic of its own, publishing
# back to back (one publish in flight each, no wait) and subscribed to its own
# topic, so every publish comes back once:
#
#   mqtt_reference_client tcp://127.0.0.1:PORT N QOS SECONDS 64
#   loadhost --plugin mqtt -u N -t SECONDS --topic bench/{user} --qos QOS --publish-rate 1e9 mqtt://127.0.0.1:PORT
#
# Prints publishes/s, delivery latency (avg, p50, p99; loadhost's are
# weighted over the per-topic entries), CPU µs per publish (user + system of
# the client process), peak RSS and the ratios loadhost / Paho.
#
#   bash tests/perf/mqtt_vs_paho.sh [SECONDS] [CLIENTS]      (default 10, 50)
#   ENGINE=paho bash tests/perf/mqtt_vs_paho.sh             (loadhost's engine; default native)
#   BUILD=/tmp/build-mqtt bash tests/perf/mqtt_vs_paho.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/perf/quiet_machine.sh
note_load_before
duration=${1:-10}
engine=${ENGINE:-native}
clients=${2:-50}
build=${BUILD:-build}
loadhost="$build/bin/loadhost"
[ -x "$loadhost" ] || { echo "build first: bash tests/setup-debian.sh" >&2; exit 1; }
reference="$build/perf/mqtt_reference_client"
if [ ! -x "$reference" ] || [ tests/perf/mqtt_reference_client.cpp -nt "$reference" ]; then
  mkdir -p "$build/perf"
  echo "building $reference" >&2
  g++ -O2 -std=c++17 -Wall -Wextra -o "$reference" tests/perf/mqtt_reference_client.cpp -lpaho-mqttpp3 -lpaho-mqtt3as
fi
command -v mosquitto >/dev/null || command -v /usr/sbin/mosquitto >/dev/null ||
  { echo "mosquitto missing: apt-get install mosquitto" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $(cat "$work/mosquitto.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" >"$work/mosquitto.conf"
/usr/sbin/mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
echo $! >"$work/mosquitto.pid"
sleep 0.5

# run NAME COMMAND...: runs it under /usr/bin/time (wall user sys maxrss).
run() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>&1 || true
}
# row NAME PUBLISHES AVG P50 P99: one line of the table, ratios against paho-qosN.
declare -A PPS CPU
row() {
  local name=$1 publishes=$2 avg=$3 p50=$4 p99=$5 ref=$6
  read -r wall user sys rss <"$work/$name.time"
  PPS[$name]=$(awk -v p="$publishes" -v d="$duration" 'BEGIN{printf "%.0f", p/d}')
  CPU[$name]=$(awk -v u="$user" -v s="$sys" -v p="$publishes" 'BEGIN{ if (p>0) printf "%.1f", (u+s)/p*1e6; else print "n/a"}')
  printf '%-16s %12s %9s %9s %9s %12s %9s %10s %10s\n' "$name" "${PPS[$name]}" "$avg" "$p50" "$p99" "${CPU[$name]}" \
    "$((rss / 1024))" \
    "$(awk -v a="${PPS[$name]}" -v b="${PPS[$ref]:-${PPS[$name]}}" 'BEGIN{printf "%.2fx", a/b}')" \
    "$(awk -v a="${CPU[$name]}" -v b="${CPU[$ref]:-${CPU[$name]}}" 'BEGIN{ if (b+0>0) printf "%.2fx", a/b; else print "n/a"}')"
}

printf '\nMQTT, %s clients/users, each publishing back to back on its own topic and subscribed to it,\n' "$clients"
printf '64-byte payloads, %ss per run, mosquitto %s on loopback, %s cores\n\n' "$duration" \
  "$(/usr/sbin/mosquitto -h 2>/dev/null | awk '/version/ {print $3; exit}')" "$(nproc)"
printf '%-16s %12s %9s %9s %9s %12s %9s %10s %10s\n' client "publishes/s" "avg ms" "p50 ms" "p99 ms" "CPU µs/pub" \
  "peak MiB" "pub/s vs" "CPU vs"
for qos in 0 1; do
  run "paho-qos$qos" "$reference" "tcp://127.0.0.1:$port" "$clients" "$qos" "$duration" 64
  read -r pubs avg p50 p99 < <(sed -n 's/.*publishes=\([0-9]*\) .* avg_ms=\([0-9.]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\).*/\1 \2 \3 \4/p' \
    "$work/paho-qos$qos.out")
  row "paho-qos$qos" "${pubs:-0}" "${avg:-n/a}" "${p50:-n/a}" "${p99:-n/a}" "paho-qos$qos"

  # 64 bytes in all, as the reference sends: 48 + loadhost's 16-byte stamp.
  run "loadhost-qos$qos" "$loadhost" --plugin mqtt --mqtt-engine "$engine" --headless --only-summary -u "$clients" \
    -r 1000 -t "${duration}s" --topic 'bench/{user}' --qos "$qos" --publish-rate 1e9 --payload-size 48 \
    --json "$work/loadhost-qos$qos.json" "mqtt://127.0.0.1:$port"
  read -r pubs avg p50 p99 failures < <(python3 - "$work/loadhost-qos$qos.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
pubs = sum(e["num_requests"] for e in r["stats"] if e["type"] == "publish")
d = [e for e in r["stats"] if e["type"] == "mqtt-delivery"]
n = sum(e["num_requests"] for e in d) or 1
w = lambda f: sum(f(e) * e["num_requests"] for e in d) / n
pct = lambda k: w(lambda e: e["percentiles_ms"].get(k, 0))
print(pubs, "%.2f" % w(lambda e: e["avg_response_time_ms"]), "%.2f" % pct("50%"), "%.2f" % pct("99%"),
      r["aggregated"]["num_failures"])
PY
)
  row "loadhost-qos$qos" "$pubs" "$avg" "$p50" "$p99" "paho-qos$qos"
  [ "${failures:-0}" = 0 ] || echo "  (loadhost counted $failures failures)"
done
say_if_busy
