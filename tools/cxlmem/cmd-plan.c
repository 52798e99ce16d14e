// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxlmem plan: what onlining a region or dax device as system RAM would
 * do (blocks, memmap placement, waste, zones, advice), or the same for a
 * hypothetical range on a model platform. Prints the plan JSON that
 * `cxlmem online-region --plan FILE` applies, or a summary with -u.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "builtin.h"
#include "private.h"

#define CMD		"cxlmem plan"
#define MODEL_START	(4 * SZ_1G)

struct plan_args {
	struct mhp_plan_opts opts;
	int blocks;		/* -1 default, 0 --no-blocks, 1 -B */
	const char *model;
	const char *size;
	const char *start;
};

static void plan_usage(FILE *out)
{
	fprintf(out,
		"usage: cxlmem [-u] plan TARGET [options]\n"
		"       cxlmem [-u] plan --model KEY=VAL[,KEY=VAL...] --size SIZE [--start ADDR] [options]\n"
		"\n"
		"Work out how TARGET would become system RAM: which memory blocks kmem adds,\n"
		"whether the memmap goes on the device (memmap_on_memory) or in DRAM, what is\n"
		"lost to block alignment and to the force reservation, the zone of each block,\n"
		"and advice (kernel command line, dax knob, block size, hot-remove unit).\n"
		"Nothing is changed. TARGET is all, daxX.Y, /dev/daxX.Y, regionN (each dax\n"
		"device of CXL region N) or dax_regionN (each device daxN.* of dax region N).\n"
		"\n"
		"Output: one plan JSON object for one dax device, a JSON array for several;\n"
		"with -u a readable summary. Save a single device's plan and apply it with\n"
		"'cxlmem online-region --plan FILE' (you may edit the blocks' zones).\n"
		"\n"
		"  --zone movable|normal|auto  zone policy (default auto: the fewest\n"
		"                              ZONE_NORMAL blocks that keep MOVABLE:KERNEL\n"
		"                              within the ratio, judged system-wide)\n"
		"  --movable-ratio PCT         ratio for --zone auto (default: the kernel's\n"
		"                              auto_movable_ratio, else 301)\n"
		"  --memmap auto|on|off        auto: on the device where the kernel allows\n"
		"                              it; on: fail if it cannot; off: always DRAM\n"
		"  --waste-warn PCT            warn when waste exceeds PCT%% of the source\n"
		"                              (default 10)\n"
		"  -B, --blocks                include the per-block list (JSON of a dax\n"
		"                              device has it by default, as its plan is\n"
		"                              applied block by block; --model and -u\n"
		"                              show it only with -B)\n"
		"      --no-blocks             leave the block list out\n"
		"  --model SPEC                plan on a hypothetical platform; keys: arch\n"
		"                              (x86_64|arm64|ppc64|riscv64), page_size,\n"
		"                              block_size, pageblock_size, pmd_size,\n"
		"                              struct_page_size, memmap_mode (N|Y|force),\n"
		"                              mmu (radix|hash, ppc64), kernel (6.1|6.1-mhp|\n"
		"                              6.6|6.8|6.9 rule set, default 6.9),\n"
		"                              kernel_bytes, movable_bytes, movable_ratio,\n"
		"                              node, node_cpus (0|1), online_policy,\n"
		"                              auto_movable_numa_aware (0|1)\n"
		"  --size SIZE                 model: size of the range (e.g. 512G)\n"
		"  --start ADDR                model: start address (default 4 GiB rounded\n"
		"                              up to the block size)\n"
		"  -h, --help                  this text\n"
		"\n"
		"examples:\n"
		"  cxlmem plan region0 > plan.json\n"
		"  cxlmem -u plan dax0.0 --zone auto --movable-ratio 300\n"
		"  cxlmem -u plan --model arch=ppc64,memmap_mode=force --size 1G\n");
}

/* ---- option parsing ---- */

static int parse_choice(const char *opt, const char *s, const char *const *names,
			unsigned int n, unsigned int *out)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	fprintf(stderr, "%s: %s '%s' is not one of", CMD, opt, s);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", names[i]);
	fprintf(stderr, "\n");
	return -EINVAL;
}

/* Indexed by enum mhp_zone_policy / enum mhp_memmap_policy. */
static const char *const zone_policies[] = { "auto", "movable", "normal" };
static const char *const memmap_policies[] = { "auto", "on", "off" };

enum { OPT_ZONE = 256, OPT_RATIO, OPT_MEMMAP, OPT_WASTE, OPT_NO_BLOCKS,
       OPT_MODEL, OPT_SIZE, OPT_START };

