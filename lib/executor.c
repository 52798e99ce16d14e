// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The executor: apply a plan exactly (knob, kmem, per-block zones), undo
 * it on failure, offline a device with retries, recover interrupted runs.
 */
#include <inttypes.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "ctx.h"

/* One run of apply, offline or recover. */
struct run {
	struct mhp_ctx *ctx;
	const char *device;
	mhp_event_fn fn;
	void *userdata;
	uint64_t done, total;
	struct mhp_journal *journal;
	struct mhp_journal_state st;	/* as found, and what was changed */
	/* apply only */
	struct mhp_plan *plan;
	struct mhp_dax_dev *dev;
	unsigned int flags;
	struct mhp_agents agents;
	uint64_t first, end;		/* the device's blocks */
	int want_knob;
	bool convert;			/* kmem bound with the wrong knob: rebind */
	bool rebind;			/* kmem will be (re)bound */
	bool shape_differs;		/* online blocks differ from the plan */
	/* rollback only: blocks that must go offline stayed online */
	bool rollback_stuck;
	/* the kernel's evidence before the first offline (apply only) */
	uint64_t pgmigrate_before, node_used_before;
	/* memory blocks present when the policy was parked (sorted) */
	uint64_t *parked_blocks;
	size_t nr_parked_blocks;
};

static void emit(struct run *r, enum mhp_event_type type, uint64_t block,
		 enum mhp_zone zone, int error, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void emit(struct run *r, enum mhp_event_type type, uint64_t block,
		 enum mhp_zone zone, int error, const char *fmt, ...)
{
	struct mhp_event ev = {
		.type = type, .device = r->device, .block = block, .zone = zone,
		.error = error, .done = r->done, .total = r->total,
	};
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ev.message = msg;
	info(r->ctx, "%s: %s\n", r->device, msg);
	if (r->fn)
		r->fn(r->ctx, &ev, r->userdata);
}

static int check_root(struct mhp_ctx *ctx, const char *what)
{
	if (!mhp_is_live(ctx) || geteuid() == 0)
		return 0;
	return mhp_fail(ctx, -EPERM,
			"%s changes sysfs and needs root; nothing was changed. Run it with sudo (list, plan and status work without root)",
			what);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- sysfs steps ---- */

static const char *const auto_online_words[] = {
	"offline", "online", "online_kernel", "online_movable",
};

static bool valid_auto_online(const char *v)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(auto_online_words); i++)
		if (strcmp(v, auto_online_words[i]) == 0)
			return true;
	return false;
}

static bool cancelled(struct run *r)
{
	return r->ctx->cancel != 0;
}

static int cancel_error(struct run *r)
{
	return mhp_fail(r->ctx, -ECANCELED, "interrupted by a signal");
}

static int block_write_state(struct mhp_ctx *ctx, uint64_t idx, const char *state)
{
	return mhp_write_attr(ctx, state, "/sys/devices/system/memory/memory%llu/state",
			      (unsigned long long)idx);
}

/* One read of the block's state and zone (a lookup and a refresh were two). */
static int block_refresh(struct mhp_ctx *ctx, uint64_t idx, struct mhp_block **b)
{
	return mhp_block_get_fresh(ctx, idx, b);
}

/*
 * State and zone of block @idx now: online, offline (absent blocks too:
 * kmem removed them), or unknown (unreadable, going-offline). Callers
 * treat unknown as "may be online": never a reason to unbind kmem.
 */
static struct mhp_journal_block block_now(struct mhp_ctx *ctx, uint64_t idx)
{
	struct mhp_journal_block now = { MHP_BLOCK_OFFLINE, MHP_ZONE_NONE, true };
	struct mhp_block *b;
	int rc = block_refresh(ctx, idx, &b);

	if (rc == -ENOENT)
		return now;
	if (rc < 0) {
		now.state = MHP_BLOCK_UNKNOWN;
		return now;
	}
	now.state = mhp_block_get_state(b);
	if (now.state == MHP_BLOCK_ONLINE)
		now.zone = mhp_block_get_zone(b);
	else if (now.state != MHP_BLOCK_OFFLINE)
		now.state = MHP_BLOCK_UNKNOWN;
	return now;
}

static const char *online_word(enum mhp_zone zone)
{
	return zone == MHP_ZONE_MOVABLE ? "online_movable" : "online_kernel";
}

static int driver_write(struct mhp_ctx *ctx, const char *driver, const char *file,
			const char *device)
{
	return mhp_write_attr(ctx, device, "/sys/bus/dax/drivers/%s/%s", driver, file);
}

/*
 * Journal @record, then write @val to the sysfs file: the record is
 * durable before the change it announces, so recovery knows about it.
 */
