#!/bin/bash
# Build (once) the Debian 12 root file system image the systemd boot test
# boots: debootstrap --variant=minbase with systemd as init and the
# libraries the project's packages depend on, plus the guest's kernel
# modules, as an ext4 image. The project's own packages are NOT in it: the
# test installs them at every boot, into a throw-away overlay.
#
# Usage: mkimage.sh MODULES_DIR
#   MODULES_DIR  the /lib/modules/<release> tree of the kernel the test
#                boots (the 6.12 one install-deps.sh unpacked)
# Prints the image path on stdout. The image is cached as
#   $MHP_CACHE_DIR/systemd/rootfs-KEY.ext4
# where KEY hashes everything that goes in: this script, the suite, the
# mirror, the package list and the kernel release. Any change rebuilds.
# The downloaded .debs stay in $MHP_CACHE_DIR/systemd/debs
# (debootstrap --cache-dir), so a rebuild downloads only what changed.
# Environment: MHP_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail
me=mkimage
# shellcheck source=tests/vm/host.sh
. "$(dirname "${BASH_SOURCE[0]}")/../host.sh"

modules_dir=${1:?usage: mkimage.sh MODULES_DIR}
[ -s "$modules_dir/modules.dep" ] || die "$modules_dir is not a /lib/modules/<release> tree"
krel=$(basename "$modules_dir")
suite=bookworm
mirror=${MHP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# systemd as init and udev; kmod for module loading; the libraries
# libmhp1 and cxlmem depend on (their Depends: from ${shlibs:Depends}).
# minbase already has libc6, bash, coreutils, grep, sed, mount, dpkg.
packages="systemd systemd-sysv udev kmod libcxl1 libdaxctl1 libkmod2
	libjson-c5 libiniparser1"
# The modules the guest needs from the 6.12 tree: root disk, 9p share,
# and the hmem and CXL drivers; their dependencies come along.
want_modules="virtio_blk ext4 9p 9pnet_virtio dax_hmem device_dax kmem
	cxl_acpi cxl_pci cxl_port cxl_mem cxl_pmem dax_cxl"

cache=${MHP_CACHE_DIR:-/var/cache/libmhp}/systemd
key=$({ cat "${BASH_SOURCE[0]}"; declare -f module_closure; echo "$suite $mirror $krel"; echo $packages; } |
	sha256sum | cut -c1-16)
image=$cache/rootfs-$key.ext4
if [ -s "$image" ]; then
	msg "image is cached: $image"
	echo "$image"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "building the image needs root (debootstrap)"
for t in debootstrap mkfs.ext4 depmod; do
	command -v $t >/dev/null 2>&1 || die "'$t' not found (packages debootstrap, e2fsprogs, kmod; run scripts/install-deps.sh)"
done
mkdir -p "$cache/debs"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root

t0=$SECONDS
msg "debootstrap $suite (minbase + $(echo $packages)) from $mirror"
debootstrap --variant=minbase --cache-dir="$cache/debs" \
	--include="$(echo $packages | tr ' ' ,)" "$suite" "$root" "$mirror" \
	>"$work/debootstrap.log" 2>&1 || {
	tail -n 30 "$work/debootstrap.log" >&2
	die "debootstrap failed (log above)"
}
t_boot=$((SECONDS - t0))

# ---- configuration: a quiet, non-interactive boot to multi-user
echo mhp-guest >"$root/etc/hostname"
echo "/dev/vda / ext4 rw,errors=remount-ro 0 0" >"$root/etc/fstab"
chroot "$root" passwd -d root >/dev/null          # console login for debugging
chroot "$root" systemd-machine-id-setup >/dev/null 2>&1
# no first-boot prompts; nothing that waits for a network
for u in systemd-firstboot.service systemd-networkd-wait-online.service \
	apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done
rm -rf "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
	"$root"/usr/share/man/* "$root"/usr/share/locale/*

# ---- the guest kernel's modules (the closure of want_modules), unpacked:
# the guest's kmod reads .ko.xz too, but unpacked ones load faster in TCG
mdst=$root/lib/modules/$krel
# shellcheck disable=SC2086 # a list of names
for f in $(module_closure "$modules_dir" $want_modules); do
	mkdir -p "$mdst/$(dirname "$f")"
	case "$f" in
	*.xz) xz -dc "$modules_dir/$f" >"$mdst/${f%.xz}" ;;
	*) cp "$modules_dir/$f" "$mdst/$f" ;;
	esac
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
	cp "$modules_dir/$f" "$mdst/"
done
depmod -b "$root" "$krel" || die "depmod for $krel failed"

# ---- the ext4 image: the tree plus room for the packages and the journal
used=$(du -sm "$root" | cut -f1)
truncate -s "$((used + 256))M" "$work/image.ext4"
mkfs.ext4 -q -F -L mhp-root -d "$root" "$work/image.ext4" || die "mkfs.ext4 -d failed"
mv "$work/image.ext4" "$image"
# keep the two newest images
ls -1t "$cache"/rootfs-*.ext4 | tail -n +3 | xargs -r rm -f
msg "image built in $((SECONDS - t0)) s (debootstrap $t_boot s): $image, ${used} MiB of files, $(du -m "$image" | cut -f1) MiB on disk"
echo "$image"
