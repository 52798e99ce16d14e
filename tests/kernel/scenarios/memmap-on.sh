# Patched 6.1, memory_hotplug.memmap_on_memory=1: cxlmem detects the series
# by its ABI, sets dax0.0's memmap_on_memory knob and onlines the 1 GiB hmem
# device with its memmap on the device itself. Then 10 offline/online cycles.
. "$MHP_VM_LIB"
# node_memmap NODE NAME: a counter of the node's memmap file (patch 7)
node_memmap() {
	[ -r "/sys/devices/system/node/node$1/memmap" ] || { echo 0; return; }
	awk -v c="$2" '$1 == c { v = $2 } END { print v + 0 }' \
		"/sys/devices/system/node/node$1/memmap"
}
list=/tmp/list.json plan=/tmp/plan.json
mhp_cxlmem list >$list
mhp_jq_assert $list '.platform | .rules == "6.1-mhp" and .memmap_on_memory == "Y" and .dax_memmap_on_memory_knob and .memmap_split_per_block and .memory_block_size == 134217728' \
	"the patched kernel is recognised by its ABI" || exit 1
mhp_cxlmem plan dax0.0 >$plan
mhp_jq_assert $plan '.eligible_memmap_on_memory and .memmap_location == "device" and .dram_overhead_bytes == 0 and .force_waste_bytes == 0 and ([.blocks[] | .memmap_pages == 512 and .reserved_pages == 0] | all) and (.blocks | length) == 8' \
	"plan: 512 memmap pages (2 MiB) per block, on the device" || exit 1
usable=$(jq .usable_bytes $plan)
mhp_expect_eq "planned usable bytes" "$usable" $(( (1 << 30) - 8 * (2 << 20) ))
mhp_expect_eq "knob before" "$(cat /sys/bus/dax/devices/dax0.0/memmap_on_memory)" 0

# measure kmem's cost alone: device_dax's own (ZONE_DEVICE) memmap goes away
# on unbind, so unbind first
echo dax0.0 >/sys/bus/dax/drivers/device_dax/unbind
head -c 1 /dev/urandom >/dev/null	# CRNG ready: no stall inside cxlmem
mhp_cxlmem list >/dev/null
vmstat() { awk -v c="$1" '$1 == c { print $2 }' /proc/vmstat; }
vm_memmap0=$(vmstat nr_memmap_pages)
before=$(mhp_node_free_kb 0)
mhp_cxlmem online-region dax0.0 >/tmp/on.json || mhp_fail "online-region failed"
after=$(mhp_node_free_kb 0)
dram=$((before - after))
# includes the fixed cost of bringing node 1 up; dram-4g.sh asserts per GiB
echo "MHP-BENCH: patched-6.1 memmap_on_memory=1: node0 DRAM for 1 GiB = $dram kB (stock 6.1: 16384 kB)"
[ "$dram" -lt 1024 ] || mhp_fail "node 0 lost $dram kB for 1 GiB: the memmap went to DRAM"
mhp_expect_eq "knob after" "$(cat /sys/bus/dax/devices/dax0.0/memmap_on_memory)" 1
mhp_expect_eq "node1 MemTotal (bytes)" $(( $(node_kb 1 MemTotal) * 1024 )) "$usable"
mhp_expect_eq "node1 nr_memmap_on_memory" "$(node_memmap 1 nr_memmap_on_memory)" 4096
# /proc/vmstat as on 6.11+: nr_memmap_pages counts the hot-added memmap,
# on the device too; nr_memmap_boot_pages is the nodes' boot memmap
mhp_expect_eq "/proc/vmstat nr_memmap_pages growth" $(( $(vmstat nr_memmap_pages) - vm_memmap0 )) 4096
mhp_expect_eq "/proc/vmstat nr_memmap_on_memory" "$(vmstat nr_memmap_on_memory)" 4096
mhp_expect_eq "/proc/vmstat nr_memmap_boot_pages" "$(vmstat nr_memmap_boot_pages)" \
	$(( $(node_memmap 0 nr_memmap_boot_pages) + $(node_memmap 1 nr_memmap_boot_pages) ))
# the kernel's count of the memmap agrees with the plan, and none is elsewhere
mhp_expect_eq "node1 memmap pages (kernel)" "$(mhp_memmap_pages 1 hotplug)" "$(jq '[.blocks[].memmap_pages] | add' $plan)"
mhp_expect_eq "node1 memmap pages outside node 1" "$(mhp_memmap_pages 1 hotplug_elsewhere)" 0
# boot memory: 512 memmap pages for each of node 0's 128 MiB blocks
mhp_expect_eq "node0 boot memmap pages" "$(mhp_memmap_pages 0 boot)" $(( 512 * $(ls -d /sys/devices/system/node/node0/memory[0-9]* | wc -l) ))
mhp_cxlmem status dax0.0 >/tmp/status.json
mhp_jq_assert /tmp/status.json '.memmap_location == "device" and .blocks_online == 8 and (.drift | length) == 0' \
	"status: memmap on the device, no drift" || exit 1
# most of the new memory holds user data while every block's memmap lives
# in the block: a memmap page handed to the buddy would be overwritten
mhp_memtouch 1 768

base_free=$after
i=1
while [ $i -le 10 ]; do
	mhp_cxlmem offline-region dax0.0 --to devdax >/tmp/off.json || mhp_fail "cycle $i: offline failed"
	mhp_expect_eq "cycle $i: kmem ranges after offline" "$(mhp_kmem_ranges)" 0
	mhp_expect_eq "cycle $i: node1 MemTotal after offline" "$(node_kb 1 MemTotal)" 0
	mhp_expect_eq "cycle $i: nr_memmap_on_memory after offline" "$(node_memmap 1 nr_memmap_on_memory)" 0
	mhp_expect_eq "cycle $i: nr_memmap_pages after offline" "$(node_memmap 1 nr_memmap_pages)" 0
	mhp_cxlmem online-region dax0.0 >/tmp/on.json || mhp_fail "cycle $i: online failed"
	mhp_expect_eq "cycle $i: node1 MemTotal (bytes)" $(( $(node_kb 1 MemTotal) * 1024 )) "$usable"
	i=$((i + 1))
done
leak=$(( base_free - $(mhp_node_free_kb 0) ))
echo "MHP-BENCH: node0 growth over 10 cycles = $leak kB"
[ "$leak" -lt 1024 ] || mhp_fail "node 0 grew by $leak kB over 10 cycles: a leak"
mhp_expect_eq "kmem ranges while online" "$(mhp_kmem_ranges)" 1
mhp_memtouch 1 768
mhp_cxlmem offline-region dax0.0 >/dev/null || mhp_fail "final offline failed"
