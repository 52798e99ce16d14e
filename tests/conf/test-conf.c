// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxlmem.conf(5): parsing, errors that name FILE:SECTION:KEY, conf.d
 * overrides, and matching sections against the captured fixture trees.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"

static char dir[] = "/tmp/test-conf.XXXXXX";
static char messages[8192];

static void capture(void *ud, int priority, const char *fmt, va_list ap)
{
	size_t len = strlen(messages);

	vsnprintf(messages + len, sizeof(messages) - len, fmt, ap);
	len = strlen(messages);
	snprintf(messages + len, sizeof(messages) - len, "\n");
}

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char path[512];

	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/conf.d", dir);
	messages[0] = '\0';
	return mkdir(path, 0755);
}

static int teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	strcpy(dir, "/tmp/test-conf.XXXXXX");
	return system(cmd);
}

static struct cxlmem_conf *load_ok(void)
{
	struct cxlmem_conf *conf;

	if (cxlmem_conf_load(dir, capture, NULL, &conf) != 0)
		fail_msg("load failed: %s", messages);
	return conf;
}

/* Load must fail and report @expect, its "%s" standing for the temp dir. */
static void load_fails_with(const char *expect)
{
	struct cxlmem_conf *conf = (void *)1;
	const char *hole = strstr(expect, "%s");
	char want[1024];

	assert_non_null(hole);
	snprintf(want, sizeof(want), "%.*s%s%s", (int)(hole - expect), expect, dir, hole + 2);
	assert_int_equal(cxlmem_conf_load(dir, capture, NULL, &conf), -EINVAL);
	assert_null(conf);
	if (!strstr(messages, want))
		fail_msg("expected \"%s\" in:\n%s", want, messages);
}

static void test_nothing_configured(void **state)
{
	struct cxlmem_conf *conf = load_ok();

	assert_int_equal(conf->num_devs, 0);
	assert_int_equal(conf->num_files, 0);
	cxlmem_conf_free(conf);
}

static void test_valid(void **state)
{
	struct cxlmem_conf *conf;
	const struct cxlmem_conf_dev *d;

	write_file("cxlmem.conf",
		   "; comment\n"
		   "[device tier1]\n"
		   "cxl-root-decoder = decoder0.0\n"
		   "cxl-hpa-range = 0x110000000-0x12fffffff\n"
		   "zone = ratio\n"
		   "movable-ratio = 301  ; inline comment\n"
		   "memmap = on\n"
		   "\n"
		   "[Device Legacy]\n"
		   "nvdimm-uuid = 5964C59E-E8F2-11F1-AAD9-3B60DC6DA48D\n"
		   "destroy-data = yes\n"
		   "zone = normal\n"
		   "memmap = off\n"
		   "[device x.y_z-1]\n"
		   "hmem-range = 4G+1G\n"
		   "[device serial]\n"
		   "cxl-memdev-serial = 0x10, 17 0x12\n");
	conf = load_ok();
	assert_int_equal(conf->num_devs, 4);

	d = &conf->devs[0];
	assert_string_equal(d->name, "tier1");
	assert_int_equal(d->id, CXLMEM_ID_CXL_HPA);
	assert_string_equal(d->root_decoder, "decoder0.0");
	assert_int_equal(d->start, 0x110000000ULL);
	assert_int_equal(d->end, 0x12fffffffULL);
	assert_int_equal(d->opts.zone, MHP_ZONE_POLICY_AUTO);
	assert_true(d->zone_is_ratio);
	assert_int_equal(d->opts.movable_ratio, 301);
	assert_int_equal(d->opts.memmap, MHP_MEMMAP_POLICY_ON);
	assert_false(d->destroy_data);
	assert_int_equal(d->opts.size, sizeof(d->opts));

	/* iniparser folds section names; uuids are compared lowercase */
	d = &conf->devs[1];
	assert_string_equal(d->name, "legacy");
	assert_int_equal(d->id, CXLMEM_ID_NVDIMM_UUID);
	assert_string_equal(d->uuid, "5964c59e-e8f2-11f1-aad9-3b60dc6da48d");
	assert_true(d->destroy_data);
	assert_int_equal(d->opts.zone, MHP_ZONE_POLICY_NORMAL);
	assert_int_equal(d->opts.memmap, MHP_MEMMAP_POLICY_OFF);

	d = &conf->devs[2];
	assert_string_equal(d->name, "x.y_z-1");
	assert_int_equal(d->id, CXLMEM_ID_HMEM);
	assert_int_equal(d->start, 0x100000000ULL);
	assert_int_equal(d->end, 0x13fffffffULL);
	assert_int_equal(d->opts.zone, MHP_ZONE_POLICY_AUTO);
	assert_false(d->zone_is_ratio);

	d = &conf->devs[3];
	assert_int_equal(d->id, CXLMEM_ID_CXL_SERIAL);
	assert_int_equal(d->num_serials, 3);
	assert_int_equal(d->serials[0], 0x10);
	assert_int_equal(d->serials[1], 17);
	assert_int_equal(d->serials[2], 0x12);
	cxlmem_conf_free(conf);
}

