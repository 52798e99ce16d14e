/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmhp - turn CXL and DAX memory into system RAM: discover, plan, apply.
 *
 * Conventions (as in libkmod/libdaxctl):
 *  - every object hangs off a refcounted struct mhp_ctx;
 *  - functions returning int return 0 or a negative errno; after a failure
 *    mhp_get_last_error() says what failed and which file or value;
 *  - iterators are get_first/get_next pairs with _foreach macros;
 *  - every /sys and /proc access honours mhp_set_sysroot().
 */
#ifndef _LIBMHP_H_
#define _LIBMHP_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MHP_EXPORT __attribute__((visibility("default")))

/* ---- context ---------------------------------------------------------- */

struct mhp_ctx;

typedef void (*mhp_log_fn)(struct mhp_ctx *ctx, int priority,
			   const char *file, int line, const char *fn,
			   const char *format, va_list args);

/*
 * Create a context. The log priority defaults to LOG_ERR and can be set
 * with the MHP_LOG environment variable ("err", "info", "debug" or a
 * syslog number); MHP_SYSROOT sets the initial sysroot.
 */
MHP_EXPORT int mhp_new(struct mhp_ctx **ctx);
MHP_EXPORT struct mhp_ctx *mhp_ref(struct mhp_ctx *ctx);
MHP_EXPORT struct mhp_ctx *mhp_unref(struct mhp_ctx *ctx);
MHP_EXPORT void mhp_set_log_fn(struct mhp_ctx *ctx, mhp_log_fn log_fn);
MHP_EXPORT int mhp_get_log_priority(struct mhp_ctx *ctx);
MHP_EXPORT void mhp_set_log_priority(struct mhp_ctx *ctx, int priority);
MHP_EXPORT void mhp_set_userdata(struct mhp_ctx *ctx, void *userdata);
MHP_EXPORT void *mhp_get_userdata(struct mhp_ctx *ctx);

/*
 * Redirect every /sys and /proc read and write below @dir, e.g. a tree
 * captured by mhp-capture-sysfs. NULL or "/" means the live system.
 * Must be called before anything is discovered.
 */
MHP_EXPORT int mhp_set_sysroot(struct mhp_ctx *ctx, const char *dir);
MHP_EXPORT const char *mhp_get_sysroot(struct mhp_ctx *ctx);
/*
 * True when the context acts on the running system: no sysroot, "/", or
 * a directory that resolves to "/" (say so before writing anything). An
 * empty sysroot ("" or MHP_SYSROOT="") is refused with -EINVAL. Any other
 * sysroot confines every access to its tree: ".." and symlinks, absolute
 * or relative, resolve inside it (openat2 RESOLVE_IN_ROOT).
 */
MHP_EXPORT bool mhp_is_live_system(struct mhp_ctx *ctx);

/*
 * Human-readable description of the last failure, "" if none. Iterators
 * (get_first) clear it, so an empty iteration with a non-empty error
 * means discovery failed.
 */
MHP_EXPORT const char *mhp_get_last_error(struct mhp_ctx *ctx);

/* ---- platform --------------------------------------------------------- */

enum mhp_memmap_mode {
	MHP_MEMMAP_MODE_ABSENT = 0,	/* no memmap_on_memory parameter */
	MHP_MEMMAP_MODE_OFF,
	MHP_MEMMAP_MODE_ON,
	MHP_MEMMAP_MODE_FORCE,
};

enum mhp_mmu {
	MHP_MMU_DEFAULT = 0,
	MHP_MMU_RADIX,		/* ppc64 */
	MHP_MMU_HASH,		/* ppc64 */
};

enum mhp_kmem_state {
	MHP_KMEM_UNKNOWN = 0,
	MHP_KMEM_MISSING,	/* neither built in nor installed */
	MHP_KMEM_LOADABLE,	/* module installed, not loaded */
	MHP_KMEM_LOADED,
	MHP_KMEM_BUILTIN,
};

struct mhp_platform;

/*
 * The live (or sysroot) platform, probed once per context.
 * Returns a new reference.
 */
MHP_EXPORT int mhp_get_platform(struct mhp_ctx *ctx,
				struct mhp_platform **platform);
/*
 * A hypothetical platform for planning: @spec is "KEY=VAL[,KEY=VAL...]"
 * with keys arch, page_size, block_size, pageblock_size, pmd_size,
 * struct_page_size, memmap_mode (N|Y|force), mmu (radix|hash),
 * kernel (6.1, 6.1-mhp, 6.6, 6.8, or a version such as 6.12), kernel_bytes, movable_bytes,
 * movable_ratio. Missing keys take per-arch defaults.
 */
MHP_EXPORT int mhp_platform_new_model(struct mhp_ctx *ctx, const char *spec,
				      struct mhp_platform **platform);
MHP_EXPORT struct mhp_platform *mhp_platform_ref(struct mhp_platform *p);
MHP_EXPORT struct mhp_platform *mhp_platform_unref(struct mhp_platform *p);
MHP_EXPORT bool mhp_platform_is_model(const struct mhp_platform *p);
/*
 * NULL when the tree does not show it (a partial capture): the facts the
 * probe could not know are listed by mhp_platform_get_unknown_fact().
 */
