// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CXL memory devices and regions. libcxl enumerates them on the live
 * system; below a sysroot they are read from /sys/bus/cxl. ndctl 76 has
 * no RAM-region API (cxl_region_get_mode, cxl_region_get_daxctl_region
 * arrived in v77), so mode and dax region always come from sysfs.
 */
#include <cxl/libcxl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "ctx.h"

#define MAX_TARGETS	16

struct mhp_cxl_memdev {
	struct mhp_cxl_memdev *next;
	char name[32];
	uint64_t ram_size;
	uint64_t pmem_size;
	char serial[32];
	int numa_node;
};

struct mhp_cxl_region {
	struct mhp_ctx *ctx;
	struct mhp_cxl_region *next;
	char name[32];
	char mode[8];
	uint64_t resource;
	uint64_t size;
	unsigned int ways;
	unsigned int granularity;
	char decoder[32];
	char dax_region[32];
	unsigned int nr_targets;
	char targets[MAX_TARGETS][32];
	char target_memdevs[MAX_TARGETS][32];	/* "" when unknown */
};

static int cxl_lib(struct mhp_ctx *ctx)
{
	int rc;

	if (ctx->cxl)
		return 0;
	rc = cxl_new(&ctx->cxl);
	if (rc < 0)
		return mhp_fail(ctx, rc, "libcxl initialisation failed: %s", strerror(-rc));
	cxl_set_log_priority(ctx->cxl, mhp_get_log_priority(ctx));
	return 0;
}

/* ---- memdevs ---- */

/* 0 (or -1 for the node) when absent: a memdev may lack a partition */
static int memdev_sysfs_sizes(struct mhp_ctx *ctx, struct mhp_cxl_memdev *m)
{
	int rc;

	rc = mhp_read_u64_opt(ctx, &m->ram_size, false, "/sys/bus/cxl/devices/%s/ram/size",
			      m->name);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	rc = mhp_read_u64_opt(ctx, &m->pmem_size, false, "/sys/bus/cxl/devices/%s/pmem/size",
			      m->name);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	mhp_read_attr(ctx, m->serial, sizeof(m->serial), "/sys/bus/cxl/devices/%s/serial",
		      m->name);
	m->numa_node = -1;
	rc = mhp_read_int_opt(ctx, &m->numa_node, "/sys/bus/cxl/devices/%s/numa_node",
			      m->name);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	return 0;
}

static int scan_memdevs(struct mhp_ctx *ctx)
{
	struct mhp_cxl_memdev **tail = &ctx->memdevs, *m;
	char **names = NULL;
	size_t nr = 0, i;
	int rc;

	ctx->memdevs_scanned = true;
	if (mhp_is_live(ctx) && mhp_exists(ctx, "/sys/bus/cxl")) {
		struct cxl_memdev *md;

		rc = cxl_lib(ctx);
		if (rc < 0)
			return rc;
		cxl_memdev_foreach(ctx->cxl, md) {
			m = calloc(1, sizeof(*m));
			if (!m)
				return -ENOMEM;
			snprintf(m->name, sizeof(m->name), "%s", cxl_memdev_get_devname(md));
			m->ram_size = cxl_memdev_get_ram_size(md);
			m->pmem_size = cxl_memdev_get_pmem_size(md);
			snprintf(m->serial, sizeof(m->serial), "0x%llx",
				 cxl_memdev_get_serial(md));
			m->numa_node = cxl_memdev_get_numa_node(md);
			*tail = m;
			tail = &m->next;
		}
		return 0;
	}
	rc = mhp_dir_list(ctx, "mem", &names, &nr, "/sys/bus/cxl/devices");
	if (rc == -ENOENT)
		return 0;	/* no CXL bus */
	for (i = 0; i < nr && rc == 0; i++) {
		m = calloc(1, sizeof(*m));
		if (!m) {
			rc = -ENOMEM;
			break;
		}
		snprintf(m->name, sizeof(m->name), "%s", names[i]);
		*tail = m;
		tail = &m->next;
		rc = memdev_sysfs_sizes(ctx, m);
	}
	mhp_dir_list_free(names, nr);
	return rc;
}