static int journaled_write(struct run *r, const char *record, const char *val,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int journaled_write(struct run *r, const char *record, const char *val,
			   const char *fmt, ...)
{
	char path[MHP_PATH_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	rc = mhp_journal_log(r->journal, "%s", record);
	return rc < 0 ? rc : mhp_write_attr(r->ctx, val, "%s", path);
}

static int ensure_kmem(struct mhp_ctx *ctx)
{
	struct kmod_ctx *kmod;
	struct kmod_module *mod;
	int rc;

	/* built-in or loaded: never ask modprobe (daxctl's failure mode) */
	if (mhp_exists(ctx, "/sys/bus/dax/drivers/kmem") || !mhp_is_live(ctx))
		return 0;
	kmod = kmod_new(NULL, NULL);
	if (!kmod)
		return mhp_fail(ctx, -ENOMEM, "libkmod initialisation failed");
	rc = kmod_module_new_from_name(kmod, "kmem", &mod);
	if (rc == 0) {
		rc = kmod_module_probe_insert_module(mod, 0, NULL, NULL, NULL, NULL);
		kmod_module_unref(mod);
	}
	kmod_unref(kmod);
	if (rc < 0 || !mhp_exists(ctx, "/sys/bus/dax/drivers/kmem"))
		return mhp_fail(ctx, rc < 0 ? rc : -ENODEV,
				"the kmem driver is neither built in nor loadable (%s); install the kernel's modules or build with CONFIG_DEV_DAX_KMEM",
				rc < 0 ? strerror(-rc) : "no /sys/bus/dax/drivers/kmem after loading");
	return 0;
}

/*
 * Move a device between dax drivers the way libdaxctl does: the old
 * driver forgets the id (remove_id) and lets go (unbind); the new one
 * learns it (new_id, which also attaches an unbound device) and binds.
 * Since 6.3, hmem and CXL dax devices match only kmem by default, so
 * device_dax/bind answers ENODEV until device_dax/new_id has named the
 * device; on 6.1 device_dax matches everything and kmem needs the id.
 */
static int dev_block_range(struct mhp_ctx *ctx, struct mhp_dax_dev *dev,
			   uint64_t *first, uint64_t *end);

/*
 * The one check before every kmem unbind (apply, rollback, recovery,
 * offline): unbinding while a block is online leaks the range until
 * reboot, so every block of the device is read again now, and kmem is
 * let go only if all of them read offline (or are gone). Whatever the
 * caller believes or a journal says does not count here.
 */
static int check_range_offline(struct mhp_ctx *ctx, struct mhp_dax_dev *dev)
{
	const char *name = mhp_dax_dev_get_name(dev);
	uint64_t first, end, idx;
	int rc;

	rc = dev_block_range(ctx, dev, &first, &end);
	if (rc < 0)
		return mhp_fail(ctx, rc, "cannot tell which memory blocks kmem made of %s, so kmem stays bound (unbinding with a block online would leak the range until reboot)",
				name);
	mhp_blocks_invalidate(ctx);
	for (idx = first; idx < end; idx++) {
		struct mhp_journal_block now = block_now(ctx, idx);

		if (now.state != MHP_BLOCK_OFFLINE)
			return mhp_fail(ctx, -EBUSY,
					"memory block %llu of %s is %s, so kmem stays bound (unbinding it now would leak the range until reboot); offline the block, then retry",
					(unsigned long long)idx, name,
					now.state == MHP_BLOCK_ONLINE ? "online" :
					"in an unknown state (unreadable or going offline)");
	}
	mhp_clear_error(ctx);
	return 0;
}

static int driver_detach(struct mhp_ctx *ctx, struct mhp_dax_dev *dev, const char *driver)
{
	const char *name = mhp_dax_dev_get_name(dev);
	int rc;

	if (strcmp(driver, "kmem") == 0) {
		rc = check_range_offline(ctx, dev);
		if (rc < 0)
			return rc;
	}
	/* the live system: libdaxctl does this step right, so let it */
	rc = mhp_dax_dev_disable(dev);
	if (rc != -EOPNOTSUPP)
		return rc;
	/* the id may not be in the driver's list: that is expected */
	if (driver_write(ctx, driver, "remove_id", name) < 0)
		mhp_clear_error(ctx);
	rc = driver_write(ctx, driver, "unbind", name);
	mhp_dax_dev_refresh(dev);
	if (rc == 0 && mhp_dax_dev_get_driver(dev) != MHP_DAX_DRIVER_NONE)
		rc = mhp_fail(ctx, -EBUSY, "%s is still bound after unbinding %s", name, driver);
	return rc;
}

static int driver_attach(struct mhp_ctx *ctx, struct mhp_dax_dev *dev, const char *driver,
			 enum mhp_dax_driver want)
{
	const char *name = mhp_dax_dev_get_name(dev);
	int rc;

	/* EEXIST: id known already; the bind below decides */
	if (driver_write(ctx, driver, "new_id", name) < 0)
		mhp_clear_error(ctx);
	mhp_dax_dev_refresh(dev);
	if (mhp_dax_dev_get_driver(dev) == want)
		return 0;
	rc = driver_write(ctx, driver, "bind", name);
	mhp_dax_dev_refresh(dev);
	if (rc == 0 && mhp_dax_dev_get_driver(dev) != want)
		rc = mhp_fail(ctx, -ENXIO, "%s did not take %s", driver, name);
	return rc;
}

static int bind_kmem(struct mhp_ctx *ctx, struct mhp_dax_dev *dev)
{
	int rc = driver_attach(ctx, dev, "kmem", MHP_DAX_DRIVER_KMEM);

	if (rc < 0)
		return mhp_fail(ctx, rc,
				"kmem did not take %s (%s): the kernel log (dmesg) says why, e.g. no target node, the range is busy, or nothing is left after block alignment",
				mhp_dax_dev_get_name(dev), strerror(-rc));
	return 0;
}

/* Blocks [first, end) kmem makes of the device's range. */
static int dev_block_range(struct mhp_ctx *ctx, struct mhp_dax_dev *dev,
			   uint64_t *first, uint64_t *end)
{
	uint64_t res = mhp_dax_dev_get_resource(dev), bs;
	int rc;

	if (res == UINT64_MAX)
		return mhp_fail(ctx, -EACCES, "the physical range of %s is unreadable",
				mhp_dax_dev_get_name(dev));
	rc = mhp_memory_block_size(ctx, &bs);
	if (rc < 0)
		return rc;
	rc = mhp_dax_dev_block_range(dev, bs, first, end);
	if (rc == -EOPNOTSUPP)
		return mhp_fail(ctx, rc,
				"%s consists of more than one physical range (it has mapping1); libmhp handles single-range dax devices only, since acting on the span from the first range's start would touch the memory between the ranges. Nothing was changed; use daxctl for this device",
				mhp_dax_dev_get_name(dev));
	return rc;
}

/* pgmigrate_success of /proc/vmstat in bytes, or UINT64_MAX. */
static uint64_t migrated_so_far(struct mhp_ctx *ctx)
{
	char *text = mhp_read_file(ctx, "/proc/vmstat");
	unsigned long long pages;
	uint64_t bytes = UINT64_MAX;

	if (text && mhp_stat_value(text, "pgmigrate_success", &pages) == 0)
		bytes = pages * mhp_page_size(ctx);
	free(text);
	return bytes;
}

/*
 * Before the first change: what will tell how much the kernel migrates.
 * Every path that offlines blocks (converting with a rebind, or only
 * moving blocks to their planned zone) is measured by the same pair.
 */
static void migration_begin(struct run *r)
{
	r->pgmigrate_before = migrated_so_far(r->ctx);
	r->node_used_before = r->ctx->report.found_online ?
		mhp_node_used_bytes(r->ctx, mhp_dax_dev_get_target_node(r->dev)) : UINT64_MAX;
}

/* After the last offline: the figure, and which evidence gave it. */
static void migration_end(struct run *r)
{
	struct mhp_apply_report *rep = &r->ctx->report;
	uint64_t after = migrated_so_far(r->ctx);

	if (r->pgmigrate_before != UINT64_MAX && after != UINT64_MAX &&
	    after >= r->pgmigrate_before) {
		rep->migrated_bytes = after - r->pgmigrate_before;
		rep->migrated_evidence = MHP_MIGRATION_PGMIGRATE;
	} else if (!rep->blocks_offlined) {
		rep->migrated_bytes = 0;	/* nothing was offlined, nothing moved */
	} else if (r->node_used_before != UINT64_MAX) {
		rep->migrated_bytes = r->node_used_before;
		rep->migrated_evidence = MHP_MIGRATION_NODE_USED;
	}
}

/* "12 MiB (12582912 bytes, the pgmigrate_success delta ...)", "at most ...", or why unknown */
static void migration_words(const struct mhp_apply_report *rep, int node, char *buf,
			    size_t len)
{
	char size[48];

	if (rep->migrated_bytes == UINT64_MAX) {
		snprintf(buf, len, "an unknown amount (no pgmigrate_success in /proc/vmstat, no MemUsed for node %d)",
			 node);
		return;
	}
	mhp_format_size(rep->migrated_bytes, size, sizeof(size));
	if (rep->migrated_evidence == MHP_MIGRATION_PGMIGRATE)
		snprintf(buf, len, "%s (%llu bytes, the pgmigrate_success delta of /proc/vmstat)",
			 size, (unsigned long long)rep->migrated_bytes);
	else if (rep->migrated_evidence == MHP_MIGRATION_NODE_USED)
		snprintf(buf, len, "at most %s (%llu bytes, node %d's MemUsed before offlining; /proc/vmstat has no pgmigrate_success)",
			 size, (unsigned long long)rep->migrated_bytes, node);
	else
		snprintf(buf, len, "%s (no block was offlined)", size);
}

/* ---- rollback ---- */

static int offline_block(struct run *r, uint64_t idx, enum mhp_zone zone,
			 unsigned int retries, uint64_t deadline);
static int offline_retrying(struct mhp_ctx *ctx, uint64_t idx, unsigned int retries,
			    uint64_t deadline, unsigned int *attempts);
static void online_blocks_added_while_parked(struct run *r);

/* What the journal says block @idx was before the run. */
static struct mhp_journal_block block_before(const struct mhp_journal_state *st, uint64_t idx)
{
	static const struct mhp_journal_block absent = { MHP_BLOCK_OFFLINE, MHP_ZONE_NONE, true };

	if (!st->prev_blocks || idx < st->first || idx >= st->end)
		return absent;
	return st->prev_blocks[idx - st->first];
}

static bool same_block_state(struct mhp_journal_block a, struct mhp_journal_block b)
{
	return a.state == b.state && (a.state != MHP_BLOCK_ONLINE || a.zone == b.zone);
}

struct restore {
	uint64_t restored, offline_failed, online_failed, mismatched;
	int rc;
	char what[256];		/* first thing that could not be restored */
};

static void restore_failed(struct restore *res, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void restore_failed(struct restore *res, int rc, const char *fmt, ...)
{
	va_list ap;

	if (res->rc == 0) {
		res->rc = rc < 0 ? rc : -EIO;
		va_start(ap, fmt);
		vsnprintf(res->what, sizeof(res->what), fmt, ap);
		va_end(ap);
	}
}

/*
 * kmem holds the device with another knob than found (the run set it and
 * rebound): the memmap of every block is in the wrong place, so all of
 * them go offline and kmem is rebound with the knob as found.
 */
static bool must_rebind_kmem(struct mhp_dax_dev *dev, const struct mhp_journal_state *st)
{
	int knob;

	mhp_dax_dev_refresh(dev);
	knob = mhp_dax_dev_get_memmap_on_memory(dev);
	return strcmp(st->prev_driver, "kmem") == 0 &&
	       mhp_dax_dev_get_driver(dev) == MHP_DAX_DRIVER_KMEM &&
	       st->prev_knob >= 0 && knob >= 0 && knob != st->prev_knob;
}

/* Offline what was not online before, or is online in another zone now. */
static void restore_offline_extra(struct run *r, const struct mhp_journal_state *st,
				  bool all, struct restore *res)
{
	uint64_t deadline = now_ms() + 30000, idx;

	for (idx = st->end; idx-- > st->first;) {
		struct mhp_journal_block was = block_before(st, idx), now = block_now(r->ctx, idx);

		if (!was.recorded)
			continue;
		if (now.state == MHP_BLOCK_UNKNOWN) {
			/* it may be online: counts as one that stays online */
			res->offline_failed++;
			restore_failed(res, -EIO, "the state of block %llu cannot be read",
				       (unsigned long long)idx);
			continue;
		}
		if (now.state != MHP_BLOCK_ONLINE || (!all && same_block_state(was, now)))
			continue;
		emit(r, MHP_EVENT_ROLLBACK, idx, now.zone, 0, "offlining memory block %llu",
		     (unsigned long long)idx);
		if (offline_block(r, idx, now.zone, 5, deadline) < 0) {
			res->offline_failed++;
			restore_failed(res, -EBUSY, "block %llu cannot be offlined",
				       (unsigned long long)idx);
		} else if (was.state != MHP_BLOCK_ONLINE) {
			res->restored++;
		}
	}
	mhp_clear_error(r->ctx);
}

static void restore_write(struct run *r, struct restore *res, const char *val,
			  const char *what, const char *path)
{
	int rc;

	emit(r, MHP_EVENT_ROLLBACK, 0, MHP_ZONE_NONE, 0, "restoring %s", what);
	rc = mhp_write_attr(r->ctx, val, "%s", path);
	if (rc < 0)
		restore_failed(res, rc, "%s: %s", what, r->ctx->last_error);
}

/* The driver (and, while no driver holds it, the knob) as found. */
static void restore_driver(struct run *r, struct mhp_dax_dev *dev,
			   const struct mhp_journal_state *st, bool rebind, struct restore *res)
{
	struct mhp_ctx *ctx = r->ctx;
	bool was_kmem = strcmp(st->prev_driver, "kmem") == 0;
	char path[MHP_PATH_MAX], what[64];
	int rc;

	mhp_dax_dev_refresh(dev);
	if ((!was_kmem || rebind) && mhp_dax_dev_get_driver(dev) == MHP_DAX_DRIVER_KMEM) {
		emit(r, MHP_EVENT_ROLLBACK, 0, MHP_ZONE_NONE, 0, "unbinding kmem");
		rc = driver_detach(ctx, dev, "kmem");
		if (rc < 0) {
			restore_failed(res, rc, "unbinding kmem failed: %s", ctx->last_error);
			return;
		}
	}
	if (was_kmem && mhp_dax_dev_get_driver(dev) == MHP_DAX_DRIVER_DEVICE_DAX) {
		emit(r, MHP_EVENT_ROLLBACK, 0, MHP_ZONE_NONE, 0, "unbinding device_dax");
		if (driver_detach(ctx, dev, "device_dax") < 0) {
			restore_failed(res, -EIO, "unbinding device_dax failed: %s", ctx->last_error);
			return;
		}
	}
	/* the knob is writable unless kmem holds the device (device_dax may) */
	if (st->prev_knob >= 0 && mhp_dax_dev_get_driver(dev) != MHP_DAX_DRIVER_KMEM &&
	    mhp_dax_dev_get_memmap_on_memory(dev) >= 0 &&
	    mhp_dax_dev_get_memmap_on_memory(dev) != st->prev_knob) {
		snprintf(what, sizeof(what), "memmap_on_memory=%d", st->prev_knob);
		snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/memmap_on_memory", r->device);
		restore_write(r, res, st->prev_knob ? "1" : "0", what, path);
		mhp_dax_dev_refresh(dev);
	}
	if (strcmp(st->prev_driver, "device_dax") == 0 &&
	    mhp_dax_dev_get_driver(dev) == MHP_DAX_DRIVER_NONE) {
		emit(r, MHP_EVENT_ROLLBACK, 0, MHP_ZONE_NONE, 0, "rebinding device_dax");
		if (driver_attach(ctx, dev, "device_dax", MHP_DAX_DRIVER_DEVICE_DAX) < 0)
			restore_failed(res, -EIO, "rebinding device_dax failed: %s", ctx->last_error);
	}
	if (was_kmem && mhp_dax_dev_get_driver(dev) == MHP_DAX_DRIVER_NONE) {
		char now[32] = "";

		/* the blocks come back offline; the loop below onlines them */
		mhp_read_attr(ctx, now, sizeof(now), "/sys/devices/system/memory/auto_online_blocks");
		if (now[0] && strcmp(now, "offline") != 0)
			restore_write(r, res, "offline", "auto_online_blocks=offline while rebinding",
				      "/sys/devices/system/memory/auto_online_blocks");
		emit(r, MHP_EVENT_ROLLBACK, 0, MHP_ZONE_NONE, 0, "rebinding kmem");
		if (bind_kmem(ctx, dev) < 0)
			restore_failed(res, -EIO, "rebinding kmem failed: %s", ctx->last_error);
		mhp_blocks_invalidate(ctx);
	}
}

/* Online what was online before, in the zone it had. */
static void restore_online_missing(struct run *r, const struct mhp_journal_state *st,
				   struct restore *res)
{
	uint64_t idx;

	for (idx = st->first; idx < st->end; idx++) {
		struct mhp_journal_block was = block_before(st, idx), now = block_now(r->ctx, idx);
		int rc;

		if (was.state != MHP_BLOCK_ONLINE || now.state == MHP_BLOCK_ONLINE)
			continue;
		emit(r, MHP_EVENT_ROLLBACK, idx, was.zone, 0, "re-onlining memory block %llu %s",
		     (unsigned long long)idx, mhp_zone_name(was.zone));
		rc = block_write_state(r->ctx, idx, online_word(was.zone));
		if (rc < 0) {
			res->online_failed++;
			restore_failed(res, rc, "block %llu cannot be re-onlined %s",
				       (unsigned long long)idx, mhp_zone_name(was.zone));
		} else {
			res->restored++;
		}
	}
	mhp_clear_error(r->ctx);
}

static uint64_t count_mismatched(struct mhp_ctx *ctx, const struct mhp_journal_state *st)
{
	uint64_t idx, n = 0;

	for (idx = st->first; idx < st->end; idx++) {
		struct mhp_journal_block was = block_before(st, idx);

		if (was.recorded && !same_block_state(was, block_now(ctx, idx)))
			n++;
	}
	return n;
}

static const char *driver_word(enum mhp_dax_driver drv)
{
	return drv == MHP_DAX_DRIVER_NONE ? "" : mhp_dax_driver_name(drv);
}

/* "As before" is a claim about the driver, knob and policy too, not only blocks. */
static void check_as_found(struct mhp_ctx *ctx, struct mhp_dax_dev *dev,
			   const struct mhp_journal_state *st, struct restore *res)
{
	const char *drv;
	char now[32] = "";
	int knob;

	mhp_dax_dev_refresh(dev);
	drv = driver_word(mhp_dax_dev_get_driver(dev));
	knob = mhp_dax_dev_get_memmap_on_memory(dev);
	if (strcmp(drv, st->prev_driver) != 0)
		restore_failed(res, -EIO, "%s is bound to %s, it was found on %s",
			       st->device, drv[0] ? drv : "no driver",
			       st->prev_driver[0] ? st->prev_driver : "no driver");
	else if (st->prev_knob >= 0 && knob != st->prev_knob)
		restore_failed(res, -EIO, "memmap_on_memory of %s is %d, it was found %d",
			       st->device, knob, st->prev_knob);
	else if (st->prev_auto_online[0] &&
		 (mhp_read_attr(ctx, now, sizeof(now),
				"/sys/devices/system/memory/auto_online_blocks") < 0 ||
		  strcmp(now, st->prev_auto_online) != 0))
		restore_failed(res, -EIO, "auto_online_blocks is %s, it was found %s",
			       now[0] ? now : "unreadable", st->prev_auto_online);
}

/*
 * Put the device back as the journal found it: every block in the state
 * and zone it had, the same driver, knob and auto_online_blocks. Blocks
 * that were online before the run are never left offline, and kmem is
 * never unbound while a block is online (that would leak the range).
 * Returns 0 when everything was restored; otherwise records what could
 * not be in the error and returns a negative errno.
 */
static int rollback(struct run *r, struct mhp_dax_dev *dev, const struct mhp_journal_state *st)
{
	struct mhp_ctx *ctx = r->ctx;
	struct restore res = { 0 };
	char now[32] = "";
	bool rebind;

	mhp_blocks_invalidate(ctx);
	if (!st->prev_complete) {
		/* the run stopped while recording what it found: it changed nothing */
		return 0;
	}
	rebind = must_rebind_kmem(dev, st);
	restore_offline_extra(r, st, rebind, &res);
	if (res.offline_failed) {
		restore_failed(&res, -EBUSY, "%llu block(s) cannot be offlined, so kmem stays bound (unbinding would leak the range until reboot)",
			       (unsigned long long)res.offline_failed);
	} else {
		restore_driver(r, dev, st, rebind, &res);
		restore_online_missing(r, st, &res);
	}
	if (st->prev_auto_online[0] &&
	    mhp_read_attr(ctx, now, sizeof(now), "/sys/devices/system/memory/auto_online_blocks") > 0 &&
	    strcmp(now, st->prev_auto_online) != 0) {
		char what[64];

		snprintf(what, sizeof(what), "auto_online_blocks=%s", st->prev_auto_online);
		restore_write(r, &res, st->prev_auto_online, what,
			      "/sys/devices/system/memory/auto_online_blocks");
		if (mhp_read_attr(ctx, now, sizeof(now),
				  "/sys/devices/system/memory/auto_online_blocks") > 0 &&
		    strcmp(now, st->prev_auto_online) == 0)
			online_blocks_added_while_parked(r);
	}
	r->rollback_stuck = res.offline_failed != 0;
	res.mismatched = count_mismatched(ctx, st);
	ctx->report.blocks_restored = res.restored;
	if (res.rc == 0 && res.mismatched)
		restore_failed(&res, -EIO, "%llu block(s) are not in the state they had",
			       (unsigned long long)res.mismatched);
	if (res.rc == 0)
		check_as_found(ctx, dev, st, &res);
	if (res.rc < 0)
		return mhp_fail(ctx, res.rc, "restored %llu block(s), but %s",
				(unsigned long long)res.restored, res.what);
	return 0;
}

/* ---- apply: checks ---- */

static int check_stale(struct mhp_ctx *ctx, const struct mhp_plan *plan,
		       struct mhp_dax_dev *dev)
{
	const struct mhp_plan_input *in = &plan->input;
	const struct mhp_platform_desc *pd;
	struct mhp_platform *p;
	uint64_t first, end;
	int rc;

	rc = dev_block_range(ctx, dev, &first, &end);
	if (rc < 0)
		return rc;
	rc = mhp_get_platform(ctx, &p);
	if (rc < 0)
		return rc;
	pd = mhp_platform_get_desc(p);
#define STALE(cond, fmt, ...)							\
	do {									\
		if (cond) {							\
			mhp_platform_unref(p);					\
			return mhp_fail(ctx, -ESTALE,				\
				"the plan for %s is stale: " fmt "; run 'cxlmem plan' again", \
				in->target, __VA_ARGS__);			\
		}								\
	} while (0)
	STALE(pd->block_size != plan->platform.block_size,
	      "memory block size is %#llx, the plan assumed %#llx",
	      (unsigned long long)pd->block_size,
	      (unsigned long long)plan->platform.block_size);
	STALE(pd->memmap_mode != plan->platform.memmap_mode,
	      "memmap_on_memory is %s, the plan assumed %s",
	      mhp_memmap_mode_name(pd->memmap_mode),
	      mhp_memmap_mode_name(plan->platform.memmap_mode));
	STALE(strcmp(pd->rules, plan->platform.rules) != 0,
	      "the kernel follows %s rules, the plan assumed %s", pd->rules,
	      plan->platform.rules);
	STALE(mhp_dax_dev_get_resource(dev) != in->start ||
	      mhp_dax_dev_get_size(dev) != in->size,
	      "the device spans %#llx+%#llx, the plan assumed %#llx+%#llx",
	      (unsigned long long)mhp_dax_dev_get_resource(dev),
	      (unsigned long long)mhp_dax_dev_get_size(dev),
	      (unsigned long long)in->start, (unsigned long long)in->size);
	STALE(mhp_dax_dev_get_target_node(dev) != in->node,
	      "target node is %d, the plan assumed %d",
	      mhp_dax_dev_get_target_node(dev), in->node);
	STALE(plan->memmap_on_device && in->dax_knob >= 0 &&
	      mhp_dax_dev_get_memmap_on_memory(dev) < 0,
	      "%s", "the device lost its memmap_on_memory attribute");
	/* a plan file names its blocks: each must be one of the device's */
	for (uint64_t i = 0; i < plan->nr_blocks; i++)
		STALE(plan->blocks[i].index < first || plan->blocks[i].index >= end ||
		      (i && plan->blocks[i].index <= plan->blocks[i - 1].index),
		      "block %llu is not one of the device's blocks %llu-%llu in order",
		      (unsigned long long)plan->blocks[i].index,
		      (unsigned long long)first, (unsigned long long)end - 1);
#undef STALE
	mhp_platform_unref(p);
	return 0;
}

/* The plan's entry for block @idx (check_stale made them ascending). */
static const struct mhp_plan_block *planned(const struct mhp_plan *plan, uint64_t idx)
{
	uint64_t lo = 0, hi = plan->nr_blocks;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (plan->blocks[mid].index < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < plan->nr_blocks && plan->blocks[lo].index == idx ? &plan->blocks[lo] : NULL;
}

/*
 * Read the device as found (driver, knob, every block) once, into the
 * report and r->st.prev_blocks, which the journal and the nothing-to-do
 * check use without reading sysfs again. Without kmem there are no
 * blocks to read: the range is offline by definition.
 */
static int find_device(struct run *r)
{
	struct mhp_apply_report *rep = &r->ctx->report;
	uint64_t idx;

	rep->found_driver = mhp_dax_dev_get_driver(r->dev);
	rep->found_knob = mhp_dax_dev_get_memmap_on_memory(r->dev);
	rep->migrated_bytes = UINT64_MAX;
	r->shape_differs = false;
	r->st.first = r->first;
	r->st.end = r->end;
	r->st.prev_blocks = calloc(r->end - r->first + 1, sizeof(*r->st.prev_blocks));
	if (!r->st.prev_blocks)
		return -ENOMEM;
	for (idx = r->first; idx < r->end; idx++) {
		struct mhp_journal_block now = { MHP_BLOCK_OFFLINE, MHP_ZONE_NONE, true };
		const struct mhp_plan_block *pb = planned(r->plan, idx);

		if (rep->found_driver == MHP_DAX_DRIVER_KMEM)
			now = block_now(r->ctx, idx);
		/* the journal and a rollback need each block's state and zone */
		if (now.state == MHP_BLOCK_UNKNOWN)
			return mhp_fail(r->ctx, -EIO,
					"the state of memory block %llu of %s cannot be read (or it is going offline); nothing was changed, retry when it has settled",
					(unsigned long long)idx, r->device);
		if (now.state == MHP_BLOCK_ONLINE && now.zone == MHP_ZONE_NONE)
			return mhp_fail(r->ctx, -EIO,
					"memory block %llu of %s is online in a zone that cannot be read (valid_zones); nothing was changed, since a rollback could not restore it",
					(unsigned long long)idx, r->device);
		r->st.prev_blocks[idx - r->first] = now;
		if (now.state != MHP_BLOCK_ONLINE)
			continue;
		rep->found_online++;
		if (now.zone == MHP_ZONE_MOVABLE)
			rep->found_movable++;
		else
			rep->found_normal++;
		if (!pb || pb->zone != now.zone)
			r->shape_differs = true;
	}
	mhp_clear_error(r->ctx);
	/*
	 * kmem bound with the other knob: the memmap of every block is in
	 * the wrong place, and the knob cannot change while kmem holds the
	 * device, so it must be offlined and rebound.
	 */
	r->convert = rep->found_driver == MHP_DAX_DRIVER_KMEM && rep->found_knob >= 0 &&
		     rep->found_knob != r->want_knob;
	if (r->convert && rep->found_online)
		r->shape_differs = true;
	return 0;
}

static bool already_applied(struct run *r)
{
	uint64_t i;

	if (mhp_dax_dev_get_driver(r->dev) != MHP_DAX_DRIVER_KMEM || r->convert)
		return false;
	for (i = 0; i < r->plan->nr_blocks; i++) {
		const struct mhp_plan_block *pb = &r->plan->blocks[i];
		struct mhp_journal_block now = block_before(&r->st, pb->index);

		if (now.state != MHP_BLOCK_ONLINE || now.zone != pb->zone)
			return false;
	}
	return true;
}

/*
 * Only memory positively known to be volatile goes without consent: a
 * Soft Reserved (hmem) range or a CXL RAM region. Anything else, a
 * provenance libmhp cannot tell included, may be pmem holding data.
 */
static bool may_hold_data(const struct mhp_plan *plan, struct mhp_dax_dev *dev)
{
	enum mhp_provenance prov = mhp_dax_dev_get_provenance(dev);

	/* the live device decides; a plan file may say anything */
	if (mhp_dax_dev_is_persistent(dev) || plan->input.persistent)
		return true;
	return prov != MHP_PROV_HMEM && prov != MHP_PROV_CXL_REGION;
}

/*
 * MHP_APPLY_NO_ONLINE (daxctl -N) means "bind kmem"; with kmem bound
 * already that is done, whatever state the blocks are in: they are not
 * offlined (-N never offlines) nor onlined.
 */
static int no_online_already_kmem(struct run *r)
{
	info(r->ctx, "%s: already bound to kmem (%llu block(s) online); --no-online leaves it as it is\n",
	     r->device, (unsigned long long)r->ctx->report.found_online);
	return MHP_NOTHING_TO_DO;
}

/*
 * The kernel's auto-online is arbitrated as in every apply (set offline
 * around the bind). Any other agent (a udev rule, a unit) would online
 * the blocks as kmem adds them, and nothing here can hold it off: with
 * MHP_APPLY_NO_ONLINE that race is refused before anything is changed,
 * as daxctl -N refuses an online policy.
 */
static int no_online_agents(struct run *r)
{
	unsigned int other = r->agents.kernel_auto_online ? 1 : 0;

	if (r->agents.nr <= other)
		return 0;
	return mhp_fail(r->ctx, -EBUSY,
			"%s's blocks are to stay offline, but %u agent(s) would online them as kmem adds them (first: %s); nothing was changed: disable the agent, or online the memory instead",
			r->device, r->agents.nr - other, r->agents.what[other]);
}

/* Refuse before anything is written: stale plan, consent, drivers, agents. */
static int preflight(struct run *r)
{
	struct mhp_ctx *ctx = r->ctx;
	struct mhp_plan *plan = r->plan;
	const char *name = r->device;
	enum mhp_dax_driver drv = mhp_dax_dev_get_driver(r->dev);
	const struct mhp_apply_report *rep = &ctx->report;
	unsigned int a;
	int rc;

	rc = check_stale(ctx, plan, r->dev);
	if (rc < 0)
		return rc;
	if (may_hold_data(plan, r->dev) && !(r->flags & MHP_APPLY_DESTROY_DATA))
		return mhp_fail(ctx, -EPERM,
				"%s may be persistent memory holding data (provenance: %s; only hmem and CXL RAM regions count as volatile); converting it to system RAM destroys that data. Re-run with --force-destroy-data if that is intended",
				name, mhp_provenance_name(mhp_dax_dev_get_provenance(r->dev)));
	if (plan->nr_blocks == 0)
		return mhp_fail(ctx, -EINVAL,
				"%s has no whole memory block after alignment; kmem would refuse it (see the plan's alignment_waste_bytes)",
				name);
	if (drv == MHP_DAX_DRIVER_OTHER)
		return mhp_fail(ctx, -EBUSY, "%s is bound to a driver libmhp does not know; unbind it first",
				name);
	rc = find_device(r);
	if (rc < 0)
		return rc;
	if ((r->flags & MHP_APPLY_NO_ONLINE) && drv == MHP_DAX_DRIVER_KMEM)
		return no_online_already_kmem(r);
	if (already_applied(r))
		return MHP_NOTHING_TO_DO;
	/* before any change: a missing kmem must not strand a changed knob */
	if ((drv != MHP_DAX_DRIVER_KMEM || r->convert) && !(r->flags & MHP_APPLY_DRY_RUN)) {
		rc = ensure_kmem(ctx);
		if (rc < 0)
			return rc;
	}
	if (r->shape_differs && (r->flags & MHP_APPLY_NO_CONVERT))
		return mhp_fail(ctx, -EBUSY,
				"%s is already online in another shape than planned (%llu block(s) online: %llu normal, %llu movable; memmap_on_memory=%d, the plan wants %d); refusing to convert it with --no-convert, nothing was changed",
				name, (unsigned long long)rep->found_online,
				(unsigned long long)rep->found_normal,
				(unsigned long long)rep->found_movable, rep->found_knob, r->want_knob);
	if (plan->memmap_on_device && mhp_dax_dev_get_memmap_on_memory(r->dev) < 0 &&
	    !plan->platform.kmem_memmap)
		return mhp_fail(ctx, -EOPNOTSUPP,
				"the plan puts the memmap on %s but this kernel's kmem cannot", name);

	mhp_agents_detect(ctx, &r->agents);
	for (a = 0; a < r->agents.nr; a++)
		emit(r, MHP_EVENT_WARNING, 0, MHP_ZONE_NONE, 0, "auto-online agent: %s",
		     r->agents.what[a]);
	if (r->agents.nr && (r->flags & MHP_APPLY_NO_ARBITRATE))
		return mhp_fail(ctx, -EBUSY,
				"%u agent(s) may online %s's blocks behind our back (first: %s); refusing with --no-arbitrate",
				r->agents.nr, name, r->agents.what[0]);
	if (r->flags & MHP_APPLY_NO_ONLINE) {
		rc = no_online_agents(r);
		if (rc < 0)
			return rc;
	}
	r->rebind = drv != MHP_DAX_DRIVER_KMEM || r->convert;
	r->total = plan->nr_blocks;
	return 0;
}

static void found_report(struct run *r, const char *verb)
{
	const struct mhp_apply_report *rep = &r->ctx->report;

	if (rep->found_driver != MHP_DAX_DRIVER_KMEM)
		return;
	emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
	     "found %s on kmem with memmap_on_memory=%d: %llu block(s) online (%llu normal, %llu movable); %s",
	     r->device, rep->found_knob, (unsigned long long)rep->found_online,
	     (unsigned long long)rep->found_normal, (unsigned long long)rep->found_movable,
	     r->convert ? (*verb == 'w' ? "would convert it in place" : "converting it in place") :
			  (r->shape_differs ? "re-onlining the blocks in the wrong zone" :
					      "onlining the rest"));
}

static int dry_run_report(struct run *r)
{
	const struct mhp_plan *plan = r->plan;
	int knob = mhp_dax_dev_get_memmap_on_memory(r->dev);
	enum mhp_dax_driver drv = mhp_dax_dev_get_driver(r->dev);

	found_report(r, "would");
	if (r->agents.kernel_auto_online && r->rebind)
		emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
		     "would set auto_online_blocks=offline (now %s) while binding",
		     r->agents.auto_online);
	if (r->convert)
		emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
		     "would offline %llu block(s) and unbind kmem",
		     (unsigned long long)r->ctx->report.found_online);
	if (knob >= 0 && knob != r->want_knob)
		emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
		     "would set %s/memmap_on_memory=%d", r->device, r->want_knob);
	if (drv != MHP_DAX_DRIVER_KMEM)
		emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
		     "would unbind %s from %s and bind kmem", r->device,
		     mhp_dax_driver_name(drv));
	if (r->flags & MHP_APPLY_NO_ONLINE) {
		emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
		     "would leave %llu block(s) from %llu offline",
		     (unsigned long long)plan->nr_blocks,
		     (unsigned long long)plan->blocks[0].index);
		return 0;
	}
	emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
	     "would online %llu block(s) from %llu: %llu MiB movable, %llu MiB normal",
	     (unsigned long long)plan->nr_blocks,
	     (unsigned long long)plan->blocks[0].index,
	     (unsigned long long)(plan->movable_bytes >> 20),
	     (unsigned long long)(plan->normal_bytes >> 20));
	return 0;
}

