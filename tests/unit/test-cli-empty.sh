#!/bin/sh
# A machine without dax devices: "all" is an empty result, not an error.
#   test-cli-empty.sh CXLMEM FIXTURES
set -u
cxlmem=$1 fixtures=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$fixtures/hmem" "$tmp/root"
rm "$tmp/root/sys/bus/dax/devices/dax0.0"
fail=0

# expect STATUS STDOUT COMMAND...
expect() {
	want_rc=$1 want_out=$2
	shift 2
	"$cxlmem" --sysroot "$tmp/root" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(tr -d ' \n' <"$tmp/out")
	if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ]; then
		echo "FAIL: cxlmem $*: exit $rc (want $want_rc), stdout '$out' (want '$want_out'):"
		cat "$tmp/err"
		fail=1
	else
		echo "ok: cxlmem $*: exit $rc, stdout '$out' $(cat "$tmp/err")"
	fi
}

expect 0 '[]' status all
expect 0 '[]' status all -B
expect 0 '[]' plan all
expect 0 '' -u plan all
expect 0 '[]' online-region all --dry-run
expect 0 '[]' offline-region all
# a named target that is not there stays an error
expect 1 '' status dax0.0
expect 1 '' plan dax_region0
exit "$fail"
