#!/bin/bash
# cxlmem-daxctl next to Debian's daxctl 76.1 on this machine, when it has
# no dax device at all (so no command can change anything): the same exit
# status and the same standard output for each command line. Skipped (77)
# without daxctl or when a dax device exists.
#   test-live.sh CXLMEM
set -u
cxlmem=$1
command -v daxctl >/dev/null || { echo "no daxctl: skipped"; exit 77; }
if [ -n "$(ls -A /sys/bus/dax/devices 2>/dev/null)" ] || [ -n "$(daxctl list -i 2>/dev/null)" ]; then
	echo "this machine has dax devices: skipped (the comparison could change them)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ln -s "$(realpath "$cxlmem")" "$tmp/cxlmem-daxctl"
failures=0
while read -r args; do
	# shellcheck disable=SC2086
	daxctl $args >"$tmp/a" 2>/dev/null
	ra=$?
	# shellcheck disable=SC2086
	env -u MHP_SYSROOT "$tmp/cxlmem-daxctl" $args >"$tmp/b" 2>/dev/null
	rb=$?
	if [ "$ra" != "$rb" ] || ! cmp -s "$tmp/a" "$tmp/b"; then
		echo "FAIL: '$args': daxctl exits $ra, cxlmem-daxctl $rb$(cmp -s "$tmp/a" "$tmp/b" || echo '; stdout differs')" >&2
		failures=$((failures + 1))
	fi
done <<'ARGS'
list
list -R
list -D -R -M -u
list -d dax0.0
list -r 0
list bogus
list --bogus
reconfigure-device -m system-ram all
reconfigure-device -m system-ram dax0.0
reconfigure-device -m devdax /dev/dax0.0
reconfigure-device -m devdax -f all
reconfigure-device -N -m system-ram dax0.0
reconfigure-device -m bogus dax0.0
reconfigure-device -m devdax -N dax0.0
reconfigure-device -C dax0.0
reconfigure-device -C -m devdax dax0.0
reconfigure-device all
reconfigure-device
reconfigure-device -m system-ram dax0.0 dax0.1
online-memory all
online-memory --no-movable dax0.0
offline-memory dax0.0
online-memory
ARGS
[ "$failures" -eq 0 ] || exit 1
echo "live: cxlmem-daxctl and daxctl agree"
