# Persistent memory to system RAM (topologies cxl-pmem and legacy-pmem).
#  - online-region without --force-destroy-data is refused (exit 1) and
#    changes nothing: dax0.0 stays on device_dax, no memory block appears,
#    auto_online_blocks and /proc/iomem are untouched, no journal; nor does
#    reconfigure-device all, which skips pmem as daxctl's contract says;
#  - --dry-run with consent changes nothing either;
#  - with --force-destroy-data every planned block goes online as planned, and
#    the plan's alignment_waste_bytes equals what the kernel left unused: the
#    dax range size minus the "System RAM (kmem)" bytes below dax0.0 in
#    /proc/iomem;
#  - cxl-pmem: the CXL region name works as the target (status, offline);
#  - offline-region returns to devdax, the namespace is still a devdax one.
. "$MHP_VM_LIB"
dev=dax0.0
out=${MHP_HOST_DIR:-/tmp}
sysmem=/sys/devices/system/memory

snapshot() {
	{
		driver $dev
		ls $sysmem
		cat $sysmem/auto_online_blocks
		cat /proc/iomem
		ls /run/mhp 2>/dev/null | grep -v '^lock$' || true
	} | md5sum
}

case "$MHP_TOPOLOGY" in cxl-pmem|legacy-pmem) ;; *) mhp_skip "pmem topologies only" ;; esac
[ "$(driver $dev)" = device_dax ] || mhp_fail "$dev should start bound to device_dax, is $(driver $dev)"
mhp_cxlmem list >/tmp/list.json || mhp_fail "cxlmem list failed"
check /tmp/list.json ".dax_devices[] | select(.name == \"$dev\") | .persistent == true" "$dev is persistent"
mhp_cxlmem plan $dev >/tmp/plan.json || mhp_fail "cxlmem plan failed"
cp /tmp/plan.json "$out/pmem-convert-$MHP_TOPOLOGY-plan.json" 2>/dev/null || true
jq -c '{raw_bytes, usable_bytes, num_blocks, alignment_waste_bytes, alignment_waste_head_bytes, alignment_waste_tail_bytes, force_waste_bytes, warnings}' /tmp/plan.json
check /tmp/plan.json '.source.persistent == true and any(.warnings[]; test("persistent memory"))' "the plan warns that the data is destroyed"
size=$(cat /sys/bus/dax/devices/$dev/size)
expect_eq "$(jq .raw_bytes /tmp/plan.json)" "$size" "plan raw_bytes = sysfs size of $dev"
n=$(jq .num_blocks /tmp/plan.json)
bsize=$(jq .block_size /tmp/plan.json)
waste=$(jq .alignment_waste_bytes /tmp/plan.json)
[ "$n" -ge 1 ] || mhp_fail "the plan has no block"

# ---- no consent: refused, nothing changed
snap0=$(snapshot)
rc=0
mhp_cxlmem online-region $dev >/tmp/refused.json 2>/tmp/refused.err || rc=$?
cat /tmp/refused.err
expect_eq "$rc" 1 "online-region without --force-destroy-data: exit status"
check /tmp/refused.json '.result == "failed" and (.error | test("force-destroy-data")) and (.steps | length) == 0' "refused before any step, naming --force-destroy-data"
expect_eq "$(snapshot)" "$snap0" "nothing changed (driver, memory blocks, auto_online_blocks, /proc/iomem, state dir)"
expect_eq "$(driver $dev)" device_dax "driver after the refusal"

# the daxctl-compatible front end keeps daxctl's rule: naming the device
# is consent, "all" is not, so pmem is skipped and said so
rc=0
mhp_cxlmem reconfigure-device -m system-ram all >/dev/null 2>/tmp/all.err || rc=$?
cat /tmp/all.err
expect_eq "$rc" 0 "reconfigure-device -m system-ram all: exit status"
grep -q "$dev: skipped: persistent memory" /tmp/all.err ||
	mhp_fail "reconfigure-device all did not say it skipped the pmem device $dev"