/* ---- apply: steps ---- */

/* Journal what was found, before any change: driver, knob, policy, blocks. */
static int step_journal(struct run *r)
{
	struct mhp_ctx *ctx = r->ctx;
	struct mhp_journal_state *st = &r->st;
	enum mhp_dax_driver drv = mhp_dax_dev_get_driver(r->dev);
	uint64_t idx;
	int rc;

	rc = mhp_journal_begin(ctx, r->device, "online", &r->journal);
	if (rc < 0)
		return rc;
	/* recovery needs the plan of an interrupted run */
	rc = mhp_state_save_plan(ctx, r->plan, "journal-plan.json");
	if (rc < 0)
		return rc;
	snprintf(st->device, sizeof(st->device), "%s", r->device);
	snprintf(st->prev_driver, sizeof(st->prev_driver), "%s",
		 drv == MHP_DAX_DRIVER_NONE ? "" : mhp_dax_driver_name(drv));
	st->prev_knob = mhp_dax_dev_get_memmap_on_memory(r->dev);
	snprintf(st->prev_auto_online, sizeof(st->prev_auto_online), "%s",
		 r->agents.auto_online);
	rc = mhp_journal_log(r->journal, "prev-driver %s\nprev-knob %d\nprev-auto-online %s\nrange %llu %llu",
			     st->prev_driver[0] ? st->prev_driver : "none", st->prev_knob,
			     st->prev_auto_online[0] ? st->prev_auto_online : "none",
			     (unsigned long long)r->first, (unsigned long long)r->end);
	for (idx = r->first; rc == 0 && idx < r->end; idx++) {
		const struct mhp_journal_block *b = &st->prev_blocks[idx - r->first];

		/* as find_device() read them, before any change */
		rc = mhp_journal_log(r->journal, "prev-block %llu %s %s",
				     (unsigned long long)idx, mhp_block_state_name(b->state),
				     mhp_zone_name(b->zone));
	}
	mhp_clear_error(ctx);
	if (rc == 0)
		rc = mhp_journal_log(r->journal, "prev-end");
	if (rc == 0)
		rc = mhp_journal_sync(r->journal);
	st->prev_complete = rc == 0;
	return rc;
}

