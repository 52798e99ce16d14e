// SPDX-License-Identifier: LGPL-2.1-or-later
/* The executor against a fake kernel: apply, rollback, offline, recover. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "private.h"
#include "ctx.h"
#include "fakekernel.h"
#include "sysroot.h"

#define DEV "dax0.0"
#define DEVDIR "/sys/devices/platform/hmem.0/dax0.0"

struct events {
	int online, foreign, fixed, offline, failed, rollback, warning;
	uint64_t failed_block;
};

static void count(struct mhp_ctx *ctx, const struct mhp_event *ev, void *arg)
{
	struct events *e = arg;

	switch (ev->type) {
	case MHP_EVENT_BLOCK_ONLINE: e->online++; break;
	case MHP_EVENT_BLOCK_FOREIGN: e->foreign++; break;
	case MHP_EVENT_BLOCK_FIXED: e->fixed++; break;
	case MHP_EVENT_BLOCK_OFFLINE: e->offline++; break;
	case MHP_EVENT_BLOCK_FAILED: e->failed++; e->failed_block = ev->block; break;
	case MHP_EVENT_ROLLBACK: e->rollback++; break;
	case MHP_EVENT_WARNING: e->warning++; break;
	default: break;
	}
}

struct env {
	char *root;
	struct mhp_ctx *ctx;
	struct fakekernel fk;
};

static struct mhp_ctx *new_ctx(struct env *e)
{
	struct mhp_ctx *ctx;

	assert_int_equal(mhp_new(&ctx), 0);
	mhp_set_log_priority(ctx, 0);
	assert_int_equal(mhp_set_sysroot(ctx, e->root), 0);
	fk_attach(&e->fk, ctx);
	return ctx;
}

static void env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->root = sr_new_hmem();
	e->fk.root = e->root;
	e->fk.dev = DEV;
	e->fk.devdir = DEVDIR;
	e->fk.first = 32;
	e->fk.nr = 8;
	e->ctx = new_ctx(e);
}

static void env_free(struct env *e)
{
	mhp_unref(e->ctx);
	sr_free(e->root);
}

static struct mhp_plan *plan_for(struct mhp_ctx *ctx, enum mhp_zone_policy zone)
{
	struct mhp_plan_opts opts = { .size = sizeof(opts), .zone = zone };
	struct mhp_dax_dev *d = mhp_dax_dev_get_by_name(ctx, DEV);
	struct mhp_plan *plan;

	assert_non_null(d);
	assert_int_equal(mhp_plan_dax_dev(ctx, d, &opts, &plan), 0);
	assert_int_equal(mhp_plan_get_num_blocks(plan), 8);
	return plan;
}

static void assert_all(struct fakekernel *fk, const char *state, const char *zone)
{
	uint64_t i;

	for (i = 0; i < fk->nr; i++) {
		assert_string_equal(fk->state[i], state);
		if (zone)
			assert_string_equal(fk->zone[i], zone);
	}
}

static bool journal_exists(const char *root)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/run/mhp/journal", root);
	return access(p, F_OK) == 0;
}

static void test_apply_and_offline(void **state)
{
	struct events ev = { 0 };
	struct mhp_plan *plan, *applied;
	struct env e;

	env_init(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, count, &ev), 0);
	assert_int_equal(ev.online, 8);
	assert_int_equal(ev.rollback, 0);
	assert_string_equal(e.fk.driver, "kmem");
	assert_all(&e.fk, "online", "Movable");
	assert_false(journal_exists(e.root));
	assert_int_equal(mhp_get_applied_plan(e.ctx, DEV, &applied), 0);
	assert_int_equal(mhp_plan_get_num_blocks(applied), 8);
	mhp_plan_unref(applied);

	/* second run: nothing to do, nothing written */
	e.fk.writes = 0;
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), MHP_NOTHING_TO_DO);
	assert_int_equal(e.fk.writes, 0);
	mhp_plan_unref(plan);

	memset(&ev, 0, sizeof(ev));
	assert_int_equal(mhp_offline(e.ctx, DEV, MHP_OFFLINE_TO_DEVDAX, 5000, 3, count, &ev), 0);
	assert_int_equal(ev.offline, 8);
	assert_string_equal(e.fk.driver, "device_dax");
	assert_false(e.fk.present);
	assert_false(e.fk.leaked);
	/* the applied plan no longer describes the device */
	assert_int_equal(mhp_get_applied_plan(e.ctx, DEV, &applied), -ENOENT);
	/* offline again: nothing to do */
	assert_int_equal(mhp_offline(e.ctx, DEV, MHP_OFFLINE_TO_DEVDAX, 5000, 3, NULL, NULL),
			 MHP_NOTHING_TO_DO);
	env_free(&e);
}

static void test_offline_partial_and_retry(void **state)
{
	struct events ev = { 0 };
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), 0);
	mhp_plan_unref(plan);

	e.fk.offline_fail[3] = -1;	/* block 35 is pinned */
	e.fk.offline_fail[6] = 2;	/* block 38 busy twice, then fine */
	assert_int_equal(mhp_offline(e.ctx, DEV, MHP_OFFLINE_TO_DEVDAX, 10000, 4, count, &ev),
			 -EBUSY);
	assert_int_equal(ev.failed, 1);
	assert_int_equal(ev.failed_block, 35);
	assert_int_equal(ev.offline, 7);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "1 of 8 block(s)"));
	/* never unbind kmem with a block online: that would leak the range */
	assert_string_equal(e.fk.driver, "kmem");
	assert_false(e.fk.leaked);
	assert_string_equal(e.fk.state[3], "online");

	/* re-applying: block 35 is ours from before, not another agent's */
	memset(&ev, 0, sizeof(ev));
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, count, &ev), 0);
	assert_int_equal(ev.foreign, 0);
	assert_int_equal(ev.online, 8);
	assert_all(&e.fk, "online", "Movable");
	mhp_plan_unref(plan);

	e.fk.offline_fail[3] = 0;
	assert_int_equal(mhp_offline(e.ctx, DEV, MHP_OFFLINE_TO_NONE, 10000, 4, NULL, NULL), 0);
	assert_string_equal(e.fk.driver, "");
	assert_false(e.fk.leaked);
	env_free(&e);
}

/*
 * Another device's memory that arrives while the policy is parked must not
 * be stranded offline by the run: it is onlined as the restored policy
 * would have, after a successful run and after a rollback alike.
 */
static void test_parked_policy_strands_nothing(void **state)
{
	struct events ev = { 0 };
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	sr_file(e.root, "/sys/devices/system/memory/auto_online_blocks", "online\n");
	snprintf(e.fk.auto_online, sizeof(e.fk.auto_online), "online");
	e.fk.other_block = 100;
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, count, &ev), 0);
	assert_all(&e.fk, "online", "Movable");
	assert_string_equal(e.fk.other_state, "online");
	assert_string_equal(e.fk.other_zone, "Normal");	/* as "online" puts it */
	assert_string_equal(e.fk.auto_online, "online");
	mhp_plan_unref(plan);
	env_free(&e);

	/* the same when the run fails and rolls back */
	env_init(&e);
	sr_file(e.root, "/sys/devices/system/memory/auto_online_blocks", "online_movable\n");
	snprintf(e.fk.auto_online, sizeof(e.fk.auto_online), "online_movable");
	e.fk.other_block = 100;
	e.fk.online_fail[4] = -1;
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, count, &ev), -EIO);
	assert_string_equal(e.fk.driver, "device_dax");
	assert_string_equal(e.fk.other_state, "online");
	assert_string_equal(e.fk.other_zone, "Movable");
	mhp_plan_unref(plan);
	env_free(&e);

	/* another dax device's memory (kmem) is left to its own unit */
	env_init(&e);
	sr_file(e.root, "/sys/devices/system/memory/auto_online_blocks", "online\n");
	snprintf(e.fk.auto_online, sizeof(e.fk.auto_online), "online");
	sr_file(e.root, "/proc/iomem", "100000000-13fffffff : hmem.0\n"
		"  100000000-13fffffff : dax0.0\n"
		"    100000000-13fffffff : System RAM (kmem)\n"
		"320000000-327ffffff : CXL Window 0\n"
		"  320000000-327ffffff : dax1.0\n"
		"    320000000-327ffffff : System RAM (kmem)\n");
	e.fk.other_block = 100;	/* 0x320000000 with 128 MiB blocks */
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, count, &ev), 0);
	assert_all(&e.fk, "online", "Movable");
	assert_string_equal(e.fk.other_state, "offline");
	mhp_plan_unref(plan);
	env_free(&e);

	/* a block offline before the policy was parked stays offline */
	env_init(&e);
	sr_file(e.root, "/sys/devices/system/memory/auto_online_blocks", "online\n");
	snprintf(e.fk.auto_online, sizeof(e.fk.auto_online), "online");
	e.fk.other_block = 90;	/* there before the run: the fake takes its writes */
	snprintf(e.fk.other_state, sizeof(e.fk.other_state), "offline");
	sr_file(e.root, "/sys/devices/system/memory/memory90/state", "offline\n");
	sr_file(e.root, "/sys/devices/system/memory/memory90/valid_zones", "Normal Movable\n");
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, count, &ev), 0);
	assert_all(&e.fk, "online", "Movable");
	assert_string_equal(e.fk.other_state, "offline");
	mhp_plan_unref(plan);
	env_free(&e);

	/* a policy of offline is the kernel's own choice: nothing is onlined */
	env_init(&e);
	e.fk.other_block = 100;
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, count, &ev), 0);
	assert_string_equal(e.fk.other_state, "offline");
	mhp_plan_unref(plan);
	env_free(&e);
}

