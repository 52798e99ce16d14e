// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysroot.h"

static void mkparents(char *path)
{
	char *p;

	for (p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
}

char *sr_new(void)
{
	char tmpl[] = "/tmp/mhp-sysroot-XXXXXX";
	char *d = mkdtemp(tmpl);

	if (!d)
		abort();
	return strdup(d);
}

void sr_file(const char *root, const char *path, const char *fmt, ...)
{
	char full[1024];
	va_list ap;
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	mkparents(full);
	f = fopen(full, "w");
	if (!f)
		abort();
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

void sr_link(const char *root, const char *path, const char *target)
{
	char full[1024];

	snprintf(full, sizeof(full), "%s%s", root, path);
	mkparents(full);
	unlink(full);
	if (symlink(target, full) < 0)
		abort();
}

void sr_rm(const char *root, const char *path)
{
	char full[1024];

	snprintf(full, sizeof(full), "%s%s", root, path);
	unlink(full);
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

void sr_free(char *root)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(root);
}

const char *sr_read(const char *root, const char *path)
{
	static char buf[65536];
	char full[1024];
	size_t n;
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	f = fopen(full, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

char *sr_new_hmem(void)
{
	char *r = sr_new();
	int i;

	sr_file(r, "/proc/sys/kernel/arch", "x86_64\n");
	sr_file(r, "/proc/sys/kernel/osrelease", "6.1.0-56-amd64\n");
	sr_file(r, "/proc/cmdline", "console=ttyS0 memmap=1G%%4G+0xefffffff\n");
	sr_file(r, "/.mhp-capture/page_size", "4096\n");
	sr_file(r, "/proc/zoneinfo",
		"Node 0, zone      DMA\n  pages free 100\n        present  3998\n        managed  3840\n"
		"Node 0, zone    DMA32\n        present  520000\n        managed  500000\n"
		"Node 0, zone   Normal\n        present  0\n        managed  0\n"
		"Node 0, zone  Movable\n        present  0\n        managed  0\n");
	sr_file(r, "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "2097152\n");
	sr_file(r, "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "0\n");
	sr_file(r, "/sys/devices/system/memory/block_size_bytes", "8000000\n");
	sr_file(r, "/sys/devices/system/memory/auto_online_blocks", "offline\n");
	sr_file(r, "/sys/module/memory_hotplug/parameters/memmap_on_memory", "N\n");
	sr_file(r, "/sys/module/memory_hotplug/parameters/online_policy", "contig-zones\n");
	sr_file(r, "/sys/module/memory_hotplug/parameters/auto_movable_ratio", "301\n");
	sr_file(r, "/sys/module/memory_hotplug/parameters/auto_movable_numa_aware", "Y\n");
	sr_file(r, "/sys/devices/system/node/online", "0-1\n");
	sr_file(r, "/sys/devices/system/node/possible", "0-1\n");
	sr_file(r, "/sys/devices/system/node/has_cpu", "0\n");
	sr_file(r, "/sys/devices/system/node/has_memory", "0\n");
	sr_file(r, "/sys/devices/system/node/node0/meminfo",
		"Node 0 MemTotal:        2031616 kB\nNode 0 MemFree:  1000000 kB\n");
	sr_file(r, "/sys/devices/system/node/node1/meminfo", "Node 1 MemTotal:              0 kB\n");
	for (i = 0; i < 16; i++) {
		char p[128];

		snprintf(p, sizeof(p), "/sys/devices/system/memory/memory%d/state", i);
		sr_file(r, p, "online\n");
		snprintf(p, sizeof(p), "/sys/devices/system/memory/memory%d/valid_zones", i);
		sr_file(r, p, i ? "Normal\n" : "none\n");
		snprintf(p, sizeof(p), "/sys/devices/system/memory/memory%d/removable", i);
		sr_file(r, p, "1\n");
		snprintf(p, sizeof(p), "/sys/devices/system/memory/memory%d/node0", i);
		sr_link(r, p, "../../node/node0");
	}
	sr_file(r, "/sys/devices/platform/hmem.0/dax0.0/size", "1073741824\n");
	sr_file(r, "/sys/devices/platform/hmem.0/dax0.0/resource", "0x100000000\n");
	sr_file(r, "/sys/devices/platform/hmem.0/dax0.0/align", "2097152\n");
	sr_file(r, "/sys/devices/platform/hmem.0/dax0.0/target_node", "1\n");
	sr_file(r, "/sys/bus/dax/drivers/device_dax/bind", "%s", "");
	sr_file(r, "/sys/bus/dax/drivers/device_dax/unbind", "%s", "");
	sr_file(r, "/sys/bus/dax/drivers/kmem/new_id", "%s", "");
	sr_file(r, "/sys/bus/dax/drivers/kmem/bind", "%s", "");
	sr_file(r, "/sys/bus/dax/drivers/kmem/unbind", "%s", "");
	sr_link(r, "/sys/bus/dax/devices/dax0.0", "../../../devices/platform/hmem.0/dax0.0");
	sr_link(r, "/sys/devices/platform/hmem.0/dax0.0/driver",
		"../../../../bus/dax/drivers/device_dax");
	return r;
}
