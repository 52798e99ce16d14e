#!/bin/sh
# Install everything libmhp needs to build and test, from Debian's packages.
# Idempotent; run as root.
#
# Usage: scripts/install-deps.sh [--no-vm] [--no-modern] [--refresh-modern] [--kernel]
#   --no-vm           build dependencies only (no QEMU, kernel, guest tools)
#   --no-modern       do not fetch the modern VM stack (see below)
#   --refresh-modern  re-resolve the modern stack even if it is cached
#   --kernel          also what the 6.1 kernel series needs (linux-source-6.1, ...)
#
# The VM packages include what the systemd boot test needs
# (tests/vm/run-systemd.sh): debootstrap and e2fsprogs for its cached
# Debian 12 image, dpkg-dev and debhelper to build the project's packages.
#
# The modern VM stack: bookworm-backports' 6.12 kernel (linux-image-amd64)
# and QEMU 10 (qemu-system-x86), for the VM tests of kernels that bind kmem
# and online memory by themselves, and of CXL RAM regions (QEMU 7.2 cannot
# create volatile CXL memory). They are fetched with `apt-get download`
# through a private apt configuration whose sources, lists, cache and (empty)
# dpkg status live under $MHP_CACHE_DIR/modern/apt, and unpacked with
# `dpkg-deb -x` under $MHP_CACHE_DIR/modern. Nothing is installed: the
# system's apt sources, lists and pins are untouched, so a plain
# `apt-get install` picks exactly what it picked before, and the stock 6.1
# tests keep running on Debian 12's kernel and QEMU 7.2. The paths are
# written to $MHP_CACHE_DIR/modern/env, which tests/vm/run-vm.sh reads.
# A second run finds the cache and uses no network.
set -eu

build_pkgs="meson ninja-build pkg-config gcc libc6-dev python3
	libcxl-dev libdaxctl-dev libndctl-dev libkmod-dev libjson-c-dev libcmocka-dev
	libiniparser-dev scdoc bash-completion clang libclang-rt-14-dev
	python3-prometheus-client"
vm_pkgs="qemu-system-x86 linux-image-amd64 busybox-static cpio xz-utils
	kmod ndctl daxctl jq
	debootstrap e2fsprogs git dpkg-dev debhelper"
kernel_pkgs="linux-source-6.1 bc bison flex libelf-dev libssl-dev ccache patch
	quilt perl make"

want="$build_pkgs"
vm=1
modern=1
refresh=0
kernel=0
for arg in "$@"; do
	case "$arg" in
	--no-vm) vm=0; modern=0 ;;
	--no-modern) modern=0 ;;
	--refresh-modern) refresh=1 ;;
	--kernel) kernel=1 ;;
	*) echo "install-deps: unknown option '$arg'" >&2; exit 2 ;;
	esac
done
[ "$vm" = 1 ] && want="$want $vm_pkgs"
[ "$kernel" = 1 ] && want="$want $kernel_pkgs"

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root (apt-get install)" >&2
	exit 1
fi

install_missing() {
	missing=""
	for p in $want; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	if [ -z "$missing" ]; then
		echo "install-deps: all packages present"
		return 0
	fi
	echo "install-deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
}

