#!/bin/sh
# /init of the systemd boot test's initramfs (busybox). It mounts the
# cached Debian 12 image (QEMU writes go to a throw-away overlay,
# snapshot=on), installs the project's packages into it with dpkg as an
# administrator would, drops in the test's configuration and its oneshot
# unit, and hands over to systemd. Nothing here touches memory or dax.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say() { echo "mhp-initramfs: $*" >/dev/console; }
die() {
	say "FAIL: $*"
	echo "MHP-SYSTEMD-RESULT: $(cat /payload/nonce) 1" >/dev/console
	sleep 1
	echo o >/proc/sysrq-trigger
	sleep 30
}
while read -r m; do
	insmod "/lib/modules/$m" || die "insmod $m failed"
done </payload/modules.list
n=0
while [ ! -b /dev/vda ]; do
	n=$((n + 1)); [ $n -lt 100 ] || die "no /dev/vda (virtio-blk root disk)"
	usleep 100000
done
mkdir -p /newroot
mount -t ext4 -o rw /dev/vda /newroot || die "cannot mount the root image /dev/vda"

# the packages, as built by dpkg-buildpackage (dbgsym and -dev left out)
r=/newroot
mkdir -p $r/tmp/mhp-debs
cp /payload/debs/*.deb $r/tmp/mhp-debs/
for d in proc sys dev; do mount --bind /$d $r/$d; done
say "dpkg -i $(cd /payload/debs && echo *.deb)"
# shellcheck disable=SC2046 # dpkg-buildpackage names have no blanks
if ! chroot $r /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	dpkg -i $(cd /payload/debs && for f in *.deb; do echo /tmp/mhp-debs/$f; done) \
	>/tmp/dpkg.log 2>&1; then
	cat /tmp/dpkg.log >/dev/console
	die "dpkg -i of the project's packages failed"
fi
cat /tmp/dpkg.log >/dev/console
for d in proc sys dev; do umount $r/$d; done
rm -rf $r/tmp/mhp-debs

# the configuration under test and the test's own unit and scripts
mkdir -p $r/etc/cxlmem $r/usr/local/lib/mhp-test
cp /payload/cxlmem.conf $r/etc/cxlmem/cxlmem.conf
cp /payload/test/* $r/usr/local/lib/mhp-test/
cp /payload/nonce /payload/expect $r/usr/local/lib/mhp-test/
chmod 755 $r/usr/local/lib/mhp-test/*.sh
mv $r/usr/local/lib/mhp-test/mhp-systemd-test.service $r/etc/systemd/system/
mkdir -p $r/etc/systemd/system/multi-user.target.wants
ln -sf ../mhp-systemd-test.service $r/etc/systemd/system/multi-user.target.wants/
umount /proc /sys
mount --move /dev $r/dev 2>/dev/null || umount /dev
say "switch_root to systemd"
exec switch_root $r /sbin/init