MHP_EXPORT struct mhp_cxl_memdev *mhp_cxl_memdev_get_first(struct mhp_ctx *ctx)
{
	mhp_clear_error(ctx);
	if (!ctx->memdevs_scanned && scan_memdevs(ctx) < 0)
		return NULL;
	return ctx->memdevs;
}

MHP_EXPORT struct mhp_cxl_memdev *mhp_cxl_memdev_get_next(struct mhp_cxl_memdev *m)
{
	return m->next;
}

MHP_EXPORT const char *mhp_cxl_memdev_get_name(const struct mhp_cxl_memdev *m)
{
	return m->name;
}

MHP_EXPORT uint64_t mhp_cxl_memdev_get_ram_size(const struct mhp_cxl_memdev *m)
{
	return m->ram_size;
}

MHP_EXPORT uint64_t mhp_cxl_memdev_get_pmem_size(const struct mhp_cxl_memdev *m)
{
	return m->pmem_size;
}

MHP_EXPORT const char *mhp_cxl_memdev_get_serial(const struct mhp_cxl_memdev *m)
{
	return m->serial[0] ? m->serial : NULL;
}

MHP_EXPORT int mhp_cxl_memdev_get_numa_node(const struct mhp_cxl_memdev *m)
{
	return m->numa_node;
}

/* ---- regions ---- */

static int note_dax_region(struct mhp_ctx *ctx, const char *name, void *arg)
{
	struct mhp_cxl_region *r = arg;

	if (strncmp(name, "dax_region", 10) != 0 && strncmp(name, "pmem_region", 11) != 0)
		return 0;
	snprintf(r->dax_region, sizeof(r->dax_region), "%s", name);
	return 1;
}

/*
 * The memdev an endpoint decoder belongs to, or "": the decoder's parent
 * is the endpoint port, whose uport is the memdev. The parent is taken
 * from the resolved path, since paths below a sysroot are normalised
 * before they are opened and "decoderX.Y/.." would name the bus directory.
 */
static void target_memdev_sysfs(struct mhp_ctx *ctx, const char *decoder, char *buf,
				size_t len)
{
	char port[MHP_PATH_MAX], *slash;

	buf[0] = '\0';
	if (mhp_device_path(ctx, port, sizeof(port), "/sys/bus/cxl/devices/%s", decoder) < 0)
		return;
	slash = strrchr(port, '/');
	if (!slash || slash == port)
		return;
	*slash = '\0';
	if (mhp_read_link_name(ctx, buf, len, "%s/uport", port) < 0)
		buf[0] = '\0';
}

/* Region details libcxl 76 cannot give: mode, dax/pmem region child. */
static int region_sysfs_extra(struct mhp_ctx *ctx, struct mhp_cxl_region *r)
{
	int rc;

	mhp_read_attr(ctx, r->mode, sizeof(r->mode), "/sys/bus/cxl/devices/%s/mode", r->name);
	rc = mhp_dir_foreach(ctx, NULL, note_dax_region, r, "/sys/bus/cxl/devices/%s",
			     r->name);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	/* 6.1 regions have no mode attribute: infer it from the child */
	if (!r->mode[0] && r->dax_region[0])
		snprintf(r->mode, sizeof(r->mode), "%s",
			 r->dax_region[0] == 'd' ? "ram" : "pmem");
	return 0;
}

