#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build the libFuzzer targets with clang (ASan + UBSan) in their own build
# directory and run each for a fixed budget; fail on any crash, leak or
# sanitizer report. Total: about 2 x FUZZ_SECONDS plus the build.
#   tests/fuzz/run.sh [BUILDDIR]      FUZZ_SECONDS=50 by default
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${MESON_BUILD_ROOT:-$src/build}-fuzz}
seconds=${FUZZ_SECONDS:-50}

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: clang is not installed (apt-get install clang libclang-rt-14-dev)" >&2
	# CI installs it (scripts/install-deps.sh): there a missing clang is a failure
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi

if [ ! -d "$build" ]; then
	CC=clang meson setup "$build" "$src" -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link >/dev/null
fi
nice -n 5 meson compile -C "$build" tests/fuzz/fuzz-plan tests/fuzz/fuzz-journal >/dev/null

export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
status=0
for target in plan journal; do
	corpus=$(mktemp -d)
	cp "$src/tests/fuzz/corpus/$target"/* "$corpus"/
	echo "fuzz-$target: ${seconds}s"
	if ! "$build/tests/fuzz/fuzz-$target" -max_total_time="$seconds" \
		-rss_limit_mb=2048 -max_len=65536 -timeout=10 \
		-artifact_prefix="$build/crash-$target-" \
		"$corpus" "$src/tests/fuzz/corpus/$target" \
		>"$build/fuzz-$target.log" 2>&1; then
		tail -n 60 "$build/fuzz-$target.log" >&2
		echo "fuzz-$target: FAILED, reproducer in $build/crash-$target-*" >&2
		status=1
	else
		grep -E '^#[0-9]+.*DONE' "$build/fuzz-$target.log" || tail -n 2 "$build/fuzz-$target.log"
	fi
	rm -rf "$corpus"
done
exit $status
