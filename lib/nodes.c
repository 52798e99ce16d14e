// SPDX-License-Identifier: LGPL-2.1-or-later
/* NUMA nodes: CPUs, memory, per-zone managed memory, memory tiers. */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "ctx.h"

struct mhp_node {
	struct mhp_ctx *ctx;
	struct mhp_node *next;
	int id;
	bool online;
	bool has_cpus;
	bool has_memory;
	uint64_t mem_total;
	uint64_t zone_bytes[MHP_ZONE_MOVABLE + 1];
	int memory_tier;
};

bool mhp_list_contains(const char *list, int id)
{
	const char *p = list;
	char *end;

	while (p && *p) {
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			return false;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p)
				return false;
		}
		if (id >= lo && id <= hi)
			return true;
		p = *end == ',' ? end + 1 : NULL;
	}
	return false;
}

int mhp_stat_value(const char *text, const char *name, unsigned long long *val)
{
	size_t len = strlen(name);
	const char *line, *nl;

	for (line = text; line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (strncmp(line, name, len) == 0 && line[len] == ' ' &&
		    sscanf(line + len, " %llu", val) == 1)
			return 0;
	}
	return -ENOENT;
}

int mhp_list_max(const char *list)
{
	const char *p = list;
	int max = -1;
	char *end;

	while (p && *p) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (v > max)
			max = (int)v;
		p = (*end == ',' || *end == '-') ? end + 1 : NULL;
	}
	return max;
}

/*
 * A copy of /proc/zoneinfo to tokenise. The platform probe and the node
 * scan both need it, and it is the costliest file libmhp reads: the kernel
 * prints every zone's counters, per CPU. Read it once, and again only
 * after memory came or went (mhp_blocks_invalidate() drops the copy).
 */
static int zoneinfo_text(struct mhp_ctx *ctx, char **out)
{
	int rc;

	if (!ctx->zoneinfo) {
		rc = mhp_read_text(ctx, 0, &ctx->zoneinfo, "/proc/zoneinfo");
		if (rc < 0)
			return rc;
	}
	*out = strdup(ctx->zoneinfo);
	return *out ? 0 : -ENOMEM;
}

/*
 * /proc/zoneinfo:  "Node 0, zone   Normal" ... "        managed  12345"
 * Calls @fn(node, zone, bytes) for every zone with managed pages.
 */
static int parse_zoneinfo(struct mhp_ctx *ctx,
			  void (*fn)(void *arg, int node, enum mhp_zone zone,
				     uint64_t bytes), void *arg)
{
	enum mhp_zone zone = MHP_ZONE_NONE;
	char *text, *line, *save;
	uint64_t page_size = mhp_page_size(ctx);
	int node = -1, rc;

	rc = zoneinfo_text(ctx, &text);
	if (rc < 0)
		return rc;	/* -ENOENT: e.g. a tree holding only sysfs */
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char zname[32], *end;
		unsigned long long pages;

		/*
		 * Nearly every line is a counter: test the prefix before any
		 * sscanf(), which would otherwise run twice per line, several
		 * thousand times per read on a machine of a few nodes.
		 */
		if (line[0] == ' ')
			line += strspn(line, " ");
		if (strncmp(line, "managed ", 8) == 0) {
			pages = strtoull(line + 8, &end, 10);
			if (end != line + 8 && zone != MHP_ZONE_NONE)
				fn(arg, node, zone, pages * page_size);
			continue;
		}
		if (strncmp(line, "Node ", 5) == 0 &&
		    sscanf(line, "Node %d, zone %31s", &node, zname) == 2) {
			if (node < 0 || node >= MHP_MAX_NUMNODES) {
				free(text);
				return mhp_fail(ctx, -ERANGE, "%s/proc/zoneinfo: node %d "
						"is out of range (node ids are below %d)",
						ctx->sysroot, node, MHP_MAX_NUMNODES);
			}
			zone = strcmp(zname, "Movable") == 0 ? MHP_ZONE_MOVABLE :
			       strcmp(zname, "Device") == 0 ? MHP_ZONE_NONE :
							      MHP_ZONE_NORMAL;
		}
	}
	free(text);
	return 0;
}

struct zone_totals {
	uint64_t kernel, movable;
};

static void add_total(void *arg, int node, enum mhp_zone zone, uint64_t bytes)
{
	struct zone_totals *t = arg;

	if (zone == MHP_ZONE_MOVABLE)
		t->movable += bytes;
	else
		t->kernel += bytes;
}

