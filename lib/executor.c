// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The executor: apply a plan exactly (knob, kmem, per-block zones), undo
 * it on failure, offline a device with retries, recover interrupted runs.
 */
#include <libkmod.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "ctx.h"

struct run {
	struct mhp_ctx *ctx;
	const char *device;
	mhp_event_fn fn;
	void *userdata;
	uint64_t done, total;
	struct mhp_journal *journal;
	struct mhp_journal_state prev;	/* what to restore */
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

static int block_write_state(struct mhp_ctx *ctx, uint64_t idx, const char *state)
{
	return mhp_write_attr(ctx, state, "/sys/devices/system/memory/memory%llu/state",
			      (unsigned long long)idx);
}

static int block_refresh(struct mhp_ctx *ctx, uint64_t idx, struct mhp_block **b)
{
	int rc = mhp_block_get(ctx, idx, b);

	return rc < 0 ? rc : mhp_block_refresh(*b);
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

static int bind_kmem(struct mhp_ctx *ctx, struct mhp_dax_dev *dev)
{
	const char *name = mhp_dax_dev_get_name(dev);
	int rc;

	/* 6.1: device_dax matches everything, so kmem needs a new_id */
	rc = driver_write(ctx, "kmem", "new_id", name);
	if (rc == -EEXIST || rc == -ENODEV || rc == -EINVAL) {
		mhp_clear_error(ctx);
		rc = driver_write(ctx, "kmem", "bind", name);
	}
	mhp_dax_dev_refresh(dev);
	if (rc == 0 && mhp_dax_dev_get_driver(dev) != MHP_DAX_DRIVER_KMEM)
		rc = -ENXIO;
	if (rc < 0)
		return mhp_fail(ctx, rc,
				"kmem did not take %s (%s): the kernel log (dmesg) says why, e.g. no target node, the range is busy, or nothing is left after block alignment",
				name, strerror(-rc));
	return 0;
}

/* Blocks [first, end) kmem makes of the device's range. */
static int dev_block_range(struct mhp_ctx *ctx, struct mhp_dax_dev *dev,
			   uint64_t *first, uint64_t *end)
{
	uint64_t res = mhp_dax_dev_get_resource(dev), bs;
	struct mhp_platform *p;
	int rc;

	if (res == UINT64_MAX)
		return mhp_fail(ctx, -EACCES, "the physical range of %s is unreadable",
				mhp_dax_dev_get_name(dev));
	rc = mhp_get_platform(ctx, &p);
	if (rc < 0)
		return rc;
	bs = mhp_platform_get_block_size(p);
	mhp_platform_unref(p);
	*first = DIV_ROUND_UP(res, bs);
	*end = (res + mhp_dax_dev_get_size(dev)) / bs;
	return 0;
}

/* ---- saved plans ---- */

static int plan_save(struct mhp_ctx *ctx, const struct mhp_plan *plan, const char *name)
{
	char path[MHP_PATH_MAX], tmp[MHP_PATH_MAX + 8], *json;
	FILE *f;
	int rc;

	rc = mhp_plan_to_json(plan, MHP_JSON_BLOCKS, &json);
	if (rc < 0)
		return rc;
	mhp_state_path(ctx, path, sizeof(path), name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	rc = f ? 0 : -errno;
	if (f) {
		if (fputs(json, f) < 0 || fflush(f) || fdatasync(fileno(f)))
			rc = -EIO;
		if (fclose(f) && !rc)
			rc = -EIO;
	}
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	free(json);
	if (rc < 0)
		return mhp_fail(ctx, rc, "cannot save the plan to %s: %s", path, strerror(-rc));
	return 0;
}

static int plan_load(struct mhp_ctx *ctx, const char *name, struct mhp_plan **plan)
{
	char *json = mhp_read_file(ctx, "%s/%s", mhp_get_state_dir(ctx), name);
	int rc;

	if (!json)
		return -errno;
	rc = mhp_plan_from_json(ctx, json, plan);
	free(json);
	return rc;
}

static void applied_name(char *buf, size_t len, const char *device)
{
	snprintf(buf, len, "applied-%s.json", device);
}

MHP_EXPORT int mhp_get_applied_plan(struct mhp_ctx *ctx, const char *device,
				    struct mhp_plan **plan)
{
	char name[64];

	applied_name(name, sizeof(name), device);
	return plan_load(ctx, name, plan);
}

/* ---- rollback ---- */

static int offline_block(struct run *r, uint64_t idx, unsigned int retries,
			 uint64_t deadline);

/*
 * Put the device back as the journal says it was: offline what this run
 * onlined (or, if it was not kmem-bound before, every online block of
 * the range), unbind kmem, rebind the previous driver, restore the knob
 * and auto_online_blocks. Returns 0 when everything was restored.
 */
static int rollback(struct run *r, struct mhp_dax_dev *dev,
		    const struct mhp_journal_state *st, uint64_t first, uint64_t end)
{
	struct mhp_ctx *ctx = r->ctx;
	bool was_kmem = strcmp(st->prev_driver, "kmem") == 0;
	uint64_t deadline = now_ms() + 30000, idx;
	int rc = 0, still_online = 0;

	mhp_blocks_free(ctx);
	for (idx = end; idx-- > first;) {
		struct mhp_block *b;
		bool ours = !was_kmem;
		size_t i;

		for (i = 0; !ours && i < st->nr_onlined; i++)
			ours = st->onlined[i] == idx;
		if (!ours || block_refresh(ctx, idx, &b) < 0 ||
		    mhp_block_get_state(b) == MHP_BLOCK_OFFLINE)
			continue;
		emit(r, MHP_EVENT_ROLLBACK, idx, mhp_block_get_zone(b), 0,
		     "offlining memory block %llu", (unsigned long long)idx);
		if (offline_block(r, idx, 5, deadline) < 0)
			still_online++;
	}
	mhp_clear_error(ctx);
	if (still_online) {
		rc = mhp_fail(ctx, -EBUSY,
			      "rollback incomplete: %d block(s) of %s could not be offlined, so kmem stays bound (unbinding would leak the range until reboot)",
			      still_online, r->device);
	} else if (!was_kmem && (st->bound_kmem ||
				 mhp_dax_dev_get_driver(dev) == MHP_DAX_DRIVER_KMEM)) {
		emit(r, MHP_EVENT_ROLLBACK, 0, MHP_ZONE_NONE, 0, "unbinding kmem");
		driver_write(ctx, "kmem", "unbind", r->device);
		mhp_dax_dev_refresh(dev);
	}
	if (!still_online && strcmp(st->prev_driver, "device_dax") == 0 &&
	    mhp_dax_dev_get_driver(dev) != MHP_DAX_DRIVER_DEVICE_DAX) {
		emit(r, MHP_EVENT_ROLLBACK, 0, MHP_ZONE_NONE, 0, "rebinding device_dax");
		if (driver_write(ctx, "device_dax", "bind", r->device) < 0 && !rc)
			rc = -EIO;
		mhp_dax_dev_refresh(dev);
	}
	if (st->knob_set && st->prev_knob >= 0 && !still_online) {
		emit(r, MHP_EVENT_ROLLBACK, 0, MHP_ZONE_NONE, 0,
		     "restoring memmap_on_memory=%d", st->prev_knob);
		if (mhp_write_attr(ctx, st->prev_knob ? "1" : "0",
				   "/sys/bus/dax/devices/%s/memmap_on_memory", r->device) < 0 &&
		    !rc)
			rc = -EIO;
	}
	if (st->auto_online_set && st->prev_auto_online[0]) {
		emit(r, MHP_EVENT_ROLLBACK, 0, MHP_ZONE_NONE, 0,
		     "restoring auto_online_blocks=%s", st->prev_auto_online);
		if (mhp_write_attr(ctx, st->prev_auto_online,
				   "/sys/devices/system/memory/auto_online_blocks") < 0 && !rc)
			rc = -EIO;
	}
	return rc;
}

/* ---- apply ---- */

static int check_stale(struct mhp_ctx *ctx, const struct mhp_plan *plan,
		       struct mhp_dax_dev *dev)
{
	const struct mhp_plan_input *in = &plan->input;
	const struct mhp_platform_desc *pd;
	struct mhp_platform *p;
	int rc;

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
#undef STALE
	mhp_platform_unref(p);
	return 0;
}

static bool already_applied(struct mhp_ctx *ctx, const struct mhp_plan *plan,
			    struct mhp_dax_dev *dev)
{
	uint64_t i;

	if (mhp_dax_dev_get_driver(dev) != MHP_DAX_DRIVER_KMEM)
		return false;
	for (i = 0; i < plan->nr_blocks; i++) {
		struct mhp_block *b;

		if (block_refresh(ctx, plan->blocks[i].index, &b) < 0 ||
		    mhp_block_get_state(b) != MHP_BLOCK_ONLINE ||
		    mhp_block_get_zone(b) != plan->blocks[i].zone)
			return false;
	}
	return true;
}

/*
 * Bring one block online in @zone. Another agent may have onlined it (or
 * do so between our reads and writes): take it if the zone is right,
 * otherwise offline and redo it. @was_online: the block was online before
 * this run (kmem already bound), so it is nobody's news.
 */
static int online_block(struct run *r, const struct mhp_plan_block *pb, bool was_online)
{
	struct mhp_ctx *ctx = r->ctx;
	unsigned long long idx = pb->index;
	struct mhp_block *b;
	bool fixed = false;
	int attempt, rc;

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
			rc = block_write_state(ctx, pb->index, "offline");
			if (rc < 0 && rc != -EINVAL)
				return mhp_fail(ctx, rc,
						"block %llu was onlined in the wrong zone by another agent and cannot be offlined to fix it: %s",
						idx, strerror(-rc));
			fixed = true;
			continue;
		}
		rc = block_write_state(ctx, pb->index, online_word(pb->zone));
		if (rc == 0) {
			r->done++;
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

static int verify(struct run *r, const struct mhp_plan *plan)
{
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

static int apply_locked(struct run *r, struct mhp_plan *plan, struct mhp_dax_dev *dev,
			unsigned int flags)
{
	struct mhp_ctx *ctx = r->ctx;
	struct mhp_journal_state *st = &r->prev;
	const char *name = r->device;
	bool dry = flags & MHP_APPLY_DRY_RUN;
	enum mhp_dax_driver drv = mhp_dax_dev_get_driver(dev);
	int knob = mhp_dax_dev_get_memmap_on_memory(dev);
	int want_knob = plan->memmap_on_device ? 1 : 0;
	struct mhp_agents agents;
	bool *was_online = NULL;
	uint64_t i, first, end;
	unsigned int a;
	int rc;

	rc = check_stale(ctx, plan, dev);
	if (rc < 0)
		return rc;
	if (plan->input.persistent && !(flags & MHP_APPLY_DESTROY_DATA))
		return mhp_fail(ctx, -EPERM,
				"%s is persistent memory (%s) and may hold data; converting it to system RAM destroys that data. Re-run with --force-destroy-data if that is intended",
				name, mhp_provenance_name(mhp_dax_dev_get_provenance(dev)));
	if (plan->nr_blocks == 0)
		return mhp_fail(ctx, -EINVAL,
				"%s has no whole memory block after alignment; kmem would refuse it (see the plan's alignment_waste_bytes)",
				name);
	if (drv == MHP_DAX_DRIVER_OTHER)
		return mhp_fail(ctx, -EBUSY, "%s is bound to a driver libmhp does not know; unbind it first",
				name);
	if (already_applied(ctx, plan, dev))
		return MHP_NOTHING_TO_DO;
	if (drv == MHP_DAX_DRIVER_KMEM && want_knob != knob && knob >= 0)
		return mhp_fail(ctx, -EBUSY,
				"%s is already bound to kmem with memmap_on_memory=%d, the plan wants %d; run 'cxlmem offline-region %s' first",
				name, knob, want_knob, name);
	if (plan->memmap_on_device && knob < 0 && !plan->platform.kmem_memmap)
		return mhp_fail(ctx, -EOPNOTSUPP,
				"the plan puts the memmap on %s but this kernel's kmem cannot", name);

	mhp_agents_detect(ctx, &agents);
	for (a = 0; a < agents.nr; a++)
		emit(r, MHP_EVENT_WARNING, 0, MHP_ZONE_NONE, 0, "auto-online agent: %s",
		     agents.what[a]);
	if (agents.nr && (flags & MHP_APPLY_NO_ARBITRATE))
		return mhp_fail(ctx, -EBUSY,
				"%u agent(s) may online %s's blocks behind our back (first: %s); refusing with --no-arbitrate",
				agents.nr, name, agents.what[0]);

	r->total = plan->nr_blocks;
	if (dry) {
		if (agents.kernel_auto_online)
			emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
			     "would set auto_online_blocks=offline (now %s) while binding",
			     agents.auto_online);
		if (knob >= 0 && knob != want_knob)
			emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
			     "would set %s/memmap_on_memory=%d", name, want_knob);
		if (drv != MHP_DAX_DRIVER_KMEM)
			emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
			     "would unbind %s from %s and bind kmem", name,
			     mhp_dax_driver_name(drv));
		emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
		     "would online %llu block(s) from %llu: %llu MiB movable, %llu MiB normal",
		     (unsigned long long)plan->nr_blocks,
		     (unsigned long long)plan->blocks[0].index,
		     (unsigned long long)(plan->movable_bytes >> 20),
		     (unsigned long long)(plan->normal_bytes >> 20));
		return 0;
	}

	rc = mhp_journal_begin(ctx, name, "online", &r->journal);
	if (rc < 0)
		return rc;
	/* recovery needs the plan of an interrupted run */
	rc = plan_save(ctx, plan, "journal-plan.json");
	if (rc < 0) {
		mhp_journal_end(r->journal);
		r->journal = NULL;
		return rc;
	}
	snprintf(st->device, sizeof(st->device), "%s", name);
	snprintf(st->prev_driver, sizeof(st->prev_driver), "%s",
		 drv == MHP_DAX_DRIVER_NONE ? "" : mhp_dax_driver_name(drv));
	st->prev_knob = knob;
	snprintf(st->prev_auto_online, sizeof(st->prev_auto_online), "%s", agents.auto_online);
	rc = mhp_journal_log(r->journal, "prev-driver %s\nprev-knob %d\nprev-auto-online %s",
			     st->prev_driver[0] ? st->prev_driver : "none", knob,
			     agents.auto_online[0] ? agents.auto_online : "none");
	if (rc < 0)
		goto fail;

	if (agents.kernel_auto_online && drv != MHP_DAX_DRIVER_KMEM) {
		emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
		     "setting auto_online_blocks=offline (was %s) while binding", agents.auto_online);
		rc = mhp_journal_log(r->journal, "auto-online offline");
		st->auto_online_set = true;
		if (rc == 0)
			rc = mhp_write_attr(ctx, "offline",
					    "/sys/devices/system/memory/auto_online_blocks");
		if (rc < 0)
			goto fail;
	}
	if (knob >= 0 && knob != want_knob && drv != MHP_DAX_DRIVER_KMEM) {
		emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "setting memmap_on_memory=%d",
		     want_knob);
		rc = mhp_journal_log(r->journal, "knob %d", want_knob);
		st->knob_set = true;
		if (rc == 0)
			rc = mhp_write_attr(ctx, want_knob ? "1" : "0",
					    "/sys/bus/dax/devices/%s/memmap_on_memory", name);
		if (rc < 0)
			goto fail;
	}
	if (drv != MHP_DAX_DRIVER_KMEM) {
		rc = ensure_kmem(ctx);
		if (rc < 0)
			goto fail;
		if (drv == MHP_DAX_DRIVER_DEVICE_DAX) {
			emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "unbinding device_dax");
			rc = mhp_journal_log(r->journal, "unbind device_dax");
			st->unbound = true;
			if (rc == 0)
				rc = driver_write(ctx, "device_dax", "unbind", name);
			if (rc < 0)
				goto fail;
		}
		emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "binding kmem");
		rc = mhp_journal_log(r->journal, "bind kmem");
		st->bound_kmem = true;
		if (rc == 0)
			rc = bind_kmem(ctx, dev);
		if (rc < 0)
			goto fail;
	}
	/* blocks online before this run (kmem was bound) are not foreign */
	was_online = calloc(plan->nr_blocks, sizeof(*was_online));
	if (!was_online) {
		rc = -ENOMEM;
		goto fail;
	}
	for (i = 0; drv == MHP_DAX_DRIVER_KMEM && i < plan->nr_blocks; i++) {
		struct mhp_block *b;

		was_online[i] = block_refresh(ctx, plan->blocks[i].index, &b) == 0 &&
				mhp_block_get_state(b) == MHP_BLOCK_ONLINE;
	}
	mhp_clear_error(ctx);
	/* kmem created new blocks: forget cached lookups */
	mhp_blocks_free(ctx);
	emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "onlining %llu block(s)",
	     (unsigned long long)plan->nr_blocks);
	for (i = 0; i < plan->nr_blocks; i++) {
		const struct mhp_plan_block *pb = &plan->blocks[i];

		rc = mhp_journal_log(r->journal, "online %llu %s",
				     (unsigned long long)pb->index, mhp_zone_name(pb->zone));
		if (rc == 0)
			rc = online_block(r, pb, was_online[i]);
		if (rc < 0)
			goto fail;
		/* recorded after the fact too, for rollback of partial runs */
		st->onlined = realloc(st->onlined, (st->nr_onlined + 1) * sizeof(uint64_t));
		if (!st->onlined) {
			rc = -ENOMEM;
			goto fail;
		}
		st->onlined[st->nr_onlined++] = pb->index;
	}
	if (st->auto_online_set) {
		emit(r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "restoring auto_online_blocks=%s",
		     st->prev_auto_online);
		rc = mhp_write_attr(ctx, st->prev_auto_online,
				    "/sys/devices/system/memory/auto_online_blocks");
		if (rc < 0)
			goto fail;
		st->auto_online_set = false;
		rc = mhp_journal_log(r->journal, "restored auto-online");
	}
	if (rc == 0)
		rc = verify(r, plan);
	if (rc < 0)
		goto fail;
	{
		char from[MHP_PATH_MAX], to[MHP_PATH_MAX], applied[64];

		applied_name(applied, sizeof(applied), name);
		mhp_state_path(ctx, from, sizeof(from), "journal-plan.json");
		mhp_state_path(ctx, to, sizeof(to), applied);
		if (rename(from, to) < 0)
			dbg(ctx, "cannot keep the applied plan as %s\n", to);
	}
	mhp_journal_log(r->journal, "done");
	mhp_journal_end(r->journal);
	r->journal = NULL;
	free(was_online);
	return 0;

