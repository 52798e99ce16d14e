// SPDX-License-Identifier: LGPL-2.1-or-later
/* Planner input from a discovered dax device (the planner itself is pure). */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "ctx.h"

/*
 * Where the kernel allocates a DRAM memmap for memory of @node, which has
 * @kernel_bytes of kernel-zone memory besides the device's own blocks:
 * those go away when the device is rebound, so they cannot host it.
 */
static int dram_node(struct mhp_ctx *ctx, int node, uint64_t kernel_bytes)
{
	struct mhp_node *n;

	if (node >= 0 && kernel_bytes)
		return node;
	/* a memory-less node falls back to the nearest node with memory */
	mhp_node_foreach(ctx, n)
		if (mhp_node_get_zone_bytes(n, MHP_ZONE_NORMAL) && mhp_node_has_cpus(n))
			return mhp_node_get_id(n);
	return -1;
}

/*
 * Memory of this device that is already online is part of the system
 * totals; leave it out so re-planning an online device is stable.
 */
static uint64_t minus(uint64_t total, uint64_t part)
{
	return total > part ? total - part : 0;
}

static void discount_own_blocks(struct mhp_ctx *ctx, struct mhp_platform_desc *d,
				struct mhp_plan_input *in, const struct mhp_dax_dev *dev)
{
	uint64_t idx, first, end;

	if (mhp_dax_dev_block_range(dev, d->block_size, &first, &end) < 0)
		return;

	for (idx = first; idx < end; idx++) {
		struct mhp_block *b;
		uint64_t *total;

		if (mhp_block_get(ctx, idx, &b) < 0 ||
		    mhp_block_get_state(b) != MHP_BLOCK_ONLINE)
			continue;
		total = mhp_block_get_zone(b) == MHP_ZONE_MOVABLE ? &d->movable_bytes :
								     &d->kernel_bytes;
		*total -= *total < d->block_size ? *total : d->block_size;
		in->node_mem_bytes = minus(in->node_mem_bytes, d->block_size);
		if (mhp_block_get_zone(b) == MHP_ZONE_MOVABLE)
			in->node_movable_bytes = minus(in->node_movable_bytes, d->block_size);
		else
			in->node_kernel_bytes = minus(in->node_kernel_bytes, d->block_size);
	}
}

/* MemUsed of @node in bytes from nodeN/meminfo, UINT64_MAX when unknown. */
uint64_t mhp_node_used_bytes(struct mhp_ctx *ctx, int node)
{
	char *text = node >= 0 ?
		mhp_read_file(ctx, "/sys/devices/system/node/node%d/meminfo", node) : NULL;
	unsigned long long kb;
	const char *s;
	uint64_t used = UINT64_MAX;

	s = text ? strstr(text, "MemUsed:") : NULL;
	if (s && sscanf(s, "MemUsed: %llu kB", &kb) == 1)
		used = (uint64_t)kb * 1024;
	free(text);
	return used;
}

/*
 * Where the memmap of the device's online blocks lives. The 6.1 series
 * counts it per node; otherwise node MemTotal tells, when the node holds
 * nothing but this device: it counts each block whole when its memmap is
 * in DRAM, and less the memmap when the memmap is on the device.
 */
static void current_memmap(struct mhp_ctx *ctx, const struct mhp_plan *plan,
			   struct mhp_plan_current *c)
{
	struct mhp_node *n = plan->input.node >= 0 ?
		mhp_node_get_by_id(ctx, plan->input.node) : NULL;
	uint64_t online = (c->online_blocks[MHP_ZONE_NORMAL] +
			   c->online_blocks[MHP_ZONE_MOVABLE]) * plan->platform.block_size;
	uint64_t on_memory, total;

	c->memmap_on_device = -1;
	if (!online || !n)
		return;
	if (mhp_node_get_memmap_pages(n, MHP_MEMMAP_ON_MEMORY, &on_memory) == 0) {
		c->memmap_on_device = on_memory ? 1 : 0;
		snprintf(c->memmap_evidence, sizeof(c->memmap_evidence),
			 "node%d/memmap nr_memmap_on_memory is %llu pages", plan->input.node,
			 (unsigned long long)on_memory);
		return;
	}
	total = mhp_node_get_mem_total(n);
	if (total > online) {
		snprintf(c->memmap_evidence, sizeof(c->memmap_evidence),
			 "node %d holds %llu bytes besides this device, so its MemTotal "
			 "cannot tell", plan->input.node,
			 (unsigned long long)(total - online));
		return;
	}
	c->memmap_on_device = total < online;
	snprintf(c->memmap_evidence, sizeof(c->memmap_evidence),
		 "node %d MemTotal %llu kB %s the %llu kB of online blocks",
		 plan->input.node, (unsigned long long)(total >> 10),
		 total < online ? "is less than" : "equals", (unsigned long long)(online >> 10));
}

