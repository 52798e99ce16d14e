#!/bin/sh
# --sysroot: an empty one is refused; one that resolves to / is the live
# system and cxlmem says so; a captured tree is quiet.
#   test-cli-sysroot.sh CXLMEM FIXTURES
set -u
cxlmem=$1 fixtures=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ln -s / "$tmp/to-root"
fail=0

check() {
	what=$1 want_rc=$2 pattern=$3
	shift 3
	"$@" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ "$rc" != "$want_rc" ] || ! grep -q -- "$pattern" "$tmp/err"; then
		echo "FAIL: $what: exit $rc (want $want_rc), stderr lacks '$pattern':"
		cat "$tmp/err"
		fail=1
	else
		echo "ok: $what: $(head -n1 "$tmp/err")"
	fi
}

check "empty --sysroot" 1 "empty sysroot" "$cxlmem" --sysroot "" list
check "empty MHP_SYSROOT" 1 "empty sysroot" env MHP_SYSROOT= "$cxlmem" list
check "--sysroot /tmp/.." 0 "acts on the live system" "$cxlmem" --sysroot /tmp/.. list
check "--sysroot link to /" 0 "acts on the live system" "$cxlmem" --sysroot "$tmp/to-root" list
check "MHP_SYSROOT link to /" 0 "acts on the live system" env MHP_SYSROOT="$tmp/to-root" "$cxlmem" list
"$cxlmem" --sysroot "$fixtures/hmem" list >/dev/null 2>"$tmp/err"
if grep -q "live system" "$tmp/err"; then
	echo "FAIL: a captured tree is called the live system"; fail=1
fi
exit "$fail"
