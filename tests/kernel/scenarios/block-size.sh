# Patched 6.1 booted with memory_block_size=1G: the block size the planner
# can advise is applied, and plan/online use 1 GiB blocks.
. "$MHP_VM_LIB"
mhp_expect_eq "block_size_bytes" "$(cat /sys/devices/system/memory/block_size_bytes)" 40000000
dmesg | grep -q "x86/mm: Memory block size set to 1024MB on the command line" ||
	mhp_fail "the boot log does not say the block size came from the command line"
mhp_cxlmem list >/tmp/list.json
mhp_jq_assert /tmp/list.json '.platform | .memory_block_size == 1073741824 and .memory_block_size_param' \
	"list: 1 GiB blocks from the boot parameter" || exit 1
mhp_cxlmem plan dax0.0 >/tmp/plan.json
mhp_jq_assert /tmp/plan.json '(.blocks | length) == 1 and .blocks[0].index == 4 and .block_size == 1073741824' \
	"plan: one 1 GiB block, memory4" || exit 1
mhp_cxlmem online-region dax0.0 >/tmp/on.json || mhp_fail "online-region failed"
mhp_expect_eq "memory4 state" "$(cat /sys/devices/system/memory/memory4/state)" online
mhp_expect_eq "memory4 zone" "$(cat /sys/devices/system/memory/memory4/valid_zones)" Movable
mhp_expect_eq "node1 MemTotal (bytes)" $(( $(node_kb 1 MemTotal) * 1024 )) "$(jq .usable_bytes /tmp/plan.json)"
mhp_memtouch 1 256
mhp_cxlmem offline-region dax0.0 >/dev/null || mhp_fail "offline failed"
