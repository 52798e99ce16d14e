// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The planner: given a platform description and a memory source, work
 * out which memory blocks kmem would add, where their memmap goes, what
 * is lost to alignment and to the force reservation, which zone each
 * block should be onlined to, and what to change to do better.
 *
 * mhp_plan_compute() is pure: it reads nothing but its arguments and
 * gives the same plan for the same inputs.
 *
 * Notation (as in docs/background.md): B block size, P page size,
 * S sizeof(struct page), V = (B/P)*S memmap bytes per block,
 * M = V/P memmap pages, M_eff = M rounded up to whole pageblocks in
 * force mode (the kernel's memory_block_memmap_on_memory_pages()).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

#define DEFAULT_MOVABLE_RATIO	301	/* the kernel's auto_movable_ratio default */
#define DEFAULT_WASTE_WARN_PCT	10
#define MAX_PLAN_BLOCKS		(1ULL << 21)	/* 256 TiB of 128 MiB blocks */

/* Hot-remove unit advice is for sources at least this large. */
#define HOTREMOVE_MIN_BYTES	(16 * SZ_1G)
#define HOTREMOVE_MIN_BLOCKS	8
#define HOTREMOVE_UNITS		8

/* ---- small helpers ---- */

/* Rotating size-formatting buffers, local to one caller (reentrant). */
struct szbuf {
	char s[8][32];
	unsigned int i;
};

static const char *sz(struct szbuf *b, uint64_t bytes)
{
	char *s = b->s[b->i++ % ARRAY_SIZE(b->s)];

	return mhp_format_size(bytes, s, sizeof(b->s[0]));
}

/* A growable text list: one of the plan's reasons/warnings/zone_notes. */
struct textlist {
	char **v;
	unsigned int *nr;
	bool *nomem;
};

static void __attribute__((format(printf, 2, 3)))
tl_add(const struct textlist *tl, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (!tl || !tl->v || *tl->nr >= MHP_PLAN_MAX_REASONS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		*tl->nomem = true;
		s = NULL;
	}
	va_end(ap);
	if (s)
		tl->v[(*tl->nr)++] = s;
}

#define TL(plan, list) (&(struct textlist){ (plan)->list, &(plan)->nr_##list, \
					    &(plan)->nomem })

static void __attribute__((format(printf, 4, 5)))
advise(struct mhp_plan *plan, const char *kind, const char *action,
       const char *fmt, ...)
{
	struct mhp_advice *a;
	va_list ap;
	int rc;

	if (plan->nr_advice >= MHP_PLAN_MAX_ADVICE)
		return;
	a = &plan->advice[plan->nr_advice];
	va_start(ap, fmt);
	rc = vasprintf(&a->text, fmt, ap);
	va_end(ap);
	a->kind = strdup(kind);
	a->action = action ? strdup(action) : NULL;
	if (rc < 0 || !a->kind || (action && !a->action)) {
		if (rc >= 0)
			free(a->text);
		free(a->kind);
		free(a->action);
		memset(a, 0, sizeof(*a));
		plan->nomem = true;
		return;
	}
	plan->nr_advice++;
}

static bool is_arch(const struct mhp_platform_desc *d, const char *arch)
{
	return strcmp(d->arch, arch) == 0;
}

static unsigned int pct10(uint64_t part, uint64_t whole)
{
	/* tenths of a percent */
	return whole ? (unsigned int)((unsigned __int128)part * 1000 / whole) : 0;
}

/* ---- geometry and eligibility ---- */

struct geom {
	uint64_t B, P, S;
	uint64_t nr_pages;	/* B/P */
	uint64_t V;		/* memmap bytes per block */
	uint64_t M;		/* memmap pages, rounded up */
	uint64_t pb_pages;	/* pages per pageblock */
	uint64_t M_eff;		/* M, aligned up to pageblocks in force mode */
};

static void geom_init(struct geom *g, const struct mhp_platform_desc *d,
		      uint64_t block_size, enum mhp_memmap_mode mode)
{
	g->B = block_size;
	g->P = d->page_size;
	g->S = d->struct_page_size;
	g->nr_pages = g->B / g->P;
	g->V = g->nr_pages * g->S;
	g->M = DIV_ROUND_UP(g->V, g->P);
	g->pb_pages = d->pageblock_size / g->P;
	g->M_eff = g->M;
	if (mode == MHP_MEMMAP_MODE_FORCE && d->has_force)
		g->M_eff = ALIGN_UP(g->M, g->pb_pages);
}

/* The kernel setting itself: enabled, and a value this kernel accepts. */
static bool check_mode(const struct mhp_platform_desc *d, enum mhp_memmap_mode mode,
		       const struct textlist *why)
{
	switch (mode) {
	case MHP_MEMMAP_MODE_ABSENT:
		tl_add(why, "the kernel has no memory_hotplug.memmap_on_memory parameter "
		       "(built without CONFIG_MHP_MEMMAP_ON_MEMORY)");
		return false;
	case MHP_MEMMAP_MODE_OFF:
		tl_add(why, "memory_hotplug.memmap_on_memory is off (N), so the kernel "
		       "allocates the memmap from DRAM");
		return false;
	case MHP_MEMMAP_MODE_FORCE:
		if (d->has_force)
			return true;
		tl_add(why, "memory_hotplug.memmap_on_memory=force is not accepted by "
		       "rule set %s (5.13-6.5 take Y/N only)", d->rules);
		return false;
	default:
		return true;
	}
}

/* What kmem does with a dax device: the source-level rules. */
static bool check_source(const struct mhp_platform_desc *d, uint64_t nr_blocks,
			 const struct geom *g, const struct textlist *why)
{
	struct szbuf b = { .i = 0 };
	bool ok = true;

	if (!d->kmem_memmap) {
		tl_add(why, "dax_kmem under rule set %s never requests memmap_on_memory "
		       "(MHP_MEMMAP_ON_MEMORY) for a dax device, so its memmap always "
		       "goes to DRAM; kernels >= 6.8 and the 6.1-mhp series do request it",
		       d->rules);
		ok = false;
	}
	if (nr_blocks > 1 && !d->splits_multi_block) {
		tl_add(why, "kmem adds the device's %" PRIu64 " blocks (%s) in one request, "
		       "but rule set %s puts the memmap on memory only when a request is "
		       "exactly one %s block (multi-block requests are split per block "
		       "from 6.8)", nr_blocks, sz(&b, nr_blocks * g->B), d->rules,
		       sz(&b, g->B));
		ok = false;
	}
	return ok;
}

/* Stock 5.13-6.5 mhp_supports_memmap_on_memory(), per block. */
static bool check_block_61(const struct mhp_platform_desc *d, const struct geom *g,
			   const struct textlist *why)
{
	struct szbuf b = { .i = 0 };
	bool ok = true;

	/* the 5.13 series enabled ARCH_MHP_MEMMAP_ON_MEMORY_ENABLE on these only */
	if (!is_arch(d, "x86_64") && !is_arch(d, "arm64")) {
		tl_add(why, "rule set %s supports memmap_on_memory on x86_64 and arm64 "
		       "only, not %s (ppc64 gained it in 6.6)", d->rules, d->arch);
		ok = false;
	}
	if (g->V % d->pmd_size) {
		tl_add(why, "memmap of %s (%" PRIu64 " pages) per %s block is not a "
		       "multiple of the %s PMD", sz(&b, g->V), g->M, sz(&b, g->B),
		       sz(&b, d->pmd_size));
		ok = false;
	}
	if ((g->B - g->V) % d->pageblock_size) {
		tl_add(why, "the %s left of each %s block after its %s memmap is not "
		       "a multiple of the %s pageblock", sz(&b, g->B - g->V),
		       sz(&b, g->B), sz(&b, g->V), sz(&b, d->pageblock_size));
		ok = false;
	}
	return ok;
}

/* 6.6+ arch_supports_memmap_on_memory(): force never relaxes it. */
static bool check_arch(const struct mhp_platform_desc *d, const struct geom *g,
		       const struct textlist *why)
{
	struct szbuf b = { .i = 0 };

	if (is_arch(d, "ppc64")) {
		if (d->mmu == MHP_MMU_HASH) {
			tl_add(why, "ppc64 with the hash MMU never supports "
			       "memmap_on_memory (radix only)");
			return false;
		}
		/* radix with 64K pages has no PMD requirement */
		if (g->P != 4 * SZ_1K)
			return true;
	}
	if (g->V % d->pmd_size == 0)
		return true;
	tl_add(why, "memmap of %s per %s block is not a multiple of the %s PMD "
	       "(the %s architecture check; force does not relax it)",
	       sz(&b, g->V), sz(&b, g->B), sz(&b, d->pmd_size), d->arch);
	return false;
}

