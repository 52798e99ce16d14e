# Topology setup: QEMU CXL type-3 persistent memdev behind one root port.
# Creates pmem region0 on decoder0.0 and a devdax namespace on it -> dax0.0.
# shellcheck source=tests/vm/lib.sh
. /mhp/lib.sh
mhp_modprobe cxl_acpi cxl_pci cxl_port cxl_mem cxl_pmem libnvdimm nd_pmem dax_pmem device_dax kmem
[ "$MHP_VM_SETUP" = modules ] && exit 0
for p in /sys/bus/cxl/devices/mem0 /sys/bus/cxl/devices/decoder0.0 /sys/bus/cxl/devices/nvdimm-bridge0; do
	mhp_wait_for "$p" 30 || mhp_fail "cxl-pmem: $p did not appear"
done
mhp_wait_for /sys/bus/cxl/devices/mem0/driver 30 || mhp_fail "cxl-pmem: mem0 not bound to cxl_mem"
# The endpoint port and its decoders are enumerated asynchronously.
mhp_wait_for /sys/bus/cxl/devices/endpoint2 30 || true
cxl create-region -m -d decoder0.0 -w 1 -t pmem mem0 || mhp_fail "cxl create-region failed"
n=0
while ! ndctl list -R 2>/dev/null | jq -e 'length > 0' >/dev/null; do
	n=$((n + 1)); [ $n -lt 100 ] || mhp_fail "cxl-pmem: no nvdimm region appeared"
	usleep 100000
done
ndregion=$(ndctl list -R | jq -r '.[0].dev')
ndctl create-namespace -r "$ndregion" -m devdax -M mem || mhp_fail "ndctl create-namespace failed"
mhp_wait_for /sys/bus/dax/devices/dax0.0 30 || mhp_fail "cxl-pmem: dax0.0 did not appear"
echo "cxl-pmem: nd $ndregion -> dax0.0 target_node=$(cat /sys/bus/dax/devices/dax0.0/target_node)"