static void test_dropins_override_in_order(void **state)
{
	struct cxlmem_conf *conf;
	const struct cxlmem_conf_dev *d;
	char want[600];

	write_file("cxlmem.conf",
		   "[device a]\nhmem-range = 0x100000000-0x13fffffff\nzone = movable\nmemmap = on\n");
	/* strcmp order: 10-... before 9-...; not *.conf: ignored */
	write_file("conf.d/9-late.conf", "[device a]\nmemmap = off\n");
	write_file("conf.d/10-early.conf", "[device a]\nzone = normal\nmemmap = auto\n");
	write_file("conf.d/20-new.conf", "[device b]\nhmem-range = 8G+1G\n");
	write_file("conf.d/30-ignored.conf.disabled", "[device a]\nzone = bogus\n");
	write_file("conf.d/.hidden.conf", "[device a]\nzone = bogus\n");
	conf = load_ok();
	assert_int_equal(conf->num_files, 4);
	assert_int_equal(conf->num_devs, 2);
	d = &conf->devs[0];
	assert_int_equal(d->opts.zone, MHP_ZONE_POLICY_NORMAL);
	assert_int_equal(d->opts.memmap, MHP_MEMMAP_POLICY_OFF);
	assert_int_equal(d->start, 0x100000000ULL);
	snprintf(want, sizeof(want), "%s/conf.d/9-late.conf", dir);
	assert_string_equal(d->file, want);
	assert_int_equal(conf->devs[1].start, 0x200000000ULL);
	cxlmem_conf_free(conf);
}

static void test_unknown_key(void **state)
{
	write_file("cxlmem.conf", "[device a]\nhmem-range = 4G+1G\nzones = movable\n");
	load_fails_with("%s/cxlmem.conf:device a:zones: unknown key");
}

static void test_bad_values(void **state)
{
	write_file("cxlmem.conf",
		   "[device a]\nhmem-range = 4G+1G\nzone = fast\nmemmap = maybe\n"
		   "movable-ratio = 0\ndestroy-data = perhaps\n"
		   "[device b]\nhmem-range = 0x2000-0x1000\n"
		   "[device c]\nnvdimm-uuid = 5964c59e-e8f2-11f1-aad9\n"
		   "[device d]\ncxl-memdev-serial = 0x1, banana\n"
		   "[device e]\ncxl-root-decoder = region0\ncxl-hpa-range = 4G+1G\n"
		   "[device f]\nhmem-range =\n");
	load_fails_with("%s/cxlmem.conf:device a:zone: 'fast' is not one of auto, movable, normal, ratio");
	load_fails_with("%s/cxlmem.conf:device a:memmap: 'maybe' is not one of auto, on, off");
	load_fails_with("%s/cxlmem.conf:device a:movable-ratio: '0' is not");
	load_fails_with("%s/cxlmem.conf:device a:destroy-data: 'perhaps' is not yes or no");
	load_fails_with("%s/cxlmem.conf:device b:hmem-range: '0x2000-0x1000' is not a physical range");
	load_fails_with("%s/cxlmem.conf:device c:nvdimm-uuid: '5964c59e-e8f2-11f1-aad9' is not a UUID");
	load_fails_with("%s/cxlmem.conf:device d:cxl-memdev-serial: '0x1, banana'");
	load_fails_with("%s/cxlmem.conf:device e:cxl-root-decoder: 'region0' is not a CXL root decoder");
	load_fails_with("%s/cxlmem.conf:device f:hmem-range: empty value");
}

