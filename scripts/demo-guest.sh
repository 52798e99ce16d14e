# The README's main job, run inside the emulated-CXL VM: discover, plan,
# convert the 1 GiB hmem device (firmware-style CXL RAM on CPU-less node 1)
# into system RAM, show the status, give it back.
. "$MHP_VM_LIB"
step() { printf '\n===== %s\n' "$*"; }

step "cxlmem list (dax devices)"
cxlmem list | jq '{platform: .platform | {arch, kernel_release, rules, memory_block_size, memmap_on_memory, kmem}, dax_devices}'
step "cxlmem plan dax0.0 -u"
cxlmem plan dax0.0 -u
step "node 1 MemTotal before: $(node_kb 1 MemTotal) kB"
step "cxlmem online-region dax0.0"
cxlmem online-region dax0.0 | jq '{device, result, blocks, usable_bytes, movable_bytes, memmap_location, dram_overhead_bytes}'
step "node 1 MemTotal after: $(node_kb 1 MemTotal) kB"
step "cxlmem status dax0.0"
cxlmem status dax0.0 | jq '{device, driver, memmap_location, blocks_online, movable_bytes, drift}'
step "cxlmem offline-region dax0.0 (back to devdax)"
cxlmem offline-region dax0.0 | jq '{device, result, blocks_offlined}'