static int region_sysfs(struct mhp_ctx *ctx, struct mhp_cxl_region *r)
{
	const char *n = r->name;
	char path[MHP_PATH_MAX], *slash;
	unsigned int i;
	uint64_t v;
	int rc;

	/* a region being configured has no resource yet; sizes are optional */
	r->resource = UINT64_MAX;
	rc = mhp_read_u64_opt(ctx, &r->resource, false, "/sys/bus/cxl/devices/%s/resource", n);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	rc = mhp_read_u64_opt(ctx, &r->size, false, "/sys/bus/cxl/devices/%s/size", n);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	rc = mhp_read_u64_opt(ctx, &v, false, "/sys/bus/cxl/devices/%s/interleave_ways", n);
	if (rc == 0)
		r->ways = v > MAX_TARGETS ? MAX_TARGETS : (unsigned int)v;
	else if (rc != -ENOENT)
		return rc;
	rc = mhp_read_u64_opt(ctx, &v, false, "/sys/bus/cxl/devices/%s/interleave_granularity",
			      n);
	if (rc == 0 && v <= UINT32_MAX)
		r->granularity = (unsigned int)v;
	else if (rc != -ENOENT)
		return rc < 0 ? rc : mhp_fail(ctx, -ERANGE, "%s: interleave granularity "
					      "%" PRIu64 " is out of range", n, v);
	if (r->resource != UINT64_MAX &&
	    (r->size > MHP_PHYS_ADDR_LIMIT || r->resource > MHP_PHYS_ADDR_LIMIT - r->size))
		return mhp_fail(ctx, -ERANGE, "%s: resource 0x%" PRIx64 " size 0x%" PRIx64
				" reaches beyond the 2^%d bytes of physical address space "
				"any supported architecture has; the device tree is corrupt",
				n, r->resource, r->size, MHP_PHYS_ADDR_BITS);
	/* the root decoder is the parent directory */
	if (mhp_device_path(ctx, path, sizeof(path), "/sys/bus/cxl/devices/%s", n) == 0) {
		slash = strrchr(path, '/');
		if (slash) {
			*slash = '\0';
			slash = strrchr(path, '/');
			snprintf(r->decoder, sizeof(r->decoder), "%s", slash ? slash + 1 : path);
		}
	}
	for (i = 0; i < MAX_TARGETS && i < r->ways; i++) {
		char *t = r->targets[r->nr_targets];

		if (mhp_read_attr(ctx, t, sizeof(r->targets[0]),
				  "/sys/bus/cxl/devices/%s/target%u", n, i) <= 0)
			continue;
		target_memdev_sysfs(ctx, t, r->target_memdevs[r->nr_targets],
				    sizeof(r->target_memdevs[0]));
		r->nr_targets++;
	}
	return 0;
}

/* The memdev an endpoint decoder belongs to, or "" */
static void target_memdev_libcxl(struct cxl_decoder *t, char *buf, size_t len)
{
	struct cxl_port *port = cxl_decoder_get_port(t);
	struct cxl_endpoint *ep = port ? cxl_port_to_endpoint(port) : NULL;
	struct cxl_memdev *m = ep ? cxl_endpoint_get_memdev(ep) : NULL;

	snprintf(buf, len, "%s", m ? cxl_memdev_get_devname(m) : "");
}

static void region_libcxl(struct mhp_cxl_region *r, struct cxl_region *cr)
{
	struct cxl_decoder *d = cxl_region_get_decoder(cr);
	unsigned long long res = cxl_region_get_resource(cr);
	unsigned int i;

	r->resource = res == ULLONG_MAX ? UINT64_MAX : res;
	r->size = cxl_region_get_size(cr);
	r->ways = cxl_region_get_interleave_ways(cr);
	r->granularity = cxl_region_get_interleave_granularity(cr);
	if (d)
		snprintf(r->decoder, sizeof(r->decoder), "%s", cxl_decoder_get_devname(d));
	for (i = 0; i < MAX_TARGETS && i < r->ways; i++) {
		struct cxl_decoder *t = cxl_region_get_target_decoder(cr, (int)i);

		if (t) {
			target_memdev_libcxl(t, r->target_memdevs[r->nr_targets],
					     sizeof(r->target_memdevs[0]));
			snprintf(r->targets[r->nr_targets++], sizeof(r->targets[0]), "%s",
				 cxl_decoder_get_devname(t));
		}
	}
}

static struct mhp_cxl_region *region_new(struct mhp_ctx *ctx, const char *name)
{
	struct mhp_cxl_region *r = calloc(1, sizeof(*r));

	if (r) {
		r->ctx = ctx;
		snprintf(r->name, sizeof(r->name), "%s", name);
	}
	return r;
}

