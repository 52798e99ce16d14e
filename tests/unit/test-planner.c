// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The planner, the model spec parser and plan JSON.
 *
 * Notation as in docs/background.md: B block, P page, S struct page,
 * V = (B/P)*S memmap bytes per block, M = V/P memmap pages, pbp pages
 * per pageblock, M_eff = M rounded up to pbp in force mode.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "private.h"

#define KiB	SZ_1K
#define MiB	SZ_1M
#define GiB	SZ_1G

static struct mhp_ctx *ctx;

static int setup(void **state)
{
	if (mhp_new(&ctx) < 0)
		return -1;
	/* failures are expected here; keep the log quiet */
	mhp_set_log_priority(ctx, LOG_CRIT);
	return 0;
}

static int teardown(void **state)
{
	mhp_unref(ctx);
	return 0;
}

static void model(const char *spec, struct mhp_platform_desc *d)
{
	if (mhp_platform_desc_parse_model(ctx, d, spec) < 0)
		fail_msg("model '%s': %s", spec, mhp_get_last_error(ctx));
}

static struct mhp_plan_input range(uint64_t start, uint64_t size)
{
	struct mhp_plan_input in = {
		.start = start, .size = size, .node = 1, .node_has_cpus = false,
		.dax_knob = -1, .dram_node = 0,
	};
	return in;
}

/* Plan [start, start + size) on the model @spec with @opts (may be NULL). */
static struct mhp_plan *plan_spec(const char *spec, uint64_t start, uint64_t size,
				  const struct mhp_plan_opts *opts)
{
	struct mhp_platform_desc d;
	struct mhp_plan_input in = range(start, size);
	struct mhp_plan *plan = NULL;

	model(spec, &d);
	in.node = d.model_node;
	in.node_has_cpus = d.model_node_has_cpus;
	if (mhp_plan_compute(ctx, &d, &in, opts, &plan) < 0)
		fail_msg("plan '%s': %s", spec, mhp_get_last_error(ctx));
	return plan;
}

static bool has_reason(const struct mhp_plan *plan, const char *needle)
{
	unsigned int i;

	for (i = 0; i < mhp_plan_get_num_reasons(plan); i++)
		if (strstr(mhp_plan_get_reason(plan, i), needle))
			return true;
	return false;
}

static bool list_has(char *const *v, unsigned int n, const char *needle)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strstr(v[i], needle))
			return true;
	return false;
}

static const struct mhp_advice *find_advice(const struct mhp_plan *plan, const char *kind)
{
	unsigned int i;

	for (i = 0; i < plan->nr_advice; i++)
		if (strcmp(plan->advice[i].kind, kind) == 0)
			return &plan->advice[i];
	return NULL;
}

static void dump_reasons(const struct mhp_plan *plan)
{
	unsigned int i;

	for (i = 0; i < plan->nr_reasons; i++)
		print_message("  reason: %s\n", plan->reasons[i]);
}

/* ---- eligibility table ---- */

struct elig_case {
	const char *spec;
	uint64_t size;		/* from 4 GiB */
	bool eligible;
	uint64_t blocks;
	uint32_t memmap_pages;	/* per block, when eligible */
	uint32_t reserved_pages;
	const char *reason;	/* a reason must contain this, when not eligible */
};

static const struct elig_case elig_cases[] = {
	/*
	 * x86_64 defaults: B/P = 128M/4K = 32768 pages, V = 32768*64 = 2 MiB,
	 * M = 512 = pbp (2M/4K): aligned, V PMD-aligned -> eligible, 8 blocks.
	 */
	{ "arch=x86_64", 1 * GiB, true, 8, 512, 0, NULL },
	/* arm64 4K and riscv64 are the same numbers */
	{ "arch=arm64", 1 * GiB, true, 8, 512, 0, NULL },
	{ "arch=riscv64", 1 * GiB, true, 8, 512, 0, NULL },
	/*
	 * x86_64 without HUGETLB_PAGE: 4 MiB pageblocks, pbp = 1024. M = 512
	 * is not a multiple -> Y refuses; force: M_eff = 1024, 512 reserved
	 * pages = 2 MiB per block.
	 */
	{ "pageblock_size=4M", 1 * GiB, false, 8, 0, 0,
	  "force would reserve 512 extra pages (2 MiB) per block" },
	{ "pageblock_size=4M,memmap_mode=force", 1 * GiB, true, 8, 512, 512, NULL },
	/*
	 * The seed example: ppc64 radix, 64K pages, 256 MiB blocks, 2 MiB
	 * pageblocks: B/P = 4096, V = 4096*64 = 256 KiB, M = 4 pages,
	 * pbp = 32; force: M_eff = 32 -> 4 memmap + 28 reserved pages.
	 * Radix with 64K pages has no PMD requirement.
	 */
	{ "arch=ppc64,memmap_mode=force", 1 * GiB, true, 4, 4, 28, NULL },
	/* same without force: 4 % 32 != 0 */
	{ "arch=ppc64", 1 * GiB, false, 4, 0, 0,
	  "force would reserve 28 extra pages (1.75 MiB) per block" },
	/* ppc64 hash: never */
	{ "arch=ppc64,mmu=hash,memmap_mode=force", 1 * GiB, false, 4, 0, 0, "hash MMU" },
	/*
	 * ppc64 radix 4K: B/P = 65536, V = 4 MiB, M = 1024, pbp = 512:
	 * aligned; 4K radix needs V PMD-aligned: 4M % 2M == 0 -> eligible.
	 */
	{ "arch=ppc64,page_size=4K", 1 * GiB, true, 4, 1024, 0, NULL },
	/* same with 4 MiB PMDs: V = 4 MiB still aligned; 8 MiB PMD is not */
	{ "arch=ppc64,page_size=4K,pmd_size=8M", 1 * GiB, false, 4, 0, 0, "PMD" },
	/*
	 * arm64 16K: B = 128M, B/P = 8192, V = 512 KiB, M = 32, pbp = 2048
	 * (32M pageblocks). Y: 32 % 2048 != 0. Force: M_eff = 2048 but V is
	 * not a multiple of the 32 MiB PMD, and force does not relax that.
	 */
	{ "arch=arm64,page_size=16K", 1 * GiB, false, 8, 0, 0, "pageblock" },
	{ "arch=arm64,page_size=16K,memmap_mode=force", 1 * GiB, false, 8, 0, 0,
	  "force does not relax it" },
	/*
	 * arm64 64K: B = 512M, B/P = 8192, V = 512 KiB, M = 8, pbp = 8192
	 * (512M pageblocks). Force: M_eff = 8192 = the whole block -> refused.
	 */
	{ "arch=arm64,page_size=64K,memmap_mode=force", 2 * GiB, false, 4, 0, 0,
	  "fills the whole 512 MiB block" },
	/*
	 * The whole-block rule alone: ppc64 radix 64K (no PMD rule), 256 MiB
	 * pageblocks: M = 4, pbp = 4096, M_eff = 4096 = B/P.
	 */
	{ "arch=ppc64,pageblock_size=256M,memmap_mode=force", 1 * GiB, false, 4, 0, 0,
	  "plus 4092 force-reserved pages" },
	/*
	 * S = 80 (debug struct page), x86_64: V = 32768*80 = 2.5 MiB,
	 * M = 640; 640 % 512 != 0 -> Y refuses; force: M_eff = 1024 but
	 * 2.5 MiB is not a multiple of the 2 MiB PMD -> still refused.
	 */
	{ "struct_page_size=80", 1 * GiB, false, 8, 0, 0, "pageblock" },
	{ "struct_page_size=80,memmap_mode=force", 1 * GiB, false, 8, 0, 0, "PMD" },
	/*
	 * S = 80 on ppc64 radix 64K: V = 4096*80 = 320 KiB = 5 pages;
	 * force: M_eff = 32 -> 5 + 27 reserved; no PMD rule -> eligible.
	 */
	{ "arch=ppc64,struct_page_size=80,memmap_mode=force", 1 * GiB, true, 4, 5, 27, NULL },
	/*
	 * S = 72 on ppc64 64K: V = 4096*72 = 294912 = 4.5 pages: the memmap
	 * is not a whole number of pages -> refused even with force.
	 */
	{ "arch=ppc64,struct_page_size=72,memmap_mode=force", 1 * GiB, false, 4, 0, 0,
	  "not a whole number" },
	/*
	 * 2 GiB blocks (x86_64 bare metal >= 64 GiB): B/P = 524288,
	 * V = 32 MiB, M = 8192 (16 pageblocks), PMD-aligned -> eligible.
	 */
	{ "block_size=2G", 4 * GiB, true, 2, 8192, 0, NULL },
	/* stock 6.1: dax_kmem never asks, and multi-block adds never qualify */
	{ "kernel=6.1", 1 * GiB, false, 8, 0, 0, "never requests memmap_on_memory" },
	{ "kernel=6.1", 1 * GiB, false, 8, 0, 0, "exactly one 128 MiB block" },
	{ "kernel=6.1", 128 * MiB, false, 1, 0, 0, "never requests" },
	/* stock 6.1 ppc64: the arch did not have it yet */
	{ "arch=ppc64,kernel=6.1", 1 * GiB, false, 4, 0, 0, "x86_64 and arm64 only" },
	/*
	 * 6.6-6.7 have force and the new block rules, but dax_kmem never
	 * passes MHP_MEMMAP_ON_MEMORY and an 8-block add is not split.
	 */
	{ "kernel=6.6,memmap_mode=force", 1 * GiB, false, 8, 0, 0, "never requests" },
	{ "kernel=6.6", 1 * GiB, false, 8, 0, 0, "split per block" },
	{ "kernel=6.7", 1 * GiB, false, 8, 0, 0, "never requests" },
	/*
	 * 6.8 brought the split, kmem's MHP_MEMMAP_ON_MEMORY and the dax
	 * attribute in one series: the 1 GiB add is split into 8 adds of one
	 * 128 MiB block, each with V = 32768*64 = 2 MiB = 512 pages = one
	 * pageblock -> eligible, 512 memmap pages per block, none reserved.
	 */
	{ "kernel=6.8", 1 * GiB, true, 8, 512, 0, NULL },
	/* 6.9 and 6.12 fall in the 6.8 rule set: same numbers */
	{ "kernel=6.9", 1 * GiB, true, 8, 512, 0, NULL },
	{ "kernel=6.12", 1 * GiB, true, 8, 512, 0, NULL },
	/*
	 * 6.8 force with 4 MiB pageblocks (pbp = 1024): M = 512 rounds up to
	 * M_eff = 1024, so 512 reserved pages per block, 8 split blocks.
	 */
	{ "kernel=6.8,pageblock_size=4M,memmap_mode=force", 1 * GiB, true, 8, 512, 512, NULL },
	/* a kernel version before 6.6 gets stock 6.1 rules */
	{ "kernel=5.14", 1 * GiB, false, 8, 0, 0, "never requests" },
	/* 6.1 + this project's series behaves like 6.8 */
	{ "kernel=6.1-mhp", 1 * GiB, true, 8, 512, 0, NULL },
	{ "kernel=6.1-mhp,pageblock_size=4M,memmap_mode=force", 1 * GiB, true, 8, 512, 512,
	  NULL },
	/* memmap_on_memory off */
	{ "memmap_mode=N", 1 * GiB, false, 8, 0, 0, "is off (N)" },
};

