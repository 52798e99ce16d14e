// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One resolver for what commands act on: all, daxX.Y, /dev/daxX.Y, a CXL
 * regionN, a dax region (dax_regionN, or its id as daxctl's -r takes it).
 * A CXL region and a dax region are different things with similar names:
 * region0 is the CXL region, dax_region0 the dax region whose devices are
 * dax0.*, whatever created it (CXL, hmem, nvdimm).
 */
#include <stdlib.h>
#include <string.h>

#include "private.h"

/* A growing array of device pointers; no limit but memory. */
struct dev_set {
	struct mhp_dax_dev **devs;
	size_t nr, cap;
};

static int set_add(struct dev_set *s, struct mhp_dax_dev *d)
{
	if (s->nr == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct mhp_dax_dev **n = realloc(s->devs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->devs = n;
		s->cap = cap;
	}
	s->devs[s->nr++] = d;
	return 0;
}

/* Parse "N" (all digits, no sign, no overflow past INT_MAX) into *id. */
static bool parse_id(const char *s, int *id)
{
	long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > 0x7fffffff)
			return false;
	}
	*id = (int)v;
	return true;
}

/*
 * The kernel names a dax device dax<region id>.<instance>: the region id
 * of the device, or -1 for a name of another form.
 */
static int dax_region_id(const char *name)
{
	char buf[32];
	const char *dot;
	int id;

	if (strncmp(name, "dax", 3) != 0)
		return -1;
	dot = strchr(name + 3, '.');
	if (!dot || (size_t)(dot - name - 3) >= sizeof(buf))
		return -1;
	memcpy(buf, name + 3, (size_t)(dot - name - 3));
	buf[dot - name - 3] = '\0';
	return parse_id(buf, &id) ? id : -1;
}

bool mhp_target_is_dax_dev(const char *target)
{
	if (strncmp(target, "/dev/", 5) == 0)
		target += 5;
	return dax_region_id(target) >= 0;
}

/* Append @name to @buf as an item of a ", " list, stopping politely when full. */
static void list_item(char *buf, size_t len, unsigned int *n, const char *name)
{
	size_t used = strlen(buf);

	if (*n == 32 || used + strlen(name) + 16 >= len) {
		if (*n != 32 && used + 6 < len)
			strcat(buf, ", ...");
		*n = 32;
		return;
	}
	snprintf(buf + used, len - used, "%s%s", (*n)++ ? ", " : "", name);
}

/* What the system has, for the error about an unknown target. */
static void describe_targets(struct mhp_ctx *ctx, char *buf, size_t len)
{
	char devs[160] = "", cxl[96] = "", regions[96] = "", name[32];
	unsigned int nd = 0, nc = 0, nr = 0;
	int last = -1;
	struct mhp_cxl_region *r;
	struct mhp_dax_dev *d;

	mhp_dax_dev_foreach(ctx, d) {
		int id = dax_region_id(mhp_dax_dev_get_name(d));

		list_item(devs, sizeof(devs), &nd, mhp_dax_dev_get_name(d));
		/* devices come sorted by name, so one region's come together */
		if (id >= 0 && id != last) {
			snprintf(name, sizeof(name), "dax_region%d", id);
			list_item(regions, sizeof(regions), &nr, name);
			last = id;
		}
	}
	mhp_cxl_region_foreach(ctx, r)
		list_item(cxl, sizeof(cxl), &nc, mhp_cxl_region_get_name(r));
	snprintf(buf, len, "here: dax devices %s; CXL regions %s; dax regions %s",
		 nd ? devs : "none", nc ? cxl : "none", nr ? regions : "none");
}

/* @what is NULL when @target has none of the accepted forms. */
static int unknown_target(struct mhp_ctx *ctx, const char *target, const char *what)
{
	char have[400];

	describe_targets(ctx, have, sizeof(have));
	if (!what)
		return mhp_fail(ctx, -ENODEV, "'%s' is not a target: give all, daxX.Y, "
				"/dev/daxX.Y, regionN (a CXL region) or dax_regionN (a dax "
				"region) (%s)", target, have);
	return mhp_fail(ctx, -ENODEV, "there is no %s '%s' (%s)", what, target, have);
}