static void test_arbitration(void **state)
{
	struct events ev = { 0 };
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	/* the kernel would online every block into Normal while kmem binds */
	sr_file(e.root, "/sys/devices/system/memory/auto_online_blocks", "online\n");
	snprintf(e.fk.auto_online, sizeof(e.fk.auto_online), "online");
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);

	/* --no-arbitrate: refuse up front, write nothing */
	assert_int_equal(mhp_apply(e.ctx, plan, MHP_APPLY_NO_ARBITRATE, NULL, NULL), -EBUSY);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "auto_online_blocks=online"));
	assert_int_equal(e.fk.writes, 0);

	assert_int_equal(mhp_apply(e.ctx, plan, 0, count, &ev), 0);
	assert_all(&e.fk, "online", "Movable");
	assert_string_equal(e.fk.auto_online, "online");	/* restored */
	assert_int_equal(ev.online, 8);
	assert_true(ev.warning >= 1);
	mhp_plan_unref(plan);
	env_free(&e);
}

static void test_foreign_agent_fixed(void **state)
{
	struct events ev = { 0 };
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	e.fk.agent_online_plain = true;	/* udev onlines with "online": Normal */
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, count, &ev), 0);
	assert_int_equal(ev.fixed, 8);
	assert_all(&e.fk, "online", "Movable");
	mhp_plan_unref(plan);
	env_free(&e);
}

/* A block another agent onlined in the wrong zone is busy for a moment. */
static void test_foreign_agent_fixed_after_busy(void **state)
{
	struct events ev = { 0 };
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	e.fk.agent_online_plain = true;
	e.fk.offline_fail[2] = 2;	/* block 34: EBUSY twice, then offline */
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, count, &ev), 0);
	assert_int_equal(ev.fixed, 8);
	assert_all(&e.fk, "online", "Movable");
	mhp_plan_unref(plan);

	/* busy for good: the error counts the attempts and names the remedy */
	env_free(&e);
	env_init(&e);
	e.fk.agent_online_plain = true;
	e.fk.offline_fail[2] = -1;
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_true(mhp_apply(e.ctx, plan, 0, count, &ev) < 0);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "(5 attempts)"));
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "memhp_default_state=offline"));
	/* block 34 cannot go, so kmem must stay bound and recover can finish */
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "rollback incomplete"));
	assert_string_equal(e.fk.driver, "kmem");
	mhp_plan_unref(plan);
	env_free(&e);
}

static void test_rollback(void **state)
{
	struct events ev = { 0 };
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	sr_file(e.root, "/sys/devices/system/memory/auto_online_blocks", "online_movable\n");
	snprintf(e.fk.auto_online, sizeof(e.fk.auto_online), "online_movable");
	e.fk.online_fail[4] = -1;	/* block 36 refuses to online */
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, count, &ev), -EIO);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "block 36"));
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "rolled back"));
	assert_true(ev.rollback > 0);
	/* as before: device_dax, no blocks, auto-online restored, no leak */
	assert_string_equal(e.fk.driver, "device_dax");
	assert_false(e.fk.present);
	assert_false(e.fk.leaked);
	assert_string_equal(e.fk.auto_online, "online_movable");
	assert_false(journal_exists(e.root));
	mhp_plan_unref(plan);
	env_free(&e);
}

static void test_pmem_consent(void **state)
{
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	/* the same device, but below an nvdimm bus: may hold data */
	sr_link(e.root, "/sys/bus/dax/devices/dax0.0",
		"../../../devices/platform/e820_pmem/ndbus0/region0/dax0.0/dax0.0");
	{
		char cmd[1024];

		snprintf(cmd, sizeof(cmd),
			 "mkdir -p %s/sys/devices/platform/e820_pmem/ndbus0/region0/dax0.0 && "
			 "mv %s/sys/devices/platform/hmem.0/dax0.0 %s/sys/devices/platform/e820_pmem/ndbus0/region0/dax0.0/ && "
			 "ln -sfn ../../../../../../../bus/dax/drivers/device_dax %s/sys/devices/platform/e820_pmem/ndbus0/region0/dax0.0/dax0.0/driver",
			 e.root, e.root, e.root, e.root);
		assert_int_equal(system(cmd), 0);
	}
	mhp_unref(e.ctx);
	e.fk.devdir = "/sys/devices/platform/e820_pmem/ndbus0/region0/dax0.0/dax0.0";
	e.ctx = new_ctx(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -EPERM);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "--force-destroy-data"));
	assert_int_equal(e.fk.writes, 0);
	assert_int_equal(mhp_apply(e.ctx, plan, MHP_APPLY_DESTROY_DATA, NULL, NULL), 0);
	assert_all(&e.fk, "online", "Movable");
	mhp_plan_unref(plan);
	env_free(&e);
}

static void test_stale_and_dry_run(void **state)
{
	struct events ev = { 0 };
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_AUTO);
	assert_int_equal(mhp_apply(e.ctx, plan, MHP_APPLY_DRY_RUN, count, &ev), 0);
	assert_int_equal(e.fk.writes, 0);
	assert_false(journal_exists(e.root));

	/* the device changed size since planning */
	sr_file(e.root, DEVDIR "/size", "536870912\n");
	mhp_unref(e.ctx);
	e.ctx = new_ctx(&e);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -ESTALE);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "stale"));
	assert_int_equal(e.fk.writes, 0);
	mhp_plan_unref(plan);
	env_free(&e);
}

static void test_lock_held(void **state)
{
	struct mhp_plan *plan;
	int pipefd[2], status;
	struct env e;
	pid_t pid;
	char c, pidstr[32];

	env_init(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		int fd;

		if (mhp_lock(e.ctx, &fd) < 0)
			_exit(1);
		(void)!write(pipefd[1], "x", 1);
		sleep(5);
		_exit(0);
	}
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -EBUSY);
	snprintf(pidstr, sizeof(pidstr), "pid %d", (int)pid);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), pidstr));
	assert_int_equal(e.fk.writes, 0);
	kill(pid, 9);
	waitpid(pid, &status, 0);
	close(pipefd[0]);
	close(pipefd[1]);
	mhp_plan_unref(plan);
	env_free(&e);
}

/*
 * With a lock wait, a second run queues behind the first instead of
 * failing (units started together at boot); past the bound it fails.
 */
static void test_lock_wait(void **state)
{
	struct mhp_plan *plan;
	int pipefd[2], status;
	struct env e;
	pid_t pid;
	char c;

	env_init(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		/* long enough that a loaded machine cannot make the short wait miss it */
		struct timespec hold = { 2, 0 };
		int fd;

		if (mhp_lock(e.ctx, &fd) < 0)
			_exit(1);
		(void)!write(pipefd[1], "x", 1);
		nanosleep(&hold, NULL);
		_exit(0);	/* exit drops the lock */
	}
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	/* 200 ms is not enough for a holder that keeps it 2 s */
	mhp_set_lock_wait(e.ctx, 200);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -EBUSY);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "past the wait"));
	assert_int_equal(e.fk.writes, 0);
	/* 20 s is: the run goes ahead once the holder is gone */
	mhp_set_lock_wait(e.ctx, 20000);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), 0);
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(pipefd[0]);
	close(pipefd[1]);
	mhp_plan_unref(plan);
	env_free(&e);
}

