// SPDX-License-Identifier: GPL-2.0-or-later
/* cxlmem list: everything libmhp discovers, as one JSON document. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "json.h"

static void list_usage(FILE *out)
{
	fprintf(out,
		"usage: cxlmem list [-B|--blocks]\n"
		"\n"
		"Print one JSON document: platform, nodes, cxl_memdevs, cxl_regions,\n"
		"dax_devices and a memory block summary.\n"
		"  -B, --blocks   add the list of every memory block\n");
}

/* An iteration that yielded nothing while recording an error failed. */
static bool discovery_failed(struct mhp_ctx *ctx, struct json_object *arr,
			     const char *what)
{
	if (json_object_array_length(arr) || !mhp_get_last_error(ctx)[0])
		return false;
	fprintf(stderr, "cxlmem list: cannot discover %s: %s\n", what,
		mhp_get_last_error(ctx));
	return true;
}

static struct json_object *block_summary(struct mhp_ctx *ctx, struct json_object *list)
{
	struct block_counts c = { 0 };
	struct json_object *o = json_object_new_object();
	struct mhp_block *b;

	b = mhp_block_get_first(ctx);
	if (!b && mhp_get_last_error(ctx)[0]) {
		json_object_put(o);
		return NULL;
	}
	for (; b; b = mhp_block_get_next(b)) {
		block_count(&c, b);
		if (list)
			json_object_array_add(list, json_block(b));
	}
	json_object_object_add(o, "count", json_object_new_int64((int64_t)c.present));
	json_object_object_add(o, "online", json_object_new_int64((int64_t)c.online));
	json_object_object_add(o, "offline", json_object_new_int64((int64_t)c.offline));
	json_object_object_add(o, "online_movable", json_object_new_int64((int64_t)c.movable));
	json_object_object_add(o, "online_normal", json_object_new_int64((int64_t)c.normal));
	return o;
}

int cmd_list(int argc, char **argv, struct mhp_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "blocks", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *root, *arr, *summary;
	struct mhp_platform *p;
	struct mhp_node *n;
	struct mhp_cxl_memdev *m;
	struct mhp_cxl_region *r;
	struct mhp_dax_dev *d;
	bool list_blocks = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "Bh", longopts, NULL)) != -1) {
		switch (c) {
		case 'B':
			list_blocks = true;
			break;
		case 'h':
			list_usage(stdout);
			return 0;
		default:
			list_usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cxlmem list: unexpected argument '%s'\n", argv[optind]);
		list_usage(stderr);
		return 1;
	}

	rc = mhp_get_platform(ctx, &p);
	if (rc < 0) {
		fprintf(stderr, "cxlmem list: cannot probe the platform: %s\n",
			mhp_get_last_error(ctx));
		return 1;
	}
	root = json_object_new_object();
	json_object_object_add(root, "platform", json_platform(p));
	mhp_platform_unref(p);

	arr = json_object_new_array();
	mhp_node_foreach(ctx, n)
		json_object_array_add(arr, json_node(n));
	if (discovery_failed(ctx, arr, "NUMA nodes"))
		goto fail;
	json_object_object_add(root, "nodes", arr);

	arr = json_object_new_array();
	mhp_cxl_memdev_foreach(ctx, m)
		json_object_array_add(arr, json_cxl_memdev(m));
	if (discovery_failed(ctx, arr, "CXL memory devices"))
		goto fail;
	json_object_object_add(root, "cxl_memdevs", arr);

	arr = json_object_new_array();
	mhp_cxl_region_foreach(ctx, r)
		json_object_array_add(arr, json_cxl_region(ctx, r));
	if (discovery_failed(ctx, arr, "CXL regions"))
		goto fail;
	json_object_object_add(root, "cxl_regions", arr);

	arr = json_object_new_array();
	mhp_dax_dev_foreach(ctx, d)
		json_object_array_add(arr, json_dax_dev(ctx, d));
	if (discovery_failed(ctx, arr, "DAX devices"))
		goto fail;
	json_object_object_add(root, "dax_devices", arr);

	arr = list_blocks ? json_object_new_array() : NULL;
	summary = block_summary(ctx, arr);
	if (!summary) {
		arr = json_object_new_array();
		discovery_failed(ctx, arr, "memory blocks");
		goto fail;
	}
	json_object_object_add(root, "memory_blocks", summary);
	if (arr)
		json_object_object_add(root, "blocks", arr);
	json_print(root);
	return 0;
fail:
	json_object_put(arr);
	json_object_put(root);
	return 1;
}