/* Did the dax device scan fail (rather than find nothing)? */
static int dax_scan_error(struct mhp_ctx *ctx)
{
	char why[256];

	if (mhp_dax_dev_get_first(ctx) || !mhp_get_last_error(ctx)[0])
		return 0;
	snprintf(why, sizeof(why), "%s", mhp_get_last_error(ctx));
	return mhp_fail(ctx, -EIO, "cannot discover the dax devices: %s", why);
}

static int add_dax_region(struct mhp_ctx *ctx, struct dev_set *s, int id)
{
	struct mhp_dax_dev *d;
	int rc;

	mhp_dax_dev_foreach(ctx, d) {
		if (dax_region_id(mhp_dax_dev_get_name(d)) != id)
			continue;
		rc = set_add(s, d);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int add_cxl_region(struct mhp_ctx *ctx, struct dev_set *s, const char *name)
{
	struct mhp_dax_dev *d;
	int rc;

	mhp_dax_dev_foreach(ctx, d) {
		const char *r = mhp_dax_dev_get_cxl_region(d);

		if (!r || strcmp(r, name) != 0)
			continue;
		rc = set_add(s, d);
		if (rc < 0)
			return rc;
	}
	if (s->nr || !mhp_cxl_region_get_by_name(ctx, name))
		return 0;
	return mhp_fail(ctx, -ENODEV, "CXL region %s has no dax device: a RAM region "
			"needs one from 'cxl create-region -t ram', a pmem region a devdax "
			"namespace from 'ndctl create-namespace -m devdax'", name);
}

static int add_all(struct mhp_ctx *ctx, struct dev_set *s)
{
	struct mhp_dax_dev *d;
	int rc;

	mhp_dax_dev_foreach(ctx, d) {
		rc = set_add(s, d);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Hand the set over, or free it on failure. */
static int set_result(struct dev_set *s, int rc, struct mhp_dax_dev ***devs, size_t *count)
{
	if (rc < 0) {
		free(s->devs);
		return rc;
	}
	*devs = s->devs;
	*count = s->nr;
	return 0;
}

MHP_EXPORT int mhp_resolve_target(struct mhp_ctx *ctx, const char *target,
				  struct mhp_dax_dev ***devs, size_t *count)
{
	struct dev_set s = { 0 };
	const char *name = target;
	struct mhp_dax_dev *d;
	int rc, id;

	*devs = NULL;
	*count = 0;
	if (!target || !*target)
		return mhp_fail(ctx, -EINVAL, "no target given: name all, daxX.Y, "
				"/dev/daxX.Y, regionN or dax_regionN");
	rc = dax_scan_error(ctx);
	if (rc < 0)
		return rc;
	if (strcmp(target, "all") == 0)
		return set_result(&s, add_all(ctx, &s), devs, count);
	if (strncmp(name, "/dev/", 5) == 0)
		name += 5;
	if (mhp_target_is_dax_dev(target)) {
		d = mhp_dax_dev_get_by_name(ctx, name);
		if (!d)
			return unknown_target(ctx, target, "dax device");
		rc = set_add(&s, d);
		return set_result(&s, rc, devs, count);
	}
	if (strncmp(target, "dax_region", 10) == 0 && parse_id(target + 10, &id))
		return mhp_resolve_dax_region(ctx, target, devs, count);
	if (strncmp(target, "region", 6) == 0 && parse_id(target + 6, &id)) {
		rc = add_cxl_region(ctx, &s, target);
		if (rc == 0 && !s.nr)
			rc = unknown_target(ctx, target, "CXL region");
		return set_result(&s, rc, devs, count);
	}
	return unknown_target(ctx, target, NULL);
}

MHP_EXPORT int mhp_resolve_dax_region(struct mhp_ctx *ctx, const char *region,
				      struct mhp_dax_dev ***devs, size_t *count)
{
	struct dev_set s = { 0 };
	int rc, id;

	*devs = NULL;
	*count = 0;
	if (!region || !(parse_id(region, &id) ||
			 (strncmp(region, "dax_region", 10) == 0 &&
			  parse_id(region + 10, &id))))
		return mhp_fail(ctx, -EINVAL, "'%s' does not name a dax region: give its "
				"id (0) or its name (dax_region0)", region ? region : "");
	rc = dax_scan_error(ctx);
	if (rc == 0)
		rc = add_dax_region(ctx, &s, id);
	if (rc == 0 && !s.nr)
		rc = unknown_target(ctx, region, "dax region");
	return set_result(&s, rc, devs, count);
}
