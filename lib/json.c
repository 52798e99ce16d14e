// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Plans as JSON (plan_version 1), so that `cxlmem plan > FILE` can be
 * reviewed, edited (block zones) and applied later.
 *
 * Loading re-runs the planner on the inputs recorded in the file
 * (platform, source, node, options) and then takes the per-block zones
 * from the file: the numbers always come from the planner, the zone
 * choice may come from an orchestrator. A file whose block set no
 * longer matches what the planner computes is refused.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "private.h"

#define JSON_FLAGS	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)

/* ---- names ---- */

static const char *const zone_names[] = {
	[MHP_ZONE_NONE] = "none",
	[MHP_ZONE_NORMAL] = "normal",
	[MHP_ZONE_MOVABLE] = "movable",
};

/* what a block's zone may be in a plan file */
static const char *const block_zone_names[] = {
	[MHP_ZONE_NORMAL] = "normal",
	[MHP_ZONE_MOVABLE] = "movable",
};

static const char *const zone_policy_names[] = {
	[MHP_ZONE_POLICY_AUTO] = "auto",
	[MHP_ZONE_POLICY_MOVABLE] = "movable",
	[MHP_ZONE_POLICY_NORMAL] = "normal",
};

static const char *const memmap_policy_names[] = {
	[MHP_MEMMAP_POLICY_AUTO] = "auto",
	[MHP_MEMMAP_POLICY_ON] = "on",
	[MHP_MEMMAP_POLICY_OFF] = "off",
};

static const char *const memmap_mode_names[] = {
	[MHP_MEMMAP_MODE_ABSENT] = "absent",
	[MHP_MEMMAP_MODE_OFF] = "N",
	[MHP_MEMMAP_MODE_ON] = "Y",
	[MHP_MEMMAP_MODE_FORCE] = "force",
};

static const char *const mmu_names[] = {
	[MHP_MMU_DEFAULT] = "default",
	[MHP_MMU_RADIX] = "radix",
	[MHP_MMU_HASH] = "hash",
};

static const char *name_of(const char *const *names, size_t n, unsigned int v)
{
	return v < n && names[v] ? names[v] : "unknown";
}

#define NAME(names, v)	name_of(names, ARRAY_SIZE(names), (unsigned int)(v))

/* ---- writing ---- */

static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;	/* NULL is JSON null */
}

