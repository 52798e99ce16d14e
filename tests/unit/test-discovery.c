// SPDX-License-Identifier: LGPL-2.1-or-later
/* Discovery against small generated sysfs trees, including broken ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "private.h"
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

	/* nr_memmap must not be taken from nr_memmap_boot or _on_memory */
	sr_file(root, "/sys/devices/system/node/node1/vmstat",
		"nr_free_pages 5\nnr_memmap_on_memory 4096\nnr_memmap_on_memory_padding 512\n"
		"nr_memmap_boot 1024\nnr_memmap 8192\n");
	assert_int_equal(mhp_node_get_memmap_pages(n, MHP_MEMMAP_HOTPLUG, &pages), 0);
	assert_int_equal(pages, 8192);
	assert_int_equal(mhp_node_get_memmap_pages(n, MHP_MEMMAP_BOOT, &pages), 0);
	assert_int_equal(pages, 1024);
	assert_int_equal(mhp_node_get_memmap_pages(n, MHP_MEMMAP_ON_MEMORY, &pages), 0);
	assert_int_equal(pages, 4096);
	assert_int_equal(mhp_node_get_memmap_pages(n, MHP_MEMMAP_ON_MEMORY_PADDING, &pages), 0);
	assert_int_equal(pages, 512);
	assert_int_equal(mhp_node_get_memmap_pages(n, 42, &pages), -EINVAL);

	/* an older series without nr_memmap */
	sr_file(root, "/sys/devices/system/node/node1/vmstat", "nr_memmap_on_memory 4096\n");
	assert_int_equal(mhp_node_get_memmap_pages(n, MHP_MEMMAP_HOTPLUG, &pages), -EOPNOTSUPP);
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
		cmocka_unit_test(test_bad_sysroot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