# ------------------------------------------------------------ modern stack
cache=${MHP_CACHE_DIR:-/var/cache/libmhp}
modern_dir=$cache/modern
aptdir=$modern_dir/apt
envfile=$modern_dir/env
backports_uri=${MHP_BACKPORTS_URI:-http://deb.debian.org/debian}

modern_die() {
	echo "install-deps: error: modern VM stack: $*" >&2
	echo "install-deps: (skip it with --no-modern; the 6.12 VM tests then skip, or fail under CI=true)" >&2
	exit 1
}

# The private apt: only bookworm-backports, an empty dpkg status (so apt sees
# no installed package and the backports version is the only candidate), no
# system sources.list.d, preferences or cache. Downloads go to directories
# under the cache that the _apt sandbox user cannot write, so apt runs as root.
private_apt() {
	cmd=$1; shift
	"$cmd" -q \
		-o Dir::Etc::sourcelist="$aptdir/sources.list" \
		-o Dir::Etc::sourceparts="$aptdir/sources.list.d" \
		-o Dir::Etc::preferences="$aptdir/preferences" \
		-o Dir::Etc::preferencesparts="$aptdir/preferences.d" \
		-o Dir::State="$aptdir/state" \
		-o Dir::State::status="$aptdir/state/status" \
		-o Dir::Cache="$aptdir/cache" \
		-o APT::Get::List-Cleanup=0 \
		-o APT::Sandbox::User=root \
		"$@"
}

setup_private_apt() {
	mkdir -p "$aptdir/sources.list.d" "$aptdir/preferences.d" \
		"$aptdir/state/lists/partial" "$aptdir/cache/archives/partial"
	: >"$aptdir/state/status"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $backports_uri bookworm-backports main" \
		>"$aptdir/sources.list"
	private_apt apt-get update >/dev/null || modern_die "apt-get update of bookworm-backports ($backports_uri) failed"
}

# pkg_field PKG FIELD: a field of the (only) candidate of PKG in backports
pkg_field() {
	private_apt apt-cache show "$1" 2>/dev/null |
		awk -v f="$2:" '$1 == f { sub(/^[^:]*: */, ""); print; exit }'
}

# download PKG: the .deb of PKG's backports candidate, kept in
# debs/PKG/VERSION/ (a second run reuses it); prints its path
download() {
	ver=$(pkg_field "$1" Version)
	[ -n "$ver" ] || modern_die "package $1 not found in bookworm-backports"
	dir=$modern_dir/debs/$1/$(echo "$ver" | tr ':' '_')
	if ! find "$dir" -name '*.deb' 2>/dev/null | grep -q .; then
		mkdir -p "$dir"
		echo "install-deps: downloading $1 $ver" >&2
		(cd "$dir" && private_apt apt-get download "$1=$ver" >/dev/null) ||
			modern_die "apt-get download $1=$ver failed"
	fi
	find "$dir" -name '*.deb' | head -n1
}

fetch_kernel() {
	# The metapackage names the versioned image (its name moves on).
	image=$(pkg_field linux-image-amd64 Depends | sed 's/[ ,(].*//')
	case "$image" in
	linux-image-6.*) ;;
	*) modern_die "bookworm-backports' linux-image-amd64 depends on '$image', not a linux-image-6.* package" ;;
	esac
	rel=${image#linux-image-}
	kroot=$modern_dir/kernel/$rel
	if [ ! -s "$kroot/lib/modules/$rel/modules.dep" ] || [ ! -f "$kroot/boot/vmlinuz-$rel" ]; then
		deb=$(download "$image")
		echo "install-deps: unpacking $(basename "$deb")"
		rm -rf "$kroot.tmp"
		mkdir -p "$kroot.tmp"
		dpkg-deb -x "$deb" "$kroot.tmp" || modern_die "dpkg-deb -x $deb failed"
		# The package keeps its modules in lib/ or, merged-/usr, usr/lib/.
		if [ ! -d "$kroot.tmp/lib/modules/$rel" ] && [ -d "$kroot.tmp/usr/lib/modules/$rel" ]; then
			mkdir -p "$kroot.tmp/lib/modules"
			mv "$kroot.tmp/usr/lib/modules/$rel" "$kroot.tmp/lib/modules/$rel"
		fi
		[ -f "$kroot.tmp/boot/vmlinuz-$rel" ] || modern_die "$deb has no boot/vmlinuz-$rel"
		# A package's modules.dep is made by its postinst; make it here.
		depmod -b "$kroot.tmp" "$rel" || modern_die "depmod -b $kroot.tmp $rel failed"
		rm -rf "$kroot"
		mv "$kroot.tmp" "$kroot"
	fi
	MHP_VM_KERNEL_612=$kroot/boot/vmlinuz-$rel
	MHP_VM_MODULES_612=$kroot/lib/modules/$rel
}

