# The README's main job, run inside the emulated-CXL VM: discover, plan,
# convert dax0.0 (by default the 1 GiB hmem device, firmware-style CXL RAM on
# CPU-less node 1) into system RAM, use it, show the status, give it back.
# On a kernel that onlined the device by itself (6.12: kmem bound at boot,
# ZONE_NORMAL), it shows the kernel's result first and then cxlmem's
# conversion in place.
# shellcheck source=tests/vm/lib.sh
. "$MHP_VM_LIB"
step() { printf '\n===== %s\n' "$*"; }
# plain JSON on the serial console (it is a tty, so jq would colour it)
jq() { command jq -M "$@"; }
dev=dax0.0
node=$(cat /sys/bus/dax/devices/$dev/target_node)
# zones: how the device's blocks are online, e.g. "8 x online/Normal"
zones() {
	cxlmem list | jq -r ".dax_devices[] | select(.name == \"$dev\") | .blocks |
		\"\(.count) blocks: \(.online) online (\(.normal) ZONE_NORMAL, \(.movable) ZONE_MOVABLE), \(.offline) offline, \(.count - .present) not added\""
}
memmap_where() {
	[ -r /sys/bus/dax/devices/$dev/memmap_on_memory ] || { echo "n/a (no dax memmap_on_memory attribute)"; return; }
	if [ "$(cat /sys/bus/dax/devices/$dev/memmap_on_memory)" = 1 ] && [ "$(driver $dev)" = kmem ]; then
		echo "on the device (memmap_on_memory=1)"
	elif [ "$(driver $dev)" = kmem ]; then
		echo "in DRAM (memmap_on_memory=0)"
	else
		echo "none (not system RAM)"
	fi
}
node0_free() { mhp_node_free_kb 0; }

step "kernel $(uname -r), topology $MHP_TOPOLOGY"
step "cxlmem list (platform and dax devices)"
cxlmem list | jq '{platform: .platform | {arch, kernel_release, rules, memory_block_size, memmap_on_memory, auto_online_blocks, kmem}, cxl_regions, dax_devices}'
start_driver=$(driver $dev)
if [ "$start_driver" = kmem ]; then
	step "what the kernel did by itself (auto_online_blocks=$(cat /sys/devices/system/memory/auto_online_blocks))"
	echo "$dev driver: kmem (bound at boot, before anything ran)"
	echo "$dev blocks: $(zones)"
	echo "memmap: $(memmap_where)"
	echo "node $node MemTotal: $(node_kb "$node" MemTotal) kB, node 0 free: $(node0_free) kB"
	echo "ZONE_NORMAL on a CPU-less node: the kernel may put unmovable pages there, so it may never offline again."
fi
step "cxlmem plan $dev -u"
cxlmem plan $dev -u
free0=$(node0_free)
step "node $node MemTotal before: $(node_kb "$node" MemTotal) kB; node 0 free: $free0 kB"
consent=
if [ "$(cxlmem list | jq ".dax_devices[] | select(.name == \"$dev\") | .persistent")" = true ]; then
	step "cxlmem online-region $dev (persistent memory: refused without consent)"
	cxlmem online-region $dev >/dev/null || true
	# the guest's pmem is a scratch file on the host
	consent=--force-destroy-data
fi
step "cxlmem online-region $dev $consent"
cxlmem online-region $dev $consent | jq '{device, result, steps, blocks, usable_bytes, movable_bytes, memmap_location, dram_overhead_bytes}'
free1=$(node0_free)
step "after: node $node MemTotal $(node_kb "$node" MemTotal) kB; node 0 free $free1 kB ($((free1 - free0)) kB)"
echo "$dev blocks: $(zones)"
echo "memmap: $(memmap_where)"
[ "$start_driver" = kmem ] &&
	echo "DRAM: node 0 got $((free1 - free0)) kB back from the conversion ($( [ "$((free1 - free0))" -gt 8192 ] && echo "the kernel's memmap had been in DRAM" || echo "the kernel had already put the memmap on the device; the conversion made the memory movable"))"
step "64 MiB of user memory bound to node $node, written and read back"
mhp-memtouch "$node" 64
step "cxlmem status $dev"
cxlmem status $dev | jq '{device, driver, memmap_location, blocks_online, movable_bytes, drift}'
step "cxlmem offline-region $dev (back to devdax)"
cxlmem offline-region $dev | jq '{device, result, blocks_offlined}'
echo "$dev driver: $(driver $dev)"
