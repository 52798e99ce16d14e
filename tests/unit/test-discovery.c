// SPDX-License-Identifier: LGPL-2.1-or-later
/* Discovery against small generated sysfs trees, including broken ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "private.h"
#include "fakekernel.h"
#include "sysroot.h"

void mhp_dax_classify(const char *devpath, enum mhp_provenance *prov,
		      char *chain, size_t chain_len, char *cxl_region,
		      size_t cxl_len, bool *persistent);

static struct mhp_ctx *ctx_at(const char *root)
{
	struct mhp_ctx *ctx;

	assert_int_equal(mhp_new(&ctx), 0);
	mhp_set_log_priority(ctx, 0);	/* expected failures stay quiet */
	assert_int_equal(mhp_set_sysroot(ctx, root), 0);
	return ctx;
}

static void test_platform(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_platform *p;

	assert_int_equal(mhp_get_platform(ctx, &p), 0);
	assert_string_equal(mhp_platform_get_arch(p), "x86_64");
	assert_string_equal(mhp_platform_get_kernel_release(p), "6.1.0-56-amd64");
	assert_string_equal(mhp_platform_get_rules(p), "6.1");
	assert_int_equal(mhp_platform_get_page_size(p), 4096);
	assert_int_equal(mhp_platform_get_block_size(p), 128 << 20);
	/* HUGETLB built (hugepages dir) -> pageblock = PMD = 2 MiB */
	assert_int_equal(mhp_platform_get_pageblock_size(p), 2 << 20);
	assert_int_equal(mhp_platform_get_pmd_size(p), 2 << 20);
	assert_int_equal(mhp_platform_get_struct_page_size(p), 64);
	assert_int_equal(mhp_platform_get_memmap_mode(p), MHP_MEMMAP_MODE_OFF);
	assert_false(mhp_platform_has_dax_memmap_knob(p));
	assert_string_equal(mhp_platform_get_auto_online_blocks(p), "offline");
	assert_string_equal(mhp_platform_get_online_policy(p), "contig-zones");
	assert_int_equal(mhp_platform_get_auto_movable_ratio(p), 301);
	assert_int_equal(mhp_platform_get_auto_movable_numa_aware(p), 1);
	/* drivers/kmem exists, no /sys/module/kmem/initstate: built in */
	assert_int_equal(mhp_platform_get_kmem_state(p), MHP_KMEM_BUILTIN);
	/* (3840 + 500000) managed pages of 4 KiB in DMA + DMA32 */
	assert_int_equal(mhp_platform_get_kernel_bytes(p), (3840ULL + 500000) * 4096);
	assert_int_equal(mhp_platform_get_movable_bytes(p), 0);
	mhp_platform_unref(p);
	mhp_unref(ctx);
	sr_free(root);
}

