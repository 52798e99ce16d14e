# Error paths of the per-block hot-add (patches 2, 3 and 5), on the debug
# variant (lockdep, kmemleak) with memmap_on_memory=force.
#
# kmem is bound to dax0.0 (run-vm.sh --hmem-mib 896: 7 blocks, memmap on the
# device) with the N-th slab allocation of the binding task made to fail
# (/proc/self/fail-nth), for N = 1, 2, ... until a bind goes through
# without any injected failure. After every failed bind nothing may be
# left: no memory block, no "System RAM (kmem)", no memmap pages counted,
# and the device can be bound again. Then the memory is onlined and holds
# data, is removed again, and kmemleak must find nothing new.
#
# Node 1 keeps 128 MiB of boot RAM, so the hot-add never registers a new
# node: 6.1's add_memory_resource() BUGs when that registration fails, which
# is upstream behaviour outside this series. So is the WARN_ON_ONCE() in
# x86's add_pages() when __add_pages() fails: the test allows that one
# warning (run-vm.sh --allow-kernel-warning); any other fails the run.
. "$MHP_VM_LIB"
dev=dax0.0 kmem=/sys/bus/dax/drivers/kmem dbg=/sys/kernel/debug
sysmem=/sys/devices/system/memory
first=32 nblocks=7

[ -w /proc/self/fail-nth ] || mhp_fail "no /proc/self/fail-nth: the kernel lacks CONFIG_FAULT_INJECTION"
[ -d $dbg/failslab ] || mhp_fail "no $dbg/failslab: the kernel lacks CONFIG_FAILSLAB"
[ -e $dbg/kmemleak ] || mhp_fail "no $dbg/kmemleak: the kernel lacks CONFIG_DEBUG_KMEMLEAK"
# GFP_KERNEL allocations may fail too; no stack dump per injected failure
echo N >$dbg/failslab/ignore-gfp-wait
echo 0 >$dbg/failslab/verbose

blocks_present() {
	_n=0 _i=$first
	while [ $_i -lt $((first + nblocks)) ]; do
		[ -e $sysmem/memory$_i ] && _n=$((_n + 1))
		_i=$((_i + 1))
	done
	echo $_n
}

# Nothing of a failed bind may remain.
expect_clean() {
	[ "$(driver $dev)" = none ] || mhp_fail "$1: $dev is bound to $(driver $dev)"
	[ -d /sys/devices/system/node/node1 ] || mhp_fail "$1: node 1 went offline"
	[ "$(blocks_present)" = 0 ] || mhp_fail "$1: $(blocks_present) memory blocks left"
	[ "$(mhp_kmem_ranges)" = 0 ] || mhp_fail "$1: 'System RAM (kmem)' left in /proc/iomem"
	[ "$(mhp_node_stat 1 nr_memmap_on_memory)" = 0 ] && [ "$(mhp_node_stat 1 nr_memmap)" = 0 ] ||
		mhp_fail "$1: node 1 still counts memmap pages: $(mhp_node_stat 1 nr_memmap) (nr_memmap), $(mhp_node_stat 1 nr_memmap_on_memory) on memory"
	[ "$(mhp_node_stat 1 nr_memmap_boot)" = 512 ] ||
		mhp_fail "$1: node 1's boot memmap count changed: $(mhp_node_stat 1 nr_memmap_boot), not 512 (128 MiB of boot RAM)"
}

# Unbind kmem from a device whose blocks are all offline: removes them.
unbind_kmem() {
	echo $dev >$kmem/unbind || mhp_fail "$1: unbinding kmem failed"
	expect_clean "$1: after unbind"
}

[ "$(node_kb 1 MemTotal)" -gt 0 ] || mhp_fail "node 1 has no boot RAM (run-vm.sh --hmem-mib 896)"
echo $dev >/sys/bus/dax/drivers/device_dax/unbind
echo 1 >/sys/bus/dax/devices/$dev/memmap_on_memory
# new_id makes kmem take dax0.0 and binds it once, without injection
echo $dev >$kmem/new_id
[ "$(blocks_present)" = $nblocks ] || mhp_fail "the first bind made $(blocks_present) blocks, not $nblocks"
unbind_kmem "first bind"
free0=$(mhp_node_free_kb 0)
echo clear >$dbg/kmemleak

n=1 failed=0 tolerated=0
while :; do
	# bind status and what is left of fail-nth (0: the failure was injected)
	res=$(sh -c "echo $n >/proc/self/fail-nth; echo $dev >$kmem/bind 2>/dev/null; r=\$?
		read left </proc/self/fail-nth 2>/dev/null || left=unread; echo \$r \$left" 2>/dev/null)
	set -- $res
	if [ "$1" = 0 ]; then
		[ "$(blocks_present)" = $nblocks ] ||
			mhp_fail "fail-nth $n: the bind succeeded with $(blocks_present) of $nblocks blocks"
		unbind_kmem "fail-nth $n"
		[ "$2" = 0 ] || break
		tolerated=$((tolerated + 1))
	else
		expect_clean "fail-nth $n: failed bind"
		failed=$((failed + 1))
	fi
	n=$((n + 1))
	[ $n -le 3000 ] || mhp_fail "the bind still meets injected failures after 3000 allocations"
done
ok "$failed binds failed at an injected slab failure and left nothing behind; $tolerated absorbed one; allocation $n is past the bind path"
[ $failed -ge $nblocks ] || mhp_fail "only $failed injected failures made the bind fail: the per-block paths were not reached"
c=$(dmesg | grep -c "memory add failed (memmap_on_memory)" || true)
[ "$c" -gt 0 ] || mhp_fail "no injected failure hit add_memory_driver_managed()"
ok "$c hot-adds failed inside add_memory_driver_managed() and were undone (those still in the log)"

# the device still works: bind, online, data, offline, unbind
echo $dev >$kmem/bind || mhp_fail "bind after the sweep failed"
i=$first
while [ $i -lt $((first + nblocks)) ]; do
	echo online_movable >$sysmem/memory$i/state || mhp_fail "onlining memory$i failed"
	i=$((i + 1))
done
mhp_memtouch 1 512
i=$first
while [ $i -lt $((first + nblocks)) ]; do
	echo offline >$sysmem/memory$i/state || mhp_fail "offlining memory$i failed"
	i=$((i + 1))
done
unbind_kmem "after the sweep"

leak=$((free0 - $(mhp_node_free_kb 0)))
mhp_log "node 0 free memory over the sweep: $leak kB less"
[ $leak -lt 2048 ] || mhp_fail "node 0 lost $leak kB over $n binds"
# kmemleak reports objects unreferenced for 5 s, over two scans
sleep 6
echo scan >$dbg/kmemleak
echo scan >$dbg/kmemleak
if [ -s $dbg/kmemleak ]; then
	head -n 60 $dbg/kmemleak
	mhp_fail "kmemleak found leaks after the sweep"
fi
ok "kmemleak: no new unreferenced objects"
