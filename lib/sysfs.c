// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sysfs and procfs access, all relative to the context's sysroot.
 *
 * Below a sysroot every open is confined to the tree: openat2() with
 * RESOLVE_IN_ROOT resolves ".." and absolute symlinks as if the sysroot
 * were "/", so a captured or generated tree can never make libmhp read or
 * write a file outside it. Every read is bounded and refuses anything but
 * a regular file (sysfs and procfs attributes are regular files; a FIFO
 * or a device node in a tree would block or never end).
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "private.h"
#include "ctx.h"

/*
 * Collapse "//", "." and ".." of an absolute path in place, never going
 * above "/": below a sysroot, "/../.." must name the sysroot itself.
 */
static void normalize(char *path)
{
	char *src = path, *dst = path;

	while (*src) {
		while (*src == '/')
			src++;
		if (!*src)
			break;
		if (src[0] == '.' && (src[1] == '/' || !src[1])) {
			src++;
			continue;
		}
		if (src[0] == '.' && src[1] == '.' && (src[2] == '/' || !src[2])) {
			src += 2;
			while (dst > path && *--dst != '/')
				;
			continue;
		}
		*dst++ = '/';
		while (*src && *src != '/')
			*dst++ = *src++;
	}
	if (dst == path)
		*dst++ = '/';
	*dst = '\0';
}

static int vpath(struct mhp_ctx *ctx, char *buf, size_t len, const char *fmt,
		 va_list ap)
{
	int n = snprintf(buf, len, "%s", ctx->sysroot);
	int m;

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	m = vsnprintf(buf + n, len - n, fmt, ap);
	if (m < 0 || (size_t)m >= len - n)
		return -ENAMETOOLONG;
	if (!mhp_is_live(ctx)) {
		/* below a sysroot every path is taken as absolute in the tree */
		if (buf[n] != '/') {
			if ((size_t)(n + m + 1) >= len)
				return -ENAMETOOLONG;
			memmove(buf + n + 1, buf + n, m + 1);
			buf[n] = '/';
		}
		normalize(buf + n);
	}
	return 0;
}

int mhp_path(struct mhp_ctx *ctx, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vpath(ctx, buf, len, fmt, ap);
	va_end(ap);
	return rc;
}

/* The path below the sysroot, for openat2() relative to the root. */
static const char *in_root(struct mhp_ctx *ctx, const char *path)
{
	return path + strlen(ctx->sysroot);
}

/*
 * Fallback where openat2() is missing (before Linux 5.6): resolve the
 * path first and refuse it unless it stays below the sysroot, then open
 * the canonical path without following a last symlink. A link swapped
 * between the two steps could still escape; openat2() has no such window.
 */
static bool below_root(struct mhp_ctx *ctx, const char *real)
{
	size_t root = strlen(ctx->sysroot);

	return strncmp(real, ctx->sysroot, root) == 0 &&
	       (real[root] == '/' || real[root] == '\0');
}

static int open_checked_realpath(struct mhp_ctx *ctx, const char *path, int flags,
				 mode_t mode)
{
	char parent[MHP_PATH_MAX], *slash, *real, full[2 * MHP_PATH_MAX];
	int fd;

	/* with O_NOFOLLOW the last component is the link itself */
	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if ((flags & O_NOFOLLOW) && slash && slash != parent) {
		*slash = '\0';
		real = realpath(parent, NULL);
		if (real)
			snprintf(full, sizeof(full), "%s/%s", real, slash + 1);
	} else {
		real = realpath(path, NULL);
		if (real)
			snprintf(full, sizeof(full), "%s", real);
	}
	if (!real)
		return -errno;
	fd = below_root(ctx, real) ? open(full, flags | O_NOFOLLOW, mode) : -1;
	if (fd < 0)
		fd = below_root(ctx, real) ? -errno : -EXDEV;
	free(real);
	return fd;
}

/*
 * openat2() with RESOLVE_IN_ROOT answers EAGAIN when a rename or a mount
 * anywhere on the system raced with its resolution of a "..", which sysfs
 * links are full of ("../../../devices/..."). Nothing is wrong with the
 * path: try again, as openat2(2) says, a bounded number of times.
 */
