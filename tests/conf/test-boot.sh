#!/bin/sh
# cxlmem boot against the captured fixture trees (--dry-run: a sysroot is
# read-only here): configured devices are planned with their section's
# options, others are left alone, bad configurations change nothing.
#   test-boot.sh CXLMEM
set -u
cxlmem=$1
fixtures=${MHP_FIXTURES:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
conf=$tmp/etc
state=$tmp/state
mkdir -p "$conf/conf.d" "$state"
failures=0

fail() {
	echo "FAIL: $*" >&2
	sed 's/^/    /' "$tmp/err" >&2
	failures=$((failures + 1))
}

# boot TOPO ARGS...: run with stderr in $tmp/err, exit status in $rc
boot() {
	topo=$1
	shift
	"$cxlmem" --sysroot "$fixtures/$topo" boot --config "$conf" --state-dir "$state" \
		--dry-run "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

expect_rc() {
	[ "$rc" = "$1" ] || fail "$2: exit status $rc, expected $1"
}

expect_log() {
	grep -qF -- "$1" "$tmp/err" || fail "$2: no line with '$1'"
}

# nothing configured: nothing to do, success
boot hmem --all
expect_rc 0 "empty config"
expect_log "name no device; nothing to do" "empty config"

cat >"$conf/cxlmem.conf" <<'CONF'
[device tier]
hmem-range = 0x100000000-0x13fffffff
zone = normal
memmap = off
CONF
boot hmem dax0.0
expect_rc 0 "configured hmem"
expect_log "dax0.0: configured by [device tier]" "configured hmem"
expect_log "zone normal, memmap off" "configured hmem"
# zone = normal reached the planner: every block in ZONE_NORMAL
expect_log "0 B movable, 1 GiB normal" "configured hmem"
expect_log "would be online as configured" "configured hmem"

# a conf.d drop-in overrides the zone
printf '[device tier]\nzone = movable\n' >"$conf/conf.d/50-movable.conf"
boot hmem /dev/dax0.0
expect_rc 0 "drop-in"
expect_log "1 GiB movable, 0 B normal" "drop-in"
rm "$conf/conf.d/50-movable.conf"

# an unconfigured device is left alone, and says so
boot legacy-pmem --all
expect_rc 0 "unconfigured"
expect_log "dax0.0: not named in" "unconfigured"
expect_log "[device tier] ($conf/cxlmem.conf) names no device present now" "unconfigured"

# pmem needs its own section's consent
cat >"$conf/cxlmem.conf" <<'CONF'
[device pmem]
nvdimm-uuid = 5964c59e-e8f2-11f1-aad9-3b60dc6da48d
CONF
boot legacy-pmem dax0.0
expect_rc 1 "pmem without consent"
expect_log "does not say destroy-data = yes, so it is left alone" "pmem without consent"
echo "destroy-data = yes" >>"$conf/cxlmem.conf"
boot legacy-pmem dax0.0
expect_rc 0 "pmem with consent"
expect_log "its persistent contents will be lost" "pmem with consent"
# consent in another section does not carry over
cat >"$conf/cxlmem.conf" <<'CONF'
[device other]
hmem-range = 4G+1G
destroy-data = yes
[device pmem]
nvdimm-uuid = 5964c59e-e8f2-11f1-aad9-3b60dc6da48d
CONF
boot legacy-pmem dax0.0
expect_rc 1 "consent of another section"

# an invalid configuration changes nothing, and names file:section:key
printf '[device tier]\nhmem-range = 4G+1G\nzone = sideways\n' >"$conf/cxlmem.conf"
boot hmem --all
expect_rc 1 "invalid config"
expect_log "$conf/cxlmem.conf:device tier:zone: 'sideways'" "invalid config"
expect_log "nothing was changed" "invalid config"

# an unknown device fails
printf '[device tier]\nhmem-range = 4G+1G\n' >"$conf/cxlmem.conf"
boot hmem dax9.9
expect_rc 1 "unknown device"
boot hmem
expect_rc 1 "no target"

# journald priorities: "<N>" only when stderr is the stream systemd gave
: >"$tmp/err"
stream=$(stat -c '%d:%i' "$tmp/err")
JOURNAL_STREAM=$stream "$cxlmem" --sysroot "$fixtures/hmem" boot dax0.0 --config "$conf" \
	--state-dir "$state" --dry-run 2>>"$tmp/err" >/dev/null
grep -q '^<6>dax0.0: configured by' "$tmp/err" || fail "journal: no <6> info line"
grep -q '^<5>dax0.0: would be online' "$tmp/err" || fail "journal: no <5> notice line"
grep -q 'cxlmem boot:' "$tmp/err" && fail "journal: plain prefix despite JOURNAL_STREAM"
JOURNAL_STREAM=1:1 "$cxlmem" --sysroot "$fixtures/hmem" boot dax0.0 --config "$conf" \
	--state-dir "$state" --dry-run 2>"$tmp/err" >/dev/null
grep -q '^<' "$tmp/err" && fail "journal: <N> prefix although stderr is not the journal"
printf 'zone = nowhere\n' >>"$conf/cxlmem.conf"
stream=$(stat -c '%d:%i' "$tmp/err")
JOURNAL_STREAM=$stream "$cxlmem" --sysroot "$fixtures/hmem" boot --all \
	--config "$conf" --state-dir "$state" 2>>"$tmp/err" >/dev/null
grep -q '^<3>.*zone: .nowhere' "$tmp/err" || fail "journal: no <3> error line"

[ "$failures" = 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "cxlmem boot: all checks passed"
