// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The list and status documents (schema in libmhp.h), built here so that
 * a program linking libmhp gets exactly what `cxlmem list` and `cxlmem
 * status` print.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "private.h"

/* What every builder needs: the context and how to write sizes. */
struct doc {
	struct mhp_ctx *ctx;
	bool human;
};

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *int_or_null(int v)
{
	return v < 0 ? NULL : json_object_new_int(v);
}

static struct json_object *count(uint64_t n)
{
	return json_object_new_int64((int64_t)n);
}

/* A byte count: an integer, or "1.00 GiB" text for people. */
static struct json_object *size_json(const struct doc *doc, uint64_t bytes)
{
	char buf[64];

	if (!doc->human)
		return json_object_new_int64((int64_t)bytes);
	return json_object_new_string(mhp_format_size(bytes, buf, sizeof(buf)));
}

/* An address: an integer, or "0x..." text for people; null when unknown. */
static struct json_object *addr_json(const struct doc *doc, uint64_t addr)
{
	char buf[32];

	if (addr == UINT64_MAX)
		return NULL;
	if (!doc->human)
		return json_object_new_int64((int64_t)addr);
	snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)addr);
	return json_object_new_string(buf);
}

/* Serialise @root into a malloc'ed string and drop the reference. */
static int finish(struct mhp_ctx *ctx, struct json_object *root, char **json)
{
	const char *s = json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE);

	*json = s ? strdup(s) : NULL;
	json_object_put(root);
	if (!*json)
		return mhp_fail(ctx, -ENOMEM, "cannot build the JSON document: out of memory");
	return 0;
}

/* ---- tallies and block ranges ---- */

struct block_counts {
	uint64_t present, online, offline, movable, normal;
};

static void block_count(struct block_counts *c, const struct mhp_block *b)
{
	c->present++;
	if (mhp_block_get_state(b) != MHP_BLOCK_ONLINE) {
		c->offline++;
		return;
	}
	c->online++;
	if (mhp_block_get_zone(b) == MHP_ZONE_MOVABLE)
		c->movable++;
	else
		c->normal++;
}

/*
 * The whole memory blocks of @d: [*first, *end). kmem adds only whole
 * blocks, so a partial block at either end is not the device's.
 * -ENXIO when the range is unknown (resource is readable by root only).
 */
static int dax_block_range(struct mhp_ctx *ctx, const struct mhp_dax_dev *d,
			   uint64_t *first, uint64_t *end, uint64_t *block_size)
{
	uint64_t res = mhp_dax_dev_get_resource(d);
	uint64_t bs;

	if (res == UINT64_MAX || mhp_memory_block_size(ctx, &bs) < 0)
		return -ENXIO;
	*block_size = bs;
	return mhp_dax_dev_block_range(d, bs, first, end);
}

/* ---- list ---- */

/* Where each capability of the rule set was learnt: ABI, release or model. */
static struct json_object *capability_evidence_json(struct mhp_platform *p)
{
	struct json_object *o = json_object_new_object(), *c;
	unsigned int cap;

	for (cap = 0; cap < MHP_CAP_COUNT; cap++) {
		c = json_object_new_object();
		add(c, "value", json_object_new_boolean(mhp_platform_has_capability(p, cap)));
		add(c, "source", json_object_new_string(mhp_evidence_name(
			mhp_platform_get_capability_source(p, cap))));
		add(c, "evidence", str_or_null(mhp_platform_get_capability_evidence(p, cap)));
		add(o, mhp_capability_name(cap), c);
	}
	return o;
}

/* Facts a partial tree does not show, with why: {"arch": "no proc/..."}. */
static struct json_object *unknown_json(struct mhp_platform *p)
{
	struct json_object *o = json_object_new_object();
	unsigned int i;

	for (i = 0; i < mhp_platform_get_num_unknown(p); i++)
		add(o, mhp_platform_get_unknown_fact(p, i),
		    json_object_new_string(mhp_platform_get_unknown_reason(p, i)));
	return o;
}

static struct json_object *agents_json(const struct mhp_platform *p, unsigned int n,
				       const char *(*get)(const struct mhp_platform *,
							  unsigned int))
{
	struct json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(get(p, i)));
	return a;
}

/* The kernel's own onlining, and the agents that online memory. */
static struct json_object *kernel_onlining_json(struct mhp_platform *p)
{
	struct json_object *o = json_object_new_object();
	enum mhp_zone zone = mhp_platform_get_auto_online_zone(p);

