#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the patched 6.1 kernel in QEMU (TCG, never KVM) with a busybox
# initramfs and check the libmhp series end to end:
#
#   scripts/kernel/smoke-test.sh [--variant hugetlb|nohugetlb]
#                                [--kernel BZIMAGE] [--case NAME]...
#                                [--timeout SECONDS] [--keep]
#
# Without --kernel, the kernel is built (or reused) with build-kernel.sh.
# The guest has 2 GiB of DRAM on node 0 and 1 GiB at 4 GiB on node 1, which
# memmap=1G%4G+0xefffffff turns into Soft Reserved memory, i.e. hmem dax0.0.
# Each case is one boot with its own command line and expectations:
#
#   force     memmap_on_memory=force, 128 MiB blocks
#   y-1g      memmap_on_memory=Y, memory_block_size=1G
#   y-128m    memmap_on_memory=Y, 128 MiB blocks (eligible with hugetlb only)
#   off-badbs memmap_on_memory=N, memory_block_size=3G (invalid, ignored)
#
# In the guest, /init checks the parameter read-back, block_size_bytes, the
# boot log, dax0.0/memmap_on_memory (EOPNOTSUPP/EBUSY rules), then binds
# dax0.0 to kmem with memmap_on_memory=1 and =0 in turn, onlines every block
# movable, compares node 1 MemTotal and node 0 MemFree with the expected
# memmap cost, offlines, unbinds and checks /proc/iomem and the log for
# leaks. Guest logs are kept in <cache>/kernel/smoke/. Exit status 0 means
# every case passed.

set -euo pipefail

die() { echo "smoke-test: error: $*" >&2; exit 1; }
log() { echo "smoke-test: $*" >&2; }

VARIANT=
KERNEL=
CASES=()
TIMEOUT=600
KEEP=0
while [ $# -gt 0 ]; do
	case "$1" in
	--variant) VARIANT=$2; shift 2 ;;
	--variant=*) VARIANT=${1#*=}; shift ;;
	--kernel) KERNEL=$2; shift 2 ;;
	--kernel=*) KERNEL=${1#*=}; shift ;;
	--case) CASES+=("$2"); shift 2 ;;
	--case=*) CASES+=("${1#*=}"); shift ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-h|--help) sed -n '4,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1" ;;
	esac
done

SCRIPT_DIR=$(cd "$(dirname "$(readlink -f "$0")")" && pwd -P)
KCACHE=${MHP_CACHE_DIR:-/var/cache/libmhp}/kernel
BUSYBOX=${MHP_BUSYBOX:-/bin/busybox}

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found"
command -v cpio >/dev/null || die "cpio not found"
[ -x "$BUSYBOX" ] || die "static busybox not found at $BUSYBOX"

if [ -z "$KERNEL" ]; then
	VARIANT=${VARIANT:-hugetlb}
	KERNEL=$("$SCRIPT_DIR/build-kernel.sh" --variant "$VARIANT" | tail -n 1)
fi
[ -f "$KERNEL" ] || die "kernel image not found: $KERNEL"
if [ -z "$VARIANT" ]; then
	# build-kernel.sh keeps the config next to the image
	cfg=$(dirname "$KERNEL")/config
	if [ -f "$cfg" ] && ! grep -q '^CONFIG_HUGETLB_PAGE=y' "$cfg"; then
		VARIANT=nohugetlb
	else
		VARIANT=hugetlb
	fi
fi

# Expected memmap cost per 128 MiB / 1 GiB block, in 4 KiB pages:
# memmap = block/4096*64/4096; force pads it to whole pageblocks
# (512 pages with HUGETLB_PAGE, 1024 without).
if [ "$VARIANT" = hugetlb ]; then
	FORCE_RES=0
	Y128_MEMMAP=512
else
	FORCE_RES=512
	Y128_MEMMAP=none
fi
ALL_CASES=(force y-1g y-128m off-badbs)
[ ${#CASES[@]} -gt 0 ] || CASES=("${ALL_CASES[@]}")

# name -> "extra cmdline|mode|block_size_bytes|memmap pages|padding pages|dmesg regex"
case_spec() {
	case "$1" in
	force) echo "memory_hotplug.memmap_on_memory=force|force|8000000|512|$FORCE_RES|memmap_on_memory=force: 128 MiB memory blocks, 512 memmap \\+ $FORCE_RES reserved pages per block" ;;
	y-1g) echo "memory_block_size=1G memory_hotplug.memmap_on_memory=1|Y|40000000|4096|0|Memory block size set to 1024MB on the command line" ;;
	y-128m)
		if [ "$Y128_MEMMAP" = none ]; then
			echo "memory_hotplug.memmap_on_memory=Y|Y|8000000|none|0|memmap_on_memory: 128 MiB memory blocks cannot host their own memmap"
		else
			echo "memory_hotplug.memmap_on_memory=Y|Y|8000000|512|0|memmap_on_memory: 128 MiB memory blocks, 512 memmap pages per block"
		fi ;;
	off-badbs) echo "memory_block_size=3G memory_hotplug.memmap_on_memory=0|N|8000000|none|0|Ignoring memory_block_size=3G" ;;
	*) return 1 ;;
	esac
}

