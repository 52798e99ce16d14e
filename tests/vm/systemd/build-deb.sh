#!/bin/bash
# Build the project's Debian packages (libmhp1, libmhp-dev, cxlmem) from the
# working tree, unless a build of exactly this tree is already there.
#
# Usage: build-deb.sh [--print-dir]
#   Prints the directory holding the .debs on stdout (with --print-dir,
#   nothing else goes to stdout). The key is the git tree hash of the
#   working tree as it is, uncommitted changes included (a throw-away index,
#   so the real one is untouched): a changed tree rebuilds, an unchanged one
#   reuses $MHP_CACHE_DIR/deb/TREE/.
# The build is DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b in a
# clean export of that tree: the suites run in CI anyway, and dh_auto_test
# would only run the unit suite a second time.
set -euo pipefail
me=build-deb
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cache_root=${MHP_CACHE_DIR:-/var/cache/libmhp}
die() { echo "$me: error: $*" >&2; exit 1; }

for t in git dpkg-buildpackage dpkg-checkbuilddeps; do
	command -v $t >/dev/null 2>&1 || die "'$t' not found (packages git, dpkg-dev; run scripts/install-deps.sh)"
done

# The tree hash of the working tree: every tracked file plus untracked,
# not ignored ones, as they are on disk.
tree_of_worktree() {
	local tmp idx rc
	tmp=$(mktemp -d) || return 1
	idx=$tmp/index
	# a copy of the real index, so that add -A only hashes what changed;
	# the path is absolute, since the caller's directory may be anywhere
	cp "$(git -C "$repo" rev-parse --path-format=absolute --git-path index)" \
		"$idx" 2>/dev/null || :
	GIT_INDEX_FILE=$idx git -C "$repo" add -A . >/dev/null &&
		GIT_INDEX_FILE=$idx git -C "$repo" write-tree
	rc=$?
	rm -rf "$tmp"
	return $rc
}
tree=$(tree_of_worktree) || die "cannot hash the working tree of $repo"
out=$cache_root/deb/$tree
if ls "$out"/cxlmem_*.deb "$out"/libmhp1_*.deb >/dev/null 2>&1; then
	echo "$me: packages of tree ${tree:0:12} are fresh: $out" >&2
	echo "$out"
	exit 0
fi

(cd "$repo" && dpkg-checkbuilddeps) ||
	die "build dependencies are missing (run scripts/install-deps.sh)"
work=$(mktemp -d "${TMPDIR:-/tmp}/mhp-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
git -C "$repo" archive "$tree" | tar -x -C "$work/src"
echo "$me: building the packages of tree ${tree:0:12} in $work" >&2
t0=$SECONDS
(cd "$work/src" && DEB_BUILD_OPTIONS=nocheck nice -n 5 dpkg-buildpackage -us -uc -b) \
	>"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log" >&2
	die "dpkg-buildpackage failed (log above)"
}
mkdir -p "$cache_root/deb"
rm -rf "$out.tmp"
mkdir "$out.tmp"
cp "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$work/build.log" "$out.tmp/"
mv "$out.tmp" "$out"
# keep the three newest builds
ls -1td "$cache_root"/deb/*/ 2>/dev/null | tail -n +4 | xargs -r rm -rf
echo "$me: built in $((SECONDS - t0)) s: $(cd "$out" && echo *.deb)" >&2
echo "$out"
