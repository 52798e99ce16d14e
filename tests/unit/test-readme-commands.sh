#!/bin/sh
# The README's commands run as root on a fresh Debian 12, which has no
# sudo: no shell line of a code block may start with it.
#   test-readme-commands.sh README.md
set -u
if awk '/^```/ { code = !code; next } code && /^(sudo|[$#] sudo) / { print FILENAME ":" NR ": " $0; bad = 1 }
	END { exit bad }' "$1"; then
	echo "ok: no command in $1 starts with sudo"
else
	echo "FAIL: the lines above start with sudo; write them as root runs them"
	exit 1
fi
