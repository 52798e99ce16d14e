// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Model platforms: per-arch defaults, kernel rule sets and the
 * "KEY=VAL,..." model spec parser. Pure: no sysfs access.
 *
 * Defaults (S = sizeof(struct page) = 64 everywhere; memmap_mode Y;
 * rule set "6.9"; 16 GiB of kernel memory online, nothing movable; the
 * range belongs to node 1, which has no CPUs):
 *
 *   arch     page  block   pageblock  pmd    notes
 *   x86_64   4K    128M    2M         2M     4M pageblock without HUGETLB_PAGE
 *   arm64    4K    128M    2M         2M     block = section size (6.1)
 *   arm64    16K   128M    32M        32M
 *   arm64    64K   512M    512M       512M
 *   ppc64    64K   256M    2M         2M     radix MMU; block = firmware LMB
 *   ppc64    4K    256M    2M         2M     radix MMU
 *   riscv64  4K    128M    2M         2M
 *
 * Rule sets (what the kernel does for a dax device onlined by kmem):
 *   6.1      stock 5.13-6.5: memmap_on_memory Y/N only, exactly-one-block
 *            adds, V PMD-aligned and (B - V) pageblock-aligned; dax_kmem
 *            never requests memmap_on_memory; no force, no split, no knob
 *   6.1-mhp  6.1 with this project's series (kernel-patches/): force,
 *            6.6+ eligibility, multi-block split, kmem memmap with the
 *            dax knob, memory_block_size= boot parameter on x86_64
 *   6.6      6.6-6.7: 6.6+ eligibility and force; no split; kmem never
 *            uses it
 *   6.8      6.8 and later: 6.6 + the one series that brought the
 *            per-block split of multi-block adds, dax_kmem passing
 *            MHP_MEMMAP_ON_MEMORY and the per-device dax memmap_on_memory
 *            attribute (sysfs-bus-dax: "KernelVersion: v6.8")
 * A kernel version such as "6.9" or "6.12" names the rule set it falls in.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"

#define MODEL_DEFAULT_RULES	"6.8"

struct arch_defaults {
	const char *arch;
	uint64_t page_size;
	uint64_t block_size;
	uint64_t pageblock_size;
	uint64_t pmd_size;
};

/* First entry per arch is its default page size. */
static const struct arch_defaults arch_table[] = {
	{ "x86_64", 4 * SZ_1K, 128 * SZ_1M, 2 * SZ_1M, 2 * SZ_1M },
	{ "arm64", 4 * SZ_1K, 128 * SZ_1M, 2 * SZ_1M, 2 * SZ_1M },
	{ "arm64", 16 * SZ_1K, 128 * SZ_1M, 32 * SZ_1M, 32 * SZ_1M },
	{ "arm64", 64 * SZ_1K, 512 * SZ_1M, 512 * SZ_1M, 512 * SZ_1M },
	{ "ppc64", 64 * SZ_1K, 256 * SZ_1M, 2 * SZ_1M, 2 * SZ_1M },
	{ "ppc64", 4 * SZ_1K, 256 * SZ_1M, 2 * SZ_1M, 2 * SZ_1M },
	{ "riscv64", 4 * SZ_1K, 128 * SZ_1M, 2 * SZ_1M, 2 * SZ_1M },
};

static const struct arch_defaults *find_defaults(const char *arch, uint64_t page_size)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(arch_table); i++) {
		if (strcmp(arch_table[i].arch, arch) != 0)
			continue;
		if (!page_size || arch_table[i].page_size == page_size)
			return &arch_table[i];
	}
	return NULL;
}

static void apply_sizes(struct mhp_platform_desc *d, const struct arch_defaults *a)
{
	d->page_size = a->page_size;
	d->block_size = a->block_size;
	d->pageblock_size = a->pageblock_size;
	d->pmd_size = a->pmd_size;
}

