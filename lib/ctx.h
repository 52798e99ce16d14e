/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The context structure and the object caches it owns. */
#ifndef _LIBMHP_CTX_H_
#define _LIBMHP_CTX_H_

#include <signal.h>

#include "private.h"

struct mhp_node;
struct mhp_block_cache;

struct mhp_ctx {
	int refcount;
	mhp_log_fn log_fn;
	int log_priority;
	void *userdata;
	char *sysroot;		/* "" for the live system */
	char *state_dir;	/* below the sysroot; NULL = MHP_RUNDIR */
	int state_fd;		/* the state directory while the run lock is held, else -1 */
	char journal_device[32];
	volatile sig_atomic_t cancel;	/* mhp_cancel(): stop the run */
	unsigned int lock_wait_ms;	/* mhp_set_lock_wait(): 0 refuses at once */
	struct mhp_apply_report report;	/* of the last mhp_apply() */
	char last_error[512];

	struct mhp_platform *platform;	/* probed once */
	uint64_t block_size;		/* block_size_bytes, 0 until read (platform.c) */
	struct mhp_node *nodes;		/* sorted list, NULL until scanned */
	bool nodes_scanned;
	char *zoneinfo;			/* /proc/zoneinfo until memory changes (nodes.c) */
	struct mhp_block_cache *blocks;
	struct mhp_cxl_memdev *memdevs;
	bool memdevs_scanned;
	struct mhp_cxl_region *regions;
	bool regions_scanned;
	struct mhp_dax_dev *dax_devs;
	bool dax_scanned;
	/*
	 * Tests only: sees every write below a sysroot first. Returns 1 when
	 * it handled the write, 0 to write the file, or a negative errno.
	 */
	int (*write_hook)(struct mhp_ctx *ctx, const char *path, const char *val,
			  void *arg);
	void *write_hook_arg;
	unsigned int retry_backoff_ms;	/* tests: first offline retry delay, 0 = 50 */
	struct cxl_ctx *cxl;
	struct daxctl_ctx *daxctl;
};

bool mhp_is_live(struct mhp_ctx *ctx);
bool mhp_ctx_discovered(struct mhp_ctx *ctx);
void mhp_ctx_free_objects(struct mhp_ctx *ctx);

#endif
