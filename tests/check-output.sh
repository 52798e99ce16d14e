#!/bin/sh
# Run a command and compare its JSON output with an expected file, both
# normalised (keys sorted). MHP_UPDATE_EXPECTED=1 rewrites the file.
#   check-output.sh EXPECTED.json COMMAND [ARGS...]
set -eu
expected=$1
shift
out=$(mktemp)
trap 'rm -f "$out" "$out.a" "$out.b"' EXIT
"$@" >"$out"
norm() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), indent=1, sort_keys=True))' "$1"; }
if [ "${MHP_UPDATE_EXPECTED:-}" = 1 ]; then
	norm "$out" >"$expected"
	echo "updated $expected"
	exit 0
fi
norm "$out" >"$out.a"
norm "$expected" >"$out.b"
if ! diff -u "$out.b" "$out.a"; then
	echo "output of '$*' differs from $expected (- expected, + got);"
	echo "if the change is intended, rerun with MHP_UPDATE_EXPECTED=1"
	exit 1
fi
echo "matches $expected"
