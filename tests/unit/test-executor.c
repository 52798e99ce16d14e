// SPDX-License-Identifier: LGPL-2.1-or-later
/* The executor against a fake kernel: apply, rollback, offline, recover. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_and_offline),
		cmocka_unit_test(test_offline_partial_and_retry),
		cmocka_unit_test(test_arbitration),
		cmocka_unit_test(test_foreign_agent_fixed),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_pmem_consent),
		cmocka_unit_test(test_stale_and_dry_run),
		cmocka_unit_test(test_lock_held),
		cmocka_unit_test(test_crash_and_recover),
		cmocka_unit_test(test_recover_forward),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