int mhp_zoneinfo_totals(struct mhp_ctx *ctx, uint64_t *kernel_bytes,
			uint64_t *movable_bytes)
{
	struct zone_totals t = { 0, 0 };
	int rc = parse_zoneinfo(ctx, add_total, &t);

	*kernel_bytes = t.kernel;
	*movable_bytes = t.movable;
	return rc;
}

static void add_node_zone(void *arg, int node, enum mhp_zone zone, uint64_t bytes)
{
	struct mhp_ctx *ctx = arg;
	struct mhp_node *n;

	for (n = ctx->nodes; n; n = n->next)
		if (n->id == node)
			n->zone_bytes[zone] += bytes;
}

static uint64_t node_mem_total(struct mhp_ctx *ctx, int id)
{
	char *text = mhp_read_file(ctx, "/sys/devices/system/node/node%d/meminfo", id);
	unsigned long long kb = 0;
	char *p;

	if (!text)
		return 0;
	p = strstr(text, "MemTotal:");
	if (p)
		sscanf(p, "MemTotal: %llu kB", &kb);
	free(text);
	return kb * 1024;
}

static int note_tier(struct mhp_ctx *ctx, const char *name, void *arg)
{
	char list[256];
	struct mhp_node *n;
	int tier;

	if (sscanf(name, "memory_tier%d", &tier) != 1 ||
	    mhp_read_attr(ctx, list, sizeof(list),
			  "/sys/devices/virtual/memory_tiering/%s/nodelist", name) < 0)
		return 0;
	for (n = ctx->nodes; n; n = n->next)
		if (mhp_list_contains(list, n->id))
			n->memory_tier = tier;
	return 0;
}

/* Memory tiers exist from 6.1 on, and only with CONFIG_NUMA: optional. */
static int read_memory_tiers(struct mhp_ctx *ctx)
{
	int rc = mhp_dir_foreach(ctx, "memory_tier", note_tier, NULL,
				 "/sys/devices/virtual/memory_tiering");

	return rc == -ENOENT ? 0 : rc;
}

/*
 * Node ids are below MAX_NUMNODES = 1 << CONFIG_NODES_SHIFT, and
 * NODES_SHIFT is at most 10 on every architecture 6.1 supports (x86 with
 * MAXSMP, arm64, ia64); a larger id in node/possible is not a kernel's.
 */
/* "0-3,8": every id in [0, @limit), ranges ascending; "" is empty */
static bool list_within(const char *list, long limit)
{
	const char *p = list;
	char *end;

	while (*p) {
		long lo, hi;

		if (*p < '0' || *p > '9')
			return false;
		lo = hi = strtol(p, &end, 10);
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				return false;
			hi = strtol(p, &end, 10);
		}
		if (lo < 0 || hi < lo || hi >= limit)
			return false;
		if (*end == ',')
			end++;
		else if (*end)
			return false;
		p = end;
	}
	return true;
}

static int check_node_list(struct mhp_ctx *ctx, const char *name, const char *list)
{
	if (list_within(list, MHP_MAX_NUMNODES))
		return 0;
	return mhp_fail(ctx, -ERANGE, "%s/sys/devices/system/node/%s: '%s' is not a "
			"node list of a Linux kernel (node ids are below %d)",
			ctx->sysroot, name, list, MHP_MAX_NUMNODES);
}

static int scan_nodes(struct mhp_ctx *ctx)
{
	char online[256], possible[256], cpus[256] = "", mem[256] = "";
	struct mhp_node **tail = &ctx->nodes;
	int id, max, rc;

	ctx->nodes_scanned = true;
	rc = mhp_read_attr(ctx, online, sizeof(online), "/sys/devices/system/node/online");
	if (rc < 0)
		/* !CONFIG_NUMA: a single node 0 */
		strcpy(online, "0");
	mhp_read_attr(ctx, cpus, sizeof(cpus), "/sys/devices/system/node/has_cpu");
	mhp_read_attr(ctx, mem, sizeof(mem), "/sys/devices/system/node/has_memory");
	if (rc < 0 && !cpus[0])
		strcpy(cpus, "0");
	/*
	 * Possible nodes include CPU-less, memory-less ones that firmware
	 * reserved for CXL memory: exactly the targets of interest.
	 */
	if (mhp_read_attr(ctx, possible, sizeof(possible),
			  "/sys/devices/system/node/possible") <= 0)
		strcpy(possible, online);
	if (check_node_list(ctx, "possible", possible) < 0 ||
	    check_node_list(ctx, "online", online) < 0)
		return -ERANGE;
	max = mhp_list_max(possible);
	for (id = 0; id <= max; id++) {
		struct mhp_node *n;

		if (!mhp_list_contains(possible, id))
			continue;
		n = calloc(1, sizeof(*n));
		if (!n)
			return -ENOMEM;
		n->ctx = ctx;
		n->id = id;
		n->online = mhp_list_contains(online, id);
		n->has_cpus = mhp_list_contains(cpus, id);
		n->has_memory = mhp_list_contains(mem, id);
		n->mem_total = node_mem_total(ctx, id);
		n->memory_tier = -1;
		*tail = n;
		tail = &n->next;
	}
	rc = read_memory_tiers(ctx);
	if (rc < 0)
		return rc;
	/* zone sizes are informative: an absent zoneinfo is not fatal */
	rc = parse_zoneinfo(ctx, add_node_zone, ctx);
	return rc == -ENOENT ? 0 : rc;
}

