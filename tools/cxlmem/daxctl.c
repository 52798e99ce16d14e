// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxlmem-daxctl: the daxctl 76.1 command line and JSON, with libmhp's
 * planner and executor behind it. Installed as a link to cxlmem; main()
 * comes here when argv[0]'s basename is cxlmem-daxctl.
 *
 * The output contract (keys, types, one-vs-many wrapping, -u formats,
 * exit codes) was learnt from ndctl 76.1's daxctl and util sources and is
 * written down, key by key, in cxlmem-daxctl(8) and tests/daxctl/.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "builtin.h"
#include "daxctl.h"

/* ---- the device model, from the library's list document ------------ */

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static int64_t jint(struct json_object *o, const char *key, int64_t dflt)
{
	struct json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : dflt;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int dx_load(struct dx_ctx *dx)
{
	struct json_object *devs;
	char *text;
	size_t i, n;
	int rc;

	dx_unload(dx);
	rc = mhp_list_to_json(dx->ctx, 0, &text);
	if (rc < 0) {
		fprintf(stderr, "cxlmem-daxctl: %s\n", mhp_get_last_error(dx->ctx));
		return rc;
	}
	dx->list = json_tokener_parse(text);
	free(text);
	devs = jget(dx->list, "dax_devices");
	n = devs ? json_object_array_length(devs) : 0;
	dx->devs = calloc(n ? n : 1, sizeof(*dx->devs));
	if (!dx->list || !dx->devs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(devs, i);
		struct json_object *b = jget(o, "blocks");
		struct dx_dev *d = &dx->devs[dx->num_devs];
		const char *drv = jstr(o, "driver");

		d->obj = o;
		d->name = jstr(o, "name");
		if (!d->name || sscanf(d->name, "dax%d.%d", &d->region_id, &d->dev_id) != 2)
			continue;
		d->kmem = drv && strcmp(drv, "kmem") == 0;
		d->enabled = drv && strcmp(drv, "none") != 0;
		d->has_blocks = b && json_object_is_type(b, json_type_object);
		d->present = jint(b, "present", 0);
		d->online = jint(b, "online", 0);
		d->movable = jint(b, "movable", 0);
		d->normal = jint(b, "normal", 0);
		dx->num_devs++;
	}
	return 0;
}

void dx_unload(struct dx_ctx *dx)
{
	json_object_put(dx->list);
	free(dx->devs);
	dx->list = NULL;
	dx->devs = NULL;
	dx->num_devs = 0;
}

bool dx_dev_matches(const struct dx_dev *d, const char *ident)
{
	int r, n;

	if (!ident || strcmp(ident, "all") == 0 || strcmp(ident, d->name) == 0)
		return true;
	return sscanf(ident, "%d.%d", &r, &n) == 2 && r == d->region_id && n == d->dev_id;
}

/*
 * daxctl takes "N" and "regionN"; "dax_regionN" goes through libmhp's
 * resolver, which also says which regions exist when none matches.
 * *id = -1 for no filter; -ENODEV when the region does not exist.
 */
int dx_region_filter_id(struct dx_ctx *dx, const char *ident, int *id)
{
	struct mhp_dax_dev **devs;
	size_t n;
	int rc;

	*id = -1;
	if (!ident || strcmp(ident, "all") == 0)
		return 0;
	if (sscanf(ident, "region%d", id) == 1)
		return 0;
	rc = mhp_resolve_dax_region(dx->ctx, ident, &devs, &n);
	if (rc < 0) {
		/* an id that parses but has no devices left still filters */
		if (sscanf(ident, "%d", id) == 1 || sscanf(ident, "dax_region%d", id) == 1)
			return 0;
		return rc;
	}
	if (n == 0 || sscanf(mhp_dax_dev_get_name(devs[0]), "dax%d.", id) != 1)
		*id = INT_MAX;
	free(devs);
	return 0;
}

/* ---- JSON in daxctl's shapes ------------------------------------------ */

/*
 * daxctl -u sizes: below 5000 KiB the plain integer; else centi-MiB up to
 * 2 GiB, centi-GiB up to 2 TiB, then TiB, rounded half up, followed by
 * the decimal (MB/GB/TB) figure in parentheses, as one string.
 */
static struct json_object *dx_size(uint64_t bytes, unsigned int flags)
{
	static const struct { uint64_t below, iec, si; const char *ui, *us; } units[] = {
		{ 2ULL << 30, 1ULL << 20, 1000000ULL, "MiB", "MB" },
		{ 2ULL << 40, 1ULL << 30, 1000000000ULL, "GiB", "GB" },
		{ UINT64_MAX, 1ULL << 40, 1000000000000ULL, "TiB", "TB" },
	};
	unsigned int i = 0;
	uint64_t ci, cs;
	char buf[96];

	if (!(flags & DX_HUMAN) || bytes < 5000 * 1024ULL)
		return json_object_new_int64((int64_t)bytes);
	while (bytes >= units[i].below)
		i++;
	ci = ((unsigned __int128)bytes * 200 / units[i].iec + 1) / 2;
	cs = (bytes / (units[i].si / 200) + 1) / 2;
	snprintf(buf, sizeof(buf), "%" PRIu64 ".%02" PRIu64 " %s (%" PRIu64 ".%02" PRIu64 " %s)",
		 ci / 100, ci % 100, units[i].ui, cs / 100, cs % 100, units[i].us);
	return json_object_new_string(buf);
}

/* daxctl -u addresses/offsets: "0x..." text; otherwise an integer. */
static struct json_object *dx_hex(uint64_t v, unsigned int flags)
{
	char buf[32];

	if (!(flags & DX_HUMAN))
		return json_object_new_int64((int64_t)v);
	snprintf(buf, sizeof(buf), "%#" PRIx64, v);
	return json_object_new_string(buf);
}

/* "mappings": page_offset, start, end, size of each mappingN, in N order. */
static void add_mappings(struct dx_ctx *dx, const struct dx_dev *d, struct json_object *jdev)
{
	struct mhp_dax_dev *dev = mhp_dax_dev_get_by_name(dx->ctx, d->name);
	struct json_object *arr = NULL, *m;
	uint64_t off, start, end;
	unsigned int n;

	for (n = 0; dev && mhp_dax_dev_get_mapping(dx->ctx, dev, n, &off, &start, &end) == 0; n++) {
		if (!arr) {
			arr = json_object_new_array();
			json_object_object_add(jdev, "mappings", arr);
		}
		m = json_object_new_object();
		json_object_object_add(m, "page_offset", dx_hex(off, dx->flags));
		json_object_object_add(m, "start", dx_hex(start, dx->flags));
		json_object_object_add(m, "end", dx_hex(end, dx->flags));
		json_object_object_add(m, "size", dx_size(end - start + 1, dx->flags));
		json_object_array_add(arr, m);
	}
}

/* cxlmem's own facts: the one key daxctl does not have. */
static struct json_object *cxlmem_facts(const struct dx_dev *d)
{
	static const char *const keys[] = {
		"provenance", "provenance_chain", "cxl_region", "persistent",
		"memmap_on_memory", "driver",
	};
	struct json_object *o = json_object_new_object(), *v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_object_get_ex(d->obj, keys[i], &v))
			json_object_object_add(o, keys[i], json_object_get(v));
	if (d->has_blocks) {
		json_object_object_add(o, "online_movable_memblocks", json_object_new_int64(d->movable));
		json_object_object_add(o, "online_normal_memblocks", json_object_new_int64(d->normal));
	}
	return o;
}

