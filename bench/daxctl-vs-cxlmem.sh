#!/bin/bash
# daxctl vs cxlmem, side by side on two identical devices in one QEMU boot.
#
# Usage: bench/daxctl-vs-cxlmem.sh [options]
#   --cxlmem PATH      cxlmem to test (default: $MHP_CXLMEM, build/tools/cxlmem/cxlmem)
#   --kernel BZIMAGE   guest kernel (default: run-vm.sh's, the stock Debian one)
#   --modules DIR      its /lib/modules/<release> tree
#   --append "ARGS"    extra kernel command line
#   --rounds N         rounds per auto_online_blocks policy (default 4; the
#                      devices swap roles every other round)
#   --policies "P..."  auto_online_blocks values to try (default "offline online online_movable")
#   --qemu PATH|10|system
#                      the emulator: "10" is the QEMU 10 scripts/install-deps.sh
#                      unpacks for the 6.12 tests, "system" Debian 12's QEMU 7.2
#                      (qemu-system-x86_64). Default: QEMU 10 when it is there.
#                      QEMU 7.2 keys its translations of x86 code by virtual
#                      address, QEMU 10 by physical page (position-independent
#                      translation blocks), so only under 7.2 does every new
#                      process, its libraries at new addresses (ASLR), pay
#                      again for translating all the code it runs, and a tool
#                      with more code looks slower than it is (bench/README.md)
#   --no-aslr          turn the guest's address space randomisation off: under
#                      TCG every new process otherwise pays for translating its
#                      code at new addresses, a cost a CPU does not have and
#                      that grows with the code a tool runs (see bench/README.md)
#   -o DIR             results directory (default bench/results)
#
# The guest is tests/vm's hmem topology (dax0.0: 1 GiB Soft Reserved on
# CPU-less node 1) plus a second, identical 1 GiB Soft Reserved range on
# CPU-less node 2 (dax1.0). In each round one device is converted with
# `daxctl reconfigure-device -m system-ram` (and, where daxctl refuses because
# the kernel auto-onlines, again with --no-movable: tool "daxctl-nm") and the
# other with `cxlmem online-region`, then both are given back (`daxctl reconfigure-device -m
# devdax -f` / `cxlmem offline-region`). Wall times are measured in the guest
# (TCG, so absolute numbers are slow; compare the columns). The end state
# after each step is recorded: blocks online, zone per block (M = Movable,
# N = Normal, - = offline), driver, auto_online_blocks afterwards.
#
# Writes DIR/daxctl-vs-cxlmem-<date>-<kernel release>.txt (summary table,
# environment, raw TSV) and prints the table. Not a test: nothing is asserted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

cxlmem=${MHP_CXLMEM:-}
qemu=''
rounds=4
aslr=1
policies="offline online online_movable"
resdir=$here/results
vm_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--cxlmem) cxlmem=$2; shift ;;
	--kernel) vm_args+=(--kernel "$2"); shift ;;
	--modules) vm_args+=(--modules "$2"); shift ;;
	--append) vm_args+=(--append "$2"); shift ;;
	--rounds) rounds=$2; shift ;;
	--policies) policies=$2; shift ;;
	--qemu) qemu=$2; shift ;;
	--no-aslr) aslr=0 ;;
	-o) resdir=$2; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "daxctl-vs-cxlmem: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
cxlmem=$(bench_cxlmem daxctl-vs-cxlmem "$cxlmem") || exit 1
qemu=$(bench_qemu daxctl-vs-cxlmem "${qemu:-${MHP_VM_QEMU:-}}") || exit 1
export MHP_VM_QEMU=$qemu

share=$(mktemp -d "${TMPDIR:-/tmp}/bench-daxctl.XXXXXX")
trap 'rm -rf "$share"' EXIT
printf 'rounds=%s\npolicies="%s"\naslr=%s\n' "$rounds" "$policies" "$aslr" >"$share/bench.conf"

echo "daxctl-vs-cxlmem: booting the guest (hmem + a second 1 GiB device on node 2)..." >&2
"$repo/tests/vm/run-vm.sh" -q --topology hmem --cxlmem "$cxlmem" --share "$share" --timeout 900 \
	--node2-gib 1 \
	"${vm_args[@]}" "$here/guest/daxctl-vs-cxlmem.sh" ||
	{ echo "daxctl-vs-cxlmem: the guest run failed (see the console log above)" >&2; exit 1; }
[ -s "$share/bench.tsv" ] || { echo "daxctl-vs-cxlmem: no results from the guest" >&2; exit 1; }

krel=$(bench_guest_kernel "$share")
stamp=$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$resdir"
res=$resdir/daxctl-vs-cxlmem-$stamp-$krel.txt

