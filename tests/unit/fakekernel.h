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
	bool agent_online_plain;	/* a udev-like agent onlines new blocks with "online" */
	int crash_after_online;		/* _exit() after this many onlines (0 = never) */
	int onlines;
	int writes;
	bool leaked;			/* kmem unbound with blocks online */
};

/* Read the device's current state from the tree and hook into @ctx. */
void fk_attach(struct fakekernel *fk, struct mhp_ctx *ctx);
/* Rewrite the tree from fk's state. */
void fk_sync(struct fakekernel *fk);

#endif
