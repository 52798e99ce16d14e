# Topology setup: QEMU 10 CXL type-3 device with 1 GiB of volatile memory
# behind one of two root ports. Creates RAM region0 on root decoder
# decoder0.0 through the kernel's region sysfs ABI (ndctl 76.1's
# `cxl create-region -t ram` is "not supported yet"; see tests/vm/README.md)
# -> dax_region0 -> dax0.0 on the CXL window's CPU-less node 1.
# What happens next is the kernel's: 6.3+ binds dax0.0 to kmem, and with
# auto-online on (Debian's default) every block goes online in ZONE_NORMAL.
# shellcheck source=tests/vm/lib.sh
. /mhp/lib.sh
mhp_modprobe cxl_acpi cxl_pci cxl_port cxl_mem dax_cxl device_dax kmem
[ "$MHP_VM_SETUP" = modules ] && exit 0
cxl=/sys/bus/cxl/devices

# cxl_write ATTR VALUE: write VALUE to ATTR, failing with the kernel's error
cxl_write() {
	echo "$2" >"$1" 2>/tmp/.cxl_write.err ||
		mhp_fail "cxl-ram: writing '$2' to $1 failed: $(sed 's/^.*: //' /tmp/.cxl_write.err)"
}

# endpoint_decoder MEMDEV: the first decoder of MEMDEV's endpoint port (the
# endpoint whose uport is the memdev), e.g. decoder2.0
endpoint_decoder() {
	_md=$(readlink -f "$cxl/$1")
	for _e in "$cxl"/endpoint*; do
		[ "$(readlink -f "$_e/uport")" = "$_md" ] || continue
		_n=${_e##*/endpoint}
		[ -e "$cxl/decoder$_n.0" ] && { echo "decoder$_n.0"; return 0; }
	done
	return 1
}

# create_ram_region ROOT_DECODER MEMDEV: a one-way RAM region over all of
# MEMDEV's volatile capacity, committed and bound to cxl_region; prints its
# name. The steps of the kernel's ABI (Documentation/ABI/testing/sysfs-bus-cxl):
# claim the next region id, set the interleave (before the size), give the
# endpoint decoder its DPA, size the region, attach the target, commit, bind.
create_ram_region() {
	_root=$cxl/$1
	[ "$(cat "$_root/cap_ram" 2>/dev/null)" = 1 ] || mhp_fail "cxl-ram: $1 cannot decode RAM (cap_ram is not 1)"
	[ -e "$_root/create_ram_region" ] || mhp_fail "cxl-ram: $1 has no create_ram_region (kernel older than 6.3?)"
	_size=$(cat "$cxl/$2/ram/size")
	[ $((_size)) -gt 0 ] || mhp_fail "cxl-ram: $2 has no volatile capacity (ram/size $_size)"
	_ep=
	_n=0
	until _ep=$(endpoint_decoder "$2"); do
		_n=$((_n + 1)); [ $_n -lt 300 ] || mhp_fail "cxl-ram: no endpoint decoder for $2"
		usleep 100000
	done
	_region=$(cat "$_root/create_ram_region")
	cxl_write "$_root/create_ram_region" "$_region"
	_r=$cxl/$_region
	mhp_wait_for "$_r" 10 || mhp_fail "cxl-ram: $_region did not appear"
	cxl_write "$_r/interleave_ways" 1
	cxl_write "$_r/interleave_granularity" "$(cat "$_root/interleave_granularity")"
	cxl_write "$cxl/$_ep/mode" ram
	cxl_write "$cxl/$_ep/dpa_size" "$((_size))"
	cxl_write "$_r/size" "$((_size))"
	cxl_write "$_r/target0" "$_ep"
	cxl_write "$_r/commit" 1
	[ -e "$_r/driver" ] || cxl_write /sys/bus/cxl/drivers/cxl_region/bind "$_region"
	echo "$_region"
}

for p in $cxl/mem0 $cxl/decoder0.0; do
	mhp_wait_for "$p" 30 || mhp_fail "cxl-ram: $p did not appear"
done
mhp_wait_for $cxl/mem0/driver 30 || mhp_fail "cxl-ram: mem0 not bound to cxl_mem"
region=$(create_ram_region decoder0.0 mem0) || exit 1
mhp_wait_for /sys/bus/dax/devices/dax0.0 30 || mhp_fail "cxl-ram: $region has no dax0.0 (is dax_cxl loaded?)"
mhp_wait_for /sys/bus/dax/devices/dax0.0/driver 10 || mhp_fail "cxl-ram: dax0.0 is not bound to a driver"
echo "cxl-ram: $region ($(cat $cxl/$region/size) bytes at $(cat $cxl/$region/resource)) -> dax0.0 target_node=$(cat /sys/bus/dax/devices/dax0.0/target_node) driver=$(driver dax0.0)"