static void test_error_names_dropin(void **state)
{
	write_file("cxlmem.conf", "[device a]\nhmem-range = 4G+1G\n");
	write_file("conf.d/50-x.conf", "[device a]\nmemmap = sideways\n");
	load_fails_with("%s/conf.d/50-x.conf:device a:memmap: 'sideways'");
}

static void test_syntax_error(void **state)
{
	write_file("cxlmem.conf", "[device a\nhmem-range = 4G+1G\n");
	load_fails_with("syntax error in %s/cxlmem.conf (1)");
}

static void test_structure_errors(void **state)
{
	write_file("cxlmem.conf",
		   "zone = movable\n"
		   "[region0]\nhmem-range = 4G+1G\n"
		   "[device]\n"
		   "[device no-id]\nzone = movable\n"
		   "[device half]\ncxl-root-decoder = decoder0.0\n"
		   "[device other-half]\ncxl-hpa-range = 4G+1G\n"
		   "[device two]\nhmem-range = 4G+1G\nnvdimm-uuid = 5964c59e-e8f2-11f1-aad9-3b60dc6da48d\n"
		   "[device ratio]\nhmem-range = 4G+1G\nzone = ratio\n"
		   "[device movable-ratio]\nhmem-range = 4G+1G\nzone = movable\nmovable-ratio = 200\n");
	load_fails_with("%s/cxlmem.conf:zone: key outside any [device NAME] section");
	load_fails_with("%s/cxlmem.conf:[region0]: unknown section");
	load_fails_with("%s/cxlmem.conf:[device]: unknown section");
	load_fails_with("%s/cxlmem.conf:device no-id: names no device");
	load_fails_with("%s/cxlmem.conf:device half:cxl-root-decoder: needs cxl-hpa-range");
	load_fails_with("%s/cxlmem.conf:device other-half:cxl-hpa-range: needs cxl-root-decoder");
	load_fails_with("%s/cxlmem.conf:device two: more than one identity key");
	load_fails_with("%s/cxlmem.conf:device ratio:zone: 'ratio' needs movable-ratio");
	load_fails_with("%s/cxlmem.conf:device movable-ratio:movable-ratio: only applies with zone = auto or ratio, not movable");
}

static void test_example_is_valid(void **state)
{
	const char *example = getenv("CXLMEM_CONF_EXAMPLE");
	struct cxlmem_conf *conf;
	char cmd[1024];

	if (!example)
		skip();
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/cxlmem.conf'", example, dir);
	assert_int_equal(system(cmd), 0);
	conf = load_ok();
	assert_true(conf->num_devs >= 4);
	cxlmem_conf_free(conf);
}

/* ---- matching against tests/fixtures ---- */

static struct mhp_ctx *fixture(const char *topo)
{
	const char *root = getenv("MHP_FIXTURES");
	struct mhp_ctx *ctx;
	char path[512];

	assert_non_null(root);
	/* a topology name, or the path of a copied tree */
	snprintf(path, sizeof(path), "%s/%s", topo[0] == '/' ? "" : root, topo);
	assert_int_equal(mhp_new(&ctx), 0);
	mhp_set_log_priority(ctx, LOG_CRIT);
	assert_int_equal(mhp_set_sysroot(ctx, path), 0);
	return ctx;
}

