# Run scripts/mhp-capture-sysfs in the guest and write the tree to
# $MHP_HOST_DIR/capture (used by tests/fixtures/capture-vm.sh; also handy to
# look at a topology from the host).
# shellcheck source=tests/vm/lib.sh
. "$MHP_VM_LIB"
[ -n "$MHP_HOST_DIR" ] || mhp_fail "the host share is not mounted"
command -v mhp-capture-sysfs >/dev/null || mhp_fail "mhp-capture-sysfs is not in the initramfs"
dest=$MHP_HOST_DIR/capture
rm -rf "$dest"
mhp-capture-sysfs -o "$dest"
# The chain libmhp follows must resolve inside the tree.
real=$(cd -P "$dest/sys/bus/dax/devices/dax0.0" && pwd) || mhp_fail "dax0.0 link does not resolve in the capture"
case "$real" in "$dest"/sys/devices/*) ;; *) mhp_fail "dax0.0 resolves outside the tree: $real" ;; esac
echo "capture: dax0.0 -> ${real#$dest}"
