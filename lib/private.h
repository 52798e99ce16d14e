/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal definitions shared by the libmhp source files. */
#ifndef _LIBMHP_PRIVATE_H_
#define _LIBMHP_PRIVATE_H_

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <syslog.h>

#include <mhp/libmhp.h>

#define SZ_1K	(1ULL << 10)
#define SZ_1M	(1ULL << 20)
#define SZ_1G	(1ULL << 30)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define ALIGN_UP(x, a)	((((x) + (a) - 1) / (a)) * (a))
#define ALIGN_DOWN(x, a)	(((x) / (a)) * (a))

/* ---- context, logging, errors (ctx.c) ---- */

void mhp_log(struct mhp_ctx *ctx, int priority, const char *file, int line,
	     const char *fn, const char *format, ...)
	__attribute__((format(printf, 6, 7)));

#define mhp_log_cond(ctx, prio, ...)					\
	do {								\
		if (mhp_get_log_priority(ctx) >= (prio))		\
			mhp_log(ctx, prio, __FILE__, __LINE__, __func__,	\
				__VA_ARGS__);				\
	} while (0)

#define dbg(ctx, ...)	mhp_log_cond(ctx, LOG_DEBUG, __VA_ARGS__)
#define info(ctx, ...)	mhp_log_cond(ctx, LOG_INFO, __VA_ARGS__)
#define err(ctx, ...)	mhp_log_cond(ctx, LOG_ERR, __VA_ARGS__)

/*
 * Record the last error (also logged at LOG_ERR) and return @rc, which
 * must be a negative errno:  return mhp_fail(ctx, -EINVAL, "...", ...);
 */
