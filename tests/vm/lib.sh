# Helper functions for VM scenarios and topology setup (busybox sh).
# Source it with:  . "$MHP_VM_LIB"
# shellcheck shell=sh

mhp_log() { echo "[$MHP_SCENARIO] $*"; }

# Fail the scenario with a message.
mhp_fail() { echo "FAIL[${MHP_SCENARIO:-setup}]: $*" >&2; exit 1; }

# Skip the scenario (status 77) with a reason.
mhp_skip() { echo "SKIP[${MHP_SCENARIO:-setup}]: $*" >&2; exit 77; }

# Load modules; a missing module is fine (it may be built in).
mhp_modprobe() {
	for _m in "$@"; do
		modprobe "$_m" 2>/dev/null || echo "mhp-vm: note: module $_m not loaded (built in or unavailable)"
	done
}

# mhp_wait_for PATH [SECONDS]: wait until PATH exists (default 30 s).
mhp_wait_for() {
	_n=$(( ${2:-30} * 10 ))
	while [ ! -e "$1" ]; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		usleep 100000
	done
}

# mhp_cxlmem ARGS...: run cxlmem, failing clearly if it is not in the VM.
mhp_cxlmem() {
	[ -x /bin/cxlmem ] || mhp_fail "/bin/cxlmem is missing: pass --cxlmem PATH (or build it into build/tools/cxlmem)"
	/bin/cxlmem "$@"
}

# mhp_jq_assert FILE FILTER DESCRIPTION: jq -e FILTER must be true on FILE.
mhp_jq_assert() {
	if jq -e "$2" "$1" >/dev/null 2>&1; then
		echo "ok - $3"
	else
		echo "not ok - $3 (jq: $2)" >&2
		return 1
	fi
}

# mhp_sysfs_read PATH: print a sysfs attribute or fail.
mhp_sysfs_read() { cat "$1" 2>/dev/null || mhp_fail "cannot read $1"; }

# mhp_node_kb NODE FIELD: kB from /sys/devices/system/node/nodeN/meminfo
# (0 when the node is not online).
mhp_node_kb() {
	awk -v f="$2:" '$3 == f { print $4; found = 1 } END { if (!found) print 0 }' \
		"/sys/devices/system/node/node$1/meminfo" 2>/dev/null || echo 0
}

# mhp_node_stat NODE COUNTER: a counter from the node's vmstat.
mhp_node_stat() {
	awk -v c="$2" '$1 == c { print $2 }' "/sys/devices/system/node/node$1/vmstat"
}

# mhp_node0_used_kb: kB of node 0 in use, reclaimable caches dropped first.
mhp_node0_used_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	echo $(( $(mhp_node_kb 0 MemTotal) - $(mhp_node_kb 0 MemFree) ))
}

# mhp_expect_eq WHAT GOT WANT
mhp_expect_eq() {
	[ "$2" = "$3" ] || mhp_fail "$1: got '$2', expected '$3'"
	echo "ok - $1 = $2"
}

# mhp_kmem_ranges: number of "System RAM (kmem)" ranges in /proc/iomem.
mhp_kmem_ranges() { grep -c 'System RAM (kmem)' /proc/iomem || true; }
