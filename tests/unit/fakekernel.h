/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fake kernel behind a sysroot: libmhp's writes go through it and it
 * updates the tree the way dax/kmem and memory hotplug would, with error
 * injection. Synchronous, so tests are deterministic.
 */
#ifndef _TEST_FAKEKERNEL_H_
#define _TEST_FAKEKERNEL_H_

#include <stdbool.h>
#include <stdint.h>

#define FK_MAX_BLOCKS	64

struct mhp_ctx;

struct fakekernel {
	const char *root;
	const char *dev;		/* "dax0.0" */
	const char *devdir;		/* "/sys/devices/platform/hmem.0/dax0.0" */
	uint64_t first, nr;		/* blocks kmem creates */
	char driver[16];		/* "", device_dax, kmem */
	char auto_online[32];
	int knob;			/* -1 absent */
	bool present;
	char state[FK_MAX_BLOCKS][16];	/* online/offline */
	char zone[FK_MAX_BLOCKS][16];	/* Normal/Movable when online */
	int offline_fail[FK_MAX_BLOCKS];	/* EBUSY this many times; <0 forever */
	int online_fail[FK_MAX_BLOCKS];	/* <0: online always fails EINVAL-free (-EIO) */
	bool online_fail_movable;	/* online_fail refuses only online_movable */
	bool agent_online_plain;	/* a udev-like agent onlines new blocks with "online" */
	/*
	 * Another device's block (not 0) that the kernel hot-adds when kmem
	 * binds, onlined by auto_online_blocks as it is at that moment.
	 */
	uint64_t other_block;
	char other_state[16], other_zone[16];
	int crash_after_online;		/* _exit() after this many onlines (0 = never) */
	int onlines;
	int writes;
	bool leaked;			/* kmem unbound with blocks online */
	/*
	 * 6.3+: the device matches only kmem by default, so device_dax/bind
	 * answers ENODEV until device_dax/new_id has named it.
	 */
	bool kmem_default;
	bool device_dax_id;		/* device_dax/new_id named the device */
	/* pages the kernel migrates per offlined block (/proc/vmstat) */
	uint64_t migrate_pages;
	uint64_t pgmigrate_success;
	/* fail the fail_nth write (1-based) with -EIO; 0 = never */
	int fail_nth;
	/* fail writes whose path contains fail_path with fail_errno */
	const char *fail_path;
	int fail_errno;
};

/* Read the device's current state from the tree and hook into @ctx. */
void fk_attach(struct fakekernel *fk, struct mhp_ctx *ctx);
/* Rewrite the tree from fk's state. */
void fk_sync(struct fakekernel *fk);

/* Everything a rollback must restore, for comparing before and after. */
struct fk_snapshot {
	char driver[16];
	char auto_online[32];
	int knob;
	bool present;
	char state[FK_MAX_BLOCKS][16];
	char zone[FK_MAX_BLOCKS][16];
};
void fk_snapshot(const struct fakekernel *fk, struct fk_snapshot *snap);
/* Is the fake kernel exactly as in @snap (driver, knob, policy, blocks)? */
bool fk_same(const struct fakekernel *fk, const struct fk_snapshot *snap);

#endif
