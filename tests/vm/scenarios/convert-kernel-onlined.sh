# Convert in place what the kernel onlined by itself (hmem or cxl-ram on a
# kernel that binds kmem by default and auto-onlines, e.g. run-vm.sh
# --kernel-set 6.12). First scenario of the boot: it starts from the
# kernel's own result and checks it, in sysfs:
#  - dax0.0 bound to kmem, auto_online_blocks=online, every block of the
#    device online in ZONE_NORMAL;
#  - the memmap where the kernel put it, per the dax device's
#    memmap_on_memory attribute: hmem defaults to 0 (in DRAM: node MemTotal is
#    the whole device), CXL RAM to 1 (on the device: MemTotal is the device
#    less 1/64 of it).
# cxlmem list and plan see that state. With 64 MiB of tmpfs data bound to
# the device's node, online-region converts it to the plan
# (every block ZONE_MOVABLE, the memmap on the device: node MemTotal equals
# the plan's usable_bytes, and node 0 gets the DRAM memmap back), reports
# what the kernel migrated as a number of bytes that covers the data, which
# reads back unchanged; status
# agrees, offline-region --to devdax ends on device_dax, and online-region
# from there reaches the same state. Ends with dax0.0 on device_dax, no
# memory blocks online, for the scenarios after it.
# shellcheck source=tests/vm/lib.sh
. "$MHP_VM_LIB"
dev=dax0.0
out=${MHP_HOST_DIR:-/tmp}
daxdir=/sys/bus/dax/devices/$dev

# device_blocks: the memory block indexes the device covers
device_blocks() {
	_res=$(( $(cat $daxdir/resource) ))
	_i=$(( (_res + bsize - 1) / bsize ))
	while [ $(( (_i + 1) * bsize )) -le $((_res + size)) ]; do
		echo $_i
		_i=$((_i + 1))
	done
}
# zones_of: "state/zone" of every block of the device, one line each
zones_of() {
	for _i in $(device_blocks); do echo "memory$_i $(blk_state $_i)/$(cat $sysmem/memory$_i/valid_zones 2>/dev/null)"; done
}
# check_as_planned TAG: every planned block online in its planned zone, the
# memmap on the device (node MemTotal = usable_bytes), kmem with the knob on
check_as_planned() {
	expect_planned_zones /tmp/plan.json "$1"
	expect_eq "$(driver $dev)" kmem "$dev driver ($1)"
	expect_eq "$(cat $daxdir/memmap_on_memory)" 1 "$dev memmap_on_memory ($1)"
	expect_eq "$(( $(node_kb "$node" MemTotal) * 1024 ))" "$usable" "node $node MemTotal (bytes) = plan usable_bytes: the memmap is on the device ($1)"
	expect_eq "$(kmem_bytes $dev)" "$((nblocks * bsize))" "System RAM (kmem) below $dev in /proc/iomem ($1)"
	expect_eq "$(cat $sysmem/auto_online_blocks)" online "auto_online_blocks unchanged ($1)"
	[ ! -e /run/mhp/journal ] || mhp_fail "a journal was left behind ($1)"
	rc=0
	mhp_cxlmem status $dev >/tmp/st.json || rc=$?
	expect_eq "$rc" 0 "status exit status, no drift ($1)"
	check /tmp/st.json ".driver == \"kmem\" and .blocks_online == $nblocks and (.drift | length) == 0 and .memmap_location == \"device\" and .movable_bytes == $((nblocks * bsize))" "status: kmem, all online movable, memmap on the device, no drift ($1)"
}

trap '[ $? = 0 ] || { rm -f /tmp/n*/data; umount /tmp/n* ; mhp_cxlmem recover; mhp_cxlmem offline-region $dev; } >/dev/null 2>&1' EXIT
[ -e $daxdir ] || mhp_fail "$dev is missing"
[ -e $daxdir/memmap_on_memory ] || mhp_skip "the kernel has no dax memmap_on_memory attribute (older than 6.8): not the kernel this scenario is for"
node=$(cat $daxdir/target_node)
bsize=$(( $(sed 's/^/0x/' $sysmem/block_size_bytes) ))
size=$(cat $daxdir/size)
knob0=$(cat $daxdir/memmap_on_memory)
case "$MHP_TOPOLOGY" in
hmem) want_knob=0 ;;	# hmem's dax device: memmap_on_memory off
cxl-ram) want_knob=1 ;;	# dax_cxl turns it on
*) mhp_fail "convert-kernel-onlined.sh is for the hmem and cxl-ram topologies, not $MHP_TOPOLOGY" ;;
esac

