#!/bin/bash
# Where cxlmem's own time goes: strace of one online, offline and list of
# cxlmem and of daxctl, in the guest of bench/daxctl-vs-cxlmem.sh.
#
# Usage: bench/strace-online.sh [--cxlmem PATH] [--kernel BZIMAGE] [-o DIR]
#   -o DIR   where the traces go (default: a new bench/results/strace-<date>/)
#
# For each of cxlmem-list, daxctl-list, cxlmem-online,
# daxctl-online, cxlmem-offline, daxctl-offline the directory gets NAME.summary
# (strace -c -f: syscalls by kind with the time spent in them) and NAME.trace
# (strace -f -tt -T: every call). strace itself slows every call down, so use
# the counts, and the gaps between calls, not the total time. Not a test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
cxlmem=${MHP_CXLMEM:-}
outdir=''
vm_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--cxlmem) cxlmem=$2; shift ;;
	--kernel) vm_args+=(--kernel "$2"); shift ;;
	-o) outdir=$2; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "strace-online: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
cxlmem=$(bench_cxlmem strace-online "$cxlmem") || exit 1
strace=$(command -v strace) || { echo "strace-online: strace is not installed (apt-get install strace)" >&2; exit 1; }
[ -n "$outdir" ] || outdir=$here/results/strace-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$outdir"
"$repo/tests/vm/run-vm.sh" -q --topology hmem --cxlmem "$cxlmem" --bin "$strace" \
	--share "$outdir" --timeout 900 --node2-gib 1 "${vm_args[@]}" \
	"$here/guest/strace-online.sh" ||
	{ echo "strace-online: the guest run failed" >&2; exit 1; }
for s in "$outdir"/*.summary; do
	n=$(basename "$s" .summary)
	printf '%-18s %s\n' "$n" "$(awk '$NF == "total" { print $(NF-2) " syscalls, " $(NF-1) " errors" }' "$s")"
done
echo "strace-online: traces in $outdir" >&2
