#!/bin/sh
# Guest /init for tests/vm/run-vm.sh (busybox sh, PID 1).
# Mounts the pseudo file systems and the host share, runs the topology
# setup and then every scenario with `sh -e`, prints the result marker and
# powers off.  See tests/vm/README.md.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
umask 022
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm /root
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t configfs configfs /sys/kernel/config 2>/dev/null
hostname mhp-vm

. /mhp/vm.conf
export MHP_TOPOLOGY MHP_VM_SETUP
export MHP_VM_LIB=/mhp/lib.sh
# shellcheck source=tests/vm/lib.sh
. /mhp/lib.sh

finish() {
	rc=$1
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		echo "==== mhp-vm: dmesg tail ===="
		dmesg | tail -n 60
		echo "==== end of dmesg ===="
	fi
	sync
	[ -n "$MHP_HOST_DIR" ] && umount /host 2>/dev/null
	echo "MHP-VM-RESULT: $MHP_NONCE $rc"
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 10
}

echo "mhp-vm: kernel $(uname -r), topology $MHP_TOPOLOGY"

# Host share over virtio-9p.  Modules are optional: they may be built in.
MHP_HOST_DIR=
mhp_modprobe virtio_pci 9pnet_virtio 9p
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 host /host 2>/dev/null ||
   mount -t 9p -o trans=virtio,version=9p2000.L host /host; then
	MHP_HOST_DIR=/host
else
	echo "mhp-vm: WARNING: could not mount the host share at /host"
fi
export MHP_HOST_DIR

if [ -x /bin/cxlmem ]; then export MHP_CXLMEM=/bin/cxlmem; else export MHP_CXLMEM=; fi

echo "MHP-VM-SETUP-BEGIN: $MHP_TOPOLOGY"
if ! sh -e "/mhp/topology/$MHP_TOPOLOGY.sh"; then
	echo "mhp-vm: FAIL: topology setup '$MHP_TOPOLOGY' failed"
	finish 1
fi
echo "MHP-VM-SETUP-END: $MHP_TOPOLOGY"

overall=77
for s in $MHP_SCENARIOS; do
	export MHP_SCENARIO=$s
	echo "MHP-VM-SCENARIO-BEGIN: $s"
	cd /tmp || :
	read -r t0 _ </proc/uptime
	# Own session/process group so leftovers (background loops) can be
	# killed before the next scenario starts.
	setsid sh -e "/mhp/scenarios/$s" </dev/null &
	pid=$!
	wait $pid
	rc=$?
	kill -KILL -- "-$pid" 2>/dev/null
	cd /
	case $rc in
	0) res=PASS; [ "$overall" = 77 ] && overall=0 ;;
	77) res=SKIP ;;
	*) res=FAIL; overall=1 ;;
	esac
	read -r t1 _ </proc/uptime
	echo "mhp-vm: $s took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s (guest clock)"
	echo "MHP-VM-SCENARIO-END: $s $res (status $rc)"
done
finish $overall
