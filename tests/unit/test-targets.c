// SPDX-License-Identifier: LGPL-2.1-or-later
/* The target resolver: every accepted form, unknown targets, no caps. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

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

/* Resolve @target and return how many devices; the first name into @first. */
static size_t resolve(struct mhp_ctx *ctx, const char *target, const char **first)
{
	struct mhp_dax_dev **devs;
	size_t n;

	assert_int_equal(mhp_resolve_target(ctx, target, &devs, &n), 0);
	if (first)
		*first = n ? mhp_dax_dev_get_name(devs[0]) : NULL;
	free(devs);
	return n;
}

static void test_forms(void **state)
{
	char *root = sr_new_hmem();
	struct mhp_ctx *ctx = ctx_at(root);
	struct mhp_dax_dev **devs;
	const char *name;
	size_t n;

	assert_int_equal(resolve(ctx, "all", &name), 1);
	assert_string_equal(name, "dax0.0");
	assert_int_equal(resolve(ctx, "dax0.0", &name), 1);
	assert_string_equal(name, "dax0.0");
	assert_int_equal(resolve(ctx, "/dev/dax0.0", &name), 1);
	assert_string_equal(name, "dax0.0");
	assert_int_equal(resolve(ctx, "dax_region0", &name), 1);
	assert_string_equal(name, "dax0.0");

	/* daxctl's -r: by id or by name, and only that meaning */
	assert_int_equal(mhp_resolve_dax_region(ctx, "0", &devs, &n), 0);
	assert_int_equal(n, 1);
	free(devs);
	assert_int_equal(mhp_resolve_dax_region(ctx, "dax_region0", &devs, &n), 0);
	assert_int_equal(n, 1);
	free(devs);
	assert_int_equal(mhp_resolve_dax_region(ctx, "region0", &devs, &n), -EINVAL);
	assert_int_equal(mhp_resolve_dax_region(ctx, "-1", &devs, &n), -EINVAL);
	assert_int_equal(mhp_resolve_dax_region(ctx, "3", &devs, &n), -ENODEV);
	assert_null(devs);

	/* regionN is a CXL region: the hmem machine has none, and says what it has */
	assert_int_equal(mhp_resolve_target(ctx, "region0", &devs, &n), -ENODEV);
	assert_non_null(strstr(mhp_get_last_error(ctx), "CXL region 'region0'"));
	assert_non_null(strstr(mhp_get_last_error(ctx), "dax devices dax0.0"));
	assert_non_null(strstr(mhp_get_last_error(ctx), "dax regions dax_region0"));
	assert_int_equal(mhp_resolve_target(ctx, "dax1.0", &devs, &n), -ENODEV);
	assert_int_equal(mhp_resolve_target(ctx, "nonsense", &devs, &n), -ENODEV);
	assert_non_null(strstr(mhp_get_last_error(ctx), "is not a target"));
	assert_int_equal(mhp_resolve_target(ctx, "", &devs, &n), -EINVAL);
	mhp_unref(ctx);
	sr_free(root);
}

/* Today's resolvers stopped at 64 or 256 devices; this one must not. */
static void test_no_cap(void **state)
{
	char *root = sr_new_hmem(), path[128];
	struct mhp_ctx *ctx;
	const char *name;
	unsigned int i;

	for (i = 1; i < 300; i++) {
		snprintf(path, sizeof(path), "/sys/devices/platform/hmem.0/dax0.%u/size", i);
		sr_file(root, path, "134217728\n");
		snprintf(path, sizeof(path), "/sys/devices/platform/hmem.0/dax0.%u/resource", i);
		sr_file(root, path, "%#llx\n", 0x200000000ULL + i * 0x8000000ULL);
		snprintf(path, sizeof(path), "/sys/devices/platform/hmem.0/dax0.%u/target_node", i);
		sr_file(root, path, "1\n");
		snprintf(path, sizeof(path), "/sys/bus/dax/devices/dax0.%u", i);
		snprintf(path + 64, 64, "../../../devices/platform/hmem.0/dax0.%u", i);
		sr_link(root, path, path + 64);
	}
	ctx = ctx_at(root);
	assert_int_equal(resolve(ctx, "all", NULL), 300);
	assert_int_equal(resolve(ctx, "dax_region0", NULL), 300);
	assert_int_equal(resolve(ctx, "dax0.299", &name), 1);
	assert_string_equal(name, "dax0.299");
	mhp_unref(ctx);
	sr_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_no_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
