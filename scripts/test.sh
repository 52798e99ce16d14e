#!/bin/bash
# The whole test suite: unit and fixture tests under ASan/UBSan, the QEMU
# VM tests (the stock Debian 6.1 kernel on QEMU 7.2, and bookworm-backports'
# 6.12 on QEMU 10, which install-deps.sh unpacks without installing it), and
# the kernel series (build, checkpatch, boot tests). Installs what it needs
# when run as root.
#
#   scripts/test.sh [--no-kernel] [--quick]
#     --no-kernel  skip building/booting the patched 6.1 kernel
#     --quick      unit and fixture tests only
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

kernel=1
vm=1
for arg in "$@"; do
	case "$arg" in
	--no-kernel) kernel=0 ;;
	--quick) kernel=0; vm=0 ;;
	*) echo "test.sh: unknown option '$arg'" >&2; exit 2 ;;
	esac
done

if [ "$(id -u)" = 0 ]; then
	flags=""
	[ "$kernel" = 1 ] && flags="--kernel"
	[ "$vm" = 0 ] && flags="--no-vm"
	scripts/install-deps.sh $flags
fi

export MHP_CACHE_DIR=${MHP_CACHE_DIR:-/var/cache/libmhp}
mkdir -p "$MHP_CACHE_DIR" 2>/dev/null || export MHP_CACHE_DIR="$HOME/.cache/libmhp"

run() { echo "+ $*"; "$@"; }

# The two kernel builds are the longest step of a cold run. Start them now,
# at the lowest priority, so that they use the CPU the sanitizer tests and
# the TCG guests leave idle; step 3 waits for them. The build script stamps
# and locks its output, so step 3's build tests find the images up to date
# (or rebuild and report the error if this failed).
kbuild_pid=
if [ "$kernel" = 1 ]; then
	kbuild_log=$MHP_CACHE_DIR/kernel-prebuild.log
	echo "+ building the 6.1 kernels in the background (log: $kbuild_log)"
	setsid nice -n 19 bash -c 'for v in hugetlb nohugetlb; do
		scripts/kernel/build-kernel.sh --variant "$v" || exit 1; done' \
		>"$kbuild_log" 2>&1 &
	kbuild_pid=$!
	trap '[ -n "$kbuild_pid" ] && kill -- -"$kbuild_pid" 2>/dev/null' EXIT
fi

# 1. Unit and fixture tests with sanitizers and -Werror.
[ -f build-asan/build.ninja ] ||
	run meson setup build-asan --werror -Db_sanitize=address,undefined \
		-Db_lundef=false
run meson compile -C build-asan
run meson test -C build-asan --print-errorlogs --no-suite vm --no-suite kernel

[ "$vm" = 1 ] || exit 0

# 2. VM tests (Debian's 6.1 and backports' 6.12 under QEMU TCG) with a plain build.
[ -f build/build.ninja ] || run meson setup build --werror
run meson compile -C build
# The project's Debian packages, for the systemd boot test (vm-systemd-*):
# built from this tree unless a build of it is already in the cache.
run tests/vm/systemd/build-deb.sh >/dev/null
run meson test -C build --print-errorlogs --suite vm --num-processes 1 \
	--timeout-multiplier 2

[ "$kernel" = 1 ] || exit 0

# 3. The 6.1 kernel series: apply, checkpatch, build, boot tests.
echo "+ waiting for the background kernel builds"
wait "$kbuild_pid" || echo "background kernel build failed; the kernel-build tests rebuild and report it"
kbuild_pid=
tail -n 4 "$kbuild_log"
run meson test -C build --print-errorlogs --suite kernel --num-processes 1 \
	--timeout-multiplier 2