static void test_eligibility_table(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(elig_cases); i++) {
		const struct elig_case *c = &elig_cases[i];
		struct mhp_plan *plan = plan_spec(c->spec, 4 * GiB, c->size, NULL);
		uint64_t b;

		if (mhp_plan_is_eligible_memmap_on_memory(plan) != c->eligible ||
		    mhp_plan_get_num_blocks(plan) != c->blocks) {
			dump_reasons(plan);
			fail_msg("case %zu '%s': eligible %d blocks %llu, expected %d/%llu",
				 i, c->spec, mhp_plan_is_eligible_memmap_on_memory(plan),
				 (unsigned long long)mhp_plan_get_num_blocks(plan),
				 c->eligible, (unsigned long long)c->blocks);
		}
		assert_int_equal(mhp_plan_memmap_on_device(plan), c->eligible);
		for (b = 0; b < c->blocks; b++) {
			assert_int_equal(mhp_plan_get_block_memmap_pages(plan, b),
					 c->memmap_pages);
			assert_int_equal(mhp_plan_get_block_reserved_pages(plan, b),
					 c->reserved_pages);
		}
		if (c->eligible)
			assert_int_equal(mhp_plan_get_num_reasons(plan), 0);
		else if (c->reason && !has_reason(plan, c->reason)) {
			dump_reasons(plan);
			fail_msg("case %zu '%s': no reason mentions '%s'", i, c->spec,
				 c->reason);
		}
		mhp_plan_unref(plan);
	}
}

/* Each failing rule is its own reason, with numbers. */
static void test_every_rule_reported(void **state)
{
	/* stock 6.1, N, 4M pageblock, 8 blocks: mode, kmem, multi-block, pageblock */
	struct mhp_plan *plan = plan_spec("kernel=6.1,memmap_mode=N,pageblock_size=4M",
					  4 * GiB, 1 * GiB, NULL);

	assert_true(has_reason(plan, "is off (N)"));
	assert_true(has_reason(plan, "never requests"));
	assert_true(has_reason(plan, "8 blocks (1 GiB) in one request"));
	/* 6.1: (B - V) = 126 MiB is not a multiple of 4 MiB */
	assert_true(has_reason(plan, "the 126 MiB left of each 128 MiB block"));
	assert_int_equal(mhp_plan_get_num_reasons(plan), 4);
	mhp_plan_unref(plan);
}

/* ---- accounting ---- */

static void test_seed_example_totals(void **state)
{
	/*
	 * ppc64 force, 1 GiB = 4 blocks of 256 MiB; per block 32 pages of
	 * 64 KiB = 2 MiB set aside (256 KiB memmap + 1.75 MiB reserved):
	 * usable 4 * 254 MiB = 1016 MiB, memmap 1 MiB, force waste 7 MiB.
	 */
	struct mhp_plan *plan = plan_spec("arch=ppc64,memmap_mode=force", 4 * GiB, 1 * GiB,
					  NULL);

	assert_int_equal(mhp_plan_get_usable_bytes(plan), 1016 * MiB);
	assert_int_equal(mhp_plan_get_memmap_bytes(plan), 1 * MiB);
	assert_int_equal(mhp_plan_get_force_waste_bytes(plan), 7 * MiB);
	assert_int_equal(mhp_plan_get_dram_overhead_bytes(plan), 0);
	assert_int_equal(mhp_plan_get_alignment_waste_bytes(plan), 0);
	assert_int_equal(plan->blocks[0].usable_bytes, 254 * MiB);
	mhp_plan_unref(plan);
}

static void test_memmap_policy(void **state)
{
	struct mhp_plan_opts off = { .size = sizeof(off), .memmap = MHP_MEMMAP_POLICY_OFF };
	struct mhp_plan_opts on = { .size = sizeof(on), .memmap = MHP_MEMMAP_POLICY_ON };
	struct mhp_platform_desc d;
	struct mhp_plan_input in = range(4 * GiB, 1 * GiB);
	struct mhp_plan *plan = NULL;

	/* off: eligible but in DRAM; 1 GiB costs 16 MiB of DRAM (V = 2 MiB x 8) */
	plan = plan_spec("arch=x86_64", 4 * GiB, 1 * GiB, &off);
	assert_true(mhp_plan_is_eligible_memmap_on_memory(plan));
	assert_false(mhp_plan_memmap_on_device(plan));
	assert_int_equal(mhp_plan_get_dram_overhead_bytes(plan), 16 * MiB);
	assert_int_equal(mhp_plan_get_memmap_bytes(plan), 16 * MiB);
	assert_int_equal(mhp_plan_get_usable_bytes(plan), 1 * GiB);
	assert_int_equal(mhp_plan_get_block_memmap_pages(plan, 0), 0);
	mhp_plan_unref(plan);

	/* on + eligible: on the device, usable 8 x 126 MiB */
	plan = plan_spec("arch=x86_64", 4 * GiB, 1 * GiB, &on);
	assert_true(mhp_plan_memmap_on_device(plan));
	assert_int_equal(mhp_plan_get_usable_bytes(plan), 1008 * MiB);
	mhp_plan_unref(plan);

	/* on + ineligible: refused, naming the reason */
	model("pageblock_size=4M", &d);
	plan = NULL;
	assert_int_equal(mhp_plan_compute(ctx, &d, &in, &on, &plan), -EINVAL);
	assert_null(plan);
	assert_non_null(strstr(mhp_get_last_error(ctx), "--memmap on"));
	assert_non_null(strstr(mhp_get_last_error(ctx), "4 MiB pageblock"));

	/* 2 GiB blocks: 32 MiB of memmap each, on the device */
	plan = plan_spec("block_size=2G", 4 * GiB, 4 * GiB, NULL);
	assert_int_equal(mhp_plan_get_memmap_bytes(plan), 64 * MiB);
	assert_int_equal(plan->blocks[1].usable_bytes, 2 * GiB - 32 * MiB);
	mhp_plan_unref(plan);

	/* 1 TiB without memmap_on_memory costs 16 GiB of DRAM */
	plan = plan_spec("memmap_mode=N", 4 * GiB, 1024 * GiB, NULL);
	assert_int_equal(mhp_plan_get_dram_overhead_bytes(plan), 16 * GiB);
	mhp_plan_unref(plan);
}

