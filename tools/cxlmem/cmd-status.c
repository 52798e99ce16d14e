// SPDX-License-Identifier: GPL-2.0-or-later
/* cxlmem status: live state of a device against the plan applied to it. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "json.h"
#include "private.h"

static struct json_object *device_status(struct mhp_ctx *ctx, struct mhp_dax_dev *d,
					 bool list_blocks, int *drifted)
{
	struct json_object *o = json_object_new_object(), *blocks, *drift;
	uint64_t res = mhp_dax_dev_get_resource(d), bs, first, end, idx, i = 0;
	struct block_counts c = { 0 };
	const char *name = mhp_dax_dev_get_name(d);
	enum mhp_dax_driver drv = mhp_dax_dev_get_driver(d);
	int knob = mhp_dax_dev_get_memmap_on_memory(d);
	struct mhp_plan *plan = NULL;
	struct mhp_platform *p;
	const char *where;

	json_object_object_add(o, "device", json_object_new_string(name));
	json_object_object_add(o, "driver", json_object_new_string(mhp_dax_driver_name(drv)));
	json_object_object_add(o, "memmap_on_memory", knob < 0 ? NULL :
			       json_object_new_boolean(knob));
	if (res == UINT64_MAX || mhp_get_platform(ctx, &p) < 0) {
		json_object_object_add(o, "error", json_object_new_string(
			"the physical range is unreadable (root only)"));
		return o;
	}
	bs = mhp_platform_get_block_size(p);
	mhp_platform_unref(p);
	first = (res + bs - 1) / bs;
	end = (res + mhp_dax_dev_get_size(d)) / bs;
	if (mhp_get_applied_plan(ctx, name, &plan) < 0)
		plan = NULL;
	blocks = json_object_new_array();
	drift = json_object_new_array();
	for (idx = first; idx < end; idx++) {
		enum mhp_zone planned = MHP_ZONE_NONE, zone = MHP_ZONE_NONE;
		enum mhp_block_state state = MHP_BLOCK_UNKNOWN;
		struct json_object *b;
		struct mhp_block *blk;

		if (mhp_block_get(ctx, idx, &blk) == 0) {
			block_count(&c, blk);
			state = mhp_block_get_state(blk);
			zone = mhp_block_get_zone(blk);
		}
		while (plan && i < mhp_plan_get_num_blocks(plan) &&
		       mhp_plan_get_block_index(plan, i) < idx)
			i++;
		if (plan && i < mhp_plan_get_num_blocks(plan) &&
		    mhp_plan_get_block_index(plan, i) == idx)
			planned = mhp_plan_get_block_zone(plan, i);
		if (plan && drv == MHP_DAX_DRIVER_KMEM && planned != MHP_ZONE_NONE &&
		    (state != MHP_BLOCK_ONLINE || zone != planned)) {
			struct json_object *dr = json_object_new_object();

			json_object_object_add(dr, "block", json_object_new_int64((int64_t)idx));
			json_object_object_add(dr, "planned", json_object_new_string(
				mhp_zone_name(planned)));
			json_object_object_add(dr, "state", json_object_new_string(
				mhp_block_state_name(state)));
			json_object_object_add(dr, "zone", json_object_new_string(
				mhp_zone_name(zone)));
			json_object_array_add(drift, dr);
		}
		if (!list_blocks)
			continue;
		b = json_object_new_object();
		json_object_object_add(b, "block", json_object_new_int64((int64_t)idx));
		json_object_object_add(b, "state", json_object_new_string(
			state == MHP_BLOCK_UNKNOWN ? "absent" : mhp_block_state_name(state)));
		json_object_object_add(b, "zone", json_object_new_string(mhp_zone_name(zone)));
		if (plan)
			json_object_object_add(b, "planned_zone", json_object_new_string(
				mhp_zone_name(planned)));
		json_object_array_add(blocks, b);
	}
	/* the knob decides where kmem put the memmap; 6.1 stock: always DRAM */
	if (drv != MHP_DAX_DRIVER_KMEM || !c.online)
		where = "none";
	else
		where = knob == 1 ? "device" : "dram";
	json_object_object_add(o, "memmap_location", json_object_new_string(where));
	json_object_object_add(o, "blocks_present", json_object_new_int64((int64_t)c.present));
	json_object_object_add(o, "blocks_online", json_object_new_int64((int64_t)c.online));
	json_object_object_add(o, "online_bytes", json_size(c.online * bs));
	json_object_object_add(o, "movable_bytes", json_size(c.movable * bs));
	json_object_object_add(o, "normal_bytes", json_size(c.normal * bs));
	json_object_object_add(o, "applied_plan", json_object_new_boolean(plan != NULL));
	if (plan)
		json_object_object_add(o, "planned_usable_bytes",
				       json_size(mhp_plan_get_usable_bytes(plan)));
	*drifted += json_object_array_length(drift) > 0;
	json_object_object_add(o, "drift", drift);
	if (list_blocks)
		json_object_object_add(o, "blocks", blocks);
	else
		json_object_put(blocks);
	mhp_plan_unref(plan);
	return o;
}

int cmd_status(int argc, char **argv, struct mhp_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "blocks", no_argument, NULL, 'B' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *out = json_object_new_array();
	bool list_blocks = false;
	struct mhp_dax_dev *d;
	int c, drifted = 0, found = 0;
	const char *target;

	while ((c = getopt_long(argc, argv, "Bh", longopts, NULL)) != -1) {
		switch (c) {
		case 'B':
			list_blocks = true;
			break;
		case 'S':
			mhp_set_state_dir(ctx, optarg);
			break;
		case 'h':
			printf("usage: cxlmem status TARGET [-B|--blocks] [--state-dir DIR]\n\n"
			       "JSON of the live state of TARGET (regionN, daxX.Y or all): driver,\n"
			       "memmap location in effect, online/movable/normal bytes, and any\n"
			       "drift from the plan applied by online-region. -B lists every block.\n"
			       "Exit status: 0, or 3 when a device drifted from its applied plan.\n");
			json_object_put(out);
			return 0;
		default:
			json_object_put(out);
			return 1;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "cxlmem status: give exactly one TARGET (regionN, daxX.Y or all)\n");
		json_object_put(out);
		return 1;
	}
	target = argv[optind];
	mhp_dax_dev_foreach(ctx, d) {
		const char *r = mhp_dax_dev_get_cxl_region(d);

		if (strcmp(target, "all") && strcmp(target, mhp_dax_dev_get_name(d)) &&
		    (!r || strcmp(target, r)))
			continue;
		found++;
		json_object_array_add(out, device_status(ctx, d, list_blocks, &drifted));
	}
	if (!found) {
		fprintf(stderr, "cxlmem status: no dax device matches '%s'; see 'cxlmem list'\n",
			target);
		json_object_put(out);
		return 1;
	}
	json_print(found == 1 && strncmp(target, "dax", 3) == 0 ?
		   json_object_get(json_object_array_get_idx(out, 0)) : json_object_get(out));
	json_object_put(out);
	return drifted ? 3 : 0;
}
