# Patched 6.1 (either variant) booted with memory_hotplug.memmap_on_memory=FORCE and
# memory_block_size=2G, with boot RAM ending at 5 GiB (run-vm.sh
# --hmem-mib 384):
#  - FORCE is force mode, not "off" as kstrtobool() would read it, and the
#    boot log gives the cost per block;
#  - under a hypervisor 2 GiB does not divide the end of boot RAM, so the
#    value is refused with a message saying why, the probed 128 MiB stays,
#    and a device on the memory after boot RAM goes online.
. "$MHP_VM_LIB"
param=/sys/module/memory_hotplug/parameters/memmap_on_memory
mhp_expect_eq "memmap_on_memory parameter" "$(cat $param)" force
# 512 memmap pages per 128 MiB block, padded to a pageblock: 0 more with
# 2 MiB pageblocks (hugetlb variant), 512 more with 4 MiB (nohugetlb)
dmesg | grep -qE "memmap_on_memory=force: 128 MiB memory blocks, 512 memmap \+ (0|512) reserved pages per block" ||
	mhp_fail "no force-mode cost in the boot log: $(dmesg | grep memmap_on_memory)"
dmesg | grep -q "not understood" && mhp_fail "FORCE was reported as not understood: $(dmesg | grep 'not understood')"
ok "memory_hotplug.memmap_on_memory=FORCE is force mode"

grep -qw hypervisor /proc/cpuinfo || mhp_fail "the guest CPU has no hypervisor flag: the refusal cannot be tested"
dmesg | grep -q "Refusing memory_block_size=2048MB: under a hypervisor the block size must divide the end of boot memory (5120MB)" ||
	mhp_fail "no message refusing memory_block_size=2G: $(dmesg | grep -i 'memory.block')"
dmesg | grep -q "Memory block size set to" && mhp_fail "the refused value was applied: $(dmesg | grep 'Memory block size set to')"
mhp_expect_eq "block_size_bytes" "$(cat /sys/devices/system/memory/block_size_bytes)" 8000000
ok "memory_block_size=2G refused: 2 GiB does not divide the end of boot RAM (5 GiB)"

# the 384 MiB device sits below the end of boot RAM; it comes online
# block by block with the probed size, memmap on the device in force mode
mhp_cxlmem online-region dax0.0 >/tmp/on.json || mhp_fail "online-region dax0.0 failed"
mhp_expect_eq "node1 blocks online" "$(cat /sys/devices/system/node/node1/memory*/state | grep -c online)" 8
mhp_cxlmem offline-region dax0.0 --to devdax >/dev/null || mhp_fail "offline-region dax0.0 failed"
mhp_expect_eq "driver after offline" "$(driver dax0.0)" device_dax
