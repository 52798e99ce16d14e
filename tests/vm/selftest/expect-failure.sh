#!/bin/sh
# The harness must fail a run for the expected reason, not for another one.
#   expect-failure.sh PATTERN RUN-VM ARGS...
# Passes if RUN-VM exits 1 and its output contains PATTERN (grep -E).
pattern=$1
shift
out=$("$@" 2>&1)
rc=$?
if [ $rc -eq 1 ] && printf '%s\n' "$out" | grep -qE "$pattern"; then
	echo "ok - the run failed with '$pattern' (exit 1)"
	exit 0
fi
printf '%s\n' "$out" | tail -20
echo "not ok - expected exit 1 with '$pattern', got exit $rc"
exit 1
