// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxlmem-daxctl's reconfigure-device -N, online-memory, offline-memory
 * and -m devdax against the fake kernel of the unit tests: the JSON and
 * exit status daxctl 76.1 gives, and the device as the executor leaves it
 * (a captured tree has no kernel behind it, so test-daxctl.sh cannot see
 * a bind succeed).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "private.h"
#include "ctx.h"
#include "daxctl.h"
#include "fakekernel.h"
#include "sysroot.h"

#define DEV "dax0.0"

struct env {
	char *root;
	struct mhp_ctx *ctx;
	struct fakekernel fk;
	char out[8192];
	char err[8192];
};

static void env_attach(struct env *e)
{
	mhp_unref(e->ctx);
	assert_int_equal(mhp_new(&e->ctx), 0);
	mhp_set_log_priority(e->ctx, 0);
	assert_int_equal(mhp_set_sysroot(e->ctx, e->root), 0);
	fk_attach(&e->fk, e->ctx);
}

static void env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->root = sr_new_hmem();
	e->fk.root = e->root;
	e->fk.dev = DEV;
	e->fk.devdir = "/sys/devices/platform/hmem.0/dax0.0";
	e->fk.first = 32;
	e->fk.nr = 8;
	env_attach(e);
}

static void env_free(struct env *e)
{
	mhp_unref(e->ctx);
	sr_free(e->root);
}

static void capture(int fd, FILE *f, char *buf, size_t len, int *saved)
{
	char path[] = "/tmp/test-daxctl-fk.XXXXXX";
	int tmp = mkstemp(path);

	assert_true(tmp >= 0);
	unlink(path);
	fflush(f);
	*saved = dup(fd);
	dup2(tmp, fd);
	close(tmp);
	buf[0] = '\0';
}

static void release(int fd, FILE *f, char *buf, size_t len, int saved)
{
	ssize_t n;

	fflush(f);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	dup2(saved, fd);
	close(saved);
}

/* cxlmem-daxctl ARGS... on the fake kernel; stdout, stderr in e->out, e->err. */
static int dx(struct env *e, ...)
{
	char *argv[16] = { "cxlmem-daxctl" };
	int argc = 1, so, se, rc;
	va_list ap;

	va_start(ap, e);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	capture(STDOUT_FILENO, stdout, e->out, sizeof(e->out), &so);
	capture(STDERR_FILENO, stderr, e->err, sizeof(e->err), &se);
	rc = cxlmem_daxctl_run(e->ctx, argc, argv);
	release(STDERR_FILENO, stderr, e->err, sizeof(e->err), se);
	release(STDOUT_FILENO, stdout, e->out, sizeof(e->out), so);
	return rc;
}

static void assert_all(const struct fakekernel *fk, const char *state, const char *zone)
{
	uint64_t i;

	for (i = 0; i < fk->nr; i++) {
		assert_string_equal(fk->state[i], state);
		if (zone)
			assert_string_equal(fk->zone[i], zone);
	}
}

/* The one device of the output, without cxlmem's added key, as compact JSON. */
static const char *device_json(const char *out)
{
	static char buf[1024];
	struct json_object *arr = json_tokener_parse(out), *dev;

	if (!arr || !json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) != 1) {
		json_object_put(arr);
		fail_msg("not an array of one device: '%s'", out);
	}
	dev = json_object_array_get_idx(arr, 0);
	json_object_object_del(dev, "cxlmem");
	snprintf(buf, sizeof(buf), "%s", json_object_to_json_string_ext(dev, JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
	return buf;
}

/* daxctl 76.1 after -N: system-ram, no block online, and no "movable"
 * (its zone scan fails on an offline block, so the key is left out) */
static const char no_online_json[] =
	"{\"chardev\":\"dax0.0\",\"size\":1073741824,\"target_node\":1,\"align\":2097152,"
	"\"mode\":\"system-ram\",\"online_memblocks\":0,\"total_memblocks\":8}";

static void test_no_online_lifecycle(void **state)
{
	struct env e;

	env_init(&e);
	assert_int_equal(dx(&e, "reconfigure-device", "-N", "-m", "system-ram", DEV, NULL), 0);
	assert_string_equal(device_json(e.out), no_online_json);
	assert_non_null(strstr(e.err, "reconfigured 1 device"));
	assert_string_equal(e.fk.driver, "kmem");
	assert_true(e.fk.present);
	assert_all(&e.fk, "offline", NULL);
	assert_int_equal(e.fk.onlines, 0);

	/* again: already system-ram, daxctl's message and success */
	e.fk.writes = 0;
	assert_int_equal(dx(&e, "reconfigure-device", "-N", "-m", "system-ram", DEV, NULL), 0);
	assert_non_null(strstr(e.err, "already in system-ram mode"));
	assert_int_equal(e.fk.writes, 0);

	/* online-memory onlines them as planned (movable) */
	assert_int_equal(dx(&e, "online-memory", DEV, NULL), 0);
	assert_all(&e.fk, "online", "Movable");
	/* offline-memory offlines them and keeps kmem */
	assert_int_equal(dx(&e, "offline-memory", "-v", DEV, NULL), 0);
	/* daxctl 76.1 counts them only with -v */
	assert_non_null(strstr(e.err, "8 memory sections offlined"));
	assert_all(&e.fk, "offline", NULL);
	assert_string_equal(e.fk.driver, "kmem");
	/* and devdax mode again, with nothing online: no -f needed */
	assert_int_equal(dx(&e, "reconfigure-device", "-m", "devdax", DEV, NULL), 0);
	assert_string_equal(e.fk.driver, "device_dax");
	assert_false(e.fk.present);
	assert_false(e.fk.leaked);
	env_free(&e);
}

/* An online policy that would race: -N fails with -EBUSY (240), nothing written. */
static void test_no_online_policy_refused(void **state)
{
	struct env e;

	env_init(&e);
	sr_file(e.root, "/sys/devices/system/memory/auto_online_blocks", "online_movable\n");
	env_attach(&e);
	assert_int_equal(dx(&e, "reconfigure-device", "-N", "-m", "system-ram", DEV, NULL), 240);
	assert_non_null(strstr(e.err, "kernel policy will auto-online memory, aborting"));
	assert_int_equal(e.fk.writes, 0);
	assert_string_equal(e.out, "");

	/* -f: arbitrated, the blocks stay offline, the policy comes back */
	assert_int_equal(dx(&e, "reconfigure-device", "-N", "-f", "-m", "system-ram", DEV, NULL), 0);
	assert_string_equal(device_json(e.out), no_online_json);
	assert_all(&e.fk, "offline", NULL);
	assert_string_equal(e.fk.auto_online, "online_movable");
	env_free(&e);
}

/* An agent nobody detected onlines the blocks: -N fails, the device is as found. */
static void test_no_online_racing_agent(void **state)
{
	struct fk_snapshot before;
	struct env e;

	env_init(&e);
	e.fk.agent_online_plain = true;
	fk_snapshot(&e.fk, &before);
	assert_int_equal(dx(&e, "reconfigure-device", "-N", "-m", "system-ram", DEV, NULL), 240);
	assert_non_null(strstr(e.err, "to stay offline"));
	assert_non_null(strstr(e.err, "rolled back"));
	assert_non_null(strstr(e.err, "reconfigured 0 devices"));
	assert_string_equal(e.out, "");
	assert_true(fk_same(&e.fk, &before));
	assert_false(e.fk.leaked);
	env_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_online_lifecycle),
		cmocka_unit_test(test_no_online_policy_refused),
		cmocka_unit_test(test_no_online_racing_agent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
