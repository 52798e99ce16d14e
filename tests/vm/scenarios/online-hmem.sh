# hmem end to end (topology hmem): plan dax0.0, online-region, then check in
# sysfs/procfs that every planned block is online in its planned zone
# (ZONE_MOVABLE by default), node 1's MemTotal grew by exactly the plan's
# usable_bytes and /proc/iomem has "System RAM (kmem)" for the planned blocks;
# status agrees; a second online-region is a no-op; offline-region --to
# devdax gives everything back (no kmem range left in /proc/iomem, node 1
# MemTotal and node 0's free memory back). Then the full DRAM cost: online,
# offline-region --to none (unbound: no memmap at all), online from there and
# compare node 0's free memory (reported; loosely checked against the plan's
# dram_overhead_bytes: within [90%, 200% + 8 MiB] with the memmap in DRAM,
# under 1/128 of the device with the memmap on the device). Back to devdax.
# Leaves dax0.0 as it found it: device_dax, no memory blocks.
. "$MHP_VM_LIB"
dev=dax0.0
out=${MHP_HOST_DIR:-/tmp}
sysmem=/sys/devices/system/memory

# range_online: how many blocks of the planned range are online
range_online() {
	n=0
	for idx in $(jq -r '.blocks[].index' /tmp/plan.json); do
		[ "$(cat $sysmem/memory$idx/state 2>/dev/null)" = online ] && n=$((n + 1))
	done
	echo $n
}

[ "$(driver $dev)" = device_dax ] || mhp_fail "$dev should start bound to device_dax, is $(driver $dev)"
# on failure, try to leave dax0.0 in devdax for the next scenario
trap '[ $? = 0 ] || { mhp_cxlmem recover; mhp_cxlmem offline-region $dev; } >/dev/null 2>&1' EXIT
node=$(cat /sys/bus/dax/devices/$dev/target_node)
auto0=$(cat $sysmem/auto_online_blocks)

# ---- plan
mhp_cxlmem plan $dev >/tmp/plan.json || mhp_fail "cxlmem plan $dev failed"
cp /tmp/plan.json "$out/online-hmem-plan.json" 2>/dev/null || true
check /tmp/plan.json '.target == "'$dev'" and .num_blocks > 0 and (.blocks | length) == .num_blocks' "plan lists every block"
check /tmp/plan.json '.usable_bytes == ([.blocks[].usable_bytes] | add)' "plan usable_bytes is the sum of its blocks"
check /tmp/plan.json '.movable_bytes + .normal_bytes == .usable_bytes' "plan movable + normal = usable"
check /tmp/plan.json '.options.zone == "auto" and ([.blocks[] | select(.zone != "movable")] | length) == 0' \
	"auto plan puts every block of a CPU-less node in ZONE_MOVABLE"
nblocks=$(jq .num_blocks /tmp/plan.json)
usable=$(jq .usable_bytes /tmp/plan.json)
bsize=$(jq .block_size /tmp/plan.json)
dram=$(jq .source.dram_node /tmp/plan.json)
memmap_loc=$(jq -r .memmap_location /tmp/plan.json)
dram_cost=$(jq .dram_overhead_bytes /tmp/plan.json)

# ---- online
total1_0=$(node_kb "$node" MemTotal)
free0_0=$(mhp_node_free_kb "$dram")
rc=0
mhp_cxlmem online-region $dev >/tmp/on.json 2>/tmp/on.err || rc=$?
cat /tmp/on.err
cp /tmp/on.json "$out/online-hmem-online.json" 2>/dev/null || true
expect_eq "$rc" 0 "online-region exit status"
check /tmp/on.json '.device == "'$dev'" and .result == "online"' "online-region result online"
check /tmp/on.json ".blocks == $nblocks and .usable_bytes == $usable" "online-region blocks/usable_bytes as planned"
check /tmp/on.json ".movable_bytes == $(jq .movable_bytes /tmp/plan.json) and .normal_bytes == $(jq .normal_bytes /tmp/plan.json)" "online-region zone split as planned"
check /tmp/on.json ".memmap_location == \"$memmap_loc\" and .dram_overhead_bytes == $dram_cost" "online-region memmap location/DRAM cost as planned"
check /tmp/on.json '(.failed_blocks | length) == 0 and (.blocks_fixed | length) == 0' "no failed or fixed blocks"
expect_eq "$(driver $dev)" kmem "$dev driver after online"
expect_planned_zones /tmp/plan.json
total1_1=$(node_kb "$node" MemTotal)
expect_eq "$(( (total1_1 - total1_0) * 1024 ))" "$usable" "node $node MemTotal growth (bytes) = plan usable_bytes"
expect_eq "$(kmem_bytes $dev)" "$((nblocks * bsize))" "System RAM (kmem) below $dev in /proc/iomem (bytes)"
expect_eq "$(cat $sysmem/auto_online_blocks)" "$auto0" "auto_online_blocks unchanged"
[ ! -e /run/mhp/journal ] || mhp_fail "a journal was left behind after a successful online-region"

