#!/bin/bash
# shellcheck disable=SC2054 # qemu options contain commas
# The end-to-end boot test: a real Debian 12 userspace with systemd as init,
# booted in QEMU 10 (TCG) on bookworm-backports' 6.12 kernel, with the
# project's own packages installed by dpkg and /etc/cxlmem/cxlmem.conf
# naming two devices by persistent identifiers:
#  - hmem-tier: a Soft Reserved range (memmap=%, as firmware-configured CXL
#    memory looks to Linux), present at boot -> dax0.0 on node 1;
#  - cxl-tier: a CXL RAM region by root decoder and HPA range, created
#    after boot by a test-only step through the region sysfs ABI.
# With no command typed, both must end online exactly as configured (see
# tests/vm/systemd/check.sh), with cxlmem-online@ units that succeeded.
#
# Usage: run-systemd.sh --boot recommended|default [options]
#   --boot recommended  the command line the package documents
#                       (memhp_default_state=offline): kmem adds the memory
#                       offline and cxlmem onlines it once
#   --boot default      Debian's default: the kernel onlines it in
#                       ZONE_NORMAL first, and cxlmem converts it in place
#   --deb-dir DIR       the .debs to install (default: build them from the
#                       working tree unless a build of it is fresh, see
#                       tests/vm/systemd/build-deb.sh)
#   --share DIR         host directory for the guest's results
#                       (default: a fresh one in the run directory)
#   --timeout SEC       kill the VM after SEC seconds (default 900)
#   -q, --quiet         print the console only on failure
# Both boots also pass memory_hotplug.memmap_on_memory=1 (as every 6.12 run
# of the harness does; see cxlmem.README.Debian): without it no memmap can
# go on the device.
# Exit: 0 pass, 1 fail, 77 skipped (prerequisites missing, never with CI=true).
set -u
me=run-systemd
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sd=$here/systemd
# shellcheck source=tests/vm/host.sh
. "$here/host.sh"

boot='' deb_dir='' share='' timeout=${MHP_VM_TIMEOUT:-900} quiet=0
while [ $# -gt 0 ]; do
	case "$1" in
	--boot) boot=${2:?}; shift ;;
	--boot=*) boot=${1#*=} ;;
	--deb-dir) deb_dir=${2:?}; shift ;;
	--share) share=${2:?}; shift ;;
	--timeout) timeout=${2:?}; shift ;;
	-q|--quiet) quiet=1 ;;
	-h|--help) usage ;;
	*) echo "$me: unknown argument $1" >&2; usage ;;
	esac
	shift
done
case "$boot" in
recommended) policy=offline boot_append=memhp_default_state=offline ;;
default) policy=online boot_append= ;;
*) echo "$me: --boot recommended|default is required" >&2; usage ;;
esac
case "$timeout" in ''|*[!0-9]*) die "--timeout wants seconds" ;; esac

