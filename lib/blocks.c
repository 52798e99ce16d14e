// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Memory blocks (/sys/devices/system/memory/memoryN). Blocks are looked
 * up by index (= physical address / block size) and cached in a sorted
 * array, so a device's blocks are found without scanning every block of
 * a large machine.
 */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "ctx.h"

struct mhp_block {
	struct mhp_ctx *ctx;
	uint64_t index;
	uint64_t size;
	enum mhp_block_state state;
	enum mhp_zone zone;
	char valid_zones[48];
	int node;		/* read on first use: it costs a readdir */
	bool have_node;
	bool removable;
	bool have_removable;
	bool stale;		/* re-read before use; gone if that fails */
	bool gone;		/* the kernel removed it; kept for holders */
};

struct mhp_block_cache {
	struct mhp_block **blocks;	/* sorted by index */
	size_t nr, cap;
	bool complete;			/* every block of the system is in */
};

static const char *const state_names[] = {
	[MHP_BLOCK_UNKNOWN] = "unknown",
	[MHP_BLOCK_OFFLINE] = "offline",
	[MHP_BLOCK_ONLINE] = "online",
	[MHP_BLOCK_GOING_OFFLINE] = "going-offline",
};

static const char *const zone_names[] = {
	[MHP_ZONE_NONE] = "none",
	[MHP_ZONE_NORMAL] = "normal",
	[MHP_ZONE_MOVABLE] = "movable",
};

MHP_EXPORT const char *mhp_block_state_name(enum mhp_block_state state)
{
	return state < ARRAY_SIZE(state_names) ? state_names[state] : "unknown";
}

MHP_EXPORT const char *mhp_zone_name(enum mhp_zone zone)
{
	return zone < ARRAY_SIZE(zone_names) ? zone_names[zone] : "unknown";
}

static struct mhp_block_cache *cache(struct mhp_ctx *ctx)
{
	if (!ctx->blocks)
		ctx->blocks = calloc(1, sizeof(*ctx->blocks));
	return ctx->blocks;
}

