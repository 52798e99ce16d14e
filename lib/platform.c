// SPDX-License-Identifier: LGPL-2.1-or-later
/* Platform probe: arch, sizes, memory hotplug parameters, kmem, rule set. */
#include <dirent.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "private.h"
#include "ctx.h"

struct mhp_platform {
	int refcount;
	struct mhp_ctx *ctx;
	bool model;
	char kernel_release[128];
	char auto_online_blocks[32];	/* "" when absent */
	char online_policy[32];
	enum mhp_kmem_state kmem;
	struct mhp_platform_desc desc;
	struct mhp_auto_online auto_online;	/* for a CPU-less node without memory */
	/* facts the tree does not show: name and why, e.g. a partial capture */
	unsigned int nr_unknown;
	struct {
		char fact[32];
		char why[200];
	} unknown[4];
	struct mhp_agents agents;
	/* where each capability of desc was learnt, and from what */
	enum mhp_evidence rules_source;
	struct {
		enum mhp_evidence source;
		char text[224];
	} cap[MHP_CAP_COUNT];
};

static const char *const memmap_mode_names[] = {
	[MHP_MEMMAP_MODE_ABSENT] = "absent",
	[MHP_MEMMAP_MODE_OFF] = "N",
	[MHP_MEMMAP_MODE_ON] = "Y",
	[MHP_MEMMAP_MODE_FORCE] = "force",
};

static const char *const kmem_state_names[] = {
	[MHP_KMEM_UNKNOWN] = "unknown",
	[MHP_KMEM_MISSING] = "missing",
	[MHP_KMEM_LOADABLE] = "loadable",
	[MHP_KMEM_LOADED] = "loaded",
	[MHP_KMEM_BUILTIN] = "builtin",
};

MHP_EXPORT const char *mhp_memmap_mode_name(enum mhp_memmap_mode mode)
{
	return mode < ARRAY_SIZE(memmap_mode_names) ? memmap_mode_names[mode] : "unknown";
}

MHP_EXPORT const char *mhp_kmem_state_name(enum mhp_kmem_state state)
{
	return state < ARRAY_SIZE(kmem_state_names) ? kmem_state_names[state] : "unknown";
}

static const char *normalize_arch(const char *m)
{
	if (strcmp(m, "aarch64") == 0 || strcmp(m, "arm64") == 0)
		return "arm64";
	if (strncmp(m, "ppc64", 5) == 0)
		return "ppc64";
	return m;
}

static void __attribute__((format(printf, 3, 4)))
add_unknown(struct mhp_platform *p, const char *fact, const char *fmt, ...)
{
	va_list ap;

	if (p->nr_unknown >= ARRAY_SIZE(p->unknown))
		return;
	snprintf(p->unknown[p->nr_unknown].fact, sizeof(p->unknown[0].fact), "%s", fact);
	va_start(ap, fmt);
	vsnprintf(p->unknown[p->nr_unknown].why, sizeof(p->unknown[0].why), fmt, ap);
	va_end(ap);
	p->nr_unknown++;
}

/*
 * The live system asks uname(). A tree says it in proc/sys/kernel/arch
 * or .mhp-capture/arch; MHP_ARCH supplies it for a tree that does not
 * (a dump of sys/devices/system/memory alone, as util-linux's lsmem
 * tests use). Without any, the arch stays "" and is reported unknown.
 */
static void probe_arch(struct mhp_ctx *ctx, struct mhp_platform *p)
{
	const char *env = secure_getenv("MHP_ARCH");
	char buf[64];
	struct utsname u;

	if (mhp_is_live(ctx)) {
		uname(&u);
		snprintf(p->desc.arch, sizeof(p->desc.arch), "%s",
			 normalize_arch(u.machine));
		return;
	}
	if (mhp_read_attr(ctx, buf, sizeof(buf), "/proc/sys/kernel/arch") > 0 ||
	    mhp_read_attr(ctx, buf, sizeof(buf), "/.mhp-capture/arch") > 0) {
		snprintf(p->desc.arch, sizeof(p->desc.arch), "%s", normalize_arch(buf));
		return;
	}
	if (env && env[0]) {
		snprintf(p->desc.arch, sizeof(p->desc.arch), "%s", normalize_arch(env));
		return;
	}
	p->desc.arch[0] = '\0';
	add_unknown(p, "arch", "no proc/sys/kernel/arch (or .mhp-capture/arch) in the "
		    "sysroot; capture the tree with mhp-capture-sysfs, or set MHP_ARCH "
		    "(x86_64, arm64, ppc64, riscv64)");
}