static json_object *jstrings(char *const *v, unsigned int n)
{
	json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *platform_to_json(const struct mhp_platform_desc *d)
{
	json_object *o = json_object_new_object();

	add(o, "arch", jstr(d->arch));
	add(o, "rules", jstr(d->rules));
	add(o, "page_size", json_object_new_uint64(d->page_size));
	add(o, "block_size", json_object_new_uint64(d->block_size));
	add(o, "pageblock_size", json_object_new_uint64(d->pageblock_size));
	add(o, "pmd_size", json_object_new_uint64(d->pmd_size));
	add(o, "struct_page_size", json_object_new_uint64(d->struct_page_size));
	add(o, "mmu", jstr(NAME(mmu_names, d->mmu)));
	add(o, "memmap_mode", jstr(NAME(memmap_mode_names, d->memmap_mode)));
	add(o, "new_eligibility", json_object_new_boolean(d->new_eligibility));
	add(o, "has_force", json_object_new_boolean(d->has_force));
	add(o, "splits_multi_block", json_object_new_boolean(d->splits_multi_block));
	add(o, "kmem_memmap", json_object_new_boolean(d->kmem_memmap));
	add(o, "dax_memmap_knob", json_object_new_boolean(d->dax_memmap_knob));
	add(o, "block_size_param", json_object_new_boolean(d->block_size_param));
	add(o, "online_policy", jstr(d->online_policy_auto_movable ?
				     "auto-movable" : "contig-zones"));
	add(o, "auto_movable_ratio", json_object_new_int(d->auto_movable_ratio));
	add(o, "auto_movable_numa_aware", json_object_new_int(d->auto_movable_numa_aware));
	add(o, "kernel_bytes", json_object_new_uint64(d->kernel_bytes));
	add(o, "movable_bytes", json_object_new_uint64(d->movable_bytes));
	add(o, "model_node", json_object_new_int(d->model_node));
	add(o, "model_node_has_cpus", json_object_new_boolean(d->model_node_has_cpus));
	add(o, "auto_online_blocks", jstr(d->auto_online_blocks[0] ?
					  d->auto_online_blocks : NULL));
	return o;
}

/* What the kernel does by itself (written only; the reader recomputes it). */
static json_object *kernel_onlining_to_json(const struct mhp_plan *p)
{
	json_object *o = json_object_new_object();
	const struct mhp_auto_online *ao = &p->auto_online;

	add(o, "onlines_by_itself", json_object_new_boolean(ao->onlines));
	add(o, "zone", ao->zone == MHP_ZONE_NONE ? NULL : jstr(NAME(zone_names, ao->zone)));
	add(o, "why", jstr(ao->why[0] ? ao->why : NULL));
	return o;
}

static json_object *source_to_json(const struct mhp_plan_input *in)
{
	json_object *o = json_object_new_object();

	add(o, "start", json_object_new_uint64(in->start));
	add(o, "size", json_object_new_uint64(in->size));
	add(o, "node_mem_bytes", json_object_new_uint64(in->node_mem_bytes));
	add(o, "persistent", json_object_new_boolean(in->persistent));
	add(o, "dax_knob", json_object_new_int(in->dax_knob));
	add(o, "dram_node", json_object_new_int(in->dram_node));
	add(o, "region", jstr(in->region));
	return o;
}

static json_object *options_to_json(const struct mhp_plan_opts *opts)
{
	json_object *o = json_object_new_object();

	add(o, "zone", jstr(NAME(zone_policy_names, opts->zone)));
	add(o, "memmap", jstr(NAME(memmap_policy_names, opts->memmap)));
	add(o, "movable_ratio", json_object_new_uint64(opts->movable_ratio));
	add(o, "waste_warn_pct", json_object_new_uint64(opts->waste_warn_pct));
	return o;
}

static json_object *node_to_json(const struct mhp_plan *plan)
{
	json_object *o = json_object_new_object();
	char buf[64];

	add(o, "id", json_object_new_int(plan->input.node));
	add(o, "has_cpus", json_object_new_boolean(plan->input.node_has_cpus));
	add(o, "memmap", jstr(mhp_plan_memmap_node_text(plan, buf, sizeof(buf))));
	return o;
}

static json_object *advice_to_json(const struct mhp_plan *plan)
{
	json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < plan->nr_advice; i++) {
		json_object *o = json_object_new_object();

		add(o, "kind", jstr(plan->advice[i].kind));
		add(o, "text", jstr(plan->advice[i].text));
		add(o, "action", jstr(plan->advice[i].action));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *blocks_to_json(const struct mhp_plan *plan)
{
	json_object *a = json_object_new_array_ext((int)plan->nr_blocks);
	uint64_t i;

	for (i = 0; i < plan->nr_blocks; i++) {
		const struct mhp_plan_block *b = &plan->blocks[i];
		json_object *o = json_object_new_object();

		add(o, "index", json_object_new_uint64(b->index));
		add(o, "phys_addr", json_object_new_uint64(b->phys_addr));
		add(o, "zone", jstr(NAME(zone_names, b->zone)));
		add(o, "memmap_pages", json_object_new_uint64(b->memmap_pages));
		add(o, "reserved_pages", json_object_new_uint64(b->reserved_pages));
		add(o, "usable_bytes", json_object_new_uint64(b->usable_bytes));
		json_object_array_add(a, o);
	}
	return a;
}

static const char *const driver_names[] = {
	[MHP_DAX_DRIVER_NONE] = "none",
	[MHP_DAX_DRIVER_DEVICE_DAX] = "device_dax",
	[MHP_DAX_DRIVER_KMEM] = "kmem",
	[MHP_DAX_DRIVER_OTHER] = "other",
};

static json_object *jbytes_or_null(uint64_t v)
{
	return v == UINT64_MAX ? NULL : json_object_new_uint64(v);
}

/* The live device beside the plan (written only; optional for the reader). */
static json_object *current_to_json(const struct mhp_plan *p)
{
	const struct mhp_plan_current *c = &p->current;
	json_object *o = json_object_new_object(), *z = json_object_new_object();

	add(o, "driver", jstr(NAME(driver_names, c->driver)));
	add(o, "memmap_on_memory", c->knob < 0 ? NULL : json_object_new_int(c->knob));
	add(z, "normal", json_object_new_uint64(c->online_blocks[MHP_ZONE_NORMAL]));
	add(z, "movable", json_object_new_uint64(c->online_blocks[MHP_ZONE_MOVABLE]));
	add(o, "online_blocks", z);
	add(o, "offline_blocks", json_object_new_uint64(c->offline_blocks));
	add(o, "memmap_location", c->memmap_on_device < 0 ? NULL :
	    jstr(c->memmap_on_device ? "device" : "dram"));
	add(o, "memmap_evidence", jstr(c->memmap_evidence[0] ? c->memmap_evidence : NULL));
	add(o, "node_used_bytes", jbytes_or_null(c->used_bytes));
	return o;
}

static json_object *convert_to_json(const struct mhp_plan *p)
{
	const struct mhp_plan_current *c = &p->current;
	json_object *o = json_object_new_object();

	add(o, "needed", json_object_new_boolean(c->needs_convert));
	add(o, "steps", jstrings(c->steps, c->nr_steps));
	add(o, "normal_bytes_to_offline", json_object_new_uint64(c->offline_normal_bytes));
	/* what offlining migrates: the node's memory in use, if shown */
	add(o, "migrate_bytes_estimate", c->needs_convert ? jbytes_or_null(c->used_bytes) :
	    json_object_new_uint64(0));
	return o;
}

static json_object *plan_to_object(const struct mhp_plan *p, unsigned int flags)
{
	json_object *o = json_object_new_object();

	add(o, "plan_version", json_object_new_int(MHP_PLAN_VERSION));
	add(o, "target", jstr(p->input.target));
	add(o, "platform", platform_to_json(&p->platform));
	add(o, "source", source_to_json(&p->input));
	add(o, "options", options_to_json(&p->opts));
	add(o, "raw_bytes", json_object_new_uint64(p->raw_bytes));
	add(o, "usable_bytes", json_object_new_uint64(p->usable_bytes));
	add(o, "memmap_bytes", json_object_new_uint64(p->memmap_bytes));
	add(o, "memmap_location", jstr(p->memmap_on_device ? "device" : "dram"));
	add(o, "dram_overhead_bytes", json_object_new_uint64(p->dram_overhead_bytes));
	add(o, "force_waste_bytes", json_object_new_uint64(p->force_waste_bytes));
	add(o, "alignment_waste_bytes", json_object_new_uint64(p->alignment_waste_bytes));
	add(o, "alignment_waste_head_bytes",
	    json_object_new_uint64(p->alignment_waste_head_bytes));
	add(o, "alignment_waste_tail_bytes",
	    json_object_new_uint64(p->alignment_waste_tail_bytes));
	add(o, "movable_bytes", json_object_new_uint64(p->movable_bytes));
	add(o, "normal_bytes", json_object_new_uint64(p->normal_bytes));
	add(o, "block_size", json_object_new_uint64(p->platform.block_size));
	add(o, "num_blocks", json_object_new_uint64(p->nr_blocks));
	add(o, "eligible_memmap_on_memory", json_object_new_boolean(p->eligible));
	add(o, "reasons", jstrings(p->reasons, p->nr_reasons));
	add(o, "warnings", jstrings(p->warnings, p->nr_warnings));
	add(o, "zone_notes", jstrings(p->zone_notes, p->nr_zone_notes));
	add(o, "node", node_to_json(p));
	add(o, "advice", advice_to_json(p));
	add(o, "kernel_onlining", kernel_onlining_to_json(p));
	if (p->current.known) {
		add(o, "current", current_to_json(p));
		add(o, "convert", convert_to_json(p));
	}
	if (flags & MHP_JSON_BLOCKS)
		add(o, "blocks", blocks_to_json(p));
	return o;
}

MHP_EXPORT int mhp_plan_to_json(const struct mhp_plan *plan, unsigned int flags,
				char **json)
{
	json_object *o;
	const char *s;
	int rc = 0;

	if (!plan || !json)
		return -EINVAL;
	o = plan_to_object(plan, flags);
	if (!o)
		return -ENOMEM;
	s = json_object_to_json_string_ext(o, JSON_FLAGS);
	*json = s ? strdup(s) : NULL;
	if (!*json)
		rc = -ENOMEM;
	json_object_put(o);
	return rc;
}

/* ---- reading ---- */

struct reader {
	struct mhp_ctx *ctx;
	int rc;			/* first error, sticky */
};

static const char *type_name(json_object *v)
{
	return v ? json_type_to_name(json_object_get_type(v)) : "null";
}

static int __attribute__((format(printf, 2, 3)))
rfail(struct reader *r, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (r->rc)
		return r->rc;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->rc = mhp_fail(r->ctx, -EINVAL, "plan JSON: %s", msg);
	return r->rc;
}

/* Look up @key in @obj; NULL (and an error if @required) when absent. */
static json_object *field(struct reader *r, json_object *obj, const char *path,
			  const char *key, bool required)
{
	json_object *v = NULL;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;	/* the caller reported the container */
	if (!json_object_object_get_ex(obj, key, &v)) {
		if (required)
			rfail(r, "%s%s is missing", path, key);
		return NULL;
	}
	/* a JSON null is a present key with no value */
	if (!v && required)
		rfail(r, "%s%s: expected a value, got null", path, key);
	return v;
}

static json_object *get_obj(struct reader *r, json_object *obj, const char *path,
			    const char *key)
{
	json_object *v = field(r, obj, path, key, true);

	if (v && !json_object_is_type(v, json_type_object)) {
		rfail(r, "%s%s: expected an object, got %s", path, key, type_name(v));
		return NULL;
	}
	return v;
}

static void get_u64(struct reader *r, json_object *obj, const char *path,
		    const char *key, bool required, uint64_t *out)
{
	json_object *v = field(r, obj, path, key, required);

	if (!v)
		return;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0) {
		rfail(r, "%s%s: expected a non-negative integer, got %s '%s'", path, key,
		      type_name(v), json_object_get_string(v));
		return;
	}
	*out = json_object_get_uint64(v);
}

static void get_u32(struct reader *r, json_object *obj, const char *path,
		    const char *key, bool required, uint32_t *out)
{
	uint64_t v = *out;

	get_u64(r, obj, path, key, required, &v);
	if (v > UINT32_MAX)
		rfail(r, "%s%s: %" PRIu64 " is too large", path, key, v);
	else
		*out = (uint32_t)v;
}

static void get_int(struct reader *r, json_object *obj, const char *path,
		    const char *key, bool required, int *out)
{
	json_object *v = field(r, obj, path, key, required);
	int64_t n;

	if (!v)
		return;
	n = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || n < -1 || n > INT32_MAX) {
		rfail(r, "%s%s: expected an integer >= -1, got %s '%s'", path, key,
		      type_name(v), json_object_get_string(v));
		return;
	}
	*out = (int)n;
}