static void test_pageblock_rules(void **state)
{
	char *root = sr_new_hmem(), path[512];
	struct mhp_ctx *ctx;
	struct mhp_platform *p;

	/* no HUGETLB: MAX_ORDER - 1 = 4 MiB pageblocks */
	sr_rm(root, "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");
	snprintf(path, sizeof(path), "%s/sys/kernel/mm/hugepages/hugepages-2048kB", root);
	assert_int_equal(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/sys/kernel/mm/hugepages", root);
	assert_int_equal(rmdir(path), 0);
	ctx = ctx_at(root);
	assert_int_equal(mhp_get_platform(ctx, &p), 0);
	assert_int_equal(mhp_platform_get_pageblock_size(p), 4 << 20);
	mhp_platform_unref(p);
	mhp_unref(ctx);

	/* /proc/pagetypeinfo wins when readable */
	sr_file(root, "/proc/pagetypeinfo", "Page block order: 9\nPages per block:  512\n");
	ctx = ctx_at(root);
	assert_int_equal(mhp_get_platform(ctx, &p), 0);
	assert_int_equal(mhp_platform_get_pageblock_size(p), 2 << 20);
	mhp_platform_unref(p);
	mhp_unref(ctx);
	sr_free(root);
}

/* A fresh context on @root probes the platform as rule set @rules. */
static void assert_rules_at(const char *root, const char *rules)
{
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_platform *p;

	assert_int_equal(mhp_get_platform(ctx, &p), 0);
	assert_string_equal(mhp_platform_get_rules(p), rules);
	mhp_platform_unref(p);
	mhp_unref(ctx);
}

static void test_force_detects_patched(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx;
	struct mhp_platform *p;

	sr_file(root, "/sys/module/memory_hotplug/parameters/memmap_on_memory", "force\n");
	ctx = ctx_at(root);
	assert_int_equal(mhp_get_platform(ctx, &p), 0);
	assert_int_equal(mhp_platform_get_memmap_mode(p), MHP_MEMMAP_MODE_FORCE);
	assert_string_equal(mhp_platform_get_rules(p), "6.1-mhp");
	assert_true(mhp_platform_has_memmap_force(p));
	mhp_platform_unref(p);
	mhp_unref(ctx);

	/* the dax knob alone also identifies the series */
	sr_file(root, "/sys/module/memory_hotplug/parameters/memmap_on_memory", "Y\n");
	sr_file(root, "/sys/devices/platform/hmem.0/dax0.0/memmap_on_memory", "0\n");
	ctx = ctx_at(root);
	assert_int_equal(mhp_get_platform(ctx, &p), 0);
	assert_string_equal(mhp_platform_get_rules(p), "6.1-mhp");
	assert_true(mhp_platform_has_dax_memmap_knob(p));
	mhp_platform_unref(p);
	mhp_unref(ctx);

	/* with memmap_on_memory=N and no dax device: the vmstat counter */
	sr_file(root, "/sys/module/memory_hotplug/parameters/memmap_on_memory", "N\n");
	sr_rm(root, "/sys/devices/platform/hmem.0/dax0.0/memmap_on_memory");
	sr_file(root, "/proc/vmstat", "nr_free_pages 1000\nnr_memmap_on_memory_padding 0\n");
	assert_rules_at(root, "6.1");
	sr_file(root, "/proc/vmstat", "nr_free_pages 1000\nnr_memmap_on_memory 0\nnr_memmap_on_memory_padding 0\n");
	assert_rules_at(root, "6.1-mhp");
	sr_free(root);
}

static void test_nodes(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_node *n, *next;
	int count = 0;

	mhp_node_foreach(ctx, n)
		count++;
	assert_int_equal(count, 2);
	mhp_node_foreach_safe(ctx, n, next)
		count--;
	assert_int_equal(count, 0);
	n = mhp_node_get_by_id(ctx, 0);
	assert_non_null(n);
	assert_true(mhp_node_has_cpus(n));
	assert_int_equal(mhp_node_get_mem_total(n), 2031616ULL * 1024);
	assert_int_equal(mhp_node_get_zone_bytes(n, MHP_ZONE_NORMAL), 503840ULL * 4096);
	n = mhp_node_get_by_id(ctx, 1);
	assert_non_null(n);
	assert_false(mhp_node_has_cpus(n));
	assert_false(mhp_node_has_memory(n));
	assert_int_equal(mhp_node_get_memory_tier(n), -1);
	mhp_unref(ctx);
	sr_free(root);
}

static void test_node_memmap_counters(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_node *n = mhp_node_get_by_id(ctx, 1);
	uint64_t pages = 7;

	/* stock kernel: no counters */
	assert_non_null(n);
	assert_int_equal(mhp_node_get_memmap_pages(n, MHP_MEMMAP_HOTPLUG, &pages), -EOPNOTSUPP);
	assert_int_equal(pages, 7);
	assert_non_null(strstr(mhp_get_last_error(ctx), "nr_memmap"));

	/* nr_memmap_pages must not be taken from nr_memmap_boot_pages or _on_memory */
	sr_file(root, "/sys/devices/system/node/node1/memmap",
		"nr_memmap_on_memory 4096\nnr_memmap_on_memory_padding 512\n"
		"nr_memmap_boot_pages 1024\nnr_memmap_pages 8192\n");
	assert_int_equal(mhp_node_get_memmap_pages(n, MHP_MEMMAP_HOTPLUG, &pages), 0);
	assert_int_equal(pages, 8192);
	assert_int_equal(mhp_node_get_memmap_pages(n, MHP_MEMMAP_BOOT, &pages), 0);
	assert_int_equal(pages, 1024);
	assert_int_equal(mhp_node_get_memmap_pages(n, MHP_MEMMAP_ON_MEMORY, &pages), 0);
	assert_int_equal(pages, 4096);
	assert_int_equal(mhp_node_get_memmap_pages(n, MHP_MEMMAP_ON_MEMORY_PADDING, &pages), 0);
	assert_int_equal(pages, 512);
	assert_int_equal(mhp_node_get_memmap_pages(n, 42, &pages), -EINVAL);

	/* the earlier series' names in nodeN/vmstat are not read any more */
	sr_rm(root, "/sys/devices/system/node/node1/memmap");
	sr_file(root, "/sys/devices/system/node/node1/vmstat",
		"nr_memmap_on_memory 4096\nnr_memmap_boot 1024\nnr_memmap 8192\n");
	pages = 7;
	assert_int_equal(mhp_node_get_memmap_pages(n, MHP_MEMMAP_HOTPLUG, &pages), -EOPNOTSUPP);
	assert_int_equal(pages, 7);

	/* a memmap file without the line asked for */
	sr_file(root, "/sys/devices/system/node/node1/memmap", "nr_memmap_on_memory 4096\n");
	assert_int_equal(mhp_node_get_memmap_pages(n, MHP_MEMMAP_HOTPLUG, &pages), -EOPNOTSUPP);
	assert_non_null(strstr(mhp_get_last_error(ctx), "nr_memmap_pages"));
	assert_int_equal(mhp_node_get_memmap_pages(n, MHP_MEMMAP_ON_MEMORY, &pages), 0);
	assert_int_equal(pages, 4096);
	mhp_unref(ctx);
	sr_free(root);
}

static void test_blocks(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_block *b;
	int count = 0;

	assert_int_equal(mhp_block_get(ctx, 5, &b), 0);
	assert_int_equal(mhp_block_get_index(b), 5);
	assert_int_equal(mhp_block_get_phys_addr(b), 5ULL << 27);
	assert_int_equal(mhp_block_get_state(b), MHP_BLOCK_ONLINE);
	assert_int_equal(mhp_block_get_zone(b), MHP_ZONE_NORMAL);
	assert_int_equal(mhp_block_get_node(b), 0);
	assert_true(mhp_block_is_removable(b));
	/* absent is an answer, not an error */
	assert_int_equal(mhp_block_get(ctx, 40, &b), -ENOENT);
	assert_string_equal(mhp_get_last_error(ctx), "");
	mhp_block_foreach(ctx, b) {
		assert_int_equal(mhp_block_get_index(b), (uint64_t)count);
		count++;
	}
	assert_int_equal(count, 16);
	mhp_unref(ctx);
	sr_free(root);
}

/*
 * The block cache remembers an absent block (the planner asks twice), but
 * must not hide one that appears: an invalidation (kmem bound), a scan
 * that lists it, or a fresh read sees it. A fresh read also sees a state
 * that changed behind the cache.
 */
static void add_block(const char *root, int idx)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%d/state", idx);
	sr_file(root, path, "offline\n");
	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%d/valid_zones", idx);
	sr_file(root, path, "Normal Movable\n");
}

static void rmdir_in(const char *root, const char *dir)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s%s", root, dir);
	assert_int_equal(rmdir(path), 0);
}

