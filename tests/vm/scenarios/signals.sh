# Signals in the middle of online-region (topology hmem; uses the largest
# volatile dax device on device_dax, e.g. the 2 GiB dax1.0 that
# tests/vm/meson.build adds with --node2-gib 2, else dax0.0).
# auto_online_blocks is set to online_movable first (unless the kernel's
# policy already onlines), so cxlmem has a policy to park and restore.
#  SIGTERM, SIGINT, SIGHUP: sent while the run is onlining, once a quarter
#    of the blocks are online (checked in sysfs before the signal, so the
#    round cannot pass without a partial state). cxlmem must finish the
#    block, roll back and exit 1 (README: "exits 1 with a message"); its
#    last stderr line names the signal, the device's line says it rolled
#    back; the device is on device_dax with no block left, the policy as
#    found, no journal (status does not warn), and the next online-region
#    works.
#  `cxlmem online-region DEV 2>&1 | head -n4`: SIGPIPE is ignored
#    (README), so the reader going away while the run is half way (kmem
#    bound, not every block online) must not kill it: the run completes,
#    exit 0, every block online as planned, the policy restored.
# Ends with the device back on device_dax and auto_online_blocks as found.
. "$MHP_VM_LIB"
state_dir=/run/mhp

mhp_cxlmem list >/tmp/list.json || mhp_fail "cxlmem list failed"
dev=$(jq -r '[.dax_devices[] | select(.persistent == false and .driver == "device_dax" and .target_node != null)] | max_by(.size) | .name // empty' /tmp/list.json)
[ -n "$dev" ] || mhp_fail "no volatile dax device bound to device_dax"
mhp_cxlmem plan $dev >/tmp/plan.json || mhp_fail "cxlmem plan $dev failed"
n=$(jq .num_blocks /tmp/plan.json)
[ "$n" -ge 4 ] || mhp_fail "$dev has $n block(s); the signal test needs at least 4"
quarter=$(jq ".blocks[$((n / 4))].index" /tmp/plan.json)
mhp_log "device $dev: $n blocks from memory$(jq '.blocks[0].index' /tmp/plan.json), $(( $(jq .usable_bytes /tmp/plan.json) >> 20 )) MiB"

blocks=$(jq -r '.blocks[].index' /tmp/plan.json)
# shell builtins only: no fork, so the count is taken while cxlmem waits
range_online() {
	_n=0
	for _i in $blocks; do
		[ -e $sysmem/memory$_i/state ] || continue
		read -r _st <$sysmem/memory$_i/state || continue
		[ "$_st" = online ] && _n=$((_n + 1))
	done
	echo $_n
}
range_present() {
	_n=0
	for _i in $blocks; do
		[ -e $sysmem/memory$_i ] && _n=$((_n + 1))
	done
	echo $_n
}

auto0=$(cat $sysmem/auto_online_blocks)
trap 'rc=$?; echo "$auto0" >$sysmem/auto_online_blocks 2>/dev/null
	[ $rc = 0 ] || { mhp_cxlmem recover; mhp_cxlmem offline-region $dev; } >/dev/null 2>&1' EXIT
policy=$auto0
[ "$policy" != offline ] || policy=online_movable
echo $policy >$sysmem/auto_online_blocks

# as_found WHEN: device_dax, no block of the device left, no kmem range,
# the policy as before the run, no journal, status without a warning
as_found() {
	expect_eq "$(driver $dev)" device_dax "$dev driver after $1"
	expect_eq "$(range_online)" 0 "blocks of $dev online after $1"
	expect_eq "$(range_present)" 0 "memory blocks of $dev left after $1 (kmem unbound removes them)"
	expect_eq "$(kmem_bytes $dev)" 0 "'System RAM (kmem)' bytes below $dev after $1"
	expect_eq "$(cat $sysmem/auto_online_blocks)" "$policy" "auto_online_blocks after $1 (as before the run)"
	[ ! -e $state_dir/journal ] && [ ! -e $state_dir/journal-plan.json ] ||
		mhp_fail "a journal is left in $state_dir after $1: $(cat $state_dir/journal 2>/dev/null | tr '\n' ';')"
	ok "no journal after $1"
	_rc=0
	mhp_cxlmem status $dev >/tmp/st.json 2>/tmp/st.err || _rc=$?
	expect_eq "$_rc" 0 "status after $1: exit status"
	! grep -q "interrupted run" /tmp/st.err || mhp_fail "status warns about an interrupted run after $1: $(cat /tmp/st.err)"
	check /tmp/st.json '.driver == "device_dax" and .blocks_online == 0' "status after $1: device_dax, nothing online"
}