void mhp_nodes_free(struct mhp_ctx *ctx)
{
	while (ctx->nodes) {
		struct mhp_node *n = ctx->nodes;

		ctx->nodes = n->next;
		free(n);
	}
	ctx->nodes_scanned = false;
	free(ctx->zoneinfo);
	ctx->zoneinfo = NULL;
}

MHP_EXPORT struct mhp_node *mhp_node_get_first(struct mhp_ctx *ctx)
{
	mhp_clear_error(ctx);
	if (!ctx->nodes_scanned && scan_nodes(ctx) < 0)
		return NULL;
	return ctx->nodes;
}

MHP_EXPORT struct mhp_node *mhp_node_get_next(struct mhp_node *node)
{
	return node->next;
}

MHP_EXPORT struct mhp_node *mhp_node_get_by_id(struct mhp_ctx *ctx, int id)
{
	struct mhp_node *n;

	mhp_node_foreach(ctx, n)
		if (n->id == id)
			return n;
	return NULL;
}

MHP_EXPORT int mhp_node_get_id(const struct mhp_node *node)
{
	return node->id;
}

MHP_EXPORT bool mhp_node_is_online(const struct mhp_node *node)
{
	return node->online;
}

MHP_EXPORT bool mhp_node_has_cpus(const struct mhp_node *node)
{
	return node->has_cpus;
}

MHP_EXPORT bool mhp_node_has_memory(const struct mhp_node *node)
{
	return node->has_memory;
}

MHP_EXPORT uint64_t mhp_node_get_mem_total(const struct mhp_node *node)
{
	return node->mem_total;
}

MHP_EXPORT uint64_t mhp_node_get_zone_bytes(const struct mhp_node *node,
					    enum mhp_zone zone)
{
	if (zone > MHP_ZONE_MOVABLE)
		return 0;
	return node->zone_bytes[zone];
}

MHP_EXPORT int mhp_node_get_memory_tier(const struct mhp_node *node)
{
	return node->memory_tier;
}

/*
 * The series' per-node view lives in its own file rather than in
 * nodeN/vmstat: its counters are not node_stat_items (which every memory
 * cgroup would pay for per CPU and node), and two names an earlier version
 * used there, nr_memmap and nr_memmap_boot, once meant something else
 * upstream. Stock kernels, 6.11+ included, have no per-node memmap count.
 */
MHP_EXPORT int mhp_node_get_memmap_pages(const struct mhp_node *node,
					 enum mhp_memmap_counter which,
					 uint64_t *pages)
{
	static const char * const names[] = {
		[MHP_MEMMAP_BOOT] = "nr_memmap_boot_pages",
		[MHP_MEMMAP_HOTPLUG] = "nr_memmap_pages",
		[MHP_MEMMAP_ON_MEMORY] = "nr_memmap_on_memory",
		[MHP_MEMMAP_ON_MEMORY_PADDING] = "nr_memmap_on_memory_padding",
	};
	struct mhp_ctx *ctx = node->ctx;
	unsigned long long val;
	char *text;
	int rc;

	mhp_clear_error(ctx);
	if ((unsigned int)which >= sizeof(names) / sizeof(names[0]))
		return mhp_fail(ctx, -EINVAL, "unknown memmap counter %d", which);
	text = mhp_read_file(ctx, "/sys/devices/system/node/node%d/memmap", node->id);
	if (!text)
		return mhp_fail(ctx, -EOPNOTSUPP,
				"cannot read %s of node %d: node%d/memmap is missing (%s); only a kernel built with kernel-patches/6.1 (patch 7) has it",
				names[which], node->id, node->id, strerror(errno));
	rc = mhp_stat_value(text, names[which], &val);
	free(text);
	if (rc < 0)
		return mhp_fail(ctx, -EOPNOTSUPP,
				"node%d/memmap has no %s line: the kernel's series is older or newer than this libmhp; rebuild it from kernel-patches/6.1",
				node->id, names[which]);
	*pages = val;
	return 0;
}