	add(o, "onlines_by_itself", json_object_new_boolean(mhp_platform_kernel_onlines(p)));
	add(o, "zone_on_cpuless_node", zone == MHP_ZONE_NONE ? NULL :
	    json_object_new_string(mhp_zone_name(zone)));
	add(o, "why", str_or_null(mhp_platform_get_auto_online_reason(p)));
	add(o, "online_agents", agents_json(p, mhp_platform_get_num_online_agents(p),
					    mhp_platform_get_online_agent));
	add(o, "inert_agents", agents_json(p, mhp_platform_get_num_inert_agents(p),
					   mhp_platform_get_inert_agent));
	return o;
}

static struct json_object *platform_json(const struct doc *doc, struct mhp_platform *p)
{
	struct json_object *o = json_object_new_object();

	add(o, "arch", str_or_null(mhp_platform_get_arch(p)));
	add(o, "kernel_release", str_or_null(mhp_platform_get_kernel_release(p)));
	add(o, "unknown", unknown_json(p));
	add(o, "rules", json_object_new_string(mhp_platform_get_rules(p)));
	add(o, "rules_source", json_object_new_string(
		mhp_evidence_name(mhp_platform_get_rules_source(p))));
	add(o, "capability_evidence", capability_evidence_json(p));
	add(o, "page_size", size_json(doc, mhp_platform_get_page_size(p)));
	add(o, "memory_block_size", size_json(doc, mhp_platform_get_block_size(p)));
	add(o, "pageblock_size", size_json(doc, mhp_platform_get_pageblock_size(p)));
	add(o, "pmd_size", size_json(doc, mhp_platform_get_pmd_size(p)));
	add(o, "struct_page_size", count(mhp_platform_get_struct_page_size(p)));
	add(o, "memmap_on_memory", json_object_new_string(
		mhp_memmap_mode_name(mhp_platform_get_memmap_mode(p))));
	add(o, "memmap_on_memory_force_supported",
	    json_object_new_boolean(mhp_platform_has_memmap_force(p)));
	add(o, "dax_memmap_on_memory_knob",
	    json_object_new_boolean(mhp_platform_has_dax_memmap_knob(p)));
	add(o, "memmap_split_per_block",
	    json_object_new_boolean(mhp_platform_splits_multi_block(p)));
	add(o, "memory_block_size_param",
	    json_object_new_boolean(mhp_platform_has_block_size_param(p)));
	add(o, "auto_online_blocks", str_or_null(mhp_platform_get_auto_online_blocks(p)));
	add(o, "online_policy", str_or_null(mhp_platform_get_online_policy(p)));
	add(o, "kernel_onlining", kernel_onlining_json(p));
	add(o, "auto_movable_ratio", int_or_null(mhp_platform_get_auto_movable_ratio(p)));
	if (mhp_platform_get_auto_movable_numa_aware(p) < 0)
		add(o, "auto_movable_numa_aware", NULL);
	else
		add(o, "auto_movable_numa_aware", json_object_new_boolean(
			mhp_platform_get_auto_movable_numa_aware(p)));
	add(o, "kmem", json_object_new_string(
		mhp_kmem_state_name(mhp_platform_get_kmem_state(p))));
	add(o, "online_kernel_bytes", size_json(doc, mhp_platform_get_kernel_bytes(p)));
	add(o, "online_movable_bytes", size_json(doc, mhp_platform_get_movable_bytes(p)));
	return o;
}

/* The kernel's memmap counters (6.1 series), or NULL on other kernels. */
static struct json_object *memmap_pages_json(const struct mhp_node *n)
{
	static const struct {
		const char *key;
		enum mhp_memmap_counter which;
	} counters[] = {
		{ "boot", MHP_MEMMAP_BOOT },
		{ "hotplug", MHP_MEMMAP_HOTPLUG },
		{ "on_memory", MHP_MEMMAP_ON_MEMORY },
		{ "on_memory_padding", MHP_MEMMAP_ON_MEMORY_PADDING },
	};
	uint64_t val[MHP_MEMMAP_ON_MEMORY_PADDING + 1], hotplug, on_memory;
	struct json_object *o;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(counters); i++)
		if (mhp_node_get_memmap_pages(n, counters[i].which,
					      &val[counters[i].which]) < 0)
			return NULL;
	o = json_object_new_object();
	for (i = 0; i < ARRAY_SIZE(counters); i++)
		add(o, counters[i].key, json_object_new_uint64(val[counters[i].which]));
	/* what the node's hot-added memory costs in other memory */
	hotplug = val[MHP_MEMMAP_HOTPLUG];
	on_memory = val[MHP_MEMMAP_ON_MEMORY];
	add(o, "hotplug_elsewhere",
	    json_object_new_uint64(hotplug > on_memory ? hotplug - on_memory : 0));
	return o;
}