/* 6.6+ mhp_supports_memmap_on_memory(), per block. */
static bool check_block_new(const struct mhp_platform_desc *d, const struct geom *g,
			    enum mhp_memmap_mode mode, const struct textlist *why)
{
	struct szbuf b = { .i = 0 };
	uint64_t extra = ALIGN_UP(g->M, g->pb_pages) - g->M;
	bool ok = true;

	if (g->V % g->P) {
		tl_add(why, "memmap of %" PRIu64 " bytes per %s block is not a whole "
		       "number of %s pages", g->V, sz(&b, g->B), sz(&b, g->P));
		ok = false;
	}
	if (g->M_eff % g->pb_pages) {
		if (d->has_force && mode != MHP_MEMMAP_MODE_FORCE)
			tl_add(why, "memmap of %s (%" PRIu64 " pages) is not a multiple "
			       "of the %s pageblock (%" PRIu64 " pages); "
			       "memory_hotplug.memmap_on_memory=force would reserve "
			       "%" PRIu64 " extra pages (%s) per block",
			       sz(&b, g->M * g->P), g->M, sz(&b, d->pageblock_size),
			       g->pb_pages, extra, sz(&b, extra * g->P));
		else
			tl_add(why, "memmap of %s (%" PRIu64 " pages) is not a multiple "
			       "of the %s pageblock (%" PRIu64 " pages)",
			       sz(&b, g->M * g->P), g->M, sz(&b, d->pageblock_size),
			       g->pb_pages);
		ok = false;
	}
	if (g->M_eff >= g->nr_pages) {
		if (g->M_eff > g->M)
			tl_add(why, "memmap of %" PRIu64 " pages plus %" PRIu64
			       " force-reserved pages (%s) fills the whole %s block "
			       "(%" PRIu64 " pages): nothing would be left to use",
			       g->M, g->M_eff - g->M, sz(&b, (g->M_eff - g->M) * g->P),
			       sz(&b, g->B), g->nr_pages);
		else
			tl_add(why, "memmap of %" PRIu64 " pages fills the whole %s "
			       "block (%" PRIu64 " pages): nothing would be left to use",
			       g->M, sz(&b, g->B), g->nr_pages);
		ok = false;
	}
	if (!check_arch(d, g, why))
		ok = false;
	return ok;
}

/*
 * Would kmem put the memmap of a @nr_blocks-block dax device on the
 * device itself under @mode? Every failing rule is added to @why (may be
 * NULL). With @mode off the block rules are judged as for Y, so that the
 * reasons tell the whole story.
 */
static bool memmap_eligible(const struct mhp_platform_desc *d, uint64_t block_size,
			    enum mhp_memmap_mode mode, uint64_t nr_blocks,
			    const struct textlist *why)
{
	enum mhp_memmap_mode as = mode == MHP_MEMMAP_MODE_FORCE ?
		MHP_MEMMAP_MODE_FORCE : MHP_MEMMAP_MODE_ON;
	struct geom g;
	bool ok;

	geom_init(&g, d, block_size, as);
	ok = check_mode(d, mode, why);
	if (!check_source(d, nr_blocks, &g, why))
		ok = false;
	if (d->new_eligibility) {
		if (!check_block_new(d, &g, as, why))
			ok = false;
	} else if (!check_block_61(d, &g, why)) {
		ok = false;
	}
	return ok;
}

/* ---- one complete evaluation of a source on a platform ---- */

struct scenario {
	struct geom g;
	uint64_t first;		/* first block's physical address */
	uint64_t nr_blocks;
	uint64_t head, tail;	/* alignment waste */
	bool eligible;
	bool on_device;
	uint64_t usable_per_block;
	uint64_t usable;
	uint64_t force_waste;
	uint64_t dram;
};

static void layout(struct scenario *sc, uint64_t B, uint64_t start, uint64_t size)
{
	uint64_t end = start + size;	/* validate() ruled out overflow */
	uint64_t last = ALIGN_DOWN(end, B);
	uint64_t first = start;

	if (start % B)
		first = start <= UINT64_MAX - (B - start % B) ?
			start + (B - start % B) : UINT64_MAX;
	sc->first = first;
	if (first >= last) {
		/* kmem: nothing left after trimming to blocks, probe fails EINVAL */
		sc->nr_blocks = 0;
		sc->head = first - start < size ? first - start : size;
		sc->tail = size - sc->head;
	} else {
		sc->nr_blocks = (last - first) / B;
		sc->head = first - start;
		sc->tail = end - last;
	}
}

static void evaluate(struct scenario *sc, const struct mhp_platform_desc *d,
		     uint64_t block_size, enum mhp_memmap_mode mode,
		     enum mhp_memmap_policy policy, uint64_t start, uint64_t size,
		     const struct textlist *why)
{
	memset(sc, 0, sizeof(*sc));
	layout(sc, block_size, start, size);
	geom_init(&sc->g, d, block_size, mode);
	if (sc->nr_blocks == 0) {
		struct szbuf b = { .i = 0 };

		tl_add(why, "no whole %s block fits in [%#" PRIx64 ", %#" PRIx64 ") once "
		       "trimmed to block alignment; kmem would fail the probe (EINVAL)",
		       sz(&b, block_size), start, start + size);
	} else {
		sc->eligible = memmap_eligible(d, block_size, mode, sc->nr_blocks, why);
	}
	sc->on_device = sc->eligible && policy != MHP_MEMMAP_POLICY_OFF;
	sc->usable_per_block = sc->on_device ? block_size - sc->g.M_eff * sc->g.P :
		block_size;
	sc->usable = sc->usable_per_block * sc->nr_blocks;
	sc->force_waste = sc->on_device ?
		(sc->g.M_eff - sc->g.M) * sc->g.P * sc->nr_blocks : 0;
	sc->dram = sc->on_device ? 0 : sc->g.V * sc->nr_blocks;
}

/* ---- validation ---- */

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int validate(struct mhp_ctx *ctx, const struct mhp_platform_desc *d,
		    const struct mhp_plan_input *in)
{
	if (!pow2(d->page_size) || !pow2(d->block_size) || !pow2(d->pageblock_size) ||
	    !pow2(d->pmd_size))
		return mhp_fail(ctx, -EINVAL,
				"plan: page (%" PRIu64 "), block (%" PRIu64 "), pageblock "
				"(%" PRIu64 ") and PMD (%" PRIu64 ") sizes must be powers of two",
				d->page_size, d->block_size, d->pageblock_size, d->pmd_size);
	if (d->pageblock_size < d->page_size || d->block_size % d->pageblock_size ||
	    d->pmd_size < d->page_size)
		return mhp_fail(ctx, -EINVAL,
				"plan: need page <= pageblock <= block and page <= PMD "
				"(page %" PRIu64 ", pageblock %" PRIu64 ", block %" PRIu64
				", PMD %" PRIu64 ")", d->page_size, d->pageblock_size,
				d->block_size, d->pmd_size);
	if (!d->struct_page_size || d->struct_page_size > 4096)
		return mhp_fail(ctx, -EINVAL, "plan: struct page size %" PRIu64
				" is out of range (1-4096)", d->struct_page_size);
	if (in->size == 0)
		return mhp_fail(ctx, -EINVAL, "plan: the source %s is empty (size 0)",
				in->target ? in->target : "range");
	if (in->start + in->size < in->start)
		return mhp_fail(ctx, -ERANGE, "plan: range %#" PRIx64 " + %#" PRIx64
				" runs past the end of the physical address space",
				in->start, in->size);
	if (in->size / d->block_size > MAX_PLAN_BLOCKS)
		return mhp_fail(ctx, -E2BIG, "plan: %" PRIu64 " blocks is more than the "
				"%llu the planner handles", in->size / d->block_size,
				MAX_PLAN_BLOCKS);
	return 0;
}

