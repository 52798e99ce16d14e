#!/bin/sh
# Every numeric option refuses signs, garbage, overflow and out-of-range
# values with an error naming the option, and accepts good values.
#   test-cli-numbers.sh CXLMEM FIXTURES
set -u
cxlmem=$1 fixtures=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$fixtures/hmem" "$tmp/root"
fail=0

# refuse OPTION ARGS...: exit 1, stderr names OPTION, nothing on stdout
refuse() {
	opt=$1
	shift
	if "$cxlmem" --sysroot "$tmp/root" "$@" >"$tmp/out" 2>"$tmp/err"; then
		echo "FAIL: accepted: cxlmem $*"
		fail=1
	elif ! grep -q -- "$opt '" "$tmp/err"; then
		echo "FAIL: error does not name $opt: cxlmem $*:"
		cat "$tmp/err"
		fail=1
	elif [ -s "$tmp/out" ]; then
		echo "FAIL: output despite the bad value: cxlmem $*"
		fail=1
	else
		echo "ok: refused: cxlmem $* ($(cat "$tmp/err"))"
	fi
}

accept() {
	if ! "$cxlmem" --sysroot "$tmp/root" "$@" >"$tmp/out" 2>"$tmp/err"; then
		echo "FAIL: refused: cxlmem $*:"
		cat "$tmp/err"
		fail=1
	else
		echo "ok: accepted: cxlmem $*"
	fi
}

for v in -5 0 +5 3x '' ' 7' 100001 18446744073709551617; do
	refuse --movable-ratio online-region dax0.0 --dry-run --movable-ratio "$v"
	refuse --movable-ratio plan dax0.0 --movable-ratio "$v"
done
for v in -1 0 101 1e3; do
	refuse --waste-warn plan dax0.0 --waste-warn "$v"
done
for v in -1 0 abc 1.5s 0.0001 1. 99999999999; do
	refuse --timeout offline-region dax0.0 --timeout "$v"
done
for v in -1 0 2x 4294967297; do
	refuse --retries offline-region dax0.0 --retries "$v"
done
for v in -1G 0 12Q 99999999999999999999; do
	refuse --size plan --model arch=x86_64 --size "$v"
done
refuse --start plan --model arch=x86_64 --size 1G --start -4G

accept online-region dax0.0 --dry-run --movable-ratio 300
accept online-region dax0.0 --dry-run --no-convert
accept plan dax0.0 --movable-ratio 1 --waste-warn 100
accept offline-region dax0.0 --timeout 0.5 --retries 3
accept offline-region dax0.0 --timeout 120
accept plan --model arch=x86_64 --size 1G --start 0x100000000
exit "$fail"
