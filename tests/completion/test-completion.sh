#!/bin/bash
# cxlmem's bash completion, sourced and driven the way bash drives it, with
# MHP_SYSROOT or --sysroot pointing at the fixture trees.
#   test-completion.sh CXLMEM COMPLETION_FILE
set -u
cxlmem=$1
# shellcheck source=/dev/null
source "$2"
fixtures=${MHP_FIXTURES:?}
failures=0

# complete WORD...: the words of the line, the last being completed
complete_line() {
	COMP_WORDS=("$cxlmem" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_cxlmem
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

# expect "WANT" WORD...: the sorted candidates are exactly WANT
expect() {
	local want=$1 got
	shift
	got=$(complete_line "$@")
	if [[ $got != "$want" ]]; then
		echo "FAIL: cxlmem $*<TAB>: got '$got', want '$want'" >&2
		failures=$((failures + 1))
	fi
}

# expect_has "WORD" WORD...: WORD is among the candidates
expect_has() {
	local want=$1 got
	shift
	got=" $(complete_line "$@") "
	if [[ $got != *" $want "* ]]; then
		echo "FAIL: cxlmem $*<TAB>: '$want' not in '$got'" >&2
		failures=$((failures + 1))
	fi
}

export MHP_SYSROOT=$fixtures/hmem
expect "offline-region online-region" o
expect "reconfigure-device recover" re
expect_has boot ""
expect_has help ""
expect "--sysroot" --sys
expect "--human" --hu
# options come from the command's own --help
expect "--recover" online-region --re
expect_has "--dry-run" online-region --
expect_has "--force-destroy-data" online-region --
expect "--movable-ratio" plan --mov
expect "--blocks" list --b
expect "--no-arbitrate" online-region --no-a
expect "--all" boot --a
expect "auto movable normal" plan --zone ""
expect "devdax none" offline-region --to ""
expect "system-ram" reconfigure-device -m s
# device and region names from the sysroot
expect "all dax0.0" plan ""
expect "dax0.0" boot ""
expect "dax0.0" boot d
MHP_SYSROOT=$fixtures/cxl-pmem expect "all dax0.0 region0" status ""
MHP_SYSROOT=$fixtures/cxl-pmem expect "region0" online-region r
# --sysroot on the line wins over the environment
expect "all dax0.0 region0" --sysroot "$fixtures/cxl-pmem" offline-region ""
expect "all dax0.0 region0" -u --sysroot "$fixtures/cxl-pmem" plan ""
# no devices: only 'all'
expect "all" --sysroot "$(mktemp -d)" plan ""
# help COMMAND, once
expect "plan" help pl
expect "" help plan ""
expect "" list ""

if ((failures)); then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "completion: all checks passed"
