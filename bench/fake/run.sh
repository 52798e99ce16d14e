#!/bin/sh
# Executor cost of one apply on the fake kernel: instructions inside
# mhp_apply (callgrind) and syscalls by kind (strace), for 8 and 64 blocks.
# Needs a build without sanitizers:  meson setup build-plain && ninja -C build-plain
#   bench/fake/run.sh build-plain
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O1 -g -D_GNU_SOURCE -include config.h -o "$tmp/fake-apply" -I"$src/include" -I"$src/lib" -I"$build" \
	-I"$src/tests/unit" "$src/bench/fake/fake-apply.c" \
	"$src/tests/unit/fakekernel.c" "$src/tests/unit/sysroot.c" \
	"$build/lib/libmhp-internal.a" \
	$(pkg-config --libs libcxl libdaxctl libkmod json-c)
for n in 8 64; do
	valgrind --tool=callgrind --toggle-collect=mhp_apply \
		--callgrind-out-file="$tmp/cg.$n" "$tmp/fake-apply" "$n" >/dev/null 2>"$tmp/vg.$n"
	ir=$(sed -n 's/^summary: //p' "$tmp/cg.$n")
	strace -o "$tmp/st.$n" "$tmp/fake-apply" "$n" >/dev/null
	sed -n '/write(-1, "BEGIN"/,/write(-1, "END"/p' "$tmp/st.$n" |
		sed 's/(.*//' | sort | uniq -c | sort -rn >"$tmp/sc.$n"
	total=$(awk '{ s += $1 } END { print s - 2 }' "$tmp/sc.$n")
	printf '%s blocks: %s instructions in mhp_apply, %s syscalls:' "$n" "$ir" "$total"
	awk '{ printf " %s %s", $2, $1 }' "$tmp/sc.$n" | head -c 400
	echo
done