static void resolve_opts(struct mhp_plan_opts *o, const struct mhp_platform_desc *d,
			 const struct mhp_plan_opts *in)
{
	memset(o, 0, sizeof(*o));
	if (in) {
		size_t n = in->size && in->size < sizeof(*o) ? in->size : sizeof(*o);

		memcpy(o, in, n);
	}
	o->size = sizeof(*o);
	if (!o->movable_ratio)
		o->movable_ratio = d->auto_movable_ratio >= 0 ?
			(uint32_t)d->auto_movable_ratio : DEFAULT_MOVABLE_RATIO;
	if (!o->waste_warn_pct)
		o->waste_warn_pct = DEFAULT_WASTE_WARN_PCT;
}

/* ---- zones ---- */

/* movable_total <= ratio% of kernel_total, without overflow */
static bool ratio_ok(uint64_t movable, uint64_t kernel, uint32_t ratio)
{
	return (unsigned __int128)movable * 100 <= (unsigned __int128)kernel * ratio;
}

/*
 * Auto: the fewest ZONE_NORMAL blocks, at the lowest addresses, that keep
 * MOVABLE:KERNEL within the ratio. Judged system-wide, not per node: a
 * CPU-less CXL node has no kernel memory of its own, so a per-node
 * judgement (the kernel's auto_movable_numa_aware=Y) would force every
 * block into ZONE_NORMAL and make the device impossible to unplug.
 * Returns the number of normal blocks.
 */
static uint64_t auto_normal_blocks(const struct mhp_plan *plan, uint64_t per_block)
{
	const struct mhp_platform_desc *d = &plan->platform;
	uint64_t n = plan->nr_blocks, k;

	for (k = 0; k < n; k++)
		if (ratio_ok(d->movable_bytes + (n - k) * per_block,
			     d->kernel_bytes + k * per_block, plan->opts.movable_ratio))
			break;
	return k;
}

static void note_auto(struct mhp_plan *plan, uint64_t k, uint64_t per_block)
{
	const struct mhp_platform_desc *d = &plan->platform;
	uint64_t n = plan->nr_blocks;
	uint32_t r = plan->opts.movable_ratio;
	struct szbuf b = { .i = 0 };

	if (k == 0) {
		tl_add(TL(plan, zone_notes), "auto: all %" PRIu64 " blocks go to "
		       "ZONE_MOVABLE: movable %s + %s stays within %u%% of the %s of "
		       "kernel memory (judged system-wide)", n,
		       sz(&b, d->movable_bytes), sz(&b, plan->movable_bytes), r,
		       sz(&b, d->kernel_bytes));
		return;
	}
	if (k == n && !ratio_ok(d->movable_bytes, d->kernel_bytes + n * per_block, r)) {
		tl_add(TL(plan, zone_notes), "auto: all %" PRIu64 " blocks go to "
		       "ZONE_NORMAL: %s already in ZONE_MOVABLE exceeds %u%% of the %s "
		       "of kernel memory even with this device in ZONE_NORMAL", n,
		       sz(&b, d->movable_bytes), r,
		       sz(&b, d->kernel_bytes + n * per_block));
		return;
	}
	tl_add(TL(plan, zone_notes), "auto: the lowest %" PRIu64 " of %" PRIu64
	       " blocks (memory%" PRIu64 "-memory%" PRIu64 ", %s) go to ZONE_NORMAL "
	       "so that movable %s + %s stays within %u%% of kernel %s + %s "
	       "(judged system-wide); the top %" PRIu64 " stay ZONE_MOVABLE", k, n,
	       plan->blocks[0].index, plan->blocks[k - 1].index,
	       sz(&b, plan->normal_bytes), sz(&b, d->movable_bytes),
	       sz(&b, plan->movable_bytes), r, sz(&b, d->kernel_bytes),
	       sz(&b, plan->normal_bytes), n - k);
}

static void note_consequences(struct mhp_plan *plan)
{
	struct szbuf b = { .i = 0 };

	if (plan->input.node >= 0 && !plan->input.node_has_cpus)
		tl_add(TL(plan, zone_notes), "node %d has no CPUs and no kernel memory of "
		       "its own; the ratio is judged system-wide, since judging it per "
		       "node would put every block in ZONE_NORMAL", plan->input.node);
	if (plan->normal_bytes)
		tl_add(TL(plan, zone_notes), "ZONE_NORMAL blocks (%s) take unmovable "
		       "kernel allocations and can practically never be offlined again: "
		       "the device cannot be hot-removed while they are online",
		       sz(&b, plan->normal_bytes));
	if (plan->movable_bytes)
		tl_add(TL(plan, zone_notes), "1 GiB gigantic pages cannot be allocated "
		       "in ZONE_MOVABLE (%s here)", sz(&b, plan->movable_bytes));
	if (plan->movable_bytes && plan->memmap_on_device)
		tl_add(TL(plan, zone_notes), "memmap-on-memory blocks in ZONE_MOVABLE "
		       "are fine: each block's memmap lives in the block itself and goes "
		       "away with it");
}

static void plan_zones(struct mhp_plan *plan, uint64_t per_block)
{
	const struct mhp_platform_desc *d = &plan->platform;
	uint64_t n = plan->nr_blocks, k, i;
	struct szbuf b = { .i = 0 };

	switch (plan->opts.zone) {
	case MHP_ZONE_POLICY_NORMAL:
		k = n;
		break;
	case MHP_ZONE_POLICY_MOVABLE:
		k = 0;
		break;
	default:
		k = auto_normal_blocks(plan, per_block);
		break;
	}
	for (i = 0; i < n; i++)
		plan->blocks[i].zone = i < k ? MHP_ZONE_NORMAL : MHP_ZONE_MOVABLE;
	plan->normal_bytes = k * per_block;
	plan->movable_bytes = (n - k) * per_block;
	if (n == 0)
		return;

	if (plan->opts.zone == MHP_ZONE_POLICY_AUTO)
		note_auto(plan, k, per_block);
	else
		tl_add(TL(plan, zone_notes), "all %" PRIu64 " blocks go to %s as asked",
		       n, k ? "ZONE_NORMAL" : "ZONE_MOVABLE");
	if (plan->opts.zone == MHP_ZONE_POLICY_MOVABLE &&
	    !ratio_ok(d->movable_bytes + plan->movable_bytes, d->kernel_bytes,
		      plan->opts.movable_ratio))
		tl_add(TL(plan, warnings), "ZONE_MOVABLE would hold %s against %s of "
		       "kernel memory, more than %u%%: the kernel may run out of memory "
		       "for its own allocations (3:1 to 4:1 is usually fine)",
		       sz(&b, d->movable_bytes + plan->movable_bytes),
		       sz(&b, d->kernel_bytes), plan->opts.movable_ratio);
	note_consequences(plan);
}

/* ---- warnings ---- */

static void plan_warnings(struct mhp_plan *plan)
{
	uint64_t lost = plan->alignment_waste_bytes + plan->force_waste_bytes;
	unsigned int p = pct10(lost, plan->raw_bytes);
	struct szbuf b = { .i = 0 };

	if (p > plan->opts.waste_warn_pct * 10)
		tl_add(TL(plan, warnings), "%s (%u.%u%%) of the %s source is lost, more "
		       "than the %u%% threshold: alignment %s (head %s, tail %s), force "
		       "reservation %s", sz(&b, lost), p / 10, p % 10,
		       sz(&b, plan->raw_bytes), plan->opts.waste_warn_pct,
		       sz(&b, plan->alignment_waste_bytes),
		       sz(&b, plan->alignment_waste_head_bytes),
		       sz(&b, plan->alignment_waste_tail_bytes),
		       sz(&b, plan->force_waste_bytes));
	if (plan->input.persistent)
		tl_add(TL(plan, warnings), "%s is persistent memory: onlining it as "
		       "system RAM destroys the data on it",
		       plan->input.target ? plan->input.target : "the source");
}

/* ---- advice ---- */

static const char *node_text(const struct mhp_plan *plan, char *buf, size_t len)
{
	if (plan->input.dram_node >= 0)
		snprintf(buf, len, "node %d", plan->input.dram_node);
	else
		snprintf(buf, len, "another node");
	return buf;
}

/* A kernel that can put a dax device's memmap on the device: 6.8 rules. */
static enum mhp_memmap_mode better_kernel_mode(const struct mhp_plan *plan)
{
	struct mhp_platform_desc k = plan->platform;
	uint64_t n = plan->nr_blocks;

