#!/bin/bash
# Run ndctl 76.1's own test/daxctl-devices.sh, unmodified, twice in the same
# run: with Debian's daxctl 76.1, then with DAXCTL=cxlmem-daxctl. The test
# is fetched from Debian's ndctl source package into a cache directory, so
# the peer's script is used as it ships and is never copied into this tree.
#
#   run-ndctl-test.sh [CXLMEM-DAXCTL]      (default: cxlmem-daxctl in PATH)
#
# Environment: MHP_NDCTL_CACHE (default ~/.cache/mhp/ndctl-src);
# MHP_NDCTL_SRC=DIR uses an unpacked ndctl 76.1 source tree instead of
# apt-get source (e.g. 'git archive v76.1' of github.com/pmem/ndctl), for a
# mirror that serves binary packages only (apt-get source got 404 for
# ndctl_76.1.orig.tar.gz through this project's build machine's proxy).
# Exit status: 0 both passed, 77 the test skipped itself (no victim
# namespace, no kmem), 1 otherwise. It prints which implementation failed.
#
# It must run as root in a VM (it destroys and creates a namespace and
# hot-adds its memory). NOT on a real machine's NVDIMMs. What the VM needs:
#
#  QEMU (TCG is enough):
#    qemu-system-x86_64 -machine pc,nvdimm=on -m 2G,slots=4,maxmem=8G \
#      -object memory-backend-file,id=nvmem0,share=on,mem-path=nvdimm0.img,size=1G,align=128M \
#      -device nvdimm,id=nvdimm0,memdev=nvmem0,label-size=128K ...
#    The ACPI NFIT bus ("ACPI.NFIT", test/common's ACPI_BUS) comes from
#    nvdimm=on; label-size= gives the DIMM a label area, which namespaces
#    need; align=128M keeps the region on memory-block boundaries.
#  Kernel: CONFIG_ACPI_NFIT, CONFIG_LIBNVDIMM, CONFIG_BLK_DEV_PMEM,
#    CONFIG_DEV_DAX_PMEM, CONFIG_DEV_DAX_KMEM (module "kmem", found by
#    modinfo, or built in), CONFIG_MEMORY_HOTPLUG, CONFIG_MEMORY_HOTREMOVE.
#    Debian's 6.1 kernel has them all.
#  Guest userspace (Debian 12): ndctl, daxctl (76.1), jq, kmod, the cxlmem
#    package (cxlmem and its cxlmem-daxctl link), and apt with a deb-src
#    line for bookworm (this script adds one in a private file if missing)
#    and network, or MHP_NDCTL_CACHE already filled.
#  Before the first run, label the DIMM once (this script does it when the
#    bus has no idle namespace):
#    ndctl disable-region -b ACPI.NFIT all
#    ndctl init-labels -f -b ACPI.NFIT all
#    ndctl enable-region -b ACPI.NFIT all
#  /sys/devices/system/memory/auto_online_blocks may be anything: the test
#    saves it, sets offline, and checks that -N fails under "online".
set -u
cxlmem_daxctl=${1:-$(command -v cxlmem-daxctl)}
cache=${MHP_NDCTL_CACHE:-$HOME/.cache/mhp/ndctl-src}
version=76.1

die() {
	echo "run-ndctl-test: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root, in a VM: the test creates namespaces and hot-adds memory"
[ -x "$cxlmem_daxctl" ] || die "no cxlmem-daxctl (give its path; it is a link to cxlmem)"
for tool in ndctl daxctl jq modinfo; do
	command -v "$tool" >/dev/null || die "$tool is missing: apt-get install ndctl daxctl jq kmod"
done
daxctl --version | grep -qx "$version" ||
	echo "run-ndctl-test: warning: daxctl is $(daxctl --version), the test is $version's" >&2

# ndctl's source package, once
src=${MHP_NDCTL_SRC:-$cache/ndctl-$version}
if [ -z "${MHP_NDCTL_SRC:-}" ] && [ ! -f "$src/test/daxctl-devices.sh" ]; then
	if ! apt-get source --print-uris ndctl >/dev/null 2>&1; then
		echo 'deb-src http://deb.debian.org/debian bookworm main' \
			>/etc/apt/sources.list.d/mhp-ndctl-src.list
		apt-get update -q || die "apt-get update failed"
	fi
	mkdir -p "$cache"
	(cd "$cache" && apt-get source -q ndctl="$version-1") ||
		die "apt-get source ndctl=$version-1 failed; see above"
	src=$cache/ndctl-$version
fi
[ -f "$src/test/daxctl-devices.sh" ] || die "$src/test/daxctl-devices.sh is missing"

# a victim: an idle namespace on the NFIT bus; label the DIMM if there is none
if ! ndctl list -b ACPI.NFIT -Ni | jq -e '.[0].dev' >/dev/null 2>&1; then
	if ! { ndctl disable-region -b ACPI.NFIT all &&
		ndctl init-labels -f -b ACPI.NFIT all &&
		ndctl enable-region -b ACPI.NFIT all; }; then
		die "no ACPI.NFIT namespace and the DIMM cannot be labelled: QEMU needs -machine nvdimm=on and label-size="
	fi
fi

# test/common wants NDCTL, DAXCTL and CXL (unused by this test) to be set
run() {
	local name=$1 dx=$2 rc
	echo "=== daxctl-devices.sh with $name ($dx)"
	(cd "$src/test" && NDCTL=$(command -v ndctl) DAXCTL=$dx CXL=${CXL:-$(command -v cxl || echo /bin/false)} \
		TEST_PATH=. bash ./daxctl-devices.sh)
	rc=$?
	echo "=== $name: exit status $rc"
	return "$rc"
}

run "daxctl $version" "$(command -v daxctl)"
rc_daxctl=$?
run "cxlmem-daxctl" "$cxlmem_daxctl"
rc_cxlmem=$?

if [ "$rc_daxctl" -eq 77 ] && [ "$rc_cxlmem" -eq 77 ]; then
	echo "run-ndctl-test: the test skipped itself (no victim namespace or no kmem)"
	exit 77
fi
[ "$rc_daxctl" -eq 0 ] || echo "run-ndctl-test: FAIL with daxctl $version (the VM, not cxlmem)" >&2
[ "$rc_cxlmem" -eq 0 ] || echo "run-ndctl-test: FAIL with cxlmem-daxctl" >&2
[ "$rc_daxctl" -eq 0 ] && [ "$rc_cxlmem" -eq 0 ] && echo "run-ndctl-test: both passed"
[ "$rc_daxctl" -eq 0 ] && [ "$rc_cxlmem" -eq 0 ]
