#!/bin/bash
# Run ndctl 76.1's test/daxctl-devices.sh with daxctl 76.1 and with
# cxlmem-daxctl in one QEMU guest (tests/vm/run-vm.sh --topology nfit).
#
#   ndctl-test-vm.sh RUN-VM CXLMEM [RUN-VM-OPTION...]
#
# On the host it fetches the test into the cache (run-ndctl-test.sh --fetch:
# MHP_NDCTL_SRC, MHP_CACHE_DIR, apt-get source, MHP_NDCTL_GIT; see there),
# puts it and run-ndctl-test.sh in the guest's /host share, and boots the
# guest with the programs the test runs that the harness's busybox guest
# lacks. The scenario tests/vm/scenarios/ndctl-daxctl-devices.sh links
# cxlmem-daxctl to cxlmem and runs both. No scenario may skip
# (--require-pass). Exit status: run-vm.sh's.
set -u
me=ndctl-test-vm
[ $# -ge 2 ] || { echo "usage: $me RUN-VM CXLMEM [RUN-VM-OPTION...]" >&2; exit 2; }
run_vm=$1 cxlmem=$2
shift 2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scenario=$here/../vm/scenarios/ndctl-daxctl-devices.sh

src=$("$here/run-ndctl-test.sh" --fetch) || exit $?
# the test's #!/bin/bash (busybox has the rest: cat, dirname, modinfo)
bash=$(command -v bash) || { echo "$me: bash is missing" >&2; exit 1; }

share=$(mktemp -d "${TMPDIR:-/tmp}/mhp-ndctl-share.XXXXXX") || exit 1
trap 'rm -rf "$share"' EXIT
# a copy in a throw-away directory, so that the guest cannot write the cache
if ! { mkdir -p "$share/ndctl" && cp -a "$src/test" "$share/ndctl/" &&
	cp "$here/run-ndctl-test.sh" "$share/"; }; then
	echo "$me: cannot fill $share" >&2
	exit 1
fi
cat "$src/SOURCE" 2>/dev/null >"$share/ndctl/SOURCE" || echo "MHP_NDCTL_SRC=$src" >"$share/ndctl/SOURCE"

"$run_vm" --topology nfit --require-pass --cxlmem "$cxlmem" --share "$share" \
	--bin "$bash" "$@" "$scenario"
