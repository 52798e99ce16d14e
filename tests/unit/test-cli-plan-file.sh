#!/bin/sh
# online-region --plan: what is not a plan file is refused quickly, and
# nothing in the tree changes.
#   test-cli-plan-file.sh CXLMEM FIXTURES
set -u
cxlmem=$1 fixtures=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$fixtures/hmem" "$tmp/root"
mkdir -m 0700 "$tmp/state"
fail=0
mkfifo "$tmp/fifo-empty"

refuse() {
	what=$1
	before=$(cd "$tmp/root" && find . -type f -exec cat {} + | md5sum)
	# a hang is a failure too: 20 s is far beyond a refusal
	timeout 20 "$cxlmem" --sysroot "$tmp/root" online-region --state-dir "$tmp/state" \
		--plan "$what" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	after=$(cd "$tmp/root" && find . -type f -exec cat {} + | md5sum)
	if [ "$rc" != 1 ] || [ "$before" != "$after" ] || ! grep -q 'not a usable plan' "$tmp/err"; then
		echo "FAIL: --plan $what: exit $rc (want 1), tree changed: $([ "$before" = "$after" ] && echo no || echo yes)"
		cat "$tmp/err"
		fail=1
	else
		echo "ok: --plan $what: $(cat "$tmp/err")"
	fi
}

refuse /dev/zero
refuse /dev/null
refuse "$tmp/missing"
refuse "$tmp"
printf '{"plan_version": 1, "platform": {"arch": null}}' >"$tmp/null-arch.json"
refuse "$tmp/null-arch.json"
exit "$fail"
