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

/* ---- the kernel's own onlining ---- */

struct onlining_case {
	const char *auto_online;
	const char *policy;	/* "auto-movable" or contig-zones */
	int numa_aware;
	uint64_t node_kernel, node_movable;
	uint64_t sys_kernel, sys_movable;
	bool onlines;
	enum mhp_zone zone;
	const char *why;
};

static const struct onlining_case onlining_cases[] = {
	/* offline: nothing happens until someone onlines it */
	{ "offline", NULL, 1, 0, 0, 16 * GiB, 0, false, MHP_ZONE_NONE, "stays offline" },
	/* unknown: say so, do not guess */
	{ "", NULL, 1, 0, 0, 16 * GiB, 0, false, MHP_ZONE_NONE, "unknown" },
	{ "online_movable", NULL, 1, 0, 0, 16 * GiB, 0, true, MHP_ZONE_MOVABLE, "online_movable" },
	{ "online_kernel", NULL, 1, 0, 0, 16 * GiB, 0, true, MHP_ZONE_NORMAL, "online_kernel" },
	/* plain online, contig-zones: a CPU-less CXL node's default zone is Normal */
	{ "online", NULL, 1, 0, 0, 16 * GiB, 0, true, MHP_ZONE_NORMAL, "Normal first" },
	/* contig-zones on a node whose memory is all movable stays movable */
	{ "online", NULL, 1, 0, 1 * GiB, 16 * GiB, 1 * GiB, true, MHP_ZONE_MOVABLE,
	  "all ZONE_MOVABLE already" },
	/* auto-movable, numa aware: the node has no kernel memory -> Normal */
	{ "online", "auto-movable", 1, 0, 0, 16 * GiB, 0, true, MHP_ZONE_NORMAL,
	  "has no kernel memory" },
	/* auto-movable, not numa aware: 1 GiB <= 301% of 16 GiB -> Movable */
	{ "online", "auto-movable", 0, 0, 0, 16 * GiB, 0, true, MHP_ZONE_MOVABLE,
	  "stays within auto_movable_ratio=301%" },
	/* 48 GiB + 1 GiB movable > 301% of 16 GiB (48.16 GiB) -> Normal */
	{ "online", "auto-movable", 0, 0, 0, 16 * GiB, 48 * GiB, true, MHP_ZONE_NORMAL,
	  "would exceed" },
};

static void test_kernel_onlining_table(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(onlining_cases); i++) {
		const struct onlining_case *c = &onlining_cases[i];
		struct mhp_platform_desc d;
		struct mhp_auto_online ao;

		assert_int_equal(mhp_platform_desc_defaults(&d, "x86_64"), 0);
		snprintf(d.auto_online_blocks, sizeof(d.auto_online_blocks), "%s",
			 c->auto_online);
		d.online_policy_auto_movable = c->policy != NULL;
		d.auto_movable_numa_aware = c->numa_aware;
		d.kernel_bytes = c->sys_kernel;
		d.movable_bytes = c->sys_movable;
		mhp_auto_online_predict(&d, 1, c->node_kernel, c->node_movable, 1 * GiB, &ao);
		if (ao.onlines != c->onlines || ao.zone != c->zone || !strstr(ao.why, c->why))
			fail_msg("case %zu (%s): onlines %d zone %s '%s', expected %d %s '%s'",
				 i, c->auto_online, ao.onlines, mhp_zone_name(ao.zone), ao.why,
				 c->onlines, mhp_zone_name(c->zone), c->why);
	}
}

static const struct mhp_advice *find_advice(const struct mhp_plan *plan, const char *kind)
{
	unsigned int i;

	for (i = 0; i < plan->nr_advice; i++)
		if (!strcmp(plan->advice[i].kind, kind))
			return &plan->advice[i];
	return NULL;
}

