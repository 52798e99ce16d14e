#!/bin/bash
# shellcheck disable=SC2054 # (whole file) qemu options contain commas
# Boot a throw-away QEMU (TCG) guest with a CXL/DAX memory topology and run
# scenario scripts inside it.  See tests/vm/README.md for the scenario contract.
#
# Usage: run-vm.sh --topology hmem|cxl-pmem|legacy-pmem|cxl-ram|nfit [options] SCENARIO.sh...
#   --kernel-set SET   stock: the system's kernel and QEMU (default);
#                      6.12: bookworm-backports' 6.12 kernel and modules and
#                      QEMU 10 as scripts/install-deps.sh unpacked them
#                      ($MHP_CACHE_DIR/modern/env), booted with Debian's
#                      default auto-online and memory_hotplug.memmap_on_memory=1
#                      (the topology cxl-ram needs it: QEMU 7.2 has no
#                      volatile CXL memory)
#   --kernel BZIMAGE   kernel to boot (default: the kernel set's, else
#                      $MHP_VM_KERNEL or the newest /boot/vmlinuz-* that has
#                      /lib/modules/<release>)
#   --modules DIR      a /lib/modules/<release> tree to take modules from
#                      (default: $MHP_VM_MODULES or /lib/modules/<kernel release>)
#   --append "ARGS"    extra kernel command line
#   --cxlmem PATH      cxlmem binary to put at /bin/cxlmem (default: $MHP_CXLMEM,
#                      else <repo>/build/tools/cxlmem/cxlmem if it exists)
#   --bin PATH         another program to put in /bin with its libraries
#                      (repeatable; e.g. the mhp-memtouch test helper)
#   --share DIR        host directory mounted at /host in the guest
#                      (default: a fresh directory in the run directory)
#   --timeout SEC      kill the VM after SEC seconds (default 600, $MHP_VM_TIMEOUT)
#   --no-setup         load the topology's modules but do not create regions/
#                      namespaces (scenario starts from the raw topology)
#   --hmem-mib M       topology hmem: make only the first M MiB of node 1
#                      Soft Reserved (default 1024, all of it); the rest is
#                      boot RAM, so node 1 is online from boot
#   --node2-gib N      topology hmem: add an N GiB Soft Reserved range on a
#                      CPU-less node 2 (dax1.0), right after node 1's
#   --qemu-arg ARG     extra qemu argument (repeatable)
#   --allow-kernel-warning REGEX
#                      a kernel warning line matching REGEX (grep -E) does
#                      not fail the run (repeatable; for fault injection)
#   --require-pass     a scenario that skips (77) fails the run
#   -q, --quiet        don't stream the console; print its tail on failure only
# Exit: 0 all scenarios passed, 1 failure/timeout/panic, 77 skipped
# (qemu/kernel/tools missing and CI != true, or every scenario exited 77).
set -u
shopt -s nullglob

me=run-vm
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# Bump when the layout of the base initramfs changes.
BASE_FORMAT=4

# shellcheck source=tests/vm/host.sh
. "$here/host.sh"

