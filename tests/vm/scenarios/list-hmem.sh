# cxlmem list on the hmem topology: 1 GiB Soft Reserved on CPU-less node 1,
# exposed as dax0.0 (bound to device_dax).
# shellcheck source=tests/vm/lib.sh
. "$MHP_VM_LIB"
out=/tmp/list.json
mhp_cxlmem list >"$out" || mhp_fail "cxlmem list failed (status $?)"
[ -n "$MHP_HOST_DIR" ] && cp "$out" "$MHP_HOST_DIR/list-hmem.json"
jq . "$out" || mhp_fail "cxlmem list did not print valid JSON"
rc=0
mhp_jq_assert "$out" 'has("platform") and has("nodes") and has("cxl_regions") and has("dax_devices") and has("memory_blocks")' "top-level keys" || rc=1
mhp_jq_assert "$out" '[.dax_devices[] | select(.name == "dax0.0")] | length == 1' "dax0.0 listed" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .target_node == 1' "dax0.0 target_node 1" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .driver == "device_dax"' "dax0.0 bound to device_dax" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .persistent == false' "dax0.0 not persistent" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .provenance == "hmem" and .provenance_chain == "hmem.0 -> dax0.0"' "dax0.0 provenance hmem" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .resource == 4294967296 and .blocks.first == 32 and .blocks.count == 8 and .blocks.present == 0' "dax0.0 at 4 GiB: blocks 32-39, not yet added" || rc=1
mhp_jq_assert "$out" '.platform | .arch == "x86_64" and .rules == "6.1" and .memory_block_size == 134217728 and .memmap_on_memory == "N" and (.kmem == "loaded" or .kmem == "loadable" or .kmem == "builtin")' "platform: stock 6.1, 128 MiB blocks" || rc=1
mhp_jq_assert "$out" '[.nodes[] | select(.node == 1)][0] | .has_cpus == false and .online == false' "node 1 is CPU-less and offline" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .size == 1073741824' "dax0.0 size 1 GiB" || rc=1
mhp_jq_assert "$out" '(.cxl_regions | length) == 0' "no CXL regions" || rc=1
exit $rc
