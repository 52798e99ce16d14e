# Patched 6.1 without HUGETLB (4 MiB pageblocks), memmap_on_memory=force:
# the 2 MiB memmap of a 128 MiB block is padded to a whole pageblock, 512
# reserved pages per block, exactly as the planner predicts.
. "$MHP_VM_LIB"
# node_memmap NODE NAME: a counter of the node's memmap file (patch 7)
node_memmap() {
	[ -r "/sys/devices/system/node/node$1/memmap" ] || { echo 0; return; }
	awk -v c="$2" '$1 == c { v = $2 } END { print v + 0 }' \
		"/sys/devices/system/node/node$1/memmap"
}
plan=/tmp/plan.json
mhp_cxlmem list >/tmp/list.json
mhp_jq_assert /tmp/list.json '.platform | .rules == "6.1-mhp" and .memmap_on_memory == "force" and .pageblock_size == 4194304' \
	"force mode and 4 MiB pageblocks detected" || exit 1
mhp_cxlmem plan dax0.0 >$plan
mhp_jq_assert $plan '.eligible_memmap_on_memory and .memmap_location == "device" and ([.blocks[] | .memmap_pages == 512 and .reserved_pages == 512] | all) and .force_waste_bytes == 8 * 2097152' \
	"plan: 512 memmap + 512 reserved pages per block" || exit 1
usable=$(jq .usable_bytes $plan)
mhp_expect_eq "planned usable bytes" "$usable" $(( (1 << 30) - 8 * (4 << 20) ))
# the kernel's own account of the reservation must match the plan's
dmesg | grep -q "memmap_on_memory=force: 128 MiB memory blocks, 512 memmap + 512 reserved pages per block" ||
	mhp_fail "the boot log does not report 512 memmap + 512 reserved pages per block: $(dmesg | grep 'memmap_on_memory=force:')"
echo "ok - the kernel reserves 512 memmap + 512 padding pages per block, as planned"
mhp_cxlmem online-region dax0.0 >/tmp/on.json || mhp_fail "online-region failed"
mhp_expect_eq "node1 MemTotal (bytes)" $(( $(node_kb 1 MemTotal) * 1024 )) "$usable"
mhp_expect_eq "node1 nr_memmap_on_memory" "$(node_memmap 1 nr_memmap_on_memory)" 4096
mhp_expect_eq "node1 nr_memmap_on_memory_padding" "$(node_memmap 1 nr_memmap_on_memory_padding)" 4096
mhp_expect_eq "node1 memmap pages (kernel)" "$(mhp_memmap_pages 1 hotplug)" 4096
mhp_expect_eq "node1 memmap padding (kernel, via cxlmem)" "$(mhp_memmap_pages 1 on_memory_padding)" "$(jq '[.blocks[].reserved_pages] | add' $plan)"
mhp_memtouch 1 768
mhp_cxlmem offline-region dax0.0 >/dev/null || mhp_fail "offline failed"
mhp_expect_eq "kmem ranges after offline" "$(mhp_kmem_ranges)" 0