/* ---- alignment ---- */

static void test_alignment_cxl_pmem(void **state)
{
	/*
	 * The CXL pmem VM case: a 512 MiB region at a 128 MiB-aligned base,
	 * the devdax namespace starting 2 MiB in (510 MiB). kmem trims to
	 * [base + 128M, base + 512M): 3 of 4 blocks; the head loses 126 MiB.
	 * Memmap on the device: usable 3 x 126 MiB = 378 MiB; 378 + 126 +
	 * 3 x 2 (memmap) = 510.
	 */
	uint64_t base = 0x390000000ULL;	/* 14.25 GiB: 128 MiB aligned */
	struct mhp_plan *plan = plan_spec("arch=x86_64", base + 2 * MiB, 510 * MiB, NULL);

	assert_int_equal(mhp_plan_get_num_blocks(plan), 3);
	assert_int_equal(mhp_plan_get_block_index(plan, 0), (base + 128 * MiB) / (128 * MiB));
	assert_int_equal(plan->blocks[0].phys_addr, base + 128 * MiB);
	assert_int_equal(plan->alignment_waste_head_bytes, 126 * MiB);
	assert_int_equal(plan->alignment_waste_tail_bytes, 0);
	assert_int_equal(mhp_plan_get_alignment_waste_bytes(plan), 126 * MiB);
	assert_int_equal(mhp_plan_get_usable_bytes(plan), 378 * MiB);
	/* 126 of 510 MiB is 24.7% > 10%: warned */
	assert_true(list_has(plan->warnings, plan->nr_warnings, "24.7%"));
	mhp_plan_unref(plan);
}

static void test_alignment_head_tail(void **state)
{
	/* [4G + 64M, 4G + 64M + 1G): blocks 4G+128M .. 5G, head 64M, tail 64M */
	struct mhp_plan *plan = plan_spec("memmap_mode=N", 4 * GiB + 64 * MiB, 1 * GiB, NULL);

	assert_int_equal(mhp_plan_get_num_blocks(plan), 7);
	assert_int_equal(plan->alignment_waste_head_bytes, 64 * MiB);
	assert_int_equal(plan->alignment_waste_tail_bytes, 64 * MiB);
	assert_int_equal(mhp_plan_get_usable_bytes(plan), 7 * 128 * MiB);
	mhp_plan_unref(plan);
}

static void test_alignment_nothing_left(void **state)
{
	/* 100 MiB inside one 128 MiB block: nothing for kmem, EINVAL */
	struct mhp_plan *plan = plan_spec("arch=x86_64", 4 * GiB + 2 * MiB, 100 * MiB, NULL);

	assert_int_equal(mhp_plan_get_num_blocks(plan), 0);
	assert_int_equal(mhp_plan_get_usable_bytes(plan), 0);
	assert_int_equal(mhp_plan_get_alignment_waste_bytes(plan), 100 * MiB);
	assert_false(mhp_plan_is_eligible_memmap_on_memory(plan));
	assert_true(has_reason(plan, "EINVAL"));
	mhp_plan_unref(plan);

	/* straddling a boundary, still no whole block: head + tail = raw */
	plan = plan_spec("arch=x86_64", 4 * GiB + 100 * MiB, 100 * MiB, NULL);
	assert_int_equal(mhp_plan_get_num_blocks(plan), 0);
	assert_int_equal(plan->alignment_waste_head_bytes + plan->alignment_waste_tail_bytes,
			 100 * MiB);
	mhp_plan_unref(plan);
}

static void test_bad_inputs(void **state)
{
	struct mhp_platform_desc d;
	struct mhp_plan_input in = range(4 * GiB, 0);
	struct mhp_plan *plan = NULL;

	model("", &d);
	assert_int_equal(mhp_plan_compute(ctx, &d, &in, NULL, &plan), -EINVAL);
	assert_non_null(strstr(mhp_get_last_error(ctx), "size 0"));
	in = range(UINT64_MAX - 4096, 1 * GiB);
	assert_int_equal(mhp_plan_compute(ctx, &d, &in, NULL, &plan), -ERANGE);
	in = range(4 * GiB, 1 * GiB);
	d.block_size = 96 * MiB;
	assert_int_equal(mhp_plan_compute(ctx, &d, &in, NULL, &plan), -EINVAL);
	assert_non_null(strstr(mhp_get_last_error(ctx), "powers of two"));
	assert_null(plan);
	assert_int_equal(mhp_plan_compute(ctx, &d, NULL, NULL, &plan), -EINVAL);
}

/* ---- zones ---- */

static void test_zone_auto_ratio(void **state)
{
	/*
	 * 1 GiB = 8 blocks of 126 MiB usable (memmap on device), 256 MiB of
	 * kernel memory, ratio 301:
	 *  k=0: 100 * 8*126 = 100800 > 301 * 256 = 77056          -> no
	 *  k=1: 100 * 7*126 = 88200 <= 301 * (256+126) = 114982    -> yes
	 * so the lowest block goes to ZONE_NORMAL, the top 7 stay movable.
	 */
	struct mhp_plan *plan = plan_spec("kernel_bytes=256M", 4 * GiB, 1 * GiB, NULL);
	uint64_t i;

	assert_int_equal(mhp_plan_get_block_zone(plan, 0), MHP_ZONE_NORMAL);
	for (i = 1; i < 8; i++)
		assert_int_equal(mhp_plan_get_block_zone(plan, i), MHP_ZONE_MOVABLE);
	assert_int_equal(mhp_plan_get_normal_bytes(plan), 126 * MiB);
	assert_int_equal(mhp_plan_get_movable_bytes(plan), 7 * 126 * MiB);
	assert_true(list_has(plan->zone_notes, plan->nr_zone_notes, "lowest 1 of 8"));
	assert_true(list_has(plan->zone_notes, plan->nr_zone_notes,
			     "practically never be offlined"));
	assert_true(list_has(plan->zone_notes, plan->nr_zone_notes, "gigantic"));
	assert_true(list_has(plan->zone_notes, plan->nr_zone_notes,
			     "memmap-on-memory blocks in ZONE_MOVABLE are fine"));
	mhp_plan_unref(plan);
}

static void test_zone_auto_ratio_option(void **state)
{
	/*
	 * Same with --movable-ratio 100 and 512 MiB kernel memory:
	 *  need 100*(8-k)*126 <= 100*(512 + k*126)  <=>  (8-k)*126 <= 512 + 126k
	 *  k=1: 882 > 638; k=2: 756 > 764? no, 756 <= 764 -> k = 2.
	 */
	struct mhp_plan_opts o = { .size = sizeof(o), .movable_ratio = 100 };
	struct mhp_plan *plan = plan_spec("kernel_bytes=512M,movable_ratio=999", 4 * GiB,
					  1 * GiB, &o);

	assert_int_equal(mhp_plan_get_normal_bytes(plan), 2 * 126 * MiB);
	assert_int_equal(plan->opts.movable_ratio, 100);
	mhp_plan_unref(plan);

	/* the kernel's auto_movable_ratio (spec movable_ratio) when no option */
	plan = plan_spec("kernel_bytes=512M,movable_ratio=100", 4 * GiB, 1 * GiB, NULL);
	assert_int_equal(mhp_plan_get_normal_bytes(plan), 2 * 126 * MiB);
	mhp_plan_unref(plan);

	/* existing movable memory counts: 2 GiB movable vs 1 GiB kernel at 301% */
	plan = plan_spec("kernel_bytes=1G,movable_bytes=3G", 4 * GiB, 1 * GiB, NULL);
	/*
	 * need 100*(3072 + (8-k)*126) <= 301*(1024 + 126k):
	 *  k=0: 408000 > 308224; k=8: 307200 <= 301*2032 = 611632; minimal k:
	 *  100*(3072+1008-126k) <= 308224 + 37926k  <=>  408000 - 308224
	 *  <= (12600 + 37926)k  <=>  99776 <= 50526k  ->  k = 2.
	 */
	assert_int_equal(mhp_plan_get_normal_bytes(plan), 2 * 126 * MiB);
	mhp_plan_unref(plan);
}