	mhp_platform_desc_set_rules(&k, "6.8");
	if (memmap_eligible(&k, k.block_size, MHP_MEMMAP_MODE_ON, n, NULL))
		return MHP_MEMMAP_MODE_ON;
	if (memmap_eligible(&k, k.block_size, MHP_MEMMAP_MODE_FORCE, n, NULL))
		return MHP_MEMMAP_MODE_FORCE;
	return MHP_MEMMAP_MODE_OFF;
}

static void advise_memmap_mode(struct mhp_plan *plan)
{
	const struct mhp_platform_desc *d = &plan->platform;
	uint64_t n = plan->nr_blocks, extra;
	enum mhp_memmap_mode mode = d->memmap_mode, better;
	struct szbuf b = { .i = 0 };
	char nb[32];
	struct geom g;

	if (plan->memmap_on_device || plan->opts.memmap == MHP_MEMMAP_POLICY_OFF || !n)
		return;
	node_text(plan, nb, sizeof(nb));
	if (mode != MHP_MEMMAP_MODE_ON && mode != MHP_MEMMAP_MODE_FORCE &&
	    memmap_eligible(d, d->block_size, MHP_MEMMAP_MODE_ON, n, NULL)) {
		advise(plan, "kernel_cmdline", "memory_hotplug.memmap_on_memory=1",
		       "%sboot with memory_hotplug.memmap_on_memory=1: the %s memmap "
		       "(%s per block) would live on the device instead of taking %s "
		       "of DRAM on %s",
		       mode == MHP_MEMMAP_MODE_ABSENT ?
		       "rebuild with CONFIG_MHP_MEMMAP_ON_MEMORY=y and " : "",
		       sz(&b, plan->memmap_bytes), sz(&b, plan->memmap_bytes / n),
		       sz(&b, plan->dram_overhead_bytes), nb);
		return;
	}
	if (d->has_force && mode != MHP_MEMMAP_MODE_FORCE &&
	    memmap_eligible(d, d->block_size, MHP_MEMMAP_MODE_FORCE, n, NULL)) {
		geom_init(&g, d, d->block_size, MHP_MEMMAP_MODE_FORCE);
		extra = (g.M_eff - g.M) * g.P;
		advise(plan, "kernel_cmdline", "memory_hotplug.memmap_on_memory=force",
		       "%sboot with memory_hotplug.memmap_on_memory=force: only force "
		       "makes this block size eligible; it reserves %" PRIu64 " extra "
		       "pages (%s) per block, %s in all, and saves %s of DRAM on %s",
		       mode == MHP_MEMMAP_MODE_ABSENT ?
		       "rebuild with CONFIG_MHP_MEMMAP_ON_MEMORY=y and " : "",
		       g.M_eff - g.M, sz(&b, extra), sz(&b, extra * n),
		       sz(&b, plan->dram_overhead_bytes), nb);
		return;
	}
	if (d->kmem_memmap && d->has_force && (n == 1 || d->splits_multi_block))
		return;		/* the block rules fail: see block_size advice */
	better = better_kernel_mode(plan);
	if (better == MHP_MEMMAP_MODE_OFF)
		return;
	advise(plan, "kernel_cmdline",
	       better == MHP_MEMMAP_MODE_ON ?
	       "memory_hotplug.memmap_on_memory=1 (6.1-mhp or >= 6.8 kernel)" :
	       "memory_hotplug.memmap_on_memory=force (6.1-mhp or >= 6.8 kernel)",
	       "rule set %s cannot put a dax device's memmap on the device; a 6.1 "
	       "kernel with the series in kernel-patches/ (6.1-mhp) or a >= 6.8 kernel "
	       "would, booted with memory_hotplug.memmap_on_memory=%s, saving %s of "
	       "DRAM on %s", d->rules, better == MHP_MEMMAP_MODE_ON ? "1" : "force",
	       sz(&b, plan->dram_overhead_bytes), nb);
}

static void advise_numa_aware(struct mhp_plan *plan)
{
	const struct mhp_platform_desc *d = &plan->platform;

	if (plan->input.node < 0 || plan->input.node_has_cpus ||
	    !d->online_policy_auto_movable || d->auto_movable_numa_aware != 1)
		return;
	advise(plan, "kernel_cmdline", "memory_hotplug.auto_movable_numa_aware=0",
	       "online_policy is auto-movable with auto_movable_numa_aware=Y: node %d "
	       "has no CPUs and no kernel memory, so a plain 'online' would put all of "
	       "it in ZONE_NORMAL; set auto_movable_numa_aware=0 (boot parameter, or "
	       "/sys/module/memory_hotplug/parameters/auto_movable_numa_aware) to "
	       "judge the ratio system-wide like this plan", plan->input.node);
}

static void advise_dax_knob(struct mhp_plan *plan)
{
	const char *t = plan->input.target;
	char action[128];

	if (!t || !plan->platform.dax_memmap_knob || plan->input.dax_knob < 0)
		return;
	if (plan->memmap_on_device && plan->input.dax_knob == 0) {
		snprintf(action, sizeof(action),
			 "echo 1 > /sys/bus/dax/devices/%s/memmap_on_memory", t);
		advise(plan, "dax_knob", action,
		       "the plan puts the memmap on the device but %s/memmap_on_memory "
		       "is 0; set it to 1 while the device is not bound to kmem (EBUSY "
		       "otherwise), before binding", t);
	} else if (!plan->memmap_on_device && plan->eligible &&
		   plan->input.dax_knob == 1) {
		snprintf(action, sizeof(action),
			 "echo 0 > /sys/bus/dax/devices/%s/memmap_on_memory", t);
		advise(plan, "dax_knob", action,
		       "the plan keeps the memmap in DRAM but %s/memmap_on_memory is 1, "
		       "so kmem would put it on the device; set it to 0 before binding", t);
	}
}

/* ---- block size advice ---- */

/* "128G" or "512M": a size daxctl, ndctl and the kernel accept. */
static void size_token(uint64_t bytes, char *buf, size_t len)
{
	if (bytes % SZ_1G == 0)
		snprintf(buf, len, "%" PRIu64 "G", (uint64_t)(bytes / SZ_1G));
	else
		snprintf(buf, len, "%" PRIu64 "M", (uint64_t)(bytes / SZ_1M));
}


static const uint64_t x86_block_sizes[] = {
	128 * SZ_1M, 256 * SZ_1M, 512 * SZ_1M, SZ_1G, 2 * SZ_1G,
};

/* Can a 1 GiB page form inside one block? */
static const char *gigantic_text(const struct scenario *sc)
{
	if (sc->g.B >= 2 * SZ_1G)
		return "yes";	/* the second 1 GiB of a block is memmap-free */
	if (sc->g.B >= SZ_1G)
		return sc->on_device ? "no (memmap at its start)" : "yes";
	return sc->on_device ? "no" : "only across blocks";
}

static uint64_t lost(const struct scenario *sc)
{
	return sc->head + sc->tail + sc->force_waste;
}

/*
 * Order candidates: memmap on the device first (unless memmap is off),
 * then less waste, then the smaller block (finer hot-remove unit).
 */
static bool candidate_better(const struct scenario *a, const struct scenario *b,
			     bool want_device)
{
	if (want_device && a->on_device != b->on_device)
		return a->on_device;
	if (lost(a) != lost(b))
		return lost(a) < lost(b);
	return a->g.B < b->g.B;
}

/* Why @a is worth a change from @b, or NULL when it is not. */
static const char *candidate_gain(const struct scenario *a, const struct scenario *b,
				  bool want_device)
{
	if (want_device && a->on_device && !b->on_device)
		return "it lets the memmap live on the device";
	if ((!want_device || a->on_device == b->on_device) && lost(a) < lost(b))
		return "it wastes less";
	return NULL;
}