static struct json_object *node_json(const struct doc *doc, const struct mhp_node *n)
{
	struct json_object *o = json_object_new_object(), *memmap;

	add(o, "node", json_object_new_int(mhp_node_get_id(n)));
	add(o, "online", json_object_new_boolean(mhp_node_is_online(n)));
	add(o, "has_cpus", json_object_new_boolean(mhp_node_has_cpus(n)));
	add(o, "has_memory", json_object_new_boolean(mhp_node_has_memory(n)));
	add(o, "mem_total", size_json(doc, mhp_node_get_mem_total(n)));
	add(o, "kernel_zone_bytes", size_json(doc, mhp_node_get_zone_bytes(n, MHP_ZONE_NORMAL)));
	add(o, "movable_zone_bytes",
	    size_json(doc, mhp_node_get_zone_bytes(n, MHP_ZONE_MOVABLE)));
	add(o, "memory_tier", int_or_null(mhp_node_get_memory_tier(n)));
	memmap = memmap_pages_json(n);
	if (memmap)
		add(o, "memmap_pages", memmap);
	return o;
}

static struct json_object *cxl_memdev_json(const struct doc *doc,
					   const struct mhp_cxl_memdev *m)
{
	struct json_object *o = json_object_new_object();

	add(o, "memdev", json_object_new_string(mhp_cxl_memdev_get_name(m)));
	add(o, "ram_size", size_json(doc, mhp_cxl_memdev_get_ram_size(m)));
	add(o, "pmem_size", size_json(doc, mhp_cxl_memdev_get_pmem_size(m)));
	add(o, "serial", str_or_null(mhp_cxl_memdev_get_serial(m)));
	add(o, "numa_node", int_or_null(mhp_cxl_memdev_get_numa_node(m)));
	return o;
}

static struct json_object *cxl_region_json(const struct doc *doc,
					   const struct mhp_cxl_region *r)
{
	struct json_object *o = json_object_new_object(), *t = json_object_new_array();
	struct mhp_dax_dev *d;
	unsigned int i;

	add(o, "region", json_object_new_string(mhp_cxl_region_get_name(r)));
	add(o, "mode", str_or_null(mhp_cxl_region_get_mode(r)));
	add(o, "resource", addr_json(doc, mhp_cxl_region_get_resource(r)));
	add(o, "size", size_json(doc, mhp_cxl_region_get_size(r)));
	add(o, "interleave_ways", json_object_new_int((int)mhp_cxl_region_get_interleave_ways(r)));
	add(o, "interleave_granularity",
	    json_object_new_int((int)mhp_cxl_region_get_interleave_granularity(r)));
	add(o, "decoder", str_or_null(mhp_cxl_region_get_decoder(r)));
	add(o, "dax_region", str_or_null(mhp_cxl_region_get_dax_region(r)));
	for (i = 0; i < mhp_cxl_region_get_num_targets(r); i++)
		json_object_array_add(t, json_object_new_string(mhp_cxl_region_get_target(r, i)));
	add(o, "targets", t);
	t = json_object_new_array();
	mhp_dax_dev_foreach(doc->ctx, d) {
		const char *cr = mhp_dax_dev_get_cxl_region(d);

		if (cr && strcmp(cr, mhp_cxl_region_get_name(r)) == 0)
			json_object_array_add(t, json_object_new_string(mhp_dax_dev_get_name(d)));
	}
	add(o, "dax_devices", t);
	return o;
}

/* Counts over the blocks of the device's range, looked up by index. */
static struct json_object *dax_blocks_json(const struct doc *doc, const struct mhp_dax_dev *d)
{
	struct block_counts c = { 0 };
	uint64_t first, end, idx, bs;
	struct json_object *o;

	if (dax_block_range(doc->ctx, d, &first, &end, &bs) < 0)
		return NULL;
	for (idx = first; idx < end; idx++) {
		struct mhp_block *b;

		if (mhp_block_get(doc->ctx, idx, &b) == 0)
			block_count(&c, b);
	}
	o = json_object_new_object();
	add(o, "first", count(first));
	add(o, "count", count(end - first));
	add(o, "present", count(c.present));
	add(o, "online", count(c.online));
	add(o, "offline", count(c.offline));
	add(o, "movable", count(c.movable));
	add(o, "normal", count(c.normal));
	return o;
}

