#!/usr/bin/env bash
# PostgreSQL benchmark, run by hand (not in CI): one private PostgreSQL 15
# (fsync off, loopback), `pgbench -i`, then in the same run pgbench's
# select-only script (-S: SELECT by primary key at a random aid, simple
# protocol) and loadhost running the same SELECT from a scenario
# (tests/integration/scenarios/pg_select_by_key.cpp) — 16 connections/users,
# no wait. Prints transactions/s, CPU µs per transaction and the ratio.
#
# Both rates leave the connection time out, as pgbench's tps does ("without
# initial connection time"): the scenario's users connect in on_start, wait
# for each other, and the rate is that of the "select by aid" row alone. The
# whole-run rate of loadhost (connecting included) is printed beside it.
#
#   bash tests/perf/postgres_vs_pgbench.sh [SECONDS] [CLIENTS]   (default 10 16)
#   BUILD=/tmp/build bash tests/perf/postgres_vs_pgbench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/perf/quiet_machine.sh
note_load_before
duration=${1:-10}
clients=${2:-16}
scale=${PGBENCH_SCALE:-1}
build=${BUILD:-build}
loadhost="$build/bin/loadhost"
bin=/usr/lib/postgresql/15/bin
[ -x "$loadhost" ] || { echo "build first: bash tests/setup-debian.sh" >&2; exit 1; }
[ -x "$bin/pgbench" ] || { echo "needs postgresql and postgresql-contrib: bash tests/setup-debian.sh" >&2; exit 1; }

work=$(mktemp -d)
as_pg=()
if [ "$(id -u)" = 0 ]; then  # initdb and postgres refuse root
  chmod 711 "$work"
  mkdir "$work/data" && chown postgres: "$work/data"
  as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi
trap '[ -f "$work/pg.pid" ] && kill -INT "$(cat "$work/pg.pid")" 2>/dev/null; sleep 1; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$bin/initdb" -D "$work/data" -A trust -U postgres --no-sync >"$work/initdb.log" 2>&1
"${as_pg[@]}" "$bin/postgres" -D "$work/data" -p "$port" -k "$work/data" -c listen_addresses=127.0.0.1 \
  -c fsync=off -c synchronous_commit=off -c max_connections=100 >"$work/postgres.log" 2>&1 &
echo $! >"$work/pg.pid"
for _ in $(seq 100); do
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
  sleep 0.1
done
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
createdb bench
"$bin/pgbench" -i -q -s "$scale" bench >"$work/init.log" 2>&1
url="postgresql://postgres@127.0.0.1:$port/bench"

# run NAME COMMAND...: under /usr/bin/time (wall, user, sys of the client only).
run() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$work/$name.time" "$@" >"$work/$name.out" 2>&1 || true
}

scenario=tests/integration/scenarios/pg_select_by_key.cpp
[ -f "$build/tests/integration/scenarios/pg_select_by_key.so" ] && scenario="$build/tests/integration/scenarios/pg_select_by_key.so"
export PGBENCH_SCALE=$scale PGBENCH_CLIENTS=$clients
timeout 120 "$loadhost" -f "$scenario" --headless -u 1 -t 0.1s -H "$url" >/dev/null 2>&1 || true  # compile once

# Rounds alternate pgbench and loadhost, so that a neighbour's load (or the
# server warming up) does not favour one of them; each tool's figures are
# summed over its rounds.
rounds=${ROUNDS:-2}
pg_tps_sum=0 pg_tx=0 pg_cpu=0 lh_tps_sum=0 lh_run_tps_sum=0 lh_tx=0 lh_cpu=0 lh_fail=0
for round in $(seq "$rounds"); do
  run pgbench "$bin/pgbench" -n -S -c "$clients" -j 2 -T "$duration" bench
  pg_tps_sum=$(awk -v a="$pg_tps_sum" -v b="$(awk '/^tps = / {print $3}' "$work/pgbench.out")" 'BEGIN{print a+b}')
  pg_tx=$((pg_tx + $(awk '/number of transactions actually processed/ {print $6}' "$work/pgbench.out")))
  pg_cpu=$(awk -v a="$pg_cpu" '{print a+$2+$3}' "$work/pgbench.time")

  run loadhost timeout $((duration + 30)) "$loadhost" -f "$scenario" --headless --only-summary -u "$clients" -r 1000 -t "${duration}s" \
    -H "$url" --json "$work/loadhost.json"
  [ -s "$work/loadhost.json" ] || { echo "loadhost did not finish:" >&2; cat "$work/loadhost.out" >&2; exit 1; }
  # tps: the "select by aid" row (after connecting); run_tps: every request
  # (the 16 connects too) over the whole run.
  read -r tx fail tps run_tps < <(python3 -c "
import json; d = json.load(open('$work/loadhost.json'))
a = d['aggregated']; s = [e for e in d['stats'] if e['name'] == 'select by aid'][0]
print(a['num_requests'], a['num_failures'], s['total_rps'], a['num_requests'] / d['metadata']['run_time_s'])")
  lh_tps_sum=$(awk -v a="$lh_tps_sum" -v b="$tps" 'BEGIN{print a+b}')
  lh_run_tps_sum=$(awk -v a="$lh_run_tps_sum" -v b="$run_tps" 'BEGIN{print a+b}')
  lh_tx=$((lh_tx + tx)) lh_fail=$((lh_fail + fail))
  lh_cpu=$(awk -v a="$lh_cpu" '{print a+$2+$3}' "$work/loadhost.time")
  printf 'round %s: pgbench %.0f tx/s, loadhost %.0f tx/s (%.0f over the whole run)\n' "$round" \
    "$(awk '/^tps = / {print $3}' "$work/pgbench.out")" "$tps" "$run_tps"
done
pgbench_tps=$(awk -v s="$pg_tps_sum" -v n="$rounds" 'BEGIN{print s/n}')
lh_tps=$(awk -v s="$lh_tps_sum" -v n="$rounds" 'BEGIN{print s/n}')
lh_run_tps=$(awk -v s="$lh_run_tps_sum" -v n="$rounds" 'BEGIN{print s/n}')
per_tx() { awk -v c="$1" -v n="$2" 'BEGIN{ if (n>0) printf "%.1f", c/n*1e6; else print "n/a"}'; }

printf '\nSELECT by primary key (pgbench -S), %s clients, no wait, %s rounds of %ss each, scale %s, PostgreSQL 15 on loopback, %s cores\n' \
  "$clients" "$rounds" "$duration" "$scale" "$(nproc)"
printf '%-12s %12s %12s %14s %8s\n' tool "tx/s" "failures" "CPU µs/tx" "vs pgbench"
printf '%-12s %12.0f %12s %14s %8s\n' pgbench "$pgbench_tps" 0 "$(per_tx "$pg_cpu" "$pg_tx")" "1.00x"
printf '%-12s %12.0f %12s %14s %8s\n' loadhost "$lh_tps" "$lh_fail" "$(per_tx "$lh_cpu" "$lh_tx")" \
  "$(awk -v a="$lh_tps" -v b="$pgbench_tps" 'BEGIN{printf "%.2fx", a/b}')"
printf 'loadhost over the whole run, connecting included: %.0f tx/s\n' "$lh_run_tps"
say_if_busy