# ---- the kernel's own result
expect_eq "$(cat $sysmem/auto_online_blocks)" online "auto_online_blocks (Debian's CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE=y)"
expect_eq "$(driver $dev)" kmem "$dev driver at boot (kmem is the default since 6.3)"
expect_eq "$knob0" "$want_knob" "$dev memmap_on_memory as the kernel set it ($MHP_TOPOLOGY)"
zones_of >/tmp/kzones
nblk=$(wc -l </tmp/kzones)
[ "$nblk" -gt 0 ] || mhp_fail "$dev covers no whole memory block"
expect_eq "$(grep -vc ' online/Normal$' /tmp/kzones || true)" 0 "blocks of $dev not online in ZONE_NORMAL (of $nblk) at boot"
memmap_bytes=$((size / 4096 * 64))
if [ "$knob0" = 0 ]; then
	expect_eq "$(( $(node_kb "$node" MemTotal) * 1024 ))" "$size" "node $node MemTotal at boot: the whole device (the memmap is in DRAM)"
else
	expect_eq "$(( $(node_kb "$node" MemTotal) * 1024 ))" "$((size - memmap_bytes))" "node $node MemTotal at boot: the device less its memmap (on the device)"
fi

# ---- list and plan see it
mhp_cxlmem list >/tmp/list.json || mhp_fail "cxlmem list failed"
cp /tmp/list.json "$out/convert-$MHP_TOPOLOGY-list-at-boot.json" 2>/dev/null || true
check /tmp/list.json ".platform.auto_online_blocks == \"online\" and .platform.dax_memmap_on_memory_knob == true" "list: platform auto-online, dax knob"
check /tmp/list.json ".dax_devices[] | select(.name == \"$dev\") | .driver == \"kmem\" and .target_node == $node and .persistent == false and .blocks.online == $nblk and .blocks.normal == $nblk and .blocks.movable == 0" "list: $dev on kmem, $nblk blocks online normal"
if [ "$MHP_TOPOLOGY" = cxl-ram ]; then
	check /tmp/list.json "[.cxl_regions[] | select(.mode == \"ram\" and (.dax_devices | index(\"$dev\")) != null)] | length == 1" "list: a CXL RAM region holding $dev"
	check /tmp/list.json ".dax_devices[] | select(.name == \"$dev\") | .provenance == \"cxl-region\"" "list: $dev comes from a CXL region"
else
	check /tmp/list.json ".dax_devices[] | select(.name == \"$dev\") | .provenance == \"hmem\"" "list: $dev comes from hmem"
fi
mhp_cxlmem plan $dev >/tmp/plan.json || mhp_fail "cxlmem plan $dev failed"
cp /tmp/plan.json "$out/convert-$MHP_TOPOLOGY-plan.json" 2>/dev/null || true
check /tmp/plan.json ".num_blocks == $nblk and .memmap_location == \"device\" and .dram_overhead_bytes == 0 and ([.blocks[] | select(.zone != \"movable\")] | length) == 0" "plan: $nblk blocks movable, memmap on the device, no DRAM cost"
nblocks=$(jq .num_blocks /tmp/plan.json)
usable=$(jq .usable_bytes /tmp/plan.json)
expect_eq "$usable" "$((size - memmap_bytes))" "plan usable_bytes: the device less its memmap"
# The DRAM that pays a memmap kept in DRAM: the first node with CPUs (node
# 0). Not the plan's source.dram_node, which names node 1 while the kernel's
# blocks are online there; once converting unbinds kmem node 1 has no memory
# and a DRAM memmap would come from node 0.
dram=$(sed 's/[,-].*//' /sys/devices/system/node/has_cpu)

# ---- convert in place
# 64 MiB of tmpfs bound to the device's node, in use while converting: the
# kernel must migrate every page of it off each block it offlines, so the
# migrated figure has a floor, and the data must survive
mkdir -p /tmp/n$node
mount -t tmpfs -o size=80m,mpol=bind:$node none /tmp/n$node || mhp_fail "cannot mount a tmpfs bound to node $node"
shmem0=$(node_kb "$node" Shmem)
dd if=/dev/urandom of=/tmp/n$node/data bs=1M count=64 2>/dev/null || mhp_fail "cannot write 64 MiB to the tmpfs bound to node $node"
sum0=$(md5sum </tmp/n$node/data)
shmem1=$(node_kb "$node" Shmem)
[ $((shmem1 - shmem0)) -ge 65536 ] || mhp_fail "the 64 MiB tmpfs file is not on node $node (its Shmem grew by $((shmem1 - shmem0)) kB)"
ok "64 MiB of tmpfs data on node $node (Shmem +$((shmem1 - shmem0)) kB), MemUsed $(node_kb "$node" MemUsed) kB before converting"
free0_0=$(mhp_node_free_kb "$dram")
rc=0
mhp_cxlmem online-region $dev >/tmp/conv.json 2>/tmp/conv.err || rc=$?
cat /tmp/conv.err
cp /tmp/conv.json "$out/convert-$MHP_TOPOLOGY-online.json" 2>/dev/null || true
jq . /tmp/conv.json || true
expect_eq "$rc" 0 "online-region of the kernel-onlined $dev: exit status"
check /tmp/conv.json '.result == "online" and (.failed_blocks | length) == 0' "online-region: online, no failed block"
check_as_planned converted
# what the kernel migrated, from its own evidence, on whichever path the
# conversion took (hmem rebinds with the other knob; cxl-ram keeps kmem
# bound and only changes the zones)
mig=$(grep -o 'the kernel migrated .*' /tmp/conv.err | tail -n 1)
[ -n "$mig" ] || mhp_fail "online-region did not say what the kernel migrated: $(cat /tmp/conv.err)"
mig_bytes=$(echo "$mig" | sed -n 's/^the kernel migrated [^(]*(\([0-9][0-9]*\) bytes, .*/\1/p')
case "$mig_bytes" in
''|*[!0-9]*) mhp_fail "the migrated figure is not a number: '$mig'" ;;
esac
ok "the report gives the migrated bytes from the kernel's evidence: $mig"
mhp_log "migrated: $mig_bytes bytes ($mig)"
# every page of the file sat on a block that went offline
[ "$mig_bytes" -ge $((64 << 20)) ] ||
	mhp_fail "the kernel migrated $mig_bytes bytes, but the 64 MiB tmpfs file on node $node had to move"