/* uname(2) on the live system: the same string, one system call, not three */
static void probe_release(struct mhp_ctx *ctx, struct mhp_platform *p)
{
	struct utsname u;

	if (mhp_is_live(ctx) && uname(&u) == 0) {
		snprintf(p->kernel_release, sizeof(p->kernel_release), "%s", u.release);
		return;
	}
	if (mhp_read_attr(ctx, p->kernel_release, sizeof(p->kernel_release),
			  "/proc/sys/kernel/osrelease") > 0)
		return;
	p->kernel_release[0] = '\0';
	add_unknown(p, "kernel_release", "no proc/sys/kernel/osrelease in %s; the "
		    "rule set falls back to stock 6.1 where the ABI is silent",
		    mhp_is_live(ctx) ? "/" : "the sysroot");
}

uint64_t mhp_page_size(struct mhp_ctx *ctx)
{
	uint64_t v;

	if (mhp_is_live(ctx))
		return (uint64_t)sysconf(_SC_PAGESIZE);
	if (mhp_exists(ctx, "/.mhp-capture/page_size") &&
	    mhp_read_u64(ctx, &v, false, "/.mhp-capture/page_size") == 0)
		return v;
	mhp_clear_error(ctx);
	return 4096;
}

/*
 * The pageblock size is printed by /proc/pagetypeinfo ("Pages per block"),
 * which is root-only. Otherwise: x86 and arm64/4K use the PMD order when
 * HUGETLB_PAGE is built (/sys/kernel/mm/hugepages exists), else
 * MAX_ORDER - 1 (4 MiB with 4K pages); arm64 16K: 32 MiB, 64K: 512 MiB
 * (PMD order). MHP_PAGEBLOCK_SIZE overrides.
 */
static uint64_t probe_pageblock_size(struct mhp_ctx *ctx, struct mhp_platform *p)
{
	const char *env = secure_getenv("MHP_PAGEBLOCK_SIZE");
	char *text, *s;
	uint64_t v;

	if (env && mhp_parse_size(env, &v) == 0)
		return v;
	text = mhp_read_file(ctx, "/proc/pagetypeinfo");
	if (text) {
		unsigned long pages = 0;

		s = strstr(text, "Pages per block:");
		if (s)
			sscanf(s, "Pages per block: %lu", &pages);
		free(text);
		if (pages)
			return pages * p->desc.page_size;
	}
	if (p->desc.page_size > 4096)
		return p->desc.pmd_size;
	if (mhp_exists(ctx, "/sys/kernel/mm/hugepages"))
		return p->desc.pmd_size;
	return 1024 * p->desc.page_size;	/* MAX_ORDER - 1 = 10 */
}

static uint64_t probe_pmd_size(struct mhp_ctx *ctx, struct mhp_platform *p)
{
	uint64_t v;

	/* absent without THP: one read tells, no existence check first */
	if (mhp_read_u64_opt(ctx, &v, false,
			     "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size") == 0)
		return v;
	mhp_clear_error(ctx);
	/* a PMD maps PAGE_SIZE / 8 pages */
	return p->desc.page_size * (p->desc.page_size / 8);
}

static enum mhp_memmap_mode probe_memmap_mode(struct mhp_ctx *ctx)
{
	char buf[16];

	if (mhp_read_attr(ctx, buf, sizeof(buf),
			  "/sys/module/memory_hotplug/parameters/memmap_on_memory") < 0)
		return MHP_MEMMAP_MODE_ABSENT;
	if (strcasecmp(buf, "force") == 0)
		return MHP_MEMMAP_MODE_FORCE;
	if (buf[0] == 'Y' || buf[0] == 'y' || buf[0] == '1')
		return MHP_MEMMAP_MODE_ON;
	return MHP_MEMMAP_MODE_OFF;
}

