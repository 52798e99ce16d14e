# cxlmem list on the legacy-pmem topology: e820 pmem (memmap=1G!4G) on node 1,
# namespace0.0 reconfigured to devdax -> dax0.0.
# shellcheck source=tests/vm/lib.sh
. "$MHP_VM_LIB"
out=/tmp/list.json
mhp_cxlmem list >"$out" || mhp_fail "cxlmem list failed (status $?)"
[ -n "$MHP_HOST_DIR" ] && cp "$out" "$MHP_HOST_DIR/list-legacy-pmem.json"
jq . "$out" || mhp_fail "cxlmem list did not print valid JSON"
rc=0
mhp_jq_assert "$out" 'has("platform") and has("nodes") and has("cxl_regions") and has("dax_devices") and has("memory_blocks")' "top-level keys" || rc=1
mhp_jq_assert "$out" '[.dax_devices[] | select(.name == "dax0.0")] | length == 1' "dax0.0 listed" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .target_node == 1' "dax0.0 target_node 1" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .driver == "device_dax"' "dax0.0 bound to device_dax" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .persistent == true' "dax0.0 persistent" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .provenance == "nvdimm" and .provenance_chain == "ndbus0 -> region0 -> dax0.0" and .region == "region0"' "dax0.0 comes from an nvdimm namespace" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .blocks.count == 7' "devdax namespace starts 2 MiB in: 7 whole blocks" || rc=1
mhp_jq_assert "$out" '(.cxl_regions | length) == 0' "no CXL regions" || rc=1
exit $rc
