#!/bin/sh
# The harness must report a failing scenario as such (exit 1 with
# "scenario status"), not fail for some other reason.
#   expect-scenario-failure.sh RUN-VM ARGS...
out=$("$@" 2>&1)
rc=$?
if [ $rc -eq 1 ] && printf '%s\n' "$out" | grep -q "FAIL: scenario status 1"; then
	echo "ok - the failing scenario was reported (exit 1)"
	exit 0
fi
printf '%s\n' "$out" | tail -20
echo "not ok - expected exit 1 with 'FAIL: scenario status 1', got exit $rc"
exit 1