static int param_int(struct mhp_ctx *ctx, const char *name)
{
	char buf[16];

	if (mhp_read_attr(ctx, buf, sizeof(buf),
			  "/sys/module/memory_hotplug/parameters/%s", name) <= 0)
		return -1;
	if (buf[0] == 'Y')
		return 1;
	if (buf[0] == 'N')
		return 0;
	return atoi(buf);
}

struct knob_scan {
	char *with, *without;
	size_t len;
};

static int note_knob(struct mhp_ctx *ctx, const char *name, void *arg)
{
	struct knob_scan *k = arg;

	if (mhp_exists(ctx, "/sys/bus/dax/devices/%s/memmap_on_memory", name)) {
		snprintf(k->with, k->len, "%s", name);
		return 1;	/* one is proof enough */
	}
	if (!k->without[0])
		snprintf(k->without, k->len, "%s", name);
	return 0;
}

/*
 * The dax memmap_on_memory attribute: the name of the first dax device
 * that has it into @with, of the first that lacks it into @without
 * ("" when none).
 */
static void scan_dax_knobs(struct mhp_ctx *ctx, char *with, char *without, size_t len)
{
	struct knob_scan k = { .with = with, .without = without, .len = len };

	with[0] = without[0] = '\0';
	if (mhp_dir_foreach(ctx, "dax", note_knob, &k, "/sys/bus/dax/devices") < 0)
		mhp_clear_error(ctx);
}

static enum mhp_kmem_state probe_kmem(struct mhp_ctx *ctx, const char *release)
{
	char dirname[MHP_PATH_MAX];
	struct kmod_ctx *kmod;
	struct kmod_module *mod = NULL;
	enum mhp_kmem_state state = MHP_KMEM_MISSING;

	if (mhp_exists(ctx, "/sys/bus/dax/drivers/kmem"))
		return mhp_exists(ctx, "/sys/module/kmem/initstate") ?
			MHP_KMEM_LOADED : MHP_KMEM_BUILTIN;
	if (!release[0])
		return MHP_KMEM_UNKNOWN;
	if (mhp_path(ctx, dirname, sizeof(dirname), "/lib/modules/%s", release) < 0 ||
	    access(dirname, F_OK) < 0)
		return mhp_is_live(ctx) ? MHP_KMEM_MISSING : MHP_KMEM_UNKNOWN;
	kmod = kmod_new(dirname, NULL);
	if (!kmod)
		return MHP_KMEM_UNKNOWN;
	if (kmod_module_new_from_name(kmod, "kmem", &mod) == 0) {
		int initstate = kmod_module_get_initstate(mod);

		if (initstate == KMOD_MODULE_BUILTIN)
			state = MHP_KMEM_BUILTIN;
		else if (initstate == KMOD_MODULE_LIVE)
			state = MHP_KMEM_LOADED;
		else if (kmod_module_get_path(mod))
			state = MHP_KMEM_LOADABLE;
		kmod_module_unref(mod);
	}
	kmod_unref(kmod);
	return state;
}

/* The series' vmstat counter: present whatever the options and devices. */
static bool vmstat_has_memmap_counter(struct mhp_ctx *ctx)
{
	char *text = mhp_read_file(ctx, "/proc/vmstat");
	unsigned long long val;
	bool found;

	if (!text)
		return false;
	found = mhp_stat_value(text, "nr_memmap_on_memory", &val) == 0;
	free(text);
	return found;
}

static const char *const capability_names[MHP_CAP_COUNT] = {
	[MHP_CAP_NEW_ELIGIBILITY] = "memmap_on_memory_new_eligibility",
	[MHP_CAP_MEMMAP_FORCE] = "memmap_on_memory_force_supported",
	[MHP_CAP_SPLIT_PER_BLOCK] = "memmap_split_per_block",
	[MHP_CAP_KMEM_MEMMAP] = "kmem_memmap_on_memory",
	[MHP_CAP_DAX_MEMMAP_KNOB] = "dax_memmap_on_memory_knob",
	[MHP_CAP_BLOCK_SIZE_PARAM] = "memory_block_size_param",
};