int mhp_platform_desc_defaults(struct mhp_platform_desc *d, const char *arch)
{
	const struct arch_defaults *a;

	/* @arch may point into @d (d->arch): a is static, use its name */
	a = find_defaults(arch ? arch : "x86_64", 0);
	if (!a)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	snprintf(d->arch, sizeof(d->arch), "%s", a->arch);
	apply_sizes(d, a);
	d->struct_page_size = 64;
	d->mmu = strcmp(a->arch, "ppc64") == 0 ? MHP_MMU_RADIX : MHP_MMU_DEFAULT;
	d->memmap_mode = MHP_MEMMAP_MODE_ON;
	d->auto_movable_ratio = -1;
	d->auto_movable_numa_aware = 1;	/* kernel default Y */
	d->online_policy_auto_movable = false;	/* kernel default contig-zones */
	d->kernel_bytes = 16 * SZ_1G;
	d->movable_bytes = 0;
	d->model_node = 1;
	d->model_node_has_cpus = false;
	return mhp_platform_desc_set_rules(d, MODEL_DEFAULT_RULES);
}

/* What each rule set can do; see the table at the top. */
static const struct rule_set {
	const char *name;
	bool new_eligibility, has_force, splits_multi_block, kmem_memmap;
	bool block_size_param_x86;
} rule_sets[] = {
	{ "6.1", false, false, false, false, false },
	{ "6.1-mhp", true, true, true, true, true },
	{ "6.6", true, true, false, false, false },
	{ "6.8", true, true, true, true, false },
};

/*
 * The rule set a kernel version "MAJOR.MINOR[...]" falls in, or NULL for
 * a kernel without memory_hotplug.memmap_on_memory at all (< 5.13) or a
 * string that is not a version.
 */
const char *mhp_rules_for_version(const char *version)
{
	unsigned int major, minor;
	char dot;

	if (!version || sscanf(version, "%u%c%u", &major, &dot, &minor) != 3 || dot != '.')
		return NULL;
	if (major < 5 || (major == 5 && minor < 13))
		return NULL;
	if (major == 5 || (major == 6 && minor < 6))
		return "6.1";
	if (major == 6 && minor < 8)
		return "6.6";
	return "6.8";
}

static const struct rule_set *find_rule_set(const char *rules)
{
	const char *by_version;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rule_sets); i++)
		if (strcmp(rules, rule_sets[i].name) == 0)
			return &rule_sets[i];
	/* "6.9", "6.12": only a bare version, not "6.12-foo" */
	if (strspn(rules, "0123456789.") != strlen(rules))
		return NULL;
	by_version = mhp_rules_for_version(rules);
	return by_version ? find_rule_set(by_version) : NULL;
}

int mhp_platform_desc_set_rules(struct mhp_platform_desc *d, const char *rules)
{
	const struct rule_set *r = rules ? find_rule_set(rules) : NULL;

	if (!r)
		return -EINVAL;
	snprintf(d->rules, sizeof(d->rules), "%s", r->name);
	d->new_eligibility = r->new_eligibility;
	d->has_force = r->has_force;
	d->splits_multi_block = r->splits_multi_block;
	d->kmem_memmap = r->kmem_memmap;
	/* the attribute and kmem's use of it came in the same series */
	d->dax_memmap_knob = r->kmem_memmap;
	d->block_size_param = r->block_size_param_x86 && strcmp(d->arch, "x86_64") == 0;
	return 0;
}

/* ---- spec parsing ---- */

#define RULES_ALLOWED	"6.1, 6.1-mhp, 6.6, 6.8, or a kernel version >= 5.13 such as 6.12"
#define ARCH_ALLOWED	"x86_64, arm64, ppc64, riscv64"