MHP_EXPORT const char *mhp_platform_get_arch(const struct mhp_platform *p);
MHP_EXPORT const char *mhp_platform_get_kernel_release(const struct mhp_platform *p);
/* Rule set in effect: "6.1", "6.1-mhp" (this project's series), "6.6", ... */
MHP_EXPORT const char *mhp_platform_get_rules(const struct mhp_platform *p);
MHP_EXPORT uint64_t mhp_platform_get_page_size(const struct mhp_platform *p);
MHP_EXPORT uint64_t mhp_platform_get_block_size(const struct mhp_platform *p);
MHP_EXPORT uint64_t mhp_platform_get_pageblock_size(const struct mhp_platform *p);
MHP_EXPORT uint64_t mhp_platform_get_pmd_size(const struct mhp_platform *p);
MHP_EXPORT uint64_t mhp_platform_get_struct_page_size(const struct mhp_platform *p);
MHP_EXPORT enum mhp_mmu mhp_platform_get_mmu(const struct mhp_platform *p);
MHP_EXPORT enum mhp_memmap_mode mhp_platform_get_memmap_mode(const struct mhp_platform *p);
MHP_EXPORT bool mhp_platform_has_memmap_force(const struct mhp_platform *p);
MHP_EXPORT bool mhp_platform_has_dax_memmap_knob(const struct mhp_platform *p);
MHP_EXPORT bool mhp_platform_splits_multi_block(const struct mhp_platform *p);
MHP_EXPORT bool mhp_platform_has_block_size_param(const struct mhp_platform *p);
/* NULL when the attribute is absent. */
MHP_EXPORT const char *mhp_platform_get_auto_online_blocks(const struct mhp_platform *p);
MHP_EXPORT const char *mhp_platform_get_online_policy(const struct mhp_platform *p);
/* -1 when unknown */
MHP_EXPORT int mhp_platform_get_auto_movable_ratio(const struct mhp_platform *p);
MHP_EXPORT int mhp_platform_get_auto_movable_numa_aware(const struct mhp_platform *p);
MHP_EXPORT enum mhp_kmem_state mhp_platform_get_kmem_state(const struct mhp_platform *p);
/* System-wide memory already online, by zone class, in bytes. */
MHP_EXPORT uint64_t mhp_platform_get_kernel_bytes(const struct mhp_platform *p);
MHP_EXPORT uint64_t mhp_platform_get_movable_bytes(const struct mhp_platform *p);

MHP_EXPORT const char *mhp_memmap_mode_name(enum mhp_memmap_mode mode);
MHP_EXPORT const char *mhp_kmem_state_name(enum mhp_kmem_state state);

/*
 * The capabilities the planner's rule set is made of, and where each was
 * learnt: the running kernel's ABI (a dax device's memmap_on_memory
 * attribute, memmap_on_memory reading "force", the 6.1 series' vmstat
 * counter), the release string where the ABI is silent, or a model spec.
 */
enum mhp_capability {
	MHP_CAP_NEW_ELIGIBILITY = 0,	/* 6.6+ memmap_on_memory block rules */
	MHP_CAP_MEMMAP_FORCE,		/* memmap_on_memory=force is accepted */
	MHP_CAP_SPLIT_PER_BLOCK,	/* multi-block adds host a memmap per block */
	MHP_CAP_KMEM_MEMMAP,		/* kmem passes MHP_MEMMAP_ON_MEMORY */
	MHP_CAP_DAX_MEMMAP_KNOB,	/* daxX.Y/memmap_on_memory exists */
	MHP_CAP_BLOCK_SIZE_PARAM,	/* memory_block_size= boot parameter */
	MHP_CAP_COUNT,
};

enum mhp_evidence {
	MHP_EVIDENCE_UNKNOWN = 0,
	MHP_EVIDENCE_ABI,	/* shown by the running kernel's sysfs/procfs */
	MHP_EVIDENCE_RELEASE,	/* inferred from the kernel release string */
	MHP_EVIDENCE_MODEL,	/* a model platform's spec */
};

MHP_EXPORT bool mhp_platform_has_capability(const struct mhp_platform *p,
					    enum mhp_capability cap);
MHP_EXPORT enum mhp_evidence mhp_platform_get_capability_source(const struct mhp_platform *p,
								enum mhp_capability cap);
/* What showed it, e.g. "/sys/bus/dax/devices/dax0.0/memmap_on_memory exists". */
MHP_EXPORT const char *mhp_platform_get_capability_evidence(const struct mhp_platform *p,
							    enum mhp_capability cap);
/* ABI when every capability of the rule set came from the ABI, else RELEASE. */
MHP_EXPORT enum mhp_evidence mhp_platform_get_rules_source(const struct mhp_platform *p);
/* The list key, e.g. "memmap_on_memory_force_supported". */
MHP_EXPORT const char *mhp_capability_name(enum mhp_capability cap);
/* "abi", "release", "model" or "unknown". */
MHP_EXPORT const char *mhp_evidence_name(enum mhp_evidence e);

/*
 * Agents that online memory blocks behind libmhp's back (the kernel's
 * policy, udev rules writing a block's state, daxctl's udev rule and
 * daxdev-reconfigure@ service), and agents that are installed but inert
 * (e.g. Debian 12's rule running 'daxctl -C', which daxctl rejects).
 * Each is a sentence naming its file.
 */
MHP_EXPORT unsigned int mhp_platform_get_num_online_agents(const struct mhp_platform *p);
MHP_EXPORT const char *mhp_platform_get_online_agent(const struct mhp_platform *p,
						     unsigned int i);
MHP_EXPORT unsigned int mhp_platform_get_num_inert_agents(const struct mhp_platform *p);
MHP_EXPORT const char *mhp_platform_get_inert_agent(const struct mhp_platform *p,
						    unsigned int i);
/*
 * Facts a partial tree does not show ("arch", "kernel_release",
 * "online_kernel_bytes"), each with why and how to supply it. A sysroot
 * holding only sys/devices/system/memory still lists its blocks; MHP_ARCH
 * supplies the architecture of a tree that lacks proc/sys/kernel/arch.
 */
MHP_EXPORT unsigned int mhp_platform_get_num_unknown(const struct mhp_platform *p);
MHP_EXPORT const char *mhp_platform_get_unknown_fact(const struct mhp_platform *p,
						     unsigned int i);
MHP_EXPORT const char *mhp_platform_get_unknown_reason(const struct mhp_platform *p,
						       unsigned int i);

/* ---- NUMA nodes ------------------------------------------------------- */

enum mhp_zone {
	MHP_ZONE_NONE = 0,
	MHP_ZONE_NORMAL,	/* kernel zones: DMA, DMA32, Normal */
	MHP_ZONE_MOVABLE,
};

/*
 * (Platform; here because it needs enum mhp_zone.) The kernel's own onlining of hot-added memory: true when
 * auto_online_blocks is not "offline". The zone is where a block added
 * to a CPU-less node with no memory yet (the usual CXL case) would go,
 * MHP_ZONE_NONE when the kernel does not online it; the reason says why
 * (auto_online_blocks, online_policy, auto_movable_numa_aware).
 */
MHP_EXPORT bool mhp_platform_kernel_onlines(const struct mhp_platform *p);
MHP_EXPORT enum mhp_zone mhp_platform_get_auto_online_zone(const struct mhp_platform *p);
MHP_EXPORT const char *mhp_platform_get_auto_online_reason(const struct mhp_platform *p);