/* A 6.12 kernel with CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE=y. */
static void test_kernel_onlining_live(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx;
	struct mhp_platform *p;
	const struct mhp_advice *a;
	struct mhp_plan *plan;

	sr_file(root, "/proc/sys/kernel/osrelease", "6.12.95+deb12-amd64\n");
	sr_file(root, "/sys/devices/system/memory/auto_online_blocks", "online\n");
	sr_file(root, "/sys/devices/platform/hmem.0/dax0.0/memmap_on_memory", "0\n");
	ctx = ctx_at(root);
	p = platform_at(ctx);
	assert_true(mhp_platform_kernel_onlines(p));
	assert_int_equal(mhp_platform_get_auto_online_zone(p), MHP_ZONE_NORMAL);
	assert_non_null(strstr(mhp_platform_get_auto_online_reason(p), "contig-zones"));
	assert_int_equal(mhp_platform_get_num_online_agents(p), 1);
	assert_non_null(strstr(mhp_platform_get_online_agent(p, 0), "auto_online_blocks=online"));
	mhp_platform_unref(p);

	/* node 1 has no CPUs and no memory: the kernel would put it in Normal */
	assert_int_equal(mhp_plan_dax_dev(ctx, mhp_dax_dev_get_by_name(ctx, "dax0.0"),
					  NULL, &plan), 0);
	assert_true(mhp_plan_kernel_onlines(plan));
	assert_int_equal(mhp_plan_get_kernel_online_zone(plan), MHP_ZONE_NORMAL);
	a = find_advice(plan, "auto_online");
	assert_non_null(a);
	assert_string_equal(a->action, "memhp_default_state=offline");
	assert_non_null(strstr(a->text, "cxlmem-online@dax0.0.service"));
	assert_non_null(strstr(a->text, "into ZONE_NORMAL"));
	mhp_plan_unref(plan);
	mhp_unref(ctx);

	/* booted with memhp_default_state=offline: nothing to advise */
	sr_file(root, "/sys/devices/system/memory/auto_online_blocks", "offline\n");
	ctx = ctx_at(root);
	assert_int_equal(mhp_plan_dax_dev(ctx, mhp_dax_dev_get_by_name(ctx, "dax0.0"),
					  NULL, &plan), 0);
	assert_false(mhp_plan_kernel_onlines(plan));
	assert_null(find_advice(plan, "auto_online"));
	mhp_plan_unref(plan);
	mhp_unref(ctx);
	sr_free(root);
}

/* ---- agents ---- */

static struct mhp_agents agents_at(const char *root)
{
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_agents a;

	mhp_agents_detect(ctx, &a);
	mhp_unref(ctx);
	return a;
}

static bool agents_mention(char (*list)[MHP_AGENT_TEXT_MAX], unsigned int n,
			   const char *a, const char *b)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strstr(list[i], a) && (!b || strstr(list[i], b)))
			return true;
	return false;
}

static void agents_fail(const struct mhp_agents *a, const char *what)
{
	unsigned int i;

	for (i = 0; i < a->nr; i++)
		print_message("  racing: %s\n", a->what[i]);
	for (i = 0; i < a->nr_inert; i++)
		print_message("  inert: %s\n", a->inert[i]);
	fail_msg("%s", what);
}

/*
 * A memory rule in the style RHEL/Fedora ship (40-redhat.rules on 8/9,
 * 40-redhat-hotplug.rules on 10): the subsystem test is a negated guard
 * that jumps over the block, the state is written through a variable,
 * and one rule spans two lines. Written for this test.
 */
static const char redhat_style_rules[] =
	"# onlining of hot-added memory\n"
	"SUBSYSTEM!=\"memory\", GOTO=\"mem_online_end\"\n"
	"ACTION!=\"add\", GOTO=\"mem_online_end\"\n"
	"ENV{.mem_state}=\"online\"\n"
	"PROGRAM==\"/usr/bin/systemd-detect-virt\", RESULT==\"none\", \\\n"
	"  ENV{.mem_state}=\"online_movable\"\n"
	"ATTR{state}==\"offline\", ATTR{state}=\"$env{.mem_state}\"\n"
	"LABEL=\"mem_online_end\"\n"
	"\n"
	"SUBSYSTEM==\"cpu\", ACTION==\"add\", ATTR{online}=\"1\"\n";