static void get_bool(struct reader *r, json_object *obj, const char *path,
		     const char *key, bool required, bool *out)
{
	json_object *v = field(r, obj, path, key, required);

	if (!v)
		return;
	if (!json_object_is_type(v, json_type_boolean)) {
		rfail(r, "%s%s: expected true or false, got %s '%s'", path, key,
		      type_name(v), json_object_get_string(v));
		return;
	}
	*out = json_object_get_boolean(v);
}

/* A string field; NULL for JSON null or absence (if allowed). */
static const char *get_str(struct reader *r, json_object *obj, const char *path,
			   const char *key, bool required)
{
	json_object *v = field(r, obj, path, key, required);

	if (!v)
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		rfail(r, "%s%s: expected a string, got %s '%s'", path, key,
		      type_name(v), json_object_get_string(v));
		return NULL;
	}
	return json_object_get_string(v);
}

/* Map a string field onto an enum through @names. */
static void get_enum(struct reader *r, json_object *obj, const char *path,
		     const char *key, bool required, const char *const *names,
		     size_t n, unsigned int *out)
{
	const char *s = get_str(r, obj, path, key, required);
	char allowed[128] = "";
	size_t i;

	if (!s)
		return;
	for (i = 0; i < n; i++) {
		if (names[i] && strcmp(s, names[i]) == 0) {
			*out = (unsigned int)i;
			return;
		}
		if (names[i])
			snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed),
				 "%s%s", allowed[0] ? ", " : "", names[i]);
	}
	rfail(r, "%s%s: '%s' is not one of %s", path, key, s, allowed);
}

