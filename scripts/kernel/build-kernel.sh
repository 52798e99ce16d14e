#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a minimal QEMU x86_64 bzImage of Debian's linux-source-6.1 with the
# libmhp series (kernel-patches/6.1) applied.
#
#   scripts/kernel/build-kernel.sh [--variant hugetlb|nohugetlb] [--out DIR]
#                                  [--jobs N] [--force]
#
# - Extracts /usr/src/linux-source-6.1.tar.xz into the cache directory
#   (${MHP_CACHE_DIR:-/var/cache/libmhp}/kernel/, never inside the git tree).
# - Applies the series with `patch -p1 --fuzz=0`: any fuzz or reject fails.
# - Runs scripts/checkpatch.pl on every patch: any ERROR fails.
# - Configures from `make tinyconfig` + kernel-patches/6.1/qemu.config +
#   the variant (hugetlb: HUGETLBFS=y, 2 MiB pageblocks; nohugetlb:
#   HUGETLBFS off, 4 MiB pageblocks, lockdep and kmemleak on), then checks
#   that the options stuck.
# - Builds with ccache, -j2 and nice by default.
# - Copies the image to <cache>/kernel/<variant>/bzImage (or --out DIR) and
#   prints its path as the last line on stdout; all logs go to stderr.
#
# Nothing is rebuilt when the series and the configuration (fragment plus
# variant) are unchanged (stamped with a hash); --force rebuilds anyway.
#
# Environment: MHP_CACHE_DIR, MHP_KERNEL_TARBALL (default
# /usr/src/linux-source-6.1.tar.xz), MHP_KERNEL_JOBS (default 2).

set -euo pipefail

die() { echo "build-kernel: error: $*" >&2; exit 1; }
log() { echo "build-kernel: $*" >&2; }

usage() {
	sed -n '4,26p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit "${1:-0}"
}

VARIANT=hugetlb
OUT=
JOBS=${MHP_KERNEL_JOBS:-2}
FORCE=0
while [ $# -gt 0 ]; do
	case "$1" in
	--variant) [ $# -ge 2 ] || usage 2; VARIANT=$2; shift 2 ;;
	--variant=*) VARIANT=${1#*=}; shift ;;
	--out) [ $# -ge 2 ] || usage 2; OUT=$2; shift 2 ;;
	--out=*) OUT=${1#*=}; shift ;;
	--jobs|-j) [ $# -ge 2 ] || usage 2; JOBS=$2; shift 2 ;;
	--jobs=*) JOBS=${1#*=}; shift ;;
	--force) FORCE=1; shift ;;
	-h|--help) usage 0 ;;
	*) echo "build-kernel: unknown argument: $1" >&2; usage 2 ;;
	esac
done

case "$VARIANT" in
hugetlb|nohugetlb) ;;
*) die "--variant must be hugetlb or nohugetlb, not '$VARIANT'" ;;
esac
case "$JOBS" in
''|*[!0-9]*) die "--jobs needs a number" ;;
esac