static void test_zone_forced(void **state)
{
	struct mhp_plan_opts mov = { .size = sizeof(mov), .zone = MHP_ZONE_POLICY_MOVABLE };
	struct mhp_plan_opts nor = { .size = sizeof(nor), .zone = MHP_ZONE_POLICY_NORMAL };
	struct mhp_plan *plan;

	/* movable beyond the ratio: allowed, with an OOM warning */
	plan = plan_spec("kernel_bytes=256M", 4 * GiB, 1 * GiB, &mov);
	assert_int_equal(mhp_plan_get_normal_bytes(plan), 0);
	assert_int_equal(mhp_plan_get_movable_bytes(plan), 1008 * MiB);
	assert_true(list_has(plan->warnings, plan->nr_warnings, "out of memory"));
	mhp_plan_unref(plan);

	plan = plan_spec("kernel_bytes=256M", 4 * GiB, 1 * GiB, &nor);
	assert_int_equal(mhp_plan_get_movable_bytes(plan), 0);
	assert_int_equal(mhp_plan_get_block_zone(plan, 7), MHP_ZONE_NORMAL);
	assert_true(list_has(plan->zone_notes, plan->nr_zone_notes,
			     "practically never be offlined"));
	mhp_plan_unref(plan);
}

static void test_zone_cpuless_global(void **state)
{
	/*
	 * Node 1 has no CPUs and no kernel memory: judged per node the ratio
	 * would put everything in ZONE_NORMAL; judged system-wide with 16 GiB
	 * of kernel memory, 1 GiB is all movable.
	 */
	struct mhp_plan *plan = plan_spec("node=1,node_cpus=0", 4 * GiB, 1 * GiB, NULL);

	assert_int_equal(mhp_plan_get_node(plan), 1);
	assert_int_equal(mhp_plan_get_normal_bytes(plan), 0);
	assert_true(list_has(plan->zone_notes, plan->nr_zone_notes, "no CPUs"));
	assert_null(find_advice(plan, "kernel_cmdline"));
	mhp_plan_unref(plan);

	/* with auto-movable + numa_aware=Y: advise numa_aware=0 */
	plan = plan_spec("node_cpus=0,online_policy=auto-movable", 4 * GiB, 1 * GiB, NULL);
	assert_non_null(find_advice(plan, "kernel_cmdline"));
	assert_string_equal(find_advice(plan, "kernel_cmdline")->action,
			    "memory_hotplug.auto_movable_numa_aware=0");
	mhp_plan_unref(plan);

	/* a node with CPUs: no note, no advice */
	plan = plan_spec("node_cpus=1,online_policy=auto-movable", 4 * GiB, 1 * GiB, NULL);
	assert_false(list_has(plan->zone_notes, plan->nr_zone_notes, "no CPUs"));
	assert_null(find_advice(plan, "kernel_cmdline"));
	mhp_plan_unref(plan);
}

static void test_zone_ratio_already_exceeded(void **state)
{
	/* 64 GiB movable vs 1 GiB kernel: even all-normal cannot fix it */
	struct mhp_plan *plan = plan_spec("kernel_bytes=1G,movable_bytes=64G", 4 * GiB,
					  1 * GiB, NULL);

	assert_int_equal(mhp_plan_get_movable_bytes(plan), 0);
	assert_true(list_has(plan->zone_notes, plan->nr_zone_notes, "already in ZONE_MOVABLE"));
	mhp_plan_unref(plan);
}

/* ---- advice ---- */

static void test_advice_cmdline(void **state)
{
	struct mhp_plan *plan;
	const struct mhp_advice *a;

	/* N but Y would do: =1, saving the 16 MiB */
	plan = plan_spec("memmap_mode=N", 4 * GiB, 1 * GiB, NULL);
	a = find_advice(plan, "kernel_cmdline");
	assert_non_null(a);
	assert_string_equal(a->action, "memory_hotplug.memmap_on_memory=1");
	assert_non_null(strstr(a->text, "16 MiB of DRAM"));
	mhp_plan_unref(plan);

	/* 4 MiB pageblocks: only force, reserving 2 MiB per block */
	plan = plan_spec("pageblock_size=4M", 4 * GiB, 1 * GiB, NULL);
	a = find_advice(plan, "kernel_cmdline");
	assert_non_null(a);
	assert_string_equal(a->action, "memory_hotplug.memmap_on_memory=force");
	assert_non_null(strstr(a->text, "512 extra pages (2 MiB) per block, 16 MiB in all"));
	mhp_plan_unref(plan);

	/* stock 6.1: point at the series or >= 6.8 */
	plan = plan_spec("kernel=6.1", 4 * GiB, 1 * GiB, NULL);
	a = find_advice(plan, "kernel_cmdline");
	assert_non_null(a);
	assert_non_null(strstr(a->text, "kernel-patches/"));
	assert_non_null(strstr(a->text, "16 MiB of DRAM"));
	mhp_plan_unref(plan);

	/* 6.6 with 4M pageblocks: needs a 6.8-class kernel *and* force */
	plan = plan_spec("kernel=6.6,pageblock_size=4M", 4 * GiB, 1 * GiB, NULL);
	a = find_advice(plan, "kernel_cmdline");
	assert_non_null(a);
	assert_non_null(strstr(a->action, "force"));
	mhp_plan_unref(plan);

	/* hash MMU: no kernel can help, no kernel_cmdline advice */
	plan = plan_spec("arch=ppc64,mmu=hash", 4 * GiB, 1 * GiB, NULL);
	assert_null(find_advice(plan, "kernel_cmdline"));
	assert_non_null(find_advice(plan, "block_size"));
	mhp_plan_unref(plan);

	/* eligible on the device already: nothing to say */
	plan = plan_spec("arch=x86_64", 4 * GiB, 1 * GiB, NULL);
	assert_int_equal(plan->nr_advice, 0);
	mhp_plan_unref(plan);
}

static void test_advice_block_size(void **state)
{
	struct mhp_plan *plan;
	const struct mhp_advice *a;

	/*
	 * x86_64 4 MiB pageblocks under Y: 128 MiB blocks are refused, 256 MiB
	 * blocks give V = 4 MiB = one pageblock -> eligible without force.
	 * Stock x86_64 cannot set it: no action.
	 */
	plan = plan_spec("pageblock_size=4M", 4 * GiB, 1 * GiB, NULL);
	a = find_advice(plan, "block_size");
	assert_non_null(a);
	assert_null(a->action);
	assert_non_null(strstr(a->text, "block size 256 MiB"));
	assert_non_null(strstr(a->text, "cannot set it"));
	mhp_plan_unref(plan);

	/* the 6.1-mhp series has memory_block_size= */
	plan = plan_spec("kernel=6.1-mhp,pageblock_size=4M", 4 * GiB, 1 * GiB, NULL);
	a = find_advice(plan, "block_size");
	assert_non_null(a);
	assert_string_equal(a->action, "memory_block_size=256M");
	mhp_plan_unref(plan);

	/*
	 * 2 GiB blocks on a source 2 MiB into a 128 MiB-aligned area: a
	 * 4 GiB source [4G+2M, 8G+2M) keeps 1 block of 2 GiB (4 GiB lost)
	 * but 31 blocks of 128 MiB: 128 MiB is recommended.
	 */
	plan = plan_spec("block_size=2G", 4 * GiB + 2 * MiB, 4 * GiB, NULL);
	a = find_advice(plan, "block_size");
	assert_non_null(a);
	assert_non_null(strstr(a->text, "block size 128 MiB"));
	assert_non_null(strstr(a->text, "it wastes less"));
	mhp_plan_unref(plan);

	/* arm64 64K: fixed section size; say it cannot be changed */
	plan = plan_spec("arch=arm64,page_size=64K,memmap_mode=force", 4 * GiB, 2 * GiB, NULL);
	a = find_advice(plan, "block_size");
	assert_non_null(a);
	assert_non_null(strstr(a->text, "cannot be changed"));
	mhp_plan_unref(plan);

	/* defaults on x86_64: 128 MiB is already best */
	plan = plan_spec("arch=x86_64", 4 * GiB, 1 * GiB, NULL);
	assert_null(find_advice(plan, "block_size"));
	mhp_plan_unref(plan);
}