enum model_key {
	K_ARCH, K_PAGE, K_BLOCK, K_PAGEBLOCK, K_PMD, K_STRUCT_PAGE, K_MEMMAP,
	K_MMU, K_KERNEL, K_KERNEL_BYTES, K_MOVABLE_BYTES, K_MOVABLE_RATIO,
	K_NODE, K_NODE_CPUS, K_ONLINE_POLICY, K_NUMA_AWARE, K_NR_KEYS,
};

static const char *const key_names[K_NR_KEYS] = {
	[K_ARCH] = "arch",
	[K_PAGE] = "page_size",
	[K_BLOCK] = "block_size",
	[K_PAGEBLOCK] = "pageblock_size",
	[K_PMD] = "pmd_size",
	[K_STRUCT_PAGE] = "struct_page_size",
	[K_MEMMAP] = "memmap_mode",
	[K_MMU] = "mmu",
	[K_KERNEL] = "kernel",
	[K_KERNEL_BYTES] = "kernel_bytes",
	[K_MOVABLE_BYTES] = "movable_bytes",
	[K_MOVABLE_RATIO] = "movable_ratio",
	[K_NODE] = "node",
	[K_NODE_CPUS] = "node_cpus",
	[K_ONLINE_POLICY] = "online_policy",
	[K_NUMA_AWARE] = "auto_movable_numa_aware",
};

#define KEYS_ALLOWED "arch, page_size, block_size, pageblock_size, pmd_size, " \
	"struct_page_size, memmap_mode, mmu, kernel, kernel_bytes, movable_bytes, " \
	"movable_ratio, node, node_cpus, online_policy, auto_movable_numa_aware"

struct model_spec {
	const char *val[K_NR_KEYS];	/* points into the spec copy */
};

/* Strip blanks at both ends, in place. */
static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int spec_split(struct mhp_ctx *ctx, char *copy, struct model_spec *ms)
{
	char *save = NULL, *tok, *eq, *key, *val;
	int k;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		tok = trim(tok);
		if (*tok == '\0')
			continue;
		eq = strchr(tok, '=');
		if (!eq)
			return mhp_fail(ctx, -EINVAL,
					"model spec: '%s' is not KEY=VALUE (keys: %s)",
					tok, KEYS_ALLOWED);
		*eq = '\0';
		key = trim(tok);
		val = trim(eq + 1);
		for (k = 0; k < K_NR_KEYS; k++)
			if (strcmp(key, key_names[k]) == 0)
				break;
		if (k == K_NR_KEYS)
			return mhp_fail(ctx, -EINVAL,
					"model spec: unknown key '%s' (value '%s'); keys: %s",
					key, val, KEYS_ALLOWED);
		if (ms->val[k])
			return mhp_fail(ctx, -EINVAL,
					"model spec: key '%s' given twice ('%s' and '%s')",
					key, ms->val[k], val);
		ms->val[k] = val;
	}
	return 0;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int spec_size(struct mhp_ctx *ctx, const struct model_spec *ms,
		     enum model_key k, bool pow2, uint64_t *out)
{
	const char *v = ms->val[k];
	uint64_t n;

	if (!v)
		return 0;
	if (mhp_parse_size(v, &n) < 0 || (pow2 && !is_pow2(n)))
		return mhp_fail(ctx, -EINVAL,
				"model spec: bad %s '%s': expected %s with an optional "
				"K/M/G/T suffix, e.g. 128M",
				key_names[k], v, pow2 ? "a power of two" : "a size");
	*out = n;
	return 0;
}

static int spec_int(struct mhp_ctx *ctx, const struct model_spec *ms,
		    enum model_key k, long max, const char *allowed, int *out)
{
	const char *v = ms->val[k];
	char *end;
	long n;

	if (!v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || *end || errno || n < 0 || n > max)
		return mhp_fail(ctx, -EINVAL, "model spec: bad %s '%s': expected %s",
				key_names[k], v, allowed);
	*out = (int)n;
	return 0;
}

