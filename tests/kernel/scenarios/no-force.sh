# Patched 6.1 without HUGETLB, memmap_on_memory=1 (no force): a 2 MiB memmap
# is not a whole 4 MiB pageblock, so the memmap stays in DRAM, and the plan
# says so (with the force advice) before anything is done.
. "$MHP_VM_LIB"
# node_memmap NODE NAME: a counter of the node's memmap file (patch 7)
node_memmap() {
	[ -r "/sys/devices/system/node/node$1/memmap" ] || { echo 0; return; }
	awk -v c="$2" '$1 == c { v = $2 } END { print v + 0 }' \
		"/sys/devices/system/node/node$1/memmap"
}
plan=/tmp/plan.json
mhp_cxlmem plan dax0.0 >$plan
mhp_jq_assert $plan '(.eligible_memmap_on_memory | not) and .memmap_location == "dram" and .dram_overhead_bytes == 16777216 and ([.reasons[] | test("pageblock")] | any) and ([.advice[] | .action // "" | test("memmap_on_memory=force")] | any)' \
	"plan: DRAM memmap, with the pageblock reason and the force advice" || exit 1
mhp_expect_eq "planned usable bytes" "$(jq .usable_bytes $plan)" $((1 << 30))
mhp_cxlmem online-region dax0.0 >/tmp/on.json || mhp_fail "online-region failed"
mhp_expect_eq "knob stays off" "$(cat /sys/bus/dax/devices/dax0.0/memmap_on_memory)" 0
mhp_expect_eq "node1 MemTotal (kB)" "$(node_kb 1 MemTotal)" 1048576
mhp_expect_eq "node1 nr_memmap_on_memory" "$(node_memmap 1 nr_memmap_on_memory)" 0
# the kernel's count of the DRAM memmap is the plan's DRAM overhead
mhp_expect_eq "node1 memmap bytes outside node 1 (kernel)" $(( $(mhp_memmap_pages 1 hotplug_elsewhere) * 4096 )) "$(jq .dram_overhead_bytes $plan)"
mhp_cxlmem status dax0.0 | jq -e '.memmap_location == "dram"' >/dev/null ||
	mhp_fail "status does not report the DRAM memmap"
mhp_cxlmem offline-region dax0.0 >/dev/null || mhp_fail "offline failed"
