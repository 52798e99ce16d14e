#!/bin/bash
# Run ndctl 76.1's own test/daxctl-devices.sh, unmodified, twice in the same
# run: with Debian's daxctl 76.1, then with DAXCTL=cxlmem-daxctl.
#
#   run-ndctl-test.sh [CXLMEM-DAXCTL]   run both (as root, in a VM)
#   run-ndctl-test.sh --fetch           only fill the cache; print the
#                                       directory that holds test/
#
# The test comes from ndctl 76.1's source, kept unpacked in a cache, so the
# peer's script is used as it ships and is never copied into this tree. In
# this order, the first that works:
#   1. $MHP_NDCTL_SRC, an unpacked ndctl 76.1 tree, used as it is;
#   2. the cache, $MHP_CACHE_DIR/ndctl/ndctl-76.1/test (MHP_CACHE_DIR
#      defaults to /var/cache/libmhp; when that is not writable,
#      ~/.cache/libmhp), with SOURCE saying where it came from;
#   3. `apt-get source ndctl=76.1-1` (needs a bookworm deb-src line and
#      dpkg-dev; some mirrors serve binary packages only and answer 404);
#   4. $MHP_NDCTL_GIT, the git directory of an ndctl clone or mirror that
#      has the tag v76.1 (git clone --mirror https://github.com/pmem/ndctl):
#      `git archive v76.1 test`.
# When none works the run skips (77), or fails under CI=true, naming these
# variables.
#
# Exit status: 0 both passed; 77 the test skipped itself in both runs (no
# victim namespace, no kmem) or its source is missing, unless CI=true, where
# either is a failure; 1 otherwise. It prints which implementation failed.
#
# It must run as root in a throw-away VM: it labels the DIMM, destroys and
# creates a namespace and hot-adds its memory. NOT on a real machine's
# NVDIMMs. tests/daxctl/ndctl-test-vm.sh runs it in the harness's nfit
# topology (tests/vm/run-vm.sh --topology nfit). What a VM needs:
#
#  QEMU (TCG is enough):
#    qemu-system-x86_64 -machine q35,nvdimm=on -m 3G,slots=2,maxmem=8G \
#      -object memory-backend-file,id=nvmem0,share=on,mem-path=nvdimm0.img,size=1G,align=128M \
#      -device nvdimm,id=nvdimm0,memdev=nvmem0,label-size=128K ...
#    The ACPI NFIT bus ("ACPI.NFIT", test/common's ACPI_BUS) comes from
#    nvdimm=on; label-size= gives the DIMM a label area, which namespaces
#    need; align=128M keeps the region on memory-block boundaries.
#  Kernel: CONFIG_ACPI_NFIT, CONFIG_LIBNVDIMM, CONFIG_BLK_DEV_PMEM,
#    CONFIG_DEV_DAX_PMEM, CONFIG_DEV_DAX_KMEM (module "kmem", found by
#    modinfo, or built in), CONFIG_MEMORY_HOTPLUG, CONFIG_MEMORY_HOTREMOVE.
#    Debian's 6.1 kernel has them all.
#  Userspace: bash (the test's #!/bin/bash -Ex), ndctl, daxctl (76.1), jq,
#    modinfo, cat, dirname, printf, and cxlmem with its cxlmem-daxctl link.
#  The DIMM's labels: a blank label area (no valid index block, as QEMU
#    makes it) is initialised here with ndctl init-labels.
#  /sys/devices/system/memory/auto_online_blocks may be anything: the test
#    saves it, sets offline, and checks that -N fails under "online".
set -u
version=76.1
me=run-ndctl-test

die() {
	echo "$me: $*" >&2
	exit 1
}

# A missing prerequisite: skip, or fail under CI=true.
missing() {
	if [ "${CI:-}" = true ]; then
		echo "$me: FAIL: $* (CI=true, so this is an error)" >&2
		exit 1
	fi
	echo "$me: SKIP: $*" >&2
	exit 77
}

cache_dir() {
	local root=${MHP_CACHE_DIR:-/var/cache/libmhp}
	if mkdir -p "$root/ndctl" 2>/dev/null && [ -w "$root/ndctl" ]; then
		echo "$root/ndctl"
	else
		root=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/libmhp/ndctl
		mkdir -p "$root" || die "cannot create a cache directory ($root)"
		echo "$root"
	fi
}

# fetch_apt DIR: ndctl's test/ from Debian's source package into DIR/test.
fetch_apt() {
	local dir=$1 tmp
	if ! command -v apt-get >/dev/null || ! command -v dpkg-source >/dev/null; then
		echo "$me: no apt-get or dpkg-source (package dpkg-dev): not trying apt-get source" >&2
		return 1
	fi
	tmp=$(mktemp -d "$dir.apt.XXXXXX") || return 1
	if (cd "$tmp" && apt-get source -q ndctl="$version-1") >&2 &&
		[ -f "$tmp/ndctl-$version/test/daxctl-devices.sh" ]; then
		mv "$tmp/ndctl-$version/test" "$dir/test" &&
			echo "apt-get source ndctl=$version-1" >"$dir/SOURCE"
		rm -rf "$tmp"
		return 0
	fi
	rm -rf "$tmp"
	echo "$me: apt-get source ndctl=$version-1 failed (see above)" >&2
	return 1
}

