// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * DAX devices and their provenance. On the live system libdaxctl
 * enumerates the devices and reports size, resource, align and target
 * node; below a sysroot (a captured tree) the same attributes are read
 * from sysfs. Attributes libdaxctl 76 does not know (the memmap_on_memory
 * knob, the bound driver's name, the provenance chain) always come from
 * sysfs.
 */
#include <daxctl/libdaxctl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "ctx.h"

struct mhp_dax_dev {
	struct mhp_ctx *ctx;
	struct mhp_dax_dev *next;
	char name[32];
	char region[32];
	uint64_t resource;
	uint64_t size;
	uint64_t align;
	int target_node;
	enum mhp_dax_driver driver;
	int memmap_knob;
	int multi_range;	/* mapping1 exists: 1, 0, -1 until looked at */
	enum mhp_provenance prov;
	char chain[256];
	char cxl_region[32];
	bool persistent;
	/* libdaxctl's object on the live system (owned by ctx->daxctl), else NULL */
	struct daxctl_dev *dd;
};

static const char *const driver_names[] = {
	[MHP_DAX_DRIVER_NONE] = "none",
	[MHP_DAX_DRIVER_DEVICE_DAX] = "device_dax",
	[MHP_DAX_DRIVER_KMEM] = "kmem",
	[MHP_DAX_DRIVER_OTHER] = "other",
};

static const char *const prov_names[] = {
	[MHP_PROV_UNKNOWN] = "unknown",
	[MHP_PROV_CXL_REGION] = "cxl-region",
	[MHP_PROV_CXL_PMEM] = "cxl-pmem",
	[MHP_PROV_HMEM] = "hmem",
	[MHP_PROV_NVDIMM] = "nvdimm",
};

MHP_EXPORT const char *mhp_dax_driver_name(enum mhp_dax_driver drv)
{
	return drv < ARRAY_SIZE(driver_names) ? driver_names[drv] : "unknown";
}

MHP_EXPORT const char *mhp_provenance_name(enum mhp_provenance prov)
{
	return prov < ARRAY_SIZE(prov_names) ? prov_names[prov] : "unknown";
}

static bool has_prefix_num(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 && s[n] >= '0' && s[n] <= '9';
}

/*
 * Classify the device by its place in the device tree, e.g.
 *   /sys/devices/platform/hmem.0/dax0.0                          hmem
 *   .../ACPI0017:00/root0/decoder0.0/region0/dax_region0/dax0.0  CXL RAM
 *   .../root0/nvdimm-bridge0/ndbus1/region1/dax1.0/dax1.0        CXL pmem
 *   .../ndbus0/region0/dax0.0/dax0.0                             nvdimm
 * The chain shown starts at the first hmem, CXL region or nvdimm bus.
 */
void mhp_dax_classify(const char *devpath, enum mhp_provenance *prov,
		      char *chain, size_t chain_len, char *cxl_region,
		      size_t cxl_len, bool *persistent);
void mhp_dax_classify(const char *devpath, enum mhp_provenance *prov,
		      char *chain, size_t chain_len, char *cxl_region,
		      size_t cxl_len, bool *persistent)
{
	char *copy = strdup(devpath), *tok, *save, prev[64] = "";
	bool started = false, cxl_bus = false, nd_bus = false, bridge = false;
	size_t used = 0;

	*prov = MHP_PROV_UNKNOWN;
	*persistent = false;
	chain[0] = '\0';
	cxl_region[0] = '\0';
	if (!copy)
		return;
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (has_prefix_num(tok, "root") || has_prefix_num(tok, "decoder") ||
		    strncmp(tok, "ACPI0017", 8) == 0)
			cxl_bus = true;
		if (has_prefix_num(tok, "hmem.") || strncmp(tok, "hmem", 4) == 0) {
			if (*prov == MHP_PROV_UNKNOWN)
				*prov = MHP_PROV_HMEM;
			started = true;
		} else if (has_prefix_num(tok, "nvdimm-bridge")) {
			bridge = true;
		} else if (has_prefix_num(tok, "region") && cxl_bus && !nd_bus &&
			   !cxl_region[0]) {
			snprintf(cxl_region, cxl_len, "%s", tok);
			*prov = MHP_PROV_CXL_REGION;
			started = true;
		} else if (has_prefix_num(tok, "pmem_region")) {
			*prov = MHP_PROV_CXL_PMEM;
			*persistent = true;
		} else if (has_prefix_num(tok, "ndbus")) {
			nd_bus = true;
			if (*prov != MHP_PROV_CXL_PMEM)
				*prov = bridge ? MHP_PROV_CXL_PMEM : MHP_PROV_NVDIMM;
			*persistent = true;
			started = true;
		}
		/* nvdimm dax devices sit below a same-named nd_dax device */
		if (!started || strcmp(tok, prev) == 0)
			continue;
		used += snprintf(chain + used, used < chain_len ? chain_len - used : 0,
				 "%s%s", used ? " -> " : "", tok);
		snprintf(prev, sizeof(prev), "%s", tok);
	}
	free(copy);
}