/* Position of @index, or where it would be inserted. */
static size_t cache_pos(struct mhp_block_cache *c, uint64_t index)
{
	size_t lo = 0, hi = c->nr;

	if (c->nr && c->blocks[c->nr - 1]->index < index)
		return c->nr;	/* ascending lookups append */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->blocks[mid]->index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int cache_insert(struct mhp_block_cache *c, size_t pos, struct mhp_block *b)
{
	if (c->nr == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct mhp_block **n = realloc(c->blocks, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->blocks = n;
		c->cap = cap;
	}
	memmove(&c->blocks[pos + 1], &c->blocks[pos], (c->nr - pos) * sizeof(*c->blocks));
	c->blocks[pos] = b;
	c->nr++;
	return 0;
}

static enum mhp_zone zone_from_name(const char *z)
{
	if (strncmp(z, "Movable", 7) == 0)
		return MHP_ZONE_MOVABLE;
	if (!*z || strcmp(z, "none") == 0)
		return MHP_ZONE_NONE;
	return MHP_ZONE_NORMAL;	/* DMA, DMA32, Normal */
}

static int note_node(struct mhp_ctx *ctx, const char *name, void *arg)
{
	int *node = arg;

	return sscanf(name, "node%d", node) == 1 ? 1 : 0;
}

/* The block's node is the one "nodeN" link in its directory. */
static int block_node(struct mhp_ctx *ctx, uint64_t index)
{
	int node = -1;

	if (mhp_dir_foreach(ctx, "node", note_node, &node,
			    "/sys/devices/system/memory/memory%llu",
			    (unsigned long long)index) != 1)
		return -1;
	return node;
}

static int block_read(struct mhp_block *b)
{
	struct mhp_ctx *ctx = b->ctx;
	unsigned long long idx = b->index;
	char buf[32];
	int rc;

	rc = mhp_read_attr(ctx, buf, sizeof(buf),
			   "/sys/devices/system/memory/memory%llu/state", idx);
	/*
	 * No such block: an answer, not a failure, so nothing is recorded.
	 * The kernel creates a block's directory and its state together, so
	 * on the live system a missing state is a missing block; only a tree
	 * can hold the directory without the file (and then that is an error).
	 */
	b->gone = rc == -ENOENT &&
		  (mhp_is_live(ctx) ||
		   !mhp_exists(ctx, "/sys/devices/system/memory/memory%llu", idx));
	if (b->gone)
		return -ENOENT;
	if (rc < 0)
		return mhp_fail(ctx, rc, "cannot read the state of memory block %llu (%s/sys/devices/system/memory/memory%llu/state): %s",
				idx, ctx->sysroot, idx, strerror(-rc));
	if (strcmp(buf, "online") == 0)
		b->state = MHP_BLOCK_ONLINE;
	else if (strcmp(buf, "offline") == 0)
		b->state = MHP_BLOCK_OFFLINE;
	else if (strcmp(buf, "going-offline") == 0)
		b->state = MHP_BLOCK_GOING_OFFLINE;
	else
		b->state = MHP_BLOCK_UNKNOWN;
	if (mhp_read_attr(ctx, b->valid_zones, sizeof(b->valid_zones),
			  "/sys/devices/system/memory/memory%llu/valid_zones", idx) < 0)
		b->valid_zones[0] = '\0';
	b->zone = zone_from_name(b->valid_zones);
	return 0;
}

static int block_new(struct mhp_ctx *ctx, uint64_t index, struct mhp_block **out)
{
	struct mhp_block *b;
	uint64_t bs;
	int rc;

	rc = mhp_memory_block_size(ctx, &bs);
	if (rc < 0)
		return rc;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->ctx = ctx;
	b->index = index;
	b->size = bs;
	rc = block_read(b);
	/*
	 * An absent block is kept too, as "gone": the planner looks at a
	 * device's blocks twice, and the second look then costs no read.
	 * Iteration skips it; mhp_blocks_invalidate() (kmem bound or
	 * unbound) or a directory scan that lists it makes it read again.
	 */
	if (rc < 0 && !b->gone) {
		free(b);
		return rc;
	}
	if (b->gone)
		b->state = MHP_BLOCK_UNKNOWN;
	*out = b;
	return rc;
}

MHP_EXPORT int mhp_block_get(struct mhp_ctx *ctx, uint64_t index, struct mhp_block **out)
{
	struct mhp_block_cache *c = cache(ctx);
	struct mhp_block *b = NULL;
	size_t pos;
	int rc;

	if (!c)
		return -ENOMEM;
	pos = cache_pos(c, index);
	if (pos < c->nr && c->blocks[pos]->index == index) {
		b = c->blocks[pos];
		if (b->stale) {
			b->stale = false;
			b->have_node = b->have_removable = false;
			/* block_read() tells a missing block from an unreadable one */
			if (block_read(b) < 0 && !b->gone)
				return -EIO;
			if (b->gone)
				b->state = MHP_BLOCK_UNKNOWN;
		}
		if (b->gone)
			return -ENOENT;
		*out = b;
		return 0;
	}
	/* absence is an answer, not a failure: no error is recorded */
	if (c->complete)
		return -ENOENT;
	/* @b comes back for a block that exists and for one that is gone */
	rc = block_new(ctx, index, &b);
	if (!b)
		return rc;
	if (cache_insert(c, pos, b) < 0) {
		free(b);
		return -ENOMEM;
	}
	if (b->gone)
		return -ENOENT;
	*out = b;
	return 0;
}

/*
 * Block @index as it is now, read exactly once: a cached block is re-read,
 * a new or stale one is read by the lookup itself. -ENOENT, silently,
 * when the block does not exist (after an offline, kmem may remove it).
 */
int mhp_block_get_fresh(struct mhp_ctx *ctx, uint64_t index, struct mhp_block **out)
{
	struct mhp_block_cache *c = cache(ctx);
	size_t pos;

	if (!c)
		return -ENOMEM;
	pos = cache_pos(c, index);
	if (pos < c->nr && c->blocks[pos]->index == index)
		c->blocks[pos]->stale = true;
	else if (c->complete)
		/* a scan that found everything does not know about newcomers */
		c->complete = false;
	return mhp_block_get(ctx, index, out);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct index_list {
	uint64_t *idx;
	size_t nr, cap;
};

static int note_block(struct mhp_ctx *ctx, const char *name, void *arg)
{
	struct index_list *l = arg;
	unsigned long long v;
	char tail;

	if (sscanf(name, "memory%llu%c", &v, &tail) != 1)
		return 0;
	if (l->nr == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		uint64_t *n = realloc(l->idx, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->idx = n;
		l->cap = cap;
	}
	l->idx[l->nr++] = v;
	return 0;
}

static int scan_all(struct mhp_ctx *ctx)
{
	struct mhp_block_cache *c = cache(ctx);
	struct index_list l = { NULL, 0, 0 };
	size_t i;
	int rc;

	if (!c)
		return -ENOMEM;
	rc = mhp_dir_foreach(ctx, "memory", note_block, &l, "/sys/devices/system/memory");
	if (rc == -ENOENT)
		rc = mhp_fail(ctx, rc, "cannot list %s/sys/devices/system/memory: %s; "
			      "is the kernel built with CONFIG_MEMORY_HOTPLUG?",
			      ctx->sysroot, strerror(-rc));
	if (rc < 0)
		goto out;
	qsort(l.idx, l.nr, sizeof(*l.idx), cmp_u64);
	for (i = 0; i < l.nr; i++) {
		size_t pos = cache_pos(c, l.idx[i]);
		struct mhp_block *b;

		/* listed now: a block remembered as absent has since appeared */
		if (pos < c->nr && c->blocks[pos]->index == l.idx[i] && c->blocks[pos]->gone)
			c->blocks[pos]->stale = true;
		rc = mhp_block_get(ctx, l.idx[i], &b);
		if (rc < 0)
			goto out;
	}
	c->complete = true;
out:
	free(l.idx);
	return rc;
}

MHP_EXPORT struct mhp_block *mhp_block_get_first(struct mhp_ctx *ctx)
{
	struct mhp_block_cache *c = cache(ctx);

	mhp_clear_error(ctx);
	if (!c || (!c->complete && scan_all(ctx) < 0))
		return NULL;
	for (size_t i = 0; i < c->nr; i++)
		if (!c->blocks[i]->gone)
			return c->blocks[i];
	return NULL;
}

MHP_EXPORT struct mhp_block *mhp_block_get_next(struct mhp_block *block)
{
	struct mhp_block_cache *c = block->ctx->blocks;
	size_t pos = cache_pos(c, block->index);

	while (++pos < c->nr)
		if (!c->blocks[pos]->gone)
			return c->blocks[pos];
	return NULL;
}

void mhp_blocks_invalidate(struct mhp_ctx *ctx)
{
	struct mhp_block_cache *c = ctx->blocks;
	size_t i;

	/* memory came or went: a node scan from now on reads zoneinfo anew */
	free(ctx->zoneinfo);
	ctx->zoneinfo = NULL;
	if (!c)
		return;
	/* holders keep valid objects: re-read them, never free them */
	for (i = 0; i < c->nr; i++)
		c->blocks[i]->stale = true;
	c->complete = false;
}

void mhp_blocks_free(struct mhp_ctx *ctx)
{
	struct mhp_block_cache *c = ctx->blocks;
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nr; i++)
		free(c->blocks[i]);
	free(c->blocks);
	free(c);
	ctx->blocks = NULL;
}

MHP_EXPORT int mhp_block_refresh(struct mhp_block *block)
{
	int rc = block_read(block);

	/* a block the caller holds has gone: that the caller must hear */
	if (rc == -ENOENT)
		return mhp_fail(block->ctx, rc, "memory block %llu no longer exists",
				(unsigned long long)block->index);
	return rc;
}

MHP_EXPORT uint64_t mhp_block_get_index(const struct mhp_block *block)
{
	return block->index;
}

MHP_EXPORT uint64_t mhp_block_get_phys_addr(const struct mhp_block *block)
{
	return block->index * block->size;
}

MHP_EXPORT uint64_t mhp_block_get_size(const struct mhp_block *block)
{
	return block->size;
}

MHP_EXPORT enum mhp_block_state mhp_block_get_state(const struct mhp_block *block)
{
	return block->state;
}

MHP_EXPORT enum mhp_zone mhp_block_get_zone(const struct mhp_block *block)
{
	return block->zone;
}

MHP_EXPORT const char *mhp_block_get_valid_zones(const struct mhp_block *block)
{
	return block->valid_zones[0] ? block->valid_zones : NULL;
}

MHP_EXPORT int mhp_block_get_node(const struct mhp_block *block)
{
	struct mhp_block *b = (struct mhp_block *)block;	/* lazy cache */

	if (!b->have_node) {
		b->node = block_node(b->ctx, b->index);
		b->have_node = true;
	}
	return b->node;
}

MHP_EXPORT bool mhp_block_is_removable(const struct mhp_block *block)
{
	struct mhp_block *b = (struct mhp_block *)block;	/* lazy cache */
	char buf[8];

	if (!b->have_removable) {
		b->removable = mhp_read_attr(b->ctx, buf, sizeof(buf),
					     "/sys/devices/system/memory/memory%llu/removable",
					     (unsigned long long)b->index) > 0 && buf[0] == '1';
		b->have_removable = true;
	}
	return b->removable;
}