# DRAM seen by node 0 going from devdax to system RAM. device_dax's own
# ZONE_DEVICE memmap (compound pages, a fraction of a full memmap) is freed
# on the way, so this is the net change; the full cost is measured below
# from an unbound device.
free0_1=$(mhp_node_free_kb "$dram")
net_kb=$((free0_0 - free0_1))
mhp_log "DRAM: devdax -> system RAM: node $dram free memory dropped by $net_kb kB (net of device_dax's memmap)"

# ---- status
rc=0
mhp_cxlmem status $dev >/tmp/st.json || rc=$?
expect_eq "$rc" 0 "status exit status (no drift)"
check /tmp/st.json ".driver == \"kmem\" and .blocks_online == $nblocks and .applied_plan == true and (.drift | length) == 0" "status: kmem, all blocks online, applied plan, no drift"
check /tmp/st.json ".movable_bytes == $((nblocks * bsize)) and .memmap_location == \"$memmap_loc\"" "status: movable bytes and memmap location"

# ---- the new RAM is usable: user pages bound to node $node hold data
mhp_memtouch "$node" 64

# ---- a second online is a no-op
before=$(for i in $(jq -r '.blocks[].index' /tmp/plan.json); do cat $sysmem/memory$i/state $sysmem/memory$i/valid_zones; done | md5sum)
rc=0
mhp_cxlmem online-region $dev >/tmp/on2.json 2>/tmp/on2.err || rc=$?
cat /tmp/on2.err
expect_eq "$rc" 0 "second online-region exit status"
check /tmp/on2.json '.result == "already-online" and (.steps | length) == 0' "second online-region: already-online, no steps"
grep -q "nothing to do" /tmp/on2.err || mhp_fail "second online-region did not say 'nothing to do'"
after=$(for i in $(jq -r '.blocks[].index' /tmp/plan.json); do cat $sysmem/memory$i/state $sysmem/memory$i/valid_zones; done | md5sum)
expect_eq "$after" "$before" "block states/zones unchanged by the second online"

# ---- offline back to devdax
offline_and_check() { # TAG TO
	rc=0
	mhp_cxlmem offline-region $dev --to "$2" >/tmp/off.json 2>/tmp/off.err || rc=$?
	cat /tmp/off.err
	cp /tmp/off.json "$out/online-hmem-offline-$1.json" 2>/dev/null || true
	want_drv=device_dax want_res=devdax
	[ "$2" = none ] && want_drv=none want_res=unbound
	expect_eq "$rc" 0 "offline-region --to $2 exit status ($1)"
	check /tmp/off.json ".result == \"$want_res\" and .blocks_offlined == $nblocks and (.failed_blocks | length) == 0" "offline-region: $want_res, $nblocks blocks offlined ($1)"
	expect_eq "$(driver $dev)" $want_drv "$dev driver after offline ($1)"
	expect_eq "$(range_online)" 0 "online blocks left in the range ($1)"
	expect_eq "$(grep -c 'System RAM (kmem)' /proc/iomem || true)" 0 "'System RAM (kmem)' entries left in /proc/iomem ($1)"
	expect_eq "$(node_kb "$node" MemTotal)" "$total1_0" "node $node MemTotal back to its value before ($1)"
	expect_eq "$(cat $sysmem/auto_online_blocks)" "$auto0" "auto_online_blocks unchanged ($1)"
	if [ "$2" = devdax ]; then
		[ -c /dev/$dev ] || mhp_fail "/dev/$dev is missing after offline-region --to devdax ($1)"
		ok "/dev/$dev is there ($1)"
	fi
}
offline_and_check first devdax
free0_2=$(mhp_node_free_kb "$dram")
mhp_log "DRAM: back in devdax, node $dram free memory is $((free0_0 - free0_2)) kB below its devdax value before"
[ $((free0_0 - free0_2)) -lt 4096 ] && [ $((free0_2 - free0_0)) -lt 4096 ] ||
	mhp_fail "node $dram free memory is $((free0_0 - free0_2)) kB off its value before, after a full online/offline cycle"
