# shellcheck shell=bash
# Shared by the host side of the VM tests (run-vm.sh, run-systemd.sh,
# systemd/mkimage.sh): sourced after the script sets $me.
# shellcheck disable=SC2154 # $me is the sourcing script's

die() { echo "$me: error: $*" >&2; exit 1; }
msg() { echo "$me: $*" >&2; }

# Missing prerequisite: skip (77) or, under CI, fail.
missing() {
	if [ "${CI:-}" = true ]; then
		echo "$me: FAIL: $* (CI=true, so this is an error)." >&2
		echo "$me: install the VM test dependencies as root with: scripts/install-deps.sh" >&2
		exit 1
	fi
	echo "$me: SKIP: $*; install them as root with: scripts/install-deps.sh" >&2
	exit 77
}

# The script's leading comment, from line 3 to `set -u`, is its usage.
usage() { sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

# module_closure MODULES_DIR NAME...: the modules.dep paths (relative to
# MODULES_DIR) of the named modules and of everything they depend on, one
# a line. A built-in or unconfigured name contributes nothing.
module_closure() {
	local dir=$1 line f n d
	local -A byname=() taken=()
	local queue
	shift
	while IFS= read -r line; do
		f=${line%%:*}; n=${f##*/}; n=${n%%.ko*}
		byname[${n//-/_}]=$line
	done <"$dir/modules.dep"
	queue=("$@")
	while [ ${#queue[@]} -gt 0 ]; do
		n=${queue[0]//-/_}; queue=("${queue[@]:1}")
		line=${byname[$n]:-}
		[ -n "$line" ] || continue
		f=${line%%:*}
		[ -n "${taken[$f]:-}" ] && continue
		taken[$f]=1
		for d in ${line#*:}; do d=${d##*/}; queue+=("${d%%.ko*}"); done
	done
	[ ${#taken[@]} -eq 0 ] || printf '%s\n' "${!taken[@]}"
}

# boot_guest LOG MARKER GRACE: run "${qemu_cmd[@]}" for at most $timeout
# seconds, the console into LOG (and on the terminal unless $quiet = 1).
# A guest that printed MARKER but has not powered off GRACE seconds later
# is stopped. Sets qrc (QEMU's status; 124 or 137 for the timeout) and
# elapsed (wall seconds, one decimal).
# shellcheck disable=SC2034 # qrc and elapsed are the caller's results
boot_guest() {
	local log=$1 marker=$2 grace=$3 qpid tpid='' t0
	t0=$(date +%s.%N)
	timeout -k 10 "$timeout" "${qemu_cmd[@]}" </dev/null >"$log" 2>&1 &
	qpid=$!
	if [ "$quiet" != 1 ]; then
		tail -n +1 -f --pid=$qpid "$log" &
		tpid=$!
	fi
	while kill -0 $qpid 2>/dev/null; do
		if grep -aq "$marker" "$log" 2>/dev/null; then
			for _ in $(seq "$grace"); do
				kill -0 $qpid 2>/dev/null || break
				sleep 1
			done
			kill $qpid 2>/dev/null
			break
		fi
		sleep 1
	done
	wait $qpid
	qrc=$?
	[ -z "$tpid" ] || wait $tpid 2>/dev/null
	elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
}