static int spec_arch(struct mhp_ctx *ctx, const struct model_spec *ms,
		     struct mhp_platform_desc *d)
{
	const char *arch = ms->val[K_ARCH] ? ms->val[K_ARCH] : "x86_64";
	const struct arch_defaults *a;
	uint64_t page = 0;
	int rc;

	if (!find_defaults(arch, 0))
		return mhp_fail(ctx, -EINVAL, "model spec: bad arch '%s': expected one of %s",
				arch, ARCH_ALLOWED);
	rc = mhp_platform_desc_defaults(d, arch);
	if (rc < 0)
		return rc;
	/* The page size selects the other defaults (arm64 16K/64K, ppc64 4K). */
	rc = spec_size(ctx, ms, K_PAGE, true, &page);
	if (rc < 0)
		return rc;
	if (!page)
		return 0;
	a = find_defaults(arch, page);
	if (!a) {
		char allowed[64] = "", buf[32];
		size_t i;

		for (i = 0; i < ARRAY_SIZE(arch_table); i++) {
			if (strcmp(arch_table[i].arch, arch) != 0)
				continue;
			if (allowed[0])
				strcat(allowed, ", ");
			mhp_format_size(arch_table[i].page_size, buf, sizeof(buf));
			strcat(allowed, buf);
		}
		return mhp_fail(ctx, -EINVAL,
				"model spec: bad page_size '%s' for %s: expected %s",
				ms->val[K_PAGE], arch, allowed);
	}
	apply_sizes(d, a);
	return 0;
}

static int spec_memmap_mode(struct mhp_ctx *ctx, const char *v,
			    enum mhp_memmap_mode *mode)
{
	if (!v)
		return 0;
	if (!strcasecmp(v, "N") || !strcmp(v, "0") || !strcasecmp(v, "off"))
		*mode = MHP_MEMMAP_MODE_OFF;
	else if (!strcasecmp(v, "Y") || !strcmp(v, "1") || !strcasecmp(v, "on"))
		*mode = MHP_MEMMAP_MODE_ON;
	else if (!strcasecmp(v, "force"))
		*mode = MHP_MEMMAP_MODE_FORCE;
	else
		return mhp_fail(ctx, -EINVAL,
				"model spec: bad memmap_mode '%s': expected N, Y or force", v);
	return 0;
}

static int spec_strings(struct mhp_ctx *ctx, const struct model_spec *ms,
			struct mhp_platform_desc *d)
{
	const char *v;
	int rc;

	v = ms->val[K_KERNEL];
	if (v && mhp_platform_desc_set_rules(d, v) < 0)
		return mhp_fail(ctx, -EINVAL, "model spec: bad kernel '%s': expected one of %s",
				v, RULES_ALLOWED);
	rc = spec_memmap_mode(ctx, ms->val[K_MEMMAP], &d->memmap_mode);
	if (rc < 0)
		return rc;
	v = ms->val[K_MMU];
	if (v) {
		if (strcmp(d->arch, "ppc64") != 0)
			return mhp_fail(ctx, -EINVAL,
					"model spec: mmu '%s' applies to ppc64 only, not %s",
					v, d->arch);
		if (!strcmp(v, "radix"))
			d->mmu = MHP_MMU_RADIX;
		else if (!strcmp(v, "hash"))
			d->mmu = MHP_MMU_HASH;
		else
			return mhp_fail(ctx, -EINVAL,
					"model spec: bad mmu '%s': expected radix or hash", v);
	}
	v = ms->val[K_ONLINE_POLICY];
	if (v) {
		if (!strcmp(v, "auto-movable"))
			d->online_policy_auto_movable = true;
		else if (!strcmp(v, "contig-zones"))
			d->online_policy_auto_movable = false;
		else
			return mhp_fail(ctx, -EINVAL,
					"model spec: bad online_policy '%s': expected "
					"contig-zones or auto-movable", v);
	}
	return 0;
}