#define GET_ENUM(r, o, path, key, req, names, out) do {			\
		unsigned int _v = (unsigned int)*(out);			\
		get_enum(r, o, path, key, req, names, ARRAY_SIZE(names), &_v);	\
		*(out) = _v;						\
	} while (0)

static void read_platform(struct reader *r, json_object *o, struct mhp_platform_desc *d)
{
	const char *P = "platform.";
	const char *arch = get_str(r, o, P, "arch", true);
	const char *rules = get_str(r, o, P, "rules", true);
	const char *policy;

	if (r->rc)
		return;
	if (!arch[0] || strlen(arch) >= sizeof(d->arch)) {
		rfail(r, "platform.arch: '%s' is not an architecture name", arch);
		return;
	}
	/* a live plan may come from an arch without model defaults */
	if (mhp_platform_desc_defaults(d, arch) < 0) {
		memset(d, 0, sizeof(*d));
		snprintf(d->arch, sizeof(d->arch), "%s", arch);
	}
	if (mhp_platform_desc_set_rules(d, rules) < 0) {
		rfail(r, "platform.rules: '%s' is not one of 6.1, 6.1-mhp, 6.6, 6.8, 6.9",
		      rules);
		return;
	}
	get_u64(r, o, P, "page_size", true, &d->page_size);
	get_u64(r, o, P, "block_size", true, &d->block_size);
	get_u64(r, o, P, "pageblock_size", true, &d->pageblock_size);
	get_u64(r, o, P, "pmd_size", true, &d->pmd_size);
	get_u64(r, o, P, "struct_page_size", true, &d->struct_page_size);
	GET_ENUM(r, o, P, "mmu", false, mmu_names, &d->mmu);
	GET_ENUM(r, o, P, "memmap_mode", true, memmap_mode_names, &d->memmap_mode);
	/* capability flags: the rule set's values unless recorded */
	get_bool(r, o, P, "new_eligibility", false, &d->new_eligibility);
	get_bool(r, o, P, "has_force", false, &d->has_force);
	get_bool(r, o, P, "splits_multi_block", false, &d->splits_multi_block);
	get_bool(r, o, P, "kmem_memmap", false, &d->kmem_memmap);
	get_bool(r, o, P, "dax_memmap_knob", false, &d->dax_memmap_knob);
	get_bool(r, o, P, "block_size_param", false, &d->block_size_param);
	policy = get_str(r, o, P, "online_policy", false);
	if (policy && strcmp(policy, "auto-movable") && strcmp(policy, "contig-zones"))
		rfail(r, "platform.online_policy: '%s' is not one of contig-zones, "
		      "auto-movable", policy);
	d->online_policy_auto_movable = policy && !strcmp(policy, "auto-movable");
	get_int(r, o, P, "auto_movable_ratio", false, &d->auto_movable_ratio);
	get_int(r, o, P, "auto_movable_numa_aware", false, &d->auto_movable_numa_aware);
	get_u64(r, o, P, "kernel_bytes", true, &d->kernel_bytes);
	get_u64(r, o, P, "movable_bytes", true, &d->movable_bytes);
	get_int(r, o, P, "model_node", false, &d->model_node);
	get_bool(r, o, P, "model_node_has_cpus", false, &d->model_node_has_cpus);
	if (!r->rc && d->model_node >= MHP_MAX_NUMNODES)
		rfail(r, "platform.model_node: %d is not a node id (below %d)",
		      d->model_node, MHP_MAX_NUMNODES);
	if (!r->rc && d->auto_movable_numa_aware > 1)
		rfail(r, "platform.auto_movable_numa_aware: %d is not one of -1 "
		      "(unknown), 0, 1", d->auto_movable_numa_aware);
}