static void test_crash_and_recover(void **state)
{
	struct mhp_plan *plan;
	int status, i;
	struct env e;
	pid_t pid;

	env_init(&e);
	sr_file(e.root, "/sys/devices/system/memory/auto_online_blocks", "online_kernel\n");
	snprintf(e.fk.auto_online, sizeof(e.fk.auto_online), "online_kernel");
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	pid = fork();
	if (pid == 0) {
		e.fk.crash_after_online = 3;	/* SIGKILL stand-in mid-onlining */
		mhp_apply(e.ctx, plan, 0, NULL, NULL);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	assert_int_equal(WEXITSTATUS(status), 9);
	mhp_plan_unref(plan);

	/* a new process sees the half-converted device and the journal */
	mhp_unref(e.ctx);
	e.ctx = new_ctx(&e);
	assert_true(journal_exists(e.root));
	assert_string_equal(mhp_journal_pending(e.ctx), DEV);
	assert_string_equal(e.fk.driver, "kmem");
	for (i = 0; i < 3; i++)
		assert_string_equal(e.fk.state[i], "online");
	assert_string_equal(e.fk.auto_online, "offline");
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -EEXIST);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "cxlmem recover"));
	mhp_plan_unref(plan);

	assert_int_equal(mhp_recover(e.ctx, NULL, NULL), 0);
	assert_string_equal(e.fk.driver, "device_dax");
	assert_false(e.fk.present);
	assert_false(e.fk.leaked);
	assert_string_equal(e.fk.auto_online, "online_kernel");
	assert_false(journal_exists(e.root));
	assert_null(mhp_journal_pending(e.ctx));
	assert_int_equal(mhp_recover(e.ctx, NULL, NULL), MHP_NOTHING_TO_DO);
	env_free(&e);
}

static void test_recover_forward(void **state)
{
	struct mhp_plan *plan;
	struct env e;
	pid_t pid;
	int status;

	env_init(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	pid = fork();
	if (pid == 0) {
		e.fk.crash_after_online = 5;
		mhp_apply(e.ctx, plan, 0, NULL, NULL);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	mhp_plan_unref(plan);
	mhp_unref(e.ctx);
	e.ctx = new_ctx(&e);
	/* block 33 cannot be offlined: recovery completes the plan instead */
	e.fk.offline_fail[1] = -1;
	assert_int_equal(mhp_recover(e.ctx, NULL, NULL), 0);
	assert_string_equal(e.fk.driver, "kmem");
	assert_all(&e.fk, "online", "Movable");
	assert_false(journal_exists(e.root));
	env_free(&e);
}

/* ---- issue 12 ---- */

static void assert_as_found(const struct fakekernel *fk, const struct fk_snapshot *snap,
			    struct mhp_ctx *ctx)
{
	uint64_t i;

	if (fk_same(fk, snap))
		return;
	print_error("found: driver '%s' knob %d auto %s present %d\n", snap->driver, snap->knob,
		    snap->auto_online, snap->present);
	print_error("now:   driver '%s' knob %d auto %s present %d\n", fk->driver, fk->knob,
		    fk->auto_online, fk->present);
	for (i = 0; i < fk->nr; i++)
		print_error("  block %llu: found %s/%s now %s/%s\n",
			    (unsigned long long)(fk->first + i), snap->state[i], snap->zone[i],
			    fk->state[i], fk->zone[i]);
	fail_msg("not as found; last error: %s", mhp_get_last_error(ctx));
}

static void test_pmem_consent_ignores_plan_flag(void **state)
{
	struct mhp_plan *plan;
	struct env e;
	char cmd[1024];

	env_init(&e);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/sys/devices/platform/e820_pmem/ndbus0/region0/dax0.0 && "
		 "mv %s/sys/devices/platform/hmem.0/dax0.0 %s/sys/devices/platform/e820_pmem/ndbus0/region0/dax0.0/ && "
		 "ln -sfn ../../../../../../../bus/dax/drivers/device_dax %s/sys/devices/platform/e820_pmem/ndbus0/region0/dax0.0/dax0.0/driver",
		 e.root, e.root, e.root, e.root);
	assert_int_equal(system(cmd), 0);
	sr_link(e.root, "/sys/bus/dax/devices/dax0.0",
		"../../../devices/platform/e820_pmem/ndbus0/region0/dax0.0/dax0.0");
	mhp_unref(e.ctx);
	e.fk.devdir = "/sys/devices/platform/e820_pmem/ndbus0/region0/dax0.0/dax0.0";
	e.ctx = new_ctx(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	/* what a plan file edited to say "persistent": false loads as */
	plan->input.persistent = false;
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -EPERM);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "--force-destroy-data"));
	assert_int_equal(e.fk.writes, 0);
	assert_false(journal_exists(e.root));
	assert_string_equal(e.fk.driver, "device_dax");
	mhp_plan_unref(plan);
	env_free(&e);
}

/* kmem bound, some blocks online: what a partial offline-region leaves */
static void set_found(struct env *e, const char *const *states, const char *zone)
{
	uint64_t i;

	snprintf(e->fk.driver, sizeof(e->fk.driver), "kmem");
	e->fk.present = true;
	for (i = 0; i < e->fk.nr; i++) {
		snprintf(e->fk.state[i], sizeof(e->fk.state[i]), "%s", states[i]);
		snprintf(e->fk.zone[i], sizeof(e->fk.zone[i]), "%s", zone);
	}
	fk_sync(&e->fk);
	mhp_unref(e->ctx);
	e->ctx = new_ctx(e);
}

static void test_rollback_keeps_blocks_online_before(void **state)
{
	static const char *const states[8] = {
		"online", "online", "online", "online", "offline", "offline", "offline", "offline",
	};
	struct fk_snapshot before;
	struct events ev = { 0 };
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	set_found(&e, states, "Movable");
	fk_snapshot(&e.fk, &before);
	e.fk.online_fail[6] = -1;	/* block 38 refuses */
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, count, &ev), -EIO);
	/* blocks 32-35 were online before the run: they stay online */
	assert_as_found(&e.fk, &before, e.ctx);
	assert_false(e.fk.leaked);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "restored 2 block(s)"));
	assert_false(journal_exists(e.root));
	mhp_plan_unref(plan);
	env_free(&e);
}

static void test_rollback_restores_zone(void **state)
{
	static const char *const states[8] = {
		"online", "online", "online", "online", "online", "online", "online", "online",
	};
	struct fk_snapshot before;
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	set_found(&e, states, "Normal");	/* e.g. onlined by udev with "online" */
	fk_snapshot(&e.fk, &before);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	e.fk.online_fail[5] = -1;	/* block 37 cannot be movable */
	e.fk.online_fail_movable = true;
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -EIO);
	/* blocks 32-36 went movable, then back to Normal */
	assert_as_found(&e.fk, &before, e.ctx);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "rolled back"));
	mhp_plan_unref(plan);
	env_free(&e);
}

static void test_rollback_failed_unbind_reported(void **state)
{
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	/* the device had no driver: rollback must unbind kmem */
	sr_rm(e.root, DEVDIR "/driver");
	mhp_unref(e.ctx);
	e.ctx = new_ctx(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	e.fk.online_fail[2] = -1;
	e.fk.fail_path = "kmem/unbind";
	assert_true(mhp_apply(e.ctx, plan, 0, NULL, NULL) < 0);
	print_message("%s\n", mhp_get_last_error(e.ctx));
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "rollback incomplete"));
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "unbinding kmem"));
	assert_true(journal_exists(e.root));
	assert_string_equal(e.fk.driver, "kmem");
	assert_false(e.fk.leaked);
	/* once the kernel lets go, recovery finishes the job */
	e.fk.fail_path = NULL;
	e.fk.online_fail[2] = 0;
	assert_int_equal(mhp_recover(e.ctx, NULL, NULL), 0);
	assert_string_equal(e.fk.driver, "");
	assert_false(journal_exists(e.root));
	mhp_plan_unref(plan);
	env_free(&e);
}

static void write_journal(const char *root, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/run", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/run/mhp", root);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/run/mhp/journal", root);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_recover_rejects_crafted_journal(void **state)
{
	struct env e;
	int i;

	env_init(&e);
	/* node 0's boot memory, blocks 0-15 */
	write_journal(e.root, "mhp-journal 1\npid 1\ndevice dax0.0\nop online\n"
			      "prev-driver device_dax\nprev-knob -1\nprev-auto-online offline\n"
			      "range 0 16\nprev-end\nbind kmem\n");
	assert_int_equal(mhp_recover(e.ctx, NULL, NULL), -EINVAL);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "cannot be trusted"));
	assert_int_equal(e.fk.writes, 0);
	for (i = 0; i < 16; i++) {
		char p[128];

		snprintf(p, sizeof(p), "/sys/devices/system/memory/memory%d/state", i);
		assert_string_equal(sr_read(e.root, p), "online\n");
	}
	/* an auto_online_blocks value the kernel would not accept from us */
	write_journal(e.root, "mhp-journal 1\npid 1\ndevice dax0.0\nop online\n"
			      "prev-driver device_dax\nprev-knob -1\nprev-auto-online /etc/passwd\n"
			      "range 32 40\nprev-end\nauto-online offline\n");
	assert_int_equal(mhp_recover(e.ctx, NULL, NULL), -EINVAL);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "auto_online_blocks"));
	assert_int_equal(e.fk.writes, 0);
	/* a block outside the recorded range */
	write_journal(e.root, "mhp-journal 1\npid 1\ndevice dax0.0\nop online\n"
			      "prev-driver kmem\nprev-knob -1\nprev-auto-online offline\n"
			      "range 32 40\nprev-block 3 offline none\nprev-end\n");
	assert_true(mhp_recover(e.ctx, NULL, NULL) < 0);
	assert_int_equal(e.fk.writes, 0);
	env_free(&e);
}

