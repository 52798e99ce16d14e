#!/bin/bash
# The systemd boot test's check, run by mhp-systemd-test.service after
# multi-user.target. Nothing was typed: the package's udev rule and
# cxlmem-online@.service must have brought the hmem device (present at
# boot) online as /etc/cxlmem/cxlmem.conf says. Then the test-only step
# creates a CXL RAM region, and its dax device must be handled the same
# way. "As configured": kmem bound, every block online in ZONE_MOVABLE, the
# memmap on the device (the dax knob on, and the node's MemTotal is the
# device less its memmap), auto_online_blocks as the boot left it, no
# interrupted run; the unit active with Result=success, and cxlmem's
# journal lines saying so.
# Results: the report on the console and in /host (the 9p share), then
# the verdict line "MHP-SYSTEMD-RESULT: NONCE STATUS".
set -u
dir=/usr/local/lib/mhp-test
nonce=$(cat $dir/nonce)
# BOOT (recommended|default), POLICY (the auto_online_blocks this command
# line gives), HMEM_RANGE, CXL_DECODER, CXL_RANGE, CXL_MEMDEV
. $dir/expect
sysmem=/sys/devices/system/memory
share=/host
mkdir -p $share
mount -t 9p -o trans=virtio,version=9p2000.L host $share 2>/dev/null || share=
fails=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fails=$((fails + 1)); }
expect_eq() { if [ "$1" = "$2" ]; then ok "$3: $1"; else notok "$3: got '$1', want '$2'"; fi; }
save() { [ -z "$share" ] || cat >"$share/$1"; }

bsize=$((0x$(cat $sysmem/block_size_bytes)))