/* The section of @text that names dax0.0 of @topo, by name, or NULL. */
static const char *match_dax0(const char *topo, const char *text, int *rc)
{
	static char name[64];
	const struct cxlmem_conf_dev *e;
	struct cxlmem_conf *conf;
	struct mhp_ctx *ctx = fixture(topo);
	struct mhp_dax_dev *dev;

	write_file("cxlmem.conf", text);
	conf = load_ok();
	dev = mhp_dax_dev_get_by_name(ctx, "dax0.0");
	assert_non_null(dev);
	*rc = cxlmem_conf_match(ctx, conf, dev, capture, NULL, &e);
	snprintf(name, sizeof(name), "%s", e ? e->name : "");
	cxlmem_conf_free(conf);
	mhp_unref(ctx);
	return e ? name : NULL;
}

#define ASSERT_MATCH(topo, text, want) do {				\
	int rc_;							\
	const char *got_ = match_dax0(topo, text, &rc_);		\
	assert_int_equal(rc_, 0);					\
	if (want)							\
		assert_string_equal(got_ ? got_ : "(none)", (const char *)(want));	\
	else								\
		assert_null(got_);					\
} while (0)

static void test_match_hmem_range(void **state)
{
	ASSERT_MATCH("hmem", "[device h]\nhmem-range = 0x100000000-0x13fffffff\n", "h");
	ASSERT_MATCH("hmem", "[device h]\nhmem-range = 4G+1G\n", "h");
	/* one byte short, or a different start: not this device */
	ASSERT_MATCH("hmem", "[device h]\nhmem-range = 0x100000000-0x13ffffffe\n", NULL);
	ASSERT_MATCH("hmem", "[device h]\nhmem-range = 0x100200000+1G\n", NULL);
	/* the same range named as a CXL region or a namespace is not hmem */
	ASSERT_MATCH("hmem", "[device c]\ncxl-root-decoder = decoder0.0\ncxl-hpa-range = 4G+1G\n",
		     NULL);
}

static void test_match_cxl_region(void **state)
{
	ASSERT_MATCH("cxl-pmem",
		     "[device c]\ncxl-root-decoder = decoder0.0\ncxl-hpa-range = 0x110000000-0x12fffffff\n",
		     "c");
	ASSERT_MATCH("cxl-pmem",
		     "[device c]\ncxl-root-decoder = decoder0.1\ncxl-hpa-range = 0x110000000-0x12fffffff\n",
		     NULL);
	ASSERT_MATCH("cxl-pmem",
		     "[device c]\ncxl-root-decoder = decoder0.0\ncxl-hpa-range = 0x110000000+256M\n",
		     NULL);
	/* the dax device's own range is not the region's */
	ASSERT_MATCH("cxl-pmem", "[device h]\nhmem-range = 0x110200000+510M\n", NULL);
}

static void test_match_memdev_serial(void **state)
{
	ASSERT_MATCH("cxl-pmem", "[device s]\ncxl-memdev-serial = 0x0\n", "s");
	ASSERT_MATCH("cxl-pmem", "[device s]\ncxl-memdev-serial = 1\n", NULL);
	/* the region must span exactly the listed memdevs */
	ASSERT_MATCH("cxl-pmem", "[device s]\ncxl-memdev-serial = 0, 1\n", NULL);
}

static void test_match_nvdimm_uuid(void **state)
{
	/* cxl-pmem: the namespace label's uuid and the dax info block's */
	ASSERT_MATCH("cxl-pmem", "[device n]\nnvdimm-uuid = 6125f61a-93c0-489b-ad6c-3972a21c904b\n",
		     "n");
	ASSERT_MATCH("cxl-pmem", "[device n]\nnvdimm-uuid = 8B82B5CD-5D11-4393-ACDB-23EC1F26B699\n",
		     "n");
	/* legacy e820 pmem has no label; ndctl shows the info block's uuid */
	ASSERT_MATCH("legacy-pmem", "[device n]\nnvdimm-uuid = 5964c59e-e8f2-11f1-aad9-3b60dc6da48d\n",
		     "n");
	ASSERT_MATCH("legacy-pmem", "[device n]\nnvdimm-uuid = 6125f61a-93c0-489b-ad6c-3972a21c904b\n",
		     NULL);
	ASSERT_MATCH("hmem", "[device n]\nnvdimm-uuid = 5964c59e-e8f2-11f1-aad9-3b60dc6da48d\n", NULL);
}