ok "node $dram free memory back within 4 MiB after online + offline"

# offline again: nothing to do
rc=0
mhp_cxlmem offline-region $dev >/tmp/off2.json 2>/dev/null || rc=$?
expect_eq "$rc" 0 "second offline-region exit status"
check /tmp/off2.json '.result == "already-offline"' "second offline-region: already-offline"

# ---- the full DRAM cost: from an unbound device (no driver, no memmap at all)
rc=0
mhp_cxlmem online-region $dev >/tmp/on3.json 2>/tmp/on3.err || rc=$?
cat /tmp/on3.err
expect_eq "$rc" 0 "online-region after offline: exit status"
expect_planned_zones /tmp/plan.json
offline_and_check unbind none
free0_u=$(mhp_node_free_kb "$dram")
rc=0
mhp_cxlmem online-region $dev >/tmp/on4.json 2>/tmp/on4.err || rc=$?
cat /tmp/on4.err
cp /tmp/on4.json "$out/online-hmem-online-from-unbound.json" 2>/dev/null || true
expect_eq "$rc" 0 "online-region of an unbound device: exit status"
check /tmp/on4.json '.result == "online" and (.steps | index("unbinding device_dax")) == null' "online-region of an unbound device: online, nothing to unbind"
expect_eq "$(driver $dev)" kmem "$dev driver"
expect_planned_zones /tmp/plan.json
expect_eq "$(( ($(node_kb "$node" MemTotal) - total1_0) * 1024 ))" "$usable" "node $node MemTotal growth = usable_bytes (from unbound)"
free0_o=$(mhp_node_free_kb "$dram")
used_kb=$((free0_u - free0_o))
per_gib_kb=$((used_kb * 1073741824 / usable))
mhp_log "DRAM: node $dram paid $used_kb kB for $((usable >> 20)) MiB of system RAM = $per_gib_kb kB per GiB (plan: memmap in $memmap_loc, dram_overhead_bytes = $((dram_cost / 1024)) kB; devdax -> system RAM net: $net_kb kB)"
echo "online-hmem: kernel=$(uname -r) usable_bytes=$usable memmap=$memmap_loc plan_dram_kb=$((dram_cost / 1024)) dram_used_kb=$used_kb per_gib_kb=$per_gib_kb net_vs_devdax_kb=$net_kb" \
	>"$out/online-hmem-dram.txt" 2>/dev/null || true
if [ "$memmap_loc" = dram ]; then
	[ $((used_kb * 1024)) -ge $((dram_cost * 9 / 10)) ] ||
		mhp_fail "node $dram paid only $used_kb kB, but the plan says the memmap ($((dram_cost / 1024)) kB) goes to DRAM"
	[ $((used_kb * 1024)) -le $((dram_cost * 2 + 8388608)) ] ||
		mhp_fail "node $dram paid $used_kb kB, far more than the planned memmap ($((dram_cost / 1024)) kB)"
	ok "node $dram DRAM cost within [90%, 200% + 8 MiB] of the planned memmap"
else
	[ $((used_kb * 1024)) -lt $((usable / 128)) ] ||
		mhp_fail "memmap planned on the device, yet node $dram paid $used_kb kB (>= 1/128 of the device: the memmap went to DRAM)"
	ok "memmap on the device: node $dram paid only $used_kb kB"
fi
offline_and_check second devdax
[ ! -e /run/mhp/journal ] || mhp_fail "a journal was left behind"
mhp_log "PASS: $nblocks blocks, usable $usable bytes, DRAM $per_gib_kb kB per GiB"
