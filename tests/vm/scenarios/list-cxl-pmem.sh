# cxlmem list on the cxl-pmem topology: CXL pmem region0 -> nd region ->
# namespace0.0 (devdax) -> dax0.0 on CPU-less node 1 (the CFMWS node).
# shellcheck source=tests/vm/lib.sh
. "$MHP_VM_LIB"
out=/tmp/list.json
mhp_list_dax0 true
rc=0
mhp_jq_assert "$out" '.cxl_regions | length == 1 and .[0].region == "region0" and .[0].mode == "pmem" and .[0].size == 536870912 and .[0].dax_region == "pmem_region0" and .[0].dax_devices == ["dax0.0"]' "CXL pmem region0 (512 MiB) feeds dax0.0" || rc=1
mhp_jq_assert "$out" '.cxl_memdevs | length == 1 and .[0].memdev == "mem0" and .[0].pmem_size == 536870912' "mem0 with 512 MiB pmem" || rc=1
mhp_jq_assert "$out" '.dax_devices[] | select(.name == "dax0.0") | .provenance == "cxl-pmem" and .cxl_region == "region0"' "dax0.0 comes from CXL pmem region0" || rc=1
exit $rc