struct json_object *dx_dev_to_json(struct dx_ctx *dx, const struct dx_dev *d)
{
	struct json_object *j = json_object_new_object();
	int64_t node = jint(d->obj, "target_node", -1), align = jint(d->obj, "align", 0);

	json_object_object_add(j, "chardev", json_object_new_string(d->name));
	json_object_object_add(j, "size", dx_size((uint64_t)jint(d->obj, "size", 0), dx->flags));
	if (node >= 0)
		json_object_object_add(j, "target_node", json_object_new_int((int)node));
	if (align > 0)
		json_object_object_add(j, "align", dx_size((uint64_t)align, dx->flags));
	json_object_object_add(j, "mode", json_object_new_string(d->kmem ? "system-ram" : "devdax"));
	if (d->kmem && d->has_blocks) {
		json_object_object_add(j, "online_memblocks", json_object_new_int((int)d->online));
		json_object_object_add(j, "total_memblocks", json_object_new_int((int)d->present));
		/*
		 * daxctl's zone scan fails on an offline block, and then it
		 * leaves "movable" out; with every block online it is true
		 * when all are in ZONE_MOVABLE.
		 */
		if (d->online == d->present)
			json_object_object_add(j, "movable", json_object_new_boolean(
				d->present > 0 && d->normal == 0));
	}
	if (!d->enabled)
		json_object_object_add(j, "state", json_object_new_string("disabled"));
	if (dx->flags & DX_MAPPINGS)
		add_mappings(dx, d, j);
	json_object_object_add(j, "cxlmem", cxlmem_facts(d));
	return j;
}