static const char *const evidence_names[] = {
	[MHP_EVIDENCE_UNKNOWN] = "unknown",
	[MHP_EVIDENCE_ABI] = "abi",
	[MHP_EVIDENCE_RELEASE] = "release",
	[MHP_EVIDENCE_MODEL] = "model",
};

MHP_EXPORT const char *mhp_capability_name(enum mhp_capability cap)
{
	return cap < MHP_CAP_COUNT ? capability_names[cap] : "unknown";
}

MHP_EXPORT const char *mhp_evidence_name(enum mhp_evidence e)
{
	return e < ARRAY_SIZE(evidence_names) ? evidence_names[e] : "unknown";
}

static bool *cap_value(struct mhp_platform_desc *d, enum mhp_capability cap)
{
	switch (cap) {
	case MHP_CAP_NEW_ELIGIBILITY:
		return &d->new_eligibility;
	case MHP_CAP_MEMMAP_FORCE:
		return &d->has_force;
	case MHP_CAP_SPLIT_PER_BLOCK:
		return &d->splits_multi_block;
	case MHP_CAP_KMEM_MEMMAP:
		return &d->kmem_memmap;
	case MHP_CAP_DAX_MEMMAP_KNOB:
		return &d->dax_memmap_knob;
	default:
		return &d->block_size_param;
	}
}

static void __attribute__((format(printf, 5, 6)))
set_cap(struct mhp_platform *p, enum mhp_capability cap, bool value,
	enum mhp_evidence source, const char *fmt, ...)
{
	va_list ap;

	*cap_value(&p->desc, cap) = value;
	p->cap[cap].source = source;
	va_start(ap, fmt);
	vsnprintf(p->cap[cap].text, sizeof(p->cap[cap].text), fmt, ap);
	va_end(ap);
}

/* Every capability as the rule set @rules has it, all from @source. */
static void caps_from_rules(struct mhp_platform *p, const char *rules,
			    enum mhp_evidence source, const char *why)
{
	unsigned int c;

	mhp_platform_desc_set_rules(&p->desc, rules);
	for (c = 0; c < MHP_CAP_COUNT; c++)
		set_cap(p, c, *cap_value(&p->desc, c), source, "%s", why);
	p->rules_source = source;
}

/* The rule set whose capabilities these are. */
static const char *rules_of_caps(const struct mhp_platform_desc *d)
{
	if (d->kmem_memmap)
		return "6.8";
	if (d->new_eligibility)
		return "6.6";
	return "6.1";
}

/* The dax attribute: the 6.8 series (kmem honours it, adds split per block). */
static void caps_from_dax_attr(struct mhp_platform *p, const char *with,
			       const char *without)
{
	if (with[0]) {
		static const enum mhp_capability series[] = {
			MHP_CAP_SPLIT_PER_BLOCK, MHP_CAP_KMEM_MEMMAP, MHP_CAP_DAX_MEMMAP_KNOB,
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(series); i++)
			set_cap(p, series[i], true, MHP_EVIDENCE_ABI,
				"/sys/bus/dax/devices/%s/memmap_on_memory exists: the 6.8 "
				"series (kmem passes MHP_MEMMAP_ON_MEMORY, multi-block adds "
				"are split per block)", with);
		/* that series is built on the 6.6 rules and force */
		set_cap(p, MHP_CAP_NEW_ELIGIBILITY, true, MHP_EVIDENCE_ABI,
			"implied by /sys/bus/dax/devices/%s/memmap_on_memory: the 6.8 "
			"series is built on the 6.6 memmap_on_memory rules", with);
		set_cap(p, MHP_CAP_MEMMAP_FORCE, true, MHP_EVIDENCE_ABI,
			"implied by /sys/bus/dax/devices/%s/memmap_on_memory: the 6.8 "
			"series is built on 6.6, which accepts memmap_on_memory=force", with);
	} else if (without[0]) {
		set_cap(p, MHP_CAP_SPLIT_PER_BLOCK, false, MHP_EVIDENCE_ABI,
			"/sys/bus/dax/devices/%s has no memmap_on_memory attribute: no "
			"6.8 series, so multi-block adds are not split", without);
		set_cap(p, MHP_CAP_KMEM_MEMMAP, false, MHP_EVIDENCE_ABI,
			"/sys/bus/dax/devices/%s has no memmap_on_memory attribute: kmem "
			"never passes MHP_MEMMAP_ON_MEMORY", without);
		set_cap(p, MHP_CAP_DAX_MEMMAP_KNOB, false, MHP_EVIDENCE_ABI,
			"/sys/bus/dax/devices/%s has no memmap_on_memory attribute", without);
	}
}