static int append(char **buf, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int append(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *s, *n;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	n = realloc(*buf, *len + (size_t)rc + 1);
	if (!n) {
		free(s);
		return -ENOMEM;
	}
	memcpy(n + *len, s, (size_t)rc + 1);
	*buf = n;
	*len += (size_t)rc;
	free(s);
	return 0;
}

static int describe_candidate(char **buf, size_t *len, const struct scenario *sc)
{
	struct szbuf b = { .i = 0 };

	return append(buf, len, "%s%s: %" PRIu64 " block%s, memmap %s per block %s%s, "
		      "force waste %s, alignment waste %s, hot-remove unit %s, "
		      "1 GiB page in a block: %s", *len ? "; " : "", sz(&b, sc->g.B),
		      sc->nr_blocks, sc->nr_blocks == 1 ? "" : "s", sz(&b, sc->g.V),
		      sc->on_device ? "on the device" : "in DRAM",
		      sc->nr_blocks && !sc->eligible ? " (not eligible)" : "",
		      sz(&b, sc->force_waste), sz(&b, sc->head + sc->tail),
		      sz(&b, sc->g.B), gigantic_text(sc));
}

static void advise_block_size_x86(struct mhp_plan *plan)
{
	const struct mhp_platform_desc *d = &plan->platform;
	bool want = plan->opts.memmap != MHP_MEMMAP_POLICY_OFF;
	struct scenario sc[ARRAY_SIZE(x86_block_sizes)];
	size_t i, best = 0, cur = SIZE_MAX, len = 0;
	struct szbuf b = { .i = 0 };
	char *text = NULL, action[64], tok[32];
	const char *gain;

	for (i = 0; i < ARRAY_SIZE(x86_block_sizes); i++) {
		evaluate(&sc[i], d, x86_block_sizes[i], d->memmap_mode, plan->opts.memmap,
			 plan->input.start, plan->input.size, NULL);
		if (x86_block_sizes[i] == d->block_size)
			cur = i;
		if (candidate_better(&sc[i], &sc[best], want))
			best = i;
		if (describe_candidate(&text, &len, &sc[i]) < 0) {
			plan->nomem = true;
			free(text);
			return;
		}
	}
	/* nothing to gain over the current size (or it is not a candidate) */
	gain = cur == SIZE_MAX ? NULL : candidate_gain(&sc[best], &sc[cur], want);
	if (!gain) {
		free(text);
		return;
	}
	size_token(x86_block_sizes[best], tok, sizeof(tok));
	snprintf(action, sizeof(action), "memory_block_size=%s", tok);
	advise(plan, "block_size", d->block_size_param ? action : NULL,
	       "block size %s would suit this source better than %s (%s). "
	       "Candidates: %s. %s", sz(&b, x86_block_sizes[best]),
	       sz(&b, d->block_size), gain, text,
	       d->block_size_param ?
	       "Set it with the memory_block_size= boot parameter (6.1-mhp series)." :
	       "A stock x86_64 kernel cannot set it at run time or on the command "
	       "line: it follows the end of boot memory (128 MiB below 64 GiB, 2 GiB "
	       "on bare metal with more); the 6.1-mhp series in kernel-patches/ adds "
	       "a memory_block_size= boot parameter.");
	free(text);
}

/* Do the block-level rules pass in the best mode this kernel has? */
static bool block_rules_pass(const struct mhp_platform_desc *d)
{
	enum mhp_memmap_mode mode = d->has_force ? MHP_MEMMAP_MODE_FORCE :
		MHP_MEMMAP_MODE_ON;
	struct geom g;

	geom_init(&g, d, d->block_size, mode);
	if (d->new_eligibility)
		return check_block_new(d, &g, mode, NULL);
	return check_block_61(d, &g, NULL);
}

static void advise_block_size_fixed(struct mhp_plan *plan, const struct scenario *cur)
{
	const struct mhp_platform_desc *d = &plan->platform;
	bool want = plan->opts.memmap != MHP_MEMMAP_POLICY_OFF;
	bool rules_fail = want && !cur->on_device && !block_rules_pass(d);
	struct szbuf b = { .i = 0 };
	const char *why;

	/* only worth saying when this block size costs something */
	if (!cur->head && !cur->tail && !cur->force_waste && !rules_fail)
		return;
	if (is_arch(d, "ppc64"))
		why = "it is the LMB size set by firmware";
	else if (is_arch(d, "arm64"))
		why = "it is the sparsemem section size (128 MiB with 4K and 16K pages, "
			"512 MiB with 64K pages)";
	else
		why = "it is the sparsemem section size";
	advise(plan, "block_size", NULL,
	       "the %s block size (%s) cannot be changed on %s: %s. It costs this "
	       "source %s of alignment waste and %s of force reservation%s",
	       d->arch, sz(&b, d->block_size), d->arch, why,
	       sz(&b, cur->head + cur->tail), sz(&b, cur->force_waste),
	       rules_fail ? ", and the block rules keep the memmap off the device" : "");
}

/* ---- hot-remove unit advice ---- */

static void advise_hotremove_unit(struct mhp_plan *plan)
{
	uint64_t B = plan->platform.block_size, unit = B, n = plan->nr_blocks;
	const char *region = plan->input.region ? plan->input.region : "REGION";
	const char *t = plan->input.target ? plan->input.target : "the dax device";
	struct szbuf b = { .i = 0 };
	char action[128], tok[32];

	if (plan->usable_bytes < HOTREMOVE_MIN_BYTES || n < HOTREMOVE_MIN_BLOCKS)
		return;
	while (unit * 2 <= plan->raw_bytes / HOTREMOVE_UNITS)
		unit *= 2;
	size_token(unit, tok, sizeof(tok));
	if (plan->input.persistent) {
		snprintf(action, sizeof(action), "ndctl create-namespace -m devdax -s %s", tok);
		advise(plan, "hotremove_unit", action,
		       "%s adds %" PRIu64 " blocks (%s) as one unit: giving any of it "
		       "back needs every block offline and kmem unbound. Several "
		       "devdax namespaces of %s (a multiple of the %s block) can be "
		       "removed one at a time; the cost is one more device to bind and "
		       "online per namespace, and up to one block of alignment per "
		       "namespace if its start is not block-aligned", t, n,
		       sz(&b, plan->usable_bytes), sz(&b, unit), sz(&b, B));
		return;
	}
	snprintf(action, sizeof(action), "daxctl create-device -r %s -s %s", region, tok);
	advise(plan, "hotremove_unit", action,
	       "%s adds %" PRIu64 " blocks (%s) as one unit: giving any of it back "
	       "needs every block offline and kmem unbound. Splitting %s into "
	       "sub-devices of %s (a multiple of the %s block: destroy %s, then run "
	       "'%s' about %" PRIu64 " times) makes each removable on its own. Cost: "
	       "one more device to bind and online per unit; no extra alignment loss "
	       "while the region start is block-aligned and the unit is a block "
	       "multiple; the memmap per block is unchanged",
	       t, n, sz(&b, plan->usable_bytes), region, sz(&b, unit), sz(&b, B), t,
	       action, plan->raw_bytes / unit);
}

static void plan_advice(struct mhp_plan *plan, const struct scenario *sc)
{
	advise_memmap_mode(plan);
	advise_numa_aware(plan);
	advise_dax_knob(plan);
	if (is_arch(&plan->platform, "x86_64"))
		advise_block_size_x86(plan);
	else
		advise_block_size_fixed(plan, sc);
	advise_hotremove_unit(plan);
}

/* ---- the kernel's own onlining ---- */

static void auto_movable_zone(const struct mhp_platform_desc *d, int node,
			      uint64_t node_kernel, uint64_t node_movable, uint64_t size,
			      struct mhp_auto_online *out)
{
	uint32_t r = d->auto_movable_ratio >= 0 ? (uint32_t)d->auto_movable_ratio :
		DEFAULT_MOVABLE_RATIO;
	bool numa_aware = d->auto_movable_numa_aware != 0;	/* default Y */
	struct szbuf b = { .i = 0 };
	char where[32];

	if (node >= 0)
		snprintf(where, sizeof(where), "node %d", node);
	else
		snprintf(where, sizeof(where), "a CPU-less node");
	if (numa_aware && node_kernel == 0) {
		out->zone = MHP_ZONE_NORMAL;
		snprintf(out->why, sizeof(out->why), "online_policy=auto-movable with "
			 "auto_movable_numa_aware=Y: %s has no kernel memory, so the "
			 "ratio allows no ZONE_MOVABLE there and everything goes to "
			 "ZONE_NORMAL", where);
		return;
	}
	if (ratio_ok(d->movable_bytes + size, d->kernel_bytes, r) &&
	    (!numa_aware || ratio_ok(node_movable + size, node_kernel, r))) {
		out->zone = MHP_ZONE_MOVABLE;
		snprintf(out->why, sizeof(out->why), "online_policy=auto-movable: movable "
			 "%s + %s stays within auto_movable_ratio=%u%% of kernel memory "
			 "(%s), so it goes to ZONE_MOVABLE", sz(&b, d->movable_bytes),
			 sz(&b, size), r, sz(&b, d->kernel_bytes));
		return;
	}
	out->zone = MHP_ZONE_NORMAL;
	snprintf(out->why, sizeof(out->why), "online_policy=auto-movable: %s more "
		 "ZONE_MOVABLE would exceed auto_movable_ratio=%u%% of kernel memory%s, "
		 "so at least part of it goes to ZONE_NORMAL", sz(&b, size), r,
		 numa_aware ? " (judged per node and system-wide)" : "");
}

void mhp_auto_online_predict(const struct mhp_platform_desc *d, int node,
			     uint64_t node_kernel, uint64_t node_movable, uint64_t size,
			     struct mhp_auto_online *out)
{
	const char *v = d->auto_online_blocks;

	memset(out, 0, sizeof(*out));
	if (!v[0]) {
		snprintf(out->why, sizeof(out->why), "auto_online_blocks is unknown, so "
			 "whether the kernel onlines hot-added memory by itself is unknown");
		return;
	}
	if (!strcmp(v, "offline")) {
		snprintf(out->why, sizeof(out->why), "auto_online_blocks=offline: "
			 "hot-added memory stays offline until something onlines it");
		return;
	}
	out->onlines = true;
	if (!strcmp(v, "online_movable")) {
		out->zone = MHP_ZONE_MOVABLE;
		snprintf(out->why, sizeof(out->why), "auto_online_blocks=online_movable: "
			 "the kernel onlines hot-added memory into ZONE_MOVABLE");
	} else if (!strcmp(v, "online_kernel")) {
		out->zone = MHP_ZONE_NORMAL;
		snprintf(out->why, sizeof(out->why), "auto_online_blocks=online_kernel: "
			 "the kernel onlines hot-added memory into ZONE_NORMAL");
	} else if (strcmp(v, "online") != 0) {
		out->onlines = false;
		snprintf(out->why, sizeof(out->why), "auto_online_blocks=%s is not a "
			 "value this library knows", v);
	} else if (d->online_policy_auto_movable) {
		auto_movable_zone(d, node, node_kernel, node_movable, size, out);
	} else if (node_movable && !node_kernel) {
		out->zone = MHP_ZONE_MOVABLE;
		snprintf(out->why, sizeof(out->why), "auto_online_blocks=online with "
			 "online_policy=contig-zones: node %d's memory is all ZONE_MOVABLE "
			 "already, and the zones stay contiguous", node);
	} else {
		out->zone = MHP_ZONE_NORMAL;
		snprintf(out->why, sizeof(out->why), "auto_online_blocks=online with "
			 "online_policy=contig-zones: the default zone of a new block is "
			 "ZONE_NORMAL (valid_zones lists Normal first), so the kernel "
			 "onlines it there");
	}
}

static void plan_auto_online(struct mhp_plan *plan)
{
	struct mhp_auto_online *ao = &plan->auto_online;
	const char *t = plan->input.target ? plan->input.target : "the device";
	char unit[64] = "cxlmem-online@.service";
	struct szbuf b = { .i = 0 };

	mhp_auto_online_predict(&plan->platform, plan->input.node,
				plan->input.node_kernel_bytes,
				plan->input.node_movable_bytes, plan->usable_bytes, ao);
	if (!ao->onlines || !plan->nr_blocks)
		return;
	if (plan->input.target)
		snprintf(unit, sizeof(unit), "cxlmem-online@%s.service", t);
	if (ao->zone != MHP_ZONE_NONE) {
		bool differs = (ao->zone == MHP_ZONE_NORMAL && plan->movable_bytes) ||
			(ao->zone == MHP_ZONE_MOVABLE && plan->normal_bytes);

		tl_add(TL(plan, zone_notes), "the kernel onlines %s by itself as soon as "
		       "kmem adds it: %s%s", t, ao->why,
		       differs ? "; that differs from this plan, which cxlmem "
		       "arbitrates while it binds, but not at boot" : "");
	}
	advise(plan, "auto_online", "memhp_default_state=offline",
	       "the kernel onlines hot-added memory by itself (auto_online_blocks=%s%s%s): "
	       "a device that comes up bound to kmem at boot (hmem, CXL RAM regions "
	       "on 6.3+) is online before cxlmem runs, and converting it later means "
	       "offlining %s that may not come offline again (EBUSY) if it is in "
	       "ZONE_NORMAL. Stop it at boot with memhp_default_state=offline on the "
	       "kernel command line, or with the boot-time service %s (name the "
	       "device in /etc/cxlmem/cxlmem.conf), which onlines it as planned",
	       plan->platform.auto_online_blocks,
	       ao->zone == MHP_ZONE_NORMAL ? ", into ZONE_NORMAL" : "",
	       ao->zone == MHP_ZONE_MOVABLE ? ", into ZONE_MOVABLE" : "",
	       /* the kernel onlines whole blocks, memmap and all */
	       sz(&b, plan->nr_blocks * plan->platform.block_size), unit);
}

MHP_EXPORT bool mhp_plan_kernel_onlines(const struct mhp_plan *plan)
{
	return plan && plan->auto_online.onlines;
}

MHP_EXPORT enum mhp_zone mhp_plan_get_kernel_online_zone(const struct mhp_plan *plan)
{
	return plan ? plan->auto_online.zone : MHP_ZONE_NONE;
}

MHP_EXPORT const char *mhp_plan_get_kernel_online_reason(const struct mhp_plan *plan)
{
	return plan && plan->auto_online.why[0] ? plan->auto_online.why : NULL;
}

/* ---- the current state and converting it to the plan ---- */

static void __attribute__((format(printf, 2, 3)))
add_step(struct mhp_plan_current *c, const char *fmt, ...)
{
	va_list ap;
	char *step;

	if (c->nr_steps >= MHP_PLAN_MAX_STEPS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&step, fmt, ap) < 0)
		step = NULL;
	va_end(ap);
	if (step)
		c->steps[c->nr_steps++] = step;
}

