# Guest half of bench/daxctl-vs-cxlmem.sh (a tests/vm scenario): two identical
# 1 GiB Soft Reserved devices, dax0.0 on CPU-less node 1 and dax1.0 on
# CPU-less node 2. For each auto_online_blocks policy and each of
# BENCH_ROUNDS rounds (devices swapped every other round, which tool goes
# first every round), convert one device
# with `daxctl reconfigure-device -m system-ram` and the other with
# `cxlmem online-region` (when daxctl refuses because the kernel
# auto-onlines, also with `--no-movable`, as a user would), record the wall time and the end state (blocks
# online, zone of each block, auto_online_blocks afterwards), then give both
# back (`daxctl reconfigure-device -m devdax -f`, `cxlmem offline-region`),
# timed too. One TSV line per operation goes to $MHP_HOST_DIR/bench.tsv.
. "$MHP_VM_LIB"
sysmem=/sys/devices/system/memory
out=${MHP_HOST_DIR:?the host share is needed for the results}
rounds=${BENCH_ROUNDS:-2}
policies=${BENCH_POLICIES:-offline online}
aslr=1
[ -f "$out/bench.conf" ] && . "$out/bench.conf"
# aslr=0 (--no-aslr): QEMU then reuses its translation of code that runs at
# the same address again, as a CPU runs it, instead of translating every new
# process's libraries anew
[ "$aslr" = 0 ] && echo 0 >/proc/sys/kernel/randomize_va_space

now_us() { adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { u = $2 } END { printf "%d%06d\n", s, u }'; }
driver() { _d=$(readlink "/sys/bus/dax/devices/$1/driver" 2>/dev/null) && basename "$_d" || echo none; }
# blocks DEV: "online/present zones" of the device's blocks, zones as one
# letter per block (M movable, N normal, - offline)
blocks() {
	_res=$(cat /sys/bus/dax/devices/$1/resource) _size=$(cat /sys/bus/dax/devices/$1/size)
	_bs=$((0x$(cat $sysmem/block_size_bytes)))
	_i=$(( (_res + _bs - 1) / _bs )) _end=$(( (_res + _size) / _bs ))
	_on=0 _pr=0 _z=
	while [ $_i -lt $_end ]; do
		if [ -e $sysmem/memory$_i ]; then
			_pr=$((_pr + 1))
			if [ "$(cat $sysmem/memory$_i/state)" = online ]; then
				_on=$((_on + 1))
				case "$(cat $sysmem/memory$_i/valid_zones)" in
				Movable) _z=${_z}M ;;
				Normal) _z=${_z}N ;;
				*) _z=${_z}? ;;
				esac
			else
				_z=${_z}-
			fi
		fi
		_i=$((_i + 1))
	done
	echo "$_on/$_pr ${_z:-none}"
}
# timed TOOL OP DEV CMD...: run CMD, append a TSV line
timed() {
	_tool=$1 _op=$2 _dev=$3
	shift 3
	_t0=$(now_us)
	_rc=0
	"$@" >/tmp/bench.out 2>&1 || _rc=$?
	_t1=$(now_us)
	set -- $(blocks "$_dev")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n' "$policy" "$round" "$_tool" "$_op" "$_dev" \
		"$(cat /sys/bus/dax/devices/$_dev/target_node)" "$_rc" "$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.1f", (b - a) / 1000 }')" \
		"$1" "$2" "$(driver "$_dev")" "$(cat $sysmem/auto_online_blocks)" >>"$out/bench.tsv"
	echo "== $_tool $_op $_dev (policy $policy, round $round): status $_rc, $(( (_t1 - _t0) / 1000 )) ms, blocks $1 zones $2, driver $(driver "$_dev")"
	sed 's/^/   | /' /tmp/bench.out | head -20
}

for d in dax0.0 dax1.0; do
	[ -e /sys/bus/dax/devices/$d ] || mhp_fail "$d missing: run this through bench/daxctl-vs-cxlmem.sh (it adds the second device)"
	[ "$(driver $d)" = device_dax ] || mhp_fail "$d is not on device_dax"
done
[ "$(cat /sys/bus/dax/devices/dax0.0/size)" = "$(cat /sys/bus/dax/devices/dax1.0/size)" ] ||
	mhp_fail "dax0.0 and dax1.0 differ in size"
printf 'policy\tround\ttool\top\tdevice\tnode\tstatus\tms\tonline/present\tzones\tdriver\tauto_online_after\n' >"$out/bench.tsv"
{
	echo "kernel $(uname -r)"
	echo "cmdline $(cat /proc/cmdline)"
	echo "daxctl $(daxctl version)"
	echo "cxlmem $(cxlmem --version)"
	echo "block_size $((0x$(cat $sysmem/block_size_bytes)))"
	echo "device_size $(cat /sys/bus/dax/devices/dax0.0/size)"
	echo "randomize_va_space $(cat /proc/sys/kernel/randomize_va_space)"
} >"$out/bench.env"

# Warm up: early in a guest's life the kernel's CRNG is not ready and the
# first read of /dev/urandom (json-c seeds its hash from it) blocks for ~1 s;
# also fault in both tools once.
head -c 1 /dev/urandom >/dev/null
cxlmem list >/dev/null 2>&1 || true
daxctl list >/dev/null 2>&1 || true
auto0=$(cat $sysmem/auto_online_blocks)
cxlmem_online() { timed cxlmem online "$a" cxlmem online-region "$a"; }
daxctl_online() {
	timed daxctl online "$b" daxctl reconfigure-device -m system-ram "$b"
	# daxctl refuses movable onlining when the kernel auto-onlines;
	# what a user then does: --no-movable
	if [ "$(driver $b)" = device_dax ] && [ "$policy" != offline ]; then
		timed daxctl-nm online "$b" daxctl reconfigure-device -m system-ram --no-movable "$b"
	fi
}
cxlmem_offline() { timed cxlmem offline "$a" cxlmem offline-region "$a"; }
daxctl_offline() { timed daxctl offline "$b" daxctl reconfigure-device -m devdax -f "$b"; }
for policy in $policies; do
	round=1
	while [ $round -le $rounds ]; do
		# devices swap every other round, the order of the tools every
		# round: each tool goes first (right after the previous round's
		# memory removal, whose deferred work the first one pays for) as
		# often as second, on each device
		if [ $(( (round - 1) / 2 % 2 )) = 0 ]; then a=dax0.0 b=dax1.0; else a=dax1.0 b=dax0.0; fi
		echo "$policy" >$sysmem/auto_online_blocks
		if [ $((round % 2)) = 1 ]; then
			cxlmem_online; daxctl_online; cxlmem_offline; daxctl_offline
		else
			daxctl_online; cxlmem_online; daxctl_offline; cxlmem_offline
		fi
		for d in $a $b; do
			if [ "$(driver $d)" != device_dax ]; then
				echo "note: $d is on $(driver $d) after its offline step; cleaning up with cxlmem"
				echo offline >$sysmem/auto_online_blocks
				cxlmem offline-region $d >/dev/null 2>&1 || mhp_fail "cannot put $d back to devdax"
			fi
		done
		round=$((round + 1))
	done
done
echo "$auto0" >$sysmem/auto_online_blocks
echo "results: $out/bench.tsv"
