// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the live probe learns about the kernel from generated trees: the
 * rule set from the ABI (with the release as fallback), the kernel's own
 * onlining, the agents that online memory, the current state of a dax
 * device beside its plan, and trees that hold only part of sysfs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "private.h"
#include "sysroot.h"

#define MiB	SZ_1M
#define GiB	SZ_1G

static struct mhp_ctx *ctx_at(const char *root)
{
	struct mhp_ctx *ctx;

	assert_int_equal(mhp_new(&ctx), 0);
	mhp_set_log_priority(ctx, 0);	/* expected failures stay quiet */
	assert_int_equal(mhp_set_sysroot(ctx, root), 0);
	return ctx;
}

static struct mhp_platform *platform_at(struct mhp_ctx *ctx)
{
	struct mhp_platform *p;

	if (mhp_get_platform(ctx, &p) < 0)
		fail_msg("probe: %s", mhp_get_last_error(ctx));
	return p;
}

static void assert_cap(const struct mhp_platform *p, enum mhp_capability cap,
		       bool value, enum mhp_evidence source, const char *evidence)
{
	const char *text = mhp_platform_get_capability_evidence(p, cap);

	if (mhp_platform_has_capability(p, cap) != value ||
	    mhp_platform_get_capability_source(p, cap) != source ||
	    !text || !strstr(text, evidence))
		fail_msg("%s: %d from %s (%s), expected %d from %s mentioning '%s'",
			 mhp_capability_name(cap), mhp_platform_has_capability(p, cap),
			 mhp_evidence_name(mhp_platform_get_capability_source(p, cap)),
			 text ? text : "no evidence", value, mhp_evidence_name(source),
			 evidence);
}

/* ---- rules from the ABI ---- */

/* sr_new_hmem() as a RHEL 9 kernel booted with memmap_on_memory=1. */
static char *rhel9_tree(bool dax_attr)
{
	char *root = sr_new_hmem();

	sr_file(root, "/proc/sys/kernel/osrelease", "5.14.0-427.el9.x86_64\n");
	sr_file(root, "/sys/module/memory_hotplug/parameters/memmap_on_memory", "Y\n");
	if (dax_attr)	/* hmem dax devices default to 0 */
		sr_file(root, "/sys/devices/platform/hmem.0/dax0.0/memmap_on_memory", "0\n");
	return root;
}

/*
 * RHEL 9's 5.14 release alone would mean stock 6.1 rules (5.13-6.5),
 * where kmem never puts a dax memmap on the device. Its dax0.0 has the
 * memmap_on_memory attribute, which only the 6.8 series adds, together
 * with kmem passing MHP_MEMMAP_ON_MEMORY and the per-block split; that
 * series is built on 6.6's rules and force. So the kernel is planned as
 * 6.8, from the ABI: 1 GiB at 4 GiB, split into 8 adds of one 128 MiB
 * block, each with V = 32768 * 64 = 2 MiB = 512 pages = one pageblock,
 * PMD-aligned -> the memmap goes on the device, 512 pages per block.
 */