static void read_source(struct reader *r, json_object *root, struct mhp_plan_input *in)
{
	json_object *s = get_obj(r, root, "", "source");
	json_object *n = get_obj(r, root, "", "node");
	const char *P = "source.";

	if (r->rc)
		return;
	get_u64(r, s, P, "start", true, &in->start);
	get_u64(r, s, P, "size", true, &in->size);
	get_u64(r, s, P, "node_mem_bytes", false, &in->node_mem_bytes);
	get_bool(r, s, P, "persistent", false, &in->persistent);
	get_int(r, s, P, "dax_knob", false, &in->dax_knob);
	get_int(r, s, P, "dram_node", false, &in->dram_node);
	in->region = get_str(r, s, P, "region", false);
	get_int(r, n, "node.", "id", true, &in->node);
	get_bool(r, n, "node.", "has_cpus", true, &in->node_has_cpus);
	if (r->rc)
		return;
	if (in->size > MHP_PHYS_ADDR_LIMIT || in->start > MHP_PHYS_ADDR_LIMIT - in->size)
		rfail(r, "source: start %#" PRIx64 " size %#" PRIx64 " reaches beyond "
		      "2^%d, the physical address space of any supported architecture",
		      in->start, in->size, MHP_PHYS_ADDR_BITS);
	else if (in->node >= MHP_MAX_NUMNODES || in->dram_node >= MHP_MAX_NUMNODES)
		rfail(r, "node.id %d / source.dram_node %d: node ids are below %d",
		      in->node, in->dram_node, MHP_MAX_NUMNODES);
	else if (in->dax_knob > 1)
		rfail(r, "source.dax_knob: %d is not one of -1 (absent), 0, 1",
		      in->dax_knob);
}

