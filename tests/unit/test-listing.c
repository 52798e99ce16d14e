// SPDX-License-Identifier: LGPL-2.1-or-later
/* The list and status documents, through the public API only. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <mhp/libmhp.h>

#include "sysroot.h"

static struct mhp_ctx *ctx_at(const char *root)
{
	struct mhp_ctx *ctx;

	assert_int_equal(mhp_new(&ctx), 0);
	mhp_set_log_priority(ctx, 0);
	assert_int_equal(mhp_set_sysroot(ctx, root), 0);
	return ctx;
}

static struct json_object *parse(char *text)
{
	struct json_object *o = json_tokener_parse(text);

	assert_non_null(o);
	free(text);
	return o;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, key, &v));
	return v;
}

static void test_list_document(void **state)
{
	char *root = sr_new_hmem(), *text;
	struct mhp_ctx *ctx = ctx_at(root);
	struct json_object *doc, *dax, *v;

	assert_int_equal(mhp_list_to_json(ctx, 0, &text), 0);
	doc = parse(text);
	assert_int_equal(json_object_get_int(get(doc, "schema_version")),
			 MHP_LIST_SCHEMA_VERSION);
	assert_string_equal(json_object_get_string(get(get(doc, "platform"), "arch")),
			    "x86_64");
	assert_int_equal(json_object_get_int64(get(get(doc, "platform"),
						    "memory_block_size")), 128 << 20);
	dax = get(doc, "dax_devices");
	assert_int_equal(json_object_array_length(dax), 1);
	v = json_object_array_get_idx(dax, 0);
	assert_string_equal(json_object_get_string(get(v, "name")), "dax0.0");
	/* 1 GiB at 4 GiB: blocks 32..39 */
	assert_int_equal(json_object_get_int64(get(get(v, "blocks"), "first")), 32);
	assert_int_equal(json_object_get_int64(get(get(v, "blocks"), "count")), 8);
	assert_int_equal(json_object_get_int64(get(get(doc, "memory_blocks"), "count")), 16);
	assert_false(json_object_object_get_ex(doc, "blocks", NULL));
	json_object_put(doc);

	assert_int_equal(mhp_list_to_json(ctx, MHP_JSON_BLOCKS | MHP_JSON_HUMAN, &text), 0);
	doc = parse(text);
	assert_int_equal(json_object_array_length(get(doc, "blocks")), 16);
	assert_string_equal(json_object_get_string(get(get(doc, "platform"),
							"memory_block_size")), "128 MiB");
	json_object_put(doc);
	mhp_unref(ctx);
	sr_free(root);
}

static void test_status_document(void **state)
{
	char *root = sr_new_hmem(), *text;
	struct mhp_ctx *ctx = ctx_at(root);
	struct json_object *doc, *dev;

	/* one dax device: its object */
	assert_int_equal(mhp_status_to_json(ctx, "dax0.0", MHP_JSON_BLOCKS, &text), 0);
	doc = parse(text);
	assert_true(json_object_is_type(doc, json_type_object));
	assert_int_equal(json_object_get_int(get(doc, "schema_version")),
			 MHP_STATUS_SCHEMA_VERSION);
	assert_string_equal(json_object_get_string(get(doc, "device")), "dax0.0");
	assert_string_equal(json_object_get_string(get(doc, "driver")), "device_dax");
	assert_false(json_object_get_boolean(get(doc, "applied_plan")));
	assert_int_equal(json_object_array_length(get(doc, "blocks")), 8);
	json_object_put(doc);

	/* all: an array */
	assert_int_equal(mhp_status_to_json(ctx, "all", 0, &text), 0);
	doc = parse(text);
	assert_true(json_object_is_type(doc, json_type_array));
	assert_int_equal(json_object_array_length(doc), 1);
	dev = json_object_array_get_idx(doc, 0);
	assert_false(json_object_object_get_ex(dev, "blocks", NULL));
	json_object_put(doc);
	mhp_unref(ctx);
	sr_free(root);
}