# fetch_git DIR: test/ from tag v76.1 of the git directory $MHP_NDCTL_GIT.
fetch_git() {
	local dir=$1 git=${MHP_NDCTL_GIT:-} commit
	[ -n "$git" ] || return 1
	commit=$(git --git-dir="$git" rev-parse -q --verify "v$version^{commit}") ||
		{ echo "$me: MHP_NDCTL_GIT=$git has no tag v$version" >&2; return 1; }
	git --git-dir="$git" archive "$commit" test | tar -x -C "$dir" ||
		{ echo "$me: git archive v$version test from $git failed" >&2; return 1; }
	echo "git archive v$version ($commit) of $git" >"$dir/SOURCE"
}

# fetch: print a directory with test/daxctl-devices.sh, filling the cache.
fetch() {
	local cache dir
	if [ -n "${MHP_NDCTL_SRC:-}" ]; then
		[ -f "$MHP_NDCTL_SRC/test/daxctl-devices.sh" ] ||
			die "MHP_NDCTL_SRC=$MHP_NDCTL_SRC has no test/daxctl-devices.sh (it must be an unpacked ndctl $version tree)"
		echo "$MHP_NDCTL_SRC"
		return
	fi
	cache=$(cache_dir) || exit 1
	dir=$cache/ndctl-$version
	if [ ! -f "$dir/test/daxctl-devices.sh" ]; then
		rm -rf "$dir.new"
		mkdir -p "$dir.new" || die "cannot create $dir.new"
		if fetch_apt "$dir.new" || fetch_git "$dir.new"; then
			rm -rf "$dir"
			mv "$dir.new" "$dir" || die "cannot move $dir.new to $dir"
		else
			rm -rf "$dir.new"
			missing "ndctl $version's test/daxctl-devices.sh is not available: apt-get source failed and MHP_NDCTL_GIT is ${MHP_NDCTL_GIT:+not usable}${MHP_NDCTL_GIT:-not set}; set MHP_NDCTL_GIT to an ndctl git mirror with tag v$version, or MHP_NDCTL_SRC to an unpacked ndctl $version tree"
		fi
		echo "$me: cached ndctl $version's test/ in $dir ($(cat "$dir/SOURCE"))" >&2
	fi
	echo "$dir"
}

if [ "${1:-}" = --fetch ]; then
	fetch
	exit 0
fi

cxlmem_daxctl=${1:-$(command -v cxlmem-daxctl)}
[ "$(id -u)" = 0 ] || die "run as root, in a VM: the test creates namespaces and hot-adds memory"
[ -x "$cxlmem_daxctl" ] || die "no cxlmem-daxctl '$cxlmem_daxctl' (give its path; it is a link to cxlmem)"
for tool in bash ndctl daxctl jq modinfo; do
	command -v "$tool" >/dev/null || missing "$tool is missing (packages bash, ndctl, daxctl, jq, kmod)"
done
daxctl --version | grep -qx "$version" ||
	echo "$me: warning: daxctl is $(daxctl --version), the test is $version's" >&2

src=$(fetch) || exit $?
[ -x "$src/test/daxctl-devices.sh" ] || die "$src/test/daxctl-devices.sh is not executable (it runs as its #! line says)"
echo "$me: ndctl $version's test from $src ($(cat "$src/SOURCE" 2>/dev/null || echo "MHP_NDCTL_SRC")):" \
	"daxctl-devices.sh sha256 $(sha256sum <"$src/test/daxctl-devices.sh" | cut -c1-64)"

# A blank label area (QEMU's) has no valid index block: initialise it.
if ! ndctl check-labels -b ACPI.NFIT all >/dev/null 2>&1; then
	echo "$me: the ACPI.NFIT DIMMs have no valid labels: ndctl init-labels"
	if ! { ndctl disable-region -b ACPI.NFIT all &&
		ndctl init-labels -f -b ACPI.NFIT all &&
		ndctl enable-region -b ACPI.NFIT all; }; then
		die "the ACPI.NFIT DIMMs cannot be labelled: QEMU needs -machine nvdimm=on and label-size= on the nvdimm device"
	fi
fi

# test/common wants NDCTL, DAXCTL and CXL (unused by this test) to be set.
# The test runs as its #! line says (bash -Ex): -E makes its ERR trap,
# and so its failure status, reach into its functions.
run() {
	local name=$1 dx=$2 rc
	echo "=== daxctl-devices.sh with $name ($dx)"
	(cd "$src/test" && NDCTL=$(command -v ndctl) DAXCTL=$dx \
		CXL=${CXL:-$(command -v cxl || echo /bin/false)} TEST_PATH=. ./daxctl-devices.sh)
	rc=$?
	echo "=== $name: exit status $rc"
	return "$rc"
}

run "daxctl $version" "$(command -v daxctl)"
rc_daxctl=$?
run "cxlmem-daxctl" "$cxlmem_daxctl"
rc_cxlmem=$?

if [ "$rc_daxctl" -eq 77 ] || [ "$rc_cxlmem" -eq 77 ]; then
	if [ "$rc_daxctl" -eq 77 ] && [ "$rc_cxlmem" -eq 77 ]; then
		missing "the test skipped itself (no victim namespace on ACPI.NFIT, or no kmem)"
	fi
	echo "$me: FAIL: the test skipped itself with one implementation only" >&2
	exit 1
fi
[ "$rc_daxctl" -eq 0 ] || echo "$me: FAIL with daxctl $version (the VM, not cxlmem)" >&2
[ "$rc_cxlmem" -eq 0 ] || echo "$me: FAIL with cxlmem-daxctl" >&2
[ "$rc_daxctl" -eq 0 ] && [ "$rc_cxlmem" -eq 0 ] || exit 1
echo "$me: both passed"