topology='' kernel='' modules_dir='' kernel_set=${MHP_VM_KERNEL_SET:-stock}
append=${MHP_VM_APPEND:-} cxlmem=${MHP_CXLMEM:-} share='' timeout=${MHP_VM_TIMEOUT:-600}
quiet=0 require_pass=0 setup=full bins=() node2_gib='' hmem_mib=1024 allowed_warnings=()
qemu_extra=()
scenarios=()
while [ $# -gt 0 ]; do
	case "$1" in
	--topology) topology=${2:?}; shift ;;
	--topology=*) topology=${1#*=} ;;
	--kernel-set) kernel_set=${2:?}; shift ;;
	--kernel-set=*) kernel_set=${1#*=} ;;
	--kernel) kernel=${2:?}; shift ;;
	--kernel=*) kernel=${1#*=} ;;
	--modules) modules_dir=${2:?}; shift ;;
	--append) append="$append ${2?}"; shift ;;
	--append=*) append="$append ${1#*=}" ;;
	--cxlmem) cxlmem=${2:?}; shift ;;
	--cxlmem=*) cxlmem=${1#*=} ;;
	--hmem-mib) hmem_mib=${2:?}; shift ;;
	--hmem-mib=*) hmem_mib=${1#*=} ;;
	--node2-gib) node2_gib=${2:?}; shift ;;
	--node2-gib=*) node2_gib=${1#*=} ;;
	--bin) bins+=("${2:?}"); shift ;;
	--bin=*) bins+=("${1#*=}") ;;
	--allow-kernel-warning) allowed_warnings+=(-e "${2:?}"); shift ;;
	--share) share=${2:?}; shift ;;
	--share=*) share=${1#*=} ;;
	--timeout) timeout=${2:?}; shift ;;
	--timeout=*) timeout=${1#*=} ;;
	--no-setup) setup=modules ;;
	--qemu-arg) qemu_extra+=("${2?}"); shift ;;
	--require-pass) require_pass=1 ;;
	-q|--quiet) quiet=1 ;;
	-h|--help) usage ;;
	--) shift; scenarios+=("$@"); break ;;
	-*) echo "$me: unknown option $1" >&2; usage ;;
	*) scenarios+=("$1") ;;
	esac
	shift
done

case "$topology" in
hmem|cxl-pmem|legacy-pmem|cxl-ram|nfit) ;;
"") echo "$me: --topology is required" >&2; usage ;;
*) die "unknown topology '$topology' (hmem, cxl-pmem, legacy-pmem, cxl-ram, nfit)" ;;
esac
case "$kernel_set" in
stock|6.12) ;;
*) die "unknown kernel set '$kernel_set' (stock, 6.12)" ;;
esac
if [ -n "$node2_gib" ]; then
	case "$node2_gib" in *[!0-9]*|0*) die "--node2-gib wants a whole number of GiB, got '$node2_gib'" ;; esac
	[ "$topology" = hmem ] || die "--node2-gib works with --topology hmem only"
fi
case "$hmem_mib" in ''|*[!0-9]*|0*) die "--hmem-mib wants a number of MiB, got '$hmem_mib'" ;; esac
[ "$hmem_mib" -le 1024 ] && [ $((hmem_mib % 128)) = 0 ] ||
	die "--hmem-mib must be a multiple of 128 up to 1024, got $hmem_mib"
