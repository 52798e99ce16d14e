# Auto-online arbitration (topology hmem). With auto_online_blocks=online_kernel:
#  1. `online-region --no-arbitrate` refuses (exit 1) and changes nothing;
#  2. with a udev-like agent in the background (writes `online` to every
#     offline block's state every 10 ms; a plain `online` picks ZONE_NORMAL on
#     a CPU-less node), online-region still ends with every block in its planned
#     zone (ZONE_MOVABLE), auto_online_blocks is restored to online_kernel, and
#     every block the agent onlined is listed in blocks_fixed or
#     blocks_onlined_by_other_agents.
#  3. deterministic variant: kmem bound by hand, so the kernel's online_kernel
#     policy onlines every block in ZONE_NORMAL; online-region must re-online
#     all of them as planned and list them all in blocks_fixed.
# Then restore auto_online_blocks and offline back to devdax.
. "$MHP_VM_LIB"
dev=dax0.0
out=${MHP_HOST_DIR:-/tmp}
sysmem=/sys/devices/system/memory

present_blocks() { ls -d $sysmem/memory* | wc -l; }

[ "$(driver $dev)" = device_dax ] || mhp_fail "$dev should start bound to device_dax, is $(driver $dev)"
auto0=$(cat $sysmem/auto_online_blocks)
restore() { echo "$auto0" >$sysmem/auto_online_blocks 2>/dev/null || true; }
# on failure, restore the policy and try to leave dax0.0 in devdax
trap 'rc=$?; restore; [ $rc = 0 ] || { mhp_cxlmem recover; mhp_cxlmem offline-region $dev; } >/dev/null 2>&1' EXIT
mhp_cxlmem plan $dev >/tmp/plan.json || mhp_fail "cxlmem plan failed"
nblocks=$(jq .num_blocks /tmp/plan.json)

echo online_kernel >$sysmem/auto_online_blocks

# ---- 1. --no-arbitrate refuses, nothing changes
nb0=$(present_blocks)
rc=0
mhp_cxlmem online-region $dev --no-arbitrate >/tmp/na.json 2>/tmp/na.err || rc=$?
cat /tmp/na.err
cp /tmp/na.json "$out/arbitration-no-arbitrate.json" 2>/dev/null || true
expect_eq "$rc" 1 "online-region --no-arbitrate exit status"
check /tmp/na.json '.result == "failed" and (.error | test("no-arbitrate")) and (.steps | length) == 0' "refused before any step, saying why"
check /tmp/na.json '[.warnings[] | select(test("auto_online_blocks=online_kernel"))] | length == 1' "the kernel auto-online agent is named"
expect_eq "$(driver $dev)" device_dax "driver unchanged after the refusal"
expect_eq "$(present_blocks)" "$nb0" "memory blocks unchanged after the refusal"
expect_eq "$(cat $sysmem/auto_online_blocks)" online_kernel "auto_online_blocks untouched by the refusal"
[ ! -e /run/mhp/journal ] || mhp_fail "the refusal left a journal"

# ---- 2. arbitrate against the kernel policy and a racing agent
: >/tmp/agent.log
agent() {
	while :; do
		for s in $sysmem/memory*/state; do
			read -r st <"$s" 2>/dev/null || continue
			if [ "$st" = offline ] && echo online >"$s" 2>/dev/null; then
				b=${s%/state}
				echo "${b##*/memory}" >>/tmp/agent.log
			fi
		done
		usleep 10000
	done
}
agent &
apid=$!
rc=0
mhp_cxlmem online-region $dev >/tmp/arb.json 2>/tmp/arb.err || rc=$?
kill $apid
wait $apid 2>/dev/null || true
cat /tmp/arb.err
cp /tmp/arb.json "$out/arbitration-online.json" 2>/dev/null || true
agent_blocks=$(sort -un /tmp/agent.log | tr '\n' ' ')
mhp_log "the agent onlined (successful writes, in order): $(tr '\n' ' ' </tmp/agent.log)"
mhp_log "cxlmem: fixed $(jq -c .blocks_fixed /tmp/arb.json), foreign $(jq -c .blocks_onlined_by_other_agents /tmp/arb.json)"
expect_eq "$rc" 0 "online-region exit status under arbitration"
check /tmp/arb.json '.result == "online" and (.failed_blocks | length) == 0' "online-region result online"
check /tmp/arb.json '.steps | index("setting auto_online_blocks=offline (was online_kernel) while binding") != null' "step: auto_online_blocks set to offline while binding"
check /tmp/arb.json '.steps | index("restoring auto_online_blocks=online_kernel") != null' "step: auto_online_blocks restored"
expect_eq "$(cat $sysmem/auto_online_blocks)" online_kernel "auto_online_blocks restored"
jq -r '.blocks[] | "\(.index) \(.zone)"' /tmp/plan.json >/tmp/planned
while read -r idx zone; do
	want=Movable; [ "$zone" = normal ] && want=Normal
	st=$(cat $sysmem/memory$idx/state) vz=$(cat $sysmem/memory$idx/valid_zones)
	[ "$st" = online ] && [ "$vz" = "$want" ] || mhp_fail "memory$idx is $st/$vz, planned online/$want (the agent won)"