# range_start RANGE, range_size RANGE: of START+SIZE (hex, no suffix)
range_start() { echo $(( ${1%+*} )); }
range_size() { echo $(( ${1#*+} )); }

# dax_by_range RANGE: the dax device at exactly that physical range
dax_by_range() {
	local d s z
	s=$(range_start "$1") z=$(range_size "$1")
	for d in /sys/bus/dax/devices/dax*; do
		[ -e "$d/resource" ] || continue
		if [ $(($(cat "$d/resource"))) = "$s" ] && [ "$(cat "$d/size")" = "$z" ]; then
			echo "${d##*/}"
			return 0
		fi
	done
	return 1
}

# wait_done UNIT SECONDS: until UNIT has run to its end (active or failed)
wait_done() {
	local n=$(($2 * 2)) s
	while :; do
		s=$(systemctl show -p ActiveState --value "$1")
		case $s in active | failed) return 0 ;; esac
		n=$((n - 1))
		[ $n -gt 0 ] || { echo "# $1 is still '$s' after $2 s"; return 1; }
		sleep 0.5
	done
}

# check_refused DEV UNIT: Debian's default boot only. The kernel onlined DEV
# in ZONE_NORMAL first, and systemd's early allocations (memcg per-node
# data, slab) may pin a block there, so cxlmem cannot convert it in place.
# Then it must say why, roll back to what the kernel did (every block
# online, kmem bound) and restore the policy, and the unit must fail.
check_refused() {
	local dev=$1 unit=$2 d=/sys/bus/dax/devices/$1 i n=0 bad=0 start size why
	echo "# $dev: cxlmem did not convert it in place; it must have said why and rolled back"
	expect_eq "$(systemctl is-failed "$unit")" failed "$unit: systemctl is-failed"
	expect_eq "$(systemctl show -p Result --value "$unit")" exit-code "$unit: Result"
	why=$(grep -E "cxlmem\[[0-9]*\]: $dev: .*; rolled back, $dev is as before" "/tmp/journal-$dev")
	if [ -n "$why" ]; then
		ok "journal: cxlmem says why and that it rolled back: ${why#*]: }"
	else
		notok "journal: no line 'cxlmem[PID]: $dev: WHY; rolled back, $dev is as before'"
	fi
	expect_eq "$(basename "$(readlink "$d/driver")")" kmem "$dev driver (as the kernel bound it)"
	size=$(cat "$d/size") start=$(($(cat "$d/resource")))
	for ((i = (start + bsize - 1) / bsize; (i + 1) * bsize <= start + size; i++)); do
		n=$((n + 1))
		[ "$(cat $sysmem/memory$i/state)" = online ] || bad=$((bad + 1))
	done
	[ $n -gt 0 ] && [ $bad = 0 ] && ok "all $n blocks of $dev online again (rolled back)" ||
		notok "$bad of $n blocks of $dev are offline after the rollback"
	expect_eq "$(cat $sysmem/auto_online_blocks)" "$POLICY" "auto_online_blocks (restored to the boot's)"
	[ ! -e /run/mhp/journal ] && ok "no interrupted run left (/run/mhp/journal)" ||
		notok "/run/mhp/journal is left behind"
	echo "OUTCOME $dev refused" >>/tmp/outcomes
}

# check_device LABEL DEV: DEV is online exactly as [device LABEL] says (on
# Debian's default boot, or cxlmem refused with a reason: check_refused)
check_device() {
	local label=$1 dev=$2 unit=cxlmem-online@$2.service d=/sys/bus/dax/devices/$2
	local node size start i n=0 bad=0 memtotal want
	echo "# ---- $dev ([device $label])"
	wait_done "$unit" 180 || notok "$unit did not finish"
	systemctl status --no-pager --full "$unit" 2>&1 | tee "/tmp/status-$dev"
	save "status-$dev.txt" </tmp/status-$dev
	journalctl -b --no-pager -o short-monotonic -u "$unit" >/tmp/journal-$dev 2>&1
	save "journal-$dev.txt" </tmp/journal-$dev
	if grep -q "cxlmem\[[0-9]*\]: $dev: configured by \[device $label\]" /tmp/journal-$dev; then
		ok "journal: cxlmem matched $dev to [device $label]"
	else
		notok "journal: no line 'cxlmem[PID]: $dev: configured by [device $label]'"
	fi
	if [ "$BOOT" = default ] && [ "$(systemctl show -p Result --value "$unit")" != success ]; then
		check_refused "$dev" "$unit"
		return
	fi
	expect_eq "$(systemctl is-failed "$unit")" active "$unit: systemctl is-failed"
	expect_eq "$(systemctl show -p Result --value "$unit")" success "$unit: Result"
	expect_eq "$(systemctl show -p ExecMainStatus --value "$unit")" 0 "$unit: exit status"
	if grep -qE "cxlmem\[[0-9]*\]: $dev: (online as configured by \[device $label\]|already online as configured)" /tmp/journal-$dev; then
		ok "journal: cxlmem says $dev is online as configured"
	else
		notok "journal: no line 'cxlmem[PID]: $dev: online as configured by [device $label]'"
	fi
	expect_eq "$(basename "$(readlink "$d/driver")")" kmem "$dev driver"
	expect_eq "$(cat "$d/memmap_on_memory")" 1 "$dev memmap_on_memory (the knob)"
	node=$(cat "$d/target_node") size=$(cat "$d/size") start=$(($(cat "$d/resource")))
	for ((i = (start + bsize - 1) / bsize; (i + 1) * bsize <= start + size; i++)); do
		n=$((n + 1))
		s="$(cat $sysmem/memory$i/state)/$(cat $sysmem/memory$i/valid_zones)"
		[ "$s" = online/Movable ] || { echo "# memory$i is $s"; bad=$((bad + 1)); }
	done
	[ $n -gt 0 ] && [ $bad = 0 ] && ok "all $n blocks of $dev online in ZONE_MOVABLE" ||
		notok "$bad of $n blocks of $dev are not online/Movable"
	# 64 bytes of struct page per 4 KiB page: on the device, the node
	# (which holds nothing else) has that much less than the device
	memtotal=$(($(awk '/MemTotal/ { print $4 }' /sys/devices/system/node/node$node/meminfo) * 1024))
	want=$((n * bsize - n * bsize / 64))
	expect_eq "$memtotal" "$want" "node $node MemTotal (bytes): the device less its memmap, so the memmap is on the device"
	expect_eq "$(cat $sysmem/auto_online_blocks)" "$POLICY" "auto_online_blocks (restored to the boot's)"
	[ ! -e /run/mhp/journal ] && ok "no interrupted run left (/run/mhp/journal)" ||
		notok "/run/mhp/journal is left behind"
	cxlmem status "$dev" >/tmp/cxlmem-status-$dev.json 2>&1
	expect_eq "$?" 0 "cxlmem status $dev (no drift)"
	echo "OUTCOME $dev online" >>/tmp/outcomes
	save "cxlmem-status-$dev.json" </tmp/cxlmem-status-$dev.json
}

main() {
	echo "# boot: $BOOT; /proc/cmdline: $(cat /proc/cmdline)"
	echo "# systemd $(systemctl --version | head -n1); cxlmem $(dpkg-query -W -f '${Version}' cxlmem)"
	echo "# system: $(systemctl is-system-running)"

	# ---- at boot: the hmem device (firmware-configured CXL memory)
	# multi-user.target does not wait for udev to have handled the
	# coldplug events (dax_hmem is loaded by one); the test does
	udevadm settle --timeout=300 || notok "udev did not settle in 300 s"
	hmem=$(dax_by_range "$HMEM_RANGE") || {
		notok "no dax device at $HMEM_RANGE (the Soft Reserved range): $(ls /sys/bus/dax/devices)"
	}
	[ -z "$hmem" ] || check_device hmem-tier "$hmem"
	wait_done cxlmem-boot.service 300
	systemctl status --no-pager --full cxlmem-boot.service
	expect_eq "$(systemctl show -p Result --value cxlmem-boot.service)" success "cxlmem-boot.service: Result"
	journalctl -b --no-pager -o short-monotonic -u cxlmem-boot.service | save journal-cxlmem-boot.txt

	# ---- after boot: a CXL RAM region, created by the test-only step
	region=$($dir/cxl-region.sh "$CXL_DECODER" "$CXL_MEMDEV") || notok "creating the CXL RAM region failed"
	if [ -n "$region" ]; then
		echo "# $region: resource $(cat /sys/bus/cxl/devices/$region/resource) size $(cat /sys/bus/cxl/devices/$region/size); configured as $CXL_RANGE"
		# the region's dax device (dax_cxl makes it), which must be the
		# one cxlmem.conf names by decoder and range
		cxl=
		for i in $(seq 150); do
			set -- /sys/bus/cxl/devices/$region/dax_region*/dax*.*
			[ -e "$1" ] && { cxl=${1##*/}; break; }
			sleep 0.2
		done
		[ -z "$cxl" ] || expect_eq "$(dax_by_range "$CXL_RANGE")" "$cxl" "the dax device at $CXL_RANGE is $region's"
		if [ -n "$cxl" ]; then
			check_device cxl-tier "$cxl"
		else
			notok "$region has no dax device after 30 s (dax_cxl loaded?): $(ls /sys/bus/dax/devices)"
		fi
	fi
	journalctl -b --no-pager -o short-monotonic | save journal.txt
	dmesg | save dmesg.txt
	sed 's/^OUTCOME /# outcome: /' /tmp/outcomes 2>/dev/null
	echo "# $fails failed check(s)"
}

main 2>&1 | tee /tmp/report.txt
fails=$(sed -n 's/^# \([0-9]*\) failed check(s)$/\1/p' /tmp/report.txt)
save report.txt </tmp/report.txt
rc=0
[ "${fails:-1}" = 0 ] || rc=1
echo "$rc" | save result
[ -z "$share" ] || umount $share
echo "MHP-SYSTEMD-RESULT: $nonce $rc"
exit 0