# ---------------------------------------------------------------- prerequisites
[ "$(id -u)" = 0 ] || missing "the systemd boot test runs as root (debootstrap, a root-owned image)"
cache_root=${MHP_CACHE_DIR:-/var/cache/libmhp}
modern_env=$cache_root/modern/env
[ -r "$modern_env" ] || missing "the 6.12 kernel and QEMU 10 are not unpacked ($modern_env is missing)"
modern_get() { sed -n "s/^$1=//p" "$modern_env" | tail -n1; }
kernel=$(modern_get MHP_VM_KERNEL_612)
modules_dir=$(modern_get MHP_VM_MODULES_612)
qemu=$(modern_get MHP_VM_QEMU10)
[ -x "$qemu" ] || missing "QEMU 10 '$qemu' (from $modern_env) is not there"
[ -f "$kernel" ] || missing "the 6.12 kernel '$kernel' (from $modern_env) is not there"
[ -s "$modules_dir/modules.dep" ] || missing "6.12 modules '$modules_dir' are not there"
krel=$(basename "$modules_dir")
busybox=
for b in /bin/busybox /usr/bin/busybox; do
	[ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1 && { busybox=$b; break; }
done
[ -n "$busybox" ] || missing "static busybox not found (package busybox-static)"
for t in debootstrap mkfs.ext4 cpio xz timeout git dpkg-buildpackage; do
	command -v $t >/dev/null 2>&1 || missing "'$t' not found (packages debootstrap, e2fsprogs, cpio, xz-utils, coreutils, git, dpkg-dev)"
done

# ------------------------------------------------------- image and packages
image=$("$sd/mkimage.sh" "$modules_dir") || die "building the Debian 12 image failed"
if [ -z "$deb_dir" ]; then
	deb_dir=$("$sd/build-deb.sh") || die "building the packages failed"
fi
debs=()
for p in libmhp1 cxlmem; do
	f=$(ls -1 "$deb_dir/${p}_"*_amd64.deb 2>/dev/null | tail -n1)
	[ -n "$f" ] || die "no ${p}_*.deb in $deb_dir"
	debs+=("$f")
done

rundir=$(mktemp -d "${TMPDIR:-/tmp}/mhp-systemd-$boot.XXXXXX") || die "mktemp failed"
log=$rundir/console.log
cleanup() { rm -rf "$rundir/initrd" "$rundir/initrd.cpio"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ------------------------------------------------------------------ initramfs
# busybox, what mounts the root disk (virtio_blk, ext4 and their
# dependencies, in load order), and the payload: packages, config, test.
ird=$rundir/initrd
mkdir -p "$ird"/{bin,dev,proc,sys,tmp,lib/modules,payload/debs,payload/test}
cp "$busybox" "$ird/bin/busybox"
ln -s busybox "$ird/bin/sh"
# mod_order NAME...: the module files NAME needs, dependencies first
declare -A dep=() seen=()
while IFS= read -r line; do
	f=${line%%:*}; n=${f##*/}; n=${n%%.ko*}; n=${n//-/_}
	dep[$n]=$line
done <"$modules_dir/modules.dep"
mod_order() {
	local n line f d
	for n in "$@"; do
		n=${n//-/_}
		line=${dep[$n]:-}
		[ -n "$line" ] || continue
		f=${line%%:*}
		[ -n "${seen[$f]:-}" ] && continue
		seen[$f]=1
		for d in ${line#*:}; do d=${d##*/}; mod_order "${d%%.ko*}"; done
		echo "$f"
	done
}
# ext4 asks the crypto API for "crc32c": crc32c_generic provides it
for f in $(mod_order virtio_blk crc32c_generic ext4); do
	b=${f##*/}; b=${b%.xz}
	case "$f" in
	*.xz) xz -dc "$modules_dir/$f" >"$ird/lib/modules/$b" ;;
	*) cp "$modules_dir/$f" "$ird/lib/modules/$b" ;;
	esac
	echo "$b" >>"$ird/payload/modules.list"
done
cp "$sd/init.sh" "$ird/init"
chmod 755 "$ird/init"
cp "${debs[@]}" "$ird/payload/debs/"
cp "$sd/cxlmem.conf" "$ird/payload/cxlmem.conf"
cp "$sd/check.sh" "$sd/cxl-region.sh" "$sd/mhp-systemd-test.service" "$ird/payload/test/"
nonce=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
echo "$nonce" >"$ird/payload/nonce"
# what the guest checks against; the ranges are those of cxlmem.conf
conf_get() { sed -n "/^\[device $1\]/,/^\[/s/^$2 *= *//p" "$sd/cxlmem.conf" | head -n1; }
cat >"$ird/payload/expect" <<-EOF
BOOT=$boot
POLICY=$policy
HMEM_RANGE=$(conf_get hmem-tier hmem-range)
CXL_DECODER=$(conf_get cxl-tier cxl-root-decoder)
CXL_RANGE=$(conf_get cxl-tier cxl-hpa-range)
CXL_MEMDEV=mem0
EOF
(cd "$ird" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) \
	>"$rundir/initrd.cpio" || die "cpio failed"

# ---------------------------------------------------------------------- qemu
[ -n "$share" ] || share=$rundir/share
mkdir -p "$share" || die "cannot create $share"
share=$(cd "$share" && pwd)
rm -f "$share/result" "$share/report.txt"
# node 0: 2 GiB with the CPUs; node 1: 1 GiB at 4G, all Soft Reserved
# (memmap=%, the hmem device); the CXL window gets CPU-less node 2. The
# type-3 device has 1 GiB of volatile memory behind one of two root ports
# (with one, Linux uses a passthrough decoder). No hypervisor CPUID bit:
# 6.12 will not commit a region when it cannot flush CPU caches, which it
# assumes it cannot do in a VM. Writes to the image go to a temporary
# overlay (snapshot=on): the cache stays as debootstrap made it.
cmdline="console=ttyS0 panic=-1 panic_on_oops=1 loglevel=4 root=/dev/vda
	memmap=1G%4G+0xefffffff memory_hotplug.memmap_on_memory=1 $boot_append"
qemu_cmd=("$qemu" -accel tcg -M q35,cxl=on -cpu qemu64,-hypervisor -smp 2
	-m 3G -object memory-backend-ram,id=m0,size=2G -object memory-backend-ram,id=m1,size=1G
	-numa node,nodeid=0,memdev=m0,cpus=0-1 -numa node,nodeid=1,memdev=m1
	-object memory-backend-ram,id=cxl-ram1,share=on,size=1G
	-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1
	-device cxl-rp,port=0,bus=cxl.1,id=root_port13,chassis=0,slot=2
	-device cxl-rp,port=1,bus=cxl.1,id=root_port14,chassis=0,slot=3
	-device cxl-type3,bus=root_port13,volatile-memdev=cxl-ram1,id=cxl-ram0
	-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G
	-drive "file=$image,format=raw,if=none,id=root,snapshot=on"
	-device virtio-blk-pci,drive=root,bus=pcie.0
	-fsdev "local,id=hostfs,path=$share,security_model=none"
	-device virtio-9p-pci,bus=pcie.0,fsdev=hostfs,mount_tag=host
	-nodefaults -display none -no-reboot -serial stdio -monitor none
	-kernel "$kernel" -initrd "$rundir/initrd.cpio" -append "$(echo $cmdline)")
echo "${qemu_cmd[*]}" >"$rundir/qemu.cmd"
msg "boot $boot: kernel $krel, $("$qemu" --version | head -n1), image $image, packages $(cd "$deb_dir" && echo libmhp1_*.deb cxlmem_*.deb)"
msg "console log: $log; results: $share"

boot_guest "$log" "MHP-SYSTEMD-RESULT: $nonce" 60

fail() {
	echo "$me: FAIL: $* (boot $boot, ${elapsed}s)" >&2
	if [ -s "$share/report.txt" ]; then
		echo "---- report ($share/report.txt) ----" >&2
		cat "$share/report.txt" >&2
	else
		echo "---- last 60 console lines ($log) ----" >&2
		tail -n 60 "$log" | tr -d '\r' >&2
	fi
	echo "----" >&2
	msg "full console log: $log"
	exit 1
}
result=$(tr -d '\r' <"$log" | sed -n "s/^.*MHP-SYSTEMD-RESULT: $nonce \([0-9][0-9]*\).*$/\1/p" | tail -n1)
if [ -z "$result" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then fail "VM timed out after ${timeout}s"; fi
	grep -aq "Kernel panic" "$log" && fail "kernel panic"
	fail "VM exited (qemu status $qrc) without a verdict"
fi
# the verdict on the console and the one in the share must agree
[ ! -e "$share/result" ] && [ "$result" != 0 ] ||
	[ "$(cat "$share/result" 2>/dev/null)" = "$result" ] ||
	fail "console verdict $result, but $share/result says '$(cat "$share/result" 2>/dev/null)'"
kwarn='^(\[ *[0-9.]+\] )?(WARNING: |BUG: |kernel BUG at )'
if tr -d '\r' <"$log" | grep -aEq "$kwarn"; then
	tr -d '\r' <"$log" | grep -aE -A12 "$kwarn" | head -n 30 >&2
	fail "the kernel logged a warning"
fi
[ "$result" = 0 ] || fail "checks failed"
[ "$quiet" = 1 ] || cat "$share/report.txt" >&2
outcomes=$(sed -n 's/^# outcome: //p' "$share/report.txt" | paste -sd, | sed 's/,/, /g')
msg "PASS (boot $boot, ${elapsed}s; $(grep -c '^ok - ' "$share/report.txt") checks; $outcomes)"
msg "full console log: $log"
exit 0