done </tmp/planned
ok "all $nblocks blocks online in their planned zone despite the agent"
for b in $agent_blocks; do
	jq -e --argjson b "$b" '(.blocks_fixed + .blocks_onlined_by_other_agents) | index($b) != null' /tmp/arb.json >/dev/null ||
		mhp_fail "the agent onlined memory$b, but the JSON lists it neither as fixed nor as onlined by another agent"
done
ok "every block the agent onlined ($agent_blocks) is listed as fixed or foreign"
check /tmp/arb.json "(.blocks_fixed | unique | length) == (.blocks_fixed | length)" "no duplicates in blocks_fixed"
[ -n "$agent_blocks" ] || mhp_log "note: the agent did not win any race this time"

rc=0
mhp_cxlmem status $dev >/tmp/st.json || rc=$?
expect_eq "$rc" 0 "status after arbitration (no drift)"

rc=0
mhp_cxlmem offline-region $dev >/tmp/off.json 2>/tmp/off.err || rc=$?
cat /tmp/off.err
expect_eq "$rc" 0 "offline-region exit status"
expect_eq "$(driver $dev)" device_dax "$dev driver after offline"
expect_eq "$(cat $sysmem/auto_online_blocks)" online_kernel "auto_online_blocks still online_kernel after offline-region"

# ---- 3. deterministic: kmem bound by hand, the kernel (online_kernel) onlined
# every block in ZONE_NORMAL before cxlmem runs: all of them must be fixed
echo $dev >/sys/bus/dax/drivers/device_dax/unbind
echo $dev >/sys/bus/dax/drivers/kmem/new_id 2>/dev/null || echo $dev >/sys/bus/dax/drivers/kmem/bind
expect_eq "$(driver $dev)" kmem "$dev bound to kmem by hand"
while read -r idx zone; do
	[ "$(cat $sysmem/memory$idx/state)/$(cat $sysmem/memory$idx/valid_zones)" = online/Normal ] ||
		mhp_fail "auto_online_blocks=online_kernel left memory$idx $(cat $sysmem/memory$idx/state)/$(cat $sysmem/memory$idx/valid_zones)"
done </tmp/planned
ok "the kernel onlined all $nblocks blocks in ZONE_NORMAL"
rc=0
mhp_cxlmem online-region $dev >/tmp/fix.json 2>/tmp/fix.err || rc=$?
cat /tmp/fix.err
cp /tmp/fix.json "$out/arbitration-fix-kernel-onlined.json" 2>/dev/null || true
expect_eq "$rc" 0 "online-region over kernel-onlined blocks: exit status"
check /tmp/fix.json ".result == \"online\" and (.blocks_fixed | sort) == ([$(jq -r '[.blocks[].index] | join(",")' /tmp/plan.json)] | sort) and (.blocks_onlined_by_other_agents | length) == 0" "every block listed in blocks_fixed"
while read -r idx zone; do
	want=Movable; [ "$zone" = normal ] && want=Normal
	[ "$(cat $sysmem/memory$idx/state)/$(cat $sysmem/memory$idx/valid_zones)" = "online/$want" ] ||
		mhp_fail "memory$idx not fixed: $(cat $sysmem/memory$idx/state)/$(cat $sysmem/memory$idx/valid_zones), planned online/$want"
done </tmp/planned
ok "all $nblocks blocks re-onlined in their planned zone"
expect_eq "$(cat $sysmem/auto_online_blocks)" online_kernel "auto_online_blocks untouched (kmem was already bound)"

# ---- cleanup: policy restored, back to devdax
restore
rc=0
mhp_cxlmem offline-region $dev >/tmp/off.json 2>/tmp/off.err || rc=$?
cat /tmp/off.err
expect_eq "$rc" 0 "final offline-region exit status"
expect_eq "$(driver $dev)" device_dax "$dev driver at the end"
expect_eq "$(cat $sysmem/auto_online_blocks)" "$auto0" "auto_online_blocks back to $auto0"
