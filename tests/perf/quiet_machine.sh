# Sourced by the benchmarks: a ratio measured while something else ran on
# this 2-core machine says nothing about either tool, so every benchmark
# prints the load average it started at and, when the machine was busy,
# says its figures must not be quoted.
#
#   . tests/perf/quiet_machine.sh
#   note_load_before            # at the start
#   say_if_busy                 # at the end, under the table

quiet_load_limit=0.5

note_load_before() {
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  printf 'load average before the run: %s (quotable below %s)\n' "$load_before" "$quiet_load_limit"
}

say_if_busy() {
  if awk -v l="$load_before" -v m="$quiet_load_limit" 'BEGIN{exit !(l >= m)}'; then
    printf '\nWARNING: the machine was busy (load average %s >= %s) before this run:\n' "$load_before" "$quiet_load_limit"
    printf 'the figures and ratios above are not quotable; rerun on a quiet machine.\n'
  fi
}