/*
 * The indices of the memory blocks present now, sorted, in *@out (NULL and
 * 0 when they cannot be listed: then nothing is onlined on their behalf).
 */
static size_t present_blocks(struct mhp_ctx *ctx, uint64_t **out)
{
	size_t nr = 0, i, n = 0;
	char **names;

	*out = NULL;
	if (mhp_dir_list(ctx, "memory", &names, &nr, "/sys/devices/system/memory") < 0)
		return 0;
	*out = nr ? calloc(nr, sizeof(**out)) : NULL;
	for (i = 0; *out && i < nr; i++)
		if (sscanf(names[i], "memory%" SCNu64, &(*out)[n]) == 1)
			n++;
	mhp_dir_list_free(names, nr);
	return *out ? n : 0;
}

static bool was_parked(const struct run *r, uint64_t idx)
{
	size_t lo = 0, hi = r->nr_parked_blocks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->parked_blocks[mid] == idx)
			return true;
		if (r->parked_blocks[mid] < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * Is block @idx (of @bs bytes) inside a "System RAM (kmem)" range of
 * /proc/iomem? Such memory is a dax device's, and its own cxlmem unit (or
 * daxctl, which may have asked for it to stay offline) decides about it.
 */
static bool block_is_kmem(const char *iomem, uint64_t idx, uint64_t bs)
{
	const char *line;

	for (line = iomem; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		unsigned long long start, end;
		int name = 0;

		if (sscanf(line, " %llx-%llx : %n", &start, &end, &name) == 2 && name &&
		    strncmp(line + name, "System RAM (kmem)", 17) == 0 &&
		    idx * bs >= start && idx * bs <= end)
			return true;
	}
	return false;
}

