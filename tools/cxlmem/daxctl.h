/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cxlmem-daxctl: daxctl 76.1's command line and JSON in front of libmhp.
 * daxctl.c holds the front end, the device and region JSON and `list`;
 * daxctl-device.c holds reconfigure-device, online-memory and
 * offline-memory.
 */
#ifndef _CXLMEM_DAXCTL_H_
#define _CXLMEM_DAXCTL_H_

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include <mhp/libmhp.h>

/* daxctl exits with its negative errno masked to 8 bits (-ENXIO: 250). */
#define DAXCTL_EXIT(rc)		((rc) & 0xff)
/* parse-options' usage exit. */
#define DAXCTL_EXIT_USAGE	129

/* JSON flags, as daxctl's UTIL_JSON_*. */
enum {
	DX_HUMAN = 1 << 0,	/* -u */
	DX_MAPPINGS = 1 << 1,	/* -M */
	DX_DEVS = 1 << 2,	/* region objects carry their devices */
	DX_IDLE = 1 << 3,	/* -i: devices of size 0 too */
};

/* One dax device, as the library's list document describes it. */
struct dx_dev {
	struct json_object *obj;	/* entry of dax_devices (borrowed) */
	const char *name;
	int region_id, dev_id;
	bool kmem;			/* mode system-ram */
	bool enabled;			/* some driver bound */
	bool has_blocks;		/* physical range known */
	int64_t present, online, movable, normal;
};

struct dx_ctx {
	struct mhp_ctx *ctx;
	struct json_object *list;	/* the list document */
	struct dx_dev *devs;
	size_t num_devs;
	unsigned int flags;
	bool verbose;
};

int dx_load(struct dx_ctx *dx);
void dx_unload(struct dx_ctx *dx);
/* daxctl's device filter: NULL/"all", "daxX.Y" or "X.Y". */
bool dx_dev_matches(const struct dx_dev *d, const char *ident);
/* A region filter: NULL/"all", "N", "regionN" (daxctl) or "dax_regionN". */
int dx_region_filter_id(struct dx_ctx *dx, const char *ident, int *id);
struct json_object *dx_dev_to_json(struct dx_ctx *dx, const struct dx_dev *d);
/* daxctl's output: an array, or with -u one object alone. */
void dx_print(struct json_object *arr, unsigned int flags);
int dx_cmd_list(struct dx_ctx *dx, int argc, char **argv);
int dx_cmd_reconfigure(struct dx_ctx *dx, int argc, char **argv);
int dx_cmd_online(struct dx_ctx *dx, int argc, char **argv);
int dx_cmd_offline(struct dx_ctx *dx, int argc, char **argv);

/* Entry from cxlmem's main() when argv[0] is cxlmem-daxctl. */
int cxlmem_daxctl_main(int argc, char **argv);
/* The same on @ctx, which the caller made (tests: a sysroot and a fake kernel). */
int cxlmem_daxctl_run(struct mhp_ctx *ctx, int argc, char **argv);

#endif
