# Guest half of bench/startup.sh (a tests/vm scenario): the cost of what
# cxlmem does besides the kernel's work, without changing anything: start,
# discover, plan (`cxlmem online-region --dry-run dax0.0`, `cxlmem plan
# dax0.0`, `cxlmem list`) next to `daxctl list -d dax0.0` and `daxctl list`.
# Commands are interleaved, BENCH_REPS times each, so the host's load hits
# all of them alike. Other cxlmem binaries put in /bin by the host
# (BENCH_VARIANTS, e.g. "cxlmem-asan") are measured the same way. One TSV
# line per run to $MHP_HOST_DIR/startup.tsv.
. "$MHP_VM_LIB"
out=${MHP_HOST_DIR:?the host share is needed for the results}
reps=15
variants=
[ -f "$out/bench.conf" ] && . "$out/bench.conf"

now_us() { adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { u = $2 } END { printf "%d%06d\n", s, u }'; }
timed() {
	_name=$1
	shift
	_t0=$(now_us)
	_rc=0
	"$@" >/dev/null 2>&1 || _rc=$?
	_t1=$(now_us)
	printf '%s\t%s\t%d\t%s\n' "$_name" "$rep" "$_rc" \
		"$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.1f", (b - a) / 1000 }')" >>"$out/startup.tsv"
}

head -c 1 /dev/urandom >/dev/null
echo offline >/sys/devices/system/memory/auto_online_blocks
printf 'command\trep\tstatus\tms\n' >"$out/startup.tsv"
echo "kernel $(uname -r)" >"$out/bench.env"
rep=0
for c in cxlmem $variants; do $c list >/dev/null 2>&1 || true; done
daxctl list >/dev/null 2>&1 || true
rep=1
while [ $rep -le $reps ]; do
	for c in cxlmem $variants; do
		timed "$c --version" $c --version
		timed "daxctl version" daxctl version
		timed "$c dry-run" $c online-region --dry-run dax0.0
		timed "daxctl list -d" daxctl list -d dax0.0
		timed "$c plan" $c plan dax0.0
		timed "$c list" $c list
		timed "daxctl list" daxctl list
		timed "true" true
	done
	rep=$((rep + 1))
done
echo "results: $out/startup.tsv"
