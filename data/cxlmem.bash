# bash completion for cxlmem(8)
#
# Commands and each command's options are read from 'cxlmem --help' and
# 'cxlmem COMMAND --help' (once per shell), so they cannot drift from the
# binary. Device and region names come from sysfs: below the --sysroot
# given on the command line, else below $MHP_SYSROOT, else the live /sys.

declare -gA _cxlmem_opts_cache

# Run the binary being completed; its stdout and stderr (usage may go to either).
_cxlmem_help()
{
	"$1" "${@:2}" --help 2>&1
}

_cxlmem_commands()
{
	_cxlmem_help "$1" | awk '/^commands:/ { on = 1; next }
		on && /^  [a-z]/ { if ($1 != "help") print $1 }'
}

# Every -x/--long-option token of "cxlmem [COMMAND] --help".
_cxlmem_options()
{
	local bin=$1 cmd=$2 key="$1 $2"

	if [[ -z ${_cxlmem_opts_cache[$key]+set} ]]; then
		_cxlmem_opts_cache[$key]=$(_cxlmem_help "$bin" ${cmd:+"$cmd"} |
			grep -oE '(^|[][ ,|(])--?[A-Za-z][A-Za-z0-9-]*' |
			sed 's/^[][ ,|(]//' | sort -u | tr '\n' ' ')
	fi
	printf '%s\n' "${_cxlmem_opts_cache[$key]}"
}

# Names of the dax devices and, with "regions", the CXL regions.
_cxlmem_devices()
{
	local root=$1 what=${2:-} d

	for d in "$root"/sys/bus/dax/devices/dax*; do
		[[ -e $d || -L $d ]] && printf '%s\n' "${d##*/}"
	done
	[[ $what == regions ]] || return 0
	for d in "$root"/sys/bus/cxl/devices/region*; do
		[[ -e $d || -L $d ]] && printf '%s\n' "${d##*/}"
	done
}

# COMPREPLY from compgen, one candidate a line (names may hold spaces)
_cxlmem_reply()
{
	mapfile -t COMPREPLY < <(compgen "$@")
}

_cxlmem()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local bin=${COMP_WORDS[0]} root=${MHP_SYSROOT:-} cmd="" i w

	COMPREPLY=()
	# the command is the first word that is neither an option nor the
	# argument of --sysroot
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == --sysroot ]]; then
			((i++))
			root=${COMP_WORDS[i]}
		elif [[ $w != -* ]]; then
			cmd=$w
			break
		fi
	done
	root=${root%/}
	[[ $root == / ]] && root=""

	case $prev in
	--sysroot | --config | -c | --state-dir)
		_cxlmem_reply -d -- "$cur"
		return
		;;
	--plan)
		_cxlmem_reply -f -- "$cur"
		return
		;;
	--zone)
		_cxlmem_reply -W "auto movable normal" -- "$cur"
		return
		;;
	--memmap)
		_cxlmem_reply -W "auto on off" -- "$cur"
		return
		;;
	--to)
		_cxlmem_reply -W "devdax none" -- "$cur"
		return
		;;
	-m | --mode)
		_cxlmem_reply -W "system-ram devdax" -- "$cur"
		return
		;;
	--model | --size | --start | --movable-ratio | --waste-warn | --timeout | --retries)
		return
		;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			_cxlmem_reply -W "$(_cxlmem_options "$bin" "")" -- "$cur"
		else
			_cxlmem_reply -W "$(_cxlmem_commands "$bin") help" -- "$cur"
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		[[ $cmd == help ]] && return
		_cxlmem_reply -W "$(_cxlmem_options "$bin" "$cmd")" -- "$cur"
		return
	fi
	case $cmd in
	plan | online-region | offline-region | status)
		_cxlmem_reply -W "$(_cxlmem_devices "$root" regions) all" -- "$cur"
		;;
	reconfigure-device | boot)
		_cxlmem_reply -W "$(_cxlmem_devices "$root")" -- "$cur"
		;;
	help)
		((i == COMP_CWORD - 1)) &&
			_cxlmem_reply -W "$(_cxlmem_commands "$bin")" -- "$cur"
		;;
	esac
}

complete -F _cxlmem cxlmem