static struct json_object *dax_dev_json(const struct doc *doc, const struct mhp_dax_dev *d)
{
	struct json_object *o = json_object_new_object();
	int knob = mhp_dax_dev_get_memmap_on_memory(d);

	add(o, "name", json_object_new_string(mhp_dax_dev_get_name(d)));
	add(o, "region", str_or_null(mhp_dax_dev_get_region(d)));
	add(o, "resource", addr_json(doc, mhp_dax_dev_get_resource(d)));
	add(o, "size", size_json(doc, mhp_dax_dev_get_size(d)));
	add(o, "align", size_json(doc, mhp_dax_dev_get_align(d)));
	add(o, "target_node", int_or_null(mhp_dax_dev_get_target_node(d)));
	add(o, "driver", json_object_new_string(mhp_dax_driver_name(mhp_dax_dev_get_driver(d))));
	add(o, "memmap_on_memory", knob < 0 ? NULL : json_object_new_boolean(knob));
	add(o, "provenance", json_object_new_string(
		mhp_provenance_name(mhp_dax_dev_get_provenance(d))));
	add(o, "provenance_chain", json_object_new_string(mhp_dax_dev_get_provenance_chain(d)));
	add(o, "cxl_region", str_or_null(mhp_dax_dev_get_cxl_region(d)));
	add(o, "persistent", json_object_new_boolean(mhp_dax_dev_is_persistent(d)));
	add(o, "blocks", dax_blocks_json(doc, d));
	return o;
}

static struct json_object *block_json(const struct doc *doc, const struct mhp_block *b)
{
	struct json_object *o = json_object_new_object();

	add(o, "block", count(mhp_block_get_index(b)));
	add(o, "phys_addr", addr_json(doc, mhp_block_get_phys_addr(b)));
	add(o, "state", json_object_new_string(mhp_block_state_name(mhp_block_get_state(b))));
	add(o, "zone", json_object_new_string(mhp_zone_name(mhp_block_get_zone(b))));
	add(o, "valid_zones", str_or_null(mhp_block_get_valid_zones(b)));
	add(o, "node", int_or_null(mhp_block_get_node(b)));
	add(o, "removable", json_object_new_boolean(mhp_block_is_removable(b)));
	return o;
}

/* Record that discovering @what failed, keeping the iterator's reason. */
static int discovery_error(struct mhp_ctx *ctx, const char *what)
{
	char why[256];

	snprintf(why, sizeof(why), "%s", mhp_get_last_error(ctx));
	return mhp_fail(ctx, -EIO, "cannot discover %s: %s", what, why);
}

/* An iteration that yielded nothing while recording an error failed. */
static int discovery_failed(struct mhp_ctx *ctx, struct json_object *arr, const char *what)
{
	if (json_object_array_length(arr) || !mhp_get_last_error(ctx)[0])
		return 0;
	return discovery_error(ctx, what);
}

/* The summary of every block; with @list, each block into it. NULL = failed. */
static struct json_object *block_summary(const struct doc *doc, struct json_object *list)
{
	struct block_counts c = { 0 };
	struct json_object *o;
	struct mhp_block *b;

	b = mhp_block_get_first(doc->ctx);
	if (!b && mhp_get_last_error(doc->ctx)[0])
		return NULL;
	for (; b; b = mhp_block_get_next(b)) {
		block_count(&c, b);
		if (list)
			json_object_array_add(list, block_json(doc, b));
	}
	o = json_object_new_object();
	add(o, "count", count(c.present));
	add(o, "online", count(c.online));
	add(o, "offline", count(c.offline));
	add(o, "online_movable", count(c.movable));
	add(o, "online_normal", count(c.normal));
	return o;
}

