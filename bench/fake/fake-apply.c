// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One mhp_apply() of an N-block hmem device against the unit tests' fake
 * kernel, for counting what the executor itself costs (instructions under
 * callgrind --toggle-collect=mhp_apply, syscalls between the two markers
 * written to fd -1 under strace). No timing: the machine is shared.
 *   bench/fake/run.sh BUILD_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "ctx.h"
#include "fakekernel.h"
#include "sysroot.h"

int main(int argc, char **argv)
{
	unsigned int nr = argc > 1 ? (unsigned int)atoi(argv[1]) : 8;
	struct mhp_plan_opts opts = { .size = sizeof(opts), .zone = MHP_ZONE_POLICY_MOVABLE };
	struct fakekernel fk = { 0 };
	struct mhp_dax_dev *d;
	struct mhp_plan *plan;
	struct mhp_ctx *ctx;
	char *root;
	int rc;

	if (nr == 0 || nr > FK_MAX_BLOCKS)
		return 2;
	root = sr_new_hmem();
	sr_file(root, "/sys/devices/platform/hmem.0/dax0.0/size", "%llu\n",
		(unsigned long long)nr << 27);
	fk.root = root;
	fk.dev = "dax0.0";
	fk.devdir = "/sys/devices/platform/hmem.0/dax0.0";
	fk.first = 32;
	fk.nr = nr;
	if (mhp_new(&ctx) < 0 || mhp_set_sysroot(ctx, root) < 0)
		return 1;
	fk_attach(&fk, ctx);
	d = mhp_dax_dev_get_by_name(ctx, "dax0.0");
	if (!d || mhp_plan_dax_dev(ctx, d, &opts, &plan) < 0)
		return 1;
	(void)!write(-1, "BEGIN", 5);
	rc = mhp_apply(ctx, plan, 0, NULL, NULL);
	(void)!write(-1, "END", 3);
	printf("apply %u blocks: rc %d, %d sysfs writes\n", nr, rc, fk.writes);
	mhp_plan_unref(plan);
	mhp_unref(ctx);
	sr_free(root);
	return rc != 0;
}