table() {
	# per policy and tool: median time of online and offline, end states seen
	awk -F'\t' 'NR > 1 {
		k = $1 SUBSEP $3 SUBSEP $4
		n[k]++; t[k, n[k]] = $8
		st = $9 " " $10 " " $11
		if (!((k, st) in seen)) { seen[k, st] = 1; states[k] = states[k] (states[k] == "" ? "" : "; ") st }
		if ($7 != 0) fail[k]++
		pol[$1] = 1; key[k] = 1
		auto[k] = $12
	}
	function median(k,   i, j, m, a, tmp) {
		m = n[k]
		for (i = 1; i <= m; i++) a[i] = t[k, i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] + 0 < a[i] + 0) { tmp = a[i]; a[i] = a[j]; a[j] = tmp }
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	END {
		printf "%-14s %-9s %-8s %4s %10s %6s  %-16s %s\n", "auto_online", "tool", "op", "runs", "median ms", "failed", "auto_online after", "end state (online/present zones driver)"
		np = split("offline online online_movable online_kernel", order, " ")
		for (o = 1; o <= np; o++) {
			p = order[o]
			if (!(p in pol)) continue
			nt = split("cxlmem daxctl daxctl-nm", tools, " ")
			for (ti = 1; ti <= nt; ti++) for (oi = 1; oi <= 2; oi++) {
				op = oi == 1 ? "online" : "offline"
				k = p SUBSEP tools[ti] SUBSEP op
				if (!(k in key)) continue
				printf "%-14s %-9s %-8s %4d %10.1f %6d  %-16s %s\n", p, tools[ti], op, n[k], median(k), fail[k], auto[k], states[k]
			}
		}
	}' "$1"
}

ratios() {
	# cxlmem time / daxctl time of the same round and operation (the two
	# ran back to back, so they saw about the same host load): median,
	# minimum and maximum of those ratios, and the ratio of the medians
	awk -F'\t' 'NR > 1 && ($3 == "cxlmem" || $3 == "daxctl") && $7 == 0 {
		t[$1, $2, $4, $3] = $8; key[$1, $4] = 1; r[$1, $2] = 1
		n[$1, $4, $3]++; v[$1, $4, $3, n[$1, $4, $3]] = $8
	}
	function sort(a, m,   i, j, x) { for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x } }
	function med(a, m) { return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
	END {
		printf "%-14s %-8s %6s %12s %9s %9s %16s %24s\n", "auto_online", "op", "pairs", "median ratio", "min", "max", "ratio of medians", "geomean [95% interval]"
		np = split("offline online online_movable online_kernel", order, " ")
		for (o = 1; o <= np; o++) for (oi = 1; oi <= 2; oi++) {
			p = order[o]; op = oi == 1 ? "online" : "offline"
			if (!((p, op) in key)) continue
			m = 0; delete a
			for (k in r) {
				split(k, kk, SUBSEP); if (kk[1] != p) continue
				if (((p, kk[2], op, "cxlmem") in t) && ((p, kk[2], op, "daxctl") in t) && t[p, kk[2], op, "daxctl"] > 0)
					a[++m] = t[p, kk[2], op, "cxlmem"] / t[p, kk[2], op, "daxctl"]
			}
			if (!m) continue
			sort(a, m); rm = med(a, m); lo = a[1]; hi = a[m]
			# geometric mean of the ratios, with the normal 95% interval of
			# the mean log ratio: how far the run pins the ratio down
			sl = 0; sq = 0
			for (i = 1; i <= m; i++) { l = log(a[i]); sl += l; sq += l * l }
			ml = sl / m; sd = m > 1 ? sqrt((sq - m * ml * ml) / (m - 1)) : 0
			gm = exp(ml); glo = exp(ml - 1.96 * sd / sqrt(m)); ghi = exp(ml + 1.96 * sd / sqrt(m))
			delete c; delete d
			for (i = 1; i <= n[p, op, "cxlmem"]; i++) c[i] = v[p, op, "cxlmem", i]
			for (i = 1; i <= n[p, op, "daxctl"]; i++) d[i] = v[p, op, "daxctl", i]
			sort(c, n[p, op, "cxlmem"]); sort(d, n[p, op, "daxctl"])
			printf "%-14s %-8s %6d %12.3f %9.3f %9.3f %16.3f %10.3f [%.3f, %.3f]\n", p, op, m, rm, lo, hi, med(c, n[p, op, "cxlmem"]) / med(d, n[p, op, "daxctl"]), gm, glo, ghi
		}
	}' "$1"
}

{
	echo "# daxctl vs cxlmem: two identical 1 GiB Soft Reserved devices (dax0.0 node 1, dax1.0 node 2), QEMU TCG"
	echo "# generated by bench/daxctl-vs-cxlmem.sh on $(date -u '+%Y-%m-%d %H:%M:%S UTC') (host $(uname -n), $(nproc) CPUs)"
	echo "# rounds per policy: $rounds (devices swapped every other round, the tool that goes first every round)"
	echo "# cxlmem $cxlmem ($(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)); host load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
	echo "# qemu $qemu: $("$qemu" --version | head -n1)"
	sed 's/^/# /' "$share/bench.env"
	echo
	table "$share/bench.tsv"
	echo
	ratios "$share/bench.tsv"
	echo
	echo "# raw measurements (ms = wall time in the guest; zones: M Movable, N Normal, - offline)"
	cat "$share/bench.tsv"
} >"$res"
table "$share/bench.tsv"
echo
ratios "$share/bench.tsv"
echo
echo "daxctl-vs-cxlmem: results in $res" >&2