static uint64_t current_online(const struct mhp_plan_current *c)
{
	return c->online_blocks[MHP_ZONE_NORMAL] + c->online_blocks[MHP_ZONE_MOVABLE];
}

/* Is the device online exactly in the plan's zones, with its memmap as planned? */
static bool current_matches(const struct mhp_plan *plan, const struct mhp_plan_current *c)
{
	uint64_t planned_normal = plan->nr_blocks && plan->blocks ?
		plan->normal_bytes / plan->blocks[0].usable_bytes : 0;

	if (c->online_blocks[MHP_ZONE_NORMAL] != planned_normal ||
	    current_online(c) != plan->nr_blocks)
		return false;
	if (c->knob >= 0 && c->knob != (plan->memmap_on_device ? 1 : 0))
		return false;
	return c->memmap_on_device < 0 || c->memmap_on_device == plan->memmap_on_device;
}

/*
 * Only a device bound to kmem with blocks online needs converting: the
 * rest is the ordinary apply (bind kmem, online as planned).
 */
int mhp_plan_set_current(struct mhp_plan *plan, const struct mhp_plan_current *cur)
{
	struct mhp_plan_current *c = &plan->current;
	const char *t = plan->input.target ? plan->input.target : "the device";
	uint64_t B = plan->platform.block_size, n = current_online(cur);
	struct szbuf b = { .i = 0 };
	int want = plan->memmap_on_device ? 1 : 0;

	*c = *cur;
	c->nr_steps = 0;
	c->needs_convert = c->driver == MHP_DAX_DRIVER_KMEM && n &&
		!current_matches(plan, c);
	if (!c->needs_convert)
		return 0;
	c->offline_normal_bytes = c->online_blocks[MHP_ZONE_NORMAL] * B;
	if (c->offline_normal_bytes)
		add_step(c, "offline %" PRIu64 " online block(s) of %s (%s), %s of them "
			 "in ZONE_NORMAL, which may fail with EBUSY where the kernel holds "
			 "unmovable pages", n, t, sz(&b, n * B),
			 sz(&b, c->offline_normal_bytes));
	else
		add_step(c, "offline %" PRIu64 " online block(s) of %s (%s), all in "
			 "ZONE_MOVABLE", n, t, sz(&b, n * B));
	add_step(c, "unbind %s from kmem", t);
	if (c->knob >= 0 && c->knob != want)
		add_step(c, "set %s/memmap_on_memory to %d", t, want);
	add_step(c, "bind %s to kmem again, with auto_online_blocks=offline meanwhile", t);
	add_step(c, "online %" PRIu64 " block(s) as planned: %s movable, %s normal, "
		 "memmap %s", plan->nr_blocks, sz(&b, plan->movable_bytes),
		 sz(&b, plan->normal_bytes), plan->memmap_on_device ? "on the device" :
		 "in DRAM");
	return c->nr_steps ? 0 : -ENOMEM;
}

