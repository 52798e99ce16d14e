# Error paths of the per-block hot-add (patches 2, 3 and 5), on the debug
# variant (lockdep, kmemleak) with memmap_on_memory=force.
#
# kmem is bound to the device (memmap on the device) with the N-th slab
# allocation of the binding task made to fail (/proc/self/fail-nth), for
# N = 1, 2, ... until a bind goes through without any injected failure.
# After every failed bind nothing may be left: no memory block, no
# "System RAM (kmem)", no memmap pages counted, and the next bind without
# injection succeeds. Then the memory is onlined and holds data, is
# removed again, and kmemleak must find nothing new. With 1 GiB blocks
# (8 sections each) this covers a block that fails half added: the
# sections already added must go again (patch 3).
#
# The device's node keeps boot RAM, so the hot-add never registers a new
# node: 6.1's add_memory_resource() BUGs when that registration fails, which
# is upstream behaviour outside this series. So is the WARN_ON_ONCE() in
# x86's add_pages() when __add_pages() fails: the test allows that one
# warning (run-vm.sh --allow-kernel-warning); any other fails the run.
. "$MHP_VM_LIB"
kmem=/sys/bus/dax/drivers/kmem dbg=/sys/kernel/debug
sysmem=/sys/devices/system/memory
# The layout follows the block size the boot chose:
#  - 128 MiB blocks (run-vm.sh --hmem-mib 384): dax0.0 on node 1, 3 blocks
#    of one section each, node 1 keeping 640 MiB of boot RAM (3 blocks keep
#    the sweep short under TCG and lockdep: its cost grows with the square
#    of the block count; a failure still lands before, in and after a block);
#  - 1 GiB blocks (memory_block_size=1G, --node2-gib 3 with node 2's last
#    GiB turned back into RAM): dax1.0 on node 2 (5G-7G), 2 blocks of 8
#    sections each, so a failure can hit a block half added; node 2 keeps
#    1 GiB of boot RAM.
case "$(cat $sysmem/block_size_bytes)" in
8000000) dev=dax0.0 node=1 first=32 nblocks=3 boot_memmap=2560 ;;
40000000) dev=dax1.0 node=2 first=5 nblocks=2 boot_memmap=4096 ;;
*) mhp_fail "no fault-add layout for block_size_bytes $(cat $sysmem/block_size_bytes)" ;;
esac
# the sweep must end: bound it in binds (below) and in time
sweep_limit_s=1200
node_memmap() { # NODE NAME: a counter of the node's memmap file (patch 7)
	[ -r "/sys/devices/system/node/node$1/memmap" ] || { echo 0; return; }
	awk -v c="$2" '$1 == c { v = $2 } END { print v + 0 }' \
		"/sys/devices/system/node/node$1/memmap"
}

[ -w /proc/self/fail-nth ] || mhp_fail "no /proc/self/fail-nth: the kernel lacks CONFIG_FAULT_INJECTION"
[ -d $dbg/failslab ] || mhp_fail "no $dbg/failslab: the kernel lacks CONFIG_FAILSLAB"
# kmemleak is in the debug (nohugetlb) variant; elsewhere the leak check
# rests on node 0's free memory alone
leakcheck=1
[ -e $dbg/kmemleak ] || { leakcheck=0; mhp_log "no $dbg/kmemleak (CONFIG_DEBUG_KMEMLEAK off): skipping the kmemleak scan"; }
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
	[ -d /sys/devices/system/node/node$node ] || mhp_fail "$1: node $node went offline"
	[ "$(blocks_present)" = 0 ] || mhp_fail "$1: $(blocks_present) memory blocks left"
	[ "$(mhp_kmem_ranges)" = 0 ] || mhp_fail "$1: 'System RAM (kmem)' left in /proc/iomem"
	[ "$(node_memmap $node nr_memmap_on_memory)" = 0 ] && [ "$(node_memmap $node nr_memmap_pages)" = 0 ] ||
		mhp_fail "$1: node $node still counts memmap pages: $(node_memmap $node nr_memmap_pages) (nr_memmap_pages), $(node_memmap $node nr_memmap_on_memory) on memory"
	[ "$(node_memmap $node nr_memmap_boot_pages)" = $boot_memmap ] ||
		mhp_fail "$1: node $node's boot memmap count changed: $(node_memmap $node nr_memmap_boot_pages), not $boot_memmap"
	[ "$(awk '$1 == "nr_memmap_pages" { print $2 }' /proc/vmstat)" = "$vmstat_memmap0" ] ||
		mhp_fail "$1: /proc/vmstat nr_memmap_pages is $(awk '$1 == "nr_memmap_pages" { print $2 }' /proc/vmstat), not $vmstat_memmap0 as before the bind"
}

