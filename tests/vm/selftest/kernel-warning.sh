# Harness self-test: the scenario passes, but the kernel log gets a line
# shaped like a WARN() report, so run-vm.sh must fail the run.
echo "<4>WARNING: CPU: 0 PID: $$ at harness self-test" >/dev/kmsg
echo "a kernel-style warning was logged on purpose"