static void current_free(struct mhp_plan_current *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_steps; i++)
		free(c->steps[i]);
	c->nr_steps = 0;
}

MHP_EXPORT bool mhp_plan_has_current(const struct mhp_plan *plan)
{
	return plan && plan->current.known;
}

MHP_EXPORT enum mhp_dax_driver mhp_plan_get_current_driver(const struct mhp_plan *plan)
{
	return plan && plan->current.known ? plan->current.driver : MHP_DAX_DRIVER_NONE;
}

MHP_EXPORT int mhp_plan_get_current_knob(const struct mhp_plan *plan)
{
	return plan && plan->current.known ? plan->current.knob : -1;
}

MHP_EXPORT uint64_t mhp_plan_get_current_online_blocks(const struct mhp_plan *plan,
							enum mhp_zone zone)
{
	if (!plan || !plan->current.known || zone > MHP_ZONE_MOVABLE)
		return 0;
	if (zone == MHP_ZONE_NONE)
		return current_online(&plan->current);
	return plan->current.online_blocks[zone];
}

MHP_EXPORT uint64_t mhp_plan_get_current_offline_blocks(const struct mhp_plan *plan)
{
	return plan && plan->current.known ? plan->current.offline_blocks : 0;
}

MHP_EXPORT int mhp_plan_get_current_memmap_on_device(const struct mhp_plan *plan)
{
	return plan && plan->current.known ? plan->current.memmap_on_device : -1;
}

MHP_EXPORT const char *mhp_plan_get_current_memmap_evidence(const struct mhp_plan *plan)
{
	return plan && plan->current.known && plan->current.memmap_evidence[0] ?
		plan->current.memmap_evidence : NULL;
}

MHP_EXPORT bool mhp_plan_needs_convert(const struct mhp_plan *plan)
{
	return plan && plan->current.needs_convert;
}

MHP_EXPORT uint64_t mhp_plan_get_convert_migrate_bytes(const struct mhp_plan *plan)
{
	return plan && plan->current.needs_convert ? plan->current.used_bytes : 0;
}

MHP_EXPORT uint64_t mhp_plan_get_convert_normal_bytes(const struct mhp_plan *plan)
{
	return plan && plan->current.needs_convert ? plan->current.offline_normal_bytes : 0;
}

MHP_EXPORT unsigned int mhp_plan_get_num_convert_steps(const struct mhp_plan *plan)
{
	return plan ? plan->current.nr_steps : 0;
}

MHP_EXPORT const char *mhp_plan_get_convert_step(const struct mhp_plan *plan, unsigned int i)
{
	return plan && i < plan->current.nr_steps ? plan->current.steps[i] : NULL;
}

/* ---- warnings, zone notes and advice (for plan -u without JSON) ---- */

MHP_EXPORT unsigned int mhp_plan_get_num_warnings(const struct mhp_plan *plan)
{
	return plan ? plan->nr_warnings : 0;
}

MHP_EXPORT const char *mhp_plan_get_warning(const struct mhp_plan *plan, unsigned int i)
{
	return plan && i < plan->nr_warnings ? plan->warnings[i] : NULL;
}

MHP_EXPORT unsigned int mhp_plan_get_num_zone_notes(const struct mhp_plan *plan)
{
	return plan ? plan->nr_zone_notes : 0;
}

MHP_EXPORT const char *mhp_plan_get_zone_note(const struct mhp_plan *plan, unsigned int i)
{
	return plan && i < plan->nr_zone_notes ? plan->zone_notes[i] : NULL;
}

MHP_EXPORT unsigned int mhp_plan_get_num_advice(const struct mhp_plan *plan)
{
	return plan ? plan->nr_advice : 0;
}

MHP_EXPORT const char *mhp_plan_get_advice_kind(const struct mhp_plan *plan, unsigned int i)
{
	return plan && i < plan->nr_advice ? plan->advice[i].kind : NULL;
}

MHP_EXPORT const char *mhp_plan_get_advice_text(const struct mhp_plan *plan, unsigned int i)
{
	return plan && i < plan->nr_advice ? plan->advice[i].text : NULL;
}

MHP_EXPORT const char *mhp_plan_get_advice_action(const struct mhp_plan *plan, unsigned int i)
{
	return plan && i < plan->nr_advice ? plan->advice[i].action : NULL;
}

/* ---- the plan object ---- */

static void free_texts(char **v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		free(v[i]);
}

static void plan_free(struct mhp_plan *plan)
{
	unsigned int i;

	free_texts(plan->reasons, plan->nr_reasons);
	free_texts(plan->warnings, plan->nr_warnings);
	free_texts(plan->zone_notes, plan->nr_zone_notes);
	current_free(&plan->current);
	for (i = 0; i < plan->nr_advice; i++) {
		free(plan->advice[i].kind);
		free(plan->advice[i].text);
		free(plan->advice[i].action);
	}
	free((char *)plan->input.target);
	free((char *)plan->input.region);
	free(plan->blocks);
	mhp_unref(plan->ctx);
	free(plan);
}

static struct mhp_plan *plan_new(struct mhp_ctx *ctx, const struct mhp_platform_desc *d,
				 const struct mhp_plan_input *in,
				 const struct mhp_plan_opts *opts)
{
	struct mhp_plan *plan = calloc(1, sizeof(*plan));

	if (!plan)
		return NULL;
	plan->refcount = 1;
	plan->ctx = mhp_ref(ctx);
	plan->platform = *d;
	plan->input = *in;
	plan->input.target = in->target ? strdup(in->target) : NULL;
	plan->input.region = in->region ? strdup(in->region) : NULL;
	resolve_opts(&plan->opts, d, opts);
	if ((in->target && !plan->input.target) || (in->region && !plan->input.region)) {
		plan_free(plan);
		return NULL;
	}
	return plan;
}

static int fill_blocks(struct mhp_plan *plan, const struct scenario *sc)
{
	uint64_t i, B = plan->platform.block_size;

	plan->nr_blocks = sc->nr_blocks;
	if (!sc->nr_blocks)
		return 0;
	plan->blocks = calloc(sc->nr_blocks, sizeof(*plan->blocks));
	if (!plan->blocks)
		return -ENOMEM;
	for (i = 0; i < sc->nr_blocks; i++) {
		struct mhp_plan_block *blk = &plan->blocks[i];

		blk->phys_addr = sc->first + i * B;
		blk->index = blk->phys_addr / B;
		blk->memmap_pages = sc->on_device ? (uint32_t)sc->g.M : 0;
		blk->reserved_pages = sc->on_device ? (uint32_t)(sc->g.M_eff - sc->g.M) : 0;
		blk->usable_bytes = sc->usable_per_block;
	}
	return 0;
}

/* Join the reasons into the last-error text for a refused --memmap on. */
static int fail_ineligible(struct mhp_ctx *ctx, const struct mhp_plan *plan)
{
	char text[400] = "";
	unsigned int i;

	for (i = 0; i < plan->nr_reasons; i++) {
		size_t l = strlen(text);

		snprintf(text + l, sizeof(text) - l, "%s%s", i ? "; " : "",
			 plan->reasons[i]);
	}
	return mhp_fail(ctx, -EINVAL, "plan: the memmap cannot go on the device "
			"(--memmap on): %s", text);
}

int mhp_plan_compute(struct mhp_ctx *ctx, const struct mhp_platform_desc *d,
		     const struct mhp_plan_input *in, const struct mhp_plan_opts *opts,
		     struct mhp_plan **out)
{
	struct mhp_plan *plan;
	struct scenario sc;
	int rc;

