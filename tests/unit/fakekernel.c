// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctx.h"
#include "fakekernel.h"
#include "sysroot.h"

static void block_path(char *buf, size_t len, uint64_t idx, const char *attr)
{
	snprintf(buf, len, "/sys/devices/system/memory/memory%llu%s%s",
		 (unsigned long long)idx, attr ? "/" : "", attr ? attr : "");
}

/* Rewrite an existing file in place; sr_file (mkdir -p) only when new. */
static void put(struct fakekernel *fk, const char *path, const char *val)
{
	char full[512];
	size_t len = strlen(val);
	int fd;

	snprintf(full, sizeof(full), "%s%s", fk->root, path);
	fd = open(full, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		sr_file(fk->root, path, "%s", val);
		return;
	}
	if (write(fd, val, len) != (ssize_t)len)
		abort();
	close(fd);
}

static void sync_block(struct fakekernel *fk, uint64_t i)
{
	char p[256], val[32];

	block_path(p, sizeof(p), fk->first + i, "state");
	snprintf(val, sizeof(val), "%s\n", fk->state[i]);
	put(fk, p, val);
	block_path(p, sizeof(p), fk->first + i, "valid_zones");
	snprintf(val, sizeof(val), "%s\n", strcmp(fk->state[i], "online") == 0 ?
		 fk->zone[i] : "Normal Movable");
	put(fk, p, val);
	block_path(p, sizeof(p), fk->first + i, "removable");
	put(fk, p, "1\n");
}

void fk_sync(struct fakekernel *fk)
{
	char p[256], target[256];
	uint64_t i;

	snprintf(p, sizeof(p), "%s/driver", fk->devdir);
	sr_rm(fk->root, p);
	if (fk->driver[0]) {
		snprintf(target, sizeof(target), "%s/sys/bus/dax/drivers/%s", fk->root, fk->driver);
		sr_link(fk->root, p, target);
	}
	snprintf(p, sizeof(p), "%s\n", fk->auto_online);
	put(fk, "/sys/devices/system/memory/auto_online_blocks", p);
	if (fk->migrate_pages)
		sr_file(fk->root, "/proc/vmstat", "pgmigrate_fail 0\npgmigrate_success %llu\n",
			(unsigned long long)fk->pgmigrate_success);
	if (fk->knob >= 0) {
		snprintf(p, sizeof(p), "%s/memmap_on_memory", fk->devdir);
		sr_file(fk->root, p, "%d\n", fk->knob);
	}
	for (i = 0; i < fk->nr; i++) {
		if (!fk->present) {
			static const char *const attrs[] = { "state", "valid_zones", "removable" };
			char dir[512];
			size_t a;

			for (a = 0; a < 3; a++) {
				block_path(p, sizeof(p), fk->first + i, attrs[a]);
				sr_rm(fk->root, p);
			}
			block_path(p, sizeof(p), fk->first + i, NULL);
			snprintf(dir, sizeof(dir), "%s%s", fk->root, p);
			rmdir(dir);
			continue;
		}
		sync_block(fk, i);
	}
}

static void set_online(struct fakekernel *fk, uint64_t i, const char *zone)
{
	snprintf(fk->state[i], sizeof(fk->state[i]), "online");
	snprintf(fk->zone[i], sizeof(fk->zone[i]), "%s", zone);
}

static void sync_other_block(struct fakekernel *fk)
{
	char p[256], val[32];
	bool online = strcmp(fk->other_state, "online") == 0;

	block_path(p, sizeof(p), fk->other_block, "state");
	snprintf(val, sizeof(val), "%s\n", fk->other_state);
	put(fk, p, val);
	block_path(p, sizeof(p), fk->other_block, "valid_zones");
	snprintf(val, sizeof(val), "%s\n", online ? fk->other_zone : "Normal Movable");
	put(fk, p, val);
}

/* Another device's memory arrives at the same time, under the same policy. */
static void add_other_block(struct fakekernel *fk)
{
	const char *zone = strcmp(fk->auto_online, "online_movable") == 0 ? "Movable" : "Normal";

	if (!fk->other_block || fk->other_state[0])
		return;
	snprintf(fk->other_state, sizeof(fk->other_state), "%s",
		 strcmp(fk->auto_online, "offline") == 0 ? "offline" : "online");
	snprintf(fk->other_zone, sizeof(fk->other_zone), "%s", zone);
	sync_other_block(fk);
}

static int other_block_write(struct fakekernel *fk, const char *val)
{
	if (strcmp(fk->other_state, "online") == 0 || strcmp(val, "offline") == 0)
		return -EINVAL;
	snprintf(fk->other_state, sizeof(fk->other_state), "online");
	snprintf(fk->other_zone, sizeof(fk->other_zone), "%s",
		 strcmp(val, "online_movable") == 0 ? "Movable" : "Normal");
	sync_other_block(fk);
	return 0;
}