static void read_options(struct reader *r, json_object *root, struct mhp_plan_opts *o)
{
	json_object *j = get_obj(r, root, "", "options");
	const char *P = "options.";

	if (r->rc)
		return;
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	GET_ENUM(r, j, P, "zone", false, zone_policy_names, &o->zone);
	GET_ENUM(r, j, P, "memmap", false, memmap_policy_names, &o->memmap);
	get_u32(r, j, P, "movable_ratio", false, &o->movable_ratio);
	get_u32(r, j, P, "waste_warn_pct", false, &o->waste_warn_pct);
}

static void read_version(struct reader *r, json_object *root)
{
	json_object *v = field(r, root, "", "plan_version", true);

	if (!v)
		return;
	if (!json_object_is_type(v, json_type_int))
		rfail(r, "plan_version: expected the integer %d, got %s '%s'",
		      MHP_PLAN_VERSION, type_name(v), json_object_get_string(v));
	else if (json_object_get_int64(v) != MHP_PLAN_VERSION)
		rfail(r, "plan_version %" PRId64 " is not supported (this libmhp reads "
		      "version %d); re-create the plan with this cxlmem",
		      json_object_get_int64(v), MHP_PLAN_VERSION);
}

/* One entry of "blocks": must match the recomputed block, gives the zone. */
static void read_block(struct reader *r, json_object *o, uint64_t i,
		       struct mhp_plan_block *blk)
{
	uint64_t index = UINT64_MAX, addr = UINT64_MAX;
	uint32_t memmap = blk->memmap_pages, reserved = blk->reserved_pages;
	enum mhp_zone zone = MHP_ZONE_NONE;
	char path[48];

	snprintf(path, sizeof(path), "blocks[%" PRIu64 "].", i);
	if (!json_object_is_type(o, json_type_object)) {
		rfail(r, "blocks[%" PRIu64 "]: expected an object, got %s", i, type_name(o));
		return;
	}
	get_u64(r, o, path, "index", true, &index);
	get_u64(r, o, path, "phys_addr", false, &addr);
	get_u32(r, o, path, "memmap_pages", false, &memmap);
	get_u32(r, o, path, "reserved_pages", false, &reserved);
	GET_ENUM(r, o, path, "zone", true, block_zone_names, &zone);
	if (r->rc)
		return;
	if (index != blk->index || (addr != UINT64_MAX && addr != blk->phys_addr))
		rfail(r, "%sindex %" PRIu64 " does not match block memory%" PRIu64
		      " of the recomputed plan: the plan no longer fits its inputs; "
		      "re-create it", path, index, blk->index);
	else if (memmap != blk->memmap_pages || reserved != blk->reserved_pages)
		rfail(r, "%smemmap/reserved pages %u/%u differ from the recomputed "
		      "%u/%u: the plan was made by different rules; re-create it", path,
		      memmap, reserved, blk->memmap_pages, blk->reserved_pages);
	else if (zone != MHP_ZONE_NORMAL && zone != MHP_ZONE_MOVABLE)
		rfail(r, "%szone: '%s' is not one of movable, normal", path,
		      zone_names[zone]);
	else
		blk->zone = zone;
}

