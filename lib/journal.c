// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The step journal: an append-only text file, one record per line, each
 * written before the step it announces (see mhp_journal_sync()):
 *   mhp-journal 1 / pid N / boot-id UUID / device daxX.Y / op online
 *   prev-driver device_dax / prev-knob 0 / prev-auto-online online
 *   auto-online offline / knob 1 / unbind device_dax / bind kmem
 *   range 32 40 / prev-block 32 online movable ... / prev-end
 *   auto-online offline / offline 39 ... / unbind kmem / knob 1 /
 *   unbind device_dax / bind kmem / online 32 movable ... / done
 * The prev-* records describe the device as found, before any change,
 * so a rollback can put every block back in its state and zone.
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

/*
 * The boot a journal belongs to: after a reboot none of the sysfs state
 * it records exists any more. A sysroot without the file (a fixture
 * tree) has no boot to tell apart: "unknown", and the check is skipped.
 */
void mhp_journal_boot_id(struct mhp_ctx *ctx, char *buf, size_t len)
{
	char *id = mhp_read_file(ctx, "/proc/sys/kernel/random/boot_id");
	size_t n = id ? strcspn(id, " \t\n") : 0;

	if (n == 0 || n >= len || n > 39)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%.*s", (int)n, id);
	free(id);
}

int mhp_journal_begin(struct mhp_ctx *ctx, const char *device, const char *op,
		      struct mhp_journal **out)
{
	char path[MHP_PATH_MAX], boot_id[40];
	struct mhp_journal *j;
	int fd, rc;

	mhp_state_path(ctx, path, sizeof(path), "journal");
	fd = mhp_state_create(ctx, "journal", true);
	if (fd < 0) {
		rc = fd;
		if (rc == -EPERM)
			return rc;	/* an unsafe state directory, already said why */
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
		mhp_state_unlink(ctx, "journal");
		return -ENOMEM;
	}
	j->ctx = ctx;
	j->fd = fd;
	mhp_journal_boot_id(ctx, boot_id, sizeof(boot_id));
	rc = mhp_journal_log(j, "mhp-journal 1\npid %d\nboot-id %s\ndevice %s\nop %s",
			     (int)getpid(), boot_id, device, op);
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
	if (write(j->fd, line, (size_t)n) != n)
		return mhp_fail(j->ctx, -EIO, "cannot write the journal: %s",
				strerror(errno));
	return 0;
}

/*
 * Why one sync, not one per record: a record must exist before the sysfs
 * change it announces for every failure that leaves that change behind.
 * A process that dies (SIGKILL, crash) leaves both the change and the
 * record, since write() has put it in the page cache before the change
 * is made. A power loss or kernel crash loses every sysfs change too:
 * after the reboot nothing this run did survives, so later records
 * being lost costs nothing. What must survive is a complete picture of
 * the device as found, because rollback restores that and compares it
 * with the live state instead of trusting per-step records; it is
 * synced once, before the first change. (On the default /run, a tmpfs,
 * fdatasync is free anyway; on a disk it cost ~20 ms per block.)
 */
int mhp_journal_sync(struct mhp_journal *j)
{
	if (fdatasync(j->fd) < 0)
		return mhp_fail(j->ctx, -EIO, "cannot sync the journal: %s", strerror(errno));
	return 0;
}

void mhp_journal_close(struct mhp_journal *j)
{
	if (!j)
		return;
	close(j->fd);
	free(j);
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
	mhp_state_unlink(ctx, "journal-plan.json");
	return mhp_state_unlink(ctx, "journal");
}