fail: {
		char why[512];
		int rb;

		free(was_online);
		snprintf(why, sizeof(why), "%s", ctx->last_error);
		first = plan->blocks[0].index;
		end = plan->blocks[plan->nr_blocks - 1].index + 1;
		emit(r, MHP_EVENT_ROLLBACK, 0, MHP_ZONE_NONE, rc, "failed: %s; rolling back", why);
		rb = rollback(r, dev, st, first, end);
		if (rb == 0) {
			mhp_journal_end(r->journal);
			r->journal = NULL;
			return mhp_fail(ctx, rc, "%s; everything was rolled back, %s is as before",
					why, name);
		}
		return mhp_fail(ctx, rc, "%s; rollback incomplete (%s); the journal is kept for 'cxlmem recover'",
				why, ctx->last_error);
	}
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
	if (mhp_journal_pending(ctx)) {
		mhp_unlock(*lock);
		*lock = -1;
		return mhp_fail(ctx, -EEXIST,
				"an interrupted run on %s left a journal in %s; run 'cxlmem recover' (or online-region --recover) first",
				ctx->journal_device, mhp_get_state_dir(ctx));
	}
	return 0;
}

MHP_EXPORT int mhp_apply(struct mhp_ctx *ctx, struct mhp_plan *plan, unsigned int flags,
			 mhp_event_fn fn, void *userdata)
{
	struct run r = { .ctx = ctx, .fn = fn, .userdata = userdata };
	struct mhp_dax_dev *dev;
	int lock = -1, rc;

	mhp_clear_error(ctx);
	if (!plan || !plan->input.target)
		return mhp_fail(ctx, -EINVAL, "a model plan cannot be applied; plan a dax device");
	r.device = plan->input.target;
	if (!(flags & MHP_APPLY_DRY_RUN)) {
		rc = begin_change(ctx, "onlining memory", &lock);
		if (rc < 0)
			return rc;
	}
	dev = mhp_dax_dev_get_by_name(ctx, r.device);
	if (!dev) {
		rc = mhp_fail(ctx, -ENODEV, "dax device %s does not exist (see 'cxlmem list')",
			      r.device);
		goto out;
	}
	r.prev.prev_knob = -1;
	rc = apply_locked(&r, plan, dev, flags);
out:
	mhp_journal_state_free(&r.prev);
	mhp_unlock(lock);
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

static int offline_block(struct run *r, uint64_t idx, unsigned int retries,
			 uint64_t deadline)
{
	struct mhp_ctx *ctx = r->ctx;
	unsigned int attempt, backoff = 50;
	struct mhp_block *b;
	enum mhp_zone zone;
	int rc;

	rc = block_refresh(ctx, idx, &b);
	if (rc < 0)
		return rc;
	zone = mhp_block_get_zone(b);
	for (attempt = 0;; attempt++) {
		rc = block_write_state(ctx, idx, "offline");
		if (rc == -EINVAL && block_refresh(ctx, idx, &b) == 0 &&
		    mhp_block_get_state(b) == MHP_BLOCK_OFFLINE)
			rc = 0;	/* it was offline already */
		if (rc == 0) {
			mhp_clear_error(ctx);
			r->done++;
			emit(r, MHP_EVENT_BLOCK_OFFLINE, idx, zone, 0, "block %llu offline",
			     (unsigned long long)idx);
			return 0;
		}
		if ((rc != -EBUSY && rc != -EAGAIN && rc != -EINTR) ||
		    attempt + 1 >= retries || now_ms() + backoff > deadline)
			break;
		sleep_ms(backoff);
		backoff = backoff < 1000 ? backoff * 2 : 1000;
	}
	emit(r, MHP_EVENT_BLOCK_FAILED, idx, zone, rc,
	     "block %llu stays online after %u attempt(s): %s (%s)",
	     (unsigned long long)idx, attempt + 1, strerror(-rc), offline_hint(rc, zone));
	return rc;
}

MHP_EXPORT int mhp_offline(struct mhp_ctx *ctx, const char *device, enum mhp_offline_to to,
			   unsigned int timeout_ms, unsigned int retries,
			   mhp_event_fn fn, void *userdata)
{
	struct run r = { .ctx = ctx, .device = device, .fn = fn, .userdata = userdata };
	struct mhp_dax_dev *dev;
	struct mhp_platform *p = NULL;
	uint64_t bs, first, end, idx, deadline, failed = 0;
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
	if (mhp_dax_dev_get_resource(dev) == UINT64_MAX) {
		rc = mhp_fail(ctx, -EACCES, "the physical range of %s is unreadable", device);
		goto out;
	}
	rc = mhp_get_platform(ctx, &p);
	if (rc < 0)
		goto out;
	bs = mhp_platform_get_block_size(p);
	first = DIV_ROUND_UP(mhp_dax_dev_get_resource(dev), bs);
	end = (mhp_dax_dev_get_resource(dev) + mhp_dax_dev_get_size(dev)) / bs;
	if (mhp_dax_dev_get_driver(dev) != MHP_DAX_DRIVER_KMEM) {
		if (to == MHP_OFFLINE_TO_DEVDAX &&
		    mhp_dax_dev_get_driver(dev) == MHP_DAX_DRIVER_NONE) {
			emit(&r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "binding device_dax");
			rc = driver_write(ctx, "device_dax", "bind", device);
			goto out;
		}
		rc = MHP_NOTHING_TO_DO;
		goto out;
	}
	for (idx = first; idx < end; idx++) {
		struct mhp_block *b;

		if (block_refresh(ctx, idx, &b) == 0 &&
		    mhp_block_get_state(b) != MHP_BLOCK_OFFLINE)
			r.total++;
	}
	mhp_clear_error(ctx);
	deadline = now_ms() + (timeout_ms ? timeout_ms : 120000);
	emit(&r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "offlining %llu block(s)",
	     (unsigned long long)r.total);
	for (idx = end; idx-- > first;) {
		struct mhp_block *b;

		if (block_refresh(ctx, idx, &b) < 0 ||
		    mhp_block_get_state(b) == MHP_BLOCK_OFFLINE)
			continue;
		if (offline_block(&r, idx, retries ? retries : 10, deadline) < 0)
			failed++;
	}
	if (failed) {
		rc = mhp_fail(ctx, -EBUSY,
			      "%llu of %llu block(s) of %s stayed online; kmem stays bound (unbinding now would leak the range until reboot). Retry later or with a longer --timeout",
			      (unsigned long long)failed, (unsigned long long)r.total, device);
		goto out;
	}
	emit(&r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "unbinding kmem");
	rc = driver_write(ctx, "kmem", "unbind", device);
	if (rc == 0) {
		char path[MHP_PATH_MAX], applied[64];

		/* the plan no longer describes the device */
		applied_name(applied, sizeof(applied), device);
		mhp_state_path(ctx, path, sizeof(path), applied);
		unlink(path);
	}
	if (rc == 0 && to == MHP_OFFLINE_TO_DEVDAX) {
		emit(&r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0, "binding device_dax");
		rc = driver_write(ctx, "device_dax", "bind", device);
	}
	mhp_dax_dev_refresh(dev);
	mhp_blocks_free(ctx);
out:
	mhp_platform_unref(p);
	mhp_unlock(lock);
	return rc;
}

/* ---- recovery ---- */

MHP_EXPORT int mhp_recover(struct mhp_ctx *ctx, mhp_event_fn fn, void *userdata)
{
	struct run r = { .ctx = ctx, .fn = fn, .userdata = userdata };
	struct mhp_journal_state st;
	struct mhp_dax_dev *dev;
	struct mhp_plan *plan = NULL;
	uint64_t i, first = 0, end = 0;
	int lock = -1, rc;

	mhp_clear_error(ctx);
	rc = mhp_journal_read(ctx, &st);
	if (rc == -ENOENT)
		return MHP_NOTHING_TO_DO;
	if (rc < 0)
		return rc;
	rc = check_root(ctx, "recovery");
	if (rc < 0)
		goto out;
	rc = mhp_lock(ctx, &lock);
	if (rc < 0)
		goto out;
	r.device = st.device;
	dev = mhp_dax_dev_get_by_name(ctx, st.device);
	if (!dev) {
		rc = mhp_fail(ctx, -ENODEV, "the journal names %s, which no longer exists", st.device);
		goto out;
	}
	if (st.done) {
		mhp_journal_remove(ctx);
		goto out;
	}
	/* the plan of the interrupted run tells which blocks are ours */
	if (plan_load(ctx, "journal-plan.json", &plan) < 0) {
		mhp_clear_error(ctx);
		plan = NULL;
	}
	if (plan && plan->nr_blocks) {
		first = plan->blocks[0].index;
		end = plan->blocks[plan->nr_blocks - 1].index + 1;
	} else {
		rc = dev_block_range(ctx, dev, &first, &end);
		if (rc < 0)
			goto out;
	}
	emit(&r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
	     "rolling back the interrupted run on %s (pid %d)", st.device, st.pid);
	rc = rollback(&r, dev, &st, first, end);
	if (rc < 0 && plan && plan->nr_blocks) {
		/* blocks that cannot go offline: finish the plan instead */
		emit(&r, MHP_EVENT_STEP, 0, MHP_ZONE_NONE, 0,
		     "rollback impossible (%s); completing the plan instead", ctx->last_error);
		mhp_clear_error(ctx);
		mhp_blocks_free(ctx);
		r.done = 0;
		r.total = plan->nr_blocks;
		for (i = 0, rc = 0; i < plan->nr_blocks && rc == 0; i++)
			rc = online_block(&r, &plan->blocks[i], false);
		if (rc == 0 && st.auto_online_set && st.prev_auto_online[0])
			rc = mhp_write_attr(ctx, st.prev_auto_online,
					    "/sys/devices/system/memory/auto_online_blocks");
		if (rc == 0)
			rc = verify(&r, plan);
	}
	if (rc == 0)
		mhp_journal_remove(ctx);
out:
	mhp_plan_unref(plan);
	mhp_journal_state_free(&st);
	mhp_unlock(lock);
	return rc;
}
