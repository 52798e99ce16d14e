# Guest half of bench/strace-online.sh (a tests/vm scenario): where the time
# of one `cxlmem online-region` and one `daxctl reconfigure-device -m
# system-ram` goes, on two identical 1 GiB devices (dax0.0, dax1.0). For
# each tool: `strace -c -f` (syscalls by kind, time in them) and `strace -f
# -tt -T` (every call with its time stamp and duration) of an online, and
# the same for `list`. Outputs go to $MHP_HOST_DIR: <tool>-<op>.summary,
# <tool>-<op>.trace. Both devices are given back to devdax afterwards.
. "$MHP_VM_LIB"
sysmem=/sys/devices/system/memory
out=${MHP_HOST_DIR:?the host share is needed for the results}
command -v strace >/dev/null || mhp_fail "no strace in the guest: run this through bench/strace-online.sh"

head -c 1 /dev/urandom >/dev/null
cxlmem list >/dev/null 2>&1 || true
daxctl list >/dev/null 2>&1 || true
echo offline >$sysmem/auto_online_blocks

# traced NAME CMD...: one summary run and one full trace run are two runs,
# so each is followed by a give-back; the caller passes the give-back.
traced() {
	_name=$1 _back=$2
	shift 2
	strace -c -f -S calls -o "$out/$_name.summary" "$@" >/dev/null 2>&1 ||
		echo "note: $_name exited $? under strace -c"
	sh -c "$_back" >/dev/null 2>&1
	strace -f -tt -T -o "$out/$_name.trace" "$@" >/dev/null 2>&1 ||
		echo "note: $_name exited $? under strace -tt"
	sh -c "$_back" >/dev/null 2>&1
	echo "== $_name: $(grep -c . "$out/$_name.trace") lines traced"
}

traced cxlmem-list true cxlmem list
traced daxctl-list true daxctl list
traced cxlmem-online "cxlmem offline-region dax0.0" cxlmem online-region dax0.0
traced daxctl-online "daxctl reconfigure-device -m devdax -f dax1.0" \
	daxctl reconfigure-device -m system-ram dax1.0
cxlmem online-region dax0.0 >/dev/null 2>&1
daxctl reconfigure-device -m system-ram dax1.0 >/dev/null 2>&1
traced cxlmem-offline "cxlmem online-region dax0.0" cxlmem offline-region dax0.0
traced daxctl-offline "daxctl reconfigure-device -m system-ram dax1.0" \
	daxctl reconfigure-device -m devdax -f dax1.0
cxlmem offline-region dax0.0 >/dev/null 2>&1
daxctl reconfigure-device -m devdax -f dax1.0 >/dev/null 2>&1
for d in dax0.0 dax1.0; do
	[ "$(driver $d)" = device_dax ] || mhp_fail "$d is on $(driver $d) at the end"
done
echo "results: $out"