struct mhp_node;
MHP_EXPORT struct mhp_node *mhp_node_get_first(struct mhp_ctx *ctx);
MHP_EXPORT struct mhp_node *mhp_node_get_next(struct mhp_node *node);
#define mhp_node_foreach(ctx, node)					\
	for (node = mhp_node_get_first(ctx); node != NULL;		\
	     node = mhp_node_get_next(node))
#define mhp_node_foreach_safe(ctx, node, _next)			\
	for (node = mhp_node_get_first(ctx), _next = node ? mhp_node_get_next(node) : NULL;	\
	     node != NULL;						\
	     node = _next, _next = node ? mhp_node_get_next(node) : NULL)
MHP_EXPORT struct mhp_node *mhp_node_get_by_id(struct mhp_ctx *ctx, int id);
MHP_EXPORT int mhp_node_get_id(const struct mhp_node *node);
/*
 * Nodes are the possible ones; a CPU-less node reserved for CXL memory is
 * offline until memory is added to it.
 */
MHP_EXPORT bool mhp_node_is_online(const struct mhp_node *node);
MHP_EXPORT bool mhp_node_has_cpus(const struct mhp_node *node);
MHP_EXPORT bool mhp_node_has_memory(const struct mhp_node *node);
/* MemTotal of the node in bytes. */
MHP_EXPORT uint64_t mhp_node_get_mem_total(const struct mhp_node *node);
/* Managed bytes in the zone class, from /proc/zoneinfo. */
MHP_EXPORT uint64_t mhp_node_get_zone_bytes(const struct mhp_node *node,
					    enum mhp_zone zone);
/* Memory tier id, or -1. */
MHP_EXPORT int mhp_node_get_memory_tier(const struct mhp_node *node);

/*
 * The kernel's own memmap counters for one node: the 6.1 series'
 * /sys/devices/system/node/nodeN/memmap. The first two have the names and
 * meaning of 6.11+'s system-wide /proc/vmstat counters.
 */
enum mhp_memmap_counter {
	MHP_MEMMAP_BOOT,		/* nr_memmap_boot_pages: of boot memory */
	MHP_MEMMAP_HOTPLUG,		/* nr_memmap_pages: of hot-added memory, wherever it is */
	MHP_MEMMAP_ON_MEMORY,		/* nr_memmap_on_memory: hosted by that memory */
	MHP_MEMMAP_ON_MEMORY_PADDING,	/* nr_memmap_on_memory_padding: force's reserve */
};
/*
 * Read the counter now, in pages. -EOPNOTSUPP when the kernel has no such
 * counter; the DRAM cost of the node's hot-added memory is
 * HOTPLUG - ON_MEMORY.
 */
MHP_EXPORT int mhp_node_get_memmap_pages(const struct mhp_node *node,
					 enum mhp_memmap_counter which,
					 uint64_t *pages);

/* ---- memory blocks ---------------------------------------------------- */

enum mhp_block_state {
	MHP_BLOCK_UNKNOWN = 0,
	MHP_BLOCK_OFFLINE,
	MHP_BLOCK_ONLINE,
	MHP_BLOCK_GOING_OFFLINE,
};

struct mhp_block;
/* Look up memoryN directly; -ENOENT (no error recorded) if it does not exist. */
MHP_EXPORT int mhp_block_get(struct mhp_ctx *ctx, uint64_t index,
			     struct mhp_block **block);
/* Every block in the system, in index order (scans the directory once). */
MHP_EXPORT struct mhp_block *mhp_block_get_first(struct mhp_ctx *ctx);
MHP_EXPORT struct mhp_block *mhp_block_get_next(struct mhp_block *block);
#define mhp_block_foreach(ctx, block)					\
	for (block = mhp_block_get_first(ctx); block != NULL;		\
	     block = mhp_block_get_next(block))
#define mhp_block_foreach_safe(ctx, block, _next)			\
	for (block = mhp_block_get_first(ctx), _next = block ? mhp_block_get_next(block) : NULL;	\
	     block != NULL;						\
	     block = _next, _next = block ? mhp_block_get_next(block) : NULL)
/* Re-read state and zone from sysfs. */
MHP_EXPORT int mhp_block_refresh(struct mhp_block *block);
MHP_EXPORT uint64_t mhp_block_get_index(const struct mhp_block *block);
MHP_EXPORT uint64_t mhp_block_get_phys_addr(const struct mhp_block *block);
MHP_EXPORT uint64_t mhp_block_get_size(const struct mhp_block *block);
MHP_EXPORT enum mhp_block_state mhp_block_get_state(const struct mhp_block *block);
/* The zone an online block is in, or the default zone of an offline one. */
MHP_EXPORT enum mhp_zone mhp_block_get_zone(const struct mhp_block *block);
/* Raw valid_zones text, e.g. "Normal Movable"; NULL if unreadable. */
MHP_EXPORT const char *mhp_block_get_valid_zones(const struct mhp_block *block);
MHP_EXPORT int mhp_block_get_node(const struct mhp_block *block);
MHP_EXPORT bool mhp_block_is_removable(const struct mhp_block *block);

MHP_EXPORT const char *mhp_block_state_name(enum mhp_block_state state);
MHP_EXPORT const char *mhp_zone_name(enum mhp_zone zone);

/* ---- memory sources: CXL and DAX -------------------------------------- */

enum mhp_dax_driver {
	MHP_DAX_DRIVER_NONE = 0,
	MHP_DAX_DRIVER_DEVICE_DAX,
	MHP_DAX_DRIVER_KMEM,
	MHP_DAX_DRIVER_OTHER,
};

enum mhp_provenance {
	MHP_PROV_UNKNOWN = 0,
	MHP_PROV_CXL_REGION,	/* CXL region -> dax_region -> dax */
	MHP_PROV_CXL_PMEM,	/* CXL pmem region -> nvdimm namespace -> dax */
	MHP_PROV_HMEM,		/* Soft Reserved range -> hmem -> dax */
	MHP_PROV_NVDIMM,	/* nvdimm (e.g. legacy pmem) namespace -> dax */
};

