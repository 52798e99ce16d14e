# Harness self-test: exit 77 makes run-vm.sh exit 77 (when nothing failed).
# shellcheck source=tests/vm/lib.sh
. "$MHP_VM_LIB"
mhp_skip "skipping on purpose"