static int parse_prev_block(struct mhp_journal_state *st, const char *line)
{
	unsigned long long idx;
	char state[16], zone[16];
	struct mhp_journal_block *b;

	if (sscanf(line, "prev-block %llu %15s %15s", &idx, state, zone) != 3)
		return -EINVAL;
	if (st->end <= st->first || idx < st->first || idx >= st->end)
		return -ERANGE;
	b = &st->prev_blocks[idx - st->first];
	if (strcmp(state, "online") == 0)
		b->state = MHP_BLOCK_ONLINE;
	else if (strcmp(state, "offline") == 0)
		b->state = MHP_BLOCK_OFFLINE;
	else
		return -EINVAL;
	if (strcmp(zone, "movable") == 0)
		b->zone = MHP_ZONE_MOVABLE;
	else if (strcmp(zone, "normal") == 0)
		b->zone = MHP_ZONE_NORMAL;
	else if (strcmp(zone, "none") == 0 && b->state == MHP_BLOCK_OFFLINE)
		b->zone = MHP_ZONE_NONE;
	else
		return -EINVAL;
	b->recorded = true;
	return 0;
}

/* A device has at most this many blocks in a journal: 64 TiB of 128 MiB. */
#define JOURNAL_MAX_BLOCKS	(1u << 19)

static int parse_range(struct mhp_journal_state *st, const char *line)
{
	unsigned long long first, end;

	if (sscanf(line, "range %llu %llu", &first, &end) != 2)
		return -EINVAL;
	if (end <= first || end - first > JOURNAL_MAX_BLOCKS || st->prev_blocks)
		return -ERANGE;
	st->prev_blocks = calloc(end - first, sizeof(*st->prev_blocks));
	if (!st->prev_blocks)
		return -ENOMEM;
	st->first = first;
	st->end = end;
	return 0;
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
	text = mhp_state_read(ctx, "journal");
	if (!text && errno == EINVAL)
		return mhp_fail(ctx, -EINVAL,
				"%s is not a regular file, so not a libmhp journal; remove it", path);
	if (!text)
		return errno == ENOENT || errno == EACCES ? -errno :
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
		    sscanf(line, "boot-id %39s", st->boot_id) == 1 ||
		    sscanf(line, "device %31s", st->device) == 1 ||
		    sscanf(line, "op %15s", st->op) == 1 ||
		    sscanf(line, "prev-driver %31s", st->prev_driver) == 1 ||
		    sscanf(line, "prev-knob %d", &st->prev_knob) == 1 ||
		    sscanf(line, "prev-auto-online %31s", st->prev_auto_online) == 1)
			continue;
		if (strncmp(line, "range ", 6) == 0)
			rc = parse_range(st, line);
		else if (strncmp(line, "prev-block ", 11) == 0)
			rc = parse_prev_block(st, line);
		else if (strcmp(line, "prev-end") == 0)
			st->prev_complete = true;
		else if (sscanf(line, "auto-online %31s", word) == 1)
			st->auto_online_set = true;
		else if (sscanf(line, "knob %31s", word) == 1)
			st->knob_set = true;
		else if (strcmp(line, "unbind device_dax") == 0)
			st->unbound = true;
		else if (strcmp(line, "bind kmem") == 0)
			st->bound_kmem = true;
		else if (strcmp(line, "unbind kmem") == 0)
			st->unbound_kmem = true;
		else if (sscanf(line, "online %llu", &idx) == 1)
			rc = add_onlined(st, idx);
		else if (strcmp(line, "done") == 0)
			st->done = true;
	}
	free(text);
	if (strcmp(st->prev_driver, "none") == 0)
		st->prev_driver[0] = '\0';
	if (strcmp(st->prev_auto_online, "none") == 0)
		st->prev_auto_online[0] = '\0';
	if (rc < 0) {
		mhp_journal_state_free(st);
		return mhp_fail(ctx, rc, "the journal %s is corrupt (%s); move it away and check the device by hand",
				path, strerror(-rc));
	}
	return 0;
}

void mhp_journal_state_free(struct mhp_journal_state *st)
{
	free(st->onlined);
	st->onlined = NULL;
	st->nr_onlined = 0;
	free(st->prev_blocks);
	st->prev_blocks = NULL;
}

const char *mhp_journal_device(struct mhp_ctx *ctx)
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

MHP_EXPORT const char *mhp_journal_pending(struct mhp_ctx *ctx)
{
	/* a journal under a held lock is a run in progress, not an interrupted one */
	if (mhp_lock_held_by_other(ctx) != 0)
		return NULL;
	return mhp_journal_device(ctx);
}