static void test_agents_redhat_guarded_rule(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_agents a;

	sr_file(root, "/usr/lib/udev/rules.d/40-redhat.rules", "%s", redhat_style_rules);
	a = agents_at(root);
	if (a.nr != 1 || !agents_mention(a.what, a.nr, "/usr/lib/udev/rules.d/40-redhat.rules",
					 "\"online_movable\""))
		agents_fail(&a, "the guarded memory rule was not seen");
	assert_false(a.kernel_auto_online);
	assert_int_equal(a.nr_inert, 0);

	/* the same on RHEL 10's name, reached through /lib */
	sr_rm(root, "/usr/lib/udev/rules.d/40-redhat.rules");
	sr_file(root, "/lib/udev/rules.d/40-redhat-hotplug.rules", "%s", redhat_style_rules);
	a = agents_at(root);
	assert_true(agents_mention(a.what, a.nr, "40-redhat-hotplug.rules", "ATTR{state}"));

	/* an empty file of the same name in /etc masks it */
	sr_file(root, "/etc/udev/rules.d/40-redhat-hotplug.rules", "%s", "");
	a = agents_at(root);
	assert_int_equal(a.nr, 0);
	sr_rm(root, "/etc/udev/rules.d/40-redhat-hotplug.rules");

	/* a guard for another subsystem (Debian's 70-memory.rules: dmi) is not memory */
	sr_rm(root, "/lib/udev/rules.d/40-redhat-hotplug.rules");
	sr_file(root, "/lib/udev/rules.d/70-memory.rules",
		"ACTION==\"remove\", GOTO=\"memory_end\"\n"
		"SUBSYSTEM!=\"dmi\", GOTO=\"memory_end\"\n"
		"IMPORT{program}=\"dmi_memory_id\"\n"
		"LABEL=\"memory_end\"\n");
	/* a direct match still counts; a state match alone does not */
	sr_file(root, "/etc/udev/rules.d/80-mem.rules",
		"SUBSYSTEM==\"memory\", ATTR{state}==\"offline\", GOTO=\"x\"\n"
		"LABEL=\"x\"\n"
		"KERNEL==\"memory*\", ACTION==\"add\", ATTR{state}=\"online_kernel\"\n");
	a = agents_at(root);
	if (a.nr != 1 || !agents_mention(a.what, a.nr, "80-mem.rules", "\"online_kernel\""))
		agents_fail(&a, "expected only 80-mem.rules");
	sr_free(root);
}

static void test_agents_daxctl(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_agents a;

	/* Debian 12 (ndctl 76.1): "daxctl -C" is rejected, so it does nothing */
	sr_file(root, "/lib/udev/rules.d/90-daxctl-device.rules",
		"ACTION==\"add\", SUBSYSTEM==\"dax\",\\\n"
		"  RUN+=\"/usr/bin/daxctl -C $env{DEVNAME}\"\n");
	a = agents_at(root);
	assert_int_equal(a.nr, 0);
	if (a.nr_inert != 1 || !agents_mention(a.inert, a.nr_inert, "90-daxctl-device.rules",
					       "Unknown option"))
		agents_fail(&a, "daxctl -C should be inert");

	/* upstream: the rule asks systemd for daxdev-reconfigure@ */
	sr_file(root, "/lib/udev/rules.d/90-daxctl-device.rules",
		"ACTION==\"add\", SUBSYSTEM==\"dax\", TAG+=\"systemd\", "
		"ENV{SYSTEMD_WANTS}=\"daxdev-reconfigure@$env{DEVNAME}.service\"\n");
	a = agents_at(root);
	assert_true(agents_mention(a.inert, a.nr_inert, "no daxdev-reconfigure@.service", NULL));
	sr_file(root, "/usr/lib/systemd/system/daxdev-reconfigure@.service",
		"[Unit]\nDescription=reconfigure a dax device from daxctl.conf.d\n"
		"[Service]\nType=forking\n"
		"ExecStart=/bin/sh -c \"exec daxctl reconfigure-device -C %%I\"\n");
	a = agents_at(root);
	assert_true(agents_mention(a.inert, a.nr_inert, "has no .conf file", NULL));
	sr_file(root, "/etc/daxctl.conf.d/cxl.conf", "[reconfigure-device cxl]\n");
	a = agents_at(root);
	if (a.nr != 1 || !agents_mention(a.what, a.nr, "daxdev-reconfigure@.service",
					 "system-ram"))
		agents_fail(&a, "configured daxdev-reconfigure@ races");
	/* masked in /etc */
	sr_link(root, "/etc/systemd/system/daxdev-reconfigure@.service", "/dev/null");
	a = agents_at(root);
	assert_int_equal(a.nr, 0);
	assert_true(agents_mention(a.inert, a.nr_inert, "is masked", NULL));
	sr_free(root);
}

