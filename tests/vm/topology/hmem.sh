# Topology setup: firmware-style CXL RAM (EFI Soft Reserved via memmap=%).
# 4G-5G is node 1's memory, marked Soft Reserved -> hmem.0 -> dax0.0.
# shellcheck source=tests/vm/lib.sh
. /mhp/lib.sh
mhp_modprobe dax_hmem device_dax kmem
[ "$MHP_VM_SETUP" = modules ] && exit 0
mhp_wait_for /sys/bus/dax/devices/dax0.0 30 || mhp_fail "hmem: dax0.0 did not appear"
mhp_wait_for /sys/bus/dax/devices/dax0.0/driver 10 || mhp_fail "hmem: dax0.0 is not bound to a driver"
echo "hmem: dax0.0 target_node=$(cat /sys/bus/dax/devices/dax0.0/target_node) driver=$(basename "$(readlink /sys/bus/dax/devices/dax0.0/driver)")"
