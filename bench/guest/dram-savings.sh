# Guest half of bench/dram-savings.sh (a tests/vm scenario). Onlines
# $BENCH_DEV (default dax0.0) with cxlmem and measures what node 0 (the DRAM
# node) pays: free pages (buddy + per-cpu lists, caches dropped, read until
# stable) with the device unbound (no driver, so no memmap at all) versus
# online. Also checks the device's node MemTotal against the plan's
# usable_bytes. Writes $MHP_HOST_DIR/dram.env (KEY=VALUE lines).
. "$MHP_VM_LIB"
out=${MHP_HOST_DIR:?the host share is needed for the results}
[ -f "$out/bench.conf" ] && . "$out/bench.conf"
dev=${BENCH_DEV:-dax0.0}
sysmem=/sys/devices/system/memory

# Warm up: early in a guest's life the kernel's CRNG is not ready and the
# first read of /dev/urandom (json-c seeds its hash from it) blocks for ~1 s;
# also fault in both tools once.
head -c 1 /dev/urandom >/dev/null
cxlmem list >/dev/null 2>&1 || true
daxctl list >/dev/null 2>&1 || true
[ -e /sys/bus/dax/devices/$dev ] || mhp_fail "$dev does not exist"
node=$(cat /sys/bus/dax/devices/$dev/target_node)
cxlmem plan $dev >"$out/plan.json" || mhp_fail "cxlmem plan $dev failed"
cxlmem plan $dev -u >"$out/plan.txt" 2>&1 || true
dram=$(jq .source.dram_node "$out/plan.json")
usable=$(jq .usable_bytes "$out/plan.json")

# devdax baseline, then online (net of device_dax's own memmap)
drv0=$(driver $dev)
free_devdax=$(mhp_node_free_kb "$dram")
cxlmem online-region $dev >"$out/online-1.json" || mhp_fail "online-region $dev failed"
free_online1=$(mhp_node_free_kb "$dram")
# unbound baseline: no memmap for the device at all. The cycle unbound ->
# online is measured $reps times and the median kept (the lower middle one
# for an even count): one reading of free memory moves by tens of kB with
# the guest's own background work. The meminfo and slab growth, the
# MemTotal growth and the wall time are the last cycle's.
reps=${BENCH_REPS:-3}
meminfo_kinds='^(Slab|SUnreclaim|Percpu|PageTables|KernelStack|VmallocUsed|Shmem):'
# per cache from /proc/slabinfo (the hugetlb test kernel has SLUB_DEBUG)
slab_snapshot() { [ ! -r /proc/slabinfo ] || cp /proc/slabinfo "$1"; }
samples=
rep=0
while [ $rep -lt "$reps" ]; do
	rep=$((rep + 1))
	cxlmem offline-region $dev --to none >/dev/null || mhp_fail "offline-region --to none failed (cycle $rep)"
	total_before=$(node_kb "$node" MemTotal)
	free_unbound=$(mhp_node_free_kb "$dram")
	# where the kilobytes go: kernel allocations by kind, system-wide
	grep -E "$meminfo_kinds" /proc/meminfo >/tmp/meminfo.unbound
	slab_snapshot /tmp/slab.unbound
	t0=$(cat /proc/uptime)
	cxlmem online-region $dev >"$out/online.json" || mhp_fail "online-region $dev (from unbound, cycle $rep) failed"
	t1=$(cat /proc/uptime)
	free_online=$(mhp_node_free_kb "$dram")
	grep -E "$meminfo_kinds" /proc/meminfo >/tmp/meminfo.online
	slab_snapshot /tmp/slab.online
	samples="$samples $((free_unbound - free_online))"
done
dram_used=$(echo $samples | tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
total_after=$(node_kb "$node" MemTotal)
cxlmem status $dev >"$out/status.json" || true
# the kernel's own account (6.1 series: nodeN/memmap), absent on stock
cxlmem list >"$out/list.json" || true
kmemmap() { jq -r ".nodes[] | select(.node == $node) | .memmap_pages.$1 // \"absent\"" "$out/list.json"; }
{
	echo "kernel=$(uname -r)"
	echo "cmdline=\"$(cat /proc/cmdline)\""
	echo "memmap_on_memory_param=$(cat /sys/module/memory_hotplug/parameters/memmap_on_memory 2>/dev/null || echo absent)"
	echo "dax_memmap_knob=$(cat /sys/bus/dax/devices/$dev/memmap_on_memory 2>/dev/null || echo absent)"
	echo "device=$dev"
	echo "device_bytes=$(cat /sys/bus/dax/devices/$dev/size)"
	echo "node=$node"
	echo "dram_node=$dram"
	echo "driver_before=$drv0"
	echo "plan_rules=$(jq -r .platform.rules "$out/plan.json")"
	echo "plan_memmap_location=$(jq -r .memmap_location "$out/plan.json")"
	echo "plan_memmap_bytes=$(jq .memmap_bytes "$out/plan.json")"
	echo "plan_dram_overhead_bytes=$(jq .dram_overhead_bytes "$out/plan.json")"
	echo "plan_usable_bytes=$usable"
	echo "plan_blocks=$(jq .num_blocks "$out/plan.json")"
	echo "status_memmap_location=$(jq -r .memmap_location "$out/status.json")"
	echo "kernel_memmap_pages=$(kmemmap hotplug)"
	echo "kernel_memmap_elsewhere_pages=$(kmemmap hotplug_elsewhere)"
	echo "node_memtotal_growth_bytes=$(( (total_after - total_before) * 1024 ))"
	echo "dram_used_kb=$dram_used"
	echo "dram_used_kb_samples=\"${samples# }\""
	echo "dram_used_kb_per_gib=$(( dram_used * 1073741824 / usable ))"
	echo "dram_net_vs_devdax_kb=$((free_devdax - free_online1))"
	awk 'NR == FNR { v[$1] = $2; next } { sub(":", "", $1); print "meminfo_growth_" $1 "_kb=" ($2 - v[$1 ":"]) }' \
		/tmp/meminfo.unbound /tmp/meminfo.online
	echo "online_seconds=$(awk -v a="${t0%% *}" -v b="${t1%% *}" 'BEGIN { printf "%.2f", b - a }')"
} >"$out/dram.env"
# Slab growth per cache, in kB of slab pages and in objects: name kB objects
# objsize, largest first. Only the caches that grew.
if [ -f /tmp/slab.unbound ] && [ -f /tmp/slab.online ]; then
	awk 'FNR <= 2 { next }
	     NR == FNR { pages[$1] = $15 * $6; objs[$1] = $2; next }
	     { dk = ($15 * $6 - pages[$1]) * 4; d = $2 - objs[$1];
	       if (dk != 0 || d != 0) print $1, dk, d, $4 }' \
		/tmp/slab.unbound /tmp/slab.online | sort -k2,2nr -k3,3nr >"$out/slab-growth.txt"
fi
cat "$out/dram.env"
cxlmem offline-region $dev >/dev/null || mhp_fail "offline-region $dev failed"
