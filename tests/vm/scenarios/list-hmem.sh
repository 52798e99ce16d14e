# cxlmem list on the hmem topology: 1 GiB Soft Reserved on CPU-less node 1,
# exposed as dax0.0 (bound to device_dax).
# shellcheck source=tests/vm/lib.sh
. "$MHP_VM_LIB"
out=/tmp/list.json
mhp_list_dax0 false
rc=0
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .provenance == "hmem" and .provenance_chain == "hmem.0 -> dax0.0"' "dax0.0 provenance hmem" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .resource == 4294967296 and .blocks.first == 32 and .blocks.count == 8 and .blocks.present == 0' "dax0.0 at 4 GiB: blocks 32-39, not yet added" || rc=1
mhp_jq_assert "$out" '.platform | .arch == "x86_64" and .rules == "6.1" and .memory_block_size == 134217728 and .memmap_on_memory == "N" and (.kmem == "loaded" or .kmem == "loadable" or .kmem == "builtin")' "platform: stock 6.1, 128 MiB blocks" || rc=1
mhp_jq_assert "$out" '[.nodes[] | select(.node == 1)][0] | .has_cpus == false and .online == false' "node 1 is CPU-less and offline" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .size == 1073741824' "dax0.0 size 1 GiB" || rc=1
mhp_jq_assert "$out" '(.cxl_regions | length) == 0' "no CXL regions" || rc=1
exit $rc