/* Each section of the list document: its key, how to fill it, its name. */
static int add_sections(const struct doc *doc, struct json_object *root)
{
	struct mhp_ctx *ctx = doc->ctx;
	struct mhp_node *n;
	struct mhp_cxl_memdev *m;
	struct mhp_cxl_region *r;
	struct mhp_dax_dev *d;
	struct json_object *arr;
	int rc;

	arr = json_object_new_array();
	add(root, "nodes", arr);
	mhp_node_foreach(ctx, n)
		json_object_array_add(arr, node_json(doc, n));
	rc = discovery_failed(ctx, arr, "NUMA nodes");
	if (rc < 0)
		return rc;

	arr = json_object_new_array();
	add(root, "cxl_memdevs", arr);
	mhp_cxl_memdev_foreach(ctx, m)
		json_object_array_add(arr, cxl_memdev_json(doc, m));
	rc = discovery_failed(ctx, arr, "CXL memory devices");
	if (rc < 0)
		return rc;

	arr = json_object_new_array();
	add(root, "cxl_regions", arr);
	mhp_cxl_region_foreach(ctx, r)
		json_object_array_add(arr, cxl_region_json(doc, r));
	rc = discovery_failed(ctx, arr, "CXL regions");
	if (rc < 0)
		return rc;

	arr = json_object_new_array();
	add(root, "dax_devices", arr);
	mhp_dax_dev_foreach(ctx, d)
		json_object_array_add(arr, dax_dev_json(doc, d));
	return discovery_failed(ctx, arr, "DAX devices");
}

MHP_EXPORT int mhp_list_to_json(struct mhp_ctx *ctx, unsigned int flags, char **json)
{
	struct doc doc = { .ctx = ctx, .human = flags & MHP_JSON_HUMAN };
	struct json_object *root, *list = NULL, *summary;
	struct mhp_platform *p;
	int rc;

	*json = NULL;
	rc = mhp_get_platform(ctx, &p);
	if (rc < 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", mhp_get_last_error(ctx));
		return mhp_fail(ctx, rc, "cannot probe the platform: %s", why);
	}
	root = json_object_new_object();
	add(root, "schema_version", json_object_new_int(MHP_LIST_SCHEMA_VERSION));
	add(root, "platform", platform_json(&doc, p));
	mhp_platform_unref(p);
	rc = add_sections(&doc, root);
	if (rc < 0)
		goto fail;
	if (flags & MHP_JSON_BLOCKS)
		list = json_object_new_array();
	summary = block_summary(&doc, list);
	if (!summary) {
		rc = discovery_error(ctx, "memory blocks");
		json_object_put(list);
		goto fail;
	}
	add(root, "memory_blocks", summary);
	if (list)
		add(root, "blocks", list);
	return finish(ctx, root, json);
fail:
	json_object_put(root);
	return rc < 0 ? rc : -EIO;
}

/* ---- status ---- */

/* One block that is not online in the zone the applied plan gave it. */
static struct json_object *drift_json(uint64_t idx, enum mhp_zone planned,
				      enum mhp_block_state state, enum mhp_zone zone)
{
	struct json_object *o = json_object_new_object();

	add(o, "block", count(idx));
	add(o, "planned", json_object_new_string(mhp_zone_name(planned)));
	add(o, "state", json_object_new_string(mhp_block_state_name(state)));
	add(o, "zone", json_object_new_string(mhp_zone_name(zone)));
	return o;
}

/* The zone @plan gives block @idx; *@i walks the plan's sorted blocks. */
static enum mhp_zone planned_zone(const struct mhp_plan *plan, uint64_t idx, uint64_t *i)
{
	uint64_t n;

	if (!plan)
		return MHP_ZONE_NONE;
	n = mhp_plan_get_num_blocks(plan);
	while (*i < n && mhp_plan_get_block_index(plan, *i) < idx)
		(*i)++;
	if (*i < n && mhp_plan_get_block_index(plan, *i) == idx)
		return mhp_plan_get_block_zone(plan, *i);
	return MHP_ZONE_NONE;
}