/*
 * Decide each capability from what the running kernel shows, and fall
 * back to the release string only where the ABI is silent:
 *  - nr_memmap_on_memory in /proc/vmstat is this project's 6.1 series;
 *  - a dax device's memmap_on_memory attribute is the 6.8 series, and
 *    a dax device without it says that series is absent;
 *  - memmap_on_memory reading "force" shows force support; Y or N shows
 *    nothing (force is visible only when booted with it);
 *  - memory_block_size= on the command line of a kernel that booted.
 * Distribution kernels backport, so a release string is the weakest
 * signal: RHEL 9's 5.14 with the dax attribute gets the 6.8 rules.
 */
static void probe_rules(struct mhp_ctx *ctx, struct mhp_platform *p, const char *cmdline)
{
	const char *by_release = mhp_rules_for_version(p->kernel_release);
	char with[64], without[64], why[192];
	unsigned int c;

	if (vmstat_has_memmap_counter(ctx)) {
		caps_from_rules(p, "6.1-mhp", MHP_EVIDENCE_ABI,
				"/proc/vmstat has nr_memmap_on_memory, the counter of this "
				"project's 6.1 series (kernel-patches/)");
		return;
	}
	if (by_release)
		snprintf(why, sizeof(why), "kernel release %s falls in rule set %s",
			 p->kernel_release, by_release);
	else if (!p->kernel_release[0])
		snprintf(why, sizeof(why), "the kernel release is unknown; assuming the "
			 "stock 6.1 rules");
	else
		snprintf(why, sizeof(why), "kernel release '%s' is not a version this "
			 "library knows; assuming the stock 6.1 rules", p->kernel_release);
	caps_from_rules(p, by_release ? by_release : "6.1", MHP_EVIDENCE_RELEASE, why);

	scan_dax_knobs(ctx, with, without, sizeof(with));
	caps_from_dax_attr(p, with, without);
	if (p->desc.memmap_mode == MHP_MEMMAP_MODE_FORCE) {
		set_cap(p, MHP_CAP_MEMMAP_FORCE, true, MHP_EVIDENCE_ABI,
			"/sys/module/memory_hotplug/parameters/memmap_on_memory reads force");
		set_cap(p, MHP_CAP_NEW_ELIGIBILITY, true, MHP_EVIDENCE_ABI,
			"implied by memmap_on_memory=force: force came with the 6.6 rules");
	}
	if (strstr(cmdline, "memory_block_size="))
		set_cap(p, MHP_CAP_BLOCK_SIZE_PARAM, true, MHP_EVIDENCE_ABI,
			"/proc/cmdline sets memory_block_size=");

	/*
	 * Upstream 6.1 stable has neither force nor the dax attribute: on a
	 * 6.1 release they are this project's series (which older builds
	 * of it show without the vmstat counter).
	 */
	if (strcmp(rules_of_caps(&p->desc), "6.1") != 0 &&
	    strncmp(p->kernel_release, "6.1.", 4) == 0) {
		snprintf(why, sizeof(why), "kernel release %s shows %s: only this "
			 "project's 6.1 series (kernel-patches/) adds that to 6.1",
			 p->kernel_release, with[0] ? "the dax memmap_on_memory attribute" :
			 "memmap_on_memory=force");
		caps_from_rules(p, "6.1-mhp", MHP_EVIDENCE_ABI, why);
		return;
	}
	/* name the rule set the capabilities make up; keep the capabilities */
	snprintf(p->desc.rules, sizeof(p->desc.rules), "%s", rules_of_caps(&p->desc));
	p->rules_source = MHP_EVIDENCE_ABI;
	for (c = 0; c < MHP_CAP_COUNT; c++)
		if (c != MHP_CAP_BLOCK_SIZE_PARAM && p->cap[c].source != MHP_EVIDENCE_ABI)
			p->rules_source = MHP_EVIDENCE_RELEASE;
}