struct mhp_cxl_memdev;
MHP_EXPORT struct mhp_cxl_memdev *mhp_cxl_memdev_get_first(struct mhp_ctx *ctx);
MHP_EXPORT struct mhp_cxl_memdev *mhp_cxl_memdev_get_next(struct mhp_cxl_memdev *m);
#define mhp_cxl_memdev_foreach(ctx, m)					\
	for (m = mhp_cxl_memdev_get_first(ctx); m != NULL;		\
	     m = mhp_cxl_memdev_get_next(m))
#define mhp_cxl_memdev_foreach_safe(ctx, m, _next)			\
	for (m = mhp_cxl_memdev_get_first(ctx), _next = m ? mhp_cxl_memdev_get_next(m) : NULL;	\
	     m != NULL;						\
	     m = _next, _next = m ? mhp_cxl_memdev_get_next(m) : NULL)
MHP_EXPORT const char *mhp_cxl_memdev_get_name(const struct mhp_cxl_memdev *m);
MHP_EXPORT uint64_t mhp_cxl_memdev_get_ram_size(const struct mhp_cxl_memdev *m);
MHP_EXPORT uint64_t mhp_cxl_memdev_get_pmem_size(const struct mhp_cxl_memdev *m);
MHP_EXPORT const char *mhp_cxl_memdev_get_serial(const struct mhp_cxl_memdev *m);
MHP_EXPORT int mhp_cxl_memdev_get_numa_node(const struct mhp_cxl_memdev *m);

struct mhp_cxl_region;
MHP_EXPORT struct mhp_cxl_region *mhp_cxl_region_get_first(struct mhp_ctx *ctx);
MHP_EXPORT struct mhp_cxl_region *mhp_cxl_region_get_next(struct mhp_cxl_region *r);
#define mhp_cxl_region_foreach(ctx, r)					\
	for (r = mhp_cxl_region_get_first(ctx); r != NULL;		\
	     r = mhp_cxl_region_get_next(r))
#define mhp_cxl_region_foreach_safe(ctx, r, _next)			\
	for (r = mhp_cxl_region_get_first(ctx), _next = r ? mhp_cxl_region_get_next(r) : NULL;	\
	     r != NULL;						\
	     r = _next, _next = r ? mhp_cxl_region_get_next(r) : NULL)
MHP_EXPORT struct mhp_cxl_region *mhp_cxl_region_get_by_name(struct mhp_ctx *ctx,
							      const char *name);
MHP_EXPORT const char *mhp_cxl_region_get_name(const struct mhp_cxl_region *r);
/* "ram", "pmem" or NULL if unknown */
MHP_EXPORT const char *mhp_cxl_region_get_mode(const struct mhp_cxl_region *r);
MHP_EXPORT uint64_t mhp_cxl_region_get_resource(const struct mhp_cxl_region *r);
MHP_EXPORT uint64_t mhp_cxl_region_get_size(const struct mhp_cxl_region *r);
MHP_EXPORT unsigned int mhp_cxl_region_get_interleave_ways(const struct mhp_cxl_region *r);
MHP_EXPORT unsigned int mhp_cxl_region_get_interleave_granularity(const struct mhp_cxl_region *r);
MHP_EXPORT const char *mhp_cxl_region_get_decoder(const struct mhp_cxl_region *r);
/* "dax_regionN" (ram) or "pmem_regionN" (pmem) child, or NULL. */
MHP_EXPORT const char *mhp_cxl_region_get_dax_region(const struct mhp_cxl_region *r);
MHP_EXPORT unsigned int mhp_cxl_region_get_num_targets(const struct mhp_cxl_region *r);
MHP_EXPORT const char *mhp_cxl_region_get_target(const struct mhp_cxl_region *r,
						 unsigned int pos);
/* The memdev ("memN") behind target @pos, the endpoint decoder's device; NULL if unknown. */
MHP_EXPORT const char *mhp_cxl_region_get_target_memdev(const struct mhp_cxl_region *r,
							unsigned int pos);

struct mhp_dax_dev;
MHP_EXPORT struct mhp_dax_dev *mhp_dax_dev_get_first(struct mhp_ctx *ctx);
MHP_EXPORT struct mhp_dax_dev *mhp_dax_dev_get_next(struct mhp_dax_dev *d);
#define mhp_dax_dev_foreach(ctx, d)					\
	for (d = mhp_dax_dev_get_first(ctx); d != NULL;			\
	     d = mhp_dax_dev_get_next(d))
#define mhp_dax_dev_foreach_safe(ctx, d, _next)			\
	for (d = mhp_dax_dev_get_first(ctx), _next = d ? mhp_dax_dev_get_next(d) : NULL;	\
	     d != NULL;						\
	     d = _next, _next = d ? mhp_dax_dev_get_next(d) : NULL)
MHP_EXPORT struct mhp_dax_dev *mhp_dax_dev_get_by_name(struct mhp_ctx *ctx,
						       const char *name);
MHP_EXPORT const char *mhp_dax_dev_get_name(const struct mhp_dax_dev *d);
MHP_EXPORT const char *mhp_dax_dev_get_region(const struct mhp_dax_dev *d);
/* Physical start, or UINT64_MAX if unreadable (resource is root-only). */
MHP_EXPORT uint64_t mhp_dax_dev_get_resource(const struct mhp_dax_dev *d);
MHP_EXPORT uint64_t mhp_dax_dev_get_size(const struct mhp_dax_dev *d);
MHP_EXPORT uint64_t mhp_dax_dev_get_align(const struct mhp_dax_dev *d);
/* -1 when the device has no target node (kmem refuses it). */
MHP_EXPORT int mhp_dax_dev_get_target_node(const struct mhp_dax_dev *d);
MHP_EXPORT enum mhp_dax_driver mhp_dax_dev_get_driver(const struct mhp_dax_dev *d);
/* 0/1, or -1 when the kernel has no per-device memmap_on_memory knob. */
MHP_EXPORT int mhp_dax_dev_get_memmap_on_memory(const struct mhp_dax_dev *d);
MHP_EXPORT enum mhp_provenance mhp_dax_dev_get_provenance(const struct mhp_dax_dev *d);
/* Human-readable chain, e.g. "region0 -> dax_region0 -> dax0.0". */
MHP_EXPORT const char *mhp_dax_dev_get_provenance_chain(const struct mhp_dax_dev *d);
/* The CXL region behind the device, or NULL. */
MHP_EXPORT const char *mhp_dax_dev_get_cxl_region(const struct mhp_dax_dev *d);
/* True when the memory may hold data (pmem): conversion needs consent. */
MHP_EXPORT bool mhp_dax_dev_is_persistent(const struct mhp_dax_dev *d);
/* Re-read driver, knob and target node. */
MHP_EXPORT int mhp_dax_dev_refresh(struct mhp_dax_dev *d);

