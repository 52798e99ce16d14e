#!/bin/sh
# Install everything libmhp needs to build and test, from Debian's packages.
# Idempotent; run as root.  Usage: scripts/install-deps.sh [--no-vm] [--kernel]
set -eu

build_pkgs="meson ninja-build pkg-config gcc libc6-dev python3
	libcxl-dev libdaxctl-dev libndctl-dev libkmod-dev libjson-c-dev libcmocka-dev
	libiniparser-dev scdoc bash-completion"
vm_pkgs="qemu-system-x86 linux-image-amd64 busybox-static cpio xz-utils
	kmod ndctl daxctl jq"
kernel_pkgs="linux-source-6.1 bc bison flex libelf-dev libssl-dev ccache patch
	quilt perl make"

want="$build_pkgs"
vm=1
kernel=0
for arg in "$@"; do
	case "$arg" in
	--no-vm) vm=0 ;;
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

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