static int spec_numbers(struct mhp_ctx *ctx, const struct model_spec *ms,
			struct mhp_platform_desc *d)
{
	uint64_t sp = d->struct_page_size;
	int cpus = d->model_node_has_cpus, rc;

	if ((rc = spec_size(ctx, ms, K_BLOCK, true, &d->block_size)) < 0 ||
	    (rc = spec_size(ctx, ms, K_PAGEBLOCK, true, &d->pageblock_size)) < 0 ||
	    (rc = spec_size(ctx, ms, K_PMD, true, &d->pmd_size)) < 0 ||
	    (rc = spec_size(ctx, ms, K_STRUCT_PAGE, false, &sp)) < 0 ||
	    (rc = spec_size(ctx, ms, K_KERNEL_BYTES, false, &d->kernel_bytes)) < 0 ||
	    (rc = spec_size(ctx, ms, K_MOVABLE_BYTES, false, &d->movable_bytes)) < 0 ||
	    (rc = spec_int(ctx, ms, K_MOVABLE_RATIO, 100000, "a percentage, e.g. 301",
			   &d->auto_movable_ratio)) < 0 ||
	    (rc = spec_int(ctx, ms, K_NODE, 4095, "a node number 0-4095",
			   &d->model_node)) < 0 ||
	    (rc = spec_int(ctx, ms, K_NODE_CPUS, 1, "0 or 1", &cpus)) < 0 ||
	    (rc = spec_int(ctx, ms, K_NUMA_AWARE, 1, "0 or 1",
			   &d->auto_movable_numa_aware)) < 0)
		return rc;
	if (sp < 8 || sp > 4096 || sp % 8)
		return mhp_fail(ctx, -EINVAL,
				"model spec: bad struct_page_size '%s': expected a multiple "
				"of 8 between 8 and 4096 (64 on common configs)",
				ms->val[K_STRUCT_PAGE]);
	d->struct_page_size = sp;
	d->model_node_has_cpus = cpus;
	return 0;
}

/* Cross-key consistency, checked once everything is known. */
static int spec_check(struct mhp_ctx *ctx, const struct mhp_platform_desc *d)
{
	char b1[32], b2[32];

	if (d->memmap_mode == MHP_MEMMAP_MODE_FORCE && !d->has_force)
		return mhp_fail(ctx, -EINVAL,
				"model spec: memmap_mode 'force' is rejected at boot by kernel "
				"'%s' (stock 5.13-6.5 accept Y/N only); use kernel 6.1-mhp, "
				"6.6, 6.8 or later", d->rules);
	if (d->pageblock_size < d->page_size || d->block_size % d->pageblock_size)
		return mhp_fail(ctx, -EINVAL,
				"model spec: block_size %s is not a multiple of pageblock_size %s "
				"(or the pageblock is smaller than a page)",
				mhp_format_size(d->block_size, b1, sizeof(b1)),
				mhp_format_size(d->pageblock_size, b2, sizeof(b2)));
	if (d->pmd_size < d->page_size)
		return mhp_fail(ctx, -EINVAL,
				"model spec: pmd_size %s is smaller than page_size %s",
				mhp_format_size(d->pmd_size, b1, sizeof(b1)),
				mhp_format_size(d->page_size, b2, sizeof(b2)));
	return 0;
}

int mhp_platform_desc_parse_model(struct mhp_ctx *ctx, struct mhp_platform_desc *d,
				  const char *spec)
{
	struct model_spec ms = { { NULL } };
	char *copy;
	int rc;

	copy = strdup(spec ? spec : "");
	if (!copy)
		return -ENOMEM;
	rc = spec_split(ctx, copy, &ms);
	if (rc == 0)
		rc = spec_arch(ctx, &ms, d);
	if (rc == 0)
		rc = spec_strings(ctx, &ms, d);
	if (rc == 0)
		rc = spec_numbers(ctx, &ms, d);
	if (rc == 0)
		rc = spec_check(ctx, d);
	free(copy);
	return rc;
}