static void test_pending_not_while_locked(void **state)
{
	int pipefd[2], status, fd;
	struct env e;
	pid_t pid;
	char c;

	env_init(&e);
	assert_int_equal(mhp_lock(e.ctx, &fd), 0);
	mhp_unlock(e.ctx, fd);
	write_journal(e.root, "mhp-journal 1\npid 1\ndevice dax0.0\nop online\n");
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		if (mhp_lock(e.ctx, &fd) < 0)
			_exit(1);
		(void)!write(pipefd[1], "x", 1);
		sleep(5);
		_exit(0);
	}
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	/* a run in progress is not interrupted, and recover must wait */
	assert_null(mhp_journal_pending(e.ctx));
	assert_int_equal(mhp_recover(e.ctx, NULL, NULL), -EBUSY);
	kill(pid, 9);
	waitpid(pid, &status, 0);
	assert_string_equal(mhp_journal_pending(e.ctx), DEV);
	close(pipefd[0]);
	close(pipefd[1]);
	env_free(&e);
}

struct canceller {
	int after;
	int onlined;
};

static void cancel_after(struct mhp_ctx *ctx, const struct mhp_event *ev, void *arg)
{
	struct canceller *c = arg;

	/* what a SIGINT handler does, mid-onlining */
	if (ev->type == MHP_EVENT_BLOCK_ONLINE && ++c->onlined == c->after)
		mhp_cancel(ctx);
}

static void test_cancel_rolls_back(void **state)
{
	struct canceller c = { .after = 3 };
	struct fk_snapshot before;
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	sr_file(e.root, "/sys/devices/system/memory/auto_online_blocks", "online\n");
	snprintf(e.fk.auto_online, sizeof(e.fk.auto_online), "online");
	fk_snapshot(&e.fk, &before);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, cancel_after, &c), -ECANCELED);
	assert_int_equal(c.onlined, 3);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "interrupted by a signal"));
	/* said once: "interrupted by a signal; interrupted by a signal; ..." was the bug */
	assert_null(strstr(strstr(mhp_get_last_error(e.ctx), "interrupted by a signal") + 1,
			   "interrupted by a signal"));
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "rolled back"));
	assert_as_found(&e.fk, &before, e.ctx);
	assert_string_equal(e.fk.auto_online, "online");
	assert_false(journal_exists(e.root));
	/* the request was consumed: the next run goes through */
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), 0);
	assert_all(&e.fk, "online", "Movable");
	mhp_plan_unref(plan);
	env_free(&e);
}

static void test_state_dir_safety(void **state)
{
	struct mhp_plan *plan, *applied;
	char p[512], q[512];
	struct stat st;
	struct env e;
	int fd;

	env_init(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	/* a symlinked state directory */
	snprintf(p, sizeof(p), "%s/elsewhere", e.root);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(q, sizeof(q), "%s/run", e.root);
	assert_int_equal(mkdir(q, 0755), 0);
	snprintf(q, sizeof(q), "%s/run/mhp", e.root);
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -EPERM);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "symlink"));
	assert_int_equal(e.fk.writes, 0);
	unlink(q);
	/* a state directory others may write to */
	assert_int_equal(mkdir(q, 0777), 0);
	assert_int_equal(chmod(q, 0777), 0);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -EPERM);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "mode 0777"));
	assert_int_equal(mhp_get_applied_plan(e.ctx, DEV, &applied), -EPERM);
	assert_int_equal(chmod(q, 0700), 0);
	/* a planted lock symlink: refused, its target not truncated */
	snprintf(p, sizeof(p), "%s/victim", e.root);
	sr_file(e.root, "/victim", "precious\n");
	snprintf(q, sizeof(q), "%s/run/mhp/lock", e.root);
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(mhp_lock(e.ctx, &fd), -ELOOP);
	assert_string_equal(sr_read(e.root, "/victim"), "precious\n");
	unlink(q);
	/* a planted temp file for the plan is not followed either */
	snprintf(q, sizeof(q), "%s/run/mhp/journal-plan.json.tmp", e.root);
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), 0);
	assert_string_equal(sr_read(e.root, "/victim"), "precious\n");
	/* applied plans hold physical addresses: private */
	snprintf(q, sizeof(q), "%s/run/mhp/applied-dax0.0.json", e.root);
	assert_int_equal(stat(q, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	mhp_plan_unref(plan);
	env_free(&e);
}

static void test_blocks_survive_apply(void **state)
{
	struct mhp_plan *plan;
	struct mhp_block *b, *boot;
	struct env e;

	env_init(&e);
	assert_int_equal(mhp_block_get(e.ctx, 5, &boot), 0);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), 0);
	assert_int_equal(mhp_block_get(e.ctx, 33, &b), 0);
	assert_int_equal(mhp_block_get_state(b), MHP_BLOCK_ONLINE);
	assert_int_equal(mhp_offline(e.ctx, DEV, MHP_OFFLINE_TO_DEVDAX, 5000, 3, NULL, NULL), 0);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), 0);
	/* ASan: both objects are still ours to read */
	assert_int_equal(mhp_block_get_index(b), 33);
	assert_int_equal(mhp_block_get_index(boot), 5);
	assert_int_equal(mhp_block_refresh(b), 0);
	assert_int_equal(mhp_block_get_zone(b), MHP_ZONE_MOVABLE);
	mhp_plan_unref(plan);
	env_free(&e);
}

/* status as a normal user: the applied plan is root's, the error says so */
static void test_state_dir_not_root(void **state)
{
	struct mhp_plan *plan;
	struct env e;
	int status;
	pid_t pid;
	char p[512];

	if (geteuid() != 0)
		skip();
	env_init(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), 0);
	mhp_plan_unref(plan);
	/* like the live /run: everyone may walk to the root-only directory */
	assert_int_equal(chmod(e.root, 0755), 0);
	snprintf(p, sizeof(p), "%s/run", e.root);
	assert_int_equal(chmod(p, 0755), 0);
	pid = fork();
	if (pid == 0) {
		struct mhp_plan *applied = NULL;

		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(2);
		if (mhp_get_applied_plan(e.ctx, DEV, &applied) != -EACCES)
			_exit(3);
		if (mhp_journal_pending(e.ctx) != NULL)
			_exit(4);
		/* the live state is still readable */
		if (!mhp_dax_dev_get_by_name(e.ctx, DEV))
			_exit(5);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	env_free(&e);
}

/* ---- issue 11: 6.3+ binding, convert in place ---- */

static void test_offline_to_devdax_kmem_default(void **state)
{
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	e.fk.kmem_default = true;	/* 6.3+: device_dax needs new_id */
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), 0);
	assert_int_equal(mhp_offline(e.ctx, DEV, MHP_OFFLINE_TO_DEVDAX, 5000, 3, NULL, NULL), 0);
	assert_string_equal(e.fk.driver, "device_dax");
	/* and back again */
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), 0);
	assert_all(&e.fk, "online", "Movable");
	/* a rollback rebinds device_dax the same way */
	assert_int_equal(mhp_offline(e.ctx, DEV, MHP_OFFLINE_TO_DEVDAX, 5000, 3, NULL, NULL), 0);
	e.fk.online_fail[1] = -1;
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -EIO);
	assert_string_equal(e.fk.driver, "device_dax");
	assert_false(journal_exists(e.root));
	mhp_plan_unref(plan);
	env_free(&e);
}

/*
 * What Debian's 6.12 does at boot: kmem binds the hmem device (the dax
 * knob says 0) and auto_online_blocks=online puts every block in Normal,
 * memmap in DRAM.
 */
static void set_612(struct env *e)
{
	uint64_t i;

	sr_file(e->root, "/proc/sys/kernel/osrelease", "6.12.48+deb13-amd64\n");
	sr_file(e->root, "/sys/module/memory_hotplug/parameters/memmap_on_memory", "Y\n");
	sr_file(e->root, DEVDIR "/memmap_on_memory", "0\n");
	e->fk.kmem_default = true;
	e->fk.migrate_pages = 1000;
	e->fk.pgmigrate_success = 5;
	e->fk.knob = 0;
	snprintf(e->fk.driver, sizeof(e->fk.driver), "kmem");
	snprintf(e->fk.auto_online, sizeof(e->fk.auto_online), "online");
	e->fk.present = true;
	for (i = 0; i < e->fk.nr; i++) {
		snprintf(e->fk.state[i], sizeof(e->fk.state[i]), "online");
		snprintf(e->fk.zone[i], sizeof(e->fk.zone[i]), "Normal");
	}
	e->fk.device_dax_id = false;
	e->fk.fail_nth = 0;
	e->fk.writes = 0;
	e->fk.onlines = 0;
	e->fk.leaked = false;
	fk_sync(&e->fk);
	mhp_unref(e->ctx);
	e->ctx = new_ctx(e);
}