LOGDIR=$KCACHE/smoke
mkdir -p "$LOGDIR"
WORK=$(mktemp -d "$LOGDIR/work.XXXXXX")
# shellcheck disable=SC2317 # called by the trap
cleanup() { [ "$KEEP" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT

# --- initramfs -----------------------------------------------------------------
mkdir -p "$WORK/root/bin"
cp "$BUSYBOX" "$WORK/root/bin/busybox"
cat > "$WORK/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

FAIL=0
pass() { echo "SMOKE: PASS: $*"; }
fail() { echo "SMOKE: FAIL: $*"; FAIL=1; }
info() { echo "SMOKE: INFO: $*"; }
check() { # check DESCRIPTION ACTUAL EXPECTED
	if [ "$2" = "$3" ]; then pass "$1 = $2"; else fail "$1 = $2, expected $3"; fi
}
arg() {
	for a in $(cat /proc/cmdline); do
		case "$a" in smoke.$1=*) echo "${a#*=}"; return ;; esac
	done
}
node_kb() { awk -v k="$2:" '$3 == k { print $4 }' /sys/devices/system/node/node$1/meminfo; }
# free memory of node N in kB, including the per-cpu page lists
node_free_kb() {
	sync; echo 3 > /proc/sys/vm/drop_caches
	awk -v n="$1," '
		/^Node/ { cur = ($2 == n) }
		cur && $1 == "nr_free_pages" { s += $2 }
		cur && $1 == "count:" { s += $2 }
		END { print s * 4 }' /proc/zoneinfo
}
vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
# try_write FILE VALUE: prints "ok" or the error message
try_write() {
	if err=$( (echo "$2" > "$1") 2>&1 ); then echo ok; else echo "${err:-error}"; fi
}
drv() {
	l=/sys/bus/dax/devices/dax0.0/driver
	if [ -L $l ]; then basename "$(readlink $l)"; else echo none; fi
}

MODE=$(arg mode); BS=$(arg bs); MEMMAP=$(arg memmap); RES=$(arg res)
MSG=$(arg msg | tr '~' ' ')
info "case $(arg case): $(cat /proc/cmdline)"

check "memmap_on_memory parameter" "$(cat /sys/module/memory_hotplug/parameters/memmap_on_memory)" "$MODE"
check "block_size_bytes" "$(cat /sys/devices/system/memory/block_size_bytes)" "$BS"
dmesg | grep -E 'memmap_on_memory|[Mm]emory block size|memory_block_size' | while read -r l; do info "dmesg: $l"; done
if dmesg | grep -qE "$MSG"; then pass "boot log has '$MSG'"; else fail "boot log lacks '$MSG'"; fi

D=/sys/bus/dax/devices/dax0.0
M=/sys/devices/system/memory
if [ ! -d $D ]; then
	fail "no dax0.0"
	echo "SMOKE: RESULT: FAIL"; poweroff -f
fi
info "dax0.0: driver=$(drv) target_node=$(cat $D/target_node) size=$(cat $D/size) resource=$(cat $D/resource)"
if [ -f $D/memmap_on_memory ]; then pass "$D/memmap_on_memory exists"; else fail "$D/memmap_on_memory missing"; fi
check "dax0.0/memmap_on_memory default" "$(cat $D/memmap_on_memory)" 0

START=$(cat $D/resource); SIZE=$(cat $D/size); BSB=$((0x$BS))
FIRST=$((START / BSB)); LAST=$(((START + SIZE) / BSB - 1)); NBLK=$((LAST - FIRST + 1))
SIZE_KB=$((SIZE / 1024))
info "blocks memory$FIRST..memory$LAST ($NBLK x $((BSB >> 20)) MiB)"

if [ "$MEMMAP" = none ]; then
	r=$(try_write $D/memmap_on_memory 1)
	case "$r" in
	*"not supported"*) pass "memmap_on_memory=1 refused: $r" ;;
	*) fail "memmap_on_memory=1 not refused with EOPNOTSUPP: $r" ;;
	esac
	CYCLES=
else
	check "set memmap_on_memory=1 while bound to $(drv)" "$(try_write $D/memmap_on_memory 1)" ok
	check "set memmap_on_memory=0 while bound to $(drv)" "$(try_write $D/memmap_on_memory 0)" ok
	CYCLES="1 0"
fi

