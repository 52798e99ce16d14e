#!/bin/bash
# The main job in a QEMU (TCG) guest: build libmhp/cxlmem, boot a guest with
# emulated CXL memory and run cxlmem list, plan, online-region, status and
# offline-region in it, with a check that the new RAM holds data.
#
#   scripts/demo.sh [TOPOLOGY]                    stock Debian 12: 6.1 kernel,
#       QEMU 7.2; TOPOLOGY hmem (default: 1 GiB Soft Reserved -> hmem ->
#       dax0.0 on CPU-less node 1, waiting on device_dax), cxl-pmem or
#       legacy-pmem
#   scripts/demo.sh --kernel-set 6.12 [TOPOLOGY]  bookworm-backports' 6.12
#       with QEMU 10; TOPOLOGY cxl-ram (default: a 1 GiB CXL RAM region)
#       or hmem. The kernel binds kmem and onlines the memory in ZONE_NORMAL
#       by itself; the demo shows that first, then cxlmem converting it.
# Installs the dependencies first when run as root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
set_=stock
if [ "${1:-}" = --kernel-set ]; then
	set_=${2:?--kernel-set wants stock or 6.12}
	shift 2
fi
topology=${1:-}
if [ -z "$topology" ]; then
	if [ "$set_" = stock ]; then topology=hmem; else topology=cxl-ram; fi
fi
if [ "$(id -u)" = 0 ]; then
	if [ "$set_" = stock ]; then scripts/install-deps.sh --no-modern; else scripts/install-deps.sh; fi
fi
[ -f build/build.ninja ] || meson setup build
meson compile -C build
exec tests/vm/run-vm.sh --kernel-set "$set_" --topology "$topology" --timeout 1200 \
	--cxlmem build/tools/cxlmem/cxlmem --bin build/tests/vm/mhp-memtouch scripts/demo-guest.sh