# Unbind kmem from a device whose blocks are all offline: removes them.
unbind_kmem() {
	echo $dev >$kmem/unbind || mhp_fail "$1: unbinding kmem failed"
	expect_clean "$1: after unbind"
}

[ "$(node_kb $node MemTotal)" -gt 0 ] || mhp_fail "node $node has no boot RAM (see the layouts above)"
echo $dev >/sys/bus/dax/drivers/device_dax/unbind
# device_dax's own memmap is gone now: what the sweep must come back to
vmstat_memmap0=$(awk '$1 == "nr_memmap_pages" { print $2 }' /proc/vmstat)
echo 1 >/sys/bus/dax/devices/$dev/memmap_on_memory
# new_id makes kmem take dax0.0 and binds it once, without injection
echo $dev >$kmem/new_id
[ "$(blocks_present)" = $nblocks ] || mhp_fail "the first bind made $(blocks_present) blocks, not $nblocks"
unbind_kmem "first bind"
free0=$(mhp_node_free_kb 0)
[ $leakcheck = 0 ] || echo clear >$dbg/kmemleak

n=1 failed=0 tolerated=0 t0=$(date +%s)
while :; do
	[ $(( $(date +%s) - t0 )) -lt $sweep_limit_s ] ||
		mhp_fail "the sweep took more than $sweep_limit_s s (at fail-nth $n)"
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
		# nothing of it may get in the way of the next bind
		echo $dev >$kmem/bind ||
			mhp_fail "fail-nth $n: the bind without injection after the failed one failed too"
		[ "$(blocks_present)" = $nblocks ] ||
			mhp_fail "fail-nth $n: the bind after the failed one made $(blocks_present) of $nblocks blocks"
		unbind_kmem "fail-nth $n: bind after the failed one"
		failed=$((failed + 1))
	fi
	n=$((n + 1))
	[ $n -le 3000 ] || mhp_fail "the bind still meets injected failures after 3000 allocations"
done
ok "$failed binds failed at an injected slab failure and left nothing behind, each followed by a clean bind; $tolerated absorbed one; allocation $n is past the bind path ($(( $(date +%s) - t0 )) s)"
[ $failed -ge $nblocks ] || mhp_fail "only $failed injected failures made the bind fail: the per-block paths were not reached"
c=$(dmesg | grep -c "memory add failed (memmap_on_memory)" || true)
[ "$c" -gt 0 ] || mhp_fail "no injected failure hit add_memory_driver_managed()"
ok "$c hot-adds failed inside add_memory_driver_managed() and were undone (those still in the log)"

# the device still works: bind, online, data, offline, unbind, while
# another task reads every block's state (on the debug variant lockdep
# sees memory-block sysfs reads race with the removal; the run fails on
# any lockdep report)
# (blocks come and go under it: a failed read must not end the loop)
( while :; do cat $sysmem/memory*/state >/dev/null 2>&1 || :; done ) &
reader=$!
echo $dev >$kmem/bind || mhp_fail "bind after the sweep failed"
i=$first
while [ $i -lt $((first + nblocks)) ]; do
	echo online_movable >$sysmem/memory$i/state || mhp_fail "onlining memory$i failed"
	i=$((i + 1))
done
mhp_memtouch $node 512
i=$first
while [ $i -lt $((first + nblocks)) ]; do
	echo offline >$sysmem/memory$i/state || mhp_fail "offlining memory$i failed"
	i=$((i + 1))
done
unbind_kmem "after the sweep"
kill $reader || mhp_fail "the task reading the blocks' state died during the sweep"

leak=$((free0 - $(mhp_node_free_kb 0)))
mhp_log "node 0 free memory over the sweep: $leak kB less"
[ $leak -lt 2048 ] || mhp_fail "node 0 lost $leak kB over $n binds"
[ $leakcheck = 1 ] || exit 0
# kmemleak reports objects unreferenced for 5 s, over two scans
sleep 6
echo scan >$dbg/kmemleak
echo scan >$dbg/kmemleak
if [ -s $dbg/kmemleak ]; then
	head -n 60 $dbg/kmemleak
	mhp_fail "kmemleak found leaks after the sweep"
fi
ok "kmemleak: no new unreferenced objects"