static void test_advice_dax_knob_and_unit(void **state)
{
	struct mhp_platform_desc d;
	struct mhp_plan_input in = range(64 * GiB, 64 * GiB);
	struct mhp_plan_opts off = { .size = sizeof(off), .memmap = MHP_MEMMAP_POLICY_OFF };
	struct mhp_plan *plan = NULL;
	const struct mhp_advice *a;

	model("", &d);
	in.target = "dax0.0";
	in.region = "region0";
	in.dax_knob = 0;
	assert_int_equal(mhp_plan_compute(ctx, &d, &in, NULL, &plan), 0);
	assert_string_equal(mhp_plan_get_target(plan), "dax0.0");
	a = find_advice(plan, "dax_knob");
	assert_non_null(a);
	assert_string_equal(a->action, "echo 1 > /sys/bus/dax/devices/dax0.0/memmap_on_memory");
	/* 64 GiB in 512 blocks: unit = largest 128M * 2^k <= 64G / 8 = 8 GiB */
	a = find_advice(plan, "hotremove_unit");
	assert_non_null(a);
	assert_string_equal(a->action, "daxctl create-device -r region0 -s 8G");
	mhp_plan_unref(plan);

	/* knob 1 but --memmap off: set it to 0 */
	in.dax_knob = 1;
	assert_int_equal(mhp_plan_compute(ctx, &d, &in, &off, &plan), 0);
	a = find_advice(plan, "dax_knob");
	assert_non_null(a);
	assert_string_equal(a->action, "echo 0 > /sys/bus/dax/devices/dax0.0/memmap_on_memory");
	mhp_plan_unref(plan);

	/* knob already 1: nothing; pmem: namespaces instead of sub-devices */
	in.persistent = true;
	assert_int_equal(mhp_plan_compute(ctx, &d, &in, NULL, &plan), 0);
	assert_null(find_advice(plan, "dax_knob"));
	a = find_advice(plan, "hotremove_unit");
	assert_non_null(a);
	assert_non_null(strstr(a->action, "ndctl create-namespace"));
	assert_true(list_has(plan->warnings, plan->nr_warnings, "persistent"));
	mhp_plan_unref(plan);

	/* small sources get no unit advice */
	in = range(4 * GiB, 1 * GiB);
	assert_int_equal(mhp_plan_compute(ctx, &d, &in, NULL, &plan), 0);
	assert_null(find_advice(plan, "hotremove_unit"));
	mhp_plan_unref(plan);
}

static void test_node_text(void **state)
{
	struct mhp_plan_opts off = { .size = sizeof(off), .memmap = MHP_MEMMAP_POLICY_OFF };
	struct mhp_plan *plan;
	char buf[64];

	plan = plan_spec("", 4 * GiB, 1 * GiB, NULL);
	assert_string_equal(mhp_plan_memmap_node_text(plan, buf, sizeof(buf)),
			    "node-local (on the device)");
	mhp_plan_unref(plan);
	plan = plan_spec("", 4 * GiB, 1 * GiB, &off);
	assert_string_equal(mhp_plan_memmap_node_text(plan, buf, sizeof(buf)),
			    "off-node (DRAM of node 0)");
	mhp_plan_unref(plan);
}

static void test_refcount_and_getters(void **state)
{
	struct mhp_plan *plan = plan_spec("", 4 * GiB, 1 * GiB, NULL);

	assert_ptr_equal(mhp_plan_ref(plan), plan);
	assert_ptr_equal(mhp_plan_unref(plan), plan);
	assert_null(mhp_plan_get_target(plan));
	assert_int_equal(mhp_plan_get_block_size(plan), 128 * MiB);
	assert_int_equal(mhp_plan_get_raw_bytes(plan), 1 * GiB);
	/* out of range */
	assert_int_equal(mhp_plan_get_block_zone(plan, 8), MHP_ZONE_NONE);
	assert_int_equal(mhp_plan_get_block_index(plan, 8), UINT64_MAX);
	assert_null(mhp_plan_get_reason(plan, 0));
	assert_null(mhp_plan_unref(plan));
	assert_null(mhp_plan_unref(NULL));
	assert_int_equal(mhp_plan_get_num_blocks(NULL), 0);
}

/* Same inputs, same plan: compare the JSON. */
static void test_deterministic(void **state)
{
	struct mhp_plan *a = plan_spec("kernel=6.1,pageblock_size=4M", 4 * GiB + 2 * MiB,
				       100 * GiB, NULL);
	struct mhp_plan *b = plan_spec("kernel=6.1,pageblock_size=4M", 4 * GiB + 2 * MiB,
				       100 * GiB, NULL);
	char *ja, *jb;

	assert_int_equal(mhp_plan_to_json(a, MHP_JSON_BLOCKS, &ja), 0);
	assert_int_equal(mhp_plan_to_json(b, MHP_JSON_BLOCKS, &jb), 0);
	assert_string_equal(ja, jb);
	free(ja);
	free(jb);
	mhp_plan_unref(a);
	mhp_plan_unref(b);
}

/* ---- model spec ---- */

static void test_model_defaults(void **state)
{
	struct mhp_platform_desc d;

	model("", &d);
	assert_string_equal(d.arch, "x86_64");
	assert_string_equal(d.rules, "6.8");
	assert_int_equal(d.page_size, 4 * KiB);
	assert_int_equal(d.block_size, 128 * MiB);
	assert_int_equal(d.pageblock_size, 2 * MiB);
	assert_int_equal(d.pmd_size, 2 * MiB);
	assert_int_equal(d.struct_page_size, 64);
	assert_int_equal(d.memmap_mode, MHP_MEMMAP_MODE_ON);
	assert_int_equal(d.kernel_bytes, 16 * GiB);
	assert_int_equal(d.movable_bytes, 0);
	assert_int_equal(d.model_node, 1);
	assert_false(d.model_node_has_cpus);
	assert_true(d.kmem_memmap && d.dax_memmap_knob && d.splits_multi_block);

	model("arch=arm64,page_size=16K", &d);
	assert_int_equal(d.block_size, 128 * MiB);
	assert_int_equal(d.pageblock_size, 32 * MiB);
	assert_int_equal(d.pmd_size, 32 * MiB);
	model("arch=arm64,page_size=64K", &d);
	assert_int_equal(d.block_size, 512 * MiB);
	assert_int_equal(d.pageblock_size, 512 * MiB);
	model("arch=ppc64", &d);
	assert_int_equal(d.page_size, 64 * KiB);
	assert_int_equal(d.block_size, 256 * MiB);
	assert_int_equal(d.mmu, MHP_MMU_RADIX);
	model("arch=riscv64", &d);
	assert_int_equal(d.block_size, 128 * MiB);

	/* explicit keys win over the page-size defaults, in any order */
	model("block_size=1G,arch=arm64,page_size=64K,pageblock_size=2M", &d);
	assert_int_equal(d.block_size, 1 * GiB);
	assert_int_equal(d.pageblock_size, 2 * MiB);
	assert_int_equal(d.pmd_size, 512 * MiB);

	model(" arch=ppc64 , mmu=hash,,memmap_mode=force,kernel=6.6,kernel_bytes=0x40000000,"
	      "movable_bytes=1.5G,movable_ratio=250,node=3,node_cpus=1,"
	      "online_policy=auto-movable,auto_movable_numa_aware=0,struct_page_size=80", &d);
	assert_int_equal(d.mmu, MHP_MMU_HASH);
	assert_int_equal(d.memmap_mode, MHP_MEMMAP_MODE_FORCE);
	assert_string_equal(d.rules, "6.6");
	assert_true(d.has_force && !d.kmem_memmap && !d.splits_multi_block);
	assert_int_equal(d.kernel_bytes, 1 * GiB);
	assert_int_equal(d.movable_bytes, 3 * GiB / 2);
	assert_int_equal(d.auto_movable_ratio, 250);
	assert_int_equal(d.model_node, 3);
	assert_true(d.model_node_has_cpus);
	assert_true(d.online_policy_auto_movable);
	assert_int_equal(d.auto_movable_numa_aware, 0);
	assert_int_equal(d.struct_page_size, 80);

	model("kernel=6.1-mhp", &d);
	assert_true(d.block_size_param);
	model("kernel=6.1-mhp,arch=arm64", &d);
	assert_false(d.block_size_param);
	model("kernel=6.1,memmap_mode=N", &d);
	assert_false(d.new_eligibility || d.has_force || d.kmem_memmap);
}

