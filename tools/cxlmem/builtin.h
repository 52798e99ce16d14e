/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _CXLMEM_BUILTIN_H_
#define _CXLMEM_BUILTIN_H_

#include <stdbool.h>
#include <mhp/libmhp.h>

/* Global options parsed by the dispatcher before the subcommand. */
struct cxlmem_global {
	bool human;		/* -u: readable table/sizes instead of JSON */
	int verbose;
};
extern struct cxlmem_global cxlmem_opts;

/*
 * Each subcommand: argv[0] is the command name; returns 0 on success,
 * 1 on failure, or a documented distinct code (e.g. partial success).
 */
int cmd_list(int argc, char **argv, struct mhp_ctx *ctx);
int cmd_plan(int argc, char **argv, struct mhp_ctx *ctx);
int cmd_online_region(int argc, char **argv, struct mhp_ctx *ctx);
int cmd_offline_region(int argc, char **argv, struct mhp_ctx *ctx);
int cmd_status(int argc, char **argv, struct mhp_ctx *ctx);
int cmd_recover(int argc, char **argv, struct mhp_ctx *ctx);
int cmd_reconfigure_device(int argc, char **argv, struct mhp_ctx *ctx);
int cmd_boot(int argc, char **argv, struct mhp_ctx *ctx);

struct json_object;
struct mhp_plan;
/* Apply @plan (cmd-online.c); appends a result object to @out. 0 = ok. */
int cxlmem_apply_one(struct mhp_ctx *ctx, const char *cmd, struct mhp_plan *plan,
		     unsigned int flags, struct json_object *out);

#endif