[ "$hmem_mib" = 1024 ] || [ "$topology" = hmem ] || die "--hmem-mib works with --topology hmem only"
[ ${#scenarios[@]} -gt 0 ] || { echo "$me: no scenario given" >&2; usage; }
for s in "${scenarios[@]}"; do
	[ -f "$s" ] && [ -r "$s" ] || die "scenario '$s' not found"
done
case "$timeout" in ''|*[!0-9]*) die "--timeout wants seconds" ;; esac

# ---------------------------------------------------------------- prerequisites
cache_root=${MHP_CACHE_DIR:-/var/cache/libmhp}
if [ "$kernel_set" = 6.12 ]; then
	# Paths written by scripts/install-deps.sh (no shell code is run from it).
	modern_env=$cache_root/modern/env
	[ -r "$modern_env" ] || missing "the 6.12 kernel and QEMU 10 are not unpacked ($modern_env is missing)"
	modern_get() { sed -n "s/^$1=//p" "$modern_env" | tail -n1; }
	[ -n "$kernel" ] || kernel=$(modern_get MHP_VM_KERNEL_612)
	[ -n "$modules_dir" ] || modules_dir=$(modern_get MHP_VM_MODULES_612)
	qemu=$(modern_get MHP_VM_QEMU10)
	[ -x "$qemu" ] || missing "QEMU 10 '$qemu' (from $modern_env) is not there"
	[ -d "$modules_dir" ] || missing "6.12 modules '$modules_dir' (from $modern_env) are not there"
	# Debian's default auto-online (CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE=y)
	# stays on: the scenarios start from what the kernel did by itself.
	append="memory_hotplug.memmap_on_memory=1 $append"
else
	kernel=${kernel:-${MHP_VM_KERNEL:-}}
	modules_dir=${modules_dir:-${MHP_VM_MODULES:-}}
	qemu=${MHP_VM_QEMU:-qemu-system-x86_64}
fi
command -v "$qemu" >/dev/null 2>&1 || missing "$qemu not found (package qemu-system-x86)"
qemu_major=$("$qemu" --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p')
if [ "$topology" = cxl-ram ] && [ "${qemu_major:-0}" -lt 10 ]; then
	missing "topology cxl-ram needs QEMU 10 (volatile CXL memory), $qemu is ${qemu_major:-unknown}; use --kernel-set 6.12"
fi

if [ -z "$kernel" ]; then
	for k in $(ls -1v /boot/vmlinuz-* 2>/dev/null | tac); do
		if [ -d "/lib/modules/${k#/boot/vmlinuz-}" ]; then kernel=$k; break; fi
	done
	[ -n "$kernel" ] || missing "no kernel /boot/vmlinuz-* with matching /lib/modules (package linux-image-amd64)"
fi
[ -f "$kernel" ] || missing "kernel '$kernel' not found (package linux-image-amd64, or build one with scripts/kernel/build-kernel.sh)"
[ -r "$kernel" ] || missing "kernel '$kernel' is not readable (run as root)"

busybox=${MHP_VM_BUSYBOX:-}
if [ -z "$busybox" ]; then
	for b in /bin/busybox /usr/bin/busybox; do
		[ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1 && { busybox=$b; break; }
	done
fi
[ -n "$busybox" ] || missing "static busybox not found (package busybox-static)"
for t in cpio depmod ldd sha256sum timeout xz; do
	command -v $t >/dev/null 2>&1 || missing "'$t' not found (packages cpio, kmod, libc-bin, coreutils, xz-utils)"
done
tools=()
for t in ndctl daxctl cxl jq; do
	p=$(command -v $t 2>/dev/null) || missing "'$t' not found (packages ndctl, daxctl, jq)"
	tools+=("$p")
done

# Kernel release: from /boot/vmlinuz-REL, else from the bzImage header
# (the version string lives at 0x200 + the 16-bit word at 0x20e).
kernel_release() {
	local k=$1 off
	case "$k" in /boot/vmlinuz-*) echo "${k#/boot/vmlinuz-}"; return ;; esac
	off=$(od -An -tu2 -j $((0x20e)) -N2 "$k" 2>/dev/null | tr -d ' ')
	[ -n "$off" ] || return 0
	dd if="$k" bs=1 skip=$((0x200 + off)) count=128 2>/dev/null | tr '\0' '\n' | head -n1 | awk '{print $1}'
}
krel=$(kernel_release "$kernel")
if [ -z "$modules_dir" ] && [ -n "$krel" ] && [ -d "/lib/modules/$krel" ]; then
	modules_dir=/lib/modules/$krel
fi
if [ -n "$modules_dir" ]; then
	[ -f "$modules_dir/modules.dep" ] || [ -f "$modules_dir/modules.order" ] ||
		die "--modules $modules_dir: not a /lib/modules/<release> tree"
	mrel=$(basename "$modules_dir")
	if [ -n "$krel" ] && [ "$mrel" != "$krel" ]; then
		msg "warning: kernel release '$krel' but modules from '$mrel'; using modules as /lib/modules/$krel"
		mrel=$krel
	fi
else
	mrel=
	msg "no modules for kernel release '${krel:-unknown}': assuming everything is built in"
fi

if [ -z "$cxlmem" ] && [ -f "$repo/build/tools/cxlmem/cxlmem" ] && [ -x "$repo/build/tools/cxlmem/cxlmem" ]; then
	cxlmem=$repo/build/tools/cxlmem/cxlmem
fi
if [ -n "$cxlmem" ]; then
	[ -x "$cxlmem" ] || die "--cxlmem '$cxlmem' is not an executable"
fi

# ------------------------------------------------------------------- cache dir
cache=${MHP_VM_CACHE:-$cache_root/vm}
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
	cache=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/libmhp/vm
	mkdir -p "$cache" || die "cannot create a cache directory"
fi

rundir=$(mktemp -d "${MHP_VM_RUNDIR:-${TMPDIR:-/tmp}}/mhp-vm-$topology.XXXXXX") || die "mktemp failed"
log=$rundir/console.log
qemu_pid=
cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
	rm -rf "$rundir/stage" "$rundir/layer" "$rundir/initrd.cpio" "$rundir"/cxl-*.raw "$rundir"/nvdimm-*.raw
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ------------------------------------------------------------ initramfs layers
# Manifest lines: "DST<TAB>SRC" for files.  DST is relative to the guest root.
declare -A manifest=()
add_file() { manifest["${2#/}"]=$1; }

# Add a dynamically linked program and every library ldd resolves for it.
# Libraries go to /lib/x86_64-linux-gnu (a default search path of ld.so),
# except the dynamic loader, which keeps its PT_INTERP path.
add_libs_of() {
	local bin=$1 line lib
	local out
	out=$(ldd "$bin" 2>&1) || { case "$out" in *"not a dynamic"*) return 0 ;; esac; die "ldd $bin failed: $out"; }
	while read -r line; do
		case "$line" in
		*"=> not found"*) die "$bin: missing library: ${line%% *} (set LD_LIBRARY_PATH?)" ;;
		*"=> /"*) lib=${line#*=> }; lib=${lib%% (*}; add_file "$lib" "/lib/x86_64-linux-gnu/${lib##*/}" ;;
		/*) lib=${line%% (*}; add_file "$lib" "$lib" ;;
		esac
	done <<<"$out"
}

manifest_key() {
	local k
	{
		echo "format $BASE_FORMAT"
		for k in $(printf '%s\n' "${!manifest[@]}" | LC_ALL=C sort); do
			printf '%s %s\n' "$k" "$(sha256sum <"${manifest[$k]}" | cut -c1-64)"
		done
		printf '%s\n' "$@"
	} | sha256sum | cut -c1-16
}

# A compressed module (.ko.xz, Debian since 6.x) whose destination has no
# .xz is unpacked: busybox modprobe passes the file to init_module as it is.
stage_manifest() {
	local dir=$1 k src
	for k in "${!manifest[@]}"; do
		src=${manifest[$k]}
		mkdir -p "$dir/$(dirname "$k")"
		case "$src:$k" in
		*.ko.xz:*.ko) xz -dc "$src" >"$dir/$k" || die "xz -d $src failed" ;;
		*) cp -L "$src" "$dir/$k" || die "copy $src failed" ;;
		esac
	done
}

mkcpio() { # DIR OUT
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) >"$2.tmp.$$" &&
		mv -f "$2.tmp.$$" "$2"
}

# Modules needed by the topologies and the 9p share, plus their dependencies.
want_modules="dax_hmem device_dax kmem dax_pmem nd_pmem nd_e820 nd_btt libnvdimm nfit
	cxl_acpi cxl_pci cxl_port cxl_mem cxl_pmem cxl_core dax_cxl
	9p 9pnet 9pnet_virtio virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev
	virtio virtio_ring netfs fscache"
if [ -n "$mrel" ]; then
	# shellcheck disable=SC2086 # a list of names
	while IFS= read -r f; do
		add_file "$modules_dir/$f" "/lib/modules/$mrel/${f%.xz}"
	done < <(module_closure "$modules_dir" $want_modules)
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -f "$modules_dir/$f" ] && add_file "$modules_dir/$f" "/lib/modules/$mrel/$f"
	done
fi
add_file "$busybox" /bin/busybox
for t in "${tools[@]}"; do
	add_file "$t" "/usr/bin/${t##*/}"
	add_libs_of "$t"