static void env_init_612(struct env *e)
{
	env_init(e);
	set_612(e);
}

static struct mhp_plan *plan_612(struct env *e)
{
	struct mhp_plan *plan = plan_for(e->ctx, MHP_ZONE_POLICY_MOVABLE);

	assert_true(mhp_plan_memmap_on_device(plan));
	return plan;
}

static void test_convert_in_place(void **state)
{
	const struct mhp_apply_report *rep;
	struct mhp_plan *plan;
	struct env e;

	env_init_612(&e);
	plan = plan_612(&e);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), 0);
	assert_string_equal(e.fk.driver, "kmem");
	assert_int_equal(e.fk.knob, 1);
	assert_all(&e.fk, "online", "Movable");
	assert_string_equal(e.fk.auto_online, "online");
	assert_false(e.fk.leaked);
	rep = mhp_get_apply_report(e.ctx);
	assert_int_equal(rep->found_driver, MHP_DAX_DRIVER_KMEM);
	assert_int_equal(rep->found_knob, 0);
	assert_int_equal(rep->found_online, 8);
	assert_int_equal(rep->found_normal, 8);
	assert_true(rep->converted);
	assert_int_equal(rep->blocks_offlined, 8);
	assert_int_equal(rep->blocks_onlined, 8);
	assert_int_equal(rep->migrated_bytes, 8 * 1000 * 4096ULL);
	assert_int_equal(rep->migrated_evidence, MHP_MIGRATION_PGMIGRATE);
	/* converged: nothing left to do */
	e.fk.writes = 0;
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), MHP_NOTHING_TO_DO);
	assert_int_equal(e.fk.writes, 0);
	mhp_plan_unref(plan);
	env_free(&e);
}

/* The last step message that names the kernel's migration, kept by keep_migrated. */
static void keep_migrated(struct mhp_ctx *ctx, const struct mhp_event *ev, void *arg)
{
	char *msg = arg;

	if (ev->type == MHP_EVENT_STEP && strstr(ev->message, "the kernel migrated"))
		snprintf(msg, 512, "%s", ev->message);
}

/*
 * The CXL RAM region on 6.12: dax_cxl set the knob to 1 already, so the
 * knob is as planned and kmem stays bound; only the zones change, each
 * block offlined and re-onlined movable. That path offlines too, and the
 * report must say what the kernel migrated (it said "unknown").
 */
static void test_convert_zones_only_reports_migrated(void **state)
{
	const struct mhp_apply_report *rep;
	struct mhp_plan *plan;
	char msg[512] = "";
	struct env e;

	env_init(&e);
	sr_file(e.root, DEVDIR "/memmap_on_memory", "1\n");
	set_612(&e);
	e.fk.knob = 1;
	fk_sync(&e.fk);
	plan = plan_612(&e);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, keep_migrated, msg), 0);
	assert_all(&e.fk, "online", "Movable");
	assert_int_equal(e.fk.knob, 1);
	rep = mhp_get_apply_report(e.ctx);
	assert_int_equal(rep->found_knob, 1);
	assert_false(rep->converted);	/* kmem was never unbound */
	assert_int_equal(rep->blocks_offlined, 8);
	assert_int_equal(rep->migrated_bytes, 8 * 1000 * 4096ULL);
	assert_int_equal(rep->migrated_evidence, MHP_MIGRATION_PGMIGRATE);
	assert_non_null(strstr(msg, "the kernel migrated 31.25 MiB (32768000 bytes, the pgmigrate_success delta"));
	mhp_plan_unref(plan);
	env_free(&e);
}

/* No pgmigrate_success: the node's MemUsed before offlining, said as such. */
static void test_convert_migrated_node_used_fallback(void **state)
{
	const struct mhp_apply_report *rep;
	struct mhp_plan *plan;
	char msg[512] = "";
	struct env e;

	env_init_612(&e);
	e.fk.migrate_pages = 0;
	sr_file(e.root, "/proc/vmstat", "nr_free_pages 1000\npgmigrate_fail 0\n");
	sr_file(e.root, "/sys/devices/system/node/node1/meminfo",
		"Node 1 MemTotal:        1048576 kB\nNode 1 MemFree:          1000000 kB\nNode 1 MemUsed:           48576 kB\n");
	plan = plan_612(&e);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, keep_migrated, msg), 0);
	assert_all(&e.fk, "online", "Movable");
	rep = mhp_get_apply_report(e.ctx);
	assert_true(rep->converted);
	assert_int_equal(rep->migrated_bytes, 48576 * 1024ULL);
	assert_int_equal(rep->migrated_evidence, MHP_MIGRATION_NODE_USED);
	assert_non_null(strstr(msg, "at most"));
	assert_non_null(strstr(msg, "49741824 bytes, node 1's MemUsed before offlining"));
	mhp_plan_unref(plan);
	env_free(&e);
}

static void test_no_convert_refuses(void **state)
{
	struct fk_snapshot before;
	struct mhp_plan *plan;
	struct env e;

	env_init_612(&e);
	fk_snapshot(&e.fk, &before);
	plan = plan_612(&e);
	assert_int_equal(mhp_apply(e.ctx, plan, MHP_APPLY_NO_CONVERT, NULL, NULL), -EBUSY);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "--no-convert"));
	assert_int_equal(e.fk.writes, 0);
	assert_as_found(&e.fk, &before, e.ctx);
	assert_false(journal_exists(e.root));
	mhp_plan_unref(plan);
	env_free(&e);
}

static void test_convert_ebusy_normal(void **state)
{
	struct fk_snapshot before;
	struct mhp_plan *plan;
	struct env e;

	env_init_612(&e);
	fk_snapshot(&e.fk, &before);
	e.fk.offline_fail[2] = -1;	/* unmovable kernel pages in block 34 */
	plan = plan_612(&e);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -EBUSY);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "memhp_default_state=offline"));
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "rolled back"));
	assert_as_found(&e.fk, &before, e.ctx);
	assert_false(e.fk.leaked);
	assert_false(journal_exists(e.root));
	mhp_plan_unref(plan);
	env_free(&e);
}

/* kill -9 halfway through a conversion, then recover: as found */
static void test_convert_crash_and_recover(void **state)
{
	struct fk_snapshot before;
	struct mhp_plan *plan;
	struct env e;
	int status;
	pid_t pid;

	env_init_612(&e);
	fk_snapshot(&e.fk, &before);
	plan = plan_612(&e);
	pid = fork();
	if (pid == 0) {
		e.fk.crash_after_online = 3;
		mhp_apply(e.ctx, plan, 0, NULL, NULL);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	assert_int_equal(WEXITSTATUS(status), 9);
	mhp_plan_unref(plan);
	mhp_unref(e.ctx);
	e.ctx = new_ctx(&e);
	/* the child's fake kernel state is in the tree: read it back */
	assert_string_equal(mhp_journal_pending(e.ctx), DEV);
	assert_int_equal(e.fk.knob, 1);
	assert_int_equal(mhp_recover(e.ctx, NULL, NULL), 0);
	assert_as_found(&e.fk, &before, e.ctx);
	assert_false(e.fk.leaked);
	assert_false(journal_exists(e.root));
	env_free(&e);
}

static void clear_state_dir(const char *root)
{
	static const char *const files[] = {
		"journal", "journal-plan.json", "applied-dax0.0.json", "lock",
	};
	char p[512];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(p, sizeof(p), "%s/run/mhp/%s", root, files[i]);
		unlink(p);
	}
}

/*
 * Fail each write of a clean run in turn (the run's nth write answers
 * EIO): every run that fails must leave the fake kernel exactly as
 * found, with no leak and no journal; one that succeeds despite it (an
 * optional write such as remove_id, or new_id before bind) must have
 * reached the end state @done checks. @setup puts the tree back into the
 * starting state. Returns how many writes made the run fail.
 */
static int fault_each_write(struct env *e, void (*setup)(struct env *),
			    unsigned int flags, void (*done)(struct env *))
{
	int nth, writes, failures = 0;
	struct mhp_plan *plan;

	/* a clean run: how many writes it takes */
	setup(e);
	plan = plan_for(e->ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e->ctx, plan, flags, NULL, NULL), 0);
	done(e);
	writes = e->fk.writes;
	mhp_plan_unref(plan);
	for (nth = 1; nth <= writes; nth++) {
		struct fk_snapshot before;
		int rc;

		/* the same tree, back in its starting state */
		clear_state_dir(e->root);
		setup(e);
		fk_snapshot(&e->fk, &before);
		plan = plan_for(e->ctx, MHP_ZONE_POLICY_MOVABLE);
		e->fk.fail_nth = nth;
		rc = mhp_apply(e->ctx, plan, flags, NULL, NULL);
		e->fk.fail_nth = 0;
		mhp_plan_unref(plan);
		if (rc == 0) {
			done(e);
			continue;
		}
		failures++;
		if (!fk_same(&e->fk, &before))
			print_error("write %d of %d failed:\n", nth, writes);
		assert_as_found(&e->fk, &before, e->ctx);
		assert_false(e->fk.leaked);
		assert_false(journal_exists(e->root));
	}
	return failures;
}