/*
 * Memory that another driver or the firmware hot-added while the policy
 * was parked at offline came up offline only because of this run. Online
 * it as the restored policy would have, so that the run strands nothing;
 * the device's own blocks, blocks that were there before and other dax
 * devices' memory are left alone. Failures are reported, not fatal: the
 * memory is not ours.
 */
static void online_blocks_added_while_parked(struct run *r)
{
	const char *policy = r->st.prev_auto_online;
	uint64_t *now, bs = r->plan ? r->plan->platform.block_size : 0;
	char *iomem;
	size_t nr, i;

	if (!r->parked_blocks || !bs || strcmp(policy, "offline") == 0 ||
	    !valid_auto_online(policy))
		return;
	iomem = mhp_read_file(r->ctx, "/proc/iomem");
	nr = present_blocks(r->ctx, &now);
	for (i = 0; i < nr; i++) {
		uint64_t idx = now[i];
		struct mhp_block *b;
		int rc;

		if ((idx >= r->first && idx < r->end) || was_parked(r, idx) ||
		    block_is_kmem(iomem, idx, bs) ||
		    mhp_block_get_fresh(r->ctx, idx, &b) < 0 ||
		    mhp_block_get_state(b) != MHP_BLOCK_OFFLINE)
			continue;
		rc = block_write_state(r->ctx, idx, policy);
		/* the kernel or an agent may have onlined it meanwhile */
		if (rc == -EINVAL && mhp_block_get_fresh(r->ctx, idx, &b) == 0 &&
		    mhp_block_get_state(b) == MHP_BLOCK_ONLINE)
			continue;
		emit(r, MHP_EVENT_WARNING, idx, MHP_ZONE_NONE, rc < 0 ? rc : 0,
		     rc < 0 ? "block %llu was hot-added while auto_online_blocks was parked and cannot be onlined (%s): online it by hand" :
			      "block %llu was hot-added while auto_online_blocks was parked: onlined it as %s would have",
		     (unsigned long long)idx, rc < 0 ? strerror(-rc) : policy);
	}
	free(now);
	free(iomem);
	mhp_clear_error(r->ctx);
}

static int step_quiesce(struct run *r)
{
	int rc;

	if (!r->agents.kernel_auto_online || !r->rebind)
		return 0;
	emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
	     "setting auto_online_blocks=offline (was %s) while binding", r->agents.auto_online);
	r->st.auto_online_set = true;
	r->nr_parked_blocks = present_blocks(r->ctx, &r->parked_blocks);
	mhp_clear_error(r->ctx);	/* an unlistable directory only disables the above */
	rc = journaled_write(r, "auto-online offline", "offline",
			     "/sys/devices/system/memory/auto_online_blocks");
	return rc;
}

static const char *convert_remedy(void)
{
	return "the kernel has put unmovable pages in these ZONE_NORMAL blocks since it onlined them, so they cannot be offlined; boot with memhp_default_state=offline, so that the memory waits offline until cxlmem (cxlmem-online@.service at boot) onlines it into the planned zones";
}

/* Convert in place: offline the blocks of a live kmem device, unbind it. */
static int step_convert(struct run *r)
{
	struct mhp_ctx *ctx = r->ctx;
	struct mhp_apply_report *rep = &ctx->report;
	uint64_t deadline = now_ms() + 120000, idx;
	char record[64];
	int rc;

	if (!r->convert)
		return 0;
	rep->converted = true;
	emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
	     "offlining %llu block(s) to convert %s in place",
	     (unsigned long long)rep->found_online, r->device);
	for (idx = r->end; idx-- > r->first;) {
		struct mhp_journal_block now = block_now(ctx, idx);

		if (cancelled(r))
			return cancel_error(r);
		if (now.state != MHP_BLOCK_ONLINE)
			continue;
		snprintf(record, sizeof(record), "offline %llu", (unsigned long long)idx);
		rc = mhp_journal_log(r->journal, "%s", record);
		if (rc == 0)
			rc = offline_block(r, idx, now.zone, 5, deadline);
		if (rc < 0)
			return mhp_fail(ctx, rc,
					"cannot offline block %llu of %s (%s) to convert it: %s",
					(unsigned long long)idx, r->device,
					mhp_zone_name(now.zone),
					now.zone == MHP_ZONE_NORMAL ? convert_remedy() :
					"retry later, when fewer of its pages are pinned");
		rep->blocks_offlined++;
	}
	emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "unbinding kmem");
	r->st.unbound_kmem = true;
	rc = mhp_journal_log(r->journal, "unbind kmem");
	if (rc == 0)
		rc = driver_detach(ctx, r->dev, "kmem");
	mhp_blocks_invalidate(ctx);
	return rc;
}

static int step_knob(struct run *r)
{
	char record[16];
	int knob = mhp_dax_dev_get_memmap_on_memory(r->dev);

	if (knob < 0 || knob == r->want_knob ||
	    mhp_dax_dev_get_driver(r->dev) == MHP_DAX_DRIVER_KMEM)
		return 0;
	emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "setting memmap_on_memory=%d", r->want_knob);
	snprintf(record, sizeof(record), "knob %d", r->want_knob);
	r->st.knob_set = true;
	return journaled_write(r, record, r->want_knob ? "1" : "0",
			       "/sys/bus/dax/devices/%s/memmap_on_memory", r->device);
}

static int step_bind(struct run *r)
{
	struct mhp_ctx *ctx = r->ctx;
	int rc;

	if (mhp_dax_dev_get_driver(r->dev) == MHP_DAX_DRIVER_KMEM)
		return 0;
	if (mhp_dax_dev_get_driver(r->dev) == MHP_DAX_DRIVER_DEVICE_DAX) {
		emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "unbinding device_dax");
		r->st.unbound = true;
		rc = mhp_journal_log(r->journal, "unbind device_dax");
		if (rc == 0)
			rc = driver_detach(ctx, r->dev, "device_dax");
		if (rc < 0)
			return rc;
	}
	emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "binding kmem");
	r->st.bound_kmem = true;
	rc = mhp_journal_log(r->journal, "bind kmem");
	if (rc == 0)
		rc = bind_kmem(ctx, r->dev);
	/* kmem created new blocks: cached ones must be re-read */
	mhp_blocks_invalidate(ctx);
	return rc;
}

