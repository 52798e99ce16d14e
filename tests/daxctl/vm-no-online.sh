# Run by run-vm.sh in the hmem guest (vm suite, see meson.build).
# cxlmem-daxctl reconfigure-device -N on the hmem device of a real 6.1
# kernel: refused under an online policy without -f; with -f kmem bound,
# every block offline, the policy restored, daxctl's JSON; then
# online-memory, offline-memory and -m devdax back to the start.
. "$MHP_VM_LIB"
dev=dax0.0
sysmem=/sys/devices/system/memory
ln -sf /bin/cxlmem /tmp/cxlmem-daxctl
dx=/tmp/cxlmem-daxctl
pol=$(cat $sysmem/auto_online_blocks)
blocks() { mhp_cxlmem list | jq -c ".dax_devices[] | select(.name == \"$dev\") | .blocks | {present, online, movable}"; }

echo online >$sysmem/auto_online_blocks
rc=0
$dx reconfigure-device -N -m system-ram $dev >/tmp/n.json 2>/tmp/n.err || rc=$?
cat /tmp/n.err
expect_eq "$rc" 240 "-N under auto_online_blocks=online without -f: exit status"
expect_eq "$(driver $dev)" device_dax "driver after the refusal"

rc=0
$dx reconfigure-device -N -f -m system-ram $dev >/tmp/n.json 2>/tmp/n.err || rc=$?
cat /tmp/n.err /tmp/n.json
expect_eq "$rc" 0 "-N -f: exit status"
expect_eq "$(driver $dev)" kmem "driver after -N"
expect_eq "$(cat $sysmem/auto_online_blocks)" online "auto_online_blocks restored"
check /tmp/n.json '.[0].mode == "system-ram" and .[0].online_memblocks == 0 and .[0].total_memblocks == 8 and (.[0] | has("movable") | not)' "daxctl's JSON after -N"
expect_eq "$(blocks)" '{"present":8,"online":0,"movable":0}' "every block present and offline"
[ -e /run/mhp/journal ] && mhp_fail "a journal was left"
echo "$pol" >$sysmem/auto_online_blocks

rc=0
$dx reconfigure-device -N -m system-ram $dev >/tmp/n.json 2>/tmp/n.err || rc=$?
expect_eq "$rc" 0 "-N again: exit status"
grep -q "already in system-ram mode" /tmp/n.err || mhp_fail "-N again: not said"

rc=0
$dx online-memory $dev >/dev/null 2>/tmp/o.err || rc=$?
cat /tmp/o.err
expect_eq "$rc" 0 "online-memory: exit status"
expect_eq "$(blocks)" '{"present":8,"online":8,"movable":8}' "every block online movable"
rc=0
$dx offline-memory $dev >/dev/null 2>/tmp/o.err || rc=$?
cat /tmp/o.err
expect_eq "$rc" 0 "offline-memory: exit status"
expect_eq "$(blocks)" '{"present":8,"online":0,"movable":0}' "every block offline again"
rc=0
$dx reconfigure-device -m devdax $dev >/tmp/d.json 2>/tmp/d.err || rc=$?
cat /tmp/d.err
expect_eq "$rc" 0 "-m devdax: exit status"
expect_eq "$(driver $dev)" device_dax "driver at the end"