static void converted(struct env *e)
{
	assert_all(&e->fk, "online", "Movable");
}

/* A failure at each write of a conversion leaves the device as found. */
static void test_convert_fault_each_step(void **state)
{
	struct env e;

	env_init(&e);
	/* quiesce, 8 offlines, unbind, knob, bind, 8 onlines, restore */
	assert_true(fault_each_write(&e, set_612, 0, converted) >= 20);
	env_free(&e);
}

/*
 * Review: step_knob set the knob, then step_bind failed before device_dax
 * let go. The knob must come back although no driver change happened.
 */
static void test_review_knob_devdax_unbind_fail(void **state)
{
	struct fk_snapshot before;
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	sr_file(e.root, "/proc/sys/kernel/osrelease", "6.12.48+deb13-amd64\n");
	sr_file(e.root, "/sys/module/memory_hotplug/parameters/memmap_on_memory", "Y\n");
	sr_file(e.root, DEVDIR "/memmap_on_memory", "0\n");
	e.fk.knob = 0;
	e.fk.kmem_default = true;
	e.fk.device_dax_id = true;
	snprintf(e.fk.driver, sizeof(e.fk.driver), "device_dax");
	e.fk.present = false;
	fk_sync(&e.fk);
	mhp_unref(e.ctx);
	e.ctx = new_ctx(&e);
	fk_snapshot(&e.fk, &before);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_true(mhp_plan_memmap_on_device(plan));
	e.fk.fail_path = "device_dax/unbind";
	assert_true(mhp_apply(e.ctx, plan, 0, NULL, NULL) < 0);
	assert_int_equal(e.fk.knob, 0);
	assert_as_found(&e.fk, &before, e.ctx);
	mhp_plan_unref(plan);
	env_free(&e);
}

/*
 * Review: "as before" is claimed only when driver, knob and policy are as
 * found too. Here the knob cannot be written back (write 4, the restore,
 * fails), so the rollback must say it is incomplete and keep the journal.
 */
static void test_review_knob_not_restored_reported(void **state)
{
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	sr_file(e.root, "/proc/sys/kernel/osrelease", "6.12.48+deb13-amd64\n");
	sr_file(e.root, "/sys/module/memory_hotplug/parameters/memmap_on_memory", "Y\n");
	sr_file(e.root, DEVDIR "/memmap_on_memory", "0\n");
	e.fk.knob = 0;
	e.fk.kmem_default = true;
	e.fk.device_dax_id = true;
	snprintf(e.fk.driver, sizeof(e.fk.driver), "device_dax");
	e.fk.present = false;
	fk_sync(&e.fk);
	mhp_unref(e.ctx);
	e.ctx = new_ctx(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	/* 1 knob, 2 remove_id, 3 unbind (fails), 4 the knob's restore (fails) */
	e.fk.writes = 0;
	e.fk.fail_path = "device_dax/unbind";
	e.fk.fail_nth = 4;
	assert_true(mhp_apply(e.ctx, plan, 0, NULL, NULL) < 0);
	assert_int_equal(e.fk.writes, 4);
	assert_int_equal(e.fk.knob, 1);
	assert_null(strstr(mhp_get_last_error(e.ctx), "as before"));
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "memmap_on_memory"));
	assert_true(journal_exists(e.root));
	mhp_plan_unref(plan);
	env_free(&e);
}

static const char crafted_head[] =
	"mhp-journal 1\npid 1\ndevice dax0.0\nop online\n"
	"prev-driver device_dax\nprev-knob 0\nprev-auto-online online\nrange 32 40\n";

/* Review: prev-end with no prev-block records: nothing may be unbound. */
static void test_review_crafted_journal_leak(void **state)
{
	char text[1024];
	struct env e;

	env_init_612(&e);
	snprintf(text, sizeof(text), "%sprev-end\nbind kmem\n", crafted_head);
	write_journal(e.root, text);
	assert_int_equal(mhp_recover(e.ctx, NULL, NULL), -EINVAL);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "no record of block 32"));
	assert_string_equal(e.fk.driver, "kmem");
	assert_false(e.fk.leaked);
	assert_true(journal_exists(e.root));
	env_free(&e);
}

/* Review: blocks "online" before while the device was on device_dax. */
static void test_review_crafted_journal_leak2(void **state)
{
	char text[2048];
	struct env e;
	size_t n;
	int i;

	env_init_612(&e);
	n = (size_t)snprintf(text, sizeof(text), "%s", crafted_head);
	for (i = 32; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "prev-block %d online normal\n", i);
	snprintf(text + n, sizeof(text) - n, "prev-end\nbind kmem\n");
	write_journal(e.root, text);
	assert_int_equal(mhp_recover(e.ctx, NULL, NULL), -EINVAL);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "recorded online"));
	assert_string_equal(e.fk.driver, "kmem");
	assert_false(e.fk.leaked);
	assert_true(journal_exists(e.root));
	env_free(&e);
}

/*
 * Review: a block whose state reads going-offline (and will not go
 * offline) is not offline: kmem stays bound, whatever the journal says.
 */
static void test_review_unknown_state_keeps_kmem(void **state)
{
	char text[2048];
	struct env e;
	size_t n;
	int i;

	env_init_612(&e);
	n = (size_t)snprintf(text, sizeof(text), "%s", crafted_head);
	for (i = 32; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "prev-block %d offline none\n", i);
	snprintf(text + n, sizeof(text) - n, "prev-end\nunbind device_dax\nbind kmem\n");
	write_journal(e.root, text);
	/* all offline but block 32, which is stuck going offline */
	for (i = 1; i < 8; i++)
		snprintf(e.fk.state[i], sizeof(e.fk.state[i]), "offline");
	fk_sync(&e.fk);
	e.fk.offline_fail[0] = -1;
	sr_file(e.root, "/sys/devices/system/memory/memory32/state", "going-offline\n");
	assert_true(mhp_recover(e.ctx, NULL, NULL) < 0);
	assert_string_equal(e.fk.driver, "kmem");
	assert_false(e.fk.leaked);
	assert_true(journal_exists(e.root));
	env_free(&e);
}

/*
 * Review: 6.12 conversion killed after 3 onlines; in recovery the last
 * write (auto_online_blocks) fails after the rollback put the blocks back
 * Normal with knob 0. Rolling forward would offline them and online them
 * Movable with the wrong knob: recovery must stop and keep the journal.
 */
static void test_review_roll_forward_wrong_knob(void **state)
{
	struct mhp_plan *plan;
	struct env e;
	int status, rc;
	pid_t pid;

	env_init_612(&e);
	plan = plan_612(&e);
	pid = fork();
	if (pid == 0) {
		e.fk.crash_after_online = 3;
		mhp_apply(e.ctx, plan, 0, NULL, NULL);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	mhp_plan_unref(plan);
	mhp_unref(e.ctx);
	e.ctx = new_ctx(&e);
	e.fk.writes = 0;
	e.fk.fail_nth = 16;
	rc = mhp_recover(e.ctx, NULL, NULL);
	assert_true(rc < 0);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "journal is kept"));
	assert_true(journal_exists(e.root));
	assert_string_equal(e.fk.driver, "kmem");
	assert_int_equal(e.fk.knob, 0);
	assert_all(&e.fk, "online", "Normal");
	assert_false(e.fk.leaked);
	/* the next recover, with the write working, finishes the rollback */
	e.fk.fail_nth = 0;
	assert_int_equal(mhp_recover(e.ctx, NULL, NULL), 0);
	assert_string_equal(e.fk.auto_online, "online");
	assert_false(journal_exists(e.root));
	env_free(&e);
}

/* Review: a device of unknown provenance may be pmem: it needs consent. */
static void test_review_unknown_provenance_consent(void **state)
{
	struct mhp_plan *plan;
	struct env e;
	char cmd[1024];

	env_init(&e);
	sr_link(e.root, "/sys/bus/dax/devices/dax0.0",
		"../../../devices/platform/mystery.0/dax0.0");
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/sys/devices/platform/mystery.0 && "
		 "mv %s/sys/devices/platform/hmem.0/dax0.0 %s/sys/devices/platform/mystery.0/ && "
		 "ln -sfn ../../../../bus/dax/drivers/device_dax %s/sys/devices/platform/mystery.0/dax0.0/driver",
		 e.root, e.root, e.root, e.root);
	assert_int_equal(system(cmd), 0);
	mhp_unref(e.ctx);
	e.fk.devdir = "/sys/devices/platform/mystery.0/dax0.0";
	e.ctx = new_ctx(&e);
	assert_int_equal(mhp_dax_dev_get_provenance(mhp_dax_dev_get_by_name(e.ctx, DEV)),
			 MHP_PROV_UNKNOWN);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -EPERM);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "--force-destroy-data"));
	assert_int_equal(e.fk.writes, 0);
	assert_int_equal(mhp_apply(e.ctx, plan, MHP_APPLY_DESTROY_DATA, NULL, NULL), 0);
	assert_all(&e.fk, "online", "Movable");
	mhp_plan_unref(plan);
	env_free(&e);
}

