// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The run lock and the step journal. The journal is an append-only text
 * file, one record per line, each made durable before the step it
 * announces:
 *   mhp-journal 1 / pid N / device daxX.Y / op online
 *   prev-driver device_dax / prev-knob 0 / prev-auto-online online
 *   auto-online offline / knob 1 / unbind device_dax / bind kmem
 *   online 32 movable ... / done
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "private.h"
#include "ctx.h"

struct mhp_journal {
	struct mhp_ctx *ctx;
	int fd;
};

MHP_EXPORT int mhp_set_state_dir(struct mhp_ctx *ctx, const char *dir)
{
	char *copy = dir ? strdup(dir) : NULL;

	if (dir && !copy)
		return -ENOMEM;
	free(ctx->state_dir);
	ctx->state_dir = copy;
	return 0;
}

MHP_EXPORT const char *mhp_get_state_dir(struct mhp_ctx *ctx)
{
	return ctx->state_dir ? ctx->state_dir : MHP_RUNDIR;
}

int mhp_state_path(struct mhp_ctx *ctx, char *buf, size_t len, const char *name)
{
	return mhp_path(ctx, buf, len, "%s/%s", mhp_get_state_dir(ctx), name);
}

static int make_state_dir(struct mhp_ctx *ctx)
{
	char path[MHP_PATH_MAX], *p;
	int rc = mhp_state_path(ctx, path, sizeof(path), "");

	if (rc < 0)
		return rc;
	/* mkdir -p: below a sysroot even /run may be missing */
	for (p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			break;
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return mhp_fail(ctx, -errno, "cannot create the state directory %s: %s",
				path, strerror(errno));
	return 0;
}

int mhp_lock(struct mhp_ctx *ctx, int *out)
{
	char path[MHP_PATH_MAX], pid[32];
	ssize_t n;
	int fd, rc;

	rc = make_state_dir(ctx);
	if (rc < 0)
		return rc;
	mhp_state_path(ctx, path, sizeof(path), "lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return mhp_fail(ctx, -errno, "cannot open the lock file %s: %s", path,
				strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = -errno;
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		close(fd);
		if (rc == -EWOULDBLOCK)
			return mhp_fail(ctx, -EBUSY,
					"another cxlmem/libmhp run (pid %s) holds %s; wait for it to finish",
					pid[0] ? pid : "unknown", path);
		return mhp_fail(ctx, rc, "cannot lock %s: %s", path, strerror(-rc));
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		dbg(ctx, "cannot record the pid in %s\n", path);
	*out = fd;
	return 0;
}

void mhp_unlock(int fd)
{
	if (fd >= 0) {
		/* best effort: the flock is what counts */
		(void)!ftruncate(fd, 0);
		close(fd);
	}
}

int mhp_journal_begin(struct mhp_ctx *ctx, const char *device, const char *op,
		      struct mhp_journal **out)
{
	char path[MHP_PATH_MAX];
	struct mhp_journal *j;
	int fd, rc;

	rc = make_state_dir(ctx);
	if (rc < 0)
		return rc;
	mhp_state_path(ctx, path, sizeof(path), "journal");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		if (rc == -EEXIST)
			return mhp_fail(ctx, rc,
					"an interrupted run left the journal %s; run 'cxlmem recover' first",
					path);
		return mhp_fail(ctx, rc, "cannot create the journal %s: %s", path,
				strerror(-rc));
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		close(fd);
		unlink(path);
		return -ENOMEM;
	}
	j->ctx = ctx;
	j->fd = fd;
	rc = mhp_journal_log(j, "mhp-journal 1\npid %d\ndevice %s\nop %s",
			     (int)getpid(), device, op);
	if (rc < 0) {
		mhp_journal_end(j);
		return rc;
	}
	*out = j;
	return 0;
}

int mhp_journal_log(struct mhp_journal *j, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line) - 1)
		return -EINVAL;
	line[n++] = '\n';
	if (write(j->fd, line, (size_t)n) != n || fdatasync(j->fd) < 0)
		return mhp_fail(j->ctx, -EIO, "cannot write the journal: %s",
				strerror(errno));
	return 0;
}

void mhp_journal_end(struct mhp_journal *j)
{
	if (!j)
		return;
	close(j->fd);
	mhp_journal_remove(j->ctx);
	free(j);
}

int mhp_journal_remove(struct mhp_ctx *ctx)
{
	char path[MHP_PATH_MAX];

	mhp_state_path(ctx, path, sizeof(path), "journal-plan.json");
	unlink(path);
	mhp_state_path(ctx, path, sizeof(path), "journal");
	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

static int add_onlined(struct mhp_journal_state *st, uint64_t idx)
{
	uint64_t *n = realloc(st->onlined, (st->nr_onlined + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	st->onlined = n;
	st->onlined[st->nr_onlined++] = idx;
	return 0;
}

int mhp_journal_read(struct mhp_ctx *ctx, struct mhp_journal_state *st)
{
	char path[MHP_PATH_MAX], *text, *line, *save;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	st->prev_knob = -1;
	mhp_state_path(ctx, path, sizeof(path), "journal");
	text = mhp_read_file(ctx, "%s/journal", mhp_get_state_dir(ctx));
	if (!text)
		return errno == ENOENT ? -ENOENT :
			mhp_fail(ctx, -errno, "cannot read the journal %s: %s", path,
				 strerror(errno));
	if (strncmp(text, "mhp-journal 1\n", 14) != 0) {
		free(text);
		return mhp_fail(ctx, -EINVAL,
				"%s is not a libmhp journal (version 1); move it away if it is stale",
				path);
	}
	for (line = strtok_r(text, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long idx;
		char word[32];

		if (sscanf(line, "pid %d", &st->pid) == 1 ||
		    sscanf(line, "device %31s", st->device) == 1 ||
		    sscanf(line, "op %15s", st->op) == 1 ||
		    sscanf(line, "prev-driver %31s", st->prev_driver) == 1 ||
		    sscanf(line, "prev-knob %d", &st->prev_knob) == 1 ||
		    sscanf(line, "prev-auto-online %31s", st->prev_auto_online) == 1)
			continue;
		if (sscanf(line, "auto-online %31s", word) == 1)
			st->auto_online_set = true;
		else if (sscanf(line, "knob %31s", word) == 1)
			st->knob_set = true;
		else if (strcmp(line, "unbind device_dax") == 0)
			st->unbound = true;
		else if (strcmp(line, "bind kmem") == 0)
			st->bound_kmem = true;
		else if (sscanf(line, "online %llu", &idx) == 1)
			rc = add_onlined(st, idx);
		else if (strcmp(line, "done") == 0)
			st->done = true;
	}
	free(text);
	if (strcmp(st->prev_driver, "none") == 0)
		st->prev_driver[0] = '\0';
	return rc;
}

void mhp_journal_state_free(struct mhp_journal_state *st)
{
	free(st->onlined);
	st->onlined = NULL;
	st->nr_onlined = 0;
}

MHP_EXPORT const char *mhp_journal_pending(struct mhp_ctx *ctx)
{
	struct mhp_journal_state st;

	if (mhp_journal_read(ctx, &st) < 0) {
		mhp_clear_error(ctx);
		return NULL;
	}
	snprintf(ctx->journal_device, sizeof(ctx->journal_device), "%s", st.device);
	mhp_journal_state_free(&st);
	return ctx->journal_device;
}
