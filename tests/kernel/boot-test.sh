#!/bin/bash
# Build (or reuse) the patched 6.1 kernel and boot scenarios on it.
#   boot-test.sh CXLMEM VARIANT "KERNEL CMDLINE" SCENARIO.sh...
set -euo pipefail
cxlmem=$1 variant=$2 append=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bz=$("$repo/scripts/kernel/build-kernel.sh" --variant "$variant" | tail -n 1)
[ -f "$bz" ] || { echo "boot-test: no bzImage from build-kernel.sh" >&2; exit 1; }
exec "$repo/tests/vm/run-vm.sh" -q --topology hmem --kernel "$bz" \
	--append "$append" --cxlmem "$cxlmem" --timeout 900 "$@"
