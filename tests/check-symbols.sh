#!/bin/sh
# Every symbol of libmhp.sym is declared in the public header, everything
# the header declares is in libmhp.sym, and the library exports exactly
# that set under the LIBMHP_1 version node.
#   check-symbols.sh HEADER SYMFILE LIBRARY
set -eu
header=$1 sym=$2 lib=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sed -n 's/^MHP_EXPORT[^(]*[ *]\(mhp_[a-z0-9_]*\)(.*/\1/p' "$header" | sort -u >"$tmp/header"
sed -n 's/^[[:space:]]*\(mhp_[a-z0-9_]*\);.*/\1/p' "$sym" | sort -u >"$tmp/sym"
nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort -u >"$tmp/exported"

fail=0
if ! diff -u "$tmp/header" "$tmp/sym" >"$tmp/d1"; then
	echo "header and $sym disagree (- only in header, + only in .sym):"
	cat "$tmp/d1"
	fail=1
fi
if grep -v '@@LIBMHP_1$' "$tmp/exported" >"$tmp/unversioned"; then
	echo "exported without the LIBMHP_1 version:"
	cat "$tmp/unversioned"
	fail=1
fi
sed 's/@@LIBMHP_1$//' "$tmp/exported" >"$tmp/names"
if ! diff -u "$tmp/sym" "$tmp/names" >"$tmp/d2"; then
	echo "$sym and the library's exports disagree (- only in .sym, + exported):"
	cat "$tmp/d2"
	fail=1
fi
n=$(wc -l <"$tmp/sym")
[ "$fail" = 0 ] && echo "symbols: $n declared, listed and exported"
exit "$fail"
