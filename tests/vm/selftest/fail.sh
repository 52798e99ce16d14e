# Harness self-test: must make run-vm.sh exit 1.
echo "this scenario fails on purpose"
false
echo "not reached"
