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

# mhp_node_stat NODE COUNTER: a counter from the node's vmstat (0 when the
# node went away with its last memory).
mhp_node_stat() {
	[ -r "/sys/devices/system/node/node$1/vmstat" ] || { echo 0; return; }
	awk -v c="$2" '$1 == c { v = $2 } END { print v + 0 }' "/sys/devices/system/node/node$1/vmstat"
}

# mhp_node_free_kb NODE: free kB of a node (buddy plus per-cpu lists, caches
# dropped), read until two readings agree within 256 kB.
# zoneinfo's "pages free" is the global counter without the per-CPU deltas
# not yet folded into it (up to stat_threshold pages per CPU, about 1 MiB
# here): writing vm/stat_refresh folds them first.
_mhp_free_once() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	usleep 200000
	{ echo 1 >/proc/sys/vm/stat_refresh; } 2>/dev/null || true
	awk -v n="$1," -v pk="$(( $(getconf PAGESIZE 2>/dev/null || echo 4096) / 1024 ))" '
		/^Node/ { cn = $2 }
		cn == n && $1 == "pages" && $2 == "free" { s += $3 }
		cn == n && $1 == "count:" { s += $2 }
		END { print s * pk }' /proc/zoneinfo
}
mhp_node_free_kb() {
	_prev=$(_mhp_free_once "$1") _try=0
	while _cur=$(_mhp_free_once "$1"); [ $((_cur - _prev)) -gt 256 ] || [ $((_prev - _cur)) -gt 256 ]; do
		_prev=$_cur _try=$((_try + 1))
		[ $_try -lt 10 ] || break
	done
	echo "$_cur"
}

# mhp_expect_eq WHAT GOT WANT (the argument order of the kernel scenarios)
mhp_expect_eq() { expect_eq "$2" "$3" "$1"; }

# mhp_memtouch NODE MIB: allocate MIB MiB bound to NODE, check that every
# page lands there and holds what was written (run-vm.sh --bin mhp-memtouch).
mhp_memtouch() {
	command -v mhp-memtouch >/dev/null ||
		mhp_fail "mhp-memtouch is not in the guest (run-vm.sh --bin <build>/tests/vm/mhp-memtouch)"
	_mt=$(mhp-memtouch "$1" "$2") || mhp_fail "memory on node $1 does not hold data: ${_mt:-mhp-memtouch failed}"
	ok "$2 MiB bound to node $1 hold data ($_mt)"
}

# mhp_list_dax0 PERSISTENT: the part every list-<topology>.sh checks.
# cxlmem list into /tmp/list.json (copied to $MHP_HOST_DIR), valid JSON with
# the top-level keys, and dax0.0 on node 1, bound to device_dax, persistent
# or not. Fails the scenario on the first miss.
mhp_list_dax0() {
	mhp_cxlmem list >/tmp/list.json || mhp_fail "cxlmem list failed (status $?)"
	[ -z "$MHP_HOST_DIR" ] || cp /tmp/list.json "$MHP_HOST_DIR/list-$MHP_TOPOLOGY.json"
	jq . /tmp/list.json || mhp_fail "cxlmem list did not print valid JSON"
	mhp_jq_assert /tmp/list.json 'has("platform") and has("nodes") and has("cxl_regions") and has("dax_devices") and has("memory_blocks")' "top-level keys" || exit 1
	mhp_jq_assert /tmp/list.json "[.dax_devices[] | select(.name == \"dax0.0\")] | length == 1" "dax0.0 listed" || exit 1
	mhp_jq_assert /tmp/list.json ".dax_devices[] | select(.name == \"dax0.0\") | .target_node == 1 and .driver == \"device_dax\" and .persistent == $1" \
		"dax0.0: target_node 1, bound to device_dax, persistent $1" || exit 1
}

# mhp_memmap_pages NODE KEY: the kernel's memmap counter KEY (boot, hotplug,
# on_memory, on_memory_padding, hotplug_elsewhere) for NODE, as cxlmem list
# reports it; fails when the kernel has no such counters.
mhp_memmap_pages() {
	mhp_cxlmem list >/tmp/.memmap.json || mhp_fail "cxlmem list failed"
	jq -e ".nodes[] | select(.node == $1) | .memmap_pages.$2" /tmp/.memmap.json ||
		mhp_fail "cxlmem list reports no memmap_pages.$2 for node $1"
}

# mhp_kmem_ranges: number of "System RAM (kmem)" ranges in /proc/iomem.
mhp_kmem_ranges() { grep -c 'System RAM (kmem)' /proc/iomem || true; }

# ---- shared by the scenarios ----
# memory block directory, as the scenarios spell it
sysmem=/sys/devices/system/memory
ok() { echo "ok - $*"; }
check() { mhp_jq_assert "$1" "$2" "$3" || { cat "$1" >&2; mhp_fail "$3"; }; }
# expect_eq GOT WANT WHAT
expect_eq() { [ "$1" = "$2" ] || mhp_fail "$3: got '$1', expected '$2'"; ok "$3 ($1)"; }
# driver DEV: the dax device's driver, or none
driver() { _d=$(readlink "/sys/bus/dax/devices/$1/driver" 2>/dev/null) && basename "$_d" || echo none; }
# blk_state N: memoryN's state, or absent
blk_state() { cat $sysmem/memory$1/state 2>/dev/null || echo absent; }

# expect_planned_zones PLAN [TAG]: every block of the plan file (cxlmem
# plan JSON) is online in the zone the plan gave it (sysfs state and
# valid_zones); says how many it checked
expect_planned_zones() {
	_n=0 _tag=${2:+ ($2)}
	jq -r '.blocks[] | "\(.index) \(.zone)"' "$1" >/tmp/planned
	while read -r _idx _zone; do
		_want=Movable; [ "$_zone" = normal ] && _want=Normal
		_got="$(blk_state $_idx)/$(cat $sysmem/memory$_idx/valid_zones 2>/dev/null || echo -)"
		[ "$_got" = "online/$_want" ] ||
			mhp_fail "memory$_idx is $_got, planned online/$_want$_tag"
		_n=$((_n + 1))
	done </tmp/planned
	ok "all $_n planned blocks online in their planned zone$_tag"
}
# node_kb NODE FIELD: a field of nodeN/meminfo in kB, 0 if the node has none
node_kb() {
	[ -r /sys/devices/system/node/node$1/meminfo ] || { echo 0; return; }
	awk -v f="$2:" '$3 == f { v = $4 } END { print v + 0 }' /sys/devices/system/node/node$1/meminfo
}
# kmem_bytes DEV: bytes of "System RAM (kmem)" nested below DEV in /proc/iomem
kmem_bytes() {
	_t=0 _in=0 _ind=0
	while IFS= read -r _l; do
		_r=${_l%% : *} _n=${_l#* : }
		_lead=${_r%%[0-9a-f]*}
		_r=${_r#"$_lead"}
		if [ "$_n" = "$1" ]; then _in=1 _ind=${#_lead}; continue; fi
		[ $_in = 1 ] || continue
		if [ ${#_lead} -le $_ind ]; then _in=0; continue; fi
		[ "$_n" = "System RAM (kmem)" ] && _t=$((_t + 0x${_r#*-} - 0x${_r%-*} + 1))
	done </proc/iomem
	echo $_t
}