ok "migrated bytes cover the 64 MiB tmpfs file ($mig_bytes >= $((64 << 20)))"
expect_eq "$(md5sum </tmp/n$node/data)" "$sum0" "the tmpfs data after the conversion"
rm /tmp/n$node/data
umount /tmp/n$node
free0_1=$(mhp_node_free_kb "$dram")
saved_kb=$((free0_1 - free0_0))
mhp_log "DRAM: node $dram free memory changed by $saved_kb kB with the conversion (memmap of the device: $((memmap_bytes / 1024)) kB, $( [ "$knob0" = 0 ] && echo "was in DRAM" || echo "was on the device already"))"
if [ "$knob0" = 0 ]; then
	# the kernel's memmap (1/64 of the device) went back to node 0
	[ $((saved_kb * 1024)) -ge $((memmap_bytes * 3 / 4)) ] ||
		mhp_fail "node $dram got only $saved_kb kB back, but the kernel's memmap in DRAM was $((memmap_bytes / 1024)) kB"
	ok "node $dram got the DRAM memmap back ($saved_kb kB of $((memmap_bytes / 1024)) kB)"
else
	[ $((saved_kb * 1024)) -gt $((-memmap_bytes / 4)) ] ||
		mhp_fail "node $dram lost $((-saved_kb)) kB in the conversion, though the memmap was on the device before and after"
	ok "node $dram paid no memmap in the conversion ($saved_kb kB)"
fi
mhp_memtouch "$node" 64

# ---- back to devdax
rc=0
mhp_cxlmem offline-region $dev --to devdax >/tmp/off.json 2>/tmp/off.err || rc=$?
cat /tmp/off.err
cp /tmp/off.json "$out/convert-$MHP_TOPOLOGY-offline.json" 2>/dev/null || true
expect_eq "$rc" 0 "offline-region --to devdax exit status"
check /tmp/off.json ".result == \"devdax\" and .blocks_offlined == $nblocks and (.failed_blocks | length) == 0" "offline-region: devdax, $nblocks blocks offlined"
expect_eq "$(driver $dev)" device_dax "$dev driver after offline-region --to devdax"
[ -c /dev/$dev ] || mhp_fail "/dev/$dev is missing after offline-region --to devdax"
ok "/dev/$dev is there"
expect_eq "$(zones_of | grep -c ' online/' || true)" 0 "blocks of $dev online after offline-region"
expect_eq "$(mhp_kmem_ranges)" 0 "'System RAM (kmem)' entries left"
expect_eq "$(cat $sysmem/auto_online_blocks)" online "auto_online_blocks unchanged by offline-region"

# ---- online again: the same state
rc=0
mhp_cxlmem online-region $dev >/tmp/on2.json 2>/tmp/on2.err || rc=$?
cat /tmp/on2.err
expect_eq "$rc" 0 "online-region from devdax: exit status"
check /tmp/on2.json '.result == "online"' "online-region from devdax: online"
check_as_planned "online again"

# ---- leave it on device_dax for the next scenario
rc=0
mhp_cxlmem offline-region $dev >/tmp/off2.json 2>/tmp/off2.err || rc=$?
cat /tmp/off2.err
expect_eq "$rc" 0 "final offline-region exit status"
expect_eq "$(driver $dev)" device_dax "$dev driver at the end"
mhp_log "PASS: kernel's $nblk ZONE_NORMAL blocks (memmap_on_memory=$knob0) converted to $nblocks movable, MemTotal $((usable >> 10)) kB, DRAM back $saved_kb kB"