static int openat2_retrying(int rootfd, const char *path, struct open_how *how)
{
	int tries = 0, fd;

	do
		fd = (int)syscall(SYS_openat2, rootfd, path, how, sizeof(*how));
	while (fd < 0 && errno == EAGAIN && ++tries < 1000);
	return fd;
}

/* open(2) confined to the sysroot; a file descriptor or a negative errno. */
static int open_confined(struct mhp_ctx *ctx, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int rootfd, fd;

	if (mhp_is_live(ctx)) {
		fd = open(path, flags | O_CLOEXEC, mode);
		return fd < 0 ? -errno : fd;
	}
	rootfd = open(ctx->sysroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	fd = openat2_retrying(rootfd, in_root(ctx, path), &how);
	if (fd < 0 && errno == ENOSYS)
		fd = open_checked_realpath(ctx, path, flags | O_CLOEXEC, mode);
	else if (fd < 0)
		fd = -errno;
	close(rootfd);
	return fd;
}

int mhp_open_confined(struct mhp_ctx *ctx, const char *path, int flags, mode_t mode)
{
	return open_confined(ctx, path, flags, mode);
}

bool mhp_exists(struct mhp_ctx *ctx, const char *fmt, ...)
{
	char path[MHP_PATH_MAX];
	va_list ap;
	int rc, fd;

	va_start(ap, fmt);
	rc = vpath(ctx, path, sizeof(path), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return false;
	fd = open_confined(ctx, path, O_PATH, 0);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static const char *file_type_name(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

/*
 * A live /sys or /proc attribute: the kernel makes these regular files, so
 * the type check below is for trees and user files only. It would cost an
 * fstat for each of the hundred-odd attributes an online-region reads.
 */
static bool kernel_file(struct mhp_ctx *ctx, const char *path)
{
	return ctx && mhp_is_live(ctx) &&
	       (strncmp(path, "/sys/", 5) == 0 || strncmp(path, "/proc/", 6) == 0);
}

/*
 * Open @path for reading without blocking on a FIFO and check that it is
 * a regular file (or, with @allow_pipe, a pipe). On failure returns a
 * negative errno and leaves a reason in @why.
 */
static int open_for_read(struct mhp_ctx *ctx, const char *path, bool allow_pipe,
			 char *why, size_t whylen)
{
	struct stat st;
	int fd;

	fd = ctx ? open_confined(ctx, path, O_RDONLY | O_NONBLOCK, 0) :
		   open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && !ctx)
		fd = -errno;
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(-fd));
		return fd;
	}
	if (kernel_file(ctx, path))
		return fd;
	if (fstat(fd, &st) < 0) {
		int rc = -errno;

		snprintf(why, whylen, "%s", strerror(-rc));
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode) && !(allow_pipe && S_ISFIFO(st.st_mode))) {
		snprintf(why, whylen, "it is %s, not a regular file",
			 file_type_name(st.st_mode));
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	/*
	 * A pipe is read to its end, so it must block. O_NONBLOCK means
	 * nothing to a regular file (sysfs and proc included), so those keep
	 * it: two system calls less for each of the hundreds of attributes
	 * a command reads.
	 */
	if (S_ISFIFO(st.st_mode))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* Read all of @fd, at most @max bytes, into a NUL-terminated malloc'ed buffer. */
static ssize_t read_all(int fd, size_t max, char **out, char *why, size_t whylen)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *tmp;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (cap - len < 2) {
			if (cap > max) {
				free(buf);
				snprintf(why, whylen, "it is larger than %zu bytes", max);
				return -EFBIG;
			}
			cap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			tmp = realloc(buf, cap);
			if (!tmp) {
				free(buf);
				return -ENOMEM;
			}
			buf = tmp;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			snprintf(why, whylen, "%s", strerror(errno));
			free(buf);
			return n;
		}
		if (n == 0)
			break;
		len += n;
		if (len > max) {
			free(buf);
			snprintf(why, whylen, "it is larger than %zu bytes", max);
			return -EFBIG;
		}
	}
	buf[len] = '\0';
	*out = buf;
	return (ssize_t)len;
}

static int read_path(struct mhp_ctx *ctx, const char *path, char *buf, size_t len)
{
	char why[64];
	ssize_t n;
	int fd;

	fd = open_for_read(ctx, path, false, why, sizeof(why));
	if (fd < 0)
		return fd;
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	/* an attribute is text: a NUL inside means it is not one */
	if (strlen(buf) != (size_t)n)
		return -EINVAL;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (int)n;
}

