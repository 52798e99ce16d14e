// SPDX-License-Identifier: LGPL-2.1-or-later
/* sysfs and procfs access, all relative to the context's sysroot. */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "ctx.h"

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

bool mhp_exists(struct mhp_ctx *ctx, const char *fmt, ...)
{
	char path[MHP_PATH_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vpath(ctx, path, sizeof(path), fmt, ap);
	va_end(ap);
	return rc == 0 && access(path, F_OK) == 0;
}

static int read_path(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
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
	rc = read_path(path, buf, len);
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

int mhp_read_u64(struct mhp_ctx *ctx, uint64_t *val, bool hex, const char *fmt, ...)
{
	char path[MHP_PATH_MAX], buf[64];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vread_attr(ctx, buf, sizeof(buf), path, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return mhp_fail(ctx, rc, "cannot read %s: %s", path, strerror(-rc));
	rc = parse_u64(buf, hex, val);
	if (rc < 0)
		return mhp_fail(ctx, rc, "%s: '%s' is not a valid %snumber", path,
				buf, hex ? "hexadecimal " : "");
	return 0;
}

int mhp_read_int(struct mhp_ctx *ctx, int *val, const char *fmt, ...)
{
	char path[MHP_PATH_MAX], buf[64], *end;
	va_list ap;
	long v;
	int rc;

	va_start(ap, fmt);
	rc = vread_attr(ctx, buf, sizeof(buf), path, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return mhp_fail(ctx, rc, "cannot read %s: %s", path, strerror(-rc));
	errno = 0;
	v = strtol(buf, &end, 0);
	if (end == buf || *end != '\0' || errno || v < INT_MIN || v > INT_MAX)
		return mhp_fail(ctx, -EINVAL, "%s: '%s' is not a valid integer",
				path, buf);
	*val = (int)v;
	return 0;
}

int mhp_write_attr(struct mhp_ctx *ctx, const char *val, const char *fmt, ...)
{
	char path[MHP_PATH_MAX];
	size_t len = strlen(val);
	va_list ap;
	ssize_t n;
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
	fd = open(path, O_WRONLY | O_CLOEXEC | (mhp_is_live(ctx) ? 0 : O_TRUNC));
	if (fd < 0) {
		rc = -errno;
		return mhp_fail(ctx, rc, "cannot open %s for writing: %s", path,
				strerror(-rc));
	}
	n = write(fd, val, len);
	rc = n < 0 ? -errno : 0;
	if (!rc && (size_t)n != len)
		rc = -EIO;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	dbg(ctx, "write '%s' > %s: %s\n", val, path, rc ? strerror(-rc) : "ok");
	if (rc < 0)
		return mhp_fail(ctx, rc, "writing '%s' to %s failed: %s", val, path,
				strerror(-rc));
	return 0;
}

char *mhp_read_file(struct mhp_ctx *ctx, const char *fmt, ...)
{
	char path[MHP_PATH_MAX];
	size_t cap = 4096, len = 0;
	char *buf, *tmp;
	va_list ap;
	ssize_t n;
	int fd, rc;

	va_start(ap, fmt);
	rc = vpath(ctx, path, sizeof(path), fmt, ap);
	va_end(ap);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			rc = errno;
			free(buf);
			close(fd);
			errno = rc;
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			tmp = realloc(buf, cap);
			if (!tmp)
				free(buf);
			buf = tmp;
		}
	}
	close(fd);
	if (!buf) {
		errno = ENOMEM;
		return NULL;
	}
	buf[len] = '\0';
	return buf;
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
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

int mhp_realpath(struct mhp_ctx *ctx, char *buf, size_t len, const char *fmt, ...)
{
	char path[MHP_PATH_MAX], *real;
	size_t root = strlen(ctx->sysroot);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vpath(ctx, path, sizeof(path), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	real = realpath(path, NULL);
	if (!real)
		return -errno;
	rc = 0;
	if (root && (strncmp(real, ctx->sysroot, root) != 0 ||
		     (real[root] != '/' && real[root] != '\0')))
		rc = -EXDEV;	/* link escapes the sysroot */
	else if (strlen(real + root) >= len)
		rc = -ENAMETOOLONG;
	else
		strcpy(buf, real + root);
	free(real);
	return rc;
}
