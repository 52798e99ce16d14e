// SPDX-License-Identifier: LGPL-2.1-or-later
/* Library context: refcount, logging, sysroot, last error. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "ctx.h"

static void log_stderr(struct mhp_ctx *ctx, int priority, const char *file,
		       int line, const char *fn, const char *format, va_list args)
{
	fprintf(stderr, "libmhp: %s: ", fn);
	vfprintf(stderr, format, args);
}

static int log_priority(const char *s)
{
	char *end;
	long prio = strtol(s, &end, 10);

	if (end != s && (*end == '\0' || isspace((unsigned char)*end)))
		return (int)prio;
	if (strncmp(s, "err", 3) == 0)
		return LOG_ERR;
	if (strncmp(s, "warn", 4) == 0)
		return LOG_WARNING;
	if (strncmp(s, "info", 4) == 0)
		return LOG_INFO;
	if (strncmp(s, "debug", 5) == 0)
		return LOG_DEBUG;
	return LOG_ERR;
}

MHP_EXPORT int mhp_new(struct mhp_ctx **out)
{
	struct mhp_ctx *ctx;
	const char *env;
	int rc;

	if (!out)
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->refcount = 1;
	ctx->state_fd = -1;
	ctx->log_fn = log_stderr;
	ctx->log_priority = LOG_ERR;
	env = secure_getenv("MHP_LOG");
	if (env)
		ctx->log_priority = log_priority(env);
	env = secure_getenv("MHP_SYSROOT");
	rc = mhp_set_sysroot(ctx, env);
	if (rc < 0) {
		free(ctx);
		return rc;
	}
	info(ctx, "ctx %p created, sysroot '%s'\n", (void *)ctx, ctx->sysroot);
	*out = ctx;
	return 0;
}

MHP_EXPORT struct mhp_ctx *mhp_ref(struct mhp_ctx *ctx)
{
	if (ctx)
		ctx->refcount++;
	return ctx;
}

MHP_EXPORT struct mhp_ctx *mhp_unref(struct mhp_ctx *ctx)
{
	if (!ctx)
		return NULL;
	if (--ctx->refcount > 0)
		return ctx;
	info(ctx, "ctx %p released\n", (void *)ctx);
	mhp_ctx_free_objects(ctx);
	if (ctx->state_fd >= 0)
		close(ctx->state_fd);
	free(ctx->sysroot);
	free(ctx->state_dir);
	free(ctx);
	return NULL;
}

MHP_EXPORT void mhp_set_log_fn(struct mhp_ctx *ctx, mhp_log_fn log_fn)
{
	ctx->log_fn = log_fn ? log_fn : log_stderr;
}

MHP_EXPORT int mhp_get_log_priority(struct mhp_ctx *ctx)
{
	return ctx->log_priority;
}

MHP_EXPORT void mhp_set_log_priority(struct mhp_ctx *ctx, int priority)
{
	ctx->log_priority = priority;
}

MHP_EXPORT void mhp_set_userdata(struct mhp_ctx *ctx, void *userdata)
{
	ctx->userdata = userdata;
}

MHP_EXPORT void *mhp_get_userdata(struct mhp_ctx *ctx)
{
	return ctx->userdata;
}

static bool is_directory(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

MHP_EXPORT int mhp_set_sysroot(struct mhp_ctx *ctx, const char *dir)
{
	char *copy;
	size_t len;

	if (mhp_ctx_discovered(ctx))
		return mhp_fail(ctx, -EBUSY,
				"sysroot must be set before anything is discovered");
	/* an unset shell variable must not silently mean the live system */
	if (dir && !*dir)
		return mhp_fail(ctx, -EINVAL, "an empty sysroot is refused: give the "
				"directory of a captured tree, or \"/\" for the live system");
	if (!dir || strcmp(dir, "/") == 0) {
		copy = strdup("/");
	} else {
		/* canonical, so resolved links can be checked against it */
		copy = realpath(dir, NULL);
		if (!copy)
			return mhp_fail(ctx, -errno,
					"sysroot '%s' cannot be used: %s", dir,
					strerror(errno));
	}
	if (!copy)
		return -ENOMEM;
	if (!is_directory(copy)) {
		free(copy);
		return mhp_fail(ctx, -ENOTDIR, "sysroot '%s' is not a directory", dir);
	}
	/* "/" becomes "", so paths are simply sysroot + "/sys/..." */
	len = strlen(copy);
	while (len > 0 && copy[len - 1] == '/')
		copy[--len] = '\0';
	free(ctx->sysroot);
	ctx->sysroot = copy;
	return 0;
}

MHP_EXPORT const char *mhp_get_sysroot(struct mhp_ctx *ctx)
{
	return ctx->sysroot[0] ? ctx->sysroot : "/";
}

MHP_EXPORT void mhp_set_lock_wait(struct mhp_ctx *ctx, unsigned int ms)
{
	if (ctx)
		ctx->lock_wait_ms = ms;
}

MHP_EXPORT void mhp_cancel(struct mhp_ctx *ctx)
{
	/* async-signal-safe: one store to a volatile sig_atomic_t */
	if (ctx)
		ctx->cancel = 1;
}

bool mhp_is_live(struct mhp_ctx *ctx)
{
	return ctx->sysroot[0] == '\0';
}

MHP_EXPORT bool mhp_is_live_system(struct mhp_ctx *ctx)
{
	return mhp_is_live(ctx);
}

MHP_EXPORT const char *mhp_get_last_error(struct mhp_ctx *ctx)
{
	return ctx->last_error;
}

void mhp_clear_error(struct mhp_ctx *ctx)
{
	ctx->last_error[0] = '\0';
}

int mhp_fail(struct mhp_ctx *ctx, int rc, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vsnprintf(ctx->last_error, sizeof(ctx->last_error), format, ap);
	va_end(ap);
	err(ctx, "%s\n", ctx->last_error);
	return rc;
}

void mhp_log(struct mhp_ctx *ctx, int priority, const char *file, int line,
	     const char *fn, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	ctx->log_fn(ctx, priority, file, line, fn, format, args);
	va_end(args);
}

bool mhp_ctx_discovered(struct mhp_ctx *ctx)
{
	return ctx->platform || ctx->block_size || ctx->nodes_scanned || ctx->blocks ||
	       ctx->memdevs_scanned || ctx->regions_scanned || ctx->dax_scanned;
}

void mhp_ctx_free_objects(struct mhp_ctx *ctx)
{
	mhp_dax_free(ctx);
	mhp_cxl_free(ctx);
	mhp_blocks_free(ctx);
	mhp_nodes_free(ctx);
	mhp_platform_free_cached(ctx);
}
