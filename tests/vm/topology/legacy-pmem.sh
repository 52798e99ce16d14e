# Topology setup: legacy e820 pmem (memmap=1G!4G) on NUMA node 1,
# reconfigured as a devdax namespace -> dax0.0.
# shellcheck source=tests/vm/lib.sh
. /mhp/lib.sh
mhp_modprobe nd_e820 libnvdimm nd_pmem dax_pmem device_dax kmem
[ "$MHP_VM_SETUP" = modules ] && exit 0
mhp_wait_for /sys/bus/nd/devices/namespace0.0 30 || mhp_fail "legacy-pmem: namespace0.0 did not appear"
ndctl create-namespace -f -e namespace0.0 -m devdax -M mem || mhp_fail "ndctl create-namespace failed"
mhp_wait_for /sys/bus/dax/devices/dax0.0 30 || mhp_fail "legacy-pmem: dax0.0 did not appear"
echo "legacy-pmem: namespace0.0 -> dax0.0 target_node=$(cat /sys/bus/dax/devices/dax0.0/target_node)"