	if (!ctx || !d || !in || !out)
		return -EINVAL;
	rc = validate(ctx, d, in);
	if (rc < 0)
		return rc;
	plan = plan_new(ctx, d, in, opts);
	if (!plan)
		return -ENOMEM;

	evaluate(&sc, d, d->block_size, d->memmap_mode, plan->opts.memmap,
		 in->start, in->size, TL(plan, reasons));
	if (!sc.on_device && plan->opts.memmap == MHP_MEMMAP_POLICY_ON) {
		rc = fail_ineligible(ctx, plan);
		plan_free(plan);
		return rc;
	}
	rc = fill_blocks(plan, &sc);
	if (rc < 0) {
		plan_free(plan);
		return rc;
	}
	plan->raw_bytes = in->size;
	plan->eligible = sc.eligible;
	plan->memmap_on_device = sc.on_device;
	plan->usable_bytes = sc.usable;
	plan->memmap_bytes = sc.g.V * sc.nr_blocks;
	plan->dram_overhead_bytes = sc.dram;
	plan->force_waste_bytes = sc.force_waste;
	plan->alignment_waste_head_bytes = sc.head;
	plan->alignment_waste_tail_bytes = sc.tail;
	plan->alignment_waste_bytes = sc.head + sc.tail;

	plan_zones(plan, sc.usable_per_block);
	plan_warnings(plan);
	plan_advice(plan, &sc);
	plan_auto_online(plan);
	if (plan->nomem) {
		plan_free(plan);
		return -ENOMEM;
	}
	*out = plan;
	return 0;
}

const char *mhp_plan_memmap_node_text(const struct mhp_plan *plan, char *buf,
				      size_t len)
{
	int dn = plan->input.dram_node;

	if (!plan->nr_blocks)
		snprintf(buf, len, "none (no blocks)");
	else if (plan->memmap_on_device)
		snprintf(buf, len, "node-local (on the device)");
	else if (dn < 0)
		snprintf(buf, len, "off-node (DRAM of another node)");
	else if (dn == plan->input.node)
		snprintf(buf, len, "node-local (DRAM of node %d)", dn);
	else
		snprintf(buf, len, "off-node (DRAM of node %d)", dn);
	return buf;
}

/* ---- public API ---- */

MHP_EXPORT int mhp_plan_model(struct mhp_ctx *ctx, struct mhp_platform *platform,
			      uint64_t start, uint64_t size,
			      const struct mhp_plan_opts *opts, struct mhp_plan **plan)
{
	const struct mhp_platform_desc *d;
	struct mhp_plan_input in = { 0 };

	if (!ctx || !platform || !plan)
		return -EINVAL;
	d = mhp_platform_get_desc(platform);
	if (!d)
		return mhp_fail(ctx, -EINVAL, "plan: the platform has no description");
	in.start = start;
	in.size = size;
	in.node = d->model_node;
	in.node_has_cpus = d->model_node_has_cpus;
	in.dax_knob = -1;
	/* a DRAM memmap comes from the boot node's memory */
	in.dram_node = 0;
	return mhp_plan_compute(ctx, d, &in, opts, plan);
}

MHP_EXPORT struct mhp_plan *mhp_plan_ref(struct mhp_plan *plan)
{
	if (plan)
		plan->refcount++;
	return plan;
}

MHP_EXPORT struct mhp_plan *mhp_plan_unref(struct mhp_plan *plan)
{
	if (!plan)
		return NULL;
	if (--plan->refcount > 0)
		return plan;
	plan_free(plan);
	return NULL;
}

MHP_EXPORT const char *mhp_plan_get_target(const struct mhp_plan *plan)
{
	return plan ? plan->input.target : NULL;
}

#define PLAN_GETTER(name, field)						\
	MHP_EXPORT uint64_t mhp_plan_get_##name(const struct mhp_plan *plan)	\
	{									\
		return plan ? plan->field : 0;					\
	}

PLAN_GETTER(raw_bytes, raw_bytes)
PLAN_GETTER(usable_bytes, usable_bytes)
PLAN_GETTER(memmap_bytes, memmap_bytes)
PLAN_GETTER(dram_overhead_bytes, dram_overhead_bytes)
PLAN_GETTER(force_waste_bytes, force_waste_bytes)
PLAN_GETTER(alignment_waste_bytes, alignment_waste_bytes)
PLAN_GETTER(movable_bytes, movable_bytes)
PLAN_GETTER(normal_bytes, normal_bytes)
PLAN_GETTER(block_size, platform.block_size)
PLAN_GETTER(num_blocks, nr_blocks)

MHP_EXPORT bool mhp_plan_memmap_on_device(const struct mhp_plan *plan)
{
	return plan && plan->memmap_on_device;
}

MHP_EXPORT bool mhp_plan_is_eligible_memmap_on_memory(const struct mhp_plan *plan)
{
	return plan && plan->eligible;
}

MHP_EXPORT unsigned int mhp_plan_get_num_reasons(const struct mhp_plan *plan)
{
	return plan ? plan->nr_reasons : 0;
}

MHP_EXPORT const char *mhp_plan_get_reason(const struct mhp_plan *plan, unsigned int i)
{
	return plan && i < plan->nr_reasons ? plan->reasons[i] : NULL;
}

MHP_EXPORT int mhp_plan_get_node(const struct mhp_plan *plan)
{
	return plan ? plan->input.node : -1;
}

static const struct mhp_plan_block *plan_block(const struct mhp_plan *plan, uint64_t i)
{
	return plan && i < plan->nr_blocks ? &plan->blocks[i] : NULL;
}

MHP_EXPORT uint64_t mhp_plan_get_block_index(const struct mhp_plan *plan, uint64_t i)
{
	const struct mhp_plan_block *b = plan_block(plan, i);

	return b ? b->index : UINT64_MAX;
}

MHP_EXPORT enum mhp_zone mhp_plan_get_block_zone(const struct mhp_plan *plan, uint64_t i)
{
	const struct mhp_plan_block *b = plan_block(plan, i);

	return b ? b->zone : MHP_ZONE_NONE;
}

MHP_EXPORT unsigned int mhp_plan_get_block_memmap_pages(const struct mhp_plan *plan,
							uint64_t i)
{
	const struct mhp_plan_block *b = plan_block(plan, i);

	return b ? b->memmap_pages : 0;
}

MHP_EXPORT unsigned int mhp_plan_get_block_reserved_pages(const struct mhp_plan *plan,
							  uint64_t i)
{
	const struct mhp_plan_block *b = plan_block(plan, i);

	return b ? b->reserved_pages : 0;
}

/*
 * Accessors added by the cli helper for 'cxlmem -u plan' (issue 12): the
 * warning/zone-note/advice ones mirror wip-rules' names and may be
 * replaced by rules' versions on merge.
 */
MHP_EXPORT uint64_t mhp_plan_get_block_phys_addr(const struct mhp_plan *plan, uint64_t i)
{
	const struct mhp_plan_block *b = plan_block(plan, i);

	return b ? b->phys_addr : UINT64_MAX;
}

MHP_EXPORT uint64_t mhp_plan_get_block_usable_bytes(const struct mhp_plan *plan, uint64_t i)
{
	const struct mhp_plan_block *b = plan_block(plan, i);

	return b ? b->usable_bytes : 0;
}

MHP_EXPORT uint64_t mhp_plan_get_start(const struct mhp_plan *plan)
{
	return plan ? plan->input.start : 0;
}

MHP_EXPORT uint64_t mhp_plan_get_alignment_waste_head_bytes(const struct mhp_plan *plan)
{
	return plan ? plan->alignment_waste_head_bytes : 0;
}

MHP_EXPORT uint64_t mhp_plan_get_alignment_waste_tail_bytes(const struct mhp_plan *plan)
{
	return plan ? plan->alignment_waste_tail_bytes : 0;
}

MHP_EXPORT bool mhp_plan_node_has_cpus(const struct mhp_plan *plan)
{
	return plan && plan->input.node_has_cpus;
}

MHP_EXPORT int mhp_plan_get_memmap_dram_node(const struct mhp_plan *plan)
{
	return plan ? plan->input.dram_node : -1;
}