/* Review: an online block whose zone cannot be read: refuse up front. */
static void test_review_unreadable_zone_refused(void **state)
{
	struct mhp_plan *plan;
	struct env e;

	env_init_612(&e);
	plan = plan_612(&e);
	sr_rm(e.root, "/sys/devices/system/memory/memory35/valid_zones");
	e.fk.writes = 0;
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -EIO);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "block 35"));
	assert_int_equal(e.fk.writes, 0);
	assert_false(journal_exists(e.root));
	mhp_plan_unref(plan);
	env_free(&e);
}

/* Review: a FIFO named journal must not hang recovery (or status). */
static void test_review_fifo_journal(void **state)
{
	char p[512];
	struct env e;

	env_init(&e);
	write_journal(e.root, "");
	snprintf(p, sizeof(p), "%s/run/mhp/journal", e.root);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkfifo(p, 0600), 0);
	alarm(10);	/* before the fix this open blocked for ever */
	assert_int_equal(mhp_recover(e.ctx, NULL, NULL), -EINVAL);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "not a regular file"));
	assert_null(mhp_journal_pending(e.ctx));
	alarm(0);
	env_free(&e);
}

/*
 * Review: a journal from an earlier boot is discarded with a warning,
 * not acted on (here it would re-online blocks of a device now offline).
 */
static void test_review_journal_other_boot(void **state)
{
	struct events ev = { 0 };
	char text[2048];
	struct env e;
	size_t n;
	int i;

	env_init_612(&e);
	sr_file(e.root, "/proc/sys/kernel/random/boot_id", "11111111-2222-3333-4444-555555555555\n");
	n = (size_t)snprintf(text, sizeof(text),
			     "mhp-journal 1\npid 1\nboot-id 99999999-2222-3333-4444-555555555555\n"
			     "device dax0.0\nop online\nprev-driver kmem\nprev-knob 0\n"
			     "prev-auto-online online\nrange 32 40\n");
	for (i = 32; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "prev-block %d offline none\n", i);
	snprintf(text + n, sizeof(text) - n, "prev-end\n");
	write_journal(e.root, text);
	e.fk.writes = 0;
	assert_true(mhp_recover(e.ctx, count, &ev) >= 0);
	assert_int_equal(e.fk.writes, 0);
	assert_int_equal(ev.warning, 1);
	assert_false(journal_exists(e.root));
	assert_all(&e.fk, "online", "Normal");
	env_free(&e);
}

/* The journal records this boot's id, and the same boot's is acted on. */
static void test_review_journal_same_boot(void **state)
{
	struct mhp_plan *plan;
	struct env e;
	int status;
	pid_t pid;

	env_init(&e);
	sr_file(e.root, "/proc/sys/kernel/random/boot_id", "11111111-2222-3333-4444-555555555555\n");
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	pid = fork();
	if (pid == 0) {
		e.fk.crash_after_online = 3;
		mhp_apply(e.ctx, plan, 0, NULL, NULL);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	mhp_plan_unref(plan);
	{
		const char *text;
		char p[512];

		snprintf(p, sizeof(p), "/run/mhp/journal");
		text = sr_read(e.root, p);
		assert_non_null(text);
		assert_non_null(strstr(text, "\nboot-id 11111111-2222-3333-4444-555555555555\n"));
	}
	mhp_unref(e.ctx);
	e.ctx = new_ctx(&e);
	assert_int_equal(mhp_recover(e.ctx, NULL, NULL), 0);
	assert_string_equal(e.fk.driver, "device_dax");
	assert_false(journal_exists(e.root));
	env_free(&e);
}

/*
 * Review: the run lock is an OFD lock, so a probe can test it without
 * taking it: another open of the lock file sees the holder's write lock.
 */
static void test_review_lock_is_ofd(void **state)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char p[512];
	struct env e;
	int fd, other;

	env_init(&e);
	assert_int_equal(mhp_lock(e.ctx, &fd), 0);
	snprintf(p, sizeof(p), "%s/run/mhp/lock", e.root);
	other = open(p, O_RDONLY | O_CLOEXEC);
	assert_true(other >= 0);
	assert_int_equal(fcntl(other, F_OFD_GETLK, &fl), 0);
	assert_int_equal(fl.l_type, F_WRLCK);
	close(other);
	assert_int_equal(mhp_lock_held_by_other(e.ctx), 1);
	mhp_unlock(e.ctx, fd);
	assert_int_equal(mhp_lock_held_by_other(e.ctx), 0);
	env_free(&e);
}

/*
 * Review: a status probe (mhp_journal_pending) running alongside must
 * never make a run without --wait fail to lock. Before the fix the probe
 * held LOCK_SH for a moment and some of these locks failed with EBUSY.
 */
static void test_review_probe_does_not_block(void **state)
{
	int status, fd, i, failed = 0;
	struct env e;
	pid_t pid;

	env_init(&e);
	assert_int_equal(mhp_lock(e.ctx, &fd), 0);
	mhp_unlock(e.ctx, fd);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < 20000; i++)
			mhp_lock_held_by_other(e.ctx);
		_exit(0);
	}
	for (i = 0; i < 2000; i++) {
		if (mhp_lock(e.ctx, &fd) < 0) {
			failed++;
			continue;
		}
		mhp_unlock(e.ctx, fd);
	}
	kill(pid, 9);
	waitpid(pid, &status, 0);
	assert_int_equal(failed, 0);
	env_free(&e);
}

/*
 * Review: a dax device of several ranges (mapping0, mapping1) is refused
 * before any write, instead of acting on the span and its neighbours.
 */
static void test_review_multi_range_refused(void **state)
{
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	sr_file(e.root, DEVDIR "/mapping0/start", "0x100000000\n");
	sr_file(e.root, DEVDIR "/mapping1/start", "0x180000000\n");
	e.fk.writes = 0;
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), -EOPNOTSUPP);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "more than one physical range"));
	assert_int_equal(e.fk.writes, 0);
	assert_false(journal_exists(e.root));
	mhp_plan_unref(plan);
	env_free(&e);
}

/*
 * Review: offline-region with a block stuck going-offline: kmem stays
 * bound, and the error does not claim the device was unbound.
 */
static void test_review_offline_unknown_block(void **state)
{
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), 0);
	mhp_plan_unref(plan);
	sr_file(e.root, "/sys/devices/system/memory/memory35/state", "going-offline\n");
	assert_int_equal(mhp_offline(e.ctx, DEV, MHP_OFFLINE_TO_DEVDAX, 5000, 3, NULL, NULL),
			 -EBUSY);
	assert_null(strstr(mhp_get_last_error(e.ctx), "unbound from kmem"));
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "kmem stays bound"));
	assert_string_equal(e.fk.driver, "kmem");
	assert_false(e.fk.leaked);
	env_free(&e);
}

/* ---- MHP_APPLY_NO_ONLINE (daxctl reconfigure-device -N) ---- */

/* kmem bound by this run, every block there and offline, nothing else changed */
static void bound_offline(struct env *e)
{
	assert_string_equal(e->fk.driver, "kmem");
	assert_true(e->fk.present);
	assert_all(&e->fk, "offline", NULL);
	assert_int_equal(e->fk.onlines, 0);
	assert_false(journal_exists(e->root));
}

static void test_no_online_binds_offline(void **state)
{
	const struct mhp_apply_report *rep;
	struct mhp_plan *plan, *applied;
	struct events ev = { 0 };
	struct env e;

	env_init(&e);
	/* the kernel's policy is arbitrated as in every apply */
	sr_file(e.root, "/sys/devices/system/memory/auto_online_blocks", "online\n");
	snprintf(e.fk.auto_online, sizeof(e.fk.auto_online), "online");
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, MHP_APPLY_NO_ONLINE, count, &ev), 0);
	bound_offline(&e);
	assert_string_equal(e.fk.auto_online, "online");	/* restored */
	assert_int_equal(ev.online + ev.foreign + ev.fixed + ev.rollback, 0);
	rep = mhp_get_apply_report(e.ctx);
	assert_int_equal(rep->blocks_onlined, 0);
	assert_false(rep->rolled_back);
	/* offline blocks are not an applied plan status would call drift */
	assert_int_equal(mhp_get_applied_plan(e.ctx, DEV, &applied), -ENOENT);

	/* kmem is bound: -N has nothing left to do, and writes nothing */
	e.fk.writes = 0;
	assert_int_equal(mhp_apply(e.ctx, plan, MHP_APPLY_NO_ONLINE, NULL, NULL),
			 MHP_NOTHING_TO_DO);
	assert_int_equal(e.fk.writes, 0);

	/* the blocks can still be onlined as planned afterwards */
	assert_int_equal(mhp_apply(e.ctx, plan, 0, NULL, NULL), 0);
	assert_all(&e.fk, "online", "Movable");
	mhp_plan_unref(plan);
	env_free(&e);
}

