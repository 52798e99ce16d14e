/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _CXLMEM_BUILTIN_H_
#define _CXLMEM_BUILTIN_H_

#include <stdbool.h>
#include <stdint.h>
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
int cmd_export(int argc, char **argv, struct mhp_ctx *ctx);

/* Warn on stderr when an interrupted run left a journal (cxlmem recover). */
void cxlmem_warn_pending(struct mhp_ctx *ctx);

/*
 * Resolve TARGET with mhp_resolve_target(); on failure print why as
 * "@cmd: ..." and return a negative errno. free() *devs.
 */
int cxlmem_resolve(struct mhp_ctx *ctx, const char *cmd, const char *target,
		   struct mhp_dax_dev ***devs, size_t *n);

/*
 * Numeric options (options.c). Each prints "@cmd: @opt 'VALUE' is ...:
 * give ..." and returns -EINVAL for a sign, garbage, overflow or a value
 * outside [min, max].
 */
#define CXLMEM_RATIO_MAX	100000	/* percent MOVABLE:KERNEL */
int cxlmem_parse_number(const char *cmd, const char *opt, const char *s,
			uint64_t min, uint64_t max, uint64_t *out);
int cxlmem_parse_u32(const char *cmd, const char *opt, const char *s,
		     uint32_t min, uint32_t max, uint32_t *out);
/* Seconds, with up to three decimals, into milliseconds (at least 1). */
int cxlmem_parse_seconds(const char *cmd, const char *opt, const char *s,
			 unsigned int *ms);
/* A byte size or address as mhp_parse_size() reads it ("512G", "0x1000"). */
int cxlmem_parse_size(const char *cmd, const char *opt, const char *s,
		      bool allow_zero, uint64_t *out);

/*
 * Signals (signals.c): SIGINT/SIGTERM/SIGHUP call mhp_cancel(@ctx),
 * SIGPIPE is ignored. For commands that change the system.
 */
void cxlmem_catch_signals(struct mhp_ctx *ctx);
/* The signal that cancelled the run, or 0. */
int cxlmem_cancelled(void);
/* After a signal: the closing message, with what a cut short run leaves; 1 if one came. */
int cxlmem_report_cancel(const char *cmd, const char *aftermath);

struct json_object;
struct mhp_plan;
/* Apply @plan (cmd-online.c); appends a result object to @out. 0 = ok. */
int cxlmem_apply_one(struct mhp_ctx *ctx, const char *cmd, struct mhp_plan *plan,
		     unsigned int flags, struct json_object *out);

#endif
