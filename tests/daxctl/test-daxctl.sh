#!/bin/bash
# cxlmem-daxctl against the fixture trees: daxctl 76.1's keys, shapes and
# exit codes (expected/ says where each comes from), the single added key,
# and that "all" and -C leave pmem alone. Changes run on copies of the
# trees; a copy that differs afterwards is a failure.
#   test-daxctl.sh CXLMEM EXPECTED-DIR
set -u
cxlmem=$1
expected=$2
fixtures=${MHP_FIXTURES:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ln -s "$(realpath "$cxlmem")" "$tmp/cxlmem-daxctl"
daxctl=$tmp/cxlmem-daxctl
failures=0

fail() {
	echo "FAIL: $*" >&2
	[ -s "$tmp/err" ] && sed 's/^/    /' "$tmp/err" >&2
	failures=$((failures + 1))
}

# dx TREE ARGS...: stdout in $tmp/out, stderr in $tmp/err, status in $rc
dx() {
	local root=$1
	shift
	MHP_SYSROOT=$root "$daxctl" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

expect_rc() {
	local want=$1 what=$2
	[ "$rc" -eq "$want" ] || fail "$what: exit status $rc, daxctl's is $want"
}

# fresh writable copy of a fixture tree
copy() {
	rm -rf "$tmp/root"
	cp -r "$fixtures/$1" "$tmp/root"
}

# every regular file's content and every link's target, without following links
tree_sum() {
	(cd "$1" && find . -type f -exec md5sum {} + | sort &&
		find . -type l -printf '%p -> %l\n' | sort)
}

unchanged() {
	tree_sum "$fixtures/$1" >"$tmp/before"
	tree_sum "$tmp/root" >"$tmp/after"
	diff "$tmp/before" "$tmp/after" >"$tmp/err" 2>&1 || fail "$2: the tree was changed"
}

for topo in hmem cxl-pmem legacy-pmem; do
	root=$fixtures/$topo
	dx "$root" list
	expect_rc 0 "$topo list"
	jq -e 'del(.. | .cxlmem?)' "$tmp/out" >"$tmp/got" 2>>"$tmp/err" || fail "$topo list: not JSON"
	diff -u "$expected/$topo-list.json" "$tmp/got" >"$tmp/err" || fail "$topo list differs from daxctl's"
	# exactly one added key per device, holding objects only
	extra=$(jq -r '.[] | keys - ["chardev","size","target_node","align","mode",
		"online_memblocks","total_memblocks","movable","state","mappings"] | join(",")' "$tmp/out")
	[ "$extra" = cxlmem ] || fail "$topo list: added keys are '$extra', not just 'cxlmem'"
	jq -e '.[0].cxlmem | type == "object"' "$tmp/out" >/dev/null || fail "$topo: cxlmem is not an object"

	dx "$root" list -R -D -M -u
	jq 'del(.. | .cxlmem?)' "$tmp/out" >"$tmp/got"
	diff -u "$expected/$topo-list-RDMu.json" "$tmp/got" >"$tmp/err" || fail "$topo list -RDMu differs from daxctl's"
	# daxctl escapes "/" in strings (json-c without NOSLASHESCAPE)
	grep -q '"path":"\\/platform' "$tmp/out" || fail "$topo list -R: path is not printed as daxctl prints it"

	# -u with one result: the object alone; without: an array of one
	dx "$root" list -u
	jq -e 'type == "object" and .chardev == "dax0.0" and (.size | type == "string")' "$tmp/out" >/dev/null ||
		fail "$topo list -u: not one object with a text size"
	for f in '-d dax0.0' '-d 0.0' '-d all' '-r 0' '-r region0' '-r dax_region0' '-r all'; do
		# shellcheck disable=SC2086
		dx "$root" list $f
		expect_rc 0 "$topo list $f"
		jq -e 'type == "array" and length == 1' "$tmp/out" >/dev/null || fail "$topo list $f: not an array of one"
	done
	# -r alone lists the region (no devices), -d alone the device
	dx "$root" list -r 0
	jq -e '.[0].id == 0 and (.[0] | has("devices") | not)' "$tmp/out" >/dev/null ||
		fail "$topo list -r 0: not the region without devices"
	# nothing matches: nothing printed, success (daxctl/list.c)
	for f in '-d dax7.0' '-r 7' '-d 0.9'; do
		# shellcheck disable=SC2086
		dx "$root" list $f
		expect_rc 0 "$topo list $f"
		[ -s "$tmp/out" ] && fail "$topo list $f: printed something for no match"
	done
	dx "$root" list extra
	expect_rc 129 "$topo list extra"
	dx "$root" list --bogus
	expect_rc 129 "$topo list --bogus"
done

# -u sizes at each of daxctl's thresholds (util/json.c display_size): the
# integer below 5000 KiB, then MiB/MB below 2 GiB, GiB/GB below 2 TiB, TiB/TB
copy hmem
for pair in '4096=4096' '5119999=5119999' '5120000="4.88 MiB (5.12 MB)"' \
	'2147483647="2048.00 MiB (2147.48 MB)"' '5368709120="5.00 GiB (5.37 GB)"' \
	'3298534883328="3.00 TiB (3.30 TB)"'; do
	echo "${pair%%=*}" >"$tmp/root/sys/bus/dax/devices/dax0.0/size"
	dx "$tmp/root" list -u
	got=$(jq -c .size "$tmp/out")
	[ "$got" = "${pair#*=}" ] || fail "-u size of ${pair%%=*}: $got, daxctl prints ${pair#*=}"
done

# reconfigure-device: argument errors are usage errors (129), before any
# device is looked at
copy hmem
for args in '' '-m system-ram' 'dax0.0' '-m devdax -N dax0.0' '-C -m devdax dax0.0' \
	'-C --no-movable dax0.0' '-m devdax dax0.0 dax0.1' '--bogus dax0.0'; do
	# shellcheck disable=SC2086
	dx "$tmp/root" reconfigure-device $args
	expect_rc 129 "reconfigure-device $args"
done
unchanged hmem "usage errors"
# no such device: -ENXIO & 0xff
dx "$tmp/root" reconfigure-device -m system-ram dax9.9
expect_rc 250 "reconfigure-device dax9.9"
grep -q "reconfigured 0 devices" "$tmp/err" || fail "dax9.9: no summary"
dx "$tmp/root" reconfigure-device -m system-ram -r 5 all
expect_rc 250 "reconfigure-device -r 5 all"
# unknown mode: -EINVAL & 0xff
dx "$tmp/root" reconfigure-device -m bogus dax0.0
expect_rc 234 "reconfigure-device -m bogus"
# devdax on a devdax device: success, the device's JSON (an array of one)
dx "$tmp/root" reconfigure-device -m devdax /dev/dax0.0
expect_rc 0 "reconfigure-device -m devdax on devdax"
jq -e 'type == "array" and length == 1 and .[0].mode == "devdax"' "$tmp/out" >/dev/null ||
	fail "-m devdax: not an array of one devdax device"
dx "$tmp/root" reconfigure-device -m devdax -u dax0.0
jq -e 'type == "object" and .chardev == "dax0.0"' "$tmp/out" >/dev/null || fail "-m devdax -u: not one object"
# an online policy that would race: -N fails with -EBUSY & 0xff
echo online >"$tmp/root/sys/devices/system/memory/auto_online_blocks"
dx "$tmp/root" reconfigure-device -N -m system-ram dax0.0
expect_rc 240 "reconfigure-device -N with auto-online"
grep -q "kernel policy will auto-online memory" "$tmp/err" || fail "-N: the policy is not named"
echo offline >"$tmp/root/sys/devices/system/memory/auto_online_blocks"
unchanged hmem "refused reconfigure-device"
# -N -f: the policy is arbitrated by libmhp's executor, which journals the
# run and rolls it back when kmem does not take the device (a captured
# tree has no kernel behind it): the policy comes back, no journal stays,
# the device is still on device_dax
echo online >"$tmp/root/sys/devices/system/memory/auto_online_blocks"
dx "$tmp/root" reconfigure-device -N -f -m system-ram dax0.0
expect_rc 240 "reconfigure-device -N -f where kmem cannot bind"
grep -q "failed to bind kmem: .*rolled back, dax0.0 is as before" "$tmp/err" ||
	fail "-N -f: not rolled back by the executor"
[ "$(cat "$tmp/root/sys/devices/system/memory/auto_online_blocks")" = online ] ||
	fail "-N -f: auto_online_blocks not restored"
[ -e "$tmp/root/run/mhp/journal" ] && fail "-N -f: a journal was left behind"
[ "$(basename "$(readlink "$tmp/root/sys/bus/dax/devices/dax0.0/driver")")" = device_dax ] ||
	fail "-N -f: the device left device_dax"
[ -s "$tmp/out" ] && fail "-N -f: printed a device it did not change"
copy hmem
# memory operations on a devdax device: -ENXIO
dx "$tmp/root" online-memory dax0.0
expect_rc 250 "online-memory on devdax"
dx "$tmp/root" offline-memory all
expect_rc 250 "offline-memory on devdax"
dx "$tmp/root" online-memory
expect_rc 129 "online-memory without a device"
dx "$tmp/root" offline-memory --no-movable dax0.0
expect_rc 129 "offline-memory --no-movable"
# -C without a configuration for the device: a message, success
dx "$tmp/root" reconfigure-device -C dax0.0
expect_rc 0 "reconfigure-device -C unconfigured"
grep -q "missing or malformed config section" "$tmp/err" || fail "-C: no message for a missing section"

# hmem's dax0.0 as kmem leaves it in system-ram mode: driver kmem, and its
# eight blocks (32-39) online in ZONE_MOVABLE
kmem_tree() {
	local sys=$tmp/root/sys i d
	copy hmem
	ln -sfn ../../../../bus/dax/drivers/kmem "$sys/devices/platform/hmem.0/dax0.0/driver"
	ln -s ../../../devices/platform/hmem.0/dax0.0 "$sys/bus/dax/drivers/kmem/dax0.0"
	rm "$sys/bus/dax/drivers/device_dax/dax0.0"
	for i in $(seq 32 39); do
		d=$sys/devices/system/memory/memory$i
		mkdir "$d"
		echo 1 >"$d/online"
		echo 0 >"$d/phys_device"
		printf '%08x\n' "$i" >"$d/phys_index"
		echo 1 >"$d/removable"
		echo online >"$d/state"
		echo Movable >"$d/valid_zones"
		ln -s ../../node/node1 "$d/node1"
	done
}
sysram='{"chardev":"dax0.0","size":1073741824,"target_node":1,"align":2097152,"mode":"system-ram","online_memblocks":8,"total_memblocks":8,"movable":true}'
kmem_tree
dx "$tmp/root" list
[ "$(jq -c '.[0] | del(.cxlmem)' "$tmp/out")" = "$sysram" ] || fail "system-ram list: $(cat "$tmp/out")"
# one block in ZONE_NORMAL: movable is false
echo Normal >"$tmp/root/sys/devices/system/memory/memory35/valid_zones"
dx "$tmp/root" list
jq -e '.[0].movable == false' "$tmp/out" >/dev/null || fail "a Normal block: movable is not false"
echo Movable >"$tmp/root/sys/devices/system/memory/memory35/valid_zones"
# -N on a device in system-ram mode: daxctl says so and succeeds, and
# neither onlines nor offlines anything
dx "$tmp/root" reconfigure-device -N -m system-ram dax0.0
expect_rc 0 "reconfigure-device -N on system-ram"
grep -q "dax0.0 was already in system-ram mode" "$tmp/err" || fail "-N on system-ram: not said"
[ "$(jq -c '.[0] | del(.cxlmem)' "$tmp/out")" = "$sysram" ] || fail "-N on system-ram: $(cat "$tmp/out")"
[ "$(cat "$tmp/root/sys/devices/system/memory/memory39/state")" = online ] ||
	fail "-N on system-ram changed a block"
# all online already: daxctl says so and exits 1
dx "$tmp/root" online-memory dax0.0
expect_rc 1 "online-memory on online memory"
grep -q "all memory sections (8) already online" "$tmp/err" || fail "online-memory: not said"
# devdax without -f while memory is online: -EBUSY, nothing touched
dx "$tmp/root" reconfigure-device -m devdax dax0.0
expect_rc 240 "reconfigure-device -m devdax on online memory without -f"
[ "$(cat "$tmp/root/sys/devices/system/memory/memory39/state")" = online ] ||
	fail "-m devdax without -f offlined memory"
# offline-memory: every block offline, highest first, kmem stays bound;
# then "movable" is left out, as daxctl's zone scan fails on offline blocks
dx "$tmp/root" offline-memory /dev/dax0.0
expect_rc 0 "offline-memory"
# daxctl 76.1 counts the sections it offlined with -v only
if grep -q "memory sections\? offlined" "$tmp/err"; then
	fail "offline-memory without -v: counts the sections, daxctl does so with -v only"
fi
dx "$tmp/root" list
jq -e '.[0].mode == "system-ram" and .[0].online_memblocks == 0 and (.[0] | has("movable") | not)' \
	"$tmp/out" >/dev/null || fail "after offline-memory: $(cat "$tmp/out")"
dx "$tmp/root" offline-memory dax0.0
expect_rc 1 "offline-memory on offline memory"
kmem_tree
dx "$tmp/root" offline-memory -v dax0.0
expect_rc 0 "offline-memory -v"
grep -q "dax0.0: 8 memory sections offlined" "$tmp/err" || fail "offline-memory -v: no count"

# pmem: "all" is not consent, and neither is a configuration file
for topo in cxl-pmem legacy-pmem; do
	copy "$topo"
	dx "$tmp/root" reconfigure-device -m system-ram all
	expect_rc 0 "$topo reconfigure-device all"
	grep -q "dax0.0: skipped: persistent memory" "$tmp/err" || fail "$topo all: the skip is not said"
	grep -q "reconfigured 0 devices" "$tmp/err" || fail "$topo all: counted as reconfigured"
	[ -s "$tmp/out" ] && fail "$topo all: printed a device it did not change"
	unchanged "$topo" "$topo reconfigure-device all"
done
# legacy-pmem: daxctl.conf names the namespace by nvdimm.uuid
uuid=$(cat "$tmp/root/sys/devices/platform/e820_pmem/ndbus0/region0/dax0.0/uuid")
mkdir -p "$tmp/daxctl.conf.d" "$tmp/cxlmem"
printf '[reconfigure-device ns0]\nnvdimm.uuid = %s\nmode = system-ram\nonline = true\nmovable = true\n' \
	"$uuid" >"$tmp/daxctl.conf.d/ns0.conf"
CXLMEM_DAXCTL_DAXCTL_CONFDIR=$tmp/daxctl.conf.d CXLMEM_DAXCTL_CONFDIR=$tmp/cxlmem \
	dx "$tmp/root" reconfigure-device -C /dev/dax0.0
expect_rc 0 "legacy-pmem -C"
grep -q "dax0.0: skipped: persistent memory; a config file is not consent" "$tmp/err" ||
	fail "legacy-pmem -C: the daxctl.conf section was not found, or pmem not skipped"
unchanged legacy-pmem "legacy-pmem -C"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "daxctl: all checks passed"