static int scan_regions(struct mhp_ctx *ctx)
{
	struct mhp_cxl_region **tail = &ctx->regions, *r;
	char **names = NULL;
	size_t nr = 0, i;
	int rc;

	ctx->regions_scanned = true;
	if (mhp_is_live(ctx) && mhp_exists(ctx, "/sys/bus/cxl")) {
		struct cxl_bus *bus;
		struct cxl_port *port;
		struct cxl_decoder *dec;
		struct cxl_region *cr;

		rc = cxl_lib(ctx);
		if (rc < 0)
			return rc;
		cxl_bus_foreach(ctx->cxl, bus) {
			port = cxl_bus_get_port(bus);
			cxl_decoder_foreach(port, dec)
				cxl_region_foreach(dec, cr) {
					r = region_new(ctx, cxl_region_get_devname(cr));
					if (!r)
						return -ENOMEM;
					region_libcxl(r, cr);
					*tail = r;
					tail = &r->next;
					rc = region_sysfs_extra(ctx, r);
					if (rc < 0)
						return rc;
				}
		}
		return 0;
	}
	rc = mhp_dir_list(ctx, "region", &names, &nr, "/sys/bus/cxl/devices");
	if (rc == -ENOENT)
		return 0;	/* no CXL bus */
	for (i = 0; i < nr && rc == 0; i++) {
		r = region_new(ctx, names[i]);
		if (!r) {
			rc = -ENOMEM;
			break;
		}
		*tail = r;
		tail = &r->next;
		rc = region_sysfs(ctx, r);
		if (rc == 0)
			rc = region_sysfs_extra(ctx, r);
	}
	mhp_dir_list_free(names, nr);
	return rc;
}

void mhp_cxl_free(struct mhp_ctx *ctx)
{
	while (ctx->memdevs) {
		struct mhp_cxl_memdev *m = ctx->memdevs;

		ctx->memdevs = m->next;
		free(m);
	}
	while (ctx->regions) {
		struct mhp_cxl_region *r = ctx->regions;

		ctx->regions = r->next;
		free(r);
	}
	ctx->memdevs_scanned = ctx->regions_scanned = false;
	if (ctx->cxl)
		cxl_unref(ctx->cxl);
	ctx->cxl = NULL;
}

MHP_EXPORT struct mhp_cxl_region *mhp_cxl_region_get_first(struct mhp_ctx *ctx)
{
	mhp_clear_error(ctx);
	if (!ctx->regions_scanned && scan_regions(ctx) < 0)
		return NULL;
	return ctx->regions;
}

MHP_EXPORT struct mhp_cxl_region *mhp_cxl_region_get_next(struct mhp_cxl_region *r)
{
	return r->next;
}

MHP_EXPORT struct mhp_cxl_region *mhp_cxl_region_get_by_name(struct mhp_ctx *ctx,
							      const char *name)
{
	struct mhp_cxl_region *r;

	mhp_cxl_region_foreach(ctx, r)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

MHP_EXPORT const char *mhp_cxl_region_get_name(const struct mhp_cxl_region *r)
{
	return r->name;
}

MHP_EXPORT const char *mhp_cxl_region_get_mode(const struct mhp_cxl_region *r)
{
	return r->mode[0] ? r->mode : NULL;
}

MHP_EXPORT uint64_t mhp_cxl_region_get_resource(const struct mhp_cxl_region *r)
{
	return r->resource;
}

MHP_EXPORT uint64_t mhp_cxl_region_get_size(const struct mhp_cxl_region *r)
{
	return r->size;
}

MHP_EXPORT unsigned int mhp_cxl_region_get_interleave_ways(const struct mhp_cxl_region *r)
{
	return r->ways;
}

MHP_EXPORT unsigned int mhp_cxl_region_get_interleave_granularity(const struct mhp_cxl_region *r)
{
	return r->granularity;
}

MHP_EXPORT const char *mhp_cxl_region_get_decoder(const struct mhp_cxl_region *r)
{
	return r->decoder[0] ? r->decoder : NULL;
}

MHP_EXPORT const char *mhp_cxl_region_get_dax_region(const struct mhp_cxl_region *r)
{
	return r->dax_region[0] ? r->dax_region : NULL;
}

MHP_EXPORT unsigned int mhp_cxl_region_get_num_targets(const struct mhp_cxl_region *r)
{
	return r->nr_targets;
}

MHP_EXPORT const char *mhp_cxl_region_get_target(const struct mhp_cxl_region *r,
						 unsigned int pos)
{
	return pos < r->nr_targets ? r->targets[pos] : NULL;
}

MHP_EXPORT const char *mhp_cxl_region_get_target_memdev(const struct mhp_cxl_region *r,
							unsigned int pos)
{
	return pos < r->nr_targets && r->target_memdevs[pos][0] ? r->target_memdevs[pos] : NULL;
}