# as_planned WHEN: every planned block online in its planned zone, policy restored
as_planned() {
	expect_planned_zones /tmp/plan.json "$1"
	expect_eq "$(driver $dev)" kmem "$dev driver ($1)"
	expect_eq "$(cat $sysmem/auto_online_blocks)" "$policy" "auto_online_blocks restored ($1)"
	[ ! -e $state_dir/journal ] || mhp_fail "a journal was left behind ($1)"
	ok "no journal ($1)"
}

# online_then_offline WHEN: a full online-region works, then back to devdax
online_then_offline() {
	_rc=0
	mhp_cxlmem online-region $dev >/tmp/on.json 2>/tmp/on.err || _rc=$?
	[ $_rc = 0 ] || cat /tmp/on.err
	expect_eq "$_rc" 0 "online-region after $1: exit status"
	check /tmp/on.json '.result == "online" and (.failed_blocks | length) == 0' "online-region after $1: online"
	as_planned "online-region after $1"
	_rc=0
	mhp_cxlmem offline-region $dev >/tmp/off.json 2>/tmp/off.err || _rc=$?
	[ $_rc = 0 ] || cat /tmp/off.err
	expect_eq "$_rc" 0 "offline-region after $1: exit status"
	expect_eq "$(driver $dev)" device_dax "$dev driver after offline-region"
}

# signal_once SIG: start online-region, send SIG once memory$quarter is
# online. cxlmem runs on CPU 0 at nice 19, this shell on CPU 0 at -20
# polling every ms, so the signal lands a block or so later. Returns 1 if
# cxlmem got through every block first.
signal_once() {
	taskset 1 /bin/cxlmem online-region $dev >/tmp/sig.json 2>/tmp/sig.err &
	_pid=$!
	renice -n 19 -p $_pid >/dev/null
	_polls=0
	while kill -0 $_pid 2>/dev/null; do
		if [ -e $sysmem/memory$quarter/state ]; then
			read -r _st <$sysmem/memory$quarter/state
			[ "$_st" = online ] && break
		fi
		_polls=$((_polls + 1))
		usleep 1000
	done
	k=$(range_online)
	kill -$1 $_pid 2>/dev/null || true
	rc=0
	wait $_pid || rc=$?
	cat /tmp/sig.err
	mhp_log "sent SIG$1 to cxlmem after memory$quarter went online ($_polls polls): $k of $n blocks online; status $rc"
	# status 0: the run was done before the signal landed
	[ "$k" -ge 1 ] && [ "$k" -lt "$n" ] && [ "$rc" != 0 ]
}