/*
 * block_size_bytes, read once per context: it cannot change while the
 * system runs. Kept apart from probe() so that offlining and the block
 * cache do not pay for a probe they do not use.
 */
int mhp_memory_block_size(struct mhp_ctx *ctx, uint64_t *block_size)
{
	uint64_t v;
	int rc;

	if (ctx->block_size) {
		*block_size = ctx->block_size;
		return 0;
	}
	rc = mhp_read_u64_opt(ctx, &v, true, "/sys/devices/system/memory/block_size_bytes");
	if (rc == -ENOENT)
		return mhp_fail(ctx, -ENOENT,
				"%s/sys/devices/system/memory/block_size_bytes is missing: the kernel was built without memory hotplug (CONFIG_MEMORY_HOTPLUG)",
				ctx->sysroot);
	if (rc < 0)
		return rc;
	if (v == 0 || (v & (v - 1)) || v < mhp_page_size(ctx))
		return mhp_fail(ctx, -EINVAL,
				"%s/sys/devices/system/memory/block_size_bytes: %#llx is not a plausible memory block size (a power of two of at least one page)",
				ctx->sysroot, (unsigned long long)v);
	ctx->block_size = v;
	*block_size = v;
	return 0;
}

static int probe(struct mhp_ctx *ctx, struct mhp_platform *p)
{
	struct mhp_platform_desc *d = &p->desc;
	char cmdline[4096] = "";
	uint64_t v;
	int rc;

	probe_arch(ctx, p);
	/* unknown arches keep going with what is probed */
	if (d->arch[0] && mhp_platform_desc_defaults(d, d->arch) < 0)
		mhp_clear_error(ctx);
	probe_release(ctx, p);
	d->page_size = mhp_page_size(ctx);

	rc = mhp_memory_block_size(ctx, &d->block_size);
	if (rc < 0)
		return rc;
	d->pmd_size = probe_pmd_size(ctx, p);
	d->pageblock_size = probe_pageblock_size(ctx, p);
	d->struct_page_size = 64;
	if (secure_getenv("MHP_STRUCT_PAGE_SIZE") &&
	    mhp_parse_size(secure_getenv("MHP_STRUCT_PAGE_SIZE"), &v) == 0 && v)
		d->struct_page_size = v;

	d->memmap_mode = probe_memmap_mode(ctx);
	mhp_read_attr(ctx, p->auto_online_blocks, sizeof(p->auto_online_blocks),
		      "/sys/devices/system/memory/auto_online_blocks");
	mhp_read_attr(ctx, p->online_policy, sizeof(p->online_policy),
		      "/sys/module/memory_hotplug/parameters/online_policy");
	snprintf(d->auto_online_blocks, sizeof(d->auto_online_blocks), "%s",
		 p->auto_online_blocks);
	d->online_policy_auto_movable = strcmp(p->online_policy, "auto-movable") == 0;
	d->auto_movable_ratio = param_int(ctx, "auto_movable_ratio");
	d->auto_movable_numa_aware = param_int(ctx, "auto_movable_numa_aware");

	mhp_read_attr(ctx, cmdline, sizeof(cmdline), "/proc/cmdline");
	probe_rules(ctx, p, cmdline);

	p->kmem = probe_kmem(ctx, p->kernel_release);
	rc = mhp_zoneinfo_totals(ctx, &d->kernel_bytes, &d->movable_bytes);
	if (rc < 0) {
		/* informative only; the planner then assumes no memory online */
		mhp_clear_error(ctx);
		add_unknown(p, "online_kernel_bytes", "proc/zoneinfo is missing or "
			    "unreadable, so the memory online per zone is unknown and zone "
			    "plans assume none");
	}
	d->model_node = -1;
	/* the usual CXL case: a CPU-less node with no memory yet, one block */
	mhp_auto_online_predict(d, -1, 0, 0, d->block_size, &p->auto_online);
	mhp_agents_detect(ctx, &p->agents);
	return 0;
}

