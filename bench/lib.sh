# shellcheck shell=bash disable=SC2154 # $repo is the sourcing script's
# Helpers shared by the bench/ host scripts (sourced).

# bench_cxlmem NAME [PATH]: the cxlmem binary to measure, on stdout. A
# sanitizer build is refused: ASan and UBSan make every allocation and
# start-up slower, so it would measure the sanitizers, not cxlmem.
bench_cxlmem() {
	local me=$1 c=${2:-}
	if [ -z "$c" ]; then
		for c in "$repo/build-plain/tools/cxlmem/cxlmem" "$repo/build/tools/cxlmem/cxlmem" ''; do
			[ -n "$c" ] && [ -f "$c" ] && [ -x "$c" ] && break
		done
	fi
	if [ -z "$c" ] || [ ! -x "$c" ]; then
		echo "$me: no cxlmem binary; build one without sanitizers (meson setup build-plain -Dtests=false && meson compile -C build-plain) or pass --cxlmem" >&2
		return 1
	fi
	if ldd "$c" 2>/dev/null | grep -qE 'lib(a|ub|t)san'; then
		echo "$me: $c is a sanitizer build, which would measure ASan/UBSan, not cxlmem; build one without (meson setup build-plain -Dtests=false && meson compile -C build-plain) or pass --cxlmem" >&2
		return 1
	fi
	echo "$c"
}

# bench_qemu NAME [PATH|10|system]: the emulator to boot the guest with, on
# stdout. "10" is the QEMU 10 scripts/install-deps.sh unpacks for the 6.12
# tests, "system" Debian 12's qemu-system-x86_64 (QEMU 7.2). By default the
# first when it is there: QEMU 7.2 translates x86 code per virtual address,
# so with ASLR every new process pays again for all the code it runs, a
# cost no CPU has, which would be measured as the tools' (bench/README.md).
bench_qemu() {
	local me=$1 q=${2:-} env=${MHP_CACHE_DIR:-/var/cache/libmhp}/modern/env q10
	q10=$(sed -n 's/^MHP_VM_QEMU10=//p' "$env" 2>/dev/null | tail -n1)
	case "$q" in
	'') if [ -n "$q10" ] && [ -x "$q10" ]; then q=$q10; else q=qemu-system-x86_64; fi ;;
	10) q=$q10
	    [ -n "$q" ] || { echo "$me: no QEMU 10 in $env; run scripts/install-deps.sh" >&2; return 1; } ;;
	system) q=qemu-system-x86_64 ;;
	esac
	command -v "$q" >/dev/null 2>&1 || { echo "$me: the emulator $q is not an executable; give --qemu PATH, 10 (scripts/install-deps.sh unpacks it) or system (apt-get install qemu-system-x86)" >&2; return 1; }
	command -v "$q"
}

# bench_guest_kernel SHARE: the guest's kernel release, as the guest wrote it
bench_guest_kernel() {
	if [ -s "$1/bench.env" ]; then
		awk '$1 == "kernel" { print $2 }' "$1/bench.env"
	else
		echo unknown
	fi
}

# bench_stats KEYCOLS MSCOL TSV: per key (the first KEYCOLS columns, in the
# order first seen) the runs, failures (column "status" != 0 when there is
# one), median, minimum, quartiles and interquartile range of column MSCOL.
bench_stats() {
	awk -F'\t' -v kc="$1" -v mc="$2" '
	NR == 1 { for (i = 1; i <= NF; i++) if ($i == "status") sc = i; next }
	{
		k = $1; for (i = 2; i <= kc; i++) k = k " " $i
		if (!(k in n)) order[++nk] = k
		n[k]++; t[k, n[k]] = $mc + 0
		if (sc && $sc != 0) fail[k]++
	}
	function q(k, p,   m, x, i) { m = n[k]; x = 1 + (m - 1) * p; i = int(x); return a[i] + (x - i) * (a[i + 1 < m ? i + 1 : m] - a[i]) }
	END {
		printf "%-24s %4s %6s %9s %9s %9s %9s %9s\n", "command", "runs", "failed", "median", "min", "q1", "q3", "iqr"
		for (o = 1; o <= nk; o++) {
			k = order[o]; m = n[k]
			delete a
			for (i = 1; i <= m; i++) a[i] = t[k, i]
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
			printf "%-24s %4d %6d %9.1f %9.1f %9.1f %9.1f %9.1f\n", k, m, fail[k], q(k, 0.5), a[1], q(k, 0.25), q(k, 0.75), q(k, 0.75) - q(k, 0.25)
		}
	}' "$3"
}