signal_round() {
	taskset -p 1 $$ >/dev/null
	renice -n -20 -p $$ >/dev/null
	_try=1
	until signal_once "$1"; do
		[ $_try -lt 3 ] || mhp_fail "could not signal cxlmem in the middle of online-region in 3 tries"
		mhp_log "cxlmem got too far before SIG$1; putting $dev back and trying again"
		mhp_cxlmem offline-region $dev >/dev/null 2>&1 || true
		_try=$((_try + 1))
	done
	renice -n 0 -p $$ >/dev/null
	taskset -p 3 $$ >/dev/null
	ok "SIG$1 arrived mid-apply ($k/$n blocks online)"
	cp /tmp/sig.err "${MHP_HOST_DIR:-/tmp}/signals-$1.err" 2>/dev/null || true
	expect_eq "$rc" 1 "online-region stopped by SIG$1: exit status"
	check /tmp/sig.json '.result == "failed"' "online-region stopped by SIG$1: result failed"
	last=$(tail -n 1 /tmp/sig.err)
	case "$last" in
	*"stopped by SIG$1"*"rolled back"*) ok "last stderr line names SIG$1 and the rollback: $last" ;;
	*) mhp_fail "the last stderr line does not name SIG$1 and the rollback: '$last'" ;;
	esac
	grep -q "$dev: interrupted by a signal; rolled back, $dev is as before" /tmp/sig.err ||
		mhp_fail "no line says $dev was rolled back: $(cat /tmp/sig.err)"
	ok "the device's line says it was rolled back"
	! grep -q 'interrupted by a signal.*interrupted by a signal' /tmp/sig.err ||
		mhp_fail "a line says 'interrupted by a signal' twice: $(grep 'interrupted by a signal' /tmp/sig.err)"
	as_found "SIG$1"
	online_then_offline "SIG$1"
}

for s in TERM INT HUP; do
	signal_round $s
done

# ---- `cxlmem online-region DEV 2>&1 | head -n4`
# cxlmem at nice 19 and head on CPU 0, this shell polling at -20
taskset -p 1 $$ >/dev/null
rm -f /tmp/pipe.rc
( /bin/cxlmem online-region $dev 2>&1 &
  _p=$!
  renice -n 19 -p $_p >/dev/null 2>&1
  _rc=0
  wait $_p || _rc=$?
  echo $_rc >/tmp/pipe.rc ) | head -n4 >/tmp/head.out &
hpid=$!
renice -n -20 -p $$ >/dev/null
while kill -0 $hpid 2>/dev/null; do usleep 1000; done
# head is gone: where is the run?
k=$(range_online)
drv=$(driver $dev)
pol=$(cat $sysmem/auto_online_blocks)
running=yes; [ ! -e /tmp/pipe.rc ] || running=no
renice -n 0 -p $$ >/dev/null
taskset -p 3 $$ >/dev/null
mhp_log "head -n4 exited: cxlmem running: $running, $dev on $drv, $k of $n blocks online, auto_online_blocks=$pol"
cat /tmp/head.out
expect_eq "$(wc -l </tmp/head.out)" 4 "lines head printed"
expect_eq "$running" yes "cxlmem still running when head closed the pipe"
[ "$k" -lt "$n" ] && { [ "$drv" != device_dax ] || [ "$pol" = offline ]; } ||
	mhp_fail "head closed the pipe before or after the change, not in the middle ($drv, $k/$n online, auto_online_blocks=$pol)"
ok "the pipe closed mid-apply ($drv, $k/$n online, auto_online_blocks=$pol)"
_w=0
while [ ! -e /tmp/pipe.rc ]; do
	_w=$((_w + 1))
	[ $_w -lt 6000 ] || mhp_fail "cxlmem did not finish within 600 s after head exited"
	usleep 100000
done
expect_eq "$(cat /tmp/pipe.rc)" 0 "online-region with its output pipe closed: exit status (SIGPIPE ignored, the run completes)"
as_planned "online-region | head -n4"
_rc=0
mhp_cxlmem status $dev >/tmp/st.json 2>/tmp/st.err || _rc=$?
expect_eq "$_rc" 0 "status after the piped run: no drift"
! grep -q "interrupted run" /tmp/st.err || mhp_fail "status warns about an interrupted run after the piped run"
rc=0
mhp_cxlmem offline-region $dev >/tmp/off.json 2>/tmp/off.err || rc=$?
expect_eq "$rc" 0 "offline-region after the piped run: exit status"
as_found "offline-region after the piped run"
online_then_offline "the piped run"

echo "$auto0" >$sysmem/auto_online_blocks
expect_eq "$(driver $dev)" device_dax "$dev driver at the end"
mhp_log "PASS: SIGTERM, SIGINT, SIGHUP mid-apply rolled back; a closed pipe did not stop the run"