MHP_EXPORT int mhp_get_platform(struct mhp_ctx *ctx, struct mhp_platform **out)
{
	struct mhp_platform *p;
	int rc;

	mhp_clear_error(ctx);
	if (!ctx->platform) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->refcount = 1;
		p->ctx = ctx;
		rc = probe(ctx, p);
		if (rc < 0) {
			free(p);
			return rc;
		}
		ctx->platform = p;
	}
	*out = mhp_platform_ref(ctx->platform);
	return 0;
}

void mhp_platform_free_cached(struct mhp_ctx *ctx)
{
	ctx->platform = mhp_platform_unref(ctx->platform);
}

MHP_EXPORT int mhp_platform_new_model(struct mhp_ctx *ctx, const char *spec,
				      struct mhp_platform **out)
{
	struct mhp_platform *p = calloc(1, sizeof(*p));
	unsigned int c;
	int rc;

	if (!p)
		return -ENOMEM;
	p->refcount = 1;
	p->ctx = ctx;
	p->model = true;
	rc = mhp_platform_desc_parse_model(ctx, &p->desc, spec ? spec : "");
	if (rc < 0) {
		free(p);
		return rc;
	}
	snprintf(p->kernel_release, sizeof(p->kernel_release), "%s", p->desc.rules);
	p->kmem = MHP_KMEM_UNKNOWN;
	p->rules_source = MHP_EVIDENCE_MODEL;
	for (c = 0; c < MHP_CAP_COUNT; c++)
		set_cap(p, c, *cap_value(&p->desc, c), MHP_EVIDENCE_MODEL,
			"model spec, rule set %s", p->desc.rules);
	*out = p;
	return 0;
}

MHP_EXPORT struct mhp_platform *mhp_platform_ref(struct mhp_platform *p)
{
	if (p)
		p->refcount++;
	return p;
}

MHP_EXPORT struct mhp_platform *mhp_platform_unref(struct mhp_platform *p)
{
	if (!p || --p->refcount > 0)
		return p ? p : NULL;
	free(p);
	return NULL;
}

const struct mhp_platform_desc *mhp_platform_get_desc(const struct mhp_platform *p)
{
	return &p->desc;
}

MHP_EXPORT bool mhp_platform_is_model(const struct mhp_platform *p)
{
	return p->model;
}

MHP_EXPORT const char *mhp_platform_get_arch(const struct mhp_platform *p)
{
	return p->desc.arch[0] ? p->desc.arch : NULL;
}

MHP_EXPORT const char *mhp_platform_get_kernel_release(const struct mhp_platform *p)
{
	return p->kernel_release[0] ? p->kernel_release : NULL;
}

MHP_EXPORT const char *mhp_platform_get_rules(const struct mhp_platform *p)
{
	return p->desc.rules;
}

MHP_EXPORT uint64_t mhp_platform_get_page_size(const struct mhp_platform *p)
{
	return p->desc.page_size;
}

MHP_EXPORT uint64_t mhp_platform_get_block_size(const struct mhp_platform *p)
{
	return p->desc.block_size;
}

MHP_EXPORT uint64_t mhp_platform_get_pageblock_size(const struct mhp_platform *p)
{
	return p->desc.pageblock_size;
}

MHP_EXPORT uint64_t mhp_platform_get_pmd_size(const struct mhp_platform *p)
{
	return p->desc.pmd_size;
}

MHP_EXPORT uint64_t mhp_platform_get_struct_page_size(const struct mhp_platform *p)
{
	return p->desc.struct_page_size;
}

MHP_EXPORT enum mhp_mmu mhp_platform_get_mmu(const struct mhp_platform *p)
{
	return p->desc.mmu;
}

MHP_EXPORT enum mhp_memmap_mode mhp_platform_get_memmap_mode(const struct mhp_platform *p)
{
	return p->desc.memmap_mode;
}

MHP_EXPORT bool mhp_platform_has_memmap_force(const struct mhp_platform *p)
{
	return p->desc.has_force;
}

MHP_EXPORT bool mhp_platform_has_dax_memmap_knob(const struct mhp_platform *p)
{
	return p->desc.dax_memmap_knob;
}

MHP_EXPORT bool mhp_platform_splits_multi_block(const struct mhp_platform *p)
{
	return p->desc.splits_multi_block;
}

