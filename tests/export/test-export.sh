#!/bin/bash
# cxlmem export on every fixture tree: the Prometheus file parses with the
# Prometheus client's parser (check-prometheus.py), the NFD feature file is
# exactly what node-feature-discovery's "local" source reads, both are
# replaced atomically, and an interrupted run's journal shows up.
#   test-export.sh CXLMEM CHECK-PROMETHEUS
set -u
cxlmem=$1
checker=$2
fixtures=${MHP_FIXTURES:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	[ -s "$tmp/err" ] && sed 's/^/    /' "$tmp/err" >&2
	failures=$((failures + 1))
}

# NFD's local source (features.d): "#" comments, and lines
# [prefix/]name[=value]; the name part and the value are Kubernetes label
# names/values: at most 63 characters of [A-Za-z0-9._-], alphanumeric at
# both ends (the value may be empty). Stricter than NFD on one point: cxlmem
# always writes name=value, so a bare name is rejected. No prefix: NFD adds
# feature.node.kubernetes.io/.
nfd_check() {
	awk '
	function label_ok(s) {
		return length(s) <= 63 && (s == "" || s ~ /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/)
	}
	/^#/ { next }
	{
		eq = index($0, "=")
		if (eq == 0) { print "no =: " $0; bad = 1; next }
		name = substr($0, 1, eq - 1); value = substr($0, eq + 1)
		if (name == "" || !label_ok(name)) { print "bad name: " $0; bad = 1 }
		if (!label_ok(value)) { print "bad value: " $0; bad = 1 }
		if (seen[name]++) { print "duplicate: " name; bad = 1 }
	}
	END { exit bad }' "$1" >"$tmp/err" 2>&1
}

# the label checker itself must reject what Kubernetes rejects
for bad in 'cxlmem.nodes=1,2' 'cxlmem.x=-a' 'cxlmem.x=a-' '-x=1' \
	"cxlmem.x=$(printf '%064d' 0)" 'cxlmem.x=a b' 'novalue'; do
	printf '%s\n' "$bad" >"$tmp/bad.features"
	nfd_check "$tmp/bad.features" && fail "the NFD check accepted '$bad'"
done

for topo in hmem cxl-pmem legacy-pmem; do
	root=$fixtures/$topo
	devs=$(ls "$root/sys/bus/dax/devices")
	state=$tmp/state-$topo
	mkdir -p "$state"
	"$cxlmem" --sysroot "$root" export --format prometheus --state-dir "$state" \
		--output "$tmp/$topo.prom" 2>"$tmp/err" || fail "$topo: export prometheus failed"
	# shellcheck disable=SC2086
	"$checker" "$tmp/$topo.prom" $devs 2>"$tmp/err" || fail "$topo: prometheus output"
	"$cxlmem" --sysroot "$root" export --format nfd --state-dir "$state" \
		-o "$tmp/$topo.features" 2>"$tmp/err" || fail "$topo: export nfd failed"
	nfd_check "$tmp/$topo.features" || fail "$topo: NFD feature file"
	grep -qx 'cxlmem.present=true' "$tmp/$topo.features" ||
		fail "$topo: cxlmem.present is not true"
	grep -qx 'cxlmem.nodes=1' "$tmp/$topo.features" ||
		fail "$topo: cxlmem.nodes is not 1"
	size=$(cat "$root/sys/bus/dax/devices/dax0.0/size")
	grep -qx "cxlmem.bytes=$size" "$tmp/$topo.features" ||
		fail "$topo: cxlmem.bytes is not the device size $size"
	grep -qx "cxlmem_dax_device_size_bytes{device=\"dax0.0\"} $size" "$tmp/$topo.prom" ||
		fail "$topo: size metric is not $size"
	# stdout gives the same bytes as the file
	"$cxlmem" --sysroot "$root" export -f prometheus --state-dir "$state" >"$tmp/stdout.prom" 2>"$tmp/err"
	cmp -s "$tmp/stdout.prom" "$tmp/$topo.prom" || fail "$topo: stdout differs from --output"