static int vread_attr(struct mhp_ctx *ctx, char *buf, size_t len,
		      char *path, const char *fmt, va_list ap)
{
	int rc = vpath(ctx, path, MHP_PATH_MAX, fmt, ap);

	if (rc < 0)
		return rc;
	rc = read_path(ctx, path, buf, len);
	dbg(ctx, "%s: %s%s\n", path, rc < 0 ? "error " : "",
	    rc < 0 ? strerror(-rc) : buf);
	return rc;
}

int mhp_read_attr(struct mhp_ctx *ctx, char *buf, size_t len, const char *fmt, ...)
{
	char path[MHP_PATH_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vread_attr(ctx, buf, len, path, fmt, ap);
	va_end(ap);
	return rc;
}

static int parse_u64(const char *s, bool hex, uint64_t *val)
{
	unsigned long long v;
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, hex ? 16 : 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s || *end != '\0')
		return -EINVAL;
	*val = v;
	return 0;
}

static int parse_int(const char *s, int *val)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (end == s || *end != '\0' || errno || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*val = (int)v;
	return 0;
}

/*
 * Read @path as a number. An absent file is -ENOENT, recorded only when
 * the attribute is @required; everything else is recorded.
 */
static int read_number(struct mhp_ctx *ctx, bool required, bool is_int, bool hex,
		       void *val, const char *fmt, va_list ap)
{
	char path[MHP_PATH_MAX], buf[64];
	int rc;

	rc = vread_attr(ctx, buf, sizeof(buf), path, fmt, ap);
	if (rc == -ENOENT && !required)
		return rc;
	if (rc < 0)
		return mhp_fail(ctx, rc, "cannot read %s: %s", path, strerror(-rc));
	if (is_int) {
		rc = parse_int(buf, val);
		if (rc < 0)
			return mhp_fail(ctx, rc, "%s: '%s' is not a valid integer",
					path, buf);
		return 0;
	}
	rc = parse_u64(buf, hex, val);
	if (rc < 0)
		return mhp_fail(ctx, rc, "%s: '%s' is not a valid %snumber", path,
				buf, hex ? "hexadecimal " : "");
	return 0;
}

int mhp_read_u64(struct mhp_ctx *ctx, uint64_t *val, bool hex, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = read_number(ctx, true, false, hex, val, fmt, ap);
	va_end(ap);
	return rc;
}

int mhp_read_u64_opt(struct mhp_ctx *ctx, uint64_t *val, bool hex, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = read_number(ctx, false, false, hex, val, fmt, ap);
	va_end(ap);
	return rc;
}

int mhp_read_int(struct mhp_ctx *ctx, int *val, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = read_number(ctx, true, true, false, val, fmt, ap);
	va_end(ap);
	return rc;
}

int mhp_read_int_opt(struct mhp_ctx *ctx, int *val, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = read_number(ctx, false, true, false, val, fmt, ap);
	va_end(ap);
	return rc;
}