static enum mhp_dax_driver read_driver(struct mhp_ctx *ctx, const char *name)
{
	char drv[64];

	if (mhp_read_link_name(ctx, drv, sizeof(drv), "/sys/bus/dax/devices/%s/driver",
			       name) < 0)
		return MHP_DAX_DRIVER_NONE;
	if (strcmp(drv, "device_dax") == 0)
		return MHP_DAX_DRIVER_DEVICE_DAX;
	if (strcmp(drv, "kmem") == 0)
		return MHP_DAX_DRIVER_KMEM;
	return MHP_DAX_DRIVER_OTHER;
}

static int read_dynamic(struct mhp_dax_dev *d)
{
	struct mhp_ctx *ctx = d->ctx;
	char buf[16];

	d->driver = read_driver(ctx, d->name);
	d->memmap_knob = -1;
	if (mhp_read_attr(ctx, buf, sizeof(buf), "/sys/bus/dax/devices/%s/memmap_on_memory",
			  d->name) > 0)
		d->memmap_knob = buf[0] == '1' || buf[0] == 'Y' || buf[0] == 'y';
	return 0;
}

/*
 * target_node is fixed when the device is created (the region's target),
 * so it is read once; libdaxctl has already read it on the live system.
 */
static int read_target_node(struct mhp_dax_dev *d)
{
	struct mhp_ctx *ctx = d->ctx;
	int rc;

	if (d->dd) {
		d->target_node = daxctl_dev_get_target_node(d->dd);
	} else {
		/* target_node is absent without CONFIG_NUMA */
		rc = mhp_read_int_opt(ctx, &d->target_node,
				      "/sys/bus/dax/devices/%s/target_node", d->name);
		if (rc == -ENOENT)
			d->target_node = -1;
		else if (rc < 0)
			return rc;
	}
	if (d->target_node < -1 || d->target_node >= MHP_MAX_NUMNODES)
		return mhp_fail(ctx, -ERANGE, "%s: target_node %d is not a node id "
				"(-1 or below %d)", d->name, d->target_node,
				MHP_MAX_NUMNODES);
	return 0;
}

/*
 * A device must lie below MHP_PHYS_ADDR_LIMIT: a size such as 2^63 - 1
 * comes from a corrupt tree and would make the planner walk 2^36 blocks.
 */
static int check_range(struct mhp_dax_dev *d)
{
	uint64_t start = d->resource == UINT64_MAX ? 0 : d->resource;

	if (d->size <= MHP_PHYS_ADDR_LIMIT && start <= MHP_PHYS_ADDR_LIMIT - d->size)
		return 0;
	return mhp_fail(d->ctx, -ERANGE, "%s: resource 0x%" PRIx64 " size 0x%" PRIx64
			" reaches beyond the 2^%d bytes of physical address space any "
			"supported architecture has; the device tree is corrupt",
			d->name, start, d->size, MHP_PHYS_ADDR_BITS);
}

