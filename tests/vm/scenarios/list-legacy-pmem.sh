# cxlmem list on the legacy-pmem topology: e820 pmem (memmap=1G!4G) on node 1,
# namespace0.0 reconfigured to devdax -> dax0.0.
# shellcheck source=tests/vm/lib.sh
. "$MHP_VM_LIB"
out=/tmp/list.json
mhp_list_dax0 true
rc=0
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .provenance == "nvdimm" and .provenance_chain == "ndbus0 -> region0 -> dax0.0" and .region == "region0"' "dax0.0 comes from an nvdimm namespace" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .blocks.count == 7' "devdax namespace starts 2 MiB in: 7 whole blocks" || rc=1
mhp_jq_assert "$out" '(.cxl_regions | length) == 0' "no CXL regions" || rc=1
exit $rc
