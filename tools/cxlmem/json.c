// SPDX-License-Identifier: GPL-2.0-or-later
/* JSON for cxlmem's listings (the plan's JSON lives in libmhp). */
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "json.h"
#include "private.h"

struct json_object *json_size(uint64_t bytes)
{
	char buf[64];

	if (!cxlmem_opts.human)
		return json_object_new_int64((int64_t)bytes);
	return json_object_new_string(mhp_format_size(bytes, buf, sizeof(buf)));
}

struct json_object *json_addr(uint64_t addr)
{
	char buf[32];

	if (addr == UINT64_MAX)
		return NULL;
	if (!cxlmem_opts.human)
		return json_object_new_int64((int64_t)addr);
	snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)addr);
	return json_object_new_string(buf);
}

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

/* Where each capability of the rule set was learnt: ABI, release or model. */
static struct json_object *json_capability_evidence(struct mhp_platform *p)
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
static struct json_object *json_unknown(struct mhp_platform *p)
{
	struct json_object *o = json_object_new_object();
	unsigned int i;

	for (i = 0; i < mhp_platform_get_num_unknown(p); i++)
		add(o, mhp_platform_get_unknown_fact(p, i),
		    json_object_new_string(mhp_platform_get_unknown_reason(p, i)));
	return o;
}

/* The kernel's own onlining, and the agents that online memory. */
static struct json_object *json_kernel_onlining(struct mhp_platform *p)
{
	struct json_object *o = json_object_new_object(), *a;
	enum mhp_zone zone = mhp_platform_get_auto_online_zone(p);
	unsigned int i;

	add(o, "onlines_by_itself", json_object_new_boolean(mhp_platform_kernel_onlines(p)));
	add(o, "zone_on_cpuless_node", zone == MHP_ZONE_NONE ? NULL :
	    json_object_new_string(mhp_zone_name(zone)));
	add(o, "why", str_or_null(mhp_platform_get_auto_online_reason(p)));
	a = json_object_new_array();
	for (i = 0; i < mhp_platform_get_num_online_agents(p); i++)
		json_object_array_add(a, json_object_new_string(
			mhp_platform_get_online_agent(p, i)));
	add(o, "online_agents", a);
	a = json_object_new_array();
	for (i = 0; i < mhp_platform_get_num_inert_agents(p); i++)
		json_object_array_add(a, json_object_new_string(
			mhp_platform_get_inert_agent(p, i)));
	add(o, "inert_agents", a);
	return o;
}

struct json_object *json_platform(struct mhp_platform *p)
{
	struct json_object *o = json_object_new_object();

	add(o, "arch", str_or_null(mhp_platform_get_arch(p)));
	add(o, "kernel_release", str_or_null(mhp_platform_get_kernel_release(p)));
	add(o, "unknown", json_unknown(p));
	add(o, "rules", json_object_new_string(mhp_platform_get_rules(p)));
	add(o, "rules_source", json_object_new_string(
		mhp_evidence_name(mhp_platform_get_rules_source(p))));
	add(o, "capability_evidence", json_capability_evidence(p));
	add(o, "page_size", json_size(mhp_platform_get_page_size(p)));
	add(o, "memory_block_size", json_size(mhp_platform_get_block_size(p)));
	add(o, "pageblock_size", json_size(mhp_platform_get_pageblock_size(p)));
	add(o, "pmd_size", json_size(mhp_platform_get_pmd_size(p)));
	add(o, "struct_page_size", json_object_new_int64(
		(int64_t)mhp_platform_get_struct_page_size(p)));
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
	add(o, "kernel_onlining", json_kernel_onlining(p));
	add(o, "auto_movable_ratio", int_or_null(mhp_platform_get_auto_movable_ratio(p)));
	if (mhp_platform_get_auto_movable_numa_aware(p) < 0)
		add(o, "auto_movable_numa_aware", NULL);
	else
		add(o, "auto_movable_numa_aware", json_object_new_boolean(
			mhp_platform_get_auto_movable_numa_aware(p)));
	add(o, "kmem", json_object_new_string(
		mhp_kmem_state_name(mhp_platform_get_kmem_state(p))));
	add(o, "online_kernel_bytes", json_size(mhp_platform_get_kernel_bytes(p)));
	add(o, "online_movable_bytes", json_size(mhp_platform_get_movable_bytes(p)));
	return o;
}

