# Zone mix (topology hmem): `--zone auto --movable-ratio 10` must split dax0.0
# into ZONE_NORMAL and ZONE_MOVABLE blocks, keep MOVABLE:KERNEL within 10%
# (and be the largest such split), and the kernel must end up with exactly
# that split: per block (memoryN/valid_zones) and per zone (node 1 Normal vs
# Movable managed pages in /proc/zoneinfo). Then offline back to devdax.
. "$MHP_VM_LIB"
dev=dax0.0
ratio=10
out=${MHP_HOST_DIR:-/tmp}
sysmem=/sys/devices/system/memory

# managed NODE ZONE: managed pages of the zone in /proc/zoneinfo (0 if absent)
managed() {
	awk -v n="$1," -v z="$2" '/^Node/ { cn = $2; cz = $4 } $1 == "managed" && cn == n && cz == z { v = $2 } END { print v + 0 }' /proc/zoneinfo
}

[ "$(driver $dev)" = device_dax ] || mhp_fail "$dev should start bound to device_dax, is $(driver $dev)"
# on failure, try to leave dax0.0 in devdax for the next scenario
trap '[ $? = 0 ] || { mhp_cxlmem recover; mhp_cxlmem offline-region $dev; } >/dev/null 2>&1' EXIT
node=$(cat /sys/bus/dax/devices/$dev/target_node)

mhp_cxlmem plan $dev --zone auto --movable-ratio $ratio >/tmp/plan.json || mhp_fail "cxlmem plan failed"
cp /tmp/plan.json "$out/zone-mix-plan.json" 2>/dev/null || true
jq -c '{options, movable_bytes, normal_bytes, zones: [.blocks[].zone], zone_notes}' /tmp/plan.json
check /tmp/plan.json ".options.zone == \"auto\" and .options.movable_ratio == $ratio" "plan options: auto, ratio $ratio"
check /tmp/plan.json '.normal_bytes > 0 and .movable_bytes > 0' "ratio $ratio gives a mixed plan (normal and movable)"
check /tmp/plan.json '.normal_bytes == ([.blocks[] | select(.zone == "normal") | .usable_bytes] | add) and .movable_bytes == ([.blocks[] | select(.zone == "movable") | .usable_bytes] | add)' "plan zone totals match its blocks"
# MOVABLE:KERNEL (system-wide, as the plan judges it) within the ratio ...
check /tmp/plan.json "(.platform.movable_bytes + .movable_bytes) * 100 <= $ratio * (.platform.kernel_bytes + .normal_bytes)" "MOVABLE:KERNEL within $ratio%"
# ... and one more movable block would break it
check /tmp/plan.json "(.platform.movable_bytes + .movable_bytes + .block_size) * 100 > $ratio * (.platform.kernel_bytes + .normal_bytes - .block_size)" "the split is the largest movable share within $ratio%"
# normal blocks are the lowest ones (kernel memory below movable)
check /tmp/plan.json '[.blocks[].zone] | (index("movable")) as $m | .[$m:] | all(. == "movable")' "ZONE_NORMAL blocks below the ZONE_MOVABLE ones"
page=$(jq .platform.page_size /tmp/plan.json)
nblocks=$(jq .num_blocks /tmp/plan.json)

norm0=$(managed "$node" Normal) mov0=$(managed "$node" Movable)
rc=0
mhp_cxlmem online-region $dev --zone auto --movable-ratio $ratio >/tmp/on.json 2>/tmp/on.err || rc=$?
cat /tmp/on.err
cp /tmp/on.json "$out/zone-mix-online.json" 2>/dev/null || true
expect_eq "$rc" 0 "online-region exit status"
check /tmp/on.json ".result == \"online\" and .normal_bytes == $(jq .normal_bytes /tmp/plan.json) and .movable_bytes == $(jq .movable_bytes /tmp/plan.json)" "online-region JSON: the planned split"

jq -r '.blocks[] | "\(.index) \(.zone)"' /tmp/plan.json >/tmp/planned
nn=0 nm=0
while read -r idx zone; do
	want=Movable; [ "$zone" = normal ] && want=Normal
	st=$(cat $sysmem/memory$idx/state) vz=$(cat $sysmem/memory$idx/valid_zones)
	[ "$st" = online ] && [ "$vz" = "$want" ] || mhp_fail "memory$idx is $st/$vz, planned online/$want"
	[ "$zone" = normal ] && nn=$((nn + 1)) || nm=$((nm + 1))
done </tmp/planned
ok "per block: $nn Normal + $nm Movable, as planned"

norm1=$(managed "$node" Normal) mov1=$(managed "$node" Movable)
mhp_log "node $node managed pages: Normal $norm0 -> $norm1, Movable $mov0 -> $mov1 (/proc/zoneinfo)"
expect_eq "$(( (norm1 - norm0) * page ))" "$(jq .normal_bytes /tmp/plan.json)" "node $node Normal managed growth (bytes, /proc/zoneinfo)"
expect_eq "$(( (mov1 - mov0) * page ))" "$(jq .movable_bytes /tmp/plan.json)" "node $node Movable managed growth (bytes, /proc/zoneinfo)"

rc=0
mhp_cxlmem status $dev >/tmp/st.json || rc=$?
expect_eq "$rc" 0 "status exit status"
check /tmp/st.json ".blocks_online == $nblocks and (.drift | length) == 0 and .normal_bytes == $((nn * $(jq .block_size /tmp/plan.json)))" "status: no drift, normal bytes"

rc=0
mhp_cxlmem offline-region $dev >/tmp/off.json 2>/tmp/off.err || rc=$?
cat /tmp/off.err
cp /tmp/off.json "$out/zone-mix-offline.json" 2>/dev/null || true
expect_eq "$rc" 0 "offline-region exit status (ZONE_NORMAL blocks of an idle guest offline fine)"
check /tmp/off.json '.result == "devdax"' "offline-region: devdax"
expect_eq "$(driver $dev)" device_dax "$dev driver after offline"
expect_eq "$(managed "$node" Normal)/$(managed "$node" Movable)" "$norm0/$mov0" "node $node Normal/Movable managed pages back"
expect_eq "$(grep -c 'System RAM (kmem)' /proc/iomem || true)" 0 "'System RAM (kmem)' entries left"
