# Patched 6.1 booted with memory_block_size=64M, =192M and =3G: each value
# is refused with a message naming the valid range, and the probed 128 MiB
# block size stays.
. "$MHP_VM_LIB"
for v in 64M 192M 3G; do
	dmesg | grep -q "Ignoring memory_block_size=$v: not a power of two from 128MB to 2048MB" ||
		mhp_fail "no message refusing memory_block_size=$v: $(dmesg | grep memory_block_size)"
	ok "memory_block_size=$v refused"
done
dmesg | grep -q "Memory block size set to" && mhp_fail "a refused value was applied: $(dmesg | grep 'Memory block size set to')"
mhp_expect_eq "block_size_bytes" "$(cat /sys/devices/system/memory/block_size_bytes)" 8000000
mhp_cxlmem plan dax0.0 >/tmp/plan.json
mhp_jq_assert /tmp/plan.json '.block_size == 134217728 and (.blocks | length) == 8' "plan: eight 128 MiB blocks" || exit 1