static struct json_object *device_status(const struct doc *doc, const struct mhp_dax_dev *d,
					 bool list_blocks, bool *drifted)
{
	struct json_object *o = json_object_new_object(), *blocks = NULL, *drift;
	enum mhp_dax_driver drv = mhp_dax_dev_get_driver(d);
	int knob = mhp_dax_dev_get_memmap_on_memory(d);
	const char *name = mhp_dax_dev_get_name(d);
	uint64_t bs, first, end, idx, i = 0;
	struct block_counts c = { 0 };
	struct mhp_plan *plan = NULL;
	bool plan_unreadable;
	const char *where;
	int rc;

	add(o, "schema_version", json_object_new_int(MHP_STATUS_SCHEMA_VERSION));
	add(o, "device", json_object_new_string(name));
	add(o, "driver", json_object_new_string(mhp_dax_driver_name(drv)));
	add(o, "memmap_on_memory", knob < 0 ? NULL : json_object_new_boolean(knob));
	if (dax_block_range(doc->ctx, d, &first, &end, &bs) < 0) {
		add(o, "error", json_object_new_string(
			"the physical range is readable by root only (sysfs resource is "
			"0400), so the blocks cannot be counted"));
		return o;
	}
	/*
	 * The live state needs no privilege; the applied plan lives in the
	 * root-only state directory. Not being able to read it is expected
	 * for a normal user: say so instead of failing or claiming no plan.
	 */
	rc = mhp_get_applied_plan(doc->ctx, name, &plan);
	plan_unreadable = rc == -EACCES || rc == -EPERM;
	if (rc < 0)
		plan = NULL;
	drift = json_object_new_array();
	if (list_blocks)
		blocks = json_object_new_array();
	for (idx = first; idx < end; idx++) {
		enum mhp_zone planned = planned_zone(plan, idx, &i), zone = MHP_ZONE_NONE;
		enum mhp_block_state state = MHP_BLOCK_UNKNOWN;
		struct json_object *b;
		struct mhp_block *blk;

		if (mhp_block_get(doc->ctx, idx, &blk) == 0) {
			block_count(&c, blk);
			state = mhp_block_get_state(blk);
			zone = mhp_block_get_zone(blk);
		}
		if (drv == MHP_DAX_DRIVER_KMEM && planned != MHP_ZONE_NONE &&
		    (state != MHP_BLOCK_ONLINE || zone != planned))
			json_object_array_add(drift, drift_json(idx, planned, state, zone));
		if (!blocks)
			continue;
		b = json_object_new_object();
		add(b, "block", count(idx));
		add(b, "state", json_object_new_string(
			state == MHP_BLOCK_UNKNOWN ? "absent" : mhp_block_state_name(state)));
		add(b, "zone", json_object_new_string(mhp_zone_name(zone)));
		if (plan)
			add(b, "planned_zone", json_object_new_string(mhp_zone_name(planned)));
		json_object_array_add(blocks, b);
	}
	/* the knob decides where kmem put the memmap; 6.1 stock: always DRAM */
	if (drv != MHP_DAX_DRIVER_KMEM || !c.online)
		where = "none";
	else
		where = knob == 1 ? "device" : "dram";
	add(o, "memmap_location", json_object_new_string(where));
	add(o, "blocks_present", count(c.present));
	add(o, "blocks_online", count(c.online));
	add(o, "online_bytes", size_json(doc, c.online * bs));
	add(o, "movable_bytes", size_json(doc, c.movable * bs));
	add(o, "normal_bytes", size_json(doc, c.normal * bs));
	if (plan_unreadable) {
		add(o, "applied_plan", NULL);
		add(o, "note", json_object_new_string(
			"comparing with the applied plan needs root: the state directory "
			"is readable by root only"));
		json_object_put(drift);
		drift = NULL;
	} else {
		add(o, "applied_plan", json_object_new_boolean(plan != NULL));
	}
	if (plan)
		add(o, "planned_usable_bytes", size_json(doc, mhp_plan_get_usable_bytes(plan)));
	*drifted = drift && json_object_array_length(drift) > 0;
	add(o, "drift", drift);
	if (blocks)
		add(o, "blocks", blocks);
	mhp_plan_unref(plan);
	return o;
}

MHP_EXPORT int mhp_status_to_json(struct mhp_ctx *ctx, const char *target,
				  unsigned int flags, char **json)
{
	struct doc doc = { .ctx = ctx, .human = flags & MHP_JSON_HUMAN };
	struct mhp_dax_dev **devs;
	struct json_object *out;
	int rc, drifted = 0;
	size_t i, n;

	*json = NULL;
	rc = mhp_resolve_target(ctx, target, &devs, &n);
	if (rc < 0)
		return rc;
	/* "all" on a machine without dax devices is an empty array, not an error */
	out = json_object_new_array();
	for (i = 0; i < n; i++) {
		bool dev_drifted = false;

		json_object_array_add(out, device_status(&doc, devs[i], flags & MHP_JSON_BLOCKS,
							 &dev_drifted));
		drifted += dev_drifted;
	}
	free(devs);
	if (mhp_target_is_dax_dev(target)) {
		struct json_object *dev = json_object_get(json_object_array_get_idx(out, 0));

		json_object_put(out);
		out = dev;
	}
	rc = finish(ctx, out, json);
	return rc < 0 ? rc : drifted;
}
