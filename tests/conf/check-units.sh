#!/bin/sh
# The systemd units parse cleanly (systemd-analyze prints nothing) and the
# udev rule asks for the template unit.
#   check-units.sh UNITDIR RULES CXLMEM
set -u
unitdir=$1 rules=$2 cxlmem=$(readlink -f "$3")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
if ! command -v systemd-analyze >/dev/null; then
	echo "systemd-analyze not installed; skipping"
	exit 77
fi
# the units name the installed binary; verify them against the built one
point_at_build() { sed "s|^ExecStart=[^ ]*/cxlmem |ExecStart=$cxlmem |" "$1" >"$2"; }
point_at_build "$unitdir/cxlmem-boot.service" "$tmp/cxlmem-boot.service"
# a template is verified as an instance, like the one udev starts
point_at_build "$unitdir/cxlmem-online@.service" "$tmp/cxlmem-online@dax0.0.service"
for u in "$tmp/cxlmem-boot.service" "$tmp/cxlmem-online@dax0.0.service"; do
	if ! out=$(systemd-analyze verify --man=no "$u" 2>&1) || [ -n "$out" ]; then
		echo "FAIL: $(basename "$u"): $out" >&2
		status=1
	fi
done
grep -q 'ENV{SYSTEMD_WANTS}+="cxlmem-online@%k.service"' "$rules" ||
	{ echo "FAIL: $rules does not want cxlmem-online@%k.service" >&2; status=1; }
grep -q 'ExecStart=.*/cxlmem --wait [0-9]* boot %I$' "$unitdir/cxlmem-online@.service" ||
	{ echo "FAIL: cxlmem-online@.service does not run 'cxlmem --wait N boot %I'" >&2; status=1; }
grep -q 'ExecStart=.*/cxlmem --wait [0-9]* boot --all$' "$unitdir/cxlmem-boot.service" ||
	{ echo "FAIL: cxlmem-boot.service does not run 'cxlmem --wait N boot --all'" >&2; status=1; }
exit $status
