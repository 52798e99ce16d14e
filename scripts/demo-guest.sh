# The README's main job, run inside the emulated-CXL VM: discover, plan,
# convert dax0.0 (by default the 1 GiB hmem device, firmware-style CXL RAM on
# CPU-less node 1) into system RAM, use it, show the status, give it back.
. "$MHP_VM_LIB"
step() { printf '\n===== %s\n' "$*"; }

step "cxlmem list (dax devices)"
cxlmem list | jq '{platform: .platform | {arch, kernel_release, rules, memory_block_size, memmap_on_memory, kmem}, dax_devices}'
step "cxlmem plan dax0.0 -u"
cxlmem plan dax0.0 -u
step "node 1 MemTotal before: $(node_kb 1 MemTotal) kB"
consent=
if [ "$(cxlmem list | jq '.dax_devices[] | select(.name == "dax0.0") | .persistent')" = true ]; then
	step "cxlmem online-region dax0.0 (persistent memory: refused without consent)"
	cxlmem online-region dax0.0 >/dev/null || true
	# the guest's pmem is a scratch file on the host
	consent=--force-destroy-data
fi
step "cxlmem online-region dax0.0 $consent"
cxlmem online-region dax0.0 $consent | jq '{device, result, blocks, usable_bytes, movable_bytes, memmap_location, dram_overhead_bytes}'
step "node 1 MemTotal after: $(node_kb 1 MemTotal) kB"
step "64 MiB of user memory bound to node 1, written and read back"
mhp-memtouch 1 64
step "cxlmem status dax0.0"
cxlmem status dax0.0 | jq '{device, driver, memmap_location, blocks_online, movable_bytes, drift}'
step "cxlmem offline-region dax0.0 (back to devdax)"
cxlmem offline-region dax0.0 | jq '{device, result, blocks_offlined}'