/* ---- the current state beside the plan ---- */

/*
 * What 6.12 leaves behind with auto_online_blocks=online: dax0.0 (1 GiB at
 * 4 GiB, node 1) bound to kmem, blocks 32-39 online in ZONE_NORMAL, the
 * memmap in DRAM (node 1 MemTotal = the full 1048576 kB), 50 MiB in use.
 */
static char *kernel_onlined_tree(const char *zone)
{
	char *root = sr_new_hmem(), p[128];
	int i;

	sr_file(root, "/proc/sys/kernel/osrelease", "6.12.95+deb12-amd64\n");
	sr_file(root, "/sys/module/memory_hotplug/parameters/memmap_on_memory", "Y\n");
	sr_file(root, "/sys/devices/system/memory/auto_online_blocks", "online\n");
	sr_file(root, "/sys/devices/platform/hmem.0/dax0.0/memmap_on_memory", "0\n");
	sr_link(root, "/sys/devices/platform/hmem.0/dax0.0/driver",
		"../../../../bus/dax/drivers/kmem");
	sr_file(root, "/sys/devices/system/node/node1/meminfo",
		"Node 1 MemTotal:        1048576 kB\nNode 1 MemFree:          997376 kB\n"
		"Node 1 MemUsed:           51200 kB\n");
	for (i = 32; i < 40; i++) {
		snprintf(p, sizeof(p), "/sys/devices/system/memory/memory%d/state", i);
		sr_file(root, p, "online\n");
		snprintf(p, sizeof(p), "/sys/devices/system/memory/memory%d/valid_zones", i);
		sr_file(root, p, "%s\n", zone);
		snprintf(p, sizeof(p), "/sys/devices/system/memory/memory%d/removable", i);
		sr_file(root, p, "1\n");
		snprintf(p, sizeof(p), "/sys/devices/system/memory/memory%d/node1", i);
		sr_link(root, p, "../../node/node1");
	}
	return root;
}

static struct mhp_plan *plan_dax0(struct mhp_ctx *ctx)
{
	struct mhp_plan *plan;

	if (mhp_plan_dax_dev(ctx, mhp_dax_dev_get_by_name(ctx, "dax0.0"), NULL, &plan) < 0)
		fail_msg("plan dax0.0: %s", mhp_get_last_error(ctx));
	return plan;
}

static void test_current_kernel_onlined(void **state)
{
	char *root = kernel_onlined_tree("Normal");
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_plan *plan = plan_dax0(ctx), *back;
	unsigned int i, n;
	char *json;

	assert_true(mhp_plan_has_current(plan));
	assert_int_equal(mhp_plan_get_current_driver(plan), MHP_DAX_DRIVER_KMEM);
	assert_int_equal(mhp_plan_get_current_knob(plan), 0);
	assert_int_equal(mhp_plan_get_current_online_blocks(plan, MHP_ZONE_NORMAL), 8);
	assert_int_equal(mhp_plan_get_current_online_blocks(plan, MHP_ZONE_MOVABLE), 0);
	assert_int_equal(mhp_plan_get_current_offline_blocks(plan), 0);
	/* 1048576 kB MemTotal = 8 whole 128 MiB blocks: the memmap is in DRAM */
	assert_int_equal(mhp_plan_get_current_memmap_on_device(plan), 0);
	assert_non_null(strstr(mhp_plan_get_current_memmap_evidence(plan), "equals"));
	/* the plan (6.8 rules from dax0.0's attribute): movable, memmap on the device */
	assert_true(mhp_plan_memmap_on_device(plan));
	assert_int_equal(mhp_plan_get_normal_bytes(plan), 0);
	assert_true(mhp_plan_needs_convert(plan));
	assert_int_equal(mhp_plan_get_convert_normal_bytes(plan), 1 * GiB);
	assert_int_equal(mhp_plan_get_convert_migrate_bytes(plan), 51200 * 1024ULL);
	/* offline, unbind, knob 0 -> 1, rebind, online */
	n = mhp_plan_get_num_convert_steps(plan);
	assert_int_equal(n, 5);
	assert_non_null(strstr(mhp_plan_get_convert_step(plan, 0), "EBUSY"));
	assert_non_null(strstr(mhp_plan_get_convert_step(plan, 1), "unbind dax0.0"));
	assert_non_null(strstr(mhp_plan_get_convert_step(plan, 2), "memmap_on_memory to 1"));
	for (i = 0; i < n; i++)
		assert_non_null(mhp_plan_get_convert_step(plan, i));
	assert_null(mhp_plan_get_convert_step(plan, n));

	/* the JSON carries it; a plan read back has no current state, and is valid */
	assert_int_equal(mhp_plan_to_json(plan, 0, &json), 0);
	assert_non_null(strstr(json, "\"current\""));
	assert_non_null(strstr(json, "\"migrate_bytes_estimate\":52428800"));
	assert_int_equal(mhp_plan_from_json(ctx, json, &back), 0);
	assert_false(mhp_plan_has_current(back));
	assert_false(mhp_plan_needs_convert(back));
	free(json);
	mhp_plan_unref(back);
	mhp_plan_unref(plan);
	mhp_unref(ctx);
	sr_free(root);
}

