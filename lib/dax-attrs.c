// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Dax attributes that planning does not use but daxctl's JSON shows: the
 * device's mappings, its region's size, available size and align, and the
 * uuid of the nvdimm namespace behind it. Read when asked, below the
 * sysroot, through sysfs.c like every other access.
 */
#include <string.h>

#include "private.h"
#include "ctx.h"

MHP_EXPORT int mhp_dax_dev_get_mapping(struct mhp_ctx *ctx, const struct mhp_dax_dev *d,
				       unsigned int n, uint64_t *page_offset,
				       uint64_t *start, uint64_t *end)
{
	const char *name = mhp_dax_dev_get_name(d);
	int rc;

	if (!mhp_exists(ctx, "/sys/bus/dax/devices/%s/mapping%u", name, n))
		return -ENOENT;
	rc = mhp_read_u64(ctx, page_offset, false, "/sys/bus/dax/devices/%s/mapping%u/page_offset",
			  name, n);
	if (rc == 0)
		rc = mhp_read_u64(ctx, start, false, "/sys/bus/dax/devices/%s/mapping%u/start",
				  name, n);
	if (rc == 0)
		rc = mhp_read_u64(ctx, end, false, "/sys/bus/dax/devices/%s/mapping%u/end", name, n);
	return rc;
}

MHP_EXPORT int mhp_dax_dev_get_region_path(struct mhp_ctx *ctx, const struct mhp_dax_dev *d,
					   char *buf, size_t len)
{
	char *slash;
	int rc;

	rc = mhp_device_path(ctx, buf, len, "/sys/bus/dax/devices/%s", mhp_dax_dev_get_name(d));
	if (rc < 0)
		return rc;
	slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return -ENOENT;
	*slash = '\0';
	return 0;
}

MHP_EXPORT int mhp_dax_dev_get_region_attr(struct mhp_ctx *ctx, const struct mhp_dax_dev *d,
					   enum mhp_dax_region_attr attr, uint64_t *val)
{
	static const char *const files[] = {
		[MHP_DAX_REGION_SIZE] = "size",
		[MHP_DAX_REGION_AVAILABLE_SIZE] = "available_size",
		[MHP_DAX_REGION_ALIGN] = "align",
	};
	char region[MHP_PATH_MAX];
	int rc;

	if ((unsigned int)attr >= ARRAY_SIZE(files))
		return -EINVAL;
	rc = mhp_dax_dev_get_region_path(ctx, d, region, sizeof(region));
	if (rc < 0)
		return rc;
	return mhp_read_u64_opt(ctx, val, false, "%s/dax_region/%s", region, files[attr]);
}

MHP_EXPORT int mhp_dax_dev_get_nvdimm_uuid(struct mhp_ctx *ctx, const struct mhp_dax_dev *d,
					   char *buf, size_t len)
{
	char region[MHP_PATH_MAX];
	int rc;

	rc = mhp_dax_dev_get_region_path(ctx, d, region, sizeof(region));
	if (rc < 0)
		return rc;
	rc = mhp_read_attr(ctx, buf, len, "%s/uuid", region);
	if (rc < 0)
		return rc;
	return buf[0] ? 0 : -ENOENT;
}

MHP_EXPORT int mhp_dax_dev_get_nvdimm_namespace_uuid(struct mhp_ctx *ctx,
						     const struct mhp_dax_dev *d,
						     char *buf, size_t len)
{
	char region[MHP_PATH_MAX], ns[64];
	int rc;

	rc = mhp_dax_dev_get_region_path(ctx, d, region, sizeof(region));
	if (rc < 0)
		return rc;
	/* the nd dax device names its namespace, a sibling below the nd region */
	rc = mhp_read_attr(ctx, ns, sizeof(ns), "%s/namespace", region);
	if (rc < 0)
		return rc;
	if (!ns[0] || strchr(ns, '/') || strcmp(ns, "..") == 0)
		return -ENOENT;
	rc = mhp_read_attr(ctx, buf, len, "%s/../%s/uuid", region, ns);
	if (rc < 0)
		return rc;
	return buf[0] ? 0 : -ENOENT;
}
