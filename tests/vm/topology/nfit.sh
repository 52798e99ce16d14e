# Topology setup: an ACPI NFIT bus (QEMU nvdimm=on) with one NVDIMM that has
# a label area, for ndctl's tests. The label area is left as QEMU made it
# (blank): whoever uses the bus initialises it (tests/daxctl/run-ndctl-test.sh
# does). No namespace, so no dax device, is created here.
# shellcheck source=tests/vm/lib.sh
. /mhp/lib.sh
mhp_modprobe nfit libnvdimm nd_pmem dax_pmem device_dax kmem
[ "$MHP_VM_SETUP" = modules ] && exit 0
mhp_wait_for /sys/bus/nd/devices/region0 30 || mhp_fail "nfit: region0 did not appear (is QEMU's -machine nvdimm=on set?)"
[ "$(cat /sys/bus/nd/devices/ndbus0/provider 2>/dev/null)" = ACPI.NFIT ] ||
	mhp_fail "nfit: ndbus0 is not the ACPI.NFIT bus: $(ndctl list -B 2>&1)"
[ -e /sys/bus/nd/devices/nmem0 ] || mhp_fail "nfit: no nmem0 (the NVDIMM) on the bus"
echo "nfit: bus ACPI.NFIT, nmem0, region0 size $(cat /sys/bus/nd/devices/region0/size) numa_node $(cat /sys/bus/nd/devices/region0/numa_node)"
