// SPDX-License-Identifier: GPL-2.0-or-later
/* cxlmem list: everything libmhp discovers, as one JSON document. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "json.h"

static void list_usage(FILE *out)
{
	fprintf(out,
		"usage: cxlmem list [-B|--blocks]\n"
		"\n"
		"Print one JSON document: schema_version, platform, nodes, cxl_memdevs,\n"
		"cxl_regions, dax_devices and a memory block summary (the schema is\n"
		"documented with mhp_list_to_json() in libmhp.h).\n"
		"  -B, --blocks   add the list of every memory block\n");
}

int cmd_list(int argc, char **argv, struct mhp_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "blocks", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int flags = cxlmem_json_flags();
	char *json;
	int c;

	while ((c = getopt_long(argc, argv, "Bh", longopts, NULL)) != -1) {
		switch (c) {
		case 'B':
			flags |= MHP_JSON_BLOCKS;
			break;
		case 'h':
			list_usage(stdout);
			return 0;
		default:
			list_usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cxlmem list: unexpected argument '%s'\n", argv[optind]);
		list_usage(stderr);
		return 1;
	}
	if (mhp_list_to_json(ctx, flags, &json) < 0) {
		fprintf(stderr, "cxlmem list: %s\n", mhp_get_last_error(ctx));
		return 1;
	}
	printf("%s\n", json);
	free(json);
	return 0;
}