done
base_key=$(manifest_key "modrel=$mrel")
base=$cache/base-$base_key.cpio
if [ ! -s "$base" ]; then
	msg "building base initramfs $base"
	t0=$SECONDS
	stage=$rundir/stage
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,host,mhp,etc}
	stage_manifest "$stage"
	# Applet links are made by /init (busybox --install -s): much faster
	# than ~400 ln calls here.
	ln -s busybox "$stage/bin/sh"
	mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
	mknod -m 666 "$stage/dev/null" c 1 3 2>/dev/null || true
	if [ -n "$mrel" ]; then
		depmod -b "$stage" "$mrel" || die "depmod failed"
	fi
	mkcpio "$stage" "$base" || die "cpio failed"
	rm -rf "$stage"
	msg "base initramfs built in $((SECONDS - t0)) s"
	# Keep the cache small: drop all but the 6 newest base images.
	ls -1t "$cache"/base-*.cpio 2>/dev/null | tail -n +7 | xargs -r rm -f
else
	touch "$base"
fi

# Per-run layer: cxlmem (+ its libraries), init, helper library, topology
# setup, capture script and the scenarios.  Small, rebuilt every run.
manifest=()
if [ -n "$cxlmem" ]; then
	add_file "$cxlmem" /bin/cxlmem
	add_libs_of "$cxlmem"