void dx_print(struct json_object *arr, unsigned int flags)
{
	struct json_object *o = arr;
	size_t n = json_object_array_length(arr);

	if (n == 1 && (flags & DX_HUMAN))
		o = json_object_array_get_idx(arr, 0);
	if (n == 0 && !(flags & DX_HUMAN))
		fprintf(stderr, "  Warning: no matching devices found\n");
	if (n || !(flags & DX_HUMAN))
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(arr);
}

/* ---- list ---------------------------------------------------------- */

/* The region of @d: its parent device, with dax_region/ attributes. */
static struct json_object *region_to_json(struct dx_ctx *dx, const struct dx_dev *d,
					  const char *dev_filter, int region_id)
{
	struct mhp_dax_dev *dev = mhp_dax_dev_get_by_name(dx->ctx, d->name);
	struct json_object *j = json_object_new_object(), *devs = NULL;
	char path[PATH_MAX];
	bool have = dev && mhp_dax_dev_get_region_path(dx->ctx, dev, path, sizeof(path)) == 0;
	uint64_t v;
	size_t i;

	if (have && strncmp(path, "/sys/devices/", 13) == 0)
		json_object_object_add(j, "path", json_object_new_string(path + 12));
	json_object_object_add(j, "id", json_object_new_int(region_id));
	if (have && mhp_dax_dev_get_region_attr(dx->ctx, dev, MHP_DAX_REGION_SIZE, &v) == 0)
		json_object_object_add(j, "size", dx_size(v, dx->flags));
	if (have && mhp_dax_dev_get_region_attr(dx->ctx, dev, MHP_DAX_REGION_AVAILABLE_SIZE, &v) == 0 && v)
		json_object_object_add(j, "available_size", dx_size(v, dx->flags));
	if (have && mhp_dax_dev_get_region_attr(dx->ctx, dev, MHP_DAX_REGION_ALIGN, &v) == 0)
		json_object_object_add(j, "align", json_object_new_int64((int64_t)v));
	if (!(dx->flags & DX_DEVS))
		return j;
	for (i = 0; i < dx->num_devs; i++) {
		const struct dx_dev *e = &dx->devs[i];

		if (e->region_id != region_id || !dx_dev_matches(e, dev_filter) ||
		    (!(dx->flags & DX_IDLE) && jint(e->obj, "size", 0) == 0))
			continue;
		if (!devs) {
			devs = json_object_new_array();
			json_object_object_add(j, "devices", devs);
		}
		json_object_array_add(devs, dx_dev_to_json(dx, e));
	}
	return j;
}

static void list_usage(FILE *out)
{
	fprintf(out,
		"\n usage: cxlmem-daxctl list [<options>]\n\n"
		"    -r, --region <region-id>\n"
		"                          filter by region\n"
		"    -d, --dev <dev-id>    filter by dax device instance name\n"
		"    -D, --devices         include dax device info\n"
		"    -R, --regions         include dax region info\n"
		"    -M, --mappings        include dax mappings info\n"
		"    -i, --idle            include idle devices\n"
		"    -u, --human           use human friendly number formats\n\n");
}