/* Read the device as it is now into the plan, beside what it plans. */
static int plan_current(struct mhp_ctx *ctx, struct mhp_dax_dev *dev, struct mhp_plan *plan)
{
	struct mhp_plan_current c = { .known = true };
	uint64_t i;

	c.driver = mhp_dax_dev_get_driver(dev);
	c.knob = mhp_dax_dev_get_memmap_on_memory(dev);
	for (i = 0; i < plan->nr_blocks; i++) {
		struct mhp_block *b;
		enum mhp_zone z;

		if (mhp_block_get(ctx, plan->blocks[i].index, &b) < 0 ||
		    mhp_block_get_state(b) != MHP_BLOCK_ONLINE) {
			c.offline_blocks++;
			continue;
		}
		z = mhp_block_get_zone(b) == MHP_ZONE_MOVABLE ? MHP_ZONE_MOVABLE :
			MHP_ZONE_NORMAL;
		c.online_blocks[z]++;
	}
	current_memmap(ctx, plan, &c);
	c.used_bytes = mhp_node_used_bytes(ctx, plan->input.node);
	mhp_clear_error(ctx);
	return mhp_plan_set_current(plan, &c);
}

/*
 * The eligibility rules differ per architecture: refuse to plan without
 * it, naming every fact the tree lacks and how to supply each.
 */
static int require_arch(struct mhp_ctx *ctx, const struct mhp_platform *p)
{
	char text[700] = "";
	unsigned int i;

	if (mhp_platform_get_arch(p))
		return 0;
	for (i = 0; i < mhp_platform_get_num_unknown(p); i++) {
		size_t l = strlen(text);

		snprintf(text + l, sizeof(text) - l, "%s%s: %s", i ? "; " : "",
			 mhp_platform_get_unknown_fact(p, i),
			 mhp_platform_get_unknown_reason(p, i));
	}
	return mhp_fail(ctx, -ENODATA, "cannot plan on sysroot %s: the platform facts "
			"the rules depend on are missing (%s)", ctx->sysroot, text);
}

MHP_EXPORT int mhp_plan_dax_dev(struct mhp_ctx *ctx, struct mhp_dax_dev *dev,
				const struct mhp_plan_opts *opts, struct mhp_plan **plan)
{
	struct mhp_plan_input in = { 0 };
	struct mhp_platform_desc desc;
	struct mhp_platform *p;
	struct mhp_node *n;
	char region[16] = "";
	int rc, region_id;

	rc = mhp_get_platform(ctx, &p);
	if (rc < 0)
		return rc;
	rc = require_arch(ctx, p);
	desc = *mhp_platform_get_desc(p);
	mhp_platform_unref(p);
	if (rc < 0)
		return rc;

	in.target = mhp_dax_dev_get_name(dev);
	in.start = mhp_dax_dev_get_resource(dev);
	in.size = mhp_dax_dev_get_size(dev);
	if (in.start == UINT64_MAX)
		return mhp_fail(ctx, -EACCES,
				"the physical address of %s is unknown: %s/sys/bus/dax/devices/%s/resource is readable by root only; run as root",
				in.target, ctx->sysroot, in.target);
	in.node = mhp_dax_dev_get_target_node(dev);
	n = in.node >= 0 ? mhp_node_get_by_id(ctx, in.node) : NULL;
	in.node_has_cpus = n && mhp_node_has_cpus(n);
	in.node_mem_bytes = n ? mhp_node_get_mem_total(n) : 0;
	in.node_kernel_bytes = n ? mhp_node_get_zone_bytes(n, MHP_ZONE_NORMAL) : 0;
	in.node_movable_bytes = n ? mhp_node_get_zone_bytes(n, MHP_ZONE_MOVABLE) : 0;
	in.persistent = mhp_dax_dev_is_persistent(dev);
	in.dax_knob = mhp_dax_dev_get_memmap_on_memory(dev);
	/* daxctl names the region by the first number of daxN.M */
	if (sscanf(in.target, "dax%d.", &region_id) == 1)
		snprintf(region, sizeof(region), "%d", region_id);
	in.region = region[0] ? region : NULL;
	discount_own_blocks(ctx, &desc, &in, dev);
	in.dram_node = dram_node(ctx, in.node, in.node_kernel_bytes);
	mhp_clear_error(ctx);
	rc = mhp_plan_compute(ctx, &desc, &in, opts, plan);
	if (rc < 0)
		return rc;
	rc = plan_current(ctx, dev, *plan);
	if (rc < 0)
		*plan = mhp_plan_unref(*plan);
	return rc;
}
