# Fault injection: an offline that cannot complete (topology hmem).
# dax0.0 is onlined in ZONE_NORMAL, then a task confined by a cpuset to the
# device's node (cpuset.mems = node 1) makes unmovable kernel allocations
# there (process page tables and kernel stacks, dentry/inode slab of 3000
# tmpfs files). offline-region must then exit 2 ("partial") with
# failed_blocks naming each pinned block and why, keep kmem bound (the range
# stays "System RAM (kmem)" below dax0.0: nothing leaked), and offline every
# other block. `status` reports the drift (exit 3), and online-region puts the
# device back to its plan.
# Skips (77) on kernels without the cgroup v1 cpuset controller (CONFIG_CPUSETS).
# MUST RUN LAST in its VM: the pinned block cannot be offlined until reboot,
# so dax0.0 stays bound to kmem, online in ZONE_NORMAL.
. "$MHP_VM_LIB"
dev=dax0.0
out=${MHP_HOST_DIR:-/tmp}
sysmem=/sys/devices/system/memory


[ "$(driver $dev)" = device_dax ] || mhp_fail "$dev should start bound to device_dax, is $(driver $dev)"
node=$(cat /sys/bus/dax/devices/$dev/target_node)
auto0=$(cat $sysmem/auto_online_blocks)

mhp_cxlmem plan $dev --zone normal >/tmp/plan.json || mhp_fail "cxlmem plan failed"
n=$(jq .num_blocks /tmp/plan.json)
bsize=$(jq .block_size /tmp/plan.json)
rc=0
mhp_cxlmem online-region $dev --zone normal >/tmp/on.json 2>/tmp/on.err || rc=$?
cat /tmp/on.err
expect_eq "$rc" 0 "online-region --zone normal exit status"
for i in $(jq -r '.blocks[].index' /tmp/plan.json); do
	[ "$(blk_state $i)/$(cat $sysmem/memory$i/valid_zones)" = online/Normal ] || mhp_fail "memory$i is not online/Normal"
done
ok "all $n blocks online in ZONE_NORMAL"

# ---- pin: unmovable kernel allocations on node $node from a cpuset-confined task
cg=/tmp/cpuset
mkdir -p $cg
mount -t cgroup -o cpuset cpuset $cg || mhp_skip "cannot mount the cgroup v1 cpuset controller"
mkdir -p $cg/pin
cat $cg/cpuset.cpus >$cg/pin/cpuset.cpus
echo "$node" >$cg/pin/cpuset.mems
mkdir -p /tmp/pinfs
mount -t tmpfs pinfs /tmp/pinfs
before=$(( $(node_kb $node Slab) + $(node_kb $node KernelStack) + $(node_kb $node PageTables) ))
sh -c '
	echo $$ >'$cg'/pin/tasks
	i=0; while [ $i -lt 20 ]; do sleep 100000 & i=$((i + 1)); done
	mkdir /tmp/pinfs/d
	i=0; while [ $i -lt 3000 ]; do : >/tmp/pinfs/d/f$i; i=$((i + 1)); done
'
grep -E "MemUsed|KernelStack|PageTables|Slab" /sys/devices/system/node/node$node/meminfo
pinned=$(( $(node_kb $node Slab) + $(node_kb $node KernelStack) + $(node_kb $node PageTables) - before ))
[ "$pinned" -gt 0 ] || mhp_fail "no kernel memory landed on node $node (Slab+KernelStack+PageTables grew by $pinned kB); cannot provoke an offline failure"
ok "node $node holds $pinned kB more unmovable kernel memory (slab, stacks, page tables)"

# ---- offline must fail part way, safely
rc=0
mhp_cxlmem offline-region $dev --retries 3 --timeout 30 >/tmp/off.json 2>/tmp/off.err || rc=$?
cat /tmp/off.err
cp /tmp/off.json "$out/fault-offline.json" 2>/dev/null || true
expect_eq "$rc" 2 "offline-region exit status (partial)"
check /tmp/off.json '.result == "partial" and (.failed_blocks | length) >= 1' "result partial with failed_blocks"
check /tmp/off.json ".blocks_offlined + (.failed_blocks | length) == $n" "offlined + failed = $n blocks"
check /tmp/off.json 'all(.failed_blocks[]; (.block | type) == "number" and .zone == "normal" and .error == "Device or resource busy" and (.block as $b | .reason | test("block \($b) stays online")))' "each failed block has its zone, EBUSY and a reason"
check /tmp/off.json '.error | test("kmem stays bound")' "the error says kmem stays bound"
failed=$(jq -r '[.failed_blocks[].block] | join(" ")' /tmp/off.json)
mhp_log "pinned blocks: $failed; $(jq .blocks_offlined /tmp/off.json) offlined"
for i in $(jq -r '.blocks[].index' /tmp/plan.json); do
	case " $failed " in
	*" $i "*) expect_eq "$(blk_state $i)" online "memory$i (listed as failed) state" ;;
	*) expect_eq "$(blk_state $i)" offline "memory$i (offlined) state" ;;
	esac
done
expect_eq "$(driver $dev)" kmem "$dev driver after the partial offline (kmem must stay bound)"
expect_eq "$(kmem_bytes $dev)" "$((n * bsize))" "System RAM (kmem) below $dev (bytes; the range is still owned, not leaked)"
expect_eq "$(cat $sysmem/auto_online_blocks)" "$auto0" "auto_online_blocks unchanged"

rc=0
mhp_cxlmem status $dev >/tmp/st.json || rc=$?
expect_eq "$rc" 3 "status exit status (drift)"
check /tmp/st.json ".driver == \"kmem\" and (.drift | length) == $(jq .blocks_offlined /tmp/off.json) and all(.drift[]; .state == \"offline\" and .planned == \"normal\")" "status lists the offlined blocks as drift"

# ---- online-region puts the device back to its plan
rc=0
mhp_cxlmem online-region $dev --zone normal >/tmp/on2.json 2>/tmp/on2.err || rc=$?
cat /tmp/on2.err
cp /tmp/on2.json "$out/fault-offline-reonline.json" 2>/dev/null || true
expect_eq "$rc" 0 "online-region after the partial offline: exit status"
check /tmp/on2.json '.result == "online" and (.failed_blocks | length) == 0' "online-region completes the plan again"
for i in $(jq -r '.blocks[].index' /tmp/plan.json); do
	[ "$(blk_state $i)/$(cat $sysmem/memory$i/valid_zones)" = online/Normal ] || mhp_fail "memory$i is not online/Normal after re-online"
done
rc=0
mhp_cxlmem status $dev >/dev/null || rc=$?
expect_eq "$rc" 0 "status after re-online (no drift)"
mhp_log "dax0.0 stays online in ZONE_NORMAL (pinned); this scenario must be the last of its VM"