/* The kernel's memmap counters (6.1 series), or NULL on other kernels. */
static struct json_object *json_memmap_pages(struct mhp_node *n)
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

struct json_object *json_node(struct mhp_node *n)
{
	struct json_object *o = json_object_new_object(), *memmap;

	add(o, "node", json_object_new_int(mhp_node_get_id(n)));
	add(o, "online", json_object_new_boolean(mhp_node_is_online(n)));
	add(o, "has_cpus", json_object_new_boolean(mhp_node_has_cpus(n)));
	add(o, "has_memory", json_object_new_boolean(mhp_node_has_memory(n)));
	add(o, "mem_total", json_size(mhp_node_get_mem_total(n)));
	add(o, "kernel_zone_bytes", json_size(mhp_node_get_zone_bytes(n, MHP_ZONE_NORMAL)));
	add(o, "movable_zone_bytes", json_size(mhp_node_get_zone_bytes(n, MHP_ZONE_MOVABLE)));
	add(o, "memory_tier", int_or_null(mhp_node_get_memory_tier(n)));
	memmap = json_memmap_pages(n);
	if (memmap)
		add(o, "memmap_pages", memmap);
	return o;
}

struct json_object *json_cxl_memdev(struct mhp_cxl_memdev *m)
{
	struct json_object *o = json_object_new_object();

	add(o, "memdev", json_object_new_string(mhp_cxl_memdev_get_name(m)));
	add(o, "ram_size", json_size(mhp_cxl_memdev_get_ram_size(m)));
	add(o, "pmem_size", json_size(mhp_cxl_memdev_get_pmem_size(m)));
	add(o, "serial", str_or_null(mhp_cxl_memdev_get_serial(m)));
	add(o, "numa_node", int_or_null(mhp_cxl_memdev_get_numa_node(m)));
	return o;
}

struct json_object *json_cxl_region(struct mhp_ctx *ctx, struct mhp_cxl_region *r)
{
	struct json_object *o = json_object_new_object(), *t = json_object_new_array();
	struct mhp_dax_dev *d;
	unsigned int i;

	add(o, "region", json_object_new_string(mhp_cxl_region_get_name(r)));
	add(o, "mode", str_or_null(mhp_cxl_region_get_mode(r)));
	add(o, "resource", json_addr(mhp_cxl_region_get_resource(r)));
	add(o, "size", json_size(mhp_cxl_region_get_size(r)));
	add(o, "interleave_ways", json_object_new_int((int)mhp_cxl_region_get_interleave_ways(r)));
	add(o, "interleave_granularity",
	    json_object_new_int((int)mhp_cxl_region_get_interleave_granularity(r)));
	add(o, "decoder", str_or_null(mhp_cxl_region_get_decoder(r)));
	add(o, "dax_region", str_or_null(mhp_cxl_region_get_dax_region(r)));
	for (i = 0; i < mhp_cxl_region_get_num_targets(r); i++)
		json_object_array_add(t, json_object_new_string(mhp_cxl_region_get_target(r, i)));
	add(o, "targets", t);
	t = json_object_new_array();
	mhp_dax_dev_foreach(ctx, d) {
		const char *cr = mhp_dax_dev_get_cxl_region(d);

		if (cr && strcmp(cr, mhp_cxl_region_get_name(r)) == 0)
			json_object_array_add(t, json_object_new_string(mhp_dax_dev_get_name(d)));
	}
	add(o, "dax_devices", t);
	return o;
}