/*
 * Bring one block online in @zone. Another agent may have onlined it (or
 * do so between our reads and writes): take it if the zone is right,
 * otherwise offline and redo it. @was_online: the block was online in
 * this zone before the run, so it is nobody's news.
 */
static int online_block(struct run *r, const struct mhp_plan_block *pb, bool was_online)
{
	struct mhp_ctx *ctx = r->ctx;
	unsigned long long idx = pb->index;
	struct mhp_block *b;
	unsigned int attempts;
	bool fixed = false;
	int attempt, rc;

	/*
	 * The common case writes first, as daxctl does, and reads only when
	 * the kernel says no: EINVAL means someone onlined it already, and
	 * the loop below finds out in which zone. Saves two reads a block.
	 */
	if (!was_online) {
		rc = block_write_state(ctx, pb->index, online_word(pb->zone));
		if (rc == 0) {
			r->done++;
			ctx->report.blocks_onlined++;
			emit(r, MHP_EVENT_BLOCK_ONLINE, pb->index, pb->zone, 0,
			     "block %llu online %s", idx, mhp_zone_name(pb->zone));
			return 0;
		}
		if (rc == -ENOENT)
			return mhp_fail(ctx, rc,
					"memory block %llu of the plan did not appear after binding kmem",
					idx);
		if (rc != -EINVAL && rc != -EAGAIN && rc != -EBUSY)
			return mhp_fail(ctx, rc,
					"cannot online memory block %llu as %s: %s (the kernel refuses this zone for the block)",
					idx, mhp_zone_name(pb->zone), strerror(-rc));
		mhp_clear_error(ctx);
	}
	for (attempt = 0; attempt < 5; attempt++) {
		rc = block_refresh(ctx, pb->index, &b);
		if (rc < 0)
			return mhp_fail(ctx, rc,
					"memory block %llu of the plan did not appear after binding kmem",
					idx);
		if (mhp_block_get_state(b) == MHP_BLOCK_ONLINE) {
			if (mhp_block_get_zone(b) == pb->zone) {
				r->done++;
				if (was_online && !fixed) {
					emit(r, MHP_EVENT_BLOCK_ONLINE, pb->index, pb->zone, 0,
					     "block %llu was already online %s", idx,
					     mhp_zone_name(pb->zone));
					return 0;
				}
				ctx->report.blocks_onlined += fixed;
				emit(r, fixed ? MHP_EVENT_BLOCK_FIXED : MHP_EVENT_BLOCK_FOREIGN,
				     pb->index, pb->zone, 0,
				     fixed ? "block %llu was onlined by another agent in the wrong zone; re-onlined %s" :
					     "block %llu was onlined by another agent, already %s",
				     idx, mhp_zone_name(pb->zone));
				return 0;
			}
			emit(r, MHP_EVENT_WARNING, pb->index, mhp_block_get_zone(b), 0,
			     "block %llu is online in %s, planned %s: offlining it to redo",
			     idx, mhp_zone_name(mhp_block_get_zone(b)), mhp_zone_name(pb->zone));
			/* the same retries as a conversion: pages migrate away */
			rc = offline_retrying(ctx, pb->index, 5, now_ms() + 60000, &attempts);
			if (rc < 0)
				return mhp_fail(ctx, rc,
						"block %llu is online in the wrong zone and cannot be offlined to fix it (%u attempts): %s%s%s",
						idx, attempts, strerror(-rc),
						mhp_block_get_zone(b) == MHP_ZONE_NORMAL ? "; " : "",
						mhp_block_get_zone(b) == MHP_ZONE_NORMAL ? convert_remedy() : "");
			ctx->report.blocks_offlined += rc == 0;
			fixed = true;
			continue;
		}
		rc = block_write_state(ctx, pb->index, online_word(pb->zone));
		if (rc == 0) {
			r->done++;
			ctx->report.blocks_onlined++;
			emit(r, fixed ? MHP_EVENT_BLOCK_FIXED : MHP_EVENT_BLOCK_ONLINE,
			     pb->index, pb->zone, 0,
			     fixed ? "block %llu re-onlined %s after another agent onlined it in the wrong zone" :
				     "block %llu online %s", idx, mhp_zone_name(pb->zone));
			return 0;
		}
		/* EINVAL: it went online meanwhile; look again */
		if (rc != -EINVAL && rc != -EAGAIN && rc != -EBUSY)
			break;
		mhp_clear_error(ctx);
	}
	return mhp_fail(ctx, rc < 0 ? rc : -EIO,
			"cannot online memory block %llu as %s: %s (the kernel refuses this zone for the block, or another agent keeps changing it)",
			idx, mhp_zone_name(pb->zone), strerror(rc < 0 ? -rc : EIO));
}

static int step_online(struct run *r)
{
	const struct mhp_plan *plan = r->plan;
	uint64_t i;
	int rc;

	emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "onlining %llu block(s)",
	     (unsigned long long)plan->nr_blocks);
	for (i = 0; i < plan->nr_blocks; i++) {
		const struct mhp_plan_block *pb = &plan->blocks[i];
		struct mhp_journal_block was = block_before(&r->st, pb->index);
		char record[64];

		if (cancelled(r))
			return cancel_error(r);
		snprintf(record, sizeof(record), "online %llu %s",
			 (unsigned long long)pb->index, mhp_zone_name(pb->zone));
		rc = mhp_journal_log(r->journal, "%s", record);
		if (rc == 0)
			rc = online_block(r, pb, !r->convert && was.state == MHP_BLOCK_ONLINE &&
					  was.zone == pb->zone);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int step_restore_auto_online(struct run *r)
{
	int rc;

	if (!r->st.auto_online_set)
		return 0;
	emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "restoring auto_online_blocks=%s",
	     r->st.prev_auto_online);
	rc = mhp_write_attr(r->ctx, r->st.prev_auto_online,
			    "/sys/devices/system/memory/auto_online_blocks");
	if (rc < 0)
		return rc;
	r->st.auto_online_set = false;
	online_blocks_added_while_parked(r);
	return mhp_journal_log(r->journal, "restored auto-online");
}

static int step_verify(struct run *r)
{
	const struct mhp_plan *plan = r->plan;
	uint64_t i;

	for (i = 0; i < plan->nr_blocks; i++) {
		const struct mhp_plan_block *pb = &plan->blocks[i];
		struct mhp_block *b;
		int rc = block_refresh(r->ctx, pb->index, &b);

		if (rc < 0)
			return rc;
		if (mhp_block_get_state(b) != MHP_BLOCK_ONLINE ||
		    mhp_block_get_zone(b) != pb->zone)
			return mhp_fail(r->ctx, -EIO,
					"verification failed: block %llu is %s/%s, planned online/%s",
					(unsigned long long)pb->index,
					mhp_block_state_name(mhp_block_get_state(b)),
					mhp_zone_name(mhp_block_get_zone(b)),
					mhp_zone_name(pb->zone));
	}
	return 0;
}

/*
 * MHP_APPLY_NO_ONLINE: every block kmem made of the device exists and is
 * offline. One that is online was onlined by an agent nobody detected
 * (the run wrote no online): the race -N must not lose silently, so the
 * run fails and the rollback offlines it again.
 */
static int step_verify_offline(struct run *r)
{
	uint64_t idx;

	emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "leaving %llu block(s) offline",
	     (unsigned long long)r->plan->nr_blocks);
	mhp_blocks_invalidate(r->ctx);
	for (idx = r->first; idx < r->end; idx++) {
		struct mhp_block *b;
		int rc = block_refresh(r->ctx, idx, &b);

		if (rc == -ENOENT && !planned(r->plan, idx))
			continue;	/* a partial block kmem does not add */
		if (rc < 0)
			return mhp_fail(r->ctx, rc == -ENOENT ? -EIO : rc,
					"verification failed: memory block %llu of the plan %s after binding kmem",
					(unsigned long long)idx,
					rc == -ENOENT ? "did not appear" : "cannot be read");
		if (mhp_block_get_state(b) == MHP_BLOCK_OFFLINE)
			continue;
		return mhp_fail(r->ctx, -EBUSY,
				"memory block %llu is %s%s%s although it was to stay offline: another agent onlines %s's memory as kmem adds it (a udev rule or a service); disable it, or online the memory instead",
				(unsigned long long)idx,
				mhp_block_state_name(mhp_block_get_state(b)),
				mhp_block_get_state(b) == MHP_BLOCK_ONLINE ? " in " : "",
				mhp_block_get_state(b) == MHP_BLOCK_ONLINE ?
				mhp_zone_name(mhp_block_get_zone(b)) : "",
				r->device);
	}
	return 0;
}

static void finish(struct run *r)
{
	const struct mhp_apply_report *rep = &r->ctx->report;

	if (rep->found_driver == MHP_DAX_DRIVER_KMEM) {
		char migrated[256];

		migration_words(rep, mhp_dax_dev_get_target_node(r->dev), migrated,
				sizeof(migrated));
		emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
		     "%s %s: offlined %llu and onlined %llu block(s); the kernel migrated %s",
		     rep->converted ? "converted" : "completed", r->device,
		     (unsigned long long)rep->blocks_offlined,
		     (unsigned long long)rep->blocks_onlined, migrated);
	}
	/* blocks left offline are no applied plan: status must not call them drift */
	if (r->flags & MHP_APPLY_NO_ONLINE)
		mhp_state_forget_applied(r->ctx, r->device);
	else if (mhp_state_keep_applied(r->ctx, r->device) < 0)
		dbg(r->ctx, "cannot keep the applied plan of %s\n", r->device);
	mhp_journal_log(r->journal, "done");
	mhp_journal_end(r->journal);
	r->journal = NULL;
}

static int fail_and_rollback(struct run *r, int rc)
{
	struct mhp_ctx *ctx = r->ctx;
	char why[512], rbwhy[512];
	int rb;

	snprintf(why, sizeof(why), "%s", ctx->last_error[0] ? ctx->last_error : strerror(-rc));
	emit(r, MHP_EVENT_ROLLBACK, 0, MHP_ZONE_NONE, rc, "failed: %s; rolling back", why);
	rb = rollback(r, r->dev, &r->st);
	if (rb == 0) {
		ctx->report.rolled_back = true;
		mhp_journal_end(r->journal);
		r->journal = NULL;
		return mhp_fail(ctx, rc, "%s; rolled back, %s is as before (restored %llu block(s))",
				why, r->device, (unsigned long long)ctx->report.blocks_restored);
	}
	snprintf(rbwhy, sizeof(rbwhy), "%s", ctx->last_error);
	mhp_journal_close(r->journal);
	r->journal = NULL;
	return mhp_fail(ctx, rc, "%s; rollback incomplete (%s); the journal is kept for 'cxlmem recover'",
			why, rbwhy);
}