static int kmem_probe(struct fakekernel *fk)
{
	uint64_t i;

	if (fk->driver[0])
		return -EBUSY;
	add_other_block(fk);
	snprintf(fk->driver, sizeof(fk->driver), "kmem");
	fk->present = true;
	for (i = 0; i < fk->nr; i++) {
		snprintf(fk->state[i], sizeof(fk->state[i]), "offline");
		if (strcmp(fk->auto_online, "online") == 0 ||
		    strcmp(fk->auto_online, "online_kernel") == 0)
			set_online(fk, i, "Normal");
		else if (strcmp(fk->auto_online, "online_movable") == 0)
			set_online(fk, i, "Movable");
		else if (fk->agent_online_plain)
			set_online(fk, i, "Normal");	/* udev won the race */
	}
	return 0;
}

static int block_write(struct fakekernel *fk, uint64_t i, const char *val)
{
	bool online = strcmp(fk->state[i], "online") == 0;

	if (strcmp(val, "offline") == 0) {
		if (!online)
			return -EINVAL;
		if (fk->offline_fail[i]) {
			if (fk->offline_fail[i] > 0)
				fk->offline_fail[i]--;
			return -EBUSY;
		}
		snprintf(fk->state[i], sizeof(fk->state[i]), "offline");
		fk->pgmigrate_success += fk->migrate_pages;
		return 0;
	}
	if (online)
		return -EINVAL;
	if (fk->online_fail[i] && (!fk->online_fail_movable || !strcmp(val, "online_movable")))
		return -EIO;
	if (strcmp(val, "online_movable") == 0)
		set_online(fk, i, "Movable");
	else if (strcmp(val, "online_kernel") == 0 || strcmp(val, "online") == 0)
		set_online(fk, i, "Normal");
	else
		return -EINVAL;
	fk->onlines++;
	return 0;
}

static int hook(struct mhp_ctx *ctx, const char *path, const char *val, void *arg)
{
	struct fakekernel *fk = arg;
	unsigned long long idx;
	char attr[32], knob[256], busknob[256];
	int rc = 0;

	fk->writes++;
	if (fk->fail_nth && fk->writes == fk->fail_nth)
		return -EIO;
	if (fk->fail_path && strstr(path, fk->fail_path))
		return fk->fail_errno ? -fk->fail_errno : -EIO;
	snprintf(knob, sizeof(knob), "%s/memmap_on_memory", fk->devdir);
	snprintf(busknob, sizeof(busknob), "/sys/bus/dax/devices/%s/memmap_on_memory", fk->dev);
	if (sscanf(path, "/sys/devices/system/memory/memory%llu/%31s", &idx, attr) == 2 &&
	    strcmp(attr, "state") == 0) {
		if (fk->other_block && idx == fk->other_block && fk->other_state[0])
			return other_block_write(fk, val);
		if (!fk->present || idx < fk->first || idx >= fk->first + fk->nr)
			return -ENOENT;
		rc = block_write(fk, idx - fk->first, val);
		/* a block's state changes only its own files (and vmstat) */
		sync_block(fk, idx - fk->first);
		if (fk->migrate_pages)
			sr_file(fk->root, "/proc/vmstat", "pgmigrate_fail 0\npgmigrate_success %llu\n",
				(unsigned long long)fk->pgmigrate_success);
		goto done;
	} else if (strcmp(path, "/sys/devices/system/memory/auto_online_blocks") == 0) {
		if (strcmp(val, "offline") && strcmp(val, "online") &&
		    strcmp(val, "online_kernel") && strcmp(val, "online_movable"))
			return -EINVAL;
		snprintf(fk->auto_online, sizeof(fk->auto_online), "%s", val);
	} else if (strcmp(path, "/sys/bus/dax/drivers/device_dax/unbind") == 0) {
		if (strcmp(fk->driver, "device_dax"))
			return -ENODEV;
		fk->driver[0] = '\0';
	} else if (strcmp(path, "/sys/bus/dax/drivers/device_dax/bind") == 0) {
		if (fk->driver[0])
			return -EBUSY;
		if (fk->kmem_default && !fk->device_dax_id)
			return -ENODEV;
		snprintf(fk->driver, sizeof(fk->driver), "device_dax");
	} else if (strcmp(path, "/sys/bus/dax/drivers/device_dax/new_id") == 0) {
		/* the driver learns the id and attaches an unbound device */
		fk->device_dax_id = true;
		if (!fk->driver[0])
			snprintf(fk->driver, sizeof(fk->driver), "device_dax");
	} else if (strcmp(path, "/sys/bus/dax/drivers/device_dax/remove_id") == 0) {
		fk->device_dax_id = false;	/* an unknown id: nothing to remove */
	} else if (strcmp(path, "/sys/bus/dax/drivers/kmem/remove_id") == 0) {
		rc = 0;	/* kmem's id list is not modelled */
	} else if (strcmp(path, "/sys/bus/dax/drivers/kmem/new_id") == 0 ||
		   strcmp(path, "/sys/bus/dax/drivers/kmem/bind") == 0) {
		rc = kmem_probe(fk);
	} else if (strcmp(path, "/sys/bus/dax/drivers/kmem/unbind") == 0) {
		uint64_t i;

		if (strcmp(fk->driver, "kmem"))
			return -ENODEV;
		for (i = 0; i < fk->nr; i++)
			if (strcmp(fk->state[i], "online") == 0)
				fk->leaked = true;
		fk->driver[0] = '\0';
		fk->present = false;
	} else if (strcmp(path, knob) == 0 || strcmp(path, busknob) == 0) {
		if (fk->knob < 0)
			return -ENOENT;
		if (!strcmp(fk->driver, "kmem"))
			return -EBUSY;
		fk->knob = val[0] == '1';
	} else {
		return 0;	/* not modelled: plain file write */
	}
	fk_sync(fk);
done:
	if (rc == 0 && fk->crash_after_online && fk->onlines >= fk->crash_after_online)
		_exit(9);
	return rc < 0 ? rc : 1;
}