done
grep -qx 'cxlmem.cxl=true' "$tmp/cxl-pmem.features" || fail "cxl-pmem: cxlmem.cxl is not true"
grep -qx 'cxlmem.cxl=false' "$tmp/hmem.features" || fail "hmem: cxlmem.cxl is not false"

# atomic replacement: a file is a new inode (rename), mode 0644 for a
# collector running as another user, and no temporary file is left
printf 'old\n' >"$tmp/replace.prom"
old_inode=$(stat -c %i "$tmp/replace.prom")
"$cxlmem" --sysroot "$fixtures/hmem" export -f prometheus --state-dir "$tmp/state-hmem" \
	-o "$tmp/replace.prom" 2>"$tmp/err" || fail "replace: export failed"
[ "$(stat -c %i "$tmp/replace.prom")" != "$old_inode" ] || fail "replace: written in place, not renamed"
[ "$(stat -c %a "$tmp/replace.prom")" = 644 ] || fail "replace: mode is not 0644"
for left in "$tmp"/.replace*; do
	[ -e "$left" ] && fail "replace: a temporary file was left behind: $left"
done

# an output directory that does not exist: an error, and nothing written
if "$cxlmem" --sysroot "$fixtures/hmem" export -f nfd --state-dir "$tmp/state-hmem" \
	-o "$tmp/missing/x.features" 2>"$tmp/err"; then
	fail "a missing output directory succeeded"
fi
grep -q "cannot create a temporary file in $tmp/missing" "$tmp/err" || fail "a missing output directory: no reason given"

# bad usage
"$cxlmem" --sysroot "$fixtures/hmem" export 2>"$tmp/err" && fail "no --format succeeded"
"$cxlmem" --sysroot "$fixtures/hmem" export -f csv 2>"$tmp/err" && fail "--format csv succeeded"
grep -q "prometheus or nfd" "$tmp/err" || fail "--format csv: the formats are not named"

# an interrupted run (a journal under the state directory, which the
# library reads below the sysroot) is reported by both formats
cp -r "$fixtures/hmem" "$tmp/root"
mkdir -m 0700 "$tmp/root/state"	# the library trusts only a private state directory
printf 'mhp-journal 1\npid 1\ndevice dax0.0\nop online\n' >"$tmp/root/state/journal"
"$cxlmem" --sysroot "$tmp/root" export -f prometheus --state-dir /state \
	-o "$tmp/journal.prom" 2>"$tmp/err" || fail "journal: export failed"
"$checker" "$tmp/journal.prom" dax0.0 --recover dax0.0 2>"$tmp/err" ||
	fail "journal: recover not reported in the metrics"
"$cxlmem" --sysroot "$tmp/root" export -f nfd --state-dir /state 2>/dev/null |
	grep -qx 'cxlmem.recover-needed=true' || fail "journal: recover-needed not true"

# label values are escaped: a region named hm"e\n.0 (a quote, and a
# backslash before n, not a newline) parses back to exactly that name
rm -rf "$tmp/root"
cp -r "$fixtures/hmem" "$tmp/root"
odd='hm"e\n.0'
mv "$tmp/root/sys/devices/platform/hmem.0" "$tmp/root/sys/devices/platform/$odd"
for l in sys/bus/dax/drivers/device_dax/dax0.0 sys/bus/dax/devices/dax0.0; do
	target=$(readlink "$tmp/root/$l")
	ln -sfn "${target/hmem.0/$odd}" "$tmp/root/$l"
done
"$cxlmem" --sysroot "$tmp/root" export -f prometheus --state-dir /state \
	-o "$tmp/odd.prom" 2>"$tmp/err" || fail "odd name: export failed"
"$checker" "$tmp/odd.prom" dax0.0 2>"$tmp/err" || fail "odd name: prometheus output"
/usr/bin/python3 - "$tmp/odd.prom" "$odd" >"$tmp/err" 2>&1 <<'PY' || fail "odd name: the label did not round-trip"
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
got = fams['cxlmem_dax_device_info'].samples[0].labels['region']
sys.exit(0 if got == sys.argv[2] else 'region label %r, expected %r' % (got, sys.argv[2]))
PY

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "export: all checks passed"