static void test_model_errors(void **state)
{
	static const struct {
		const char *spec;
		const char *msg[3];	/* all must appear in the error */
	} cases[] = {
		{ "colour=blue", { "unknown key 'colour'", "blue", "page_size" } },
		{ "arch", { "'arch' is not KEY=VALUE", NULL } },
		{ "arch=sparc", { "arch 'sparc'", "x86_64, arm64, ppc64, riscv64", NULL } },
		{ "page_size=8K", { "page_size '8K'", "4 KiB", NULL } },
		{ "arch=arm64,page_size=32K", { "page_size '32K' for arm64",
						"4 KiB, 16 KiB, 64 KiB", NULL } },
		{ "block_size=100M", { "block_size '100M'", "power of two", NULL } },
		{ "block_size=lots", { "block_size 'lots'", NULL } },
		{ "block_size=1M", { "block_size 1 MiB", "pageblock_size 2 MiB", NULL } },
		{ "pmd_size=1K", { "pmd_size 1 KiB is smaller than page_size 4 KiB", NULL } },
		{ "memmap_mode=maybe", { "memmap_mode 'maybe'", "N, Y or force", NULL } },
		{ "kernel=5.4", { "kernel '5.4'", "6.1, 6.1-mhp, 6.6, 6.8", ">= 5.13" } },
		{ "kernel=6.12-rc1", { "kernel '6.12-rc1'", NULL } },
		{ "kernel=6.1,memmap_mode=force", { "force", "6.1", "rejected at boot" } },
		{ "memmap_mode=force,kernel=6.1", { "force", "rejected at boot", NULL } },
		{ "mmu=radix", { "mmu 'radix'", "ppc64 only", NULL } },
		{ "arch=ppc64,mmu=segment", { "mmu 'segment'", "radix or hash", NULL } },
		{ "struct_page_size=63", { "struct_page_size '63'", NULL } },
		{ "node_cpus=2", { "node_cpus '2'", "0 or 1", NULL } },
		{ "node=-1", { "node '-1'", NULL } },
		{ "movable_ratio=x", { "movable_ratio 'x'", NULL } },
		{ "online_policy=eager", { "online_policy 'eager'", "auto-movable", NULL } },
		{ "arch=arm64,arch=x86_64", { "'arch' given twice", NULL } },
	};
	struct mhp_platform_desc d;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = mhp_platform_desc_parse_model(ctx, &d, cases[i].spec);

		if (rc != -EINVAL)
			fail_msg("'%s': rc %d, expected -EINVAL", cases[i].spec, rc);
		for (j = 0; j < 3 && cases[i].msg[j]; j++) {
			if (!strstr(mhp_get_last_error(ctx), cases[i].msg[j]))
				fail_msg("'%s': error '%s' lacks '%s'", cases[i].spec,
					 mhp_get_last_error(ctx), cases[i].msg[j]);
		}
	}
	/* the documented defaults helpers */
	assert_int_equal(mhp_platform_desc_defaults(&d, "mips"), -EINVAL);
	assert_int_equal(mhp_platform_desc_defaults(&d, "arm64"), 0);
	assert_int_equal(mhp_platform_desc_set_rules(&d, "5.12"), -EINVAL);
	assert_int_equal(mhp_platform_desc_set_rules(&d, "6.x"), -EINVAL);
	/* a version names its rule set */
	assert_int_equal(mhp_platform_desc_set_rules(&d, "6.7"), 0);
	assert_string_equal(d.rules, "6.6");
	assert_int_equal(mhp_platform_desc_set_rules(&d, "6.12"), 0);
	assert_string_equal(d.rules, "6.8");
}

/* ---- JSON ---- */

static json_object *to_obj(const struct mhp_plan *plan, unsigned int flags)
{
	json_object *o;
	char *s;

	assert_int_equal(mhp_plan_to_json(plan, flags, &s), 0);
	o = json_tokener_parse(s);
	assert_non_null(o);
	free(s);
	return o;
}

static uint64_t jnum(json_object *o, const char *key)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_uint64(v);
}

static void assert_same_plan(const struct mhp_plan *a, const struct mhp_plan *b)
{
	uint64_t i;

	assert_int_equal(a->raw_bytes, b->raw_bytes);
	assert_int_equal(a->usable_bytes, b->usable_bytes);
	assert_int_equal(a->memmap_bytes, b->memmap_bytes);
	assert_int_equal(a->dram_overhead_bytes, b->dram_overhead_bytes);
	assert_int_equal(a->force_waste_bytes, b->force_waste_bytes);
	assert_int_equal(a->alignment_waste_bytes, b->alignment_waste_bytes);
	assert_int_equal(a->movable_bytes, b->movable_bytes);
	assert_int_equal(a->normal_bytes, b->normal_bytes);
	assert_int_equal(a->memmap_on_device, b->memmap_on_device);
	assert_int_equal(a->eligible, b->eligible);
	assert_int_equal(a->nr_reasons, b->nr_reasons);
	assert_int_equal(a->nr_advice, b->nr_advice);
	assert_int_equal(a->nr_blocks, b->nr_blocks);
	for (i = 0; i < a->nr_blocks; i++)
		assert_memory_equal(&a->blocks[i], &b->blocks[i], sizeof(a->blocks[i]));
	if (a->input.target || b->input.target)
		assert_string_equal(a->input.target, b->input.target);
	assert_memory_equal(&a->platform, &b->platform, sizeof(a->platform));
}

static void test_json_fields(void **state)
{
	struct mhp_plan *plan = plan_spec("arch=ppc64,memmap_mode=force", 4 * GiB, 1 * GiB,
					  NULL);
	json_object *o = to_obj(plan, 0), *v, *blk;

	assert_int_equal(jnum(o, "plan_version"), 1);
	assert_int_equal(jnum(o, "raw_bytes"), 1 * GiB);
	assert_int_equal(jnum(o, "usable_bytes"), 1016 * MiB);
	assert_int_equal(jnum(o, "force_waste_bytes"), 7 * MiB);
	assert_true(json_object_object_get_ex(o, "memmap_location", &v));
	assert_string_equal(json_object_get_string(v), "device");
	assert_true(json_object_object_get_ex(o, "eligible_memmap_on_memory", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "platform", &v));
	assert_int_equal(jnum(v, "page_size"), 64 * KiB);
	assert_true(json_object_object_get_ex(v, "mmu", &v));
	assert_string_equal(json_object_get_string(v), "radix");
	assert_true(json_object_object_get_ex(o, "node", &v));
	assert_true(json_object_object_get_ex(v, "memmap", &v));
	assert_string_equal(json_object_get_string(v), "node-local (on the device)");
	assert_true(json_object_object_get_ex(o, "target", &v));
	assert_null(v);
	assert_false(json_object_object_get_ex(o, "blocks", &v));
	json_object_put(o);

	o = to_obj(plan, MHP_JSON_BLOCKS);
	assert_true(json_object_object_get_ex(o, "blocks", &v));
	assert_int_equal(json_object_array_length(v), 4);
	blk = json_object_array_get_idx(v, 0);
	assert_int_equal(jnum(blk, "index"), 16);	/* 4 GiB / 256 MiB */
	assert_int_equal(jnum(blk, "phys_addr"), 4 * GiB);
	assert_int_equal(jnum(blk, "memmap_pages"), 4);
	assert_int_equal(jnum(blk, "reserved_pages"), 28);
	assert_int_equal(jnum(blk, "usable_bytes"), 254 * MiB);
	assert_true(json_object_object_get_ex(blk, "zone", &v));
	assert_string_equal(json_object_get_string(v), "movable");
	json_object_put(o);
	mhp_plan_unref(plan);
}

static struct mhp_plan *round_trip(const struct mhp_plan *plan, unsigned int flags)
{
	struct mhp_plan *back = NULL;
	char *s;

	assert_int_equal(mhp_plan_to_json(plan, flags, &s), 0);
	if (mhp_plan_from_json(ctx, s, &back) < 0)
		fail_msg("from_json: %s", mhp_get_last_error(ctx));
	free(s);
	return back;
}

static void test_json_round_trip(void **state)
{
	static const char *const specs[] = {
		"", "arch=ppc64,memmap_mode=force", "kernel=6.1,pageblock_size=4M",
		"arch=arm64,page_size=16K", "kernel_bytes=256M,online_policy=auto-movable",
		"arch=ppc64,mmu=hash,kernel=6.6", "memmap_mode=N,movable_ratio=120",
	};
	struct mhp_plan_opts o = { .size = sizeof(o), .zone = MHP_ZONE_POLICY_NORMAL,
				   .waste_warn_pct = 3 };
	struct mhp_platform_desc d;
	struct mhp_plan_input in = range(0x390000000ULL + 2 * MiB, 20 * GiB);
	struct mhp_plan *plan, *back;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(specs); i++) {
		plan = plan_spec(specs[i], 4 * GiB + 2 * MiB, 3 * GiB, i % 2 ? &o : NULL);
		back = round_trip(plan, i % 3 ? MHP_JSON_BLOCKS : 0);
		assert_same_plan(plan, back);
		mhp_plan_unref(back);
		mhp_plan_unref(plan);
	}

	/* a live-style input: target, region, knob, dram node */
	model("kernel=6.1-mhp", &d);
	in.target = "dax3.0";
	in.region = "region3";
	in.dax_knob = 0;
	in.dram_node = 2;
	in.node = 5;
	in.persistent = true;
	in.node_mem_bytes = 4 * GiB;
	assert_int_equal(mhp_plan_compute(ctx, &d, &in, NULL, &plan), 0);
	back = round_trip(plan, MHP_JSON_BLOCKS);
	assert_same_plan(plan, back);
	assert_string_equal(back->input.region, "region3");
	assert_int_equal(back->input.dram_node, 2);
	assert_int_equal(back->input.node, 5);
	assert_true(back->input.persistent);
	mhp_plan_unref(back);
	mhp_plan_unref(plan);
}