/*
 * What daxctl's JSON shows beyond discovery, read from sysfs when asked.
 * Mapping @n of the device (mappingN: page_offset, start, end); -ENOENT
 * past the last one.
 */
MHP_EXPORT int mhp_dax_dev_get_mapping(struct mhp_ctx *ctx, const struct mhp_dax_dev *d,
				       unsigned int n, uint64_t *page_offset,
				       uint64_t *start, uint64_t *end);
/* The device path of the dax region's parent below the sysroot ("/sys/devices/platform/hmem.0"). */
MHP_EXPORT int mhp_dax_dev_get_region_path(struct mhp_ctx *ctx, const struct mhp_dax_dev *d,
					   char *buf, size_t len);
enum mhp_dax_region_attr {
	MHP_DAX_REGION_SIZE = 0,
	MHP_DAX_REGION_AVAILABLE_SIZE,
	MHP_DAX_REGION_ALIGN,
};
/* A dax_region/ attribute of the device's region; -ENOENT when absent. */
MHP_EXPORT int mhp_dax_dev_get_region_attr(struct mhp_ctx *ctx, const struct mhp_dax_dev *d,
					   enum mhp_dax_region_attr attr, uint64_t *val);
/* The uuid of the nd_dax info block behind the device; -ENOENT if none. */
MHP_EXPORT int mhp_dax_dev_get_nvdimm_uuid(struct mhp_ctx *ctx, const struct mhp_dax_dev *d,
					   char *buf, size_t len);
/* The uuid of the namespace's label behind the device (ndctl list's "uuid"); -ENOENT if none. */
MHP_EXPORT int mhp_dax_dev_get_nvdimm_namespace_uuid(struct mhp_ctx *ctx,
						     const struct mhp_dax_dev *d,
						     char *buf, size_t len);

MHP_EXPORT const char *mhp_dax_driver_name(enum mhp_dax_driver drv);
MHP_EXPORT const char *mhp_provenance_name(enum mhp_provenance prov);

/* ---- planner ---------------------------------------------------------- */

enum mhp_zone_policy {
	MHP_ZONE_POLICY_AUTO = 0,	/* keep MOVABLE:KERNEL within the ratio */
	MHP_ZONE_POLICY_MOVABLE,
	MHP_ZONE_POLICY_NORMAL,
};

enum mhp_memmap_policy {
	MHP_MEMMAP_POLICY_AUTO = 0,	/* on the device where eligible */
	MHP_MEMMAP_POLICY_ON,		/* on the device, or fail */
	MHP_MEMMAP_POLICY_OFF,		/* always in DRAM */
};

/*
 * Planner options. Zero-initialise, set .size = sizeof(struct
 * mhp_plan_opts); fields left 0 take their defaults.
 */
struct mhp_plan_opts {
	uint32_t size;
	enum mhp_zone_policy zone;
	enum mhp_memmap_policy memmap;
	/* percent MOVABLE:KERNEL; 0 = kernel's auto_movable_ratio or 301 */
	uint32_t movable_ratio;
	/* warn when waste exceeds this percent of raw; 0 = 10 */
	uint32_t waste_warn_pct;
};

#define MHP_PLAN_VERSION 1

struct mhp_plan;
/* Plan onlining of a dax device on the live (or sysroot) system. */
MHP_EXPORT int mhp_plan_dax_dev(struct mhp_ctx *ctx, struct mhp_dax_dev *dev,
				const struct mhp_plan_opts *opts,
				struct mhp_plan **plan);
/* Plan a hypothetical range [start, start + size) on a model platform. */
MHP_EXPORT int mhp_plan_model(struct mhp_ctx *ctx, struct mhp_platform *platform,
			      uint64_t start, uint64_t size,
			      const struct mhp_plan_opts *opts,
			      struct mhp_plan **plan);
MHP_EXPORT struct mhp_plan *mhp_plan_ref(struct mhp_plan *plan);
MHP_EXPORT struct mhp_plan *mhp_plan_unref(struct mhp_plan *plan);