fi
for b in "${bins[@]}"; do
	[ -x "$b" ] || die "--bin '$b' is not an executable (build it first: meson compile -C build)"
	add_file "$b" "/bin/${b##*/}"
	add_libs_of "$b"
done
add_file "$here/init.sh" /init
add_file "$here/lib.sh" /mhp/lib.sh
for f in "$here"/topology/*.sh; do add_file "$f" "/mhp/topology/${f##*/}"; done
[ -f "$repo/scripts/mhp-capture-sysfs" ] && add_file "$repo/scripts/mhp-capture-sysfs" /usr/sbin/mhp-capture-sysfs
i=0 names=()
for s in "${scenarios[@]}"; do
	i=$((i + 1))
	n=$(printf '%02d-%s' $i "$(basename "$s")")
	add_file "$s" "/mhp/scenarios/$n"
	names+=("$n")
done
layer=$rundir/layer
mkdir -p "$layer/mhp"
stage_manifest "$layer"
chmod 755 "$layer/init" "$layer"/mhp/*.sh "$layer"/mhp/scenarios/* 2>/dev/null
[ -f "$layer/usr/sbin/mhp-capture-sysfs" ] && chmod 755 "$layer/usr/sbin/mhp-capture-sysfs"
nonce=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
{
	echo "MHP_TOPOLOGY=$topology"
	echo "MHP_VM_SETUP=$setup"
	echo "MHP_KERNEL_SET=$kernel_set"
	echo "MHP_NONCE=$nonce"
	echo "MHP_SCENARIOS='${names[*]}'"
} >"$layer/mhp/vm.conf"
mkcpio "$layer" "$rundir/layer.cpio" || die "cpio failed"
cat "$base" "$rundir/layer.cpio" >"$rundir/initrd.cpio"
rm -f "$rundir/layer.cpio"

# --------------------------------------------------------------------- qemu
if [ -z "$share" ]; then
	share=$rundir/share
fi
mkdir -p "$share" || die "cannot create share dir $share"
share=$(cd "$share" && pwd)

machine=q35
# panic_on_oops: a kernel BUG ends the run at once instead of hanging it
cmdline="console=ttyS0 panic=-1 panic_on_oops=1 loglevel=5"
numa=(-object memory-backend-ram,id=m0,size=2G -object memory-backend-ram,id=m1,size=1G
	-numa node,nodeid=0,memdev=m0,cpus=0-1 -numa node,nodeid=1,memdev=m1)
case "$topology" in
hmem)
	topo=(-m 3G "${numa[@]}")
	cmdline="$cmdline memmap=${hmem_mib}M%4G+0xefffffff"
	if [ -n "$node2_gib" ]; then
		# node 0: 2G below the PCI hole, node 1: 4G-5G, node 2 from 5G
		topo=(-m "$((3 + node2_gib))G" "${numa[@]}"
			-object "memory-backend-ram,id=m2,size=${node2_gib}G"
			-numa node,nodeid=2,memdev=m2)
		cmdline="$cmdline memmap=${node2_gib}G%5G+0xefffffff"
	fi
	;;
legacy-pmem)
	topo=(-m 3G "${numa[@]}")
	cmdline="$cmdline memmap=1G!4G"
	;;
cxl-pmem)
	machine=q35,cxl=on
	# One CPU node with all the RAM: the SRAT then exists and the kernel
	# gives the CXL window (CFMWS) a CPU-less node of its own.
	topo=(-m 2G -object memory-backend-ram,id=m0,size=2G
		-numa node,nodeid=0,memdev=m0,cpus=0-1
		-object "memory-backend-file,id=cxl-mem1,share=on,mem-path=$rundir/cxl-mem1.raw,size=512M"
		-object "memory-backend-file,id=cxl-lsa1,share=on,mem-path=$rundir/cxl-lsa1.raw,size=256M"
		-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1
		# Two root ports, one empty: with a single one Linux uses a
		# passthrough host-bridge decoder, which QEMU 7.2 cannot route,
		# and the region then reads as zeros and drops every write.
		-device cxl-rp,port=0,bus=cxl.1,id=root_port13,chassis=0,slot=2
		-device cxl-rp,port=1,bus=cxl.1,id=root_port14,chassis=0,slot=3
		-device cxl-type3,bus=root_port13,memdev=cxl-mem1,lsa=cxl-lsa1,id=cxl-pmem0
		-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G)
	;;
cxl-ram)
	machine=q35,cxl=on
	# As cxl-pmem (one CPU node, so the CFMWS gets CPU-less node 1; two
	# root ports, one empty), with 1 GiB of volatile memory on the type-3
	# device. Without the hypervisor CPUID bit: 6.12 will not commit a
	# region when it cannot flush CPU caches, which it assumes it cannot
	# do in a VM ("Failed to synchronize CPU cache state").
	topo=(-cpu qemu64,-hypervisor
		-m 2G -object memory-backend-ram,id=m0,size=2G
		-numa node,nodeid=0,memdev=m0,cpus=0-1
		-object memory-backend-ram,id=cxl-ram1,share=on,size=1G
		-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1
		-device cxl-rp,port=0,bus=cxl.1,id=root_port13,chassis=0,slot=2
		-device cxl-rp,port=1,bus=cxl.1,id=root_port14,chassis=0,slot=3
		-device cxl-type3,bus=root_port13,volatile-memdev=cxl-ram1,id=cxl-ram0
		-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G)
	;;
nfit)
	# An ACPI NFIT bus (nvdimm=on) with one labelled NVDIMM on the
	# memory-only node 1, for ndctl's own tests. label-size= gives it a
	# label area (namespaces need one; topology/nfit.sh leaves it blank
	# for the test to initialise); align=128M puts the region on memory
	# block boundaries. QEMU carves the labels off the end and aligns the
	# rest down to 128M: an 896 MiB region. Sparse file in the run dir.
	machine=q35,nvdimm=on
	topo=(-m 3G,slots=2,maxmem=8G "${numa[@]}"
		-object "memory-backend-file,id=nvmem0,share=on,mem-path=$rundir/nvdimm-0.raw,size=1G,align=128M"
		-device nvdimm,id=nvdimm0,memdev=nvmem0,node=1,label-size=128K)
	;;
esac
[ -n "$append" ] && cmdline="$cmdline $append"

qemu_cmd=("$qemu" -accel tcg -M "$machine" -smp 2 "${topo[@]}"
	-nodefaults -display none -no-reboot -serial stdio -monitor none
	-kernel "$kernel" -initrd "$rundir/initrd.cpio" -append "$cmdline"
	-fsdev "local,id=hostfs,path=$share,security_model=none"
	-device virtio-9p-pci,bus=pcie.0,fsdev=hostfs,mount_tag=host
	"${qemu_extra[@]}")

msg "topology=$topology kernel set $kernel_set: kernel=$kernel modules=${mrel:-none} qemu=$qemu cxlmem=${cxlmem:-none}"
msg "console log: $log"
msg "host share (guest /host): $share"
echo "${qemu_cmd[*]}" >"$rundir/qemu.cmd"

boot_guest "$log" "MHP-VM-RESULT: $nonce" 15
echo "$elapsed" >"$rundir/elapsed"

tail_log() {
	# Guest-side output (setup, scenarios) without kernel messages, if the
	# guest got that far; otherwise the raw tail (boot/panic messages).
	if grep -aq MHP-VM-SETUP-BEGIN "$log"; then
		echo "---- guest output, last 60 lines without kernel messages ($log) ----" >&2
		tr -d '\r' <"$log" | sed -n '/MHP-VM-SETUP-BEGIN/,$p' |
			sed '/^==== mhp-vm: dmesg tail/,/^==== end of dmesg/d' |
			grep -av '^\[ *[0-9][0-9]*\.[0-9]*\]' | tail -n 60 >&2
	else
		echo "---- last 40 console lines ($log) ----" >&2
		tail -n 40 "$log" | tr -d '\r' >&2
	fi
	echo "----" >&2
}

result=$(tr -d '\r' <"$log" | sed -n "s/^.*MHP-VM-RESULT: $nonce \([0-9][0-9]*\).*$/\1/p" | tail -n1)
if [ -z "$result" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "$me: FAIL: VM timed out after ${timeout}s (topology $topology)" >&2
	elif grep -aq "Kernel panic" "$log"; then
		echo "$me: FAIL: kernel panic (topology $topology)" >&2
	else
		echo "$me: FAIL: VM exited (qemu status $qrc) without a result marker" >&2
	fi
	tail_log
	echo "$me: full console log: $log" >&2
	exit 1
fi
# A kernel warning (WARN, BUG, lockdep) fails a run whose scenarios passed,
# unless it was allowed.
kwarn='^(\[ *[0-9.]+\] )?(WARNING: |BUG: |kernel BUG at )'
warnings=$(tr -d '\r' <"$log" | grep -aE "$kwarn")
if [ -n "$warnings" ] && [ ${#allowed_warnings[@]} -gt 0 ]; then
	msg "allowed kernel warnings: $(grep -cE "${allowed_warnings[@]}" <<<"$warnings")"
	warnings=$(grep -vE "${allowed_warnings[@]}" <<<"$warnings")
fi
if [ "$result" = 0 ] && [ -n "$warnings" ]; then
	echo "$me: FAIL: the kernel logged a warning (topology $topology):" >&2
	while read -r w; do
		tr -d '\r' <"$log" | grep -aF -A12 -- "$w" | head -n 14 >&2
	done <<<"$warnings"
	msg "full console log: $log"
	exit 1
fi
skipped=$(tr -d '\r' <"$log" | sed -n 's/^MHP-VM-SCENARIO-END: \(.*\) SKIP (status 77)$/\1/p')
if [ "$require_pass" = 1 ] && [ -n "$skipped" ]; then
	echo "$me: FAIL: --require-pass, but these scenarios skipped: $(tr "\n" " " <<<"$skipped")(topology $topology)" >&2
	[ "$quiet" = 1 ] && tail_log
	msg "full console log: $log"
	exit 1
fi
case "$result" in
0) msg "PASS (topology $topology, ${elapsed}s)"; [ "$quiet" = 1 ] || true ;;
77) msg "SKIP: all scenarios skipped (topology $topology, ${elapsed}s)" ;;
*) echo "$me: FAIL: scenario status $result (topology $topology, ${elapsed}s)" >&2
   [ "$quiet" = 1 ] && tail_log
   result=1 ;;
esac
msg "full console log: $log"
exit "$result"
