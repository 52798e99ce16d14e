# Patched 6.1, memmap_on_memory=1: DRAM that node 0 pays to online a 4 GiB
# Soft Reserved device (dax1.0, CPU-less node 2) with cxlmem, measured from
# the unbound state (no memmap at all) to online. Stock 6.1 pays 16 MiB per
# GiB; with the memmap on the device it must stay under 160 KiB per GiB.
. "$MHP_VM_LIB"
dev=dax1.0
[ -e /sys/bus/dax/devices/$dev ] || mhp_fail "$dev is missing: the 4 GiB node 2 device was not set up"
head -c 1 /dev/urandom >/dev/null	# CRNG ready: no stall inside cxlmem
mhp_cxlmem plan $dev >/tmp/plan.json
mhp_jq_assert /tmp/plan.json '.memmap_location == "device" and (.blocks | length) == 32' \
	"plan: 32 blocks with the memmap on the device" || exit 1
echo $dev >/sys/bus/dax/drivers/device_dax/unbind
before=$(mhp_node_free_kb 0)
mhp_cxlmem online-region $dev >/tmp/on.json || mhp_fail "online-region $dev failed"
after=$(mhp_node_free_kb 0)
per_gib=$(( (before - after) / 4 ))
echo "MHP-BENCH: patched-6.1 memmap_on_memory=1: node0 DRAM per GiB = $per_gib kB over 4 GiB (stock 6.1: 16384 kB)"
[ "$per_gib" -lt 160 ] || mhp_fail "node 0 paid $per_gib kB per GiB; under 160 kB expected"
mhp_expect_eq "node2 MemTotal (bytes)" $(( $(node_kb 2 MemTotal) * 1024 )) "$(jq .usable_bytes /tmp/plan.json)"
mhp_memtouch 2 1024
mhp_cxlmem offline-region $dev >/dev/null || mhp_fail "offline-region $dev failed"