/* sysroot path: the attributes libdaxctl would report */
static int read_static_sysfs(struct mhp_dax_dev *d)
{
	struct mhp_ctx *ctx = d->ctx;
	const char *n = d->name;
	int rc;

	rc = mhp_read_u64(ctx, &d->size, false, "/sys/bus/dax/devices/%s/size", n);
	if (rc < 0)
		return rc;
	/* resource and align are absent before 5.x kernels and in old captures */
	d->resource = UINT64_MAX;
	rc = mhp_read_u64_opt(ctx, &d->resource, false, "/sys/bus/dax/devices/%s/resource", n);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	d->align = 0;
	rc = mhp_read_u64_opt(ctx, &d->align, false, "/sys/bus/dax/devices/%s/align", n);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	return 0;
}

static int dev_add(struct mhp_ctx *ctx, struct mhp_dax_dev ***tail, const char *name,
		   struct daxctl_dev *dd)
{
	char devpath[MHP_PATH_MAX];
	struct mhp_dax_dev *d;
	int rc;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->ctx = ctx;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->dd = dd;
	d->multi_range = -1;
	if (dd) {
		unsigned long long res = daxctl_dev_get_resource(dd);

		d->size = daxctl_dev_get_size(dd);
		d->resource = (res == 0 || res == ULLONG_MAX) ? UINT64_MAX : res;
		d->align = daxctl_dev_get_align(dd);
		rc = 0;
	} else {
		rc = read_static_sysfs(d);
	}
	if (rc == 0)
		rc = check_range(d);
	if (rc == 0)
		rc = read_target_node(d);
	if (rc == 0)
		rc = read_dynamic(d);
	if (rc < 0) {
		free(d);
		return rc;
	}
	if (mhp_device_path(ctx, devpath, sizeof(devpath), "/sys/bus/dax/devices/%s", name) == 0) {
		char *slash;

		mhp_dax_classify(devpath, &d->prov, d->chain, sizeof(d->chain),
				 d->cxl_region, sizeof(d->cxl_region), &d->persistent);
		/*
		 * The parent directory is the dax region; nvdimm dax devices sit
		 * below a same-named nd_dax device, whose parent is the nd region.
		 */
		for (;;) {
			slash = strrchr(devpath, '/');
			if (!slash)
				break;
			*slash = '\0';
			slash = strrchr(devpath, '/');
			if (strcmp(slash ? slash + 1 : devpath, name) != 0)
				break;
		}
		slash = strrchr(devpath, '/');
		snprintf(d->region, sizeof(d->region), "%s", slash ? slash + 1 : devpath);
	}
	**tail = d;
	*tail = &d->next;
	return 0;
}

static int scan_sysfs(struct mhp_ctx *ctx, struct mhp_dax_dev ***tail)
{
	char **names;
	size_t nr, i;
	int rc;

	rc = mhp_dir_list(ctx, NULL, &names, &nr, "/sys/bus/dax/devices");
	if (rc == -ENOENT)
		return 0;	/* no dax bus: no devices */
	for (i = 0; i < nr && rc == 0; i++)
		rc = dev_add(ctx, tail, names[i], NULL);
	mhp_dir_list_free(names, nr);
	return rc;
}