/* Take the block zones from the file; recount the zone totals. */
static void read_blocks(struct reader *r, json_object *root, struct mhp_plan *plan)
{
	json_object *a = field(r, root, "", "blocks", false);
	uint64_t i, n, changed = 0;
	enum mhp_zone computed;

	if (!a)
		return;
	if (!json_object_is_type(a, json_type_array)) {
		rfail(r, "blocks: expected an array, got %s", type_name(a));
		return;
	}
	n = json_object_array_length(a);
	if (n != plan->nr_blocks) {
		rfail(r, "blocks: the file lists %" PRIu64 " blocks but the inputs give "
		      "%" PRIu64 ": the plan no longer fits its inputs; re-create it",
		      n, plan->nr_blocks);
		return;
	}
	plan->movable_bytes = plan->normal_bytes = 0;
	for (i = 0; i < n && !r->rc; i++) {
		struct mhp_plan_block *blk = &plan->blocks[i];

		computed = blk->zone;
		read_block(r, json_object_array_get_idx(a, i), i, blk);
		if (blk->zone != computed)
			changed++;
		if (blk->zone == MHP_ZONE_NORMAL)
			plan->normal_bytes += blk->usable_bytes;
		else
			plan->movable_bytes += blk->usable_bytes;
	}
	if (!r->rc && changed && plan->nr_zone_notes < MHP_PLAN_MAX_REASONS) {
		char *s;

		if (asprintf(&s, "zones of %" PRIu64 " blocks were taken from the plan "
			     "file and differ from the planner's choice", changed) < 0) {
			r->rc = -ENOMEM;
			return;
		}
		plan->zone_notes[plan->nr_zone_notes++] = s;
	}
}

/* The file's memmap_location, if any, must agree with the recomputation. */
static void check_location(struct reader *r, json_object *root,
			   const struct mhp_plan *plan)
{
	const char *loc = get_str(r, root, "", "memmap_location", false);
	const char *now = plan->memmap_on_device ? "device" : "dram";

	uint64_t nr = plan->nr_blocks;

	if (loc && strcmp(loc, now) != 0)
		rfail(r, "memmap_location: the file says '%s' but its inputs now give "
		      "'%s'; re-create the plan", loc, now);
	get_u64(r, root, "", "num_blocks", false, &nr);
	if (!r->rc && nr != plan->nr_blocks)
		rfail(r, "num_blocks: the file says %" PRIu64 " but its inputs give %"
		      PRIu64 "; re-create the plan", nr, plan->nr_blocks);
}

MHP_EXPORT int mhp_plan_from_json(struct mhp_ctx *ctx, const char *json,
				  struct mhp_plan **out)
{
	struct reader r = { .ctx = ctx, .rc = 0 };
	struct mhp_platform_desc d;
	struct mhp_plan_input in = { .node = -1, .dax_knob = -1, .dram_node = -1 };
	struct mhp_plan_opts opts;
	struct mhp_plan *plan = NULL;
	enum json_tokener_error jerr;
	json_object *root, *pj;
	int rc;

	if (!ctx || !json || !out)
		return -EINVAL;
	root = json_tokener_parse_verbose(json, &jerr);
	if (!root)
		return mhp_fail(ctx, -EINVAL, "plan JSON: not valid JSON: %s",
				json_tokener_error_desc(jerr));
	if (json_object_is_type(root, json_type_array))
		rfail(&r, "expected one plan object, got an array (several plans?); "
		      "save one plan per file");
	else if (!json_object_is_type(root, json_type_object))
		rfail(&r, "expected a plan object, got %s", type_name(root));
	if (!r.rc)
		read_version(&r, root);
	pj = r.rc ? NULL : get_obj(&r, root, "", "platform");
	if (!r.rc)
		read_platform(&r, pj, &d);
	in.target = r.rc ? NULL : get_str(&r, root, "", "target", false);
	if (!r.rc)
		read_source(&r, root, &in);
	if (!r.rc)
		read_options(&r, root, &opts);
	if (r.rc) {
		json_object_put(root);
		return r.rc;
	}
	rc = mhp_plan_compute(ctx, &d, &in, &opts, &plan);
	if (rc < 0) {
		json_object_put(root);
		return rc;
	}
	check_location(&r, root, plan);
	if (!r.rc)
		read_blocks(&r, root, plan);
	json_object_put(root);
	if (r.rc) {
		mhp_plan_unref(plan);
		return r.rc;
	}
	*out = plan;
	return 0;
}

MHP_EXPORT int mhp_plan_load_file(struct mhp_ctx *ctx, const char *path,
				  struct mhp_plan **out)
{
	char *text;
	int rc;

	if (!ctx || !path || !out)
		return -EINVAL;
	mhp_clear_error(ctx);
	rc = mhp_read_user_file(ctx, path, MHP_PLAN_FILE_MAX, &text);
	if (rc < 0)
		return rc;
	if (strlen(text) != (size_t)rc) {
		free(text);
		return mhp_fail(ctx, -EINVAL, "%s is not a plan: it holds NUL bytes, "
				"not JSON text", path);
	}
	rc = mhp_plan_from_json(ctx, text, out);
	free(text);
	return rc;
}