static void test_current_as_planned(void **state)
{
	char *root = kernel_onlined_tree("Movable");
	struct mhp_ctx *ctx;
	struct mhp_plan *plan;

	/* movable with memmap on the device: MemTotal less than the blocks */
	sr_file(root, "/sys/devices/platform/hmem.0/dax0.0/memmap_on_memory", "1\n");
	sr_file(root, "/sys/devices/system/node/node1/meminfo",
		"Node 1 MemTotal:        1032192 kB\nNode 1 MemUsed:   0 kB\n");
	ctx = ctx_at(root);
	plan = plan_dax0(ctx);
	assert_int_equal(mhp_plan_get_current_online_blocks(plan, MHP_ZONE_MOVABLE), 8);
	assert_int_equal(mhp_plan_get_current_memmap_on_device(plan), 1);
	assert_false(mhp_plan_needs_convert(plan));
	assert_int_equal(mhp_plan_get_num_convert_steps(plan), 0);
	mhp_plan_unref(plan);
	mhp_unref(ctx);

	/* on device_dax nothing is online: the ordinary apply, no conversion */
	sr_link(root, "/sys/devices/platform/hmem.0/dax0.0/driver",
		"../../../../bus/dax/drivers/device_dax");
	sr_rm(root, "/sys/devices/system/node/node1/meminfo");
	ctx = ctx_at(root);
	plan = plan_dax0(ctx);
	assert_int_equal(mhp_plan_get_current_driver(plan), MHP_DAX_DRIVER_DEVICE_DAX);
	assert_false(mhp_plan_needs_convert(plan));
	mhp_plan_unref(plan);
	mhp_unref(ctx);
	sr_free(root);
}

static void test_plan_text_getters(void **state)
{
	char *root = kernel_onlined_tree("Normal");
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_plan *plan = plan_dax0(ctx);
	unsigned int i;
	bool auto_online = false;

	assert_true(mhp_plan_get_num_zone_notes(plan) > 0);
	assert_null(mhp_plan_get_zone_note(plan, mhp_plan_get_num_zone_notes(plan)));
	assert_null(mhp_plan_get_warning(plan, mhp_plan_get_num_warnings(plan)));
	for (i = 0; i < mhp_plan_get_num_advice(plan); i++) {
		assert_non_null(mhp_plan_get_advice_text(plan, i));
		if (!strcmp(mhp_plan_get_advice_kind(plan, i), "auto_online"))
			auto_online = !strcmp(mhp_plan_get_advice_action(plan, i),
					      "memhp_default_state=offline");
	}
	assert_true(auto_online);
	assert_null(mhp_plan_get_advice_kind(plan, i));
	mhp_plan_unref(plan);
	mhp_unref(ctx);
	sr_free(root);
}

/* ---- partial trees ---- */

