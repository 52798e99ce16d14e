# Fault injection: SIGKILL cxlmem in the middle of online-region (topology
# hmem; uses the largest volatile dax device, e.g. the 2 GiB dax1.0 that
# tests/vm/meson.build adds with --qemu-arg, else dax0.0).
# auto_online_blocks is set to online_movable first, so cxlmem has a kernel
# policy to park (offline) and restore.
#  round 1: kill -9 as soon as the first block is online; while the journal is
#    pending every other cxlmem command warns about it and online/offline
#    refuse; `cxlmem recover` then leaves the device either fully online as
#    planned or fully back to devdax, with auto_online_blocks restored and the
#    journal gone.
#  round 2: kill -9 half way, then `online-region --recover` recovers and
#    completes: every block online as planned.
# Ends with the device back in devdax and auto_online_blocks as found.
. "$MHP_VM_LIB"
out=${MHP_HOST_DIR:-/tmp}
sysmem=/sys/devices/system/memory
state_dir=/run/mhp

range_online() {
	_n=0
	for _i in $(jq -r '.blocks[].index' /tmp/plan.json); do
		[ "$(blk_state $_i)" = online ] && _n=$((_n + 1))
	done
	echo $_n
}
kmem_lines() { grep -c 'System RAM (kmem)' /proc/iomem || true; }

mhp_cxlmem list >/tmp/list.json || mhp_fail "cxlmem list failed"
dev=$(jq -r '[.dax_devices[] | select(.persistent == false and .driver == "device_dax" and .target_node != null)] | max_by(.size) | .name // empty' /tmp/list.json)
[ -n "$dev" ] || mhp_fail "no volatile dax device bound to device_dax"
mhp_cxlmem plan $dev >/tmp/plan.json || mhp_fail "cxlmem plan $dev failed"
n=$(jq .num_blocks /tmp/plan.json)
first=$(jq '.blocks[0].index' /tmp/plan.json)
mid=$(jq ".blocks[$((n / 2))].index" /tmp/plan.json)
mhp_log "device $dev: $n blocks from memory$first, $(( $(jq .usable_bytes /tmp/plan.json) >> 20 )) MiB"
[ "$n" -ge 2 ] || mhp_fail "$dev has $n block(s); the kill test needs at least 2"

auto0=$(cat $sysmem/auto_online_blocks)
# always restore the policy; on failure also try to leave the device in devdax
trap 'rc=$?; echo "$auto0" >$sysmem/auto_online_blocks 2>/dev/null
	[ $rc = 0 ] || { mhp_cxlmem recover; mhp_cxlmem offline-region $dev; } >/dev/null 2>&1' EXIT
echo online_movable >$sysmem/auto_online_blocks

# kill_once IDX: start online-region and SIGKILL it as soon as memoryIDX is
# online. Both run on CPU 0, the poller at nice -20 sleeping 1 ms between
# polls and cxlmem at nice 19, so the poller runs the moment it wakes up and
# cxlmem gets at most a block further. Returns 1 if cxlmem still won the race.
kill_once() {
	taskset 1 /bin/cxlmem online-region $dev >/tmp/killed.json 2>/tmp/killed.err &
	_pid=$!
	renice -n 19 -p $_pid >/dev/null
	_polls=0
	while kill -0 $_pid 2>/dev/null; do
		if [ -e $sysmem/memory$1/state ]; then
			read -r _st <$sysmem/memory$1/state
			[ "$_st" = online ] && break
		fi
		_polls=$((_polls + 1))
		usleep 1000
	done
	kill -9 $_pid 2>/dev/null || true
	_rc=0
	wait $_pid || _rc=$?
	cat /tmp/killed.err
	k=$(range_online)
	mhp_log "killed cxlmem (status $_rc) after memory$1 went online ($_polls polls): $k of $n blocks online"
	[ "$_rc" = 137 ] && [ "$k" -ge 1 ] && [ "$k" -lt "$n" ]
}
# kill_when_online IDX: kill_once, retried (after a recovery) if cxlmem won
kill_when_online() {
	taskset -p 1 $$ >/dev/null
	renice -n -20 -p $$ >/dev/null
	_try=1
	until kill_once "$1"; do
		[ $_try -lt 3 ] || mhp_fail "could not kill cxlmem in the middle of online-region in 3 tries"
		mhp_log "cxlmem got too far before the kill; recovering and trying again"
		mhp_cxlmem recover >/dev/null 2>&1 || true
		mhp_cxlmem offline-region $dev >/dev/null 2>&1 || true
		echo online_movable >$sysmem/auto_online_blocks
		_try=$((_try + 1))
	done
	renice -n 0 -p $$ >/dev/null
	taskset -p 3 $$ >/dev/null
	ok "SIGKILL left a partial state ($k/$n online)"
}