int mhp_fail(struct mhp_ctx *ctx, int rc, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
void mhp_clear_error(struct mhp_ctx *ctx);

/* ---- platform description (platform.c) ---- */

#define MHP_ARCH_MAX	16
#define MHP_RULES_MAX	16

/*
 * Everything the planner needs to know about a platform. Filled by the
 * live probe or by a model spec; the planner reads nothing else.
 */
struct mhp_platform_desc {
	char arch[MHP_ARCH_MAX];	/* x86_64, arm64, ppc64, riscv64 */
	char rules[MHP_RULES_MAX];	/* 6.1, 6.1-mhp, 6.6, 6.8 */
	uint64_t page_size;
	uint64_t block_size;
	uint64_t pageblock_size;
	uint64_t pmd_size;
	uint64_t struct_page_size;
	enum mhp_mmu mmu;
	enum mhp_memmap_mode memmap_mode;
	bool new_eligibility;	/* 6.6+ rules (V P-aligned, force, arch check) */
	bool has_force;		/* memmap_on_memory=force is accepted */
	bool splits_multi_block;	/* each block of a multi-block add hosts its memmap */
	bool kmem_memmap;	/* dax_kmem can add with memmap_on_memory */
	bool dax_memmap_knob;	/* per-device memmap_on_memory attribute */
	bool block_size_param;	/* memory_block_size= boot parameter */
	int auto_movable_ratio;	/* -1 unknown */
	int auto_movable_numa_aware;	/* -1 unknown */
	uint64_t kernel_bytes;	/* online memory in kernel zones, system-wide */
	uint64_t movable_bytes;	/* online memory in ZONE_MOVABLE, system-wide */
	bool online_policy_auto_movable;
	/* model mode only: the node the hypothetical range belongs to */
	int model_node;
	bool model_node_has_cpus;
	/* auto_online_blocks: "offline", "online", ...; "" when unknown */
	char auto_online_blocks[16];
};

/* Fill @d with the documented defaults for @arch/@rules (model mode). */
int mhp_platform_desc_defaults(struct mhp_platform_desc *d, const char *arch);
/*
 * Set @d from the rule-set name: "6.1", "6.1-mhp", "6.6", "6.8", or a
 * kernel version ("6.9", "6.12") that names the set it falls in.
 */
int mhp_platform_desc_set_rules(struct mhp_platform_desc *d, const char *rules);
/* Rule set of a kernel release "6.12.95+deb12-amd64"; NULL before 5.13. */
const char *mhp_rules_for_version(const char *version);
/* Parse a model spec "KEY=VAL,..." over the arch defaults (model.c). */
int mhp_platform_desc_parse_model(struct mhp_ctx *ctx, struct mhp_platform_desc *d,
				  const char *spec);
const struct mhp_platform_desc *mhp_platform_get_desc(const struct mhp_platform *p);

/* ---- sizes (size.c, also linked into cxlmem) ---- */

/* "4096", "0x1000", "128M", "1.5G", "2T" (binary units); -EINVAL/-ERANGE */
int mhp_parse_size(const char *s, uint64_t *out);
/* "128 MiB", "1.50 GiB" (exact), or "~780.63 GiB" when rounded */
const char *mhp_format_size(uint64_t bytes, char *buf, size_t len);

/* ---- planner (planner.c): pure, no I/O ---- */

/* The memory source as the planner sees it. */
struct mhp_plan_input {
	const char *target;	/* dax device name, NULL for a model */
	uint64_t start;
	uint64_t size;
	int node;		/* target node, -1 unknown */
	bool node_has_cpus;
	uint64_t node_mem_bytes;	/* memory already online on the node */
	bool persistent;
	int dax_knob;		/* -1 absent, else current value */
	int dram_node;		/* where a DRAM memmap would be allocated, -1 unknown */
	const char *region;	/* dax region (for hot-remove unit advice), or NULL */
	uint64_t node_kernel_bytes;	/* of node_mem_bytes, in kernel zones */
	uint64_t node_movable_bytes;	/* of node_mem_bytes, in ZONE_MOVABLE */
};

/* What the kernel does by itself with memory hot-added to a node. */
struct mhp_auto_online {
	bool onlines;		/* auto_online_blocks is not offline */
	enum mhp_zone zone;	/* where it would go; NONE when not onlined or unknown */
	char why[400];
};

/*
 * Predict the kernel's own onlining of @size bytes hot-added to @node
 * (-1: a CPU-less node with no memory yet, the usual CXL case) from
 * auto_online_blocks, online_policy, auto_movable_ratio and
 * auto_movable_numa_aware (planner.c, pure).
 */
void mhp_auto_online_predict(const struct mhp_platform_desc *d, int node,
			     uint64_t node_kernel_bytes, uint64_t node_movable_bytes,
			     uint64_t size, struct mhp_auto_online *out);

struct mhp_plan_block {
	uint64_t index;
	uint64_t phys_addr;
	enum mhp_zone zone;
	uint32_t memmap_pages;
	uint32_t reserved_pages;
	uint64_t usable_bytes;
};

#define MHP_PLAN_MAX_REASONS	16
#define MHP_PLAN_MAX_ADVICE	16

struct mhp_advice {
	char *kind;	/* kernel_cmdline, dax_knob, block_size, hotremove_unit, ... */
	char *text;
	char *action;	/* e.g. "memory_hotplug.memmap_on_memory=force", or NULL */
};

#define MHP_PLAN_MAX_STEPS	8

/* The live device when it was planned (plan-source.c); known = false otherwise. */
struct mhp_plan_current {
	bool known;
	enum mhp_dax_driver driver;
	int knob;			/* -1 absent */
	uint64_t online_blocks[MHP_ZONE_MOVABLE + 1];	/* by zone */
	uint64_t offline_blocks;
	int memmap_on_device;		/* 1 device, 0 DRAM, -1 unknown */
	char memmap_evidence[200];
	uint64_t used_bytes;		/* in use on the node, UINT64_MAX unknown */
	/* what converting to the plan takes (planner.c) */
	bool needs_convert;
	uint64_t offline_normal_bytes;	/* online in ZONE_NORMAL, may fail EBUSY */
	unsigned int nr_steps;
	char *steps[MHP_PLAN_MAX_STEPS];
};

/* MemUsed of @node in bytes from nodeN/meminfo, UINT64_MAX unknown (plan-source.c). */
uint64_t mhp_node_used_bytes(struct mhp_ctx *ctx, int node);

/* Record @cur in @plan and work out the conversion; -ENOMEM (planner.c). */
int mhp_plan_set_current(struct mhp_plan *plan, const struct mhp_plan_current *cur);

struct mhp_plan {
	int refcount;
	struct mhp_ctx *ctx;
	struct mhp_platform_desc platform;
	struct mhp_plan_input input;	/* target and region strings owned by the plan */
	struct mhp_plan_opts opts;	/* with defaults resolved */

	uint64_t raw_bytes;
	uint64_t usable_bytes;
	uint64_t memmap_bytes;
	bool memmap_on_device;
	uint64_t dram_overhead_bytes;
	uint64_t force_waste_bytes;
	uint64_t alignment_waste_bytes;
	uint64_t alignment_waste_head_bytes;
	uint64_t alignment_waste_tail_bytes;
	uint64_t movable_bytes;
	uint64_t normal_bytes;
	bool eligible;
	unsigned int nr_reasons;
	char *reasons[MHP_PLAN_MAX_REASONS];
	unsigned int nr_warnings;
	char *warnings[MHP_PLAN_MAX_REASONS];
	unsigned int nr_zone_notes;
	char *zone_notes[MHP_PLAN_MAX_REASONS];
	unsigned int nr_advice;
	struct mhp_advice advice[MHP_PLAN_MAX_ADVICE];

	uint64_t nr_blocks;
	struct mhp_plan_block *blocks;
	bool nomem;		/* a text allocation failed while computing */
	struct mhp_auto_online auto_online;	/* the kernel's own onlining */
	struct mhp_plan_current current;	/* the live device beside the plan */
};

int mhp_plan_compute(struct mhp_ctx *ctx, const struct mhp_platform_desc *platform,
		     const struct mhp_plan_input *input,
		     const struct mhp_plan_opts *opts, struct mhp_plan **plan);
/* Where the memmap lives, e.g. "node-local (on the device)" (planner.c). */
const char *mhp_plan_memmap_node_text(const struct mhp_plan *plan, char *buf,
				      size_t len);


/* ---- sysfs/procfs access (sysfs.c): every path goes through here ---- */

#define MHP_PATH_MAX	512

/* sysroot + formatted path into @buf; -ENAMETOOLONG */
int mhp_path(struct mhp_ctx *ctx, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool mhp_exists(struct mhp_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Read a small attribute, trailing newline stripped. Returns the length
 * or a negative errno; does not record an error (attributes are often
 * optional), callers decide.
 */
int mhp_read_attr(struct mhp_ctx *ctx, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * Read and parse a number (base 0, or 16 for @hex). On failure records
 * "what failed" (path and content) and returns a negative errno.
 */
int mhp_read_u64(struct mhp_ctx *ctx, uint64_t *val, bool hex, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int mhp_read_int(struct mhp_ctx *ctx, int *val, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Write @val; records "writing 'val' to path: reason" on failure. */
int mhp_write_attr(struct mhp_ctx *ctx, const char *val, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Read a whole (small) file into a malloc'ed string; NULL + errno. */
char *mhp_read_file(struct mhp_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Last path component of the symlink @fmt points to, into @buf. */
int mhp_read_link_name(struct mhp_ctx *ctx, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * The directory a device link in a bus directory points to, below the
 * sysroot (sysroot prefix removed); one readlink (sysfs.c says why).
 */
int mhp_device_path(struct mhp_ctx *ctx, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Optional attributes: like mhp_read_u64()/mhp_read_int(), but an absent
 * file returns -ENOENT and records nothing (its absence is expected, e.g.
 * a knob older kernels lack). A present but unreadable or malformed file
 * is still an error.
 */
int mhp_read_u64_opt(struct mhp_ctx *ctx, uint64_t *val, bool hex, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int mhp_read_int_opt(struct mhp_ctx *ctx, int *val, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Largest file read whole from sysfs/procfs; /proc/zoneinfo of a
 * 1024-node machine is far below. */
#define MHP_READ_MAX	(1U << 20)
/*
 * Read a whole regular file (at most @max bytes, 0 = MHP_READ_MAX) into
 * a malloc'ed string. Returns the length, or -ENOENT when absent (not
 * recorded), or another negative errno recorded with its reason (not a
 * regular file, too large, unreadable). mhp_read_file() is the silent
 * form: NULL + errno, nothing recorded.
 */
int mhp_read_text(struct mhp_ctx *ctx, size_t max, char **out, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * A file the user named (not below the sysroot), "-" for stdin: a regular
 * file or a pipe, at most @max bytes. Errors are recorded.
 */
int mhp_read_user_file(struct mhp_ctx *ctx, const char *path, size_t max, char **out);
/*
 * open(2) of a path built by mhp_path(), confined to the sysroot
 * (RESOLVE_IN_ROOT); a file descriptor or a negative errno.
 */
int mhp_open_confined(struct mhp_ctx *ctx, const char *path, int flags, mode_t mode);

/*
 * Directory iteration: calls @fn for every entry of the directory @fmt
 * whose name is @prefix followed by a digit (every entry not starting
 * with '.' when @prefix is NULL), in readdir order. Stops at the first
 * non-zero return of @fn and returns it. An absent directory is -ENOENT,
 * not recorded; more than MHP_DIR_MAX_ENTRIES entries is -E2BIG, recorded.
 */
#define MHP_DIR_MAX_ENTRIES	(1U << 22)	/* 512 TiB of 128 MiB blocks */
typedef int (*mhp_dir_fn)(struct mhp_ctx *ctx, const char *name, void *arg);
int mhp_dir_foreach(struct mhp_ctx *ctx, const char *prefix, mhp_dir_fn fn,
		    void *arg, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The same entries, sorted by strverscmp(); free with mhp_dir_list_free(). */
int mhp_dir_list(struct mhp_ctx *ctx, const char *prefix, char ***names, size_t *nr,
		 const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void mhp_dir_list_free(char **names, size_t nr);

/* ---- helpers shared by the discovery files ---- */

/* Is @id in a kernel cpulist/nodelist such as "0-3,8"? */
bool mhp_list_contains(const char *list, int id);
/* Highest id in such a list, or -1 when empty. */
int mhp_list_max(const char *list);
/* Value of @name in a "name value" per-line file such as vmstat; 0 if found. */
int mhp_stat_value(const char *text, const char *name, unsigned long long *val);
/*
 * Node ids are below MAX_NUMNODES = 1 << CONFIG_NODES_SHIFT, at most
 * 1 << 10 on every architecture (see nodes.c); larger ids are refused.
 */
#define MHP_MAX_NUMNODES	1024
/*
 * Physical addresses libmhp accepts: below 2^52 (4 PiB), MAX_PHYSMEM_BITS
 * of x86_64 with 5-level paging and of arm64 with 52-bit PAs (ppc64 has
 * 51). A dax device or region beyond it is not real hardware: refused.
 */
#define MHP_PHYS_ADDR_BITS	52
#define MHP_PHYS_ADDR_LIMIT	(1ULL << MHP_PHYS_ADDR_BITS)
/* Sum managed memory of /proc/zoneinfo by zone class (nodes.c). */
int mhp_zoneinfo_totals(struct mhp_ctx *ctx, uint64_t *kernel_bytes,
			uint64_t *movable_bytes);
void mhp_nodes_free(struct mhp_ctx *ctx);
void mhp_blocks_free(struct mhp_ctx *ctx);
/* Blocks came or went: re-read cached blocks on next use, never free them. */
void mhp_blocks_invalidate(struct mhp_ctx *ctx);
/* Block @index read from sysfs now, once; -ENOENT (no error) if absent. */
int mhp_block_get_fresh(struct mhp_ctx *ctx, uint64_t index, struct mhp_block **out);
void mhp_cxl_free(struct mhp_ctx *ctx);
void mhp_dax_free(struct mhp_ctx *ctx);
/* Blocks [first, end) of @d after kmem's inward alignment; -ENXIO (dax.c). */
int mhp_dax_dev_block_range(const struct mhp_dax_dev *d, uint64_t block_size,
			    uint64_t *first, uint64_t *end);
/* Unbind a live dax device through libdaxctl; -EOPNOTSUPP below a sysroot (dax.c). */
int mhp_dax_dev_disable(struct mhp_dax_dev *d);
void mhp_platform_free_cached(struct mhp_ctx *ctx);
/*
 * The two platform facts that offlining and the block cache need, without
 * the whole probe (zoneinfo, agents, rule set) that only planning uses.
 */
int mhp_memory_block_size(struct mhp_ctx *ctx, uint64_t *block_size);
uint64_t mhp_page_size(struct mhp_ctx *ctx);

/* ---- lock and journal (journal.c) ---- */

/*
 * One run at a time: an OFD lock (fcntl) on <state>/lock holding the owner's pid.
 * -EBUSY (with the holder's pid in the error) when another run holds it.
 */
int mhp_lock(struct mhp_ctx *ctx, int *fd);
void mhp_unlock(struct mhp_ctx *ctx, int fd);

/* A block as the run found it. */
struct mhp_journal_block {
	enum mhp_block_state state;
	enum mhp_zone zone;
	bool recorded;
};

/* What an interrupted (or running) apply recorded. */
struct mhp_journal_state {
	char device[32];
	char op[16];
	int pid;
	char prev_driver[32];		/* "" when unbound */
	int prev_knob;			/* -1 absent */
	char prev_auto_online[32];	/* "" if untouched */
	bool knob_set;
	bool auto_online_set;
	bool unbound;
	bool bound_kmem;
	uint64_t *onlined;		/* blocks we (started to) online */
	size_t nr_onlined;
	bool done;
	bool unbound_kmem;		/* conversion: kmem was unbound */
	uint64_t first, end;		/* the device's blocks [first, end) */
	struct mhp_journal_block *prev_blocks;	/* end - first, as found */
	bool prev_complete;		/* every prev-block record is there */
	char boot_id[40];		/* "" in journals without one; "unknown" */
};

struct mhp_journal;
/* Create the journal; -EEXIST when one is pending already. */
int mhp_journal_begin(struct mhp_ctx *ctx, const char *device, const char *op,
		      struct mhp_journal **j);
/* Append one record, before the step it announces. */
int mhp_journal_log(struct mhp_journal *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Make the records so far durable (once, before the first change). */
int mhp_journal_sync(struct mhp_journal *j);
/* Step done: remove the journal. */
void mhp_journal_end(struct mhp_journal *j);
/* Close it but keep the file, for mhp_recover(). */
void mhp_journal_close(struct mhp_journal *j);
/* Parse the pending journal; -ENOENT when there is none. */
int mhp_journal_read(struct mhp_ctx *ctx, struct mhp_journal_state *st);
void mhp_journal_state_free(struct mhp_journal_state *st);
int mhp_journal_remove(struct mhp_ctx *ctx);
/* This boot's /proc/sys/kernel/random/boot_id, or "unknown" without one. */
void mhp_journal_boot_id(struct mhp_ctx *ctx, char *buf, size_t len);
/* The device of a pending journal, or NULL; the caller holds the lock. */
const char *mhp_journal_device(struct mhp_ctx *ctx);
/* <state dir>/<name> below the sysroot */
int mhp_state_path(struct mhp_ctx *ctx, char *buf, size_t len, const char *name);

/* ---- the state directory (state.c) ---- */

/*
 * The state directory's fd, checked private (0700, owned by the euid, no
 * symlink on the way: -EPERM with the reason otherwise). -ENOENT when it
 * is absent and !@create, -EACCES when the caller may not read it.
 */
int mhp_state_open(struct mhp_ctx *ctx, bool create);
/* Create a state file 0600 without following links (@excl: O_EXCL). */
int mhp_state_create(struct mhp_ctx *ctx, const char *name, bool excl);
/* Whole state file (bounded) or NULL + errno. */
char *mhp_state_read(struct mhp_ctx *ctx, const char *name);
/* Remove a state file; absent is fine. */
int mhp_state_unlink(struct mhp_ctx *ctx, const char *name);
/* 1 when another process holds the run lock, 0 when not, or -errno. */
int mhp_lock_held_by_other(struct mhp_ctx *ctx);
/* Plans in the state directory: written to a temp file, synced, renamed. */
int mhp_state_save_plan(struct mhp_ctx *ctx, const struct mhp_plan *plan,
			const char *name);
int mhp_state_load_plan(struct mhp_ctx *ctx, const char *name, struct mhp_plan **plan);
/* The run's journal-plan.json becomes applied-<device>.json. */
int mhp_state_keep_applied(struct mhp_ctx *ctx, const char *device);
int mhp_state_forget_applied(struct mhp_ctx *ctx, const char *device);

/* ---- auto-online agents (agents.c) ---- */

#define MHP_MAX_AGENTS	8
#define MHP_AGENT_TEXT_MAX	320
struct mhp_agents {
	unsigned int nr;
	char what[MHP_MAX_AGENTS][MHP_AGENT_TEXT_MAX];	/* agents that race us */
	bool kernel_auto_online;	/* auto_online_blocks != offline */
	char auto_online[32];		/* its value, "" when absent */
	/* installed but unable to online anything (e.g. 'daxctl -C') */
	unsigned int nr_inert;
	char inert[MHP_MAX_AGENTS][MHP_AGENT_TEXT_MAX];
};
/* Find everything that may online memory blocks behind our back. */
void mhp_agents_detect(struct mhp_ctx *ctx, struct mhp_agents *a);

/* ---- targets (targets.c) ---- */

/* Does @target name one dax device (daxX.Y or /dev/daxX.Y)? */
bool mhp_target_is_dax_dev(const char *target);

#endif