/*
 * The uuid files are read below the sysroot: a link out of the tree is not
 * followed, so it cannot make a device match. (conf.c once read them with
 * fopen() on sysroot-prefixed paths, which followed such a link.)
 */
static void test_match_uuid_link_out_of_tree(void **state)
{
	static const char *ns_uuid = "/sys/devices/platform/ACPI0017:00/root0/nvdimm-bridge0/"
				     "ndbus0/region0/namespace0.0/uuid";
	const char *cfg = "[device n]\nnvdimm-uuid = 6125f61a-93c0-489b-ad6c-3972a21c904b\n";
	char tree[600], cmd[1400], file[700], outside[700];

	snprintf(tree, sizeof(tree), "%s/tree", dir);
	snprintf(cmd, sizeof(cmd), "cp -a '%s/cxl-pmem' '%s'", getenv("MHP_FIXTURES"), tree);
	assert_int_equal(system(cmd), 0);
	ASSERT_MATCH(tree, cfg, "n");	/* the copy matches as the capture does */
	snprintf(file, sizeof(file), "%s%s", tree, ns_uuid);
	snprintf(outside, sizeof(outside), "%s/outside-uuid", dir);
	write_file("outside-uuid", "6125f61a-93c0-489b-ad6c-3972a21c904b\n");
	assert_int_equal(unlink(file), 0);
	assert_int_equal(symlink(outside, file), 0);
	ASSERT_MATCH(tree, cfg, NULL);
}

static void test_match_picks_the_right_section(void **state)
{
	ASSERT_MATCH("legacy-pmem",
		     "[device h]\nhmem-range = 4G+1G\n"
		     "[device n]\nnvdimm-uuid = 5964c59e-e8f2-11f1-aad9-3b60dc6da48d\n"
		     "[device s]\ncxl-memdev-serial = 0\n",
		     "n");
}

static void test_match_ambiguous(void **state)
{
	int rc;

	assert_null(match_dax0("cxl-pmem",
			       "[device one]\ncxl-memdev-serial = 0\n"
			       "[device two]\nnvdimm-uuid = 6125f61a-93c0-489b-ad6c-3972a21c904b\n",
			       &rc));
	assert_int_equal(rc, -EEXIST);
	assert_non_null(strstr(messages, "dax0.0 is named by both [device one]"));
}

static void test_count_matches(void **state)
{
	struct mhp_ctx *ctx = fixture("hmem");
	struct cxlmem_conf *conf;

	write_file("cxlmem.conf", "[device h]\nhmem-range = 4G+1G\n[device x]\nhmem-range = 8G+1G\n");
	conf = load_ok();
	assert_int_equal(cxlmem_conf_count_matches(ctx, &conf->devs[0]), 1);
	assert_int_equal(cxlmem_conf_count_matches(ctx, &conf->devs[1]), 0);
	cxlmem_conf_free(conf);
	mhp_unref(ctx);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_nothing_configured),
		T(test_valid),
		T(test_dropins_override_in_order),
		T(test_unknown_key),
		T(test_bad_values),
		T(test_error_names_dropin),
		T(test_syntax_error),
		T(test_structure_errors),
		T(test_example_is_valid),
		T(test_match_hmem_range),
		T(test_match_cxl_region),
		T(test_match_memdev_serial),
		T(test_match_nvdimm_uuid),
		T(test_match_uuid_link_out_of_tree),
		T(test_match_picks_the_right_section),
		T(test_match_ambiguous),
		T(test_count_matches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