/* Name of the dax device planned, or NULL for a model plan. */
MHP_EXPORT const char *mhp_plan_get_target(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_raw_bytes(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_usable_bytes(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_memmap_bytes(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_dram_overhead_bytes(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_force_waste_bytes(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_alignment_waste_bytes(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_movable_bytes(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_normal_bytes(const struct mhp_plan *plan);
/* True when the memmap goes on the device. */
MHP_EXPORT bool mhp_plan_memmap_on_device(const struct mhp_plan *plan);
MHP_EXPORT bool mhp_plan_is_eligible_memmap_on_memory(const struct mhp_plan *plan);
MHP_EXPORT unsigned int mhp_plan_get_num_reasons(const struct mhp_plan *plan);
MHP_EXPORT const char *mhp_plan_get_reason(const struct mhp_plan *plan, unsigned int i);
MHP_EXPORT int mhp_plan_get_node(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_block_size(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_num_blocks(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_block_index(const struct mhp_plan *plan, uint64_t i);
MHP_EXPORT enum mhp_zone mhp_plan_get_block_zone(const struct mhp_plan *plan, uint64_t i);
MHP_EXPORT unsigned int mhp_plan_get_block_memmap_pages(const struct mhp_plan *plan, uint64_t i);
MHP_EXPORT unsigned int mhp_plan_get_block_reserved_pages(const struct mhp_plan *plan, uint64_t i);
/* Physical address (UINT64_MAX past the end) and usable bytes of block i. */
MHP_EXPORT uint64_t mhp_plan_get_block_phys_addr(const struct mhp_plan *plan, uint64_t i);
MHP_EXPORT uint64_t mhp_plan_get_block_usable_bytes(const struct mhp_plan *plan, uint64_t i);
/* Start of the planned source range. */
MHP_EXPORT uint64_t mhp_plan_get_start(const struct mhp_plan *plan);
/* The alignment waste before the first and after the last whole block. */
MHP_EXPORT uint64_t mhp_plan_get_alignment_waste_head_bytes(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_alignment_waste_tail_bytes(const struct mhp_plan *plan);
MHP_EXPORT bool mhp_plan_node_has_cpus(const struct mhp_plan *plan);
/* The node whose DRAM would hold a DRAM memmap, or -1 when unknown. */
MHP_EXPORT int mhp_plan_get_memmap_dram_node(const struct mhp_plan *plan);
/*
 * The kernel's own onlining of the planned device (see
 * mhp_platform_kernel_onlines()), judged for its node and size.
 */
MHP_EXPORT bool mhp_plan_kernel_onlines(const struct mhp_plan *plan);
MHP_EXPORT enum mhp_zone mhp_plan_get_kernel_online_zone(const struct mhp_plan *plan);
MHP_EXPORT const char *mhp_plan_get_kernel_online_reason(const struct mhp_plan *plan);
/*
 * The plan's warnings, zone notes and advice (kind, text and the action
 * to take, which may be NULL), as in its JSON.
 */
MHP_EXPORT unsigned int mhp_plan_get_num_warnings(const struct mhp_plan *plan);
MHP_EXPORT const char *mhp_plan_get_warning(const struct mhp_plan *plan, unsigned int i);
MHP_EXPORT unsigned int mhp_plan_get_num_zone_notes(const struct mhp_plan *plan);
MHP_EXPORT const char *mhp_plan_get_zone_note(const struct mhp_plan *plan, unsigned int i);
MHP_EXPORT unsigned int mhp_plan_get_num_advice(const struct mhp_plan *plan);
MHP_EXPORT const char *mhp_plan_get_advice_kind(const struct mhp_plan *plan, unsigned int i);
MHP_EXPORT const char *mhp_plan_get_advice_text(const struct mhp_plan *plan, unsigned int i);
MHP_EXPORT const char *mhp_plan_get_advice_action(const struct mhp_plan *plan, unsigned int i);
/*
 * The device as it was when planned (mhp_plan_dax_dev() only; a model
 * plan or one read from a file has none): its driver, knob (-1 absent),
 * online blocks by zone (MHP_ZONE_NONE: all online), offline blocks, and
 * whether its memmap is on the device (1), in DRAM (0) or unknown (-1),
 * with the evidence.
 */
MHP_EXPORT bool mhp_plan_has_current(const struct mhp_plan *plan);
MHP_EXPORT enum mhp_dax_driver mhp_plan_get_current_driver(const struct mhp_plan *plan);
MHP_EXPORT int mhp_plan_get_current_knob(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_current_online_blocks(const struct mhp_plan *plan,
							enum mhp_zone zone);
MHP_EXPORT uint64_t mhp_plan_get_current_offline_blocks(const struct mhp_plan *plan);
MHP_EXPORT int mhp_plan_get_current_memmap_on_device(const struct mhp_plan *plan);
MHP_EXPORT const char *mhp_plan_get_current_memmap_evidence(const struct mhp_plan *plan);
/*
 * True when the device is bound to kmem with blocks online in another
 * shape than planned: converting offlines them (ZONE_NORMAL ones may fail
 * with EBUSY), unbinds kmem, sets the knob, rebinds and onlines as
 * planned. The steps say so in words; the bytes to migrate are the
 * memory in use on the node (UINT64_MAX when the kernel does not show it).
 */
MHP_EXPORT bool mhp_plan_needs_convert(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_convert_migrate_bytes(const struct mhp_plan *plan);
MHP_EXPORT uint64_t mhp_plan_get_convert_normal_bytes(const struct mhp_plan *plan);
MHP_EXPORT unsigned int mhp_plan_get_num_convert_steps(const struct mhp_plan *plan);
MHP_EXPORT const char *mhp_plan_get_convert_step(const struct mhp_plan *plan, unsigned int i);

enum {
	MHP_JSON_BLOCKS = 1 << 0,	/* include the per-block array */
	MHP_JSON_HUMAN = 1 << 1,	/* list/status: sizes and addresses as text */
};
/* Serialise to JSON (plan_version 1); free() the string. */
MHP_EXPORT int mhp_plan_to_json(const struct mhp_plan *plan, unsigned int flags,
				char **json);
/* Load a plan written by mhp_plan_to_json() (e.g. `cxlmem plan > FILE`). */
MHP_EXPORT int mhp_plan_from_json(struct mhp_ctx *ctx, const char *json,
				  struct mhp_plan **plan);
/*
 * mhp_plan_from_json() of the file @path ("-" for stdin), which must be a
 * regular file or a pipe of at most MHP_PLAN_FILE_MAX bytes (the 2^21
 * blocks the planner handles, 256 bytes each): /dev/zero, a device node
 * or a larger file is refused with a clear error. For the CLI's --plan.
 */
#define MHP_PLAN_FILE_MAX	(512U << 20)
MHP_EXPORT int mhp_plan_load_file(struct mhp_ctx *ctx, const char *path,
				  struct mhp_plan **plan);

/* ---- executor --------------------------------------------------------- */

enum mhp_event_type {
	MHP_EVENT_STEP = 1,	/* a step starts; message says which */
	MHP_EVENT_BLOCK_ONLINE,	/* block onlined in the planned zone */
	MHP_EVENT_BLOCK_FOREIGN,	/* another agent onlined it, zone as planned */
	MHP_EVENT_BLOCK_FIXED,	/* another agent onlined it in the wrong zone; redone */
	MHP_EVENT_BLOCK_OFFLINE,
	MHP_EVENT_BLOCK_FAILED,	/* error and message say why */
	MHP_EVENT_ROLLBACK,	/* undoing a step; message says which */
	MHP_EVENT_WARNING,
};

/* Passed to the event callback; valid only during the call. */
struct mhp_event {
	enum mhp_event_type type;
	const char *device;
	uint64_t block;		/* block events */
	enum mhp_zone zone;
	int error;		/* negative errno for failures */
	const char *message;
	uint64_t done;		/* blocks handled so far */
	uint64_t total;		/* blocks to handle */
};

typedef void (*mhp_event_fn)(struct mhp_ctx *ctx, const struct mhp_event *ev,
			     void *userdata);

enum {
	MHP_APPLY_DRY_RUN = 1 << 0,	/* check everything, change nothing */
	MHP_APPLY_NO_ARBITRATE = 1 << 1,	/* refuse while auto-online is active */
	MHP_APPLY_DESTROY_DATA = 1 << 2,	/* consent to convert pmem */
	/* refuse a device already online in another shape than planned */
	MHP_APPLY_NO_CONVERT = 1 << 3,
	/* bind kmem, leave every block offline (daxctl -N); see below */
	MHP_APPLY_NO_ONLINE = 1 << 4,
};

/* Returned (positive) when there was nothing to do. */
#define MHP_NOTHING_TO_DO	1

/*
 * Apply @plan: lock, re-check it against the live system, set the dax
 * memmap_on_memory knob, bind kmem, online each block in the planned zone
 * in address order, verify. Any failure rolls back to the state before
 * the call: every block in the state and zone it had, the same driver,
 * knob and auto_online_blocks. Every step is journaled first under the
 * state directory, so an interrupted run can be recovered with
 * mhp_recover().
 *
 * Whether the device may hold data is decided from the live device
 * (mhp_dax_dev_is_persistent()), never from the plan: such a device is
 * refused with -EPERM unless MHP_APPLY_DESTROY_DATA is given.
 *
 * A device already bound to kmem whose blocks are online in another
 * shape (zones, or memmap placement, e.g. onlined by the kernel at boot)
 * is converted in place: its blocks are offlined, kmem unbound, the knob
 * set, kmem rebound and the blocks onlined as planned. With
 * MHP_APPLY_NO_CONVERT such a device is refused with -EBUSY and nothing
 * changes. mhp_get_apply_report() tells what was found and changed.
 *
 * With MHP_APPLY_NO_ONLINE the run sets the knob as planned and binds
 * kmem (auto_online_blocks set to offline around the bind, as always),
 * onlines nothing and verifies that every block of the plan exists and
 * is offline; the plan's zones are not used. An agent that would online
 * the blocks as kmem adds them races that: a detected one (a udev rule,
 * a unit; with MHP_APPLY_NO_ARBITRATE also the kernel's policy) is
 * refused with -EBUSY before any change, and a block found online after
 * the bind fails the run with -EBUSY and rolls it back. A device already
 * bound to kmem is MHP_NOTHING_TO_DO, whatever its blocks' state. No
 * applied plan is kept (mhp_get_applied_plan() then says -ENOENT).
 *
 * mhp_cancel() (from a signal handler, say) makes the run finish the step
 * in progress, roll back and return -ECANCELED.
 */
MHP_EXPORT int mhp_apply(struct mhp_ctx *ctx, struct mhp_plan *plan,
			 unsigned int flags, mhp_event_fn fn, void *userdata);

enum mhp_offline_to {
	MHP_OFFLINE_TO_DEVDAX = 0,	/* rebind device_dax */
	MHP_OFFLINE_TO_NONE,		/* leave the device unbound */
	MHP_OFFLINE_TO_KMEM,		/* offline the blocks, keep kmem bound (daxctl offline-memory) */
};

/*
 * Offline every block of @device in reverse order, retrying EBUSY, EAGAIN
 * and EINTR with backoff for up to @timeout_ms and @retries attempts per
 * block, then unbind kmem (never while a block is online) and rebind as
 * @to says; MHP_OFFLINE_TO_KMEM stops once the blocks are offline and
 * keeps kmem bound (MHP_NOTHING_TO_DO when none was online, -ENXIO when
 * the device is not on kmem). -EBUSY when some blocks stayed online: the
 * events say which and why.
 */
MHP_EXPORT int mhp_offline(struct mhp_ctx *ctx, const char *device,
			   enum mhp_offline_to to, unsigned int timeout_ms,
			   unsigned int retries, mhp_event_fn fn, void *userdata);

/* Where mhp_apply_report.migrated_bytes comes from. */
enum mhp_migration_evidence {
	MHP_MIGRATION_UNKNOWN = 0,	/* the kernel showed nothing */
	MHP_MIGRATION_PGMIGRATE,	/* delta of /proc/vmstat pgmigrate_success */
	MHP_MIGRATION_NODE_USED,	/* the node's MemUsed before offlining: at most */
};

/*
 * What the last mhp_apply() on the context found and did. Owned by the
 * context, valid until the next mhp_apply() on it; zeroed by each call.
 */
struct mhp_apply_report {
	enum mhp_dax_driver found_driver;	/* before the run */
	int found_knob;			/* memmap_on_memory before, -1 absent */
	uint64_t found_online;		/* blocks online before the run */
	uint64_t found_movable;		/* of which in ZONE_MOVABLE */
	uint64_t found_normal;		/* of which in kernel zones */
	bool converted;			/* a live kmem device was offlined and rebound */
	uint64_t blocks_offlined;	/* blocks this run took offline */
	uint64_t blocks_onlined;	/* blocks this run onlined or re-onlined */
	/*
	 * Bytes the kernel migrated while this run offlined blocks, on
	 * every path that offlines (a rebind, or only the zones changing):
	 * the delta of /proc/vmstat pgmigrate_success over the run times
	 * the page size (system-wide, so it includes other migrations
	 * meanwhile); without that counter, the device node's MemUsed
	 * before the first offline, which is all that could have had to
	 * move. 0 when no block was offlined; UINT64_MAX when the kernel
	 * does not tell. Set when the run succeeds.
	 */
	uint64_t migrated_bytes;
	bool rolled_back;		/* the run failed and was undone */
	uint64_t blocks_restored;	/* blocks the rollback put back */
	enum mhp_migration_evidence migrated_evidence;	/* of migrated_bytes */
};
MHP_EXPORT const struct mhp_apply_report *mhp_get_apply_report(struct mhp_ctx *ctx);

/*
 * Ask the run in progress on @ctx (mhp_apply, mhp_offline, mhp_recover)
 * to stop. Async-signal-safe: it only sets a flag, so a SIGINT, SIGTERM
 * or SIGHUP handler may call it. The run finishes its current step, rolls
 * back what it changed (mhp_apply restores auto_online_blocks too) and
 * returns -ECANCELED. A request made while no run is in progress applies
 * to the next one. Ignore SIGPIPE in the caller: a closed pipe must not
 * kill the process halfway.
 */
MHP_EXPORT void mhp_cancel(struct mhp_ctx *ctx);
/*
 * How long a run that changes the system waits for the lock another run
 * holds, in milliseconds, before failing with -EBUSY. 0 (the default)
 * fails at once. Boot-time units set a bound so that several started
 * together queue instead of failing on each other.
 */
MHP_EXPORT void mhp_set_lock_wait(struct mhp_ctx *ctx, unsigned int ms);

/* Directory for the lock, the journal and applied plans (default /run/mhp). */
MHP_EXPORT int mhp_set_state_dir(struct mhp_ctx *ctx, const char *dir);
MHP_EXPORT const char *mhp_get_state_dir(struct mhp_ctx *ctx);
/*
 * Name of the device an interrupted run left a journal for, or NULL: also
 * while another process holds the run lock (a run in progress is not
 * interrupted) and when the state directory is not readable (not root).
 */
MHP_EXPORT const char *mhp_journal_pending(struct mhp_ctx *ctx);
/*
 * Finish what an interrupted run left: roll back to the state recorded
 * before it; where blocks cannot be offlined, roll forward to the plan.
 * MHP_NOTHING_TO_DO when there is no journal.
 */
MHP_EXPORT int mhp_recover(struct mhp_ctx *ctx, mhp_event_fn fn, void *userdata);
/*
 * The plan last applied to @device, or -ENOENT. -EACCES when the state
 * directory is not readable by the caller (it is root's, mode 0700):
 * comparing with the applied plan needs root, the live state does not.
 * -EPERM when the state directory is unsafe (see mhp_get_last_error()).
 */
MHP_EXPORT int mhp_get_applied_plan(struct mhp_ctx *ctx, const char *device,
				    struct mhp_plan **plan);

/* ---- list and status documents ---------------------------------------- */

/*
 * The JSON that `cxlmem list` and `cxlmem status` print, for programs.
 * Flags: MHP_JSON_BLOCKS adds per-block arrays, MHP_JSON_HUMAN writes
 * sizes as "1.00 GiB" and addresses as "0x..." text instead of integers.
 * Unknown values are null. free() the string.
 *
 * The list document (schema_version MHP_LIST_SCHEMA_VERSION) is an object:
 *   schema_version  integer
 *   platform        object: arch, kernel_release, rules, page_size,
 *                   memory_block_size, pageblock_size, pmd_size,
 *                   struct_page_size, memmap_on_memory (mode name),
 *                   memmap_on_memory_force_supported,
 *                   dax_memmap_on_memory_knob, memmap_split_per_block,
 *                   memory_block_size_param (booleans),
 *                   auto_online_blocks, online_policy (text or null),
 *                   auto_movable_ratio, auto_movable_numa_aware, kmem,
 *                   online_kernel_bytes, online_movable_bytes
 *   nodes           array: node, online, has_cpus, has_memory, mem_total,
 *                   kernel_zone_bytes, movable_zone_bytes, memory_tier,
 *                   memmap_pages {boot, hotplug, on_memory,
 *                   on_memory_padding, hotplug_elsewhere} where the
 *                   kernel counts them (pages)
 *   cxl_memdevs     array: memdev, ram_size, pmem_size, serial, numa_node
 *   cxl_regions     array: region, mode, resource, size, interleave_ways,
 *                   interleave_granularity, decoder, dax_region, targets[],
 *                   dax_devices[]
 *   dax_devices     array: name, region (the dax region's parent device),
 *                   resource, size, align, target_node, driver,
 *                   memmap_on_memory, provenance, provenance_chain,
 *                   cxl_region, persistent, blocks {first, count, present,
 *                   online, offline, movable, normal} (null without the
 *                   physical range)
 *   memory_blocks   object: count, online, offline, online_movable,
 *                   online_normal
 *   blocks          (MHP_JSON_BLOCKS) array: block, phys_addr, state, zone,
 *                   valid_zones, node, removable
 * New keys may appear without a version change; a key's meaning or type
 * changes only with a new schema_version.
 */
#define MHP_LIST_SCHEMA_VERSION 1
MHP_EXPORT int mhp_list_to_json(struct mhp_ctx *ctx, unsigned int flags, char **json);

/*
 * The status document (schema_version MHP_STATUS_SCHEMA_VERSION): the live
 * state of each dax device of @target (as mhp_resolve_target() takes it),
 * compared with the plan applied to it. An array of objects, or the
 * object alone when @target names one dax device (daxX.Y, /dev/daxX.Y);
 * "all" on a machine without dax devices is an empty array. Each object: schema_version, device, driver, memmap_on_memory,
 * memmap_location (none|device|dram), blocks_present, blocks_online,
 * online_bytes, movable_bytes, normal_bytes, applied_plan (boolean),
 * planned_usable_bytes (with a plan), drift (array of {block, planned,
 * state, zone} for blocks not online in their planned zone), blocks
 * (MHP_JSON_BLOCKS: {block, state, zone, planned_zone}); or "error" when
 * the physical range cannot be read (it is root-only). Without the right
 * to read the state directory (not root) the live state is still there,
 * applied_plan and drift are null and "note" says that comparing with
 * the applied plan needs root.
 * Returns the number of devices that drifted from their plan (0 = none),
 * or a negative errno.
 */
#define MHP_STATUS_SCHEMA_VERSION 1
MHP_EXPORT int mhp_status_to_json(struct mhp_ctx *ctx, const char *target,
				  unsigned int flags, char **json);

/* ---- targets ---------------------------------------------------------- */

/*
 * The dax devices a command-line target names, in name order:
 *   all                 every dax device (none at all is not an error)
 *   daxX.Y, /dev/daxX.Y that device
 *   regionN             the dax devices of CXL region N
 *   dax_regionN         the dax devices of dax region N (daxX.*), whatever
 *                       created it: CXL, hmem or an nvdimm namespace
 * On success *devs is a malloc'ed array of *count devices owned by @ctx
 * (free() the array only). -ENODEV when nothing matches, with an error
 * that lists the devices and regions there are; -EINVAL for no target.
 */
MHP_EXPORT int mhp_resolve_target(struct mhp_ctx *ctx, const char *target,
				  struct mhp_dax_dev ***devs, size_t *count);
/*
 * A dax region as daxctl's -r takes it: its id ("0") or its name
 * ("dax_region0"). Same result conventions as mhp_resolve_target().
 */
MHP_EXPORT int mhp_resolve_dax_region(struct mhp_ctx *ctx, const char *region,
				      struct mhp_dax_dev ***devs, size_t *count);

#ifdef __cplusplus
}
#endif
#endif