typedef int (*apply_step)(struct run *r);

static int apply_locked(struct run *r)
{
	static const apply_step steps[] = {
		step_quiesce, step_convert, step_knob, step_bind, step_online,
		step_restore_auto_online, step_verify,
	};
	/* kmem is not bound (preflight), so there is nothing to convert */
	static const apply_step no_online_steps[] = {
		step_quiesce, step_knob, step_bind, step_restore_auto_online,
		step_verify_offline,
	};
	bool no_online = r->flags & MHP_APPLY_NO_ONLINE;
	size_t i, n = no_online ? ARRAY_SIZE(no_online_steps) : ARRAY_SIZE(steps);
	int rc;

	rc = preflight(r);
	if (rc != 0)
		return rc;
	if (r->flags & MHP_APPLY_DRY_RUN)
		return dry_run_report(r);
	rc = step_journal(r);
	if (rc < 0) {
		mhp_journal_end(r->journal);
		r->journal = NULL;
		return rc;
	}
	found_report(r, "doing");
	migration_begin(r);
	for (i = 0; i < n; i++) {
		apply_step step = no_online ? no_online_steps[i] : steps[i];

		/* between steps: a step, once started, finishes */
		rc = cancelled(r) ? cancel_error(r) : step(r);
		if (rc < 0)
			return fail_and_rollback(r, rc);
	}
	migration_end(r);
	finish(r);
	return 0;
}

/* Root, the lock, and no interrupted run pending: before any change. */
static int begin_change(struct mhp_ctx *ctx, const char *what, int *lock)
{
	int rc = check_root(ctx, what);

	if (rc < 0)
		return rc;
	rc = mhp_lock(ctx, lock);
	if (rc < 0)
		return rc;
	if (mhp_journal_device(ctx)) {
		mhp_unlock(ctx, *lock);
		*lock = -1;
		return mhp_fail(ctx, -EEXIST,
				"an interrupted run on %s left a journal in %s; run 'cxlmem recover' (or online-region --recover) first",
				ctx->journal_device, mhp_get_state_dir(ctx));
	}
	return 0;
}

MHP_EXPORT const struct mhp_apply_report *mhp_get_apply_report(struct mhp_ctx *ctx)
{
	return &ctx->report;
}

MHP_EXPORT int mhp_apply(struct mhp_ctx *ctx, struct mhp_plan *plan, unsigned int flags,
			 mhp_event_fn fn, void *userdata)
{
	struct run r = { .ctx = ctx, .fn = fn, .userdata = userdata, .plan = plan,
			 .flags = flags };
	int lock = -1, rc;

	mhp_clear_error(ctx);
	memset(&ctx->report, 0, sizeof(ctx->report));
	ctx->report.found_knob = -1;
	ctx->report.migrated_bytes = UINT64_MAX;
	if (!plan || !plan->input.target)
		return mhp_fail(ctx, -EINVAL, "a model plan cannot be applied; plan a dax device");
	r.device = plan->input.target;
	r.want_knob = plan->memmap_on_device ? 1 : 0;
	r.st.prev_knob = -1;
	if (!(flags & MHP_APPLY_DRY_RUN)) {
		rc = begin_change(ctx, "onlining memory", &lock);
		if (rc < 0)
			return rc;
	}
	r.dev = mhp_dax_dev_get_by_name(ctx, r.device);
	if (!r.dev) {
		rc = mhp_fail(ctx, -ENODEV, "dax device %s does not exist (see 'cxlmem list')",
			      r.device);
		goto out;
	}
	mhp_dax_dev_refresh(r.dev);
	rc = dev_block_range(ctx, r.dev, &r.first, &r.end);
	if (rc == 0)
		rc = apply_locked(&r);
	/* a step's cancel already says so; the lock wait's does not */
	if (rc == -ECANCELED && !strstr(ctx->last_error, "interrupted by a signal")) {
		char why[512];

		snprintf(why, sizeof(why), "%s", ctx->last_error);
		mhp_fail(ctx, rc, "interrupted by a signal; %s", why);
	}
out:
	/* the request is consumed by the run it stopped */
	if (!(flags & MHP_APPLY_DRY_RUN))
		ctx->cancel = 0;
	free(r.parked_blocks);
	mhp_journal_state_free(&r.st);
	mhp_unlock(ctx, lock);
	return rc;
}

/* ---- offline ---- */

static const char *offline_hint(int rc, enum mhp_zone zone)
{
	if (zone == MHP_ZONE_NORMAL)
		return "the block is in ZONE_NORMAL, where unmovable kernel allocations usually pin it";
	if (rc == -EBUSY)
		return "unmovable or pinned pages (e.g. long-term GUP, or pages failing migration)";
	if (rc == -EINTR)
		return "interrupted by a signal";
	if (rc == -EAGAIN)
		return "page isolation kept failing";
	return strerror(-rc);
}

/*
 * Write "offline" to block @idx until it takes, retrying what the kernel
 * reports as transient (pages being migrated or pinned for a moment) with
 * a growing backoff, at most @retries times and not past @deadline.
 * *@attempts says how many writes were made.
 */
static int offline_retrying(struct mhp_ctx *ctx, uint64_t idx, unsigned int retries,
			    uint64_t deadline, unsigned int *attempts)
{
	unsigned int backoff = ctx->retry_backoff_ms ? ctx->retry_backoff_ms : 50;
	struct mhp_block *b;
	int rc;

	for (*attempts = 1;; ++*attempts) {
		rc = block_write_state(ctx, idx, "offline");
		if (rc == -EINVAL && block_refresh(ctx, idx, &b) == 0 &&
		    mhp_block_get_state(b) == MHP_BLOCK_OFFLINE)
			rc = 0;	/* it was offline already */
		if (rc == 0 || (rc != -EBUSY && rc != -EAGAIN && rc != -EINTR) ||
		    *attempts >= retries || now_ms() + backoff > deadline)
			return rc;
		sleep_ms(backoff);
		backoff = backoff < 1000 ? backoff * 2 : 1000;
	}
}

/* @zone: the online block's zone, just read by the caller (for the messages) */
static int offline_block(struct run *r, uint64_t idx, enum mhp_zone zone,
			 unsigned int retries, uint64_t deadline)
{
	struct mhp_ctx *ctx = r->ctx;
	unsigned int attempts;
	int rc;

	rc = offline_retrying(ctx, idx, retries, deadline, &attempts);
	if (rc == 0) {
		mhp_clear_error(ctx);
		r->done++;
		emit(r, MHP_EVENT_BLOCK_OFFLINE, idx, zone, 0, "block %llu offline",
		     (unsigned long long)idx);
		return 0;
	}
	emit(r, MHP_EVENT_BLOCK_FAILED, idx, zone, rc,
	     "block %llu stays online after %u attempt(s): %s (%s)",
	     (unsigned long long)idx, attempts, strerror(-rc), offline_hint(rc, zone));
	return rc;
}

static int rebind_device_dax(struct run *r, struct mhp_dax_dev *dev)
{
	emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "binding device_dax");
	return driver_attach(r->ctx, dev, "device_dax", MHP_DAX_DRIVER_DEVICE_DAX);
}

MHP_EXPORT int mhp_offline(struct mhp_ctx *ctx, const char *device, enum mhp_offline_to to,
			   unsigned int timeout_ms, unsigned int retries,
			   mhp_event_fn fn, void *userdata)
{
	struct run r = { .ctx = ctx, .device = device, .fn = fn, .userdata = userdata };
	struct mhp_journal_block now;
	struct mhp_dax_dev *dev;
	uint64_t first, end, idx, deadline, failed = 0;
	int lock = -1, rc;

	mhp_clear_error(ctx);
	rc = begin_change(ctx, "offlining memory", &lock);
	if (rc < 0)
		return rc;
	dev = mhp_dax_dev_get_by_name(ctx, device);
	if (!dev) {
		rc = mhp_fail(ctx, -ENODEV, "dax device %s does not exist (see 'cxlmem list')",
			      device);
		goto out;
	}
	mhp_dax_dev_refresh(dev);
	rc = dev_block_range(ctx, dev, &first, &end);
	if (rc < 0)
		goto out;
	if (mhp_dax_dev_get_driver(dev) != MHP_DAX_DRIVER_KMEM) {
		if (to == MHP_OFFLINE_TO_KMEM) {
			rc = mhp_fail(ctx, -ENXIO, "%s is not bound to kmem: it has no memory blocks to offline",
				      device);
			goto out;
		}
		if (to == MHP_OFFLINE_TO_DEVDAX &&
		    mhp_dax_dev_get_driver(dev) == MHP_DAX_DRIVER_NONE) {
			rc = rebind_device_dax(&r, dev);
			goto out;
		}
		rc = MHP_NOTHING_TO_DO;
		goto out;
	}
	for (idx = first; idx < end; idx++)
		if (block_now(ctx, idx).state != MHP_BLOCK_OFFLINE)
			r.total++;
	mhp_clear_error(ctx);
	deadline = now_ms() + (timeout_ms ? timeout_ms : 120000);
	emit(&r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "offlining %llu block(s)",
	     (unsigned long long)r.total);
	for (idx = end; idx-- > first;) {
		if (cancelled(&r)) {
			rc = mhp_fail(ctx, -ECANCELED,
				      "interrupted by a signal after offlining %llu of %llu block(s) of %s; kmem stays bound, run offline-region again to finish",
				      (unsigned long long)r.done, (unsigned long long)r.total, device);
			goto out;
		}
		now = block_now(ctx, idx);
		if (now.state == MHP_BLOCK_UNKNOWN) {
			/* unreadable or going offline: not known to be offline */
			emit(&r, MHP_EVENT_BLOCK_FAILED, idx, MHP_ZONE_NONE, -EIO,
			     "the state of block %llu cannot be read (or it is still going offline)",
			     (unsigned long long)idx);
			failed++;
			continue;
		}
		if (now.state != MHP_BLOCK_ONLINE)
			continue;
		if (offline_block(&r, idx, now.zone, retries ? retries : 10, deadline) < 0)
			failed++;
	}
	if (failed) {
		rc = mhp_fail(ctx, -EBUSY,
			      "%llu of %llu block(s) of %s stayed online; kmem stays bound (unbinding now would leak the range until reboot). Retry later or with a longer --timeout",
			      (unsigned long long)failed, (unsigned long long)r.total, device);
		goto out;
	}
	if (to == MHP_OFFLINE_TO_KMEM) {
		/* offline, still on kmem: the applied plan no longer holds */
		mhp_state_forget_applied(ctx, device);
		rc = r.total ? 0 : MHP_NOTHING_TO_DO;
		goto out_invalidate;
	}
	emit(&r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "unbinding kmem");
	rc = driver_detach(ctx, dev, "kmem");
	if (rc < 0)
		goto out_invalidate;
	/* the plan no longer describes the device */
	mhp_state_forget_applied(ctx, device);
	if (to == MHP_OFFLINE_TO_DEVDAX)
		rc = rebind_device_dax(&r, dev);
	if (rc < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", ctx->last_error);
		rc = mhp_fail(ctx, rc, "%s is offline and unbound from kmem, but binding device_dax failed: %s",
			      device, why);
	}
out_invalidate:
	mhp_blocks_invalidate(ctx);
out:
	ctx->cancel = 0;
	mhp_unlock(ctx, lock);
	return rc;
}