# cycle MOM: bind dax0.0 to kmem with memmap_on_memory=MOM, online all
# blocks movable, check the memmap cost, offline, unbind, check for leaks.
cycle() {
	mom=$1
	info "--- kmem cycle with memmap_on_memory=$mom ---"
	echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind
	check "driver after device_dax unbind" "$(drv)" none
	check "set memmap_on_memory=$mom while unbound" "$(try_write $D/memmap_on_memory $mom)" ok
	check "memmap_on_memory reads" "$(cat $D/memmap_on_memory)" "$mom"

	n0_total=$(node_kb 0 MemTotal); n0_free=$(node_free_kb 0)
	info "before bind: node0 MemTotal=$n0_total kB free=$n0_free kB"

	nlog=$(dmesg | wc -l)
	echo dax0.0 > /sys/bus/dax/drivers/kmem/new_id
	check "driver after kmem new_id" "$(drv)" kmem
	dmesg | tail -n +$((nlog + 1)) > /tmp/bind.log
	while read -r l; do info "dmesg: $l"; done < /tmp/bind.log
	if grep -q "memmap on memory" /tmp/bind.log; then got=1; else got=0; fi
	check "kmem logged memmap on memory" $got "$mom"
	grep -iE 'soft reserved|dax|kmem' /proc/iomem | while read -r l; do info "iomem (bound): $l"; done
	b0_free=$(node_free_kb 0)
	bind_drop=$((n0_free - b0_free))
	# struct page is 64 bytes: the memmap is 1/64 of the memory
	memmap_kb=$((NBLK * (BSB >> 20) * 16))
	info "after bind: node0 free=$b0_free kB (dropped $bind_drop kB), memmap of the range $memmap_kb kB"
	echo "SMOKE: DRAM: memmap_on_memory=$mom node0_drop_at_bind_kb=$bind_drop memmap_kb=$memmap_kb"
	if [ "$mom" = 1 ]; then
		if [ $bind_drop -lt $((memmap_kb / 4)) ]; then
			pass "node0 lost $bind_drop kB at bind, well below the $memmap_kb kB memmap"
		else
			fail "node0 lost $bind_drop kB at bind; the memmap is $memmap_kb kB"
		fi
		if [ -n "$(vmstat nr_memmap_on_memory)" ]; then
			check "vmstat nr_memmap_on_memory" "$(vmstat nr_memmap_on_memory)" $((NBLK * MEMMAP))
			check "vmstat nr_memmap_on_memory_padding" "$(vmstat nr_memmap_on_memory_padding)" $((NBLK * RES))
			check "node1 memmap nr_memmap_on_memory" "$(awk '$1 == "nr_memmap_on_memory" { print $2 }' /sys/devices/system/node/node1/memmap)" $((NBLK * MEMMAP))
		fi
	else
		if [ $bind_drop -ge $((memmap_kb * 3 / 4)) ]; then
			pass "node0 lost $bind_drop kB at bind for the $memmap_kb kB memmap"
		else
			fail "node0 lost only $bind_drop kB at bind; the memmap is $memmap_kb kB"
		fi
		[ -z "$(vmstat nr_memmap_on_memory)" ] ||
			check "vmstat nr_memmap_on_memory" "$(vmstat nr_memmap_on_memory)" 0
	fi
	missing=0
	for i in $(seq $FIRST $LAST); do
		[ -d $M/memory$i ] || missing=$((missing + 1))
	done
	check "missing memory blocks $FIRST..$LAST" $missing 0

	other=$((1 - mom))
	r=$(try_write $D/memmap_on_memory $other)
	want=busy
	[ "$MEMMAP" = none ] && want="not supported"
	case "$r" in
	*"$want"*) pass "memmap_on_memory=$other while bound to kmem refused: $r" ;;
	*) fail "memmap_on_memory=$other while bound to kmem: $r (expected '$want')" ;;
	esac
	check "rewrite same value $mom while bound to kmem" "$(try_write $D/memmap_on_memory $mom)" ok

	bad=0
	for i in $(seq $FIRST $LAST); do
		r=$(try_write $M/memory$i/state online_movable)
		[ "$r" = ok ] || { bad=$((bad + 1)); info "memory$i online: $r"; }
	done
	check "blocks failing online_movable" $bad 0
	zones=$(cat $M/memory$FIRST/valid_zones)
	check "memory$FIRST valid_zones" "$zones" Movable

	a0_total=$(node_kb 0 MemTotal); a0_free=$(node_kb 0 MemFree)
	a1_total=$(node_kb 1 MemTotal); a1_free=$(node_kb 1 MemFree)
	info "online: node0 MemTotal=$a0_total kB MemFree=$a0_free kB, node1 MemTotal=$a1_total kB MemFree=$a1_free kB"
	grep -E 'nr_memmap' /proc/vmstat | while read -r l; do info "vmstat: $l"; done
	echo "SMOKE: DRAM: memmap_on_memory=$mom node1_memtotal_kb=$a1_total"
	check "node0 MemTotal unchanged" "$a0_total" "$n0_total"
	if [ "$mom" = 1 ]; then
		cost=$((NBLK * (MEMMAP + RES) * 4))
		check "node1 MemTotal (size $SIZE_KB kB - $NBLK x ($MEMMAP + $RES) pages)" "$a1_total" $((SIZE_KB - cost))
	else
		check "node1 MemTotal (memmap elsewhere)" "$a1_total" $SIZE_KB
	fi

	bad=0
	for i in $(seq $FIRST $LAST); do
		r=$(try_write $M/memory$i/state offline)
		[ "$r" = ok ] || { bad=$((bad + 1)); info "memory$i offline: $r"; }
	done
	check "blocks failing offline" $bad 0
	check "node1 MemTotal after offline" "$(node_kb 1 MemTotal)" 0

	echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind
	check "driver after kmem unbind" "$(drv)" none
	left=0
	for i in $(seq $FIRST $LAST); do
		[ -d $M/memory$i ] && left=$((left + 1))
	done
	check "memory blocks left after unbind" $left 0
	check "'System RAM (kmem)' in /proc/iomem" "$(grep -c 'System RAM (kmem)' /proc/iomem)" 0
	[ -z "$(vmstat nr_memmap_on_memory)" ] ||
		check "vmstat nr_memmap_on_memory after unbind" "$(vmstat nr_memmap_on_memory)" 0
	u0_free=$(node_free_kb 0)
	info "after unbind: node0 free=$u0_free kB (before bind $n0_free kB)"
	grep -iE 'soft reserved|dax|kmem' /proc/iomem | while read -r l; do info "iomem: $l"; done

	# back to device_dax for the next cycle
	echo dax0.0 > /sys/bus/dax/drivers/kmem/remove_id
	echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind
	check "driver after rebind" "$(drv)" device_dax
}

