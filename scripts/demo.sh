#!/bin/bash
# The main job on the embedded default: build libmhp/cxlmem, boot a QEMU
# (TCG) guest with the stock Debian 6.1 kernel and 1 GiB of firmware-style
# CXL RAM (Soft Reserved -> hmem -> dax0.0 on CPU-less node 1), and run
# cxlmem list, plan, online-region, status and offline-region in it, with
# a check that the new RAM holds data.
# Installs the dependencies first when run as root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "$(id -u)" = 0 ]; then
	scripts/install-deps.sh
fi
[ -f build/build.ninja ] || meson setup build
meson compile -C build
exec tests/vm/run-vm.sh --topology "${1:-hmem}" --cxlmem build/tools/cxlmem/cxlmem \
	--bin build/tests/vm/mhp-memtouch scripts/demo-guest.sh