static void test_block_cache_absent_and_fresh(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_block *b;
	int count = 0;

	assert_int_equal(mhp_block_get(ctx, 40, &b), -ENOENT);
	add_block(root, 40);
	assert_int_equal(mhp_block_get_fresh(ctx, 40, &b), 0);
	assert_int_equal(mhp_block_get_state(b), MHP_BLOCK_OFFLINE);
	assert_string_equal(mhp_get_last_error(ctx), "");
	mhp_unref(ctx);

	ctx = ctx_at(root);
	assert_int_equal(mhp_block_get(ctx, 41, &b), -ENOENT);
	add_block(root, 41);
	mhp_blocks_invalidate(ctx);
	assert_int_equal(mhp_block_get(ctx, 41, &b), 0);
	mhp_unref(ctx);

	ctx = ctx_at(root);
	assert_int_equal(mhp_block_get(ctx, 42, &b), -ENOENT);
	add_block(root, 42);
	mhp_block_foreach(ctx, b)
		count++;
	assert_int_equal(count, 16 + 3);	/* 40, 41 and 42 are listed now */
	assert_int_equal(mhp_block_get(ctx, 42, &b), 0);

	/* a changed state: the cache keeps it, a fresh read sees it */
	assert_int_equal(mhp_block_get(ctx, 5, &b), 0);
	assert_int_equal(mhp_block_get_state(b), MHP_BLOCK_ONLINE);
	sr_file(root, "/sys/devices/system/memory/memory5/state", "offline\n");
	assert_int_equal(mhp_block_get(ctx, 5, &b), 0);
	assert_int_equal(mhp_block_get_state(b), MHP_BLOCK_ONLINE);
	assert_int_equal(mhp_block_get_fresh(ctx, 5, &b), 0);
	assert_int_equal(mhp_block_get_state(b), MHP_BLOCK_OFFLINE);
	/* and a block that went away */
	sr_rm(root, "/sys/devices/system/memory/memory42/state");
	sr_rm(root, "/sys/devices/system/memory/memory42/valid_zones");
	rmdir_in(root, "/sys/devices/system/memory/memory42");
	assert_int_equal(mhp_block_get_fresh(ctx, 42, &b), -ENOENT);
	assert_string_equal(mhp_get_last_error(ctx), "");
	mhp_unref(ctx);
	sr_free(root);
}

static void test_dax_hmem(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_dax_dev *d = mhp_dax_dev_get_by_name(ctx, "dax0.0");

	assert_non_null(d);
	assert_int_equal(mhp_dax_dev_get_resource(d), 4ULL << 30);
	assert_int_equal(mhp_dax_dev_get_size(d), 1ULL << 30);
	assert_int_equal(mhp_dax_dev_get_align(d), 2 << 20);
	assert_int_equal(mhp_dax_dev_get_target_node(d), 1);
	assert_int_equal(mhp_dax_dev_get_driver(d), MHP_DAX_DRIVER_DEVICE_DAX);
	assert_int_equal(mhp_dax_dev_get_memmap_on_memory(d), -1);
	assert_int_equal(mhp_dax_dev_get_provenance(d), MHP_PROV_HMEM);
	assert_string_equal(mhp_dax_dev_get_provenance_chain(d), "hmem.0 -> dax0.0");
	assert_string_equal(mhp_dax_dev_get_region(d), "hmem.0");
	assert_null(mhp_dax_dev_get_cxl_region(d));
	assert_false(mhp_dax_dev_is_persistent(d));
	mhp_unref(ctx);
	sr_free(root);
}

/*
 * A device's directory is its bus link's target joined to the bus
 * directory, one readlink: a tree's link that climbs above the root stays
 * in the tree, and a real directory in place of the link is the directory.
 */
