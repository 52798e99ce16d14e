// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daxctl reconfigure-device compatibility:
 *   cxlmem reconfigure-device -m system-ram [--no-movable] [-f] daxX.Y...
 *   cxlmem reconfigure-device -m devdax [-f] daxX.Y...
 * Same result as daxctl, done by the planner and executor (zones chosen
 * explicitly, auto-online arbitrated, rollback on failure). The summary
 * counts only devices that really changed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "json.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cxlmem reconfigure-device -m system-ram|devdax [options] DEVICE...\n"
		"DEVICE: daxX.Y, /dev/daxX.Y, all, regionN (CXL) or dax_regionN\n"
		"  -m, --mode MODE      system-ram (kmem, online) or devdax\n"
		"  -N, --no-online      system-ram: bind kmem, leave the blocks offline (unsupported)\n"
		"      --no-movable     online into ZONE_NORMAL instead of ZONE_MOVABLE\n"
		"  -f, --force          devdax: offline the memory first (always done here)\n"
		"      --force-destroy-data  allow converting persistent memory\n");
}

/* Convert one device as -m says; counts what changed and what failed. */
static void reconfigure_one(struct mhp_ctx *ctx, const char *cmd, struct mhp_dax_dev *d,
			    const char *mode, const struct mhp_plan_opts *opts,
			    unsigned int flags, struct json_object *out,
			    int *changed, int *failed)
{
	const char *name = mhp_dax_dev_get_name(d);
	struct mhp_plan *plan;
	int rc;

	if (strcmp(mode, "devdax") == 0) {
		rc = mhp_offline(ctx, name, MHP_OFFLINE_TO_DEVDAX, 120000, 10, NULL, NULL);
		if (rc < 0) {
			fprintf(stderr, "%s: %s: %s\n", cmd, name, mhp_get_last_error(ctx));
			(*failed)++;
		} else if (rc == 0) {
			(*changed)++;
		}
		return;
	}
	rc = mhp_plan_dax_dev(ctx, d, opts, &plan);
	if (rc < 0) {
		fprintf(stderr, "%s: cannot plan %s: %s\n", cmd, name, mhp_get_last_error(ctx));
		(*failed)++;
		return;
	}
	rc = cxlmem_apply_one(ctx, cmd, plan, flags, out);
	if (rc)
		(*failed)++;
	else if (strcmp(json_object_get_string(json_object_object_get(
			json_object_array_get_idx(out, json_object_array_length(out) - 1),
			"result")), "online") == 0)
		(*changed)++;
	mhp_plan_unref(plan);
}

int cmd_reconfigure_device(int argc, char **argv, struct mhp_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "no-online", no_argument, NULL, 'N' },
		{ "no-movable", no_argument, NULL, 'M' },
		{ "force", no_argument, NULL, 'f' },
		{ "force-destroy-data", no_argument, NULL, 'D' },
		{ "human", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "cxlmem reconfigure-device", *mode = NULL;
	struct mhp_plan_opts opts = { .size = sizeof(opts), .zone = MHP_ZONE_POLICY_MOVABLE };
	struct json_object *out = json_object_new_array();
	unsigned int flags = 0;
	int c, i, changed = 0, failed = 0;

	while ((c = getopt_long(argc, argv, "m:NfuhD", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			mode = optarg;
			break;
		case 'N':
			fprintf(stderr, "%s: --no-online is not supported: libmhp onlines every block in its planned zone\n",
				cmd);
			json_object_put(out);
			return 1;
		case 'M':
			opts.zone = MHP_ZONE_POLICY_NORMAL;
			break;
		case 'f':
			break;
		case 'D':
			flags |= MHP_APPLY_DESTROY_DATA;
			break;
		case 'u':
			cxlmem_opts.human = true;
			break;
		case 'h':
			usage(stdout);
			json_object_put(out);
			return 0;
		default:
			usage(stderr);
			json_object_put(out);
			return 1;
		}
	}
	if (!mode || (strcmp(mode, "system-ram") && strcmp(mode, "devdax")) || optind >= argc) {
		fprintf(stderr, "%s: need -m system-ram|devdax and at least one device\n", cmd);
		usage(stderr);
		json_object_put(out);
		return 1;
	}
	for (i = optind; i < argc && !cxlmem_cancelled(); i++) {
		struct mhp_dax_dev **devs;
		size_t j, n;

		if (cxlmem_resolve(ctx, cmd, argv[i], &devs, &n) < 0) {
			failed++;
			continue;
		}
		for (j = 0; j < n && !cxlmem_cancelled(); j++)
			reconfigure_one(ctx, cmd, devs[j], mode, &opts, flags, out,
					&changed, &failed);
		free(devs);
	}
	if (json_object_array_length(out))
		json_print(json_object_get(out));
	json_object_put(out);
	fprintf(stderr, "reconfigured %d device%s%s\n", changed, changed == 1 ? "" : "s",
		failed ? " (some failed, see above)" : "");
	if (cxlmem_report_cancel(cmd))
		return 1;
	return failed ? 1 : 0;
}