fetch_qemu() {
	ver=$(pkg_field qemu-system-x86 Version)
	case "$ver" in
	*:10.*|10.*) ;;
	*) modern_die "bookworm-backports has qemu-system-x86 '$ver', not 10.x" ;;
	esac
	qroot=$modern_dir/qemu/$(echo "$ver" | sed 's/^[0-9]*://')
	wrapper=$qroot/bin/qemu-system-x86_64
	# The wrapper is written last: its presence means a complete unpack.
	if [ ! -x "$wrapper" ]; then
		rm -rf "$qroot"
		mkdir -p "$qroot/bin"
		# the emulator, its data files (option ROMs, keymaps) and the BIOS it
		# wants (newer than bookworm's seabios)
		for p in qemu-system-x86 qemu-system-data seabios; do
			deb=$(download "$p")
			dpkg-deb -x "$deb" "$qroot" || modern_die "dpkg-deb -x $deb failed"
		done
		# The data dir links firmware by absolute path (/usr/share/seabios/...):
		# point those links into the private prefix.
		find "$qroot/usr/share/qemu" -type l | while read -r l; do
			t=$(readlink "$l")
			case "$t" in /usr/share/*) ln -sfn "$qroot$t" "$l" ;; esac
		done
		# Every library QEMU 10 links is in Debian 12 (checked with ldd);
		# one that is not would have to be unpacked too and put on
		# LD_LIBRARY_PATH in the wrapper.
		missing=$(ldd "$qroot/usr/bin/qemu-system-x86_64" 2>&1 | grep 'not found' || true)
		[ -z "$missing" ] || modern_die "QEMU $ver needs libraries Debian 12 lacks: $missing"
		cat >"$wrapper.tmp" <<-EOF
		#!/bin/sh
		# QEMU $ver from bookworm-backports, unpacked by scripts/install-deps.sh:
		# its own data directory first (-L), then the built-in one.
		exec "$qroot/usr/bin/qemu-system-x86_64" -L "$qroot/usr/share/qemu" "\$@"
		EOF
		chmod 755 "$wrapper.tmp"
		mv "$wrapper.tmp" "$wrapper"
	fi
	"$wrapper" --version | grep -q 'version 10\.' || modern_die "$wrapper does not run: $("$wrapper" --version 2>&1 | head -n2)"
	MHP_VM_QEMU10=$wrapper
}

# env_ok: the env file exists and every path it names is there
env_ok() {
	[ -s "$envfile" ] || return 1
	(
		# shellcheck source=/dev/null
		. "$envfile"
		[ -f "${MHP_VM_KERNEL_612:-/nonexistent}" ] &&
			[ -s "${MHP_VM_MODULES_612:-/nonexistent}/modules.dep" ] &&
			[ -x "${MHP_VM_QEMU10:-/nonexistent}" ]
	)
}

fetch_modern() {
	if [ "$refresh" = 0 ] && env_ok; then
		echo "install-deps: modern VM stack present ($envfile)"
		return 0
	fi
	t0=$(date +%s)
	echo "install-deps: fetching the modern VM stack (bookworm-backports kernel + QEMU 10) into $modern_dir"
	for t in apt-get apt-cache dpkg-deb depmod ldd; do
		command -v $t >/dev/null 2>&1 || modern_die "'$t' not found"
	done
	setup_private_apt
	fetch_kernel
	fetch_qemu
	cat >"$envfile.tmp" <<-EOF
	# Written by scripts/install-deps.sh; read by tests/vm/run-vm.sh --kernel-set 6.12.
	MHP_VM_KERNEL_612=$MHP_VM_KERNEL_612
	MHP_VM_MODULES_612=$MHP_VM_MODULES_612
	MHP_VM_QEMU10=$MHP_VM_QEMU10
	EOF
	mv -f "$envfile.tmp" "$envfile"
	echo "install-deps: modern VM stack ready in $(( $(date +%s) - t0 )) s:"
	sed -n 's/^MHP/  MHP/p' "$envfile"
}

install_missing
[ "$modern" = 1 ] && fetch_modern
exit 0