static int parse_args(int argc, char **argv, struct plan_args *a)
{
	static const struct option longopts[] = {
		{ "zone", required_argument, NULL, OPT_ZONE },
		{ "movable-ratio", required_argument, NULL, OPT_RATIO },
		{ "memmap", required_argument, NULL, OPT_MEMMAP },
		{ "waste-warn", required_argument, NULL, OPT_WASTE },
		{ "blocks", no_argument, NULL, 'B' },
		{ "no-blocks", no_argument, NULL, OPT_NO_BLOCKS },
		{ "model", required_argument, NULL, OPT_MODEL },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "start", required_argument, NULL, OPT_START },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int v;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "Bh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ZONE:
			rc = parse_choice("--zone", optarg, zone_policies,
					  ARRAY_SIZE(zone_policies), &v);
			a->opts.zone = (enum mhp_zone_policy)v;
			break;
		case OPT_MEMMAP:
			rc = parse_choice("--memmap", optarg, memmap_policies,
					  ARRAY_SIZE(memmap_policies), &v);
			a->opts.memmap = (enum mhp_memmap_policy)v;
			break;
		case OPT_RATIO:
			rc = cxlmem_parse_u32(CMD, "--movable-ratio", optarg, 1,
					      CXLMEM_RATIO_MAX, &a->opts.movable_ratio);
			break;
		case OPT_WASTE:
			rc = cxlmem_parse_u32(CMD, "--waste-warn", optarg, 1, 100,
					      &a->opts.waste_warn_pct);
			break;
		case 'B':
			a->blocks = 1;
			break;
		case OPT_NO_BLOCKS:
			a->blocks = 0;
			break;
		case OPT_MODEL:
			a->model = optarg;
			break;
		case OPT_SIZE:
			a->size = optarg;
			break;
		case OPT_START:
			a->start = optarg;
			break;
		case 'h':
			plan_usage(stdout);
			return 1;
		default:
			plan_usage(stderr);
			return -EINVAL;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- output ---- */

static const char *fmt(uint64_t bytes, char *buf)
{
	return mhp_format_size(bytes, buf, 32);
}

static void print_texts(const struct mhp_plan *plan, const char *title,
			unsigned int (*num)(const struct mhp_plan *),
			const char *(*get)(const struct mhp_plan *, unsigned int))
{
	unsigned int i, n = num(plan);

	if (!n)
		return;
	printf("  %s:\n", title);
	for (i = 0; i < n; i++)
		printf("    - %s\n", get(plan, i));
}

static void print_advice(const struct mhp_plan *plan)
{
	unsigned int i, n = mhp_plan_get_num_advice(plan);

	if (!n)
		return;
	printf("  advice:\n");
	for (i = 0; i < n; i++) {
		const char *action = mhp_plan_get_advice_action(plan, i);

		printf("    - [%s] %s\n", mhp_plan_get_advice_kind(plan, i),
		       mhp_plan_get_advice_text(plan, i));
		if (action && action[0])
			printf("      action: %s\n", action);
	}
}

static void print_blocks(const struct mhp_plan *plan)
{
	uint64_t i, n = mhp_plan_get_num_blocks(plan);
	char b1[32];

	if (!n)
		return;
	printf("  blocks:\n    %-10s %-20s %-8s %7s %9s %s\n", "BLOCK", "ADDRESS",
	       "ZONE", "MEMMAP", "RESERVED", "USABLE");
	for (i = 0; i < n; i++)
		printf("    memory%-4" PRIu64 " %#-20" PRIx64 " %-8s %7u %9u %s\n",
		       mhp_plan_get_block_index(plan, i), mhp_plan_get_block_phys_addr(plan, i),
		       mhp_zone_name(mhp_plan_get_block_zone(plan, i)),
		       mhp_plan_get_block_memmap_pages(plan, i),
		       mhp_plan_get_block_reserved_pages(plan, i),
		       fmt(mhp_plan_get_block_usable_bytes(plan, i), b1));
}

/* Where the memmap goes, in words (as the plan JSON's node.memmap). */
static const char *memmap_where(const struct mhp_plan *plan, char *buf, size_t len)
{
	int dn = mhp_plan_get_memmap_dram_node(plan);

	if (!mhp_plan_get_num_blocks(plan))
		snprintf(buf, len, "none (no blocks)");
	else if (mhp_plan_memmap_on_device(plan))
		snprintf(buf, len, "node-local (on the device)");
	else if (dn < 0)
		snprintf(buf, len, "off-node (DRAM of another node)");
	else if (dn == mhp_plan_get_node(plan))
		snprintf(buf, len, "node-local (DRAM of node %d)", dn);
	else
		snprintf(buf, len, "off-node (DRAM of node %d)", dn);
	return buf;
}

/* A readable summary of @plan, made on platform @pf. */
static void print_human(const struct mhp_plan *plan, struct mhp_platform *pf)
{
	char b1[32], b2[32], b3[32], b4[32], node[16], where[64];
	const char *target = mhp_plan_get_target(plan);
	uint64_t start = mhp_plan_get_start(plan), size = mhp_plan_get_raw_bytes(plan);

	if (mhp_plan_get_node(plan) < 0)
		snprintf(node, sizeof(node), "unknown");
	else
		snprintf(node, sizeof(node), "%d", mhp_plan_get_node(plan));
	printf("%s (node %s, %s)\n", target ? target : "model range", node,
	       mhp_plan_node_has_cpus(plan) ? "with CPUs" : "no CPUs");
	printf("  platform      %s, rules %s, %s pages, %s blocks, %s pageblocks, "
	       "memmap_on_memory=%s\n", mhp_platform_get_arch(pf), mhp_platform_get_rules(pf),
	       fmt(mhp_platform_get_page_size(pf), b1), fmt(mhp_plan_get_block_size(plan), b2),
	       fmt(mhp_platform_get_pageblock_size(pf), b3),
	       mhp_memmap_mode_name(mhp_platform_get_memmap_mode(pf)));
	printf("  range         %#" PRIx64 "-%#" PRIx64 " (%s)\n", start,
	       start + size - 1, fmt(size, b1));
	printf("  usable        %s in %" PRIu64 " blocks\n",
	       fmt(mhp_plan_get_usable_bytes(plan), b1), mhp_plan_get_num_blocks(plan));
	printf("  memmap        %s, %s (%s)\n", fmt(mhp_plan_get_memmap_bytes(plan), b1),
	       mhp_plan_memmap_on_device(plan) ? "on the device" : "in DRAM",
	       memmap_where(plan, where, sizeof(where)));
	printf("  eligible      %s\n", mhp_plan_is_eligible_memmap_on_memory(plan) ?
	       "yes (memmap_on_memory)" : "no");
	printf("  DRAM cost     %s\n", fmt(mhp_plan_get_dram_overhead_bytes(plan), b1));
	printf("  waste         force %s, alignment %s (head %s, tail %s)\n",
	       fmt(mhp_plan_get_force_waste_bytes(plan), b1),
	       fmt(mhp_plan_get_alignment_waste_bytes(plan), b2),
	       fmt(mhp_plan_get_alignment_waste_head_bytes(plan), b3),
	       fmt(mhp_plan_get_alignment_waste_tail_bytes(plan), b4));
	printf("  zones         movable %s, normal %s\n",
	       fmt(mhp_plan_get_movable_bytes(plan), b1), fmt(mhp_plan_get_normal_bytes(plan), b2));
	print_texts(plan, "why the memmap is not on the device", mhp_plan_get_num_reasons,
		    mhp_plan_get_reason);
	print_texts(plan, "warnings", mhp_plan_get_num_warnings, mhp_plan_get_warning);
	print_texts(plan, "zones", mhp_plan_get_num_zone_notes, mhp_plan_get_zone_note);
	print_advice(plan);
}

/*
 * Print the plans: one JSON object, an array, or readable summaries made
 * from the plan's getters (-u). @pf is the platform they were made on.
 */
static int print_plans(struct mhp_plan **plans, size_t n, unsigned int flags,
		       struct mhp_platform *pf)
{
	json_object *arr;
	size_t i;
	char *s;

	if (cxlmem_opts.human) {
		for (i = 0; i < n; i++) {
			if (i)
				printf("\n");
			print_human(plans[i], pf);
			if (flags & MHP_JSON_BLOCKS)
				print_blocks(plans[i]);
		}
		return 0;
	}
	/* one plan document, or an array of them */
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		json_object *o;

		if (mhp_plan_to_json(plans[i], flags, &s) < 0 || !(o = json_tokener_parse(s))) {
			free(s);
			json_object_put(arr);
			goto nomem;
		}
		free(s);
		json_object_array_add(arr, o);
	}
	printf("%s\n", json_object_to_json_string_ext(n == 1 ?
		json_object_array_get_idx(arr, 0) : arr,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return 0;
nomem:
	fprintf(stderr, "%s: cannot serialise the plan (out of memory)\n", CMD);
	return -ENOMEM;
}

/* Plans of this machine's devices: made on its platform. */
static int print_live_plans(struct mhp_ctx *ctx, struct mhp_plan **plans, size_t n,
			    unsigned int flags)
{
	struct mhp_platform *pf = NULL;
	int rc;

	if (cxlmem_opts.human && mhp_get_platform(ctx, &pf) < 0) {
		fprintf(stderr, "%s: cannot probe the platform: %s\n", CMD,
			mhp_get_last_error(ctx));
		return -EIO;
	}
	rc = print_plans(plans, n, flags, pf);
	mhp_platform_unref(pf);
	return rc;
}

/* ---- targets ---- */

static int plan_targets(struct mhp_ctx *ctx, const char *target,
			const struct plan_args *a)
{
	struct mhp_dax_dev **devs;
	struct mhp_plan **plans;
	size_t i, n, nplans = 0;
	int failed = 0;

	if (cxlmem_resolve(ctx, CMD, target, &devs, &n) < 0)
		return 1;
	if (!n) {
		/* "all" of nothing: an empty result, as status gives */
		fprintf(stderr, "%s: there are no dax devices, nothing to plan (if there "
			"should be, check that device_dax, dax_hmem and dax_cxl are "
			"loaded)\n", CMD);
		if (!cxlmem_opts.human)
			printf("[]\n");
		free(devs);
		return 0;
	}
	plans = calloc(n, sizeof(*plans));
	if (!plans) {
		fprintf(stderr, "%s: out of memory\n", CMD);
		free(devs);
		return 1;
	}
	for (i = 0; i < n; i++) {
		const char *name = mhp_dax_dev_get_name(devs[i]);

		if (mhp_plan_dax_dev(ctx, devs[i], &a->opts, &plans[nplans]) < 0) {
			fprintf(stderr, "%s: cannot plan %s: %s\n", CMD, name,
				mhp_get_last_error(ctx));
			failed = 1;
			continue;
		}
		nplans++;
	}
	/* JSON: blocks unless --no-blocks (the file is applied block by block);
	 * -u: the block table only with -B */
	if (nplans && print_live_plans(ctx, plans, nplans,
				       (cxlmem_opts.human ? a->blocks > 0 : a->blocks != 0) ?
				       MHP_JSON_BLOCKS : 0) < 0)
		failed = 1;
	for (i = 0; i < nplans; i++)
		mhp_plan_unref(plans[i]);
	free(plans);
	free(devs);
	return failed;
}

static int plan_model(struct mhp_ctx *ctx, const struct plan_args *a)
{
	struct mhp_platform *p;
	struct mhp_plan *plan;
	uint64_t size, start;
	int rc;

	if (!a->size) {
		fprintf(stderr, "%s: --model needs --size SIZE (e.g. --size 512G)\n", CMD);
		return 1;
	}
	if (cxlmem_parse_size(CMD, "--size", a->size, false, &size) < 0)
		return 1;
	rc = mhp_platform_new_model(ctx, a->model, &p);
	if (rc < 0) {
		fprintf(stderr, "%s: bad --model '%s': %s\n", CMD, a->model,
			mhp_get_last_error(ctx));
		return 1;
	}
	start = ALIGN_UP(MODEL_START, mhp_platform_get_block_size(p));
	if (a->start && cxlmem_parse_size(CMD, "--start", a->start, true, &start) < 0) {
		mhp_platform_unref(p);
		return 1;
	}
	rc = mhp_plan_model(ctx, p, start, size, &a->opts, &plan);
	if (rc < 0) {
		fprintf(stderr, "%s: cannot plan the model range: %s\n", CMD,
			mhp_get_last_error(ctx));
		mhp_platform_unref(p);
		return 1;
	}
	rc = print_plans(&plan, 1, a->blocks > 0 ? MHP_JSON_BLOCKS : 0, p);
	mhp_plan_unref(plan);
	mhp_platform_unref(p);
	return rc < 0;
}

int cmd_plan(int argc, char **argv, struct mhp_ctx *ctx)
{
	struct plan_args a = { .opts = { .size = sizeof(a.opts) }, .blocks = -1 };
	int rc;

	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc > 0 ? 0 : 1;
	if (a.model) {
		if (optind < argc) {
			fprintf(stderr, "%s: --model plans a hypothetical range; drop the "
				"TARGET '%s'\n", CMD, argv[optind]);
			return 1;
		}
		return plan_model(ctx, &a);
	}
	if (a.size || a.start) {
		fprintf(stderr, "%s: --size and --start go with --model\n", CMD);
		return 1;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: give exactly one TARGET (all, daxX.Y, regionN or dax_regionN), "
			"or --model SPEC --size SIZE\n", CMD);
		plan_usage(stderr);
		return 1;
	}
	return plan_targets(ctx, argv[optind], &a);
}
