#!/bin/sh
# A journal left by an interrupted run: the read-only commands and the
# dry runs warn about it once, in the state directory the command is told
# to use (--state-dir), and a real run refuses it with one message that
# names recover.
#   test-cli-pending-journal.sh CXLMEM FIXTURES
set -u
cxlmem=$1 fixtures=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$fixtures/hmem" "$tmp/root"
mkdir -p "$tmp/root/run/mhp" "$tmp/root/other"
chmod 700 "$tmp/root/run/mhp" "$tmp/root/other"
printf 'mhp-journal 1\npid 1\nboot-id x\ndevice dax0.0\nop online\n' >"$tmp/root/run/mhp/journal"
chmod 600 "$tmp/root/run/mhp/journal"
fail=0
warning='interrupted run left a journal for dax0.0'

# warns WANT CMD...: WANT is the number of warnings CMD must print
warns() {
	want=$1
	shift
	"$cxlmem" --sysroot "$tmp/root" "$@" >/dev/null 2>"$tmp/err"
	got=$(grep -c "$warning" "$tmp/err")
	if [ "$got" = "$want" ]; then
		echo "ok: '$*' warns $got time(s)"
	else
		echo "FAIL: '$*' warned $got time(s), not $want:"
		cat "$tmp/err"
		fail=1
	fi
}

warns 1 status dax0.0
warns 1 list
warns 0 plan dax0.0
warns 1 online-region --dry-run dax0.0
# the state directory given to the subcommand holds no journal
warns 0 online-region --dry-run --state-dir /other dax0.0
warns 0 status --state-dir /other dax0.0
warns 1 export --format nfd
warns 1 boot --dry-run --all --config "$tmp/root/other"
warns 1 boot --all --config "$tmp/root/other"
# no --state-dir of its own: warned by the dispatcher (dax0.0 is devdax already)
warns 1 reconfigure-device -m devdax dax0.0

# a real run: refused, the one message names recover, no warning on top
rc=0
"$cxlmem" --sysroot "$tmp/root" online-region dax0.0 >/dev/null 2>"$tmp/err" || rc=$?
if [ "$rc" != 1 ] || ! grep -q 'recover' "$tmp/err" || grep -q "$warning" "$tmp/err"; then
	echo "FAIL: online-region with a pending journal: status $rc, stderr:"
	cat "$tmp/err"
	fail=1
else
	echo "ok: online-region refuses: $(head -n1 "$tmp/err")"
fi
exit "$fail"