/* An orchestrator may edit block zones; the totals follow. */
static void test_json_edited_zones(void **state)
{
	struct mhp_plan *plan = plan_spec("", 4 * GiB, 1 * GiB, NULL), *back = NULL;
	json_object *o = to_obj(plan, MHP_JSON_BLOCKS), *blocks;
	const char *s;

	json_object_object_get_ex(o, "blocks", &blocks);
	json_object_object_add(json_object_array_get_idx(blocks, 0), "zone",
			       json_object_new_string("normal"));
	json_object_object_add(json_object_array_get_idx(blocks, 1), "zone",
			       json_object_new_string("normal"));
	s = json_object_to_json_string(o);
	assert_int_equal(mhp_plan_from_json(ctx, s, &back), 0);
	assert_int_equal(mhp_plan_get_block_zone(back, 0), MHP_ZONE_NORMAL);
	assert_int_equal(mhp_plan_get_block_zone(back, 1), MHP_ZONE_NORMAL);
	assert_int_equal(mhp_plan_get_block_zone(back, 2), MHP_ZONE_MOVABLE);
	assert_int_equal(mhp_plan_get_normal_bytes(back), 2 * 126 * MiB);
	assert_int_equal(mhp_plan_get_movable_bytes(back), 6 * 126 * MiB);
	assert_true(list_has(back->zone_notes, back->nr_zone_notes, "taken from the plan file"));
	mhp_plan_unref(back);
	json_object_put(o);
	mhp_plan_unref(plan);
}

/* Apply @edit to the plan JSON; from_json must fail naming @field. */
static void expect_reject(const char *what, void (*edit)(json_object *), const char *field)
{
	struct mhp_plan *plan = plan_spec("", 4 * GiB, 1 * GiB, NULL), *back = NULL;
	json_object *o = to_obj(plan, MHP_JSON_BLOCKS);
	int rc;

	edit(o);
	rc = mhp_plan_from_json(ctx, json_object_to_json_string(o), &back);
	if (rc != -EINVAL || back)
		fail_msg("%s: accepted (rc %d)", what, rc);
	if (!strstr(mhp_get_last_error(ctx), field))
		fail_msg("%s: error '%s' does not name '%s'", what, mhp_get_last_error(ctx),
			 field);
	json_object_put(o);
	mhp_plan_unref(plan);
}

static json_object *sub(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static void e_version(json_object *o)
{
	json_object_object_add(o, "plan_version", json_object_new_int(2));
}

static void e_no_version(json_object *o)
{
	json_object_object_del(o, "plan_version");
}

static void e_page_string(json_object *o)
{
	json_object_object_add(sub(o, "platform"), "page_size", json_object_new_string("4K"));
}

static void e_negative_size(json_object *o)
{
	json_object_object_add(sub(o, "source"), "size", json_object_new_int(-5));
}

static void e_arch(json_object *o)
{
	json_object_object_add(sub(o, "platform"), "arch", json_object_new_string(""));
}

static void e_zone(json_object *o)
{
	json_object_object_add(json_object_array_get_idx(sub(o, "blocks"), 3), "zone",
			       json_object_new_string("dma32"));
}

static void e_drop_block(json_object *o)
{
	json_object_array_del_idx(sub(o, "blocks"), 7, 1);
}

static void e_shift_block(json_object *o)
{
	json_object_object_add(json_object_array_get_idx(sub(o, "blocks"), 2), "index",
			       json_object_new_int(999));
}

static void e_start(json_object *o)
{
	/* the source moved: the recomputed blocks differ */
	json_object_object_add(sub(o, "source"), "start",
			       json_object_new_uint64(8 * GiB));
}

static void e_location(json_object *o)
{
	json_object_object_add(o, "memmap_location", json_object_new_string("dram"));
}

static void e_memmap_pages(json_object *o)
{
	json_object_object_add(json_object_array_get_idx(sub(o, "blocks"), 0),
			       "memmap_pages", json_object_new_int(7));
}

static void e_options(json_object *o)
{
	json_object_object_add(sub(o, "options"), "memmap", json_object_new_string("maybe"));
}

static void e_no_platform(json_object *o)
{
	json_object_object_del(o, "platform");
}

static void e_bool(json_object *o)
{
	json_object_object_add(sub(o, "node"), "has_cpus", json_object_new_string("yes"));
}

static void test_json_reject(void **state)
{
	struct mhp_plan *back = NULL;

	expect_reject("version 2", e_version, "plan_version 2");
	expect_reject("no version", e_no_version, "plan_version is missing");
	expect_reject("page_size string", e_page_string, "platform.page_size");
	expect_reject("negative size", e_negative_size, "source.size");
	expect_reject("arch", e_arch, "platform.arch");
	expect_reject("zone", e_zone, "blocks[3].zone");
	expect_reject("dropped block", e_drop_block, "lists 7 blocks");
	expect_reject("block index", e_shift_block, "blocks[2].index 999");
	expect_reject("moved source", e_start, "blocks[0].index");
	expect_reject("memmap location", e_location, "memmap_location");
	expect_reject("memmap pages", e_memmap_pages, "blocks[0].memmap");
	expect_reject("options", e_options, "options.memmap");
	expect_reject("no platform", e_no_platform, "platform is missing");
	expect_reject("bool", e_bool, "node.has_cpus");

	assert_int_equal(mhp_plan_from_json(ctx, "{ not json", &back), -EINVAL);
	assert_non_null(strstr(mhp_get_last_error(ctx), "not valid JSON"));
	assert_int_equal(mhp_plan_from_json(ctx, "[{}, {}]", &back), -EINVAL);
	assert_non_null(strstr(mhp_get_last_error(ctx), "array"));
	assert_int_equal(mhp_plan_from_json(ctx, "42", &back), -EINVAL);
	assert_null(back);
}

/* ---- property checks over random inputs ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64*: fixed seed, so failures reproduce */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[rnd() % n];
}

static bool rules_in(const char *rules, const char *a, const char *b, const char *c)
{
	return !strcmp(rules, a) || (b && !strcmp(rules, b)) || (c && !strcmp(rules, c));
}

/*
 * An independent, straightforward statement of what the kernel does,
 * from the rule names (not the capability flags the planner uses).
 */
static bool ref_eligible(const struct mhp_platform_desc *d, uint64_t nblocks)
{
	uint64_t B = d->block_size, P = d->page_size, S = d->struct_page_size;
	uint64_t pb = d->pageblock_size, pmd = d->pmd_size;
	uint64_t V = B / P * S, M, pbp, M_eff;
	bool force = d->memmap_mode == MHP_MEMMAP_MODE_FORCE;
	bool stock61 = !strcmp(d->rules, "6.1");

	if (nblocks == 0)
		return false;
	if (d->memmap_mode != MHP_MEMMAP_MODE_ON && !force)
		return false;
	if (force && stock61)
		return false;
	/* dax_kmem asks for it only on 6.8+ and with the series */
	if (!rules_in(d->rules, "6.8", "6.1-mhp", NULL))
		return false;
	if (nblocks > 1 && !rules_in(d->rules, "6.8", "6.1-mhp", NULL))
		return false;
	if (stock61) {
		if (strcmp(d->arch, "x86_64") && strcmp(d->arch, "arm64"))
			return false;
		return V % pmd == 0 && (B - V) % pb == 0;
	}
	if (V % P)
		return false;
	M = V / P;
	pbp = pb / P;
	M_eff = force ? (M + pbp - 1) / pbp * pbp : M;
	if (M_eff % pbp || M_eff >= B / P)
		return false;
	if (!strcmp(d->arch, "ppc64")) {
		if (d->mmu == MHP_MMU_HASH)
			return false;
		return P == 64 * KiB || V % pmd == 0;
	}
	return V % pmd == 0;
}

static const char *const archs[] = { "x86_64", "arm64", "ppc64", "riscv64" };
/* weighted towards the rule sets where kmem can use memmap_on_memory */
static const char *const rule_sets[] = { "6.1", "6.1-mhp", "6.1-mhp", "6.6", "6.8",
					 "6.9", "6.12" };

