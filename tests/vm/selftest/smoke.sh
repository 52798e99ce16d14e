# Harness smoke test: the topology's dax device exists.
# shellcheck source=tests/vm/lib.sh
. "$MHP_VM_LIB"
ls /sys/bus/dax/devices
cat /proc/iomem
[ -e /sys/bus/dax/devices/dax0.0 ] || mhp_fail "dax0.0 missing"
if [ "$MHP_TOPOLOGY" != hmem ]; then
	ndctl list -N
	ndctl list -N | jq -e '.[] | select(.mode == "devdax")' >/dev/null || mhp_fail "no devdax namespace"
fi
[ -n "$MHP_HOST_DIR" ] && echo "$MHP_TOPOLOGY" >"$MHP_HOST_DIR/smoke-ok"
echo "smoke ok"