static void test_dax_device_path(void **state)
{
	char *root = sr_new_hmem(), buf[MHP_PATH_MAX];
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_dax_dev *d = mhp_dax_dev_get_by_name(ctx, "dax0.0");

	assert_non_null(d);
	assert_int_equal(mhp_dax_dev_get_region_path(ctx, d, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/devices/platform/hmem.0");
	sr_link(root, "/sys/bus/dax/devices/dax0.0",
		"../../../../../../../../sys/devices/platform/hmem.0/dax0.0");
	assert_int_equal(mhp_dax_dev_get_region_path(ctx, d, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/devices/platform/hmem.0");
	mhp_unref(ctx);

	sr_rm(root, "/sys/bus/dax/devices/dax0.0");
	sr_file(root, "/sys/bus/dax/devices/dax0.0/size", "1073741824\n");
	sr_file(root, "/sys/bus/dax/devices/dax0.0/resource", "0x100000000\n");
	ctx = ctx_at(root);
	d = mhp_dax_dev_get_by_name(ctx, "dax0.0");
	assert_non_null(d);
	assert_int_equal(mhp_dax_dev_get_region_path(ctx, d, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/bus/dax/devices");
	assert_string_equal(mhp_dax_dev_get_region(d), "devices");
	mhp_unref(ctx);
	sr_free(root);
}

static void test_classify(void **state)
{
	static const struct {
		const char *path;
		enum mhp_provenance prov;
		const char *chain, *region;
		bool persistent;
	} cases[] = {
		{ "/sys/devices/platform/hmem.0/dax0.0", MHP_PROV_HMEM,
		  "hmem.0 -> dax0.0", "", false },
		{ "/sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0/dax0.0",
		  MHP_PROV_CXL_REGION, "region0 -> dax_region0 -> dax0.0", "region0", false },
		{ "/sys/devices/platform/ACPI0017:00/root0/nvdimm-bridge0/ndbus1/region1/dax1.0/dax1.0",
		  MHP_PROV_CXL_PMEM, "ndbus1 -> region1 -> dax1.0", "", true },
		{ "/sys/devices/platform/e820_pmem/ndbus0/region0/dax0.0/dax0.0",
		  MHP_PROV_NVDIMM, "ndbus0 -> region0 -> dax0.0", "", true },
		{ "/sys/devices/virtual/somewhere/dax9.0", MHP_PROV_UNKNOWN, "", "", false },
	};
	char chain[256], region[32];
	enum mhp_provenance prov;
	bool pmem;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		mhp_dax_classify(cases[i].path, &prov, chain, sizeof(chain), region,
				 sizeof(region), &pmem);
		assert_int_equal(prov, cases[i].prov);
		assert_string_equal(chain, cases[i].chain);
		assert_string_equal(region, cases[i].region);
		assert_int_equal(pmem, cases[i].persistent);
	}
}

/* ---- broken trees: clear errors, no crash ---- */

static void expect_platform_error(const char *root, int rc, const char *needle1,
				  const char *needle2)
{
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_platform *p = NULL;

	assert_int_equal(mhp_get_platform(ctx, &p), rc);
	assert_null(p);
	assert_non_null(strstr(mhp_get_last_error(ctx), needle1));
	if (needle2)
		assert_non_null(strstr(mhp_get_last_error(ctx), needle2));
	mhp_unref(ctx);
}

static void test_bad_block_size(void **state)
{
	char *root = sr_new_hmem();

	sr_file(root, "/sys/devices/system/memory/block_size_bytes", "zzz\n");
	expect_platform_error(root, -EINVAL, "block_size_bytes", "'zzz'");
	sr_file(root, "/sys/devices/system/memory/block_size_bytes", "%s", "");
	expect_platform_error(root, -EINVAL, "block_size_bytes", "not a valid");
	sr_file(root, "/sys/devices/system/memory/block_size_bytes", "8000001\n");
	expect_platform_error(root, -EINVAL, "block_size_bytes", "power of two");
	sr_file(root, "/sys/devices/system/memory/block_size_bytes", "ffffffffffffffffffff\n");
	expect_platform_error(root, -ERANGE, "block_size_bytes", NULL);
	sr_rm(root, "/sys/devices/system/memory/block_size_bytes");
	expect_platform_error(root, -ENOENT, "block_size_bytes", "CONFIG_MEMORY_HOTPLUG");
	sr_free(root);
}

static void test_no_arch(void **state)
{
	char *root = sr_new_hmem();

	struct mhp_ctx *ctx;
	struct mhp_platform *p;

	/* a partial tree probes; the arch is unknown, with the reason (issue 12) */
	sr_rm(root, "/proc/sys/kernel/arch");
	unsetenv("MHP_ARCH");
	ctx = ctx_at(root);
	assert_int_equal(mhp_get_platform(ctx, &p), 0);
	assert_null(mhp_platform_get_arch(p));
	assert_string_equal(mhp_platform_get_unknown_fact(p, 0), "arch");
	assert_non_null(strstr(mhp_platform_get_unknown_reason(p, 0), "mhp-capture-sysfs"));
	mhp_platform_unref(p);
	mhp_unref(ctx);
	sr_free(root);
}

static void test_missing_target_node(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx;
	struct mhp_dax_dev *d;

	sr_rm(root, "/sys/devices/platform/hmem.0/dax0.0/target_node");
	ctx = ctx_at(root);
	d = mhp_dax_dev_get_by_name(ctx, "dax0.0");
	assert_non_null(d);
	assert_int_equal(mhp_dax_dev_get_target_node(d), -1);
	mhp_unref(ctx);
	sr_free(root);
}

static void test_bad_resource(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx;

	sr_file(root, "/sys/devices/platform/hmem.0/dax0.0/resource", "0x1000zz\n");
	ctx = ctx_at(root);
	assert_null(mhp_dax_dev_get_first(ctx));
	assert_non_null(strstr(mhp_get_last_error(ctx), "dax0.0/resource"));
	assert_non_null(strstr(mhp_get_last_error(ctx), "0x1000zz"));
	mhp_unref(ctx);

	/* unreadable (here: a directory) */
	sr_rm(root, "/sys/devices/platform/hmem.0/dax0.0/resource");
	sr_file(root, "/sys/devices/platform/hmem.0/dax0.0/resource/x", "1\n");
	ctx = ctx_at(root);
	assert_null(mhp_dax_dev_get_first(ctx));
	assert_non_null(strstr(mhp_get_last_error(ctx), "cannot read"));
	mhp_unref(ctx);
	sr_free(root);
}

static void test_truncated_state(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx;
	struct mhp_block *b;

	sr_file(root, "/sys/devices/system/memory/memory3/state", "onl");
	sr_rm(root, "/sys/devices/system/memory/memory4/state");
	ctx = ctx_at(root);
	assert_int_equal(mhp_block_get(ctx, 3, &b), 0);
	assert_int_equal(mhp_block_get_state(b), MHP_BLOCK_UNKNOWN);
	assert_int_equal(mhp_block_get(ctx, 4, &b), -ENOENT);
	assert_non_null(strstr(mhp_get_last_error(ctx), "memory4/state"));
	mhp_unref(ctx);
	sr_free(root);
}

static void test_bad_sysroot(void **state)
{
	struct mhp_ctx *ctx;

	assert_int_equal(mhp_new(&ctx), 0);
	mhp_set_log_priority(ctx, 0);
	assert_int_equal(mhp_set_sysroot(ctx, "/nonexistent/mhp"), -ENOENT);
	assert_non_null(strstr(mhp_get_last_error(ctx), "/nonexistent/mhp"));
	mhp_unref(ctx);
}

/* ---- expected absences: nothing logged at LOG_ERR, nothing recorded ---- */

static int nr_err_logs;
static char first_err[512];

static void count_errors(struct mhp_ctx *ctx, int priority, const char *file,
			 int line, const char *fn, const char *format, va_list args)
{
	if (priority > LOG_ERR)
		return;
	if (!nr_err_logs++)
		vsnprintf(first_err, sizeof(first_err), format, args);
}

/* A context as a program linking libmhp gets it, logging errors. */
static struct mhp_ctx *ctx_counting(const char *root)
{
	struct mhp_ctx *ctx;

	assert_int_equal(mhp_new(&ctx), 0);
	mhp_set_log_fn(ctx, count_errors);
	mhp_set_log_priority(ctx, LOG_ERR);
	nr_err_logs = 0;
	first_err[0] = '\0';
	assert_int_equal(mhp_set_sysroot(ctx, root), 0);
	return ctx;
}

static void assert_no_errors(struct mhp_ctx *ctx)
{
	if (nr_err_logs)
		fail_msg("%d error(s) logged, the first: %s", nr_err_logs, first_err);
	assert_string_equal(mhp_get_last_error(ctx), "");
}

/* The README's example: plan dax0.0 of the hmem capture through the API. */
static void test_plan_hmem_fixture_quiet(void **state)
{
	const char *fixtures = getenv("MHP_FIXTURES");
	struct mhp_plan_opts opts = { .size = sizeof(opts) };
	char root[512];
	struct mhp_ctx *ctx;
	struct mhp_dax_dev *d;
	struct mhp_plan *plan;

	if (!fixtures)
		skip();
	snprintf(root, sizeof(root), "%s/hmem", fixtures);
	ctx = ctx_counting(root);
	d = mhp_dax_dev_get_by_name(ctx, "dax0.0");
	assert_non_null(d);
	assert_int_equal(mhp_plan_dax_dev(ctx, d, &opts, &plan), 0);
	assert_true(mhp_plan_get_num_blocks(plan) > 0);
	assert_no_errors(ctx);
	mhp_plan_unref(plan);
	mhp_unref(ctx);
}

/* The same on the generated tree, plus every listing a CLI makes. */
static void test_discovery_quiet(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx = ctx_counting(root);
	struct mhp_block *b;
	struct mhp_node *n;
	int blocks = 0, nodes = 0;

	/* the dax device is not online yet: its blocks are absent */
	assert_int_equal(mhp_block_get(ctx, 32, &b), -ENOENT);
	mhp_block_foreach(ctx, b) {
		blocks++;
		mhp_block_get_node(b);
		mhp_block_is_removable(b);
	}
	mhp_node_foreach(ctx, n)
		nodes++;
	assert_null(mhp_cxl_memdev_get_first(ctx));
	assert_null(mhp_cxl_region_get_first(ctx));
	assert_non_null(mhp_dax_dev_get_first(ctx));
	assert_int_equal(blocks, 16);
	assert_int_equal(nodes, 2);
	assert_no_errors(ctx);
	mhp_unref(ctx);
	sr_free(root);
}

/* A successful online-region records no error at all. */
static void test_apply_records_no_error(void **state)
{
	struct mhp_plan_opts opts = { .size = sizeof(opts),
				      .zone = MHP_ZONE_POLICY_MOVABLE };
	char *root = sr_new_hmem();
	struct fakekernel fk = {
		.root = root, .dev = "dax0.0",
		.devdir = "/sys/devices/platform/hmem.0/dax0.0",
		.first = 32, .nr = 8,
	};
	struct mhp_ctx *ctx = ctx_counting(root);
	struct mhp_dax_dev *d;
	struct mhp_plan *plan;

	fk_attach(&fk, ctx);
	d = mhp_dax_dev_get_by_name(ctx, "dax0.0");
	assert_non_null(d);
	assert_int_equal(mhp_plan_dax_dev(ctx, d, &opts, &plan), 0);
	assert_int_equal(mhp_apply(ctx, plan, 0, NULL, NULL), 0);
	assert_string_equal(fk.driver, "kmem");
	assert_no_errors(ctx);
	mhp_plan_unref(plan);
	mhp_unref(ctx);
	sr_free(root);
}

struct seen {
	int n;
	char last[32];
};

static int seen_entry(struct mhp_ctx *ctx, const char *name, void *arg)
{
	struct seen *s = arg;

	s->n++;
	snprintf(s->last, sizeof(s->last), "%s", name);
	return strcmp(name, "stop") == 0 ? 7 : 0;
}

static void test_dir_iterator(void **state)
{
	char *root = sr_new();
	struct mhp_ctx *ctx = ctx_counting(root);
	struct seen s = { 0 };
	char **names;
	size_t nr;

	sr_file(root, "/d/memory10/x", "1");
	sr_file(root, "/d/memory9/x", "1");
	sr_file(root, "/d/memoryX", "1");
	sr_file(root, "/d/.hidden", "1");
	sr_file(root, "/d/other", "1");
	assert_int_equal(mhp_dir_foreach(ctx, "memory", seen_entry, &s, "/d"), 0);
	assert_int_equal(s.n, 2);
	memset(&s, 0, sizeof(s));
	assert_int_equal(mhp_dir_foreach(ctx, NULL, seen_entry, &s, "/d"), 0);
	assert_int_equal(s.n, 4);	/* not "." ".." ".hidden" */
	assert_int_equal(mhp_dir_list(ctx, "memory", &names, &nr, "/d"), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(names[0], "memory9");	/* version order */
	assert_string_equal(names[1], "memory10");
	mhp_dir_list_free(names, nr);
	/* a callback stops the walk and its value comes back */
	sr_file(root, "/e/stop", "1");
	memset(&s, 0, sizeof(s));
	assert_int_equal(mhp_dir_foreach(ctx, NULL, seen_entry, &s, "/e"), 7);
	/* absent: -ENOENT, quietly */
	assert_int_equal(mhp_dir_foreach(ctx, NULL, seen_entry, &s, "/nope"), -ENOENT);
	assert_int_equal(mhp_dir_list(ctx, NULL, &names, &nr, "/d/other"), -ENOENT);
	assert_no_errors(ctx);
	mhp_unref(ctx);
	sr_free(root);
}

static void test_optional_reads(void **state)
{
	char *root = sr_new();
	struct mhp_ctx *ctx = ctx_counting(root);
	uint64_t v = 5;
	int i = 5;

	assert_int_equal(mhp_read_u64_opt(ctx, &v, false, "/absent"), -ENOENT);
	assert_int_equal(mhp_read_int_opt(ctx, &i, "/absent"), -ENOENT);
	assert_int_equal(v, 5);
	assert_int_equal(i, 5);
	assert_no_errors(ctx);
	sr_file(root, "/num", "0x10\n");
	assert_int_equal(mhp_read_u64_opt(ctx, &v, false, "/num"), 0);
	assert_int_equal(v, 16);
	/* present but malformed is still an error */
	sr_file(root, "/num", "ten\n");
	assert_int_equal(mhp_read_int_opt(ctx, &i, "/num"), -EINVAL);
	assert_non_null(strstr(mhp_get_last_error(ctx), "'ten'"));
	/* the required form records the absence */
	assert_int_equal(mhp_read_u64(ctx, &v, false, "/absent"), -ENOENT);
	assert_non_null(strstr(mhp_get_last_error(ctx), "/absent"));
	mhp_unref(ctx);
	sr_free(root);
}

/* ---- the plan reader on damaged files ---- */

static char *hmem_plan_json(struct mhp_ctx **pctx, char **proot)
{
	struct mhp_plan_opts opts = { .size = sizeof(opts) };
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_plan *plan;
	char *json;

	assert_int_equal(mhp_plan_dax_dev(ctx, mhp_dax_dev_get_by_name(ctx, "dax0.0"),
					  &opts, &plan), 0);
	assert_int_equal(mhp_plan_to_json(plan, MHP_JSON_BLOCKS, &json), 0);
	mhp_plan_unref(plan);
	*pctx = ctx;
	*proot = root;
	return json;
}

/* @json with the first @from replaced by @to (a new string). */
static char *replaced(const char *json, const char *from, const char *to)
{
	const char *at = strstr(json, from);
	char *out;

	if (!at)
		fail_msg("'%s' not in the plan", from);
	assert_true(asprintf(&out, "%.*s%s%s", (int)(at - json), json, to,
			     at + strlen(from)) > 0);
	return out;
}

static void expect_bad_plan(struct mhp_ctx *ctx, const char *json, const char *from,
			    const char *to, const char *needle)
{
	char *bad = replaced(json, from, to);
	struct mhp_plan *plan = NULL;

	int rc = mhp_plan_from_json(ctx, bad, &plan);

	if (rc >= 0)
		fail_msg("replacing '%s' by '%s' was accepted", from, to);
	assert_null(plan);
	if (!strstr(mhp_get_last_error(ctx), needle))
		fail_msg("replacing '%s' by '%s': error '%s' does not name '%s'", from, to,
			 mhp_get_last_error(ctx), needle);
	free(bad);
}

static void test_plan_reader_rejects(void **state)
{
	struct mhp_plan *plan;
	struct mhp_ctx *ctx;
	char *root, *json = hmem_plan_json(&ctx, &root);

	/* the untouched file loads */
	assert_int_equal(mhp_plan_from_json(ctx, json, &plan), 0);
	mhp_plan_unref(plan);
	/* nulls where a value is required (these crashed) */
	expect_bad_plan(ctx, json, "\"arch\":\"x86_64\"", "\"arch\":null", "platform.arch");
	expect_bad_plan(ctx, json, "\"rules\":\"6.1\"", "\"rules\":null", "platform.rules");
	expect_bad_plan(ctx, json, "\"platform\":{", "\"platform\":null, \"x\":{", "platform");
	expect_bad_plan(ctx, json, "\"source\":{", "\"source\":5, \"x\":{", "source");
	expect_bad_plan(ctx, json, "\"page_size\":4096", "\"page_size\":null", "page_size");
	expect_bad_plan(ctx, json, "\"target\":\"dax0.0\"", "\"target\":[]", "target");
	/* wrong types and absurd numbers */
	expect_bad_plan(ctx, json, "\"page_size\":4096", "\"page_size\":\"4096\"", "page_size");
	expect_bad_plan(ctx, json, "\"start\":4294967296", "\"start\":9223372036854775807",
			"2^52");
	expect_bad_plan(ctx, json, "\"size\":1073741824", "\"size\":-1", "source.size");
	expect_bad_plan(ctx, json, "\"id\":1", "\"id\":2147483647", "node ids");
	expect_bad_plan(ctx, json, "\"dax_knob\":-1", "\"dax_knob\":7", "dax_knob");
	/* blocks: out of order, duplicated, unknown zone, wrong count */
	expect_bad_plan(ctx, json, "\"index\":32", "\"index\":33", "blocks[0]");
	expect_bad_plan(ctx, json, "\"index\":33", "\"index\":32", "blocks[1]");
	expect_bad_plan(ctx, json, "\"zone\":\"movable\"", "\"zone\":\"dma\"", "blocks[0].zone");
	expect_bad_plan(ctx, json, "\"zone\":\"movable\"", "\"zone\":null", "blocks[0].zone");
	expect_bad_plan(ctx, json, "\"blocks\":[", "\"blocks\":[ {\"index\":31, \"zone\":\"movable\"},",
			"blocks");
	expect_bad_plan(ctx, json, "\"num_blocks\":8", "\"num_blocks\":9", "num_blocks");
	expect_bad_plan(ctx, json, "\"blocks\":[", "\"blocks\":{}, \"x\":[", "blocks: expected an array");
	free(json);
	mhp_unref(ctx);
	sr_free(root);
}

static void test_plan_load_file(void **state)
{
	struct mhp_plan *plan = NULL;
	struct mhp_ctx *ctx;
	char *root, *json = hmem_plan_json(&ctx, &root);
	char path[600];

	sr_file(root, "/plan.json", "%s", json);
	snprintf(path, sizeof(path), "%s/plan.json", root);
	assert_int_equal(mhp_plan_load_file(ctx, path, &plan), 0);
	assert_int_equal(mhp_plan_get_num_blocks(plan), 8);
	mhp_plan_unref(plan);
	/* these hung or grew without limit */
	assert_int_equal(mhp_plan_load_file(ctx, "/dev/zero", &plan), -EINVAL);
	assert_non_null(strstr(mhp_get_last_error(ctx), "character device"));
	snprintf(path, sizeof(path), "%s/fifo", root);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(mhp_plan_load_file(ctx, path, &plan), -EINVAL);
	assert_non_null(strstr(mhp_get_last_error(ctx), "not valid JSON"));
	assert_int_equal(mhp_plan_load_file(ctx, root, &plan), -EISDIR);
	assert_int_equal(mhp_plan_load_file(ctx, "/nonexistent/plan", &plan), -ENOENT);
	assert_non_null(strstr(mhp_get_last_error(ctx), "/nonexistent/plan"));
	free(json);
	mhp_unref(ctx);
	sr_free(root);
}

/* ---- absurd values and files that are not attributes ---- */

static void test_absurd_values(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx;
	struct mhp_node *n;

	/* 2^63 - 1 bytes: would make the planner walk 2^36 blocks */
	sr_file(root, "/sys/devices/platform/hmem.0/dax0.0/size", "9223372036854775807\n");
	ctx = ctx_at(root);
	assert_null(mhp_dax_dev_get_first(ctx));
	assert_non_null(strstr(mhp_get_last_error(ctx), "2^52"));
	mhp_unref(ctx);
	sr_file(root, "/sys/devices/platform/hmem.0/dax0.0/size", "1073741824\n");

	/* 2^31 possible nodes: looped over every one of them */
	sr_file(root, "/sys/devices/system/node/possible", "0-2147483647\n");
	ctx = ctx_at(root);
	assert_null(mhp_node_get_first(ctx));
	assert_non_null(strstr(mhp_get_last_error(ctx), "node ids are below 1024"));
	mhp_unref(ctx);
	sr_file(root, "/sys/devices/system/node/possible", "0-1,99999999999\n");
	ctx = ctx_at(root);
	assert_null(mhp_node_get_first(ctx));
	mhp_unref(ctx);
	sr_file(root, "/sys/devices/system/node/possible", "0-1\n");
	ctx = ctx_at(root);
	n = mhp_node_get_first(ctx);
	assert_non_null(n);
	mhp_unref(ctx);
	sr_free(root);
}

static void test_zoneinfo_not_a_file(void **state)
{
	char *root = sr_new_hmem();
	char path[600];
	struct mhp_ctx *ctx;

	/* a FIFO blocked the reader forever */
	sr_rm(root, "/proc/zoneinfo");
	snprintf(path, sizeof(path), "%s/proc/zoneinfo", root);
	assert_int_equal(mkfifo(path, 0600), 0);
	ctx = ctx_at(root);
	assert_null(mhp_node_get_first(ctx));
	assert_non_null(strstr(mhp_get_last_error(ctx), "FIFO"));
	mhp_unref(ctx);
	/* /dev/zero never ends: a device node is refused (needs root to create) */
	unlink(path);
	if (mknod(path, S_IFCHR | 0600, makedev(1, 5)) == 0) {
		ctx = ctx_at(root);
		assert_null(mhp_node_get_first(ctx));
		assert_non_null(strstr(mhp_get_last_error(ctx), "character device"));
		mhp_unref(ctx);
		unlink(path);
	}
	/* a huge file is cut off at MHP_READ_MAX */
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		assert_int_equal(ftruncate(fileno(f), MHP_READ_MAX + 1), 0);
		fclose(f);
	}
	ctx = ctx_at(root);
	assert_null(mhp_node_get_first(ctx));
	assert_non_null(strstr(mhp_get_last_error(ctx), "larger than"));
	mhp_unref(ctx);
	sr_free(root);
}

/* ---- --sysroot: refused when empty, live when "/", else a confinement ---- */

static void test_sysroot_empty_and_live(void **state)
{
	char *root = sr_new(), link[600];
	struct mhp_ctx *ctx;

	assert_int_equal(mhp_new(&ctx), 0);
	mhp_set_log_priority(ctx, 0);
	/* an unset variable in a script must not mean the live system */
	assert_int_equal(mhp_set_sysroot(ctx, ""), -EINVAL);
	assert_non_null(strstr(mhp_get_last_error(ctx), "empty sysroot"));
	assert_true(mhp_is_live_system(ctx));	/* unchanged: never set */
	/* a tree is not live */
	assert_int_equal(mhp_set_sysroot(ctx, root), 0);
	assert_false(mhp_is_live_system(ctx));
	/* a path that resolves to "/" is the live system, and says so */
	snprintf(link, sizeof(link), "%s/slash", root);
	assert_int_equal(symlink("/", link), 0);
	assert_int_equal(mhp_set_sysroot(ctx, link), 0);
	assert_true(mhp_is_live_system(ctx));
	assert_string_equal(mhp_get_sysroot(ctx), "/");
	snprintf(link, sizeof(link), "%s/../../../../../..", root);
	assert_int_equal(mhp_set_sysroot(ctx, link), 0);
	assert_true(mhp_is_live_system(ctx));
	/* a file is not a tree */
	sr_file(root, "/file", "x");
	snprintf(link, sizeof(link), "%s/file", root);
	assert_int_equal(mhp_set_sysroot(ctx, link), -ENOTDIR);
	mhp_unref(ctx);

	setenv("MHP_SYSROOT", "", 1);
	assert_int_equal(mhp_new(&ctx), -EINVAL);
	unsetenv("MHP_SYSROOT");
	sr_free(root);
}

static void test_sysroot_confines_writes(void **state)
{
	char *root = sr_new_hmem(), *outside = sr_new();
	char target[600], buf[64], state_path[MHP_PATH_MAX];
	struct mhp_ctx *ctx;

	sr_file(outside, "/victim", "precious\n");
	snprintf(target, sizeof(target), "%s/victim", outside);
	/* an absolute link and a relative one climbing out of the tree */
	sr_rm(root, "/sys/devices/system/memory/memory3/state");
	sr_link(root, "/sys/devices/system/memory/memory3/state", target);
	snprintf(target, sizeof(target), "../../../../../../../../../../..%s/victim", outside);
	sr_rm(root, "/sys/devices/system/memory/auto_online_blocks");
	sr_link(root, "/sys/devices/system/memory/auto_online_blocks", target);
	ctx = ctx_at(root);
	assert_true(mhp_write_attr(ctx, "offline", "/sys/devices/system/memory/memory3/state") < 0);
	assert_true(mhp_write_attr(ctx, "online", "/sys/devices/system/memory/auto_online_blocks") < 0);
	assert_true(mhp_write_attr(ctx, "x", "/../../../..%s/victim", outside) < 0);
	assert_string_equal(sr_read(outside, "/victim"), "precious\n");
	/* reads do not leave the tree either */
	assert_true(mhp_read_attr(ctx, buf, sizeof(buf),
				  "/sys/devices/system/memory/memory3/state") < 0);
	assert_true(mhp_read_attr(ctx, buf, sizeof(buf), "/../..%s/victim", outside) < 0);
	/* --state-dir /../.. names the top of the tree, not the real / */
	assert_int_equal(mhp_set_state_dir(ctx, "/../.."), 0);
	assert_int_equal(mhp_state_path(ctx, state_path, sizeof(state_path), "lock"), 0);
	snprintf(target, sizeof(target), "%s/lock", root);
	assert_string_equal(state_path, target);
	/* in-tree links still work: captured trees are made of them */
	sr_file(root, "/sys/devices/system/memory/memory3/real_state", "online\n");
	sr_rm(root, "/sys/devices/system/memory/memory3/state");
	sr_link(root, "/sys/devices/system/memory/memory3/state", "real_state");
	assert_int_equal(mhp_write_attr(ctx, "offline", "/sys/devices/system/memory/memory3/state"), 0);
	assert_string_equal(sr_read(root, "/sys/devices/system/memory/memory3/real_state"),
			    "offline");
	mhp_unref(ctx);
	sr_free(root);
	sr_free(outside);
}

/*
 * openat2(RESOLVE_IN_ROOT) fails with EAGAIN when a rename anywhere on the
 * system races with its walk of a "..": a test renaming files next to this
 * one made a read of a captured tree fail now and then. With a process
 * renaming in a loop, reads through a ".." link must all succeed.
 */
static void test_sysroot_reads_survive_renames(void **state)
{
	char *root = sr_new(), from[600], to[600], buf[16];
	struct mhp_ctx *ctx;
	int i, failed = 0;
	pid_t renamer;

	sr_file(root, "/sys/devices/platform/hmem.0/dax0.0/size", "1073741824\n");
	sr_link(root, "/sys/bus/dax/devices/dax0.0", "../../../devices/platform/hmem.0/dax0.0");
	sr_file(root, "/spin/a", "x");
	snprintf(from, sizeof(from), "%s/spin/a", root);
	snprintf(to, sizeof(to), "%s/spin/b", root);
	ctx = ctx_at(root);
	renamer = fork();
	assert_true(renamer >= 0);
	if (renamer == 0) {
		/* never outlive a failed test, nor hold its output open */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(STDOUT_FILENO);
		close(STDERR_FILENO);
		for (;;)
			if (rename(from, to) == 0)
				rename(to, from);
	}
	for (i = 0; i < 30000; i++)
		if (mhp_read_attr(ctx, buf, sizeof(buf), "/sys/bus/dax/devices/dax0.0/size") < 0)
			failed++;
	kill(renamer, SIGKILL);
	waitpid(renamer, NULL, 0);
	assert_int_equal(failed, 0);
	mhp_unref(ctx);
	sr_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_platform),
		cmocka_unit_test(test_pageblock_rules),
		cmocka_unit_test(test_node_memmap_counters),
		cmocka_unit_test(test_force_detects_patched),
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_dax_hmem),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_bad_block_size),
		cmocka_unit_test(test_no_arch),
		cmocka_unit_test(test_missing_target_node),
		cmocka_unit_test(test_bad_resource),
		cmocka_unit_test(test_truncated_state),
		cmocka_unit_test(test_block_cache_absent_and_fresh),
		cmocka_unit_test(test_bad_sysroot),
		cmocka_unit_test(test_plan_hmem_fixture_quiet),
		cmocka_unit_test(test_discovery_quiet),
		cmocka_unit_test(test_apply_records_no_error),
		cmocka_unit_test(test_dir_iterator),
		cmocka_unit_test(test_optional_reads),
		cmocka_unit_test(test_plan_reader_rejects),
		cmocka_unit_test(test_plan_load_file),
		cmocka_unit_test(test_absurd_values),
		cmocka_unit_test(test_zoneinfo_not_a_file),
		cmocka_unit_test(test_sysroot_empty_and_live),
		cmocka_unit_test(test_dax_device_path),
		cmocka_unit_test(test_sysroot_confines_writes),
		cmocka_unit_test(test_sysroot_reads_survive_renames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
