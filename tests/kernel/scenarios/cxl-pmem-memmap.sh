# Patched 6.1, memmap_on_memory=1, topology cxl-pmem: a CXL pmem region's
# devdax namespace (starting 2 MiB into the region, so kmem trims its range
# to 3 blocks) is onlined with the memmap on the device. Every block hosts
# its own memmap, the memory holds data, and the device goes back to devdax
# and comes online again.
. "$MHP_VM_LIB"
# node_memmap NODE NAME: a counter of the node's memmap file (patch 7)
node_memmap() {
	[ -r "/sys/devices/system/node/node$1/memmap" ] || { echo 0; return; }
	awk -v c="$2" '$1 == c { v = $2 } END { print v + 0 }' \
		"/sys/devices/system/node/node$1/memmap"
}
dev=dax0.0 plan=/tmp/plan.json
[ "$MHP_TOPOLOGY" = cxl-pmem ] || mhp_fail "run with --topology cxl-pmem"
node=$(cat /sys/bus/dax/devices/$dev/target_node)
mhp_cxlmem plan $dev >$plan
mhp_jq_assert $plan '.source.persistent and .memmap_location == "device" and .dram_overhead_bytes == 0 and ([.blocks[] | .memmap_pages == 512 and .reserved_pages == 0] | all) and .num_blocks == 3' \
	"plan: 3 blocks, 512 memmap pages each, on the device" || exit 1
usable=$(jq .usable_bytes $plan)
mhp_expect_eq "planned usable bytes" "$usable" $(( 3 * ((128 << 20) - (2 << 20)) ))

cycle=1
while [ $cycle -le 2 ]; do
	mhp_cxlmem online-region $dev --force-destroy-data >/tmp/on.json ||
		mhp_fail "cycle $cycle: online-region failed"
	mhp_expect_eq "cycle $cycle: knob" "$(cat /sys/bus/dax/devices/$dev/memmap_on_memory)" 1
	mhp_expect_eq "cycle $cycle: node$node MemTotal (bytes)" $(( $(node_kb "$node" MemTotal) * 1024 )) "$usable"
	mhp_expect_eq "cycle $cycle: node$node nr_memmap_on_memory" "$(node_memmap "$node" nr_memmap_on_memory)" 1536
	mhp_expect_eq "cycle $cycle: node$node memmap outside the node (kernel)" "$(mhp_memmap_pages "$node" hotplug_elsewhere)" 0
	mhp_memtouch "$node" 64
	mhp_cxlmem offline-region $dev --to devdax >/tmp/off.json ||
		mhp_fail "cycle $cycle: offline-region failed"
	mhp_expect_eq "cycle $cycle: kmem ranges after offline" "$(mhp_kmem_ranges)" 0
	mhp_expect_eq "cycle $cycle: driver after offline" "$(driver $dev)" device_dax
	mhp_expect_eq "cycle $cycle: nr_memmap_on_memory after offline" "$(node_memmap "$node" nr_memmap_on_memory)" 0
	mhp_expect_eq "cycle $cycle: nr_memmap_pages after offline" "$(node_memmap "$node" nr_memmap_pages)" 0
	cycle=$((cycle + 1))
done
