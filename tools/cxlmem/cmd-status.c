// SPDX-License-Identifier: GPL-2.0-or-later
/* cxlmem status: live state of a device against the plan applied to it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "json.h"

/* Exit status when a device drifted from its applied plan. */
#define EXIT_DRIFT	3

static void status_usage(FILE *out)
{
	fprintf(out,
		"usage: cxlmem status TARGET [-B|--blocks] [--state-dir DIR]\n\n"
		"JSON of the live state of TARGET (all, daxX.Y, regionN or dax_regionN): driver,\n"
		"memmap location in effect, online/movable/normal bytes, and any\n"
		"drift from the plan applied by online-region. -B lists every block.\n"
		"The schema is documented with mhp_status_to_json() in libmhp.h.\n"
		"Exit status: 0, or 3 when a device drifted from its applied plan.\n");
}

int cmd_status(int argc, char **argv, struct mhp_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "blocks", no_argument, NULL, 'B' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int flags = cxlmem_json_flags();
	char *json;
	int c, rc;

	while ((c = getopt_long(argc, argv, "Bh", longopts, NULL)) != -1) {
		switch (c) {
		case 'B':
			flags |= MHP_JSON_BLOCKS;
			break;
		case 'S':
			mhp_set_state_dir(ctx, optarg);
			break;
		case 'h':
			status_usage(stdout);
			return 0;
		default:
			status_usage(stderr);
			return 1;
		}
	}
	cxlmem_warn_pending(ctx);
	if (optind + 1 != argc) {
		fprintf(stderr, "cxlmem status: give exactly one TARGET (all, daxX.Y, regionN or dax_regionN)\n");
		return 1;
	}
	rc = mhp_status_to_json(ctx, argv[optind], flags, &json);
	if (rc < 0) {
		fprintf(stderr, "cxlmem status: %s\n", mhp_get_last_error(ctx));
		return 1;
	}
	printf("%s\n", json);
	free(json);
	return rc > 0 ? EXIT_DRIFT : 0;
}
