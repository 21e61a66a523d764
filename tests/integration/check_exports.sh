#!/usr/bin/env bash
# Each argument is a plugin .so: it must export exactly one defined dynamic
# symbol, loadhost_entry (hidden visibility + the version script).
set -euo pipefail
status=0
for so in "$@"; do
  symbols=$(nm -D --defined-only "$so" | awk '{print $NF}' | grep -vE '^(_init|_fini|_edata|_end|__bss_start)$' || true)
  if [ "$symbols" != "loadhost_entry" ]; then
    echo "FAIL $so exports: $(echo $symbols | tr '\n' ' ')"
    status=1
  else
    echo "ok   $so exports only loadhost_entry"
  fi
done
exit $status
