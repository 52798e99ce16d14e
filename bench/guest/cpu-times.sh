# A tests/vm scenario, run by hand: user and system CPU time (busybox time)
# of cxlmem and daxctl onlining, offlining and a dry run / list, 4 rounds,
# the tool that goes first alternating every round, the devices every other.
# MHP_NO_ASLR=1 turns address space randomisation off (edit the default
# below: run-vm.sh passes no environment), so QEMU can reuse its translations
# of code at the same addresses across processes; with it on, every process
# has its code translated anew.
#   tests/vm/run-vm.sh -q --topology hmem --node2-gib 1 --cxlmem CXLMEM \
#	--timeout 900 bench/guest/cpu-times.sh
. "$MHP_VM_LIB"
sysmem=/sys/devices/system/memory
MHP_NO_ASLR=${MHP_NO_ASLR:-0}
[ "$MHP_NO_ASLR" = 1 ] && echo 0 >/proc/sys/kernel/randomize_va_space
echo "randomize_va_space $(cat /proc/sys/kernel/randomize_va_space)"
head -c 1 /dev/urandom >/dev/null
cxlmem list >/dev/null 2>&1; daxctl list >/dev/null 2>&1
echo offline >$sysmem/auto_online_blocks
t() { echo "## $*"; busybox time "$@" 2>&1 >/dev/null | grep -E "real|user|sys"; }
for r in 1 2 3 4; do
	# devices swap every other round, the first tool every round
	if [ $(( (r - 1) / 2 % 2 )) = 0 ]; then a=dax0.0 b=dax1.0; else a=dax1.0 b=dax0.0; fi
	if [ $((r % 2)) = 1 ]; then
		t cxlmem online-region $a; t daxctl reconfigure-device -m system-ram $b
		t cxlmem offline-region $a; t daxctl reconfigure-device -m devdax -f $b
	else
		t daxctl reconfigure-device -m system-ram $b; t cxlmem online-region $a
		t daxctl reconfigure-device -m devdax -f $b; t cxlmem offline-region $a
	fi
	t cxlmem online-region --dry-run $a; t daxctl list -d $a
done
