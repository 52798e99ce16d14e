// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: mhp_plan_from_json() on arbitrary bytes, the reader
 * behind online-region --plan, status and recover (journal-plan.json).
 * Every input must either load or fail with an error message; the plan
 * of a successful load is serialised again to walk every field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mhp/libmhp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mhp_plan *plan = NULL;
	struct mhp_ctx *ctx;
	char *text, *json;

	if (mhp_new(&ctx) < 0)
		abort();
	mhp_set_log_priority(ctx, 0);
	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (mhp_plan_from_json(ctx, text, &plan) == 0) {
		if (mhp_plan_to_json(plan, MHP_JSON_BLOCKS, &json) == 0)
			free(json);
		mhp_plan_unref(plan);
	} else if (!mhp_get_last_error(ctx)[0]) {
		abort();	/* a refusal must say why */
	}
	free(text);
	mhp_unref(ctx);
	return 0;
}