static bool has_unknown(const struct mhp_platform *p, const char *fact, const char *why)
{
	unsigned int i;

	for (i = 0; i < mhp_platform_get_num_unknown(p); i++)
		if (!strcmp(mhp_platform_get_unknown_fact(p, i), fact) &&
		    strstr(mhp_platform_get_unknown_reason(p, i), why))
			return true;
	return false;
}

/* Only sys/devices/system/memory, as util-linux's lsmem test dumps hold. */
static void test_partial_tree_lists_blocks(void **state)
{
	char *root = sr_new(), path[128];
	struct mhp_ctx *ctx;
	struct mhp_platform *p;
	struct mhp_block *b;
	int i, n = 0;

	sr_file(root, "/sys/devices/system/memory/block_size_bytes", "8000000\n");
	for (i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%d/state", i);
		sr_file(root, path, i < 4 ? "online\n" : "offline\n");
		snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%d/valid_zones", i);
		sr_file(root, path, i < 2 ? "Normal\n" : i < 4 ? "Movable\n" : "Normal Movable\n");
		snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%d/node%d", i,
			 i < 4 ? 0 : 1);
		sr_link(root, path, i < 4 ? "../../node/node0" : "../../node/node1");
	}
	unsetenv("MHP_ARCH");
	ctx = ctx_at(root);
	p = platform_at(ctx);
	assert_null(mhp_platform_get_arch(p));
	assert_null(mhp_platform_get_kernel_release(p));
	assert_true(has_unknown(p, "arch", "MHP_ARCH"));
	assert_true(has_unknown(p, "arch", "mhp-capture-sysfs"));
	assert_true(has_unknown(p, "kernel_release", "osrelease"));
	assert_true(has_unknown(p, "online_kernel_bytes", "zoneinfo"));
	assert_int_equal(mhp_platform_get_block_size(p), 128 * MiB);
	mhp_platform_unref(p);
	mhp_block_foreach(ctx, b) {
		uint64_t idx = mhp_block_get_index(b);

		assert_int_equal(mhp_block_get_state(b),
				 idx < 4 ? MHP_BLOCK_ONLINE : MHP_BLOCK_OFFLINE);
		assert_int_equal(mhp_block_get_node(b), idx < 4 ? 0 : 1);
		if (idx >= 2 && idx < 4)
			assert_int_equal(mhp_block_get_zone(b), MHP_ZONE_MOVABLE);
		n++;
	}
	assert_int_equal(n, 6);
	mhp_unref(ctx);
	sr_free(root);
}

/* plan refuses without the arch, and says what is missing and how to supply it */
static void test_partial_tree_plan_refuses(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx;
	struct mhp_plan *plan = NULL;

	sr_rm(root, "/proc/sys/kernel/arch");
	unsetenv("MHP_ARCH");
	ctx = ctx_at(root);
	assert_int_equal(mhp_plan_dax_dev(ctx, mhp_dax_dev_get_by_name(ctx, "dax0.0"),
					  NULL, &plan), -ENODATA);
	assert_null(plan);
	assert_non_null(strstr(mhp_get_last_error(ctx), "arch: no proc/sys/kernel/arch"));
	assert_non_null(strstr(mhp_get_last_error(ctx), "MHP_ARCH"));
	mhp_unref(ctx);

	setenv("MHP_ARCH", "x86_64", 1);
	ctx = ctx_at(root);
	plan = plan_dax0(ctx);
	assert_int_equal(mhp_plan_get_num_blocks(plan), 8);
	mhp_plan_unref(plan);
	mhp_unref(ctx);
	unsetenv("MHP_ARCH");
	sr_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backport_with_dax_attr_gets_68),
		cmocka_unit_test(test_backport_without_dax_attr_gets_61),
		cmocka_unit_test(test_rules_sources),
		cmocka_unit_test(test_kernel_onlining_table),
		cmocka_unit_test(test_kernel_onlining_live),
		cmocka_unit_test(test_agents_redhat_guarded_rule),
		cmocka_unit_test(test_agents_daxctl),
		cmocka_unit_test(test_current_kernel_onlined),
		cmocka_unit_test(test_current_as_planned),
		cmocka_unit_test(test_plan_text_getters),
		cmocka_unit_test(test_partial_tree_lists_blocks),
		cmocka_unit_test(test_partial_tree_plan_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