/* daxctl -m devdax after -N: kmem lets go of blocks that never went online */
static void test_no_online_then_devdax(void **state)
{
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, MHP_APPLY_NO_ONLINE, NULL, NULL), 0);
	bound_offline(&e);
	mhp_plan_unref(plan);
	assert_int_equal(mhp_offline(e.ctx, DEV, MHP_OFFLINE_TO_DEVDAX, 5000, 3, NULL, NULL), 0);
	assert_string_equal(e.fk.driver, "device_dax");
	assert_false(e.fk.present);
	assert_false(e.fk.leaked);
	env_free(&e);
}

static void test_no_online_dry_run(void **state)
{
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, MHP_APPLY_NO_ONLINE | MHP_APPLY_DRY_RUN,
				   NULL, NULL), 0);
	assert_int_equal(e.fk.writes, 0);
	assert_string_equal(e.fk.driver, "device_dax");
	mhp_plan_unref(plan);
	env_free(&e);
}

/*
 * An agent nobody detected (udev, racing the bind) onlines the blocks
 * as kmem adds them: -N must fail, not report offline blocks that are
 * online, and the rollback leaves the device as found.
 */
static void test_no_online_racing_agent(void **state)
{
	struct fk_snapshot before;
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	e.fk.agent_online_plain = true;
	fk_snapshot(&e.fk, &before);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, MHP_APPLY_NO_ONLINE, NULL, NULL), -EBUSY);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "to stay offline"));
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "rolled back"));
	assert_true(mhp_get_apply_report(e.ctx)->rolled_back);
	assert_as_found(&e.fk, &before, e.ctx);
	assert_false(e.fk.leaked);
	assert_false(journal_exists(e.root));
	mhp_plan_unref(plan);
	env_free(&e);
}

/* A policy known to race is refused before anything is written. */
static void test_no_online_refuses_known_policy(void **state)
{
	struct mhp_plan *plan;
	struct env e;

	env_init(&e);
	/* the kernel's, when arbitration is not allowed (daxctl -N without -f) */
	sr_file(e.root, "/sys/devices/system/memory/auto_online_blocks", "online_movable\n");
	snprintf(e.fk.auto_online, sizeof(e.fk.auto_online), "online_movable");
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, MHP_APPLY_NO_ONLINE | MHP_APPLY_NO_ARBITRATE,
				   NULL, NULL), -EBUSY);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "auto_online_blocks=online_movable"));
	assert_int_equal(e.fk.writes, 0);
	mhp_plan_unref(plan);

	/* a udev rule that onlines memory blocks: arbitration cannot stop it */
	sr_file(e.root, "/sys/devices/system/memory/auto_online_blocks", "offline\n");
	snprintf(e.fk.auto_online, sizeof(e.fk.auto_online), "offline");
	sr_file(e.root, "/etc/udev/rules.d/40-memory.rules",
		"SUBSYSTEM==\"memory\", ACTION==\"add\", ATTR{state}==\"offline\", ATTR{state}=\"online\"\n");
	mhp_unref(e.ctx);
	e.ctx = new_ctx(&e);
	plan = plan_for(e.ctx, MHP_ZONE_POLICY_MOVABLE);
	assert_int_equal(mhp_apply(e.ctx, plan, MHP_APPLY_NO_ONLINE, NULL, NULL), -EBUSY);
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "40-memory.rules"));
	assert_non_null(strstr(mhp_get_last_error(e.ctx), "nothing was changed"));
	assert_int_equal(e.fk.writes, 0);
	assert_string_equal(e.fk.driver, "device_dax");
	mhp_plan_unref(plan);
	env_free(&e);
}

/* 6.1: device_dax bound, the kernel's policy online (quiesced, restored) */
static void set_61_online_policy(struct env *e)
{
	uint64_t i;

	snprintf(e->fk.driver, sizeof(e->fk.driver), "device_dax");
	snprintf(e->fk.auto_online, sizeof(e->fk.auto_online), "online");
	e->fk.present = false;
	for (i = 0; i < e->fk.nr; i++) {
		snprintf(e->fk.state[i], sizeof(e->fk.state[i]), "offline");
		e->fk.zone[i][0] = '\0';
	}
	e->fk.writes = 0;
	e->fk.onlines = 0;
	e->fk.leaked = false;
	fk_sync(&e->fk);
	mhp_unref(e->ctx);
	e->ctx = new_ctx(e);
}

/* 6.12: the same with the dax knob, which the plan sets to 1 */
static void set_612_devdax(struct env *e)
{
	set_612(e);
	e->fk.knob = 0;
	e->fk.device_dax_id = true;
	set_61_online_policy(e);
}

static void bound_offline_knob(struct env *e)
{
	bound_offline(e);
	assert_int_equal(e->fk.knob, 1);
	assert_string_equal(e->fk.auto_online, "online");
}

/* A failure at each write of -N leaves the device as found. */
static void test_no_online_fault_each_write(void **state)
{
	struct env e;

	env_init(&e);
	/* quiesce, unbind device_dax, new_id/bind kmem, restore */
	assert_true(fault_each_write(&e, set_61_online_policy, MHP_APPLY_NO_ONLINE,
				     bound_offline) >= 3);
	/* and the knob before the bind */
	assert_true(fault_each_write(&e, set_612_devdax, MHP_APPLY_NO_ONLINE,
				     bound_offline_knob) >= 4);
	env_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_and_offline),
		cmocka_unit_test(test_offline_partial_and_retry),
		cmocka_unit_test(test_arbitration),
		cmocka_unit_test(test_foreign_agent_fixed),
		cmocka_unit_test(test_parked_policy_strands_nothing),
		cmocka_unit_test(test_foreign_agent_fixed_after_busy),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_pmem_consent),
		cmocka_unit_test(test_stale_and_dry_run),
		cmocka_unit_test(test_lock_held),
		cmocka_unit_test(test_lock_wait),
		cmocka_unit_test(test_crash_and_recover),
		cmocka_unit_test(test_recover_forward),
		cmocka_unit_test(test_pmem_consent_ignores_plan_flag),
		cmocka_unit_test(test_rollback_keeps_blocks_online_before),
		cmocka_unit_test(test_rollback_restores_zone),
		cmocka_unit_test(test_rollback_failed_unbind_reported),
		cmocka_unit_test(test_recover_rejects_crafted_journal),
		cmocka_unit_test(test_pending_not_while_locked),
		cmocka_unit_test(test_cancel_rolls_back),
		cmocka_unit_test(test_state_dir_safety),
		cmocka_unit_test(test_state_dir_not_root),
		cmocka_unit_test(test_blocks_survive_apply),
		cmocka_unit_test(test_offline_to_devdax_kmem_default),
		cmocka_unit_test(test_convert_in_place),
		cmocka_unit_test(test_convert_zones_only_reports_migrated),
		cmocka_unit_test(test_convert_migrated_node_used_fallback),
		cmocka_unit_test(test_no_convert_refuses),
		cmocka_unit_test(test_convert_ebusy_normal),
		cmocka_unit_test(test_convert_fault_each_step),
		cmocka_unit_test(test_convert_crash_and_recover),
		cmocka_unit_test(test_review_knob_devdax_unbind_fail),
		cmocka_unit_test(test_review_knob_not_restored_reported),
		cmocka_unit_test(test_review_crafted_journal_leak),
		cmocka_unit_test(test_review_crafted_journal_leak2),
		cmocka_unit_test(test_review_unknown_state_keeps_kmem),
		cmocka_unit_test(test_review_roll_forward_wrong_knob),
		cmocka_unit_test(test_review_unknown_provenance_consent),
		cmocka_unit_test(test_review_unreadable_zone_refused),
		cmocka_unit_test(test_review_fifo_journal),
		cmocka_unit_test(test_review_journal_other_boot),
		cmocka_unit_test(test_review_journal_same_boot),
		cmocka_unit_test(test_review_lock_is_ofd),
		cmocka_unit_test(test_review_probe_does_not_block),
		cmocka_unit_test(test_review_multi_range_refused),
		cmocka_unit_test(test_review_offline_unknown_block),
		cmocka_unit_test(test_no_online_binds_offline),
		cmocka_unit_test(test_no_online_then_devdax),
		cmocka_unit_test(test_no_online_dry_run),
		cmocka_unit_test(test_no_online_racing_agent),
		cmocka_unit_test(test_no_online_refuses_known_policy),
		cmocka_unit_test(test_no_online_fault_each_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