expect_eq "$(snapshot)" "$snap0" "nothing changed by reconfigure-device all"

# ---- dry run with consent: nothing changed
rc=0
mhp_cxlmem online-region $dev --force-destroy-data --dry-run >/tmp/dry.json 2>/tmp/dry.err || rc=$?
expect_eq "$rc" 0 "online-region --dry-run exit status"
check /tmp/dry.json '.result == "dry-run"' "dry-run result"
expect_eq "$(snapshot)" "$snap0" "nothing changed by the dry run"

# ---- with consent
rc=0
mhp_cxlmem online-region $dev --force-destroy-data >/tmp/on.json 2>/tmp/on.err || rc=$?
cat /tmp/on.err
cp /tmp/on.json "$out/pmem-convert-$MHP_TOPOLOGY-online.json" 2>/dev/null || true
expect_eq "$rc" 0 "online-region --force-destroy-data exit status"
check /tmp/on.json ".result == \"online\" and .blocks == $n and .usable_bytes == $(jq .usable_bytes /tmp/plan.json)" "online as planned"
expect_eq "$(driver $dev)" kmem "driver after online"
expect_planned_zones /tmp/plan.json
# the converted memory is usable RAM (emulated CXL memory is slow: keep it small)
mhp_memtouch "$(cat /sys/bus/dax/devices/$dev/target_node)" 32
grep -B2 -A2 "System RAM (kmem)" /proc/iomem
kb=$(kmem_bytes $dev)
expect_eq "$kb" "$((n * bsize))" "System RAM (kmem) bytes below $dev = planned blocks"
expect_eq "$((size - kb))" "$waste" "kernel's unused bytes (dax size - kmem bytes) = plan alignment_waste_bytes"
mhp_log "alignment waste: $waste bytes ($((waste >> 20)) MiB) of $size; kmem took $kb bytes in $n blocks"

# ---- the CXL region as the target
target=$dev
if [ "$MHP_TOPOLOGY" = cxl-pmem ]; then
	region=$(jq -r ".dax_devices[] | select(.name == \"$dev\") | .cxl_region // empty" /tmp/list.json)
	[ -n "$region" ] || mhp_fail "cxlmem list does not link $dev to its CXL region"
	check /tmp/list.json ".cxl_regions[] | select(.region == \"$region\") | .mode == \"pmem\" and (.dax_devices | index(\"$dev\")) != null" "CXL $region (pmem) lists $dev"
	rc=0
	mhp_cxlmem status "$region" >/tmp/st.json || rc=$?
	expect_eq "$rc" 0 "status $region exit status"
	check /tmp/st.json "length == 1 and .[0].device == \"$dev\" and .[0].blocks_online == $n and (.[0].drift | length) == 0" "status $region covers $dev, online, no drift"
	rc=0
	mhp_cxlmem online-region "$region" --force-destroy-data >/tmp/on2.json 2>/dev/null || rc=$?
	expect_eq "$rc" 0 "online-region $region (already online) exit status"
	check /tmp/on2.json '.result == "already-online"' "online-region $region: already-online"
	target=$region
fi

# ---- back to devdax
rc=0
mhp_cxlmem offline-region "$target" >/tmp/off.json 2>/tmp/off.err || rc=$?
cat /tmp/off.err
expect_eq "$rc" 0 "offline-region $target exit status"
check /tmp/off.json ".result == \"devdax\" and .blocks_offlined == $n" "offline-region $target: devdax"
expect_eq "$(driver $dev)" device_dax "driver after offline"
expect_eq "$(grep -c 'System RAM (kmem)' /proc/iomem || true)" 0 "'System RAM (kmem)' entries left"
[ -c /dev/$dev ] || mhp_fail "/dev/$dev missing after offline"
ndctl list -N | jq -e '.[] | select(.mode == "devdax")' >/dev/null || mhp_fail "the namespace is no longer devdax"
ok "namespace still devdax, /dev/$dev back"