SCRIPT=$(readlink -f "$0")
REPO=$(cd "$(dirname "$SCRIPT")/../.." && pwd -P)
PATCHDIR=$REPO/kernel-patches/6.1
SERIES=$PATCHDIR/series
FRAGMENT=$PATCHDIR/qemu.config
TARBALL=${MHP_KERNEL_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
CACHE_ROOT=${MHP_CACHE_DIR:-/var/cache/libmhp}
KCACHE=$CACHE_ROOT/kernel

for tool in tar xz patch make gcc flex bison bc perl sha256sum flock; do
	command -v "$tool" >/dev/null || die "missing tool: $tool"
done
[ -f "$TARBALL" ] || die "kernel source tarball not found: $TARBALL"
[ -f "$SERIES" ] || die "series file not found: $SERIES"
[ -f "$FRAGMENT" ] || die "config fragment not found: $FRAGMENT"

mkdir -p "$KCACHE"
KCACHE=$(cd "$KCACHE" && pwd -P)
case "$KCACHE/" in
"$REPO"/*) die "cache dir $KCACHE is inside the git tree; set MHP_CACHE_DIR" ;;
esac
OUT=${OUT:-$KCACHE/$VARIANT}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd -P)

# Patches in series order (blank lines and comments skipped).
PATCHES=()
while read -r line; do
	line=${line%%#*}
	line=$(echo "$line" | xargs)
	[ -n "$line" ] || continue
	[ -f "$PATCHDIR/$line" ] || die "series lists missing patch $line"
	PATCHES+=("$PATCHDIR/$line")
done < "$SERIES"
[ ${#PATCHES[@]} -gt 0 ] || die "series is empty"

TARBALL_ID=$(stat -c '%s %Y' "$TARBALL")
SRC_HASH=$(echo "$TARBALL_ID" | cat - "$SERIES" "${PATCHES[@]}" | sha256sum | cut -c1-16)

# What the variant adds to the fragment.
variant_config() {
	echo "# variant: $VARIANT"
	if [ "$VARIANT" = hugetlb ]; then
		echo "CONFIG_HUGETLBFS=y"
		echo "CONFIG_HUGETLB_PAGE=y"
	else
		echo "# CONFIG_HUGETLBFS is not set"
		echo "# CONFIG_HUGETLB_PAGE is not set"
		# The debug variant: its force mode runs the same per-block add
		# and remove paths, and the hugetlb one keeps its speed and its
		# DRAM figures free of debug metadata.
		echo "CONFIG_PROVE_LOCKING=y"
		echo "CONFIG_DEBUG_KMEMLEAK=y"
	fi
}
BUILD_HASH=$( { echo "$SRC_HASH"; cat "$FRAGMENT"; variant_config; } | sha256sum | cut -c1-16)

BUILD=$KCACHE/build
SRC=$BUILD/linux-source-6.1
OBJ=$BUILD/obj-$VARIANT
STAMP=$OUT/.build-stamp
mkdir -p "$BUILD"

if [ "$FORCE" = 0 ] && [ -f "$OUT/bzImage" ] && [ -f "$STAMP" ] &&
   [ "$(cat "$STAMP")" = "$BUILD_HASH" ]; then
	log "up to date ($VARIANT, $BUILD_HASH)"
	echo "$OUT/bzImage"
	exit 0
fi
# Same build already in the default place: just copy it.
DEFOUT=$KCACHE/$VARIANT
if [ "$FORCE" = 0 ] && [ "$OUT" != "$DEFOUT" ] && [ -f "$DEFOUT/bzImage" ] &&
   [ -f "$DEFOUT/.build-stamp" ] &&
   [ "$(cat "$DEFOUT/.build-stamp")" = "$BUILD_HASH" ]; then
	cp "$DEFOUT/bzImage" "$DEFOUT/config" "$OUT/"
	echo "$BUILD_HASH" > "$STAMP"
	log "up to date ($VARIANT, $BUILD_HASH), copied from $DEFOUT"
	echo "$OUT/bzImage"
	exit 0
fi

# --- patched source tree, shared by both variants ---------------------------
prepare_source() {
	if [ -f "$SRC/.libmhp-src-stamp" ] &&
	   [ "$(cat "$SRC/.libmhp-src-stamp")" = "$SRC_HASH" ]; then
		log "patched source up to date ($SRC_HASH)"
		return
	fi

	local tmp=$BUILD/src.tmp
	rm -rf "$tmp" "$SRC"
	mkdir -p "$tmp"
	log "extracting $TARBALL"
	tar -C "$tmp" -xf "$TARBALL"
	[ -d "$tmp/linux-source-6.1" ] || die "tarball has no linux-source-6.1/"

	local p out
	for p in "${PATCHES[@]}"; do
		log "applying $(basename "$p")"
		if ! out=$(cd "$tmp/linux-source-6.1" &&
			   patch -p1 --fuzz=0 --batch --forward \
				 --no-backup-if-mismatch < "$p" 2>&1); then
			echo "$out" >&2
			die "$(basename "$p") does not apply cleanly"
		fi
		if echo "$out" | grep -qiE 'fuzz|reject|FAILED'; then
			echo "$out" >&2
			die "$(basename "$p") applied with fuzz or rejects"
		fi
		if echo "$out" | grep -q 'offset'; then
			echo "$out" | grep 'offset' >&2
			log "warning: $(basename "$p") applied at an offset"
		fi
	done

	log "running checkpatch.pl"
	local errors=0 warnings=0 res
	for p in "${PATCHES[@]}"; do
		res=$(cd "$tmp/linux-source-6.1" &&
		      perl scripts/checkpatch.pl --terse --no-summary \
			   --show-types "$p" 2>&1) || true
		if [ -n "$res" ]; then
			echo "$(basename "$p"):" >&2
			# shellcheck disable=SC2001 # indent every line
			echo "$res" | sed 's/^/  /' >&2
		fi
		errors=$((errors + $(echo "$res" | grep -c ': ERROR:' || true)))
		warnings=$((warnings + $(echo "$res" | grep -c ': WARNING:' || true)))
	done
	log "checkpatch: $errors error(s), $warnings warning(s)"
	[ "$errors" = 0 ] || die "checkpatch reported errors"

	echo "$SRC_HASH" > "$tmp/linux-source-6.1/.libmhp-src-stamp"
	mv "$tmp/linux-source-6.1" "$SRC"
	rmdir "$tmp"
	# The object dirs were built from an older source tree.
	rm -rf "$BUILD"/obj-*
}

# Exclusive while (re)creating the tree, shared while building from it.
exec 8>"$BUILD/.source.lock"
flock 8
prepare_source
flock -s 8

# --- configuration -----------------------------------------------------------
exec 9>"$BUILD/.obj-$VARIANT.lock"
flock 9

CC_CMD=gcc
if command -v ccache >/dev/null; then
	CC_CMD="ccache gcc"
	export CCACHE_DIR=$KCACHE/ccache
	export CCACHE_BASEDIR=$KCACHE
	mkdir -p "$CCACHE_DIR"
else
	log "warning: ccache not found, building without it"
fi
export KBUILD_BUILD_USER=libmhp KBUILD_BUILD_HOST=localhost

MAKE=(make -C "$SRC" O="$OBJ" ARCH=x86_64 CC="$CC_CMD")
mkdir -p "$OBJ"
FRAG=$OBJ/libmhp.config
{
	cat "$FRAGMENT"
	echo
	variant_config
} > "$FRAG"

log "configuring ($VARIANT, log: $OBJ/config.log)"
{
	"${MAKE[@]}" -s tinyconfig &&
	(cd "$SRC" && scripts/kconfig/merge_config.sh -m -O "$OBJ" \
		"$OBJ/.config" "$FRAG") &&
	"${MAKE[@]}" -s olddefconfig
} > "$OBJ/config.log" 2>&1 || { cat "$OBJ/config.log" >&2; die "configuration failed"; }

bad=0
while read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" "$OBJ/.config" ||
			{ log "config: $line did not stick"; bad=1; }
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		if grep -qE "^$sym=[ym]" "$OBJ/.config"; then
			log "config: $sym should be unset"
			bad=1
		fi
		;;
	esac
done < "$FRAG"
if grep -q '=m$' "$OBJ/.config"; then
	log "config: modules configured:"
	grep '=m$' "$OBJ/.config" >&2
	bad=1
fi
[ "$bad" = 0 ] || die "configuration check failed (see above)"

# --- build -------------------------------------------------------------------
log "building bzImage ($VARIANT, -j$JOBS, log: $OBJ/build.log)"
start=$(date +%s)
if ! nice -n 10 "${MAKE[@]}" -j"$JOBS" bzImage > "$OBJ/build.log" 2>&1; then
	tail -n 40 "$OBJ/build.log" >&2
	die "kernel build failed, see $OBJ/build.log"
fi
log "build took $(( $(date +%s) - start ))s"
if grep -E 'warning:' "$OBJ/build.log" >/dev/null; then
	log "compiler warnings:"
	grep -E 'warning:' "$OBJ/build.log" | sort -u >&2
fi

cp "$OBJ/arch/x86/boot/bzImage" "$OUT/bzImage.tmp"
mv "$OUT/bzImage.tmp" "$OUT/bzImage"
cp "$OBJ/.config" "$OUT/config"
echo "$BUILD_HASH" > "$STAMP"
log "kernel release: $(cat "$OBJ/include/config/kernel.release" 2>/dev/null)"
echo "$OUT/bzImage"