static void test_backport_with_dax_attr_gets_68(void **state)
{
	char *root = rhel9_tree(true);
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_platform *p = platform_at(ctx);
	struct mhp_plan *plan;
	uint64_t i;

	assert_string_equal(mhp_platform_get_rules(p), "6.8");
	assert_int_equal(mhp_platform_get_rules_source(p), MHP_EVIDENCE_ABI);
	assert_cap(p, MHP_CAP_KMEM_MEMMAP, true, MHP_EVIDENCE_ABI,
		   "/sys/bus/dax/devices/dax0.0/memmap_on_memory exists");
	assert_cap(p, MHP_CAP_SPLIT_PER_BLOCK, true, MHP_EVIDENCE_ABI, "split per block");
	assert_cap(p, MHP_CAP_DAX_MEMMAP_KNOB, true, MHP_EVIDENCE_ABI, "dax0.0");
	assert_cap(p, MHP_CAP_MEMMAP_FORCE, true, MHP_EVIDENCE_ABI, "implied by");
	assert_cap(p, MHP_CAP_NEW_ELIGIBILITY, true, MHP_EVIDENCE_ABI, "6.6");
	/* the ABI cannot show a boot parameter that was not used */
	assert_cap(p, MHP_CAP_BLOCK_SIZE_PARAM, false, MHP_EVIDENCE_RELEASE, "5.14.0-427");
	mhp_platform_unref(p);

	assert_int_equal(mhp_plan_dax_dev(ctx, mhp_dax_dev_get_by_name(ctx, "dax0.0"),
					  NULL, &plan), 0);
	assert_true(mhp_plan_memmap_on_device(plan));
	assert_int_equal(mhp_plan_get_num_blocks(plan), 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(mhp_plan_get_block_memmap_pages(plan, i), 512);
	assert_int_equal(mhp_plan_get_dram_overhead_bytes(plan), 0);
	mhp_plan_unref(plan);
	mhp_unref(ctx);
	sr_free(root);
}

/*
 * The same release without the attribute on its dax device: kmem does
 * not request memmap_on_memory (ABI), and nothing shows the 6.6 rules or
 * force (memmap_on_memory reads Y), so those come from the release: 6.1.
 * The 8 blocks go in one add -> memmap in DRAM, 8 * 2 MiB = 16 MiB.
 */
static void test_backport_without_dax_attr_gets_61(void **state)
{
	char *root = rhel9_tree(false);
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_platform *p = platform_at(ctx);
	struct mhp_plan *plan;

	assert_string_equal(mhp_platform_get_rules(p), "6.1");
	assert_int_equal(mhp_platform_get_rules_source(p), MHP_EVIDENCE_RELEASE);
	assert_cap(p, MHP_CAP_KMEM_MEMMAP, false, MHP_EVIDENCE_ABI,
		   "dax0.0 has no memmap_on_memory attribute");
	assert_cap(p, MHP_CAP_MEMMAP_FORCE, false, MHP_EVIDENCE_RELEASE,
		   "5.14.0-427.el9.x86_64 falls in rule set 6.1");
	mhp_platform_unref(p);
	assert_int_equal(mhp_plan_dax_dev(ctx, mhp_dax_dev_get_by_name(ctx, "dax0.0"),
					  NULL, &plan), 0);
	assert_false(mhp_plan_memmap_on_device(plan));
	assert_int_equal(mhp_plan_get_dram_overhead_bytes(plan), 16 * MiB);
	mhp_plan_unref(plan);
	mhp_unref(ctx);
	sr_free(root);
}

static void test_rules_sources(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx;
	struct mhp_platform *p;

	/* 6.12, dax device without the attribute: ABI says no kmem memmap */
	sr_file(root, "/proc/sys/kernel/osrelease", "6.12.95+deb12-amd64\n");
	ctx = ctx_at(root);
	p = platform_at(ctx);
	assert_string_equal(mhp_platform_get_rules(p), "6.6");
	assert_cap(p, MHP_CAP_KMEM_MEMMAP, false, MHP_EVIDENCE_ABI, "no memmap_on_memory");
	assert_cap(p, MHP_CAP_MEMMAP_FORCE, true, MHP_EVIDENCE_RELEASE, "rule set 6.8");
	mhp_platform_unref(p);
	mhp_unref(ctx);

	/* 6.12 with no dax device at all: the ABI is silent, the release decides */
	sr_rm(root, "/sys/bus/dax/devices/dax0.0");
	ctx = ctx_at(root);
	p = platform_at(ctx);
	assert_string_equal(mhp_platform_get_rules(p), "6.8");
	assert_int_equal(mhp_platform_get_rules_source(p), MHP_EVIDENCE_RELEASE);
	assert_cap(p, MHP_CAP_KMEM_MEMMAP, true, MHP_EVIDENCE_RELEASE,
		   "6.12.95+deb12-amd64 falls in rule set 6.8");
	mhp_platform_unref(p);
	mhp_unref(ctx);

	/* 5.14 booted with force, no dax device: force and the 6.6 rules */
	sr_file(root, "/proc/sys/kernel/osrelease", "5.14.0-427.el9.x86_64\n");
	sr_file(root, "/sys/module/memory_hotplug/parameters/memmap_on_memory", "force\n");
	ctx = ctx_at(root);
	p = platform_at(ctx);
	assert_string_equal(mhp_platform_get_rules(p), "6.6");
	assert_cap(p, MHP_CAP_MEMMAP_FORCE, true, MHP_EVIDENCE_ABI, "reads force");
	assert_cap(p, MHP_CAP_KMEM_MEMMAP, false, MHP_EVIDENCE_RELEASE, "rule set 6.1");
	mhp_platform_unref(p);
	mhp_unref(ctx);

	/* the series' counter decides everything, whatever the release */
	sr_file(root, "/proc/vmstat", "nr_free_pages 1\nnr_memmap_on_memory 0\n");
	ctx = ctx_at(root);
	p = platform_at(ctx);
	assert_string_equal(mhp_platform_get_rules(p), "6.1-mhp");
	assert_int_equal(mhp_platform_get_rules_source(p), MHP_EVIDENCE_ABI);
	assert_cap(p, MHP_CAP_BLOCK_SIZE_PARAM, true, MHP_EVIDENCE_ABI, "nr_memmap_on_memory");
	mhp_platform_unref(p);
	mhp_unref(ctx);
	sr_free(root);

	/* a model says it is a model */
	assert_int_equal(mhp_new(&ctx), 0);
	assert_int_equal(mhp_platform_new_model(ctx, "kernel=6.12", &p), 0);
	assert_string_equal(mhp_platform_get_rules(p), "6.8");
	assert_int_equal(mhp_platform_get_rules_source(p), MHP_EVIDENCE_MODEL);
	assert_cap(p, MHP_CAP_KMEM_MEMMAP, true, MHP_EVIDENCE_MODEL, "model");
	assert_string_equal(mhp_evidence_name(MHP_EVIDENCE_ABI), "abi");
	assert_string_equal(mhp_capability_name(MHP_CAP_MEMMAP_FORCE),
			    "memmap_on_memory_force_supported");
	mhp_platform_unref(p);
	mhp_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backport_with_dax_attr_gets_68),
		cmocka_unit_test(test_backport_without_dax_attr_gets_61),
		cmocka_unit_test(test_rules_sources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