void block_count(struct block_counts *c, struct mhp_block *b)
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

/* Counts over the blocks of the device's range, looked up by index. */
static struct json_object *dax_blocks(struct mhp_ctx *ctx, struct mhp_dax_dev *d)
{
	uint64_t res = mhp_dax_dev_get_resource(d), size = mhp_dax_dev_get_size(d);
	struct block_counts c = { 0 };
	uint64_t first, end, idx, bs;
	struct json_object *o;
	struct mhp_platform *p;

	if (res == UINT64_MAX || mhp_get_platform(ctx, &p) < 0)
		return NULL;
	bs = mhp_platform_get_block_size(p);
	mhp_platform_unref(p);
	first = (res + bs - 1) / bs;
	end = (res + size) / bs;
	for (idx = first; idx < end; idx++) {
		struct mhp_block *b;

		if (mhp_block_get(ctx, idx, &b) == 0)
			block_count(&c, b);
	}
	o = json_object_new_object();
	add(o, "first", json_object_new_int64((int64_t)first));
	add(o, "count", json_object_new_int64((int64_t)(end > first ? end - first : 0)));
	add(o, "present", json_object_new_int64((int64_t)c.present));
	add(o, "online", json_object_new_int64((int64_t)c.online));
	add(o, "offline", json_object_new_int64((int64_t)c.offline));
	add(o, "movable", json_object_new_int64((int64_t)c.movable));
	add(o, "normal", json_object_new_int64((int64_t)c.normal));
	return o;
}

struct json_object *json_dax_dev(struct mhp_ctx *ctx, struct mhp_dax_dev *d)
{
	struct json_object *o = json_object_new_object();
	int knob = mhp_dax_dev_get_memmap_on_memory(d);

	add(o, "name", json_object_new_string(mhp_dax_dev_get_name(d)));
	add(o, "region", str_or_null(mhp_dax_dev_get_region(d)));
	add(o, "resource", json_addr(mhp_dax_dev_get_resource(d)));
	add(o, "size", json_size(mhp_dax_dev_get_size(d)));
	add(o, "align", json_size(mhp_dax_dev_get_align(d)));
	add(o, "target_node", int_or_null(mhp_dax_dev_get_target_node(d)));
	add(o, "driver", json_object_new_string(mhp_dax_driver_name(mhp_dax_dev_get_driver(d))));
	add(o, "memmap_on_memory", knob < 0 ? NULL : json_object_new_boolean(knob));
	add(o, "provenance", json_object_new_string(
		mhp_provenance_name(mhp_dax_dev_get_provenance(d))));
	add(o, "provenance_chain", json_object_new_string(mhp_dax_dev_get_provenance_chain(d)));
	add(o, "cxl_region", str_or_null(mhp_dax_dev_get_cxl_region(d)));
	add(o, "persistent", json_object_new_boolean(mhp_dax_dev_is_persistent(d)));
	add(o, "blocks", dax_blocks(ctx, d));
	return o;
}

struct json_object *json_block(struct mhp_block *b)
{
	struct json_object *o = json_object_new_object();

	add(o, "block", json_object_new_int64((int64_t)mhp_block_get_index(b)));
	add(o, "phys_addr", json_addr(mhp_block_get_phys_addr(b)));
	add(o, "state", json_object_new_string(mhp_block_state_name(mhp_block_get_state(b))));
	add(o, "zone", json_object_new_string(mhp_zone_name(mhp_block_get_zone(b))));
	add(o, "valid_zones", str_or_null(mhp_block_get_valid_zones(b)));
	add(o, "node", int_or_null(mhp_block_get_node(b)));
	add(o, "removable", json_object_new_boolean(mhp_block_is_removable(b)));
	return o;
}

void json_print(struct json_object *obj)
{
	printf("%s\n", json_object_to_json_string_ext(obj,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}