static int scan_daxctl(struct mhp_ctx *ctx, struct mhp_dax_dev ***tail)
{
	struct daxctl_region *region;
	struct daxctl_dev *dev;
	int rc;

	if (!ctx->daxctl) {
		rc = daxctl_new(&ctx->daxctl);
		if (rc < 0)
			return mhp_fail(ctx, rc, "libdaxctl initialisation failed: %s",
					strerror(-rc));
		daxctl_set_log_priority(ctx->daxctl, mhp_get_log_priority(ctx));
	}
	daxctl_region_foreach(ctx->daxctl, region)
		daxctl_dev_foreach(region, dev) {
			const char *name = daxctl_dev_get_devname(dev);

			/* a region's seed device of size 0 is not a source */
			if (!name || daxctl_dev_get_size(dev) == 0)
				continue;
			rc = dev_add(ctx, tail, name, dev);
			if (rc < 0)
				return rc;
		}
	return 0;
}

/*
 * A CXL pmem region reaches dax through the nvdimm bridge, so the device
 * tree does not name the region: match it by address.
 */
static void link_cxl_pmem(struct mhp_ctx *ctx)
{
	struct mhp_cxl_region *r;
	struct mhp_dax_dev *d;

	for (d = ctx->dax_devs; d; d = d->next) {
		char chain[sizeof(d->chain)];

		if (d->prov != MHP_PROV_CXL_PMEM || d->cxl_region[0] ||
		    d->resource == UINT64_MAX)
			continue;
		for (r = mhp_cxl_region_get_first(ctx); r; r = mhp_cxl_region_get_next(r)) {
			uint64_t start = mhp_cxl_region_get_resource(r);
			uint64_t size = mhp_cxl_region_get_size(r);

			if (start == UINT64_MAX || d->resource < start ||
			    d->resource + d->size > start + size)
				continue;
			snprintf(d->cxl_region, sizeof(d->cxl_region), "%s",
				 mhp_cxl_region_get_name(r));
			snprintf(chain, sizeof(chain), "%s -> %s -> %s", d->cxl_region,
				 mhp_cxl_region_get_dax_region(r) ?
				 mhp_cxl_region_get_dax_region(r) : "pmem_region", d->chain);
			snprintf(d->chain, sizeof(d->chain), "%s", chain);
			break;
		}
	}
	mhp_clear_error(ctx);
}

static int scan(struct mhp_ctx *ctx)
{
	struct mhp_dax_dev **tail = &ctx->dax_devs;
	int rc;

	ctx->dax_scanned = true;
	rc = mhp_is_live(ctx) ? scan_daxctl(ctx, &tail) : scan_sysfs(ctx, &tail);
	if (rc == 0)
		link_cxl_pmem(ctx);
	return rc;
}

void mhp_dax_free(struct mhp_ctx *ctx)
{
	while (ctx->dax_devs) {
		struct mhp_dax_dev *d = ctx->dax_devs;

		ctx->dax_devs = d->next;
		free(d);
	}
	ctx->dax_scanned = false;
	if (ctx->daxctl)
		daxctl_unref(ctx->daxctl);
	ctx->daxctl = NULL;
}

MHP_EXPORT struct mhp_dax_dev *mhp_dax_dev_get_first(struct mhp_ctx *ctx)
{
	mhp_clear_error(ctx);
	if (!ctx->dax_scanned && scan(ctx) < 0)
		return NULL;
	return ctx->dax_devs;
}

MHP_EXPORT struct mhp_dax_dev *mhp_dax_dev_get_next(struct mhp_dax_dev *d)
{
	return d->next;
}