static int write_fd(int fd, const char *val, size_t len)
{
	ssize_t n;

	do
		n = write(fd, val, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int mhp_write_attr(struct mhp_ctx *ctx, const char *val, const char *fmt, ...)
{
	char path[MHP_PATH_MAX];
	size_t len = strlen(val);
	struct stat st;
	va_list ap;
	int fd, rc;

	va_start(ap, fmt);
	rc = vpath(ctx, path, sizeof(path), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return mhp_fail(ctx, rc, "path too long");
	if (ctx->write_hook && !mhp_is_live(ctx)) {
		rc = ctx->write_hook(ctx, path + strlen(ctx->sysroot), val,
				     ctx->write_hook_arg);
		if (rc < 0)
			return mhp_fail(ctx, rc, "writing '%s' to %s failed: %s", val,
					path, strerror(-rc));
		if (rc > 0)
			return 0;
	}
	/* O_TRUNC only matters for fixture trees; sysfs ignores it. */
	fd = open_confined(ctx, path, O_WRONLY |
			   (mhp_is_live(ctx) ? 0 : O_TRUNC | O_NONBLOCK), 0);
	if (fd < 0)
		return mhp_fail(ctx, fd, "cannot open %s for writing: %s", path,
				strerror(-fd));
	if (!mhp_is_live(ctx) && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		return mhp_fail(ctx, -EINVAL, "cannot write %s: below a sysroot "
				"only regular files are written", path);
	}
	rc = write_fd(fd, val, len);
	if (close(fd) < 0 && !rc)
		rc = -errno;
	dbg(ctx, "write '%s' > %s: %s\n", val, path, rc ? strerror(-rc) : "ok");
	if (rc < 0)
		return mhp_fail(ctx, rc, "writing '%s' to %s failed: %s", val, path,
				strerror(-rc));
	return 0;
}

static int vread_text(struct mhp_ctx *ctx, bool record, size_t max, char **out,
		      const char *fmt, va_list ap)
{
	char path[MHP_PATH_MAX], why[80];
	ssize_t n;
	int fd, rc;

	*out = NULL;
	rc = vpath(ctx, path, sizeof(path), fmt, ap);
	if (rc < 0)
		return record ? mhp_fail(ctx, rc, "path too long") : rc;
	fd = open_for_read(ctx, path, false, why, sizeof(why));
	if (fd == -ENOENT)
		return fd;	/* the caller knows whether absence is expected */
	if (fd < 0)
		return record ? mhp_fail(ctx, fd, "cannot read %s: %s", path, why) : fd;
	n = read_all(fd, max ? max : MHP_READ_MAX, out, why, sizeof(why));
	close(fd);
	if (n < 0 && record)
		return mhp_fail(ctx, (int)n, "cannot read %s: %s", path, why);
	return (int)n;
}

int mhp_read_text(struct mhp_ctx *ctx, size_t max, char **out, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vread_text(ctx, true, max, out, fmt, ap);
	va_end(ap);
	return rc;
}

char *mhp_read_file(struct mhp_ctx *ctx, const char *fmt, ...)
{
	char *text;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vread_text(ctx, false, 0, &text, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	return text;
}

int mhp_read_user_file(struct mhp_ctx *ctx, const char *path, size_t max, char **out)
{
	char why[80];
	ssize_t n;
	int fd;

	*out = NULL;
	if (strcmp(path, "-") == 0) {
		fd = dup(STDIN_FILENO);
		if (fd < 0)
			return mhp_fail(ctx, -errno, "cannot read the standard input: %s",
					strerror(errno));
		path = "the standard input";
	} else {
		fd = open_for_read(NULL, path, true, why, sizeof(why));
		if (fd < 0)
			return mhp_fail(ctx, fd, "cannot read %s: %s", path, why);
	}
	n = read_all(fd, max, out, why, sizeof(why));
	close(fd);
	if (n < 0)
		return mhp_fail(ctx, (int)n, "cannot read %s: %s", path, why);
	return (int)n;
}

/*
 * The link's target, read with one readlink: directly on the live system,
 * through a confined O_PATH descriptor below a sysroot.
 */
static ssize_t read_link(struct mhp_ctx *ctx, const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (mhp_is_live(ctx)) {
		n = readlink(path, buf, len - 1);
		if (n < 0)
			return -errno;
	} else {
		fd = open_confined(ctx, path, O_PATH | O_NOFOLLOW, 0);
		if (fd < 0)
			return fd;
		n = readlinkat(fd, "", buf, len - 1);
		/* on an O_PATH descriptor of a non-link, readlinkat says ENOENT */
		if (n < 0)
			n = errno == ENOENT ? -EINVAL : -errno;
		close(fd);
		if (n < 0)
			return n;
	}
	if ((size_t)n >= len - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return n;
}

int mhp_read_link_name(struct mhp_ctx *ctx, char *buf, size_t len, const char *fmt, ...)
{
	char path[MHP_PATH_MAX], target[MHP_PATH_MAX];
	const char *base;
	va_list ap;
	ssize_t n;
	int rc;

	va_start(ap, fmt);
	rc = vpath(ctx, path, sizeof(path), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	n = read_link(ctx, path, target, sizeof(target));
	if (n < 0)
		return (int)n;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

/*
 * A device's directory from its link in a bus directory (fmt names
 * /sys/bus/X/devices/NAME), below the sysroot, without the sysroot prefix.
 * The bus directories and every directory under /sys/devices are real
 * kernfs directories, so the link's target joined to the link's own
 * directory is already canonical: one readlink where realpath(3) makes
 * one per component (nine for an hmem dax device, more for CXL). ".."
 * never leaves the sysroot, as with openat2's RESOLVE_IN_ROOT.
 */
int mhp_device_path(struct mhp_ctx *ctx, char *buf, size_t len, const char *fmt, ...)
{
	char path[MHP_PATH_MAX], target[MHP_PATH_MAX], joined[2 * MHP_PATH_MAX];
	size_t root = strlen(ctx->sysroot);
	char *slash;
	va_list ap;
	ssize_t n;
	int rc;

	va_start(ap, fmt);
	rc = vpath(ctx, path, sizeof(path), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	n = read_link(ctx, path, target, sizeof(target));
	if (n == -EINVAL) {
		/* not a link: the directory itself */
		snprintf(joined, sizeof(joined), "/%s", path + root);
	} else if (n < 0) {
		return (int)n;
	} else if (target[0] == '/') {
		snprintf(joined, sizeof(joined), "%s", target);
	} else {
		slash = strrchr(path + root, '/');
		if (slash)
			*slash = '\0';
		snprintf(joined, sizeof(joined), "/%s/%s", path + root, target);
	}
	normalize(joined);
	if (strlen(joined) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, joined);
	return 0;
}

/* ---- directories ---- */

static bool name_matches(const char *name, const char *prefix)
{
	size_t n;

	if (!prefix)
		return name[0] != '.';
	n = strlen(prefix);
	return strncmp(name, prefix, n) == 0 && name[n] >= '0' && name[n] <= '9';
}

static int vdir_foreach(struct mhp_ctx *ctx, const char *prefix, mhp_dir_fn fn,
			void *arg, const char *fmt, va_list ap)
{
	char path[MHP_PATH_MAX];
	struct dirent *de;
	size_t seen = 0;
	int fd, rc;
	DIR *dir;

	rc = vpath(ctx, path, sizeof(path), fmt, ap);
	if (rc < 0)
		return mhp_fail(ctx, rc, "path too long");
	fd = open_confined(ctx, path, O_RDONLY | O_DIRECTORY, 0);
	if (fd == -ENOENT || fd == -ENOTDIR)
		return -ENOENT;
	if (fd < 0)
		return mhp_fail(ctx, fd, "cannot list %s: %s", path, strerror(-fd));
	dir = fdopendir(fd);
	if (!dir) {
		rc = -errno;
		close(fd);
		return mhp_fail(ctx, rc, "cannot list %s: %s", path, strerror(-rc));
	}
	rc = 0;
	while (rc == 0 && (de = readdir(dir))) {
		if (++seen > MHP_DIR_MAX_ENTRIES) {
			rc = mhp_fail(ctx, -E2BIG, "%s has more than %u entries; "
				      "this is not a sysfs directory libmhp can use",
				      path, MHP_DIR_MAX_ENTRIES);
			break;
		}
		if (name_matches(de->d_name, prefix))
			rc = fn(ctx, de->d_name, arg);
	}
	closedir(dir);
	return rc;
}

int mhp_dir_foreach(struct mhp_ctx *ctx, const char *prefix, mhp_dir_fn fn,
		    void *arg, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vdir_foreach(ctx, prefix, fn, arg, fmt, ap);
	va_end(ap);
	return rc;
}

struct name_list {
	char **names;
	size_t nr, cap;
};

static int collect_name(struct mhp_ctx *ctx, const char *name, void *arg)
{
	struct name_list *l = arg;

	if (l->nr == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **n = realloc(l->names, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->names = n;
		l->cap = cap;
	}
	l->names[l->nr] = strdup(name);
	if (!l->names[l->nr])
		return -ENOMEM;
	l->nr++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

int mhp_dir_list(struct mhp_ctx *ctx, const char *prefix, char ***names, size_t *nr,
		 const char *fmt, ...)
{
	struct name_list l = { NULL, 0, 0 };
	va_list ap;
	int rc;

	*names = NULL;
	*nr = 0;
	va_start(ap, fmt);
	rc = vdir_foreach(ctx, prefix, collect_name, &l, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		mhp_dir_list_free(l.names, l.nr);
		return rc;
	}
	if (l.nr)
		qsort(l.names, l.nr, sizeof(*l.names), cmp_names);
	*names = l.names;
	*nr = l.nr;
	return 0;
}

void mhp_dir_list_free(char **names, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}
