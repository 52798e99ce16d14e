# Guest half of bench/memcg-percpu.sh (a tests/vm scenario): Percpu in
# /proc/meminfo before and after creating $BENCH_CGROUPS (default 2000)
# memory cgroups, i.e. what the per-CPU statistics of that many memcgs cost
# on this kernel. Writes $MHP_HOST_DIR/percpu.env (KEY=VALUE lines).
. "$MHP_VM_LIB"
out=${MHP_HOST_DIR:?the host share is needed for the results}
[ -f "$out/bench.conf" ] && . "$out/bench.conf"
n=${BENCH_CGROUPS:-2000}
cg=/sys/fs/cgroup
percpu_kb() { awk '$1 == "Percpu:" { print $2 }' /proc/meminfo; }

grep -q cgroup2 /proc/mounts || mount -t cgroup2 none $cg || mhp_fail "cannot mount cgroup2"
grep -qw memory $cg/cgroup.controllers || mhp_fail "no memory controller (CONFIG_MEMCG)"
echo +memory >$cg/cgroup.subtree_control
mkdir -p $cg/bench && echo +memory >$cg/bench/cgroup.subtree_control
before=$(percpu_kb)
i=0
while [ $i -lt $n ]; do
	mkdir $cg/bench/m$i || mhp_fail "creating cgroup $i failed"
	i=$((i + 1))
done
after=$(percpu_kb)
{
	echo "kernel=$(uname -r)"
	echo "cmdline='$(cat /proc/cmdline)'"
	echo "cpus=$(grep -c ^processor /proc/cpuinfo)"
	echo "nodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)"
	echo "cgroups=$n"
	echo "percpu_before_kb=$before"
	echo "percpu_after_kb=$after"
	echo "node_stat_items=$(wc -l </sys/devices/system/node/node0/vmstat)"
	echo "memmap_in_node_vmstat=$(grep -c memmap /sys/devices/system/node/node0/vmstat || true)"
} >"$out/percpu.env"
i=0
while [ $i -lt $n ]; do rmdir $cg/bench/m$i; i=$((i + 1)); done
