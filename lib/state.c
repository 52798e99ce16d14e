// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The state directory (default /run/mhp below the sysroot): the run lock,
 * the journal, the plan of the run in progress and the plans applied.
 *
 * Applied plans hold physical addresses and the journal decides what a
 * root process writes to sysfs, so the directory must be private to the
 * effective uid: a 0700 directory owned by it, reached without following
 * a symlink. Every file in it is opened relative to the directory's fd
 * with O_NOFOLLOW, temporary files with O_EXCL, so a planted link can
 * neither redirect nor truncate anything.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "private.h"
#include "ctx.h"

/* Nothing libmhp writes there is larger; bounds reading a planted file. */
#define STATE_FILE_MAX	(4u << 20)

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

/* One path component below @dirfd, never through a symlink. */
static int open_component(int dirfd, const char *name, bool create, mode_t mode)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(dirfd, name, mode) < 0 && errno != EEXIST)
			return -errno;
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

static int refuse_dir(struct mhp_ctx *ctx, const char *path, const char *why)
{
	return mhp_fail(ctx, -EPERM,
			"refusing the state directory %s: %s; it must be a directory of mode 0700 owned by uid %u, with no symlink on its path (remove it, or choose another with --state-dir)",
			path, why, (unsigned int)geteuid());
}

/*
 * Open the state directory, creating it (and missing parents below a
 * sysroot, where even /run may be absent) when @create. Returns the fd,
 * -ENOENT when it does not exist and !@create, -EACCES when the caller
 * may not read it (not root), -EPERM when it is unsafe.
 */