/* A random but valid model spec. */
static void random_spec(char *buf, size_t len)
{
	static const uint64_t pbs[] = { 2 * MiB, 2 * MiB, 4 * MiB, 16 * MiB, 32 * MiB,
					512 * MiB };
	static const uint64_t pmds[] = { 2 * MiB, 2 * MiB, 16 * MiB, 32 * MiB, 512 * MiB };
	static const uint64_t sps[] = { 56, 64, 64, 64, 72, 80, 128 };
	static const char *const modes[] = { "N", "Y", "Y", "force", "force" };
	const char *arch = archs[rnd() % 4];
	const char *rules = rule_sets[rnd() % ARRAY_SIZE(rule_sets)];
	const char *mode = modes[rnd() % 5];
	uint64_t page = 4 * KiB, pb = pick(pbs, ARRAY_SIZE(pbs)), block;
	unsigned int shift;

	if (!strcmp(arch, "arm64"))
		page = (uint64_t[]){ 4 * KiB, 16 * KiB, 64 * KiB }[rnd() % 3];
	else if (!strcmp(arch, "ppc64"))
		page = (uint64_t[]){ 4 * KiB, 64 * KiB }[rnd() % 2];
	if (!strcmp(rules, "6.1") && !strcmp(mode, "force"))
		mode = "Y";
	/* block: a power of two from the pageblock to 2 GiB */
	for (shift = 0; (pb << shift) < 2 * GiB; shift++)
		;
	block = pb << (rnd() % (shift + 1));
	snprintf(buf, len, "arch=%s,page_size=%llu,block_size=%llu,pageblock_size=%llu,"
		 "pmd_size=%llu,struct_page_size=%llu,memmap_mode=%s,kernel=%s,"
		 "kernel_bytes=%llu,movable_bytes=%llu,node_cpus=%u%s",
		 arch, (unsigned long long)page, (unsigned long long)block,
		 (unsigned long long)pb, (unsigned long long)pick(pmds, ARRAY_SIZE(pmds)),
		 (unsigned long long)pick(sps, ARRAY_SIZE(sps)), mode, rules,
		 (unsigned long long)(rnd() % (64 * GiB)),
		 (unsigned long long)(rnd() % 4 ? 0 : rnd() % (64 * GiB)),
		 (unsigned int)(rnd() % 2),
		 !strcmp(arch, "ppc64") && rnd() % 3 == 0 ? ",mmu=hash" : "");
}

static bool ratio_ok(uint64_t movable, uint64_t kernel, uint32_t r)
{
	return (unsigned __int128)movable * 100 <= (unsigned __int128)kernel * r;
}

static void check_invariants(const char *spec, const struct mhp_platform_desc *d,
			     const struct mhp_plan_input *in, const struct mhp_plan_opts *o,
			     const struct mhp_plan *p)
{
	uint64_t B = d->block_size, P = d->page_size, i, k = 0, on_dev = 0, reserved = 0;
	uint64_t first = (in->start + B - 1) / B * B, last = (in->start + in->size) / B * B;
	uint64_t n = first < last ? (last - first) / B : 0, usable = 0;
	bool ref = ref_eligible(d, n);

	if (p->eligible != ref)
		fail_msg("%s [%#llx +%#llx]: planner says eligible=%d, kernel rules %d",
			 spec, (unsigned long long)in->start, (unsigned long long)in->size,
			 p->eligible, ref);
	assert_int_equal(p->nr_blocks, n);
	assert_int_equal(p->memmap_on_device,
			 ref && o->memmap != MHP_MEMMAP_POLICY_OFF);
	if (!ref)
		assert_true(p->nr_reasons > 0);
	for (i = 0; i < n; i++) {
		const struct mhp_plan_block *b = &p->blocks[i];

		assert_int_equal(b->phys_addr, first + i * B);
		assert_int_equal(b->index, b->phys_addr / B);
		on_dev += (uint64_t)(b->memmap_pages + b->reserved_pages) * P;
		reserved += (uint64_t)b->reserved_pages * P;
		usable += b->usable_bytes;
		if (b->zone == MHP_ZONE_NORMAL) {
			/* zones contiguous: normal only below movable */
			assert_int_equal(k, i);
			k++;
		}
	}
	/* the accounting identity */
	assert_int_equal(usable, p->usable_bytes);
	assert_int_equal(p->usable_bytes + p->alignment_waste_bytes + on_dev, in->size);
	assert_int_equal(p->force_waste_bytes, reserved);
	assert_int_equal(p->memmap_bytes, n * (B / P * d->struct_page_size));
	assert_int_equal(p->dram_overhead_bytes, p->memmap_on_device ? 0 : p->memmap_bytes);
	assert_int_equal(p->movable_bytes + p->normal_bytes, p->usable_bytes);
	if (!p->memmap_on_device)
		assert_int_equal(on_dev, 0);

	/* auto zones: within the ratio with k normal blocks, and k minimal */
	if (o->zone == MHP_ZONE_POLICY_AUTO && n) {
		uint64_t per = p->blocks[0].usable_bytes;
		uint32_t r = p->opts.movable_ratio;

		if (k < n || ratio_ok(d->movable_bytes, d->kernel_bytes + n * per, r))
			assert_true(ratio_ok(d->movable_bytes + (n - k) * per,
					     d->kernel_bytes + k * per, r));
		if (k > 0)
			assert_false(ratio_ok(d->movable_bytes + (n - k + 1) * per,
					      d->kernel_bytes + (k - 1) * per, r));
	}
}

static void test_properties(void **state)
{
	static const uint64_t offsets[] = { 0, 2 * MiB, 4 * KiB, 64 * MiB, 126 * MiB };
	unsigned int iter, json_checked = 0, eligible = 0, refused = 0, computed = 0;
	char spec[512];

	for (iter = 0; iter < 10000; iter++) {
		struct mhp_platform_desc d;
		struct mhp_plan_opts o = { .size = sizeof(o) };
		struct mhp_plan_input in;
		struct mhp_plan *p = NULL;
		int rc;

		random_spec(spec, sizeof(spec));
		model(spec, &d);
		in = range((rnd() % 256) * 128 * MiB + pick(offsets, ARRAY_SIZE(offsets)),
			   (rnd() % 40 + 1) * d.block_size / (rnd() % 3 + 1) +
			   (rnd() % 2) * pick(offsets, ARRAY_SIZE(offsets)));
		in.node_has_cpus = d.model_node_has_cpus;
		o.zone = (enum mhp_zone_policy)(rnd() % 3);
		o.memmap = (enum mhp_memmap_policy)(rnd() % 3);
		o.movable_ratio = rnd() % 2 ? (uint32_t)(rnd() % 500) : 0;
		rc = mhp_plan_compute(ctx, &d, &in, &o, &p);
		if (o.memmap == MHP_MEMMAP_POLICY_ON) {
			uint64_t B = d.block_size;
			uint64_t first = (in.start + B - 1) / B * B;
			uint64_t last = (in.start + in.size) / B * B;
			bool ref = ref_eligible(&d, first < last ? (last - first) / B : 0);

			if (!ref) {
				if (rc != -EINVAL)
					fail_msg("%s: --memmap on accepted an ineligible "
						 "source", spec);
				refused++;
				continue;
			}
		}
		if (rc < 0)
			fail_msg("%s: %s", spec, mhp_get_last_error(ctx));
		check_invariants(spec, &d, &in, &o, p);
		eligible += p->eligible;
		if (++computed % 20 == 0) {
			struct mhp_plan *back = round_trip(p, MHP_JSON_BLOCKS);

			assert_same_plan(p, back);
			mhp_plan_unref(back);
			json_checked++;
		}
		mhp_plan_unref(p);
	}
	print_message("  %u plans (%u eligible), %u refused --memmap on, %u JSON round trips\n",
		      computed, eligible, refused, json_checked);
	/* the generator must exercise both sides */
	assert_true(eligible > 100);
	assert_true(refused > 100);
	assert_true(json_checked >= 150);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eligibility_table),
		cmocka_unit_test(test_every_rule_reported),
		cmocka_unit_test(test_seed_example_totals),
		cmocka_unit_test(test_memmap_policy),
		cmocka_unit_test(test_alignment_cxl_pmem),
		cmocka_unit_test(test_alignment_head_tail),
		cmocka_unit_test(test_alignment_nothing_left),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_zone_auto_ratio),
		cmocka_unit_test(test_zone_auto_ratio_option),
		cmocka_unit_test(test_zone_forced),
		cmocka_unit_test(test_zone_cpuless_global),
		cmocka_unit_test(test_zone_ratio_already_exceeded),
		cmocka_unit_test(test_advice_cmdline),
		cmocka_unit_test(test_advice_block_size),
		cmocka_unit_test(test_advice_dax_knob_and_unit),
		cmocka_unit_test(test_node_text),
		cmocka_unit_test(test_refcount_and_getters),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_model_defaults),
		cmocka_unit_test(test_model_errors),
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_edited_zones),
		cmocka_unit_test(test_json_reject),
		cmocka_unit_test(test_properties),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
