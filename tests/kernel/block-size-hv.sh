#!/bin/bash
# memory_block_size= under a hypervisor, on the machine the review named:
# q35 with -m 4608M,slots=4,maxmem=16G, so boot RAM ends at 6.5 GiB (2 GiB
# below the PCI hole, 2.5 GiB from 4 GiB), and memory_block_size=2G. 2 GiB
# does not divide 6.5 GiB: the kernel must refuse the value, say why, and
# keep the probed 128 MiB. A 1 GiB pc-dimm is plugged at start; ACPI adds
# it behind boot RAM during boot, which must not fail.
#
# The kernel boots without an initramfs and the run ends at the root mount
# (panic=-1 with -no-reboot), so this needs no guest userspace.
#   block-size-hv.sh [VARIANT]
set -euo pipefail
variant=${1:-hugetlb}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
qemu=$(command -v qemu-system-x86_64) || { echo "block-size-hv: SKIP: no qemu-system-x86_64" >&2; exit 77; }
bz=$("$repo/scripts/kernel/build-kernel.sh" --variant "$variant" | tail -n 1)
[ -f "$bz" ] || { echo "block-size-hv: no bzImage from build-kernel.sh" >&2; exit 1; }
log=$(mktemp /tmp/block-size-hv.XXXXXX)
trap 'rm -f "$log"' EXIT

fail() {
	echo "block-size-hv: FAIL: $*" >&2
	grep -iE 'memory.block|hypervisor|add_memory|memory hot' "$log" | sed 's/^/  console: /' >&2 || true
	exit 1
}

timeout -k 5 600 nice -n 5 "$qemu" -accel tcg -M q35 -smp 1 \
	-m 4608M,slots=4,maxmem=16G \
	-object memory-backend-ram,id=dimm0,size=1G -device pc-dimm,id=dimm0,memdev=dimm0 \
	-nodefaults -display none -no-reboot -serial stdio -monitor none \
	-kernel "$bz" -append "console=ttyS0 panic=-1 loglevel=7 memory_block_size=2G" \
	</dev/null >"$log" 2>&1 || true

grep -q "Kernel panic - not syncing: VFS" "$log" || fail "the boot did not get to the root mount"
grep -q "Hypervisor detected\|hypervisor" "$log" || echo "block-size-hv: note: no hypervisor line in the log" >&2
grep -q "x86/mm: Refusing memory_block_size=2048MB: under a hypervisor the block size must divide the end of boot memory (6656MB)" "$log" ||
	fail "memory_block_size=2G was not refused with a message naming the end of boot memory"
grep -q "Memory block size set to" "$log" && fail "the refused value was applied"
grep -q "x86/mm: Memory block size: 128MB" "$log" || fail "the probed 128 MiB block size is not in use"
grep -qiE "add_memory failed|memory add fail|acpi_memory_enable_device.*fail" "$log" &&
	fail "the pc-dimm could not be added"
echo "ok - memory_block_size=2G refused on q35 -m 4608M,slots=4,maxmem=16G; 128 MiB blocks, pc-dimm added"
