# Scenario (topology nfit): ndctl 76.1's own test/daxctl-devices.sh, run by
# tests/daxctl/run-ndctl-test.sh once with daxctl 76.1 and once with
# cxlmem-daxctl. Started by tests/daxctl/ndctl-test-vm.sh, which puts the
# test (ndctl/test) and run-ndctl-test.sh in the host share.
# shellcheck source=tests/vm/lib.sh
. "$MHP_VM_LIB"
[ "$MHP_TOPOLOGY" = nfit ] || mhp_skip "needs --topology nfit (an ACPI NFIT bus)"
[ -x /bin/cxlmem ] || mhp_fail "/bin/cxlmem is missing: pass --cxlmem PATH"
[ -x /bin/bash ] || mhp_fail "/bin/bash is missing: pass --bin /bin/bash"
[ -n "$MHP_HOST_DIR" ] && [ -f "$MHP_HOST_DIR/run-ndctl-test.sh" ] &&
	[ -f "$MHP_HOST_DIR/ndctl/test/daxctl-devices.sh" ] ||
	mhp_fail "the host share has no run-ndctl-test.sh or ndctl/test: run through tests/daxctl/ndctl-test-vm.sh"
# cxlmem-daxctl is cxlmem, chosen by the name it is run as
ln -sf cxlmem /bin/cxlmem-daxctl
MHP_NDCTL_SRC=$MHP_HOST_DIR/ndctl bash "$MHP_HOST_DIR/run-ndctl-test.sh" /bin/cxlmem-daxctl