MHP_EXPORT bool mhp_platform_has_block_size_param(const struct mhp_platform *p)
{
	return p->desc.block_size_param;
}

MHP_EXPORT const char *mhp_platform_get_auto_online_blocks(const struct mhp_platform *p)
{
	return p->auto_online_blocks[0] ? p->auto_online_blocks : NULL;
}

MHP_EXPORT const char *mhp_platform_get_online_policy(const struct mhp_platform *p)
{
	return p->online_policy[0] ? p->online_policy : NULL;
}

MHP_EXPORT int mhp_platform_get_auto_movable_ratio(const struct mhp_platform *p)
{
	return p->desc.auto_movable_ratio;
}

MHP_EXPORT int mhp_platform_get_auto_movable_numa_aware(const struct mhp_platform *p)
{
	return p->desc.auto_movable_numa_aware;
}

MHP_EXPORT enum mhp_kmem_state mhp_platform_get_kmem_state(const struct mhp_platform *p)
{
	return p->kmem;
}

MHP_EXPORT uint64_t mhp_platform_get_kernel_bytes(const struct mhp_platform *p)
{
	return p->desc.kernel_bytes;
}

MHP_EXPORT uint64_t mhp_platform_get_movable_bytes(const struct mhp_platform *p)
{
	return p->desc.movable_bytes;
}

MHP_EXPORT enum mhp_evidence mhp_platform_get_rules_source(const struct mhp_platform *p)
{
	return p ? p->rules_source : MHP_EVIDENCE_UNKNOWN;
}

MHP_EXPORT bool mhp_platform_has_capability(const struct mhp_platform *p,
					    enum mhp_capability cap)
{
	return p && cap < MHP_CAP_COUNT && *cap_value((struct mhp_platform_desc *)&p->desc, cap);
}

MHP_EXPORT enum mhp_evidence mhp_platform_get_capability_source(const struct mhp_platform *p,
								enum mhp_capability cap)
{
	return p && cap < MHP_CAP_COUNT ? p->cap[cap].source : MHP_EVIDENCE_UNKNOWN;
}

MHP_EXPORT const char *mhp_platform_get_capability_evidence(const struct mhp_platform *p,
							    enum mhp_capability cap)
{
	return p && cap < MHP_CAP_COUNT && p->cap[cap].text[0] ? p->cap[cap].text : NULL;
}

MHP_EXPORT bool mhp_platform_kernel_onlines(const struct mhp_platform *p)
{
	return p && p->auto_online.onlines;
}

MHP_EXPORT enum mhp_zone mhp_platform_get_auto_online_zone(const struct mhp_platform *p)
{
	return p ? p->auto_online.zone : MHP_ZONE_NONE;
}

MHP_EXPORT const char *mhp_platform_get_auto_online_reason(const struct mhp_platform *p)
{
	return p && p->auto_online.why[0] ? p->auto_online.why : NULL;
}

MHP_EXPORT unsigned int mhp_platform_get_num_online_agents(const struct mhp_platform *p)
{
	return p ? p->agents.nr : 0;
}

MHP_EXPORT const char *mhp_platform_get_online_agent(const struct mhp_platform *p,
						     unsigned int i)
{
	return p && i < p->agents.nr ? p->agents.what[i] : NULL;
}

MHP_EXPORT unsigned int mhp_platform_get_num_inert_agents(const struct mhp_platform *p)
{
	return p ? p->agents.nr_inert : 0;
}

MHP_EXPORT const char *mhp_platform_get_inert_agent(const struct mhp_platform *p,
						    unsigned int i)
{
	return p && i < p->agents.nr_inert ? p->agents.inert[i] : NULL;
}

MHP_EXPORT unsigned int mhp_platform_get_num_unknown(const struct mhp_platform *p)
{
	return p ? p->nr_unknown : 0;
}

MHP_EXPORT const char *mhp_platform_get_unknown_fact(const struct mhp_platform *p,
						     unsigned int i)
{
	return p && i < p->nr_unknown ? p->unknown[i].fact : NULL;
}

MHP_EXPORT const char *mhp_platform_get_unknown_reason(const struct mhp_platform *p,
						       unsigned int i)
{
	return p && i < p->nr_unknown ? p->unknown[i].why : NULL;
}