int dx_cmd_list(struct dx_ctx *dx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "region", required_argument, NULL, 'r' },
		{ "dev", required_argument, NULL, 'd' },
		{ "devices", no_argument, NULL, 'D' },
		{ "regions", no_argument, NULL, 'R' },
		{ "mappings", no_argument, NULL, 'M' },
		{ "idle", no_argument, NULL, 'i' },
		{ "human", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *region = NULL, *dev = NULL;
	bool devs = false, regions = false;
	struct json_object *out = NULL;
	int c, rid, last_region = INT_MIN;
	size_t i;

	while ((c = getopt_long(argc, argv, "r:d:DRMiuh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': region = optarg; break;
		case 'd': dev = optarg; break;
		case 'D': devs = true; break;
		case 'R': regions = true; break;
		case 'M': dx->flags |= DX_MAPPINGS; break;
		case 'i': dx->flags |= DX_IDLE; break;
		case 'u': dx->flags |= DX_HUMAN; break;
		case 'h':
			list_usage(stdout);
			return 0;
		default:
			list_usage(stderr);
			return DAXCTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		for (c = optind; c < argc; c++)
			fprintf(stderr, "  Error: unknown parameter \"%s\"\n", argv[c]);
		list_usage(stderr);
		return DAXCTL_EXIT_USAGE;
	}
	/* daxctl: -r alone lists regions, -d alone devices, nothing: devices */
	if (!devs && !regions) {
		regions = region != NULL;
		devs = dev != NULL;
	}
	if (!devs && !regions)
		devs = true;
	if (devs)
		dx->flags |= DX_DEVS;
	if (dx_region_filter_id(dx, region, &rid) < 0)
		return 0;	/* daxctl: an unknown region lists nothing */

	for (i = 0; i < dx->num_devs; i++) {
		const struct dx_dev *d = &dx->devs[i];

		if (rid >= 0 && d->region_id != rid)
			continue;
		if (regions) {
			if (d->region_id == last_region)
				continue;
			last_region = d->region_id;
			if (!out)
				out = json_object_new_array();
			json_object_array_add(out, region_to_json(dx, d, dev, d->region_id));
			continue;
		}
		if (!dx_dev_matches(d, dev) ||
		    (!(dx->flags & DX_IDLE) && jint(d->obj, "size", 0) == 0))
			continue;
		if (!out)
			out = json_object_new_array();
		json_object_array_add(out, dx_dev_to_json(dx, d));
	}
	/* daxctl prints nothing at all when nothing matched */
	if (out)
		dx_print(out, dx->flags);
	return 0;
}

/* ---- the front end --------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(struct dx_ctx *, int, char **);
} dx_commands[] = {
	{ "list", dx_cmd_list },
	{ "reconfigure-device", dx_cmd_reconfigure },
	{ "online-memory", dx_cmd_online },
	{ "offline-memory", dx_cmd_offline },
};

static void dx_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: cxlmem-daxctl [--version] [--help] COMMAND [ARGS]\n\n"
		"daxctl 76.1's commands and JSON, done by cxlmem's planner and executor:\n");
	for (i = 0; i < sizeof(dx_commands) / sizeof(dx_commands[0]); i++)
		fprintf(out, "  %s\n", dx_commands[i].name);
	fprintf(out, "See cxlmem-daxctl(8) for what differs from daxctl.\n");
}

int cxlmem_daxctl_main(int argc, char **argv)
{
	return cxlmem_daxctl_run(NULL, argc, argv);
}

int cxlmem_daxctl_run(struct mhp_ctx *ctx, int argc, char **argv)
{
	struct dx_ctx dx = { 0 };
	const char *cmd;
	size_t i;
	int rc;

	if (argc < 2) {
		dx_usage(stderr);
		return 1;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("%s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		dx_usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--list-cmds") == 0) {
		for (i = 0; i < sizeof(dx_commands) / sizeof(dx_commands[0]); i++)
			printf("%s\n", dx_commands[i].name);
		return 0;
	}
	for (i = 0; i < sizeof(dx_commands) / sizeof(dx_commands[0]); i++)
		if (strcmp(cmd, dx_commands[i].name) == 0)
			break;
	if (i == sizeof(dx_commands) / sizeof(dx_commands[0])) {
		fprintf(stderr, "cxlmem-daxctl: '%s' is not a command cxlmem-daxctl implements (list, reconfigure-device, online-memory, offline-memory); use daxctl for it\n",
			cmd);
		return 1;
	}
	if (ctx)
		dx.ctx = mhp_ref(ctx);
	rc = ctx ? 0 : mhp_new(&dx.ctx);
	if (rc < 0) {
		fprintf(stderr, "cxlmem-daxctl: cannot create the libmhp context: %s\n", strerror(-rc));
		return 1;
	}
	if (!getenv("MHP_LOG"))
		mhp_set_log_priority(dx.ctx, LOG_CRIT);
	rc = dx_load(&dx);
	if (rc == 0) {
		if (strcmp(cmd, "list") != 0)
			cxlmem_catch_signals(dx.ctx);
		optind = 0;
		rc = dx_commands[i].fn(&dx, argc - 1, argv + 1);
	}
	dx_unload(&dx);
	mhp_unref(dx.ctx);
	return DAXCTL_EXIT(rc);
}