for mom in $CYCLES; do
	cycle $mom
done

if [ "$MEMMAP" = none ]; then
	# kmem still works without memmap_on_memory
	cycle 0
fi

if dmesg | grep -E 'WARNING|BUG|leaked|cannot be hotremoved|Call Trace'; then
	fail "kernel log has warnings (above)"
else
	pass "no kernel warnings"
fi

[ $FAIL = 0 ] && echo "SMOKE: RESULT: PASS" || echo "SMOKE: RESULT: FAIL"
sync
poweroff -f
sleep 5
# poweroff failed: exiting init panics, and panic=-1 with -no-reboot ends QEMU
exit 1
INIT
chmod +x "$WORK/root/init"
(cd "$WORK/root" && find . | cpio -o -H newc --quiet | gzip -9) > "$WORK/initrd.gz"

# --- boots -------------------------------------------------------------------------
overall=0
for c in "${CASES[@]}"; do
	spec=$(case_spec "$c") || die "unknown case '$c' (known: ${ALL_CASES[*]})"
	IFS='|' read -r extra mode bs memmap res msg <<< "$spec"
	logf=$LOGDIR/$VARIANT-$c.log
	append="console=ttyS0 memmap=1G%4G+0xefffffff panic=-1 $extra"
	append+=" smoke.case=$c smoke.mode=$mode smoke.bs=$bs smoke.memmap=$memmap"
	append+=" smoke.res=$res smoke.msg=$(echo "$msg" | tr ' ' '~')"
	log "case $c ($VARIANT): $extra"
	start=$(date +%s)
	set +e
	timeout "$TIMEOUT" qemu-system-x86_64 -M q35 -m 3G -smp 2 \
		-nographic -no-reboot \
		-kernel "$KERNEL" -initrd "$WORK/initrd.gz" -append "$append" \
		-object memory-backend-ram,id=m0,size=2G \
		-object memory-backend-ram,id=m1,size=1G \
		-numa node,nodeid=0,memdev=m0,cpus=0-1 \
		-numa node,nodeid=1,memdev=m1 \
		< /dev/null > "$logf" 2>&1
	rc=$?
	set -e
	tr -d '\r' < "$logf" | grep -E '^SMOKE: (FAIL|RESULT|DRAM)' |
		sed "s/^/  [$c] /" >&2 || true
	if [ $rc = 124 ]; then
		log "case $c: timed out after ${TIMEOUT}s (log: $logf)"
		overall=1
	elif tr -d '\r' < "$logf" | grep -q '^SMOKE: RESULT: PASS'; then
		log "case $c: PASS in $(( $(date +%s) - start ))s (log: $logf)"
	else
		log "case $c: FAIL (qemu rc=$rc, log: $logf)"
		overall=1
	fi
done

if [ $overall = 0 ]; then
	log "all cases passed"
else
	log "some cases FAILED"
fi
exit $overall
