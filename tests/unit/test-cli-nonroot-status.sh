#!/bin/sh
# status as a normal user: the live state, and a note that comparing with
# the applied plan needs root (the state directory is root-only), instead
# of a failure or a false "no plan applied".
#   test-cli-nonroot-status.sh CXLMEM FIXTURES
set -u
cxlmem=$1 fixtures=$2
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "SKIP: needs root and setpriv to run cxlmem as another user"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cp -a "$fixtures/hmem" "$tmp/root"
mkdir -p "$tmp/root/run/mhp"
"$cxlmem" --sysroot "$tmp/root" plan dax0.0 >"$tmp/root/run/mhp/applied-dax0.0.json" || exit 1
chmod 700 "$tmp/root/run/mhp"
chmod 600 "$tmp/root/run/mhp/applied-dax0.0.json"
fail=0

check() {	# who: python expression over the status object d
	who=$1 expr=$2
	shift 2
	if ! "$@" "$cxlmem" --sysroot "$tmp/root" status dax0.0 >"$tmp/out" 2>"$tmp/err"; then
		echo "FAIL: status as $who exited $?:"
		cat "$tmp/err"
		fail=1
	elif ! python3 -c "import json,sys; d = json.load(open(sys.argv[1])); sys.exit(0 if $expr else 1)" "$tmp/out"; then
		echo "FAIL: status as $who: not $expr:"
		cat "$tmp/out"
		fail=1
	else
		echo "ok: status as $who: $expr"
	fi
}

check root 'd["applied_plan"] is True and d["drift"] == [] and "note" not in d' env
check nobody 'd["applied_plan"] is None and "needs root" in d["note"] and d["drift"] is None and d["driver"] == "device_dax" and d["blocks_present"] == 0' \
	setpriv --reuid=65534 --regid=65534 --clear-groups
exit "$fail"