/* ---- recovery ---- */

/*
 * A journal is a file: it may be stale, corrupt or crafted. Everything
 * recovery would act on must match the live device.
 */
static int validate_journal(struct mhp_ctx *ctx, const struct mhp_journal_state *st,
			    struct mhp_dax_dev **dev)
{
	uint64_t first, end, idx;
	int rc;

#define BAD(fmt, ...) mhp_fail(ctx, -EINVAL, "the journal of %s cannot be trusted: " fmt "; move %s/journal away and check the device by hand", \
			       st->device[0] ? st->device : "an unknown device", __VA_ARGS__, \
			       mhp_get_state_dir(ctx))
	if (!st->device[0] || strcmp(st->op, "online") != 0)
		return BAD("%s", "it names no device or an unknown operation");
	*dev = mhp_dax_dev_get_by_name(ctx, st->device);
	if (!*dev)
		return mhp_fail(ctx, -ENODEV, "the journal names %s, which no longer exists",
				st->device);
	mhp_dax_dev_refresh(*dev);
	if (st->prev_driver[0] && strcmp(st->prev_driver, "kmem") != 0 &&
	    strcmp(st->prev_driver, "device_dax") != 0)
		return BAD("the previous driver '%s' is not kmem or device_dax", st->prev_driver);
	if (st->prev_knob < -1 || st->prev_knob > 1)
		return BAD("memmap_on_memory=%d is not 0 or 1", st->prev_knob);
	if (st->prev_auto_online[0] && !valid_auto_online(st->prev_auto_online))
		return BAD("auto_online_blocks '%s' is not offline, online, online_kernel or online_movable",
			   st->prev_auto_online);
	if (!st->prev_complete)
		return 0;	/* nothing was changed after it */
	rc = dev_block_range(ctx, *dev, &first, &end);
	if (rc < 0)
		return rc;
	if (st->first != first || st->end != end)
		return BAD("its blocks %llu-%llu are not %s's blocks %llu-%llu",
			   (unsigned long long)st->first, (unsigned long long)st->end - 1,
			   st->device, (unsigned long long)first, (unsigned long long)end - 1);
	/* prev-end promises a record for every block; rollback acts on each */
	for (idx = first; idx < end; idx++) {
		const struct mhp_journal_block *b = &st->prev_blocks[idx - first];

		if (!b->recorded)
			return BAD("prev-end follows no record of block %llu", (unsigned long long)idx);
		/* without kmem there are no blocks to be online */
		if (strcmp(st->prev_driver, "kmem") != 0 && b->state != MHP_BLOCK_OFFLINE)
			return BAD("block %llu is recorded online, but the device was found on %s",
				   (unsigned long long)idx,
				   st->prev_driver[0] ? st->prev_driver : "no driver");
	}
#undef BAD
	return 0;
}

/* The plan of the interrupted run, if it still describes the device. */
static struct mhp_plan *journal_plan(struct run *r, struct mhp_dax_dev *dev)
{
	struct mhp_ctx *ctx = r->ctx;
	struct mhp_plan *plan = NULL;

	if (mhp_state_load_plan(ctx, "journal-plan.json", &plan) < 0 || !plan->input.target ||
	    strcmp(plan->input.target, r->device) != 0 || check_stale(ctx, plan, dev) < 0) {
		if (plan)
			emit(r, MHP_EVENT_WARNING, 0, MHP_ZONE_NONE, 0,
			     "the saved plan of the interrupted run does not describe %s now (%s); it is not used",
			     r->device, ctx->last_error);
		mhp_clear_error(ctx);
		mhp_plan_unref(plan);
		return NULL;
	}
	return plan;
}

/*
 * Finishing the plan is the way out only when the rollback stopped at
 * blocks that would not go offline (so kmem had to stay bound), and
 * kmem holds the device with the knob the plan wants: then onlining the
 * plan's blocks completes it. After any other failure (a driver or
 * policy write, a knob the plan did not want) it would build something
 * neither as found nor as planned, so the journal stays for a retry.
 */
static bool may_roll_forward(struct run *r, const struct mhp_plan *plan,
			     struct mhp_dax_dev *dev)
{
	int knob;

	if (!plan || !plan->nr_blocks || !r->rollback_stuck)
		return false;
	mhp_dax_dev_refresh(dev);
	knob = mhp_dax_dev_get_memmap_on_memory(dev);
	/* no knob (6.1's kmem): the module parameter the plan checked decides */
	return mhp_dax_dev_get_driver(dev) == MHP_DAX_DRIVER_KMEM &&
	       (knob < 0 || knob == (plan->memmap_on_device ? 1 : 0));
}

static int roll_forward(struct run *r, const struct mhp_plan *plan,
			const struct mhp_journal_state *st)
{
	uint64_t i;
	int rc = 0;

	emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
	     "rollback impossible (%s); completing the plan instead", r->ctx->last_error);
	mhp_clear_error(r->ctx);
	mhp_blocks_invalidate(r->ctx);
	r->done = 0;
	r->total = plan->nr_blocks;
	for (i = 0; i < plan->nr_blocks && rc == 0; i++)
		rc = online_block(r, &plan->blocks[i], false);
	/* the live value decides, not a record that may not have been synced */
	if (rc == 0 && st->prev_auto_online[0])
		rc = mhp_write_attr(r->ctx, st->prev_auto_online,
				    "/sys/devices/system/memory/auto_online_blocks");
	if (rc == 0) {
		r->plan = (struct mhp_plan *)plan;
		rc = step_verify(r);
	}
	return rc;
}

/*
 * A journal written before the last reboot describes sysfs state that is
 * gone: acting on it would "restore" a device that has nothing to do
 * with it. It is discarded, saying so. Journals without a boot id (older
 * ones) and trees without one ("unknown") are not checked.
 */
static bool journal_from_earlier_boot(struct run *r, const struct mhp_journal_state *st)
{
	char now[40], path[MHP_PATH_MAX];

	if (!st->boot_id[0] || strcmp(st->boot_id, "unknown") == 0)
		return false;
	mhp_journal_boot_id(r->ctx, now, sizeof(now));
	if (strcmp(now, "unknown") == 0 || strcmp(now, st->boot_id) == 0)
		return false;
	mhp_state_path(r->ctx, path, sizeof(path), "journal");
	emit(r, MHP_EVENT_WARNING, 0, MHP_ZONE_NONE, 0,
	     "discarding %s: it was written in an earlier boot (%s, this is %s), so nothing it records about %s is true any more; check the device with 'cxlmem status'",
	     path, st->boot_id, now, st->device[0] ? st->device : "its device");
	return true;
}

MHP_EXPORT int mhp_recover(struct mhp_ctx *ctx, mhp_event_fn fn, void *userdata)
{
	struct run r = { .ctx = ctx, .fn = fn, .userdata = userdata };
	struct mhp_journal_state st = { .prev_knob = -1 };
	struct mhp_dax_dev *dev = NULL;
	struct mhp_plan *plan = NULL;
	int lock = -1, rc;

	mhp_clear_error(ctx);
	rc = check_root(ctx, "recovery");
	if (rc < 0)
		return rc;
	/* the lock first: the journal of a run in progress is not ours to read */
	rc = mhp_lock(ctx, &lock);
	if (rc < 0)
		return rc;
	rc = mhp_journal_read(ctx, &st);
	if (rc == -ENOENT) {
		rc = MHP_NOTHING_TO_DO;
		goto out;
	}
	if (rc < 0)
		goto out;
	r.device = st.device;
	if (journal_from_earlier_boot(&r, &st)) {
		mhp_journal_remove(ctx);
		goto out;
	}
	rc = validate_journal(ctx, &st, &dev);
	if (rc < 0)
		goto out;
	if (st.done || !st.prev_complete) {
		/* finished, or stopped before changing anything */
		mhp_journal_remove(ctx);
		goto out;
	}
	plan = journal_plan(&r, dev);
	emit(&r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
	     "rolling back the interrupted run on %s (pid %d)", st.device, st.pid);
	rc = rollback(&r, dev, &st);
	/* blocks that cannot go offline: finish the plan instead */
	if (rc < 0 && may_roll_forward(&r, plan, dev))
		rc = roll_forward(&r, plan, &st);
	if (rc == 0) {
		mhp_journal_remove(ctx);
	} else {
		char why[512];

		snprintf(why, sizeof(why), "%s", ctx->last_error);
		rc = mhp_fail(ctx, rc, "recovery of %s is incomplete: %s; the journal is kept, so 'cxlmem recover' can be run again",
			      st.device, why);
	}
out:
	ctx->cancel = 0;
	mhp_plan_unref(plan);
	mhp_journal_state_free(&st);
	mhp_unlock(ctx, lock);
	return rc;
}