# pending_checks: a journal is pending, every command says so, writes refuse
pending_checks() {
	[ -s $state_dir/journal ] || mhp_fail "no journal in $state_dir after the kill"
	grep -q "^device $dev\$" $state_dir/journal || mhp_fail "the journal does not name $dev"
	ok "journal pending: $(tr '\n' ';' <$state_dir/journal)"
	expect_eq "$(cat $sysmem/auto_online_blocks)" offline "auto_online_blocks parked by the killed run"
	snap=$(for i in $(jq -r '.blocks[].index' /tmp/plan.json); do blk_state $i; done | md5sum)
	for c in "status $dev" "list" "plan $dev"; do
		mhp_cxlmem $c >/dev/null 2>/tmp/warn.err || true
		case "$c" in
		plan*) ;;	# plan is read-only and exempt from the warning
		*) grep -q "interrupted run left a journal for $dev" /tmp/warn.err ||
			mhp_fail "'cxlmem $c' did not warn about the pending journal: $(cat /tmp/warn.err)"
		   ok "'cxlmem $c' warns about the pending journal" ;;
		esac
	done
	rc=0
	mhp_cxlmem online-region $dev >/tmp/refused.json 2>/tmp/refused.err || rc=$?
	expect_eq "$rc" 1 "online-region with a pending journal: exit status"
	grep -q "recover" /tmp/refused.err || mhp_fail "online-region did not point to recover: $(cat /tmp/refused.err)"
	rc=0
	mhp_cxlmem offline-region $dev >/dev/null 2>/tmp/refused.err || rc=$?
	expect_eq "$rc" 1 "offline-region with a pending journal: exit status"
	expect_eq "$(for i in $(jq -r '.blocks[].index' /tmp/plan.json); do blk_state $i; done | md5sum)" "$snap" "the refused commands changed no block"
}

# consistent WHEN: the device is either fully devdax or fully online as planned
consistent() {
	[ ! -e $state_dir/journal ] || mhp_fail "journal still there after $1"
	[ ! -e $state_dir/journal-plan.json ] || mhp_fail "journal-plan.json still there after $1"
	ok "journal gone after $1"
	expect_eq "$(cat $sysmem/auto_online_blocks)" online_movable "auto_online_blocks restored after $1"
	case "$(driver $dev)" in
	device_dax)
		expect_eq "$(range_online)" 0 "online blocks after $1 (rolled back to devdax)"
		expect_eq "$(kmem_lines)" 0 "'System RAM (kmem)' entries after $1"
		outcome=devdax ;;
	kmem)
		jq -r '.blocks[] | "\(.index) \(.zone)"' /tmp/plan.json >/tmp/planned
		while read -r idx zone; do
			want=Movable; [ "$zone" = normal ] && want=Normal
			[ "$(blk_state $idx)" = online ] && [ "$(cat $sysmem/memory$idx/valid_zones)" = "$want" ] ||
				mhp_fail "after $1, kmem is bound but memory$idx is $(blk_state $idx)/$(cat $sysmem/memory$idx/valid_zones), planned online/$want"
		done </tmp/planned
		outcome=online ;;
	*) mhp_fail "after $1, $dev is bound to '$(driver $dev)'" ;;
	esac
	ok "after $1 the device is consistent: $outcome"
	mhp_cxlmem status $dev >/dev/null 2>/tmp/warn.err || true
	! grep -q "interrupted run" /tmp/warn.err || mhp_fail "still warning about a journal after $1"
}

# ---- round 1: kill after the first block, cxlmem recover
kill_when_online "$first"
pending_checks
rc=0
mhp_cxlmem recover >/tmp/recover.out 2>/tmp/recover.err || rc=$?
cat /tmp/recover.err
expect_eq "$rc" 0 "recover exit status"
grep -q "recovered" /tmp/recover.err || mhp_fail "recover did not say 'recovered'"
consistent "cxlmem recover"
mhp_log "round 1 outcome: $outcome"
rc=0
mhp_cxlmem recover 2>/tmp/recover2.err || rc=$?
expect_eq "$rc" 0 "a second recover (nothing to do): exit status"
grep -q "no interrupted run" /tmp/recover2.err || mhp_fail "second recover: $(cat /tmp/recover2.err)"
if [ "$outcome" = online ]; then
	mhp_cxlmem offline-region $dev >/dev/null || mhp_fail "offline-region after round 1 failed"
fi

# ---- round 2: kill half way, online-region --recover completes
kill_when_online "$mid"
pending_checks
rc=0
mhp_cxlmem online-region $dev --recover >/tmp/onrec.json 2>/tmp/onrec.err || rc=$?
cat /tmp/onrec.err
cp /tmp/onrec.json "$out/fault-kill-online-recover.json" 2>/dev/null || true
expect_eq "$rc" 0 "online-region --recover exit status"
check /tmp/onrec.json '.result == "online" and (.failed_blocks | length) == 0' "online-region --recover: online"
consistent "online-region --recover"
expect_eq "$outcome" online "outcome of online-region --recover"

# ---- back to devdax, policy as found
echo "$auto0" >$sysmem/auto_online_blocks
rc=0
mhp_cxlmem offline-region $dev >/dev/null 2>/tmp/off.err || rc=$?
cat /tmp/off.err
expect_eq "$rc" 0 "final offline-region exit status"
expect_eq "$(driver $dev)" device_dax "$dev driver at the end"