void fk_attach(struct fakekernel *fk, struct mhp_ctx *ctx)
{
	char p[256];
	const char *s;
	uint64_t i;

	snprintf(p, sizeof(p), "/sys/bus/dax/devices/%s/driver", fk->dev);
	fk->driver[0] = '\0';
	{
		char full[512], target[512];
		ssize_t n;

		snprintf(full, sizeof(full), "%s%s", fk->root, p);
		n = readlink(full, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			snprintf(fk->driver, sizeof(fk->driver), "%s", strrchr(target, '/') + 1);
		}
	}
	s = sr_read(fk->root, "/sys/devices/system/memory/auto_online_blocks");
	snprintf(fk->auto_online, sizeof(fk->auto_online), "%s", s ? s : "offline");
	fk->auto_online[strcspn(fk->auto_online, "\n")] = '\0';
	snprintf(p, sizeof(p), "%s/memmap_on_memory", fk->devdir);
	s = sr_read(fk->root, p);
	fk->knob = s ? s[0] == '1' : -1;
	block_path(p, sizeof(p), fk->first, "state");
	fk->present = sr_read(fk->root, p) != NULL;
	for (i = 0; i < fk->nr; i++) {
		snprintf(fk->state[i], sizeof(fk->state[i]), "offline");
		if (!fk->present)
			continue;
		block_path(p, sizeof(p), fk->first + i, "state");
		s = sr_read(fk->root, p);
		if (s && strncmp(s, "online", 6) == 0) {
			block_path(p, sizeof(p), fk->first + i, "valid_zones");
			s = sr_read(fk->root, p);
			set_online(fk, i, s && strncmp(s, "Movable", 7) == 0 ? "Movable" : "Normal");
		}
	}
	ctx->retry_backoff_ms = 1;	/* synchronous fake: no need to wait */
	ctx->write_hook = hook;
	ctx->write_hook_arg = fk;
}

void fk_snapshot(const struct fakekernel *fk, struct fk_snapshot *snap)
{
	memset(snap, 0, sizeof(*snap));
	memcpy(snap->driver, fk->driver, sizeof(snap->driver));
	memcpy(snap->auto_online, fk->auto_online, sizeof(snap->auto_online));
	snap->knob = fk->knob;
	snap->present = fk->present;
	memcpy(snap->state, fk->state, sizeof(snap->state));
	memcpy(snap->zone, fk->zone, sizeof(snap->zone));
}

bool fk_same(const struct fakekernel *fk, const struct fk_snapshot *snap)
{
	uint64_t i;

	if (strcmp(fk->driver, snap->driver) || strcmp(fk->auto_online, snap->auto_online) ||
	    fk->knob != snap->knob || fk->present != snap->present)
		return false;
	for (i = 0; fk->present && i < fk->nr; i++) {
		if (strcmp(fk->state[i], snap->state[i]))
			return false;
		if (!strcmp(fk->state[i], "online") && strcmp(fk->zone[i], snap->zone[i]))
			return false;
	}
	return true;
}