MHP_EXPORT struct mhp_dax_dev *mhp_dax_dev_get_by_name(struct mhp_ctx *ctx,
						       const char *name)
{
	struct mhp_dax_dev *d;

	mhp_dax_dev_foreach(ctx, d)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

MHP_EXPORT int mhp_dax_dev_refresh(struct mhp_dax_dev *d)
{
	/* a resize (of an unbound device) may have added or dropped a range */
	d->multi_range = -1;
	return read_dynamic(d);
}

/*
 * The memory blocks [first, end) kmem makes of @d: its range trimmed
 * inward to whole blocks of @block_size. The one place this is computed.
 * -ENXIO when the range is unknown (resource is readable by root only).
 * -EOPNOTSUPP, nothing recorded, when the device has more than one
 * physical range (mapping1 exists, e.g. a dynamic CXL dax region):
 * resource is the first range's start and size the sum, so the span
 * would take in whatever lies between the ranges.
 */
int mhp_dax_dev_block_range(const struct mhp_dax_dev *d, uint64_t block_size,
			    uint64_t *first, uint64_t *end)
{
	if (d->resource == UINT64_MAX || !block_size)
		return -ENXIO;
	/*
	 * multi_range caches a fact of the device, looked up on first use
	 * (planning, applying and listing each ask): the object is logically
	 * unchanged, so callers keep their const.
	 */
	if (d->multi_range < 0)
		((struct mhp_dax_dev *)d)->multi_range =
			mhp_exists(d->ctx, "/sys/bus/dax/devices/%s/mapping1", d->name);
	if (d->multi_range)
		return -EOPNOTSUPP;
	*first = DIV_ROUND_UP(d->resource, block_size);
	*end = (d->resource + d->size) / block_size;
	if (*end < *first)
		*end = *first;
	return 0;
}

/*
 * Detach @d from its driver through libdaxctl. daxctl_dev_disable() is
 * exactly the step a driver move needs, and the same in ndctl 76.1 and 81:
 * remove_id, then unbind, on the bound driver, then a check that the
 * device is free. (Its counterpart daxctl_dev_enable_ram() is not used:
 * it asks libkmod to insert "kmem", which fails where kmem is built in
 * and modules.builtin is missing, and it returns 0 without doing anything
 * for a device another driver holds.) -EOPNOTSUPP below a sysroot, where
 * libdaxctl does not back the device: the caller writes the files itself.
 */
int mhp_dax_dev_disable(struct mhp_dax_dev *d)
{
	int rc;

	if (!d->dd)
		return -EOPNOTSUPP;
	rc = daxctl_dev_disable(d->dd);
	read_dynamic(d);
	if (rc < 0)
		return mhp_fail(d->ctx, rc, "libdaxctl could not detach %s from its driver: %s",
				d->name, strerror(-rc));
	return 0;
}

MHP_EXPORT const char *mhp_dax_dev_get_name(const struct mhp_dax_dev *d)
{
	return d->name;
}

MHP_EXPORT const char *mhp_dax_dev_get_region(const struct mhp_dax_dev *d)
{
	return d->region[0] ? d->region : NULL;
}

MHP_EXPORT uint64_t mhp_dax_dev_get_resource(const struct mhp_dax_dev *d)
{
	return d->resource;
}

MHP_EXPORT uint64_t mhp_dax_dev_get_size(const struct mhp_dax_dev *d)
{
	return d->size;
}

MHP_EXPORT uint64_t mhp_dax_dev_get_align(const struct mhp_dax_dev *d)
{
	return d->align;
}

MHP_EXPORT int mhp_dax_dev_get_target_node(const struct mhp_dax_dev *d)
{
	return d->target_node;
}

MHP_EXPORT enum mhp_dax_driver mhp_dax_dev_get_driver(const struct mhp_dax_dev *d)
{
	return d->driver;
}

MHP_EXPORT int mhp_dax_dev_get_memmap_on_memory(const struct mhp_dax_dev *d)
{
	return d->memmap_knob;
}

MHP_EXPORT enum mhp_provenance mhp_dax_dev_get_provenance(const struct mhp_dax_dev *d)
{
	return d->prov;
}

MHP_EXPORT const char *mhp_dax_dev_get_provenance_chain(const struct mhp_dax_dev *d)
{
	return d->chain;
}

MHP_EXPORT const char *mhp_dax_dev_get_cxl_region(const struct mhp_dax_dev *d)
{
	return d->cxl_region[0] ? d->cxl_region : NULL;
}

MHP_EXPORT bool mhp_dax_dev_is_persistent(const struct mhp_dax_dev *d)
{
	return d->persistent;
}
