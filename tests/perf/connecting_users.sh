#!/usr/bin/env bash
# Memory per connecting user, run by hand (not in CI): quick-mode users
# against a loopback listener that never accepts (backlog 0: past the first,
# every SYN is dropped and the connect stays in progress, as against a target
# whose queue is full). Each user then holds its session, a connection being
# made and its call in flight. Prints peak RSS and bytes per user next to a
# one-user baseline, and how long the stop took (connects in flight fail at
# the stop, so it must not wait for them).
#
#   bash tests/perf/connecting_users.sh [USERS]      (default 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/perf/quiet_machine.sh
note_load_before
users=${1:-100000}
build=${BUILD:-build}
loadhost="$build/bin/loadhost"
[ -x "$loadhost" ] || { echo "build first: bash tests/setup-debian.sh" >&2; exit 1; }
# A descriptor per user: raise the limit for loadhost if we may.
files=$((users + 1000))
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$files" ]; then
  if ! ulimit -Hn "$files" 2>/dev/null; then
    users=$(( $(ulimit -Hn) - 1000 )); files=$((users + 1000))
    echo "the hard open-file limit allows $users users (raising it needs CAP_SYS_RESOURCE)" >&2
  fi
fi
ulimit -Sn "$files"
work=$(mktemp -d)
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
print(s.getsockname()[1], flush=True)
time.sleep(3600)' >"$work/port" &
listener=$!
trap 'kill $listener 2>/dev/null || true; rm -rf "$work"' EXIT
while [ ! -s "$work/port" ]; do sleep 0.1; done
url="http://127.0.0.1:$(cat "$work/port")/"

/usr/bin/time -f "%M" -o "$work/base.time" "$loadhost" --headless --only-summary -u 1 -t 5s "$url" \
  >/dev/null 2>&1 || true
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$work/many.time" "$loadhost" --headless --only-summary \
  -u "$users" -r 50000 -t 8s "$url" >"$work/many.out" 2>&1 || true
end=$(date +%s.%N)
base=$(tail -1 "$work/base.time"); peak=$(tail -1 "$work/many.time")
printf '%d connecting users: peak RSS %d MiB, %s bytes per user (baseline %d MiB); an 8 s run took %.1f s\n' \
  "$users" $((peak / 1024)) "$(awk -v p="$peak" -v b="$base" -v n="$users" 'BEGIN{printf "%.0f", (p-b)*1024/n}')" \
  $((base / 1024)) "$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')"
grep "most often" "$work/many.out" || true
say_if_busy
