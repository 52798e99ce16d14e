#!/bin/bash
# Test-only step of the systemd boot test: create a CXL RAM region the way
# firmware or an orchestrator would, through the kernel's region sysfs ABI
# (Documentation/ABI/testing/sysfs-bus-cxl; the same recipe as
# tests/vm/topology/cxl-ram.sh, for QEMU 10's volatile type-3 device).
# Nothing here touches dax or memory blocks: what follows the region is the
# kernel's (dax_cxl, kmem) and the package's (udev rule, cxlmem-online@).
#
# Usage: cxl-region.sh ROOT_DECODER MEMDEV   prints the region's name
set -eu
cxl=/sys/bus/cxl/devices
root=$cxl/$1 memdev=$2
fail() { echo "cxl-region: $*" >&2; exit 1; }

# put ATTR VALUE: write VALUE to ATTR or fail with the kernel's error
put() {
	local err
	err=$( { echo "$2" >"$1"; } 2>&1 ) || fail "writing '$2' to $1 failed: ${err##*: }"
}
wait_for() { # PATH SECONDS
	local n=$(($2 * 10))
	until [ -e "$1" ]; do
		n=$((n - 1)); [ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

for p in "$cxl/$memdev/driver" "$root"; do
	wait_for "$p" 60 || fail "$p did not appear (cxl_acpi, cxl_pci, cxl_mem loaded?)"
done
[ "$(cat "$root/cap_ram")" = 1 ] || fail "$1 cannot decode RAM (cap_ram is not 1)"
size=$(($(cat "$cxl/$memdev/ram/size")))
[ "$size" -gt 0 ] || fail "$memdev has no volatile capacity"

# the memdev's endpoint decoder: decoderN.0 of the endpoint port whose
# uport is the memdev
md=$(readlink -f "$cxl/$memdev") ep=
for n in $(seq 300); do
	for e in "$cxl"/endpoint*; do
		[ "$(readlink -f "$e/uport")" = "$md" ] || continue
		[ -e "$cxl/decoder${e##*/endpoint}.0" ] && ep=decoder${e##*/endpoint}.0
	done
	[ -n "$ep" ] && break
	sleep 0.1
done
[ -n "$ep" ] || fail "no endpoint decoder for $memdev"

region=$(cat "$root/create_ram_region")
put "$root/create_ram_region" "$region"
r=$cxl/$region
wait_for "$r" 10 || fail "$region did not appear"
put "$r/interleave_ways" 1
put "$r/interleave_granularity" "$(cat "$root/interleave_granularity")"
put "$cxl/$ep/mode" ram
put "$cxl/$ep/dpa_size" "$size"
put "$r/size" "$size"
put "$r/target0" "$ep"
put "$r/commit" 1
[ -e "$r/driver" ] || put /sys/bus/cxl/drivers/cxl_region/bind "$region"
echo "cxl-region: $region: $(cat "$r/size") bytes at $(cat "$r/resource") on $1, target $ep" >&2
echo "$region"