int mhp_state_open(struct mhp_ctx *ctx, bool create)
{
	char path[MHP_PATH_MAX], *comp, *save, *next;
	struct stat st;
	int fd, rc;

	/* under the run lock: the directory checked when it was taken */
	if (ctx->state_fd >= 0) {
		fd = fcntl(ctx->state_fd, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	rc = mhp_state_path(ctx, path, sizeof(path), "");
	if (rc < 0)
		return mhp_fail(ctx, rc, "the state directory path is too long");
	/* a relative --state-dir (no sysroot) is relative to the cwd, as before */
	fd = open(path[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	{
		char walk[MHP_PATH_MAX];

		snprintf(walk, sizeof(walk), "%s", path);
		for (comp = strtok_r(walk, "/", &save); comp; comp = next) {
			int sub;

			next = strtok_r(NULL, "/", &save);
			if (strcmp(comp, "..") == 0) {
				close(fd);
				return refuse_dir(ctx, path, "'..' in its path");
			}
			if (strcmp(comp, ".") == 0)
				continue;
			/* parents are shared (/run); only the last one is ours */
			sub = open_component(fd, comp, create, next ? 0755 : 0700);
			close(fd);
			if (sub == -ELOOP || sub == -ENOTDIR)
				return refuse_dir(ctx, path, "a component is a symlink or not a directory");
			if (sub == -ENOENT && !create)
				return -ENOENT;
			if (sub == -EACCES)
				return -EACCES;
			if (sub < 0)
				return mhp_fail(ctx, sub, "cannot open the state directory %s: %s",
						path, strerror(-sub));
			fd = sub;
		}
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 07777) != 0700) {
		char why[96];

		snprintf(why, sizeof(why), "it is owned by uid %u with mode %04o",
			 (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777));
		close(fd);
		return refuse_dir(ctx, path, why);
	}
	return fd;
}

/* A state file for writing: created 0600, never through a link. */
static int open_state_file(int dirfd, const char *name, int flags)
{
	struct stat st;
	int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/*
 * The run lock is an open file description (OFD) write lock on the whole
 * lock file (Linux 3.15+): owned by the open file like an flock, so it
 * is dropped when the holder exits, and, unlike flock, it can be tested
 * without being taken (F_OFD_GETLK), so probing for a run in progress
 * never makes a concurrent run fail to lock.
 */
static int ofd_lock(int fd, int cmd, struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = F_WRLCK;
	fl->l_whence = SEEK_SET;	/* l_start = l_len = 0: the whole file */
	if (fcntl(fd, cmd, fl) == 0)
		return 0;
	if (errno == EACCES)
		errno = EWOULDBLOCK;	/* POSIX allows either for a conflict */
	return -1;
}

/*
 * Take the lock on @fd, polling for up to ctx->lock_wait_ms while another
 * run holds it: units started together at boot queue instead of failing,
 * yet a hung holder cannot block them forever. mhp_cancel() ends the wait.
 * -1 with errno set (EWOULDBLOCK: held by another run).
 */
static int lock_with_wait(struct mhp_ctx *ctx, int fd)
{
	const struct timespec tick = { 0, 100 * 1000000L };
	unsigned int waited = 0;
	struct flock fl;

	while (ofd_lock(fd, F_OFD_SETLK, &fl) < 0) {
		if (errno != EWOULDBLOCK || waited >= ctx->lock_wait_ms || ctx->cancel)
			return -1;
		if (waited == 0)
			info(ctx, "waiting up to %u ms for the lock held by another run\n",
			     ctx->lock_wait_ms);
		nanosleep(&tick, NULL);
		waited += 100;
	}
	return 0;
}

int mhp_lock(struct mhp_ctx *ctx, int *out)
{
	char path[MHP_PATH_MAX], pid[32];
	int dirfd, fd, rc;
	ssize_t n;

	dirfd = mhp_state_open(ctx, true);
	if (dirfd < 0)
		return dirfd == -EACCES ?
			mhp_fail(ctx, -EACCES, "cannot open the state directory %s: permission denied",
				 mhp_get_state_dir(ctx)) : dirfd;
	mhp_state_path(ctx, path, sizeof(path), "lock");
	/* no O_TRUNC: the holder's pid stays readable until we own the lock */
	fd = open_state_file(dirfd, "lock", O_RDWR | O_CREAT);
	if (fd < 0) {
		close(dirfd);
		return mhp_fail(ctx, fd, "cannot open the lock file %s: %s%s", path,
				strerror(-fd), fd == -ELOOP ? " (it is a symlink; remove it)" : "");
	}
	if (lock_with_wait(ctx, fd) < 0) {
		rc = -errno;
		close(dirfd);
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		close(fd);
		if (rc == -EWOULDBLOCK)
			return mhp_fail(ctx, -EBUSY,
					"another cxlmem/libmhp run (pid %s) holds %s%s; wait for it to finish (cxlmem --wait SECONDS queues behind it)",
					pid[0] ? pid : "unknown", path,
					ctx->lock_wait_ms ? " and kept it past the wait" : "");
		return mhp_fail(ctx, rc, "cannot lock %s: %s", path, strerror(-rc));
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		dbg(ctx, "cannot record the pid in %s\n", path);
	/* kept while locked: state files are opened without walking the path again */
	ctx->state_fd = dirfd;
	*out = fd;
	return 0;
}

void mhp_unlock(struct mhp_ctx *ctx, int fd)
{
	if (fd >= 0) {
		/* best effort: the lock is what counts; close() drops it */
		(void)!ftruncate(fd, 0);
		close(fd);
		if (ctx->state_fd >= 0)
			close(ctx->state_fd);
		ctx->state_fd = -1;
	}
}

int mhp_lock_held_by_other(struct mhp_ctx *ctx)
{
	int dirfd = mhp_state_open(ctx, false), fd, held = 0;
	struct flock fl;

	if (dirfd < 0)
		return dirfd;
	fd = openat(dirfd, "lock", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dirfd);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* a test, not a lock: a run locking meanwhile is not disturbed */
	if (ofd_lock(fd, F_OFD_GETLK, &fl) < 0)
		held = -errno;
	else
		held = fl.l_type != F_UNLCK;
	close(fd);
	return held;
}

int mhp_state_create(struct mhp_ctx *ctx, const char *name, bool excl)
{
	int dirfd = mhp_state_open(ctx, true), fd;

	if (dirfd < 0)
		return dirfd;
	fd = open_state_file(dirfd, name, O_WRONLY | O_CREAT | O_APPEND |
			     (excl ? O_EXCL : O_TRUNC));
	close(dirfd);
	return fd;
}

char *mhp_state_read(struct mhp_ctx *ctx, const char *name)
{
	size_t cap = 4096, len = 0;
	int dirfd, fd, e;
	struct stat st;
	char *buf, *n;
	ssize_t r;

	dirfd = mhp_state_open(ctx, false);
	if (dirfd < 0) {
		errno = -dirfd;
		return NULL;
	}
	/* O_NONBLOCK: a FIFO planted under the name must not hang the caller */
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	e = errno;
	close(dirfd);
	if (fd < 0) {
		errno = e;
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;	/* not a file libmhp wrote */
		return NULL;
	}
	buf = malloc(cap);
	while (buf) {
		r = read(fd, buf + len, cap - len - 1);
		if (r <= 0) {
			if (r < 0) {
				e = errno;
				free(buf);
				buf = NULL;
			}
			break;
		}
		len += (size_t)r;
		if (len >= STATE_FILE_MAX) {
			free(buf);
			buf = NULL;
			e = EFBIG;
			break;
		}
		if (cap - len < 2) {
			cap *= 2;
			n = realloc(buf, cap);
			if (!n)
				free(buf);
			buf = n;
			e = ENOMEM;
		}
	}
	close(fd);
	if (!buf) {
		errno = e;
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static int state_op(struct mhp_ctx *ctx, const char *from, const char *to)
{
	int dirfd = mhp_state_open(ctx, false), rc;

	if (dirfd < 0)
		return dirfd;
	rc = to ? renameat(dirfd, from, dirfd, to) : unlinkat(dirfd, from, 0);
	rc = rc < 0 ? -errno : 0;
	close(dirfd);
	return rc;
}

int mhp_state_unlink(struct mhp_ctx *ctx, const char *name)
{
	int rc = state_op(ctx, name, NULL);

	return rc == -ENOENT ? 0 : rc;
}

/* ---- saved plans ---- */

static void applied_name(char *buf, size_t len, const char *device)
{
	snprintf(buf, len, "applied-%s.json", device);
}

int mhp_state_save_plan(struct mhp_ctx *ctx, const struct mhp_plan *plan, const char *name)
{
	char tmp[80], path[MHP_PATH_MAX], *json;
	size_t len, off = 0;
	int fd, rc;

	mhp_state_path(ctx, path, sizeof(path), name);
	rc = mhp_plan_to_json(plan, MHP_JSON_BLOCKS, &json);
	if (rc < 0)
		return mhp_fail(ctx, rc, "cannot serialise the plan for %s", path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	/* a crash may have left one behind: ours, in our private directory */
	mhp_state_unlink(ctx, tmp);
	fd = mhp_state_create(ctx, tmp, true);
	rc = fd < 0 ? fd : 0;
	len = strlen(json);
	while (rc == 0 && off < len) {
		ssize_t n = write(fd, json + off, len - off);

		if (n < 0)
			rc = -errno;
		off += n > 0 ? (size_t)n : 0;
	}
	if (fd >= 0) {
		if (rc == 0 && fdatasync(fd) < 0)
			rc = -errno;
		close(fd);
	}
	free(json);
	if (rc == 0)
		rc = state_op(ctx, tmp, name);
	if (rc < 0) {
		mhp_state_unlink(ctx, tmp);
		return mhp_fail(ctx, rc, "cannot save the plan to %s: %s", path, strerror(-rc));
	}
	return 0;
}

int mhp_state_load_plan(struct mhp_ctx *ctx, const char *name, struct mhp_plan **plan)
{
	char *json = mhp_state_read(ctx, name);
	int rc;

	if (!json)
		return -errno;
	rc = mhp_plan_from_json(ctx, json, plan);
	free(json);
	return rc;
}

int mhp_state_keep_applied(struct mhp_ctx *ctx, const char *device)
{
	char applied[64];

	applied_name(applied, sizeof(applied), device);
	return state_op(ctx, "journal-plan.json", applied);
}

int mhp_state_forget_applied(struct mhp_ctx *ctx, const char *device)
{
	char applied[64];

	applied_name(applied, sizeof(applied), device);
	return mhp_state_unlink(ctx, applied);
}

MHP_EXPORT int mhp_get_applied_plan(struct mhp_ctx *ctx, const char *device,
				    struct mhp_plan **plan)
{
	char name[64];

	applied_name(name, sizeof(name), device);
	return mhp_state_load_plan(ctx, name, plan);
}