/* No dax devices: status of "all" is an empty array and no error. */
static void test_status_empty_machine(void **state)
{
	char *root = sr_new_hmem(), *text;
	struct mhp_ctx *ctx;

	sr_rm(root, "/sys/bus/dax/devices/dax0.0");
	ctx = ctx_at(root);
	assert_int_equal(mhp_status_to_json(ctx, "all", 0, &text), 0);
	assert_string_equal(text, "[\n]");
	free(text);
	assert_int_equal(mhp_status_to_json(ctx, "dax0.0", 0, &text), -ENODEV);
	assert_null(text);
	mhp_unref(ctx);
	sr_free(root);
}

/* The plan's texts through getters agree with its JSON (cxlmem -u uses them). */
static void expect_texts(struct json_object *doc, const char *key, unsigned int n,
			 const char *(*text_of)(const struct mhp_plan *, unsigned int),
			 const struct mhp_plan *plan)
{
	struct json_object *arr = get(doc, key);
	unsigned int i;

	assert_int_equal(json_object_array_length(arr), n);
	for (i = 0; i < n; i++)
		assert_string_equal(json_object_get_string(json_object_array_get_idx(arr, i)),
				    text_of(plan, i));
}

static void test_plan_getters(void **state)
{
	char *root = sr_new_hmem(), *text;
	struct mhp_ctx *ctx = ctx_at(root);
	struct json_object *doc, *advice, *blocks;
	struct mhp_plan *plan;
	unsigned int i;

	assert_int_equal(mhp_plan_dax_dev(ctx, mhp_dax_dev_get_by_name(ctx, "dax0.0"),
					  NULL, &plan), 0);
	assert_int_equal(mhp_plan_to_json(plan, MHP_JSON_BLOCKS, &text), 0);
	doc = parse(text);
	assert_true(mhp_plan_get_num_zone_notes(plan) > 0);
	assert_true(mhp_plan_get_num_advice(plan) > 0);
	expect_texts(doc, "warnings", mhp_plan_get_num_warnings(plan), mhp_plan_get_warning, plan);
	expect_texts(doc, "zone_notes", mhp_plan_get_num_zone_notes(plan),
		     mhp_plan_get_zone_note, plan);
	advice = get(doc, "advice");
	assert_int_equal(json_object_array_length(advice), mhp_plan_get_num_advice(plan));
	for (i = 0; i < mhp_plan_get_num_advice(plan); i++) {
		struct json_object *a = json_object_array_get_idx(advice, i), *act = NULL;

		assert_string_equal(json_object_get_string(get(a, "kind")),
				    mhp_plan_get_advice_kind(plan, i));
		assert_string_equal(json_object_get_string(get(a, "text")),
				    mhp_plan_get_advice_text(plan, i));
		json_object_object_get_ex(a, "action", &act);
		if (mhp_plan_get_advice_action(plan, i))
			assert_string_equal(json_object_get_string(act),
					    mhp_plan_get_advice_action(plan, i));
		else
			assert_null(act);
	}
	assert_null(mhp_plan_get_warning(plan, mhp_plan_get_num_warnings(plan)));
	assert_int_equal(mhp_plan_get_start(plan), 0x100000000ULL);
	assert_int_equal(json_object_get_uint64(get(get(doc, "source"), "start")),
			 mhp_plan_get_start(plan));
	assert_int_equal(json_object_get_uint64(get(doc, "alignment_waste_head_bytes")),
			 mhp_plan_get_alignment_waste_head_bytes(plan));
	assert_int_equal(json_object_get_uint64(get(doc, "alignment_waste_tail_bytes")),
			 mhp_plan_get_alignment_waste_tail_bytes(plan));
	assert_int_equal(json_object_get_boolean(get(get(doc, "node"), "has_cpus")),
			 mhp_plan_node_has_cpus(plan));
	blocks = get(doc, "blocks");
	assert_int_equal(mhp_plan_get_block_phys_addr(plan, 1), 0x108000000ULL);
	assert_int_equal(json_object_get_uint64(get(json_object_array_get_idx(blocks, 1),
						     "usable_bytes")),
			 mhp_plan_get_block_usable_bytes(plan, 1));
	assert_int_equal(mhp_plan_get_block_phys_addr(plan, 8), UINT64_MAX);
	json_object_put(doc);
	mhp_plan_unref(plan);
	mhp_unref(ctx);
	sr_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_document),
		cmocka_unit_test(test_status_document),
		cmocka_unit_test(test_status_empty_machine),
		cmocka_unit_test(test_plan_getters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
