// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxlmem export: the list and status documents as fleet formats.
 *
 *   prometheus  node-exporter textfile-collector metrics (*.prom)
 *   nfd         a node-feature-discovery feature file (key=value lines)
 *
 * Both are built from the schema-versioned documents libmhp writes
 * (mhp_list_to_json, mhp_status_to_json), parsed back with json-c, so an
 * export never reports a fact `cxlmem list`/`status` would not. With
 * --output the file is replaced atomically: a scraper reads the old file
 * or the new one, never half of one.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "json.h"

/* A Kubernetes label value: at most 63 characters. */
#define NFD_VALUE_MAX	63

struct export_docs {
	struct json_object *list;	/* the list document */
	struct json_object *status;	/* array of status objects */
	const char *journal;		/* device an interrupted run left, or NULL */
};

static void export_usage(FILE *out)
{
	fprintf(out,
		"usage: cxlmem export --format prometheus|nfd [--output FILE] [--state-dir DIR]\n"
		"\n"
		"Write the state of every dax device for a fleet's collectors:\n"
		"  -f, --format prometheus   node-exporter textfile-collector metrics\n"
		"  -f, --format nfd          node-feature-discovery feature file (key=value)\n"
		"  -o, --output FILE         replace FILE atomically (default: stdout)\n"
		"  --state-dir DIR           where applied plans and the journal are\n");
}

/* ---- reading the documents ------------------------------------------- */

static struct json_object *get(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

static uint64_t get_u64(struct json_object *obj, const char *key)
{
	struct json_object *v = get(obj, key);

	if (!v || !json_object_is_type(v, json_type_int))
		return 0;
	return (uint64_t)json_object_get_int64(v);
}

static const char *get_str(struct json_object *obj, const char *key, const char *dflt)
{
	struct json_object *v = get(obj, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : dflt;
}

static struct json_object *parse_doc(const char *what, const char *text)
{
	struct json_object *doc = json_tokener_parse(text);

	if (!doc)
		fprintf(stderr, "cxlmem export: libmhp's %s document is not JSON; this is a bug, please report it\n",
			what);
	return doc;
}

static int check_schema(const char *what, struct json_object *doc, int64_t want)
{
	struct json_object *v = get(doc, "schema_version");

	if (v && json_object_get_int64(v) == want)
		return 0;
	fprintf(stderr, "cxlmem export: the %s document has schema_version %s, this exporter reads %" PRId64 "; rebuild cxlmem against this libmhp\n",
		what, v ? json_object_get_string(v) : "(none)", want);
	return -EPROTO;
}

static void docs_free(struct export_docs *d)
{
	json_object_put(d->list);
	json_object_put(d->status);
}

static int docs_load(struct mhp_ctx *ctx, struct export_docs *d)
{
	char *text;
	size_t i;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = mhp_list_to_json(ctx, 0, &text);
	if (rc < 0)
		goto lib_error;
	d->list = parse_doc("list", text);
	free(text);
	if (!d->list || check_schema("list", d->list, MHP_LIST_SCHEMA_VERSION) < 0)
		return -EPROTO;

	rc = mhp_status_to_json(ctx, "all", 0, &text);
	if (rc < 0)
		goto lib_error;
	d->status = parse_doc("status", text);
	free(text);
	if (!d->status || !json_object_is_type(d->status, json_type_array))
		return -EPROTO;
	for (i = 0; i < json_object_array_length(d->status); i++)
		if (check_schema("status", json_object_array_get_idx(d->status, i),
				 MHP_STATUS_SCHEMA_VERSION) < 0)
			return -EPROTO;
	d->journal = mhp_journal_pending(ctx);
	return 0;
lib_error:
	fprintf(stderr, "cxlmem export: %s\n", mhp_get_last_error(ctx));
	return rc;
}

static struct json_object *status_of(struct export_docs *d, const char *device)
{
	size_t i;

	for (i = 0; i < json_object_array_length(d->status); i++) {
		struct json_object *s = json_object_array_get_idx(d->status, i);

		if (strcmp(get_str(s, "device", ""), device) == 0)
			return s;
	}
	return NULL;
}

static size_t num_dax_devices(struct export_docs *d)
{
	struct json_object *devs = get(d->list, "dax_devices");

	return devs ? json_object_array_length(devs) : 0;
}

static struct json_object *dax_device(struct export_docs *d, size_t i)
{
	return json_object_array_get_idx(get(d->list, "dax_devices"), i);
}

/*
 * DRAM the kernel spends on the struct pages of @st's online memory: none
 * when the memmap lives on the device itself (memmap_on_memory) or
 * nothing is online.
 */
static uint64_t dram_overhead_bytes(struct export_docs *d, struct json_object *st)
{
	struct json_object *plat = get(d->list, "platform");
	uint64_t page = get_u64(plat, "page_size"), sp = get_u64(plat, "struct_page_size");

	if (!st || !page || strcmp(get_str(st, "memmap_location", "none"), "dram") != 0)
		return 0;
	return get_u64(st, "online_bytes") / page * sp;
}

/* ---- prometheus ------------------------------------------------------ */

/* A label value in the exposition format: \, " and newline escaped. */
static void prom_label_value(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '"')
			fputs("\\\"", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void prom_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* "name{device="dax0.0"[,extra="value"]} value" */
static void prom_sample(FILE *out, const char *name, const char *device,
			const char *extra, const char *extra_value, uint64_t value)
{
	fputs(name, out);
	if (device) {
		fputs("{device=\"", out);
		prom_label_value(out, device);
		fputc('"', out);
		if (extra) {
			fprintf(out, ",%s=\"", extra);
			prom_label_value(out, extra_value);
			fputc('"', out);
		}
		fputc('}', out);
	}
	fprintf(out, " %" PRIu64 "\n", value);
}

static void prom_info(FILE *out, struct export_docs *d)
{
	static const char *const keys[] = { "region", "provenance", "driver", "cxl_region" };
	size_t i, k;

	prom_family(out, "cxlmem_dax_device_info", "gauge",
		    "A dax device cxlmem manages (always 1); its facts are the labels.");
	for (i = 0; i < num_dax_devices(d); i++) {
		struct json_object *dev = dax_device(d, i);
		struct json_object *node = get(dev, "target_node");

		fputs("cxlmem_dax_device_info{device=\"", out);
		prom_label_value(out, get_str(dev, "name", ""));
		fputc('"', out);
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			fprintf(out, ",%s=\"", keys[k]);
			prom_label_value(out, get_str(dev, keys[k], ""));
			fputc('"', out);
		}
		fprintf(out, ",target_node=\"%s\",persistent=\"%s\"} 1\n",
			node && json_object_is_type(node, json_type_int) ?
				json_object_get_string(node) : "",
			json_object_get_boolean(get(dev, "persistent")) ? "true" : "false");
	}
}

static void prom_sizes(FILE *out, struct export_docs *d)
{
	static const char *const zones[] = { "movable", "normal" };
	size_t i, z;

	prom_family(out, "cxlmem_dax_device_size_bytes", "gauge",
		    "Capacity of the dax device.");
	for (i = 0; i < num_dax_devices(d); i++)
		prom_sample(out, "cxlmem_dax_device_size_bytes",
			    get_str(dax_device(d, i), "name", ""), NULL, NULL,
			    get_u64(dax_device(d, i), "size"));

	prom_family(out, "cxlmem_dax_device_online_bytes", "gauge",
		    "Bytes of the device online as system RAM, by zone (normal is ZONE_NORMAL and the other kernel zones).");
	for (i = 0; i < json_object_array_length(d->status); i++) {
		struct json_object *st = json_object_array_get_idx(d->status, i);
		char key[32];

		for (z = 0; z < 2; z++) {
			snprintf(key, sizeof(key), "%s_bytes", zones[z]);
			prom_sample(out, "cxlmem_dax_device_online_bytes",
				    get_str(st, "device", ""), "zone", zones[z], get_u64(st, key));
		}
	}
}

static void prom_memmap(FILE *out, struct export_docs *d)
{
	static const char *const where[] = { "none", "device", "dram" };
	size_t i, w;

	prom_family(out, "cxlmem_dax_device_memmap_location", "gauge",
		    "Where the struct pages of the online memory are: 1 for the location in effect (none: nothing online).");
	for (i = 0; i < json_object_array_length(d->status); i++) {
		struct json_object *st = json_object_array_get_idx(d->status, i);
		const char *loc = get_str(st, "memmap_location", "none");

		for (w = 0; w < 3; w++)
			prom_sample(out, "cxlmem_dax_device_memmap_location",
				    get_str(st, "device", ""), "location", where[w],
				    strcmp(loc, where[w]) == 0);
	}

	prom_family(out, "cxlmem_dax_device_dram_overhead_bytes", "gauge",
		    "DRAM spent on the struct pages (memmap) of the device's online memory.");
	for (i = 0; i < json_object_array_length(d->status); i++) {
		struct json_object *st = json_object_array_get_idx(d->status, i);

		prom_sample(out, "cxlmem_dax_device_dram_overhead_bytes",
			    get_str(st, "device", ""), NULL, NULL, dram_overhead_bytes(d, st));
	}
}

/* Waste comes from the plan applied to a device: without one it is unknown. */
static void prom_plan(FILE *out, struct mhp_ctx *ctx, struct export_docs *d)
{
	size_t i;

	prom_family(out, "cxlmem_dax_device_applied_plan", "gauge",
		    "1 when cxlmem applied a plan to the device (drift and waste are measured against it).");
	for (i = 0; i < json_object_array_length(d->status); i++) {
		struct json_object *st = json_object_array_get_idx(d->status, i);

		prom_sample(out, "cxlmem_dax_device_applied_plan", get_str(st, "device", ""),
			    NULL, NULL, json_object_get_boolean(get(st, "applied_plan")));
	}

	prom_family(out, "cxlmem_dax_device_waste_bytes", "gauge",
		    "Capacity the applied plan cannot use: alignment (partial memory blocks) or force (memmap_on_memory=force padding).");
	for (i = 0; i < json_object_array_length(d->status); i++) {
		const char *dev = get_str(json_object_array_get_idx(d->status, i), "device", "");
		struct mhp_plan *plan;

		if (mhp_get_applied_plan(ctx, dev, &plan) < 0)
			continue;
		prom_sample(out, "cxlmem_dax_device_waste_bytes", dev, "kind", "alignment",
			    mhp_plan_get_alignment_waste_bytes(plan));
		prom_sample(out, "cxlmem_dax_device_waste_bytes", dev, "kind", "force",
			    mhp_plan_get_force_waste_bytes(plan));
		mhp_plan_unref(plan);
	}

	prom_family(out, "cxlmem_dax_device_drift_blocks", "gauge",
		    "Memory blocks not online in the zone the applied plan gave them.");
	for (i = 0; i < json_object_array_length(d->status); i++) {
		struct json_object *st = json_object_array_get_idx(d->status, i);
		struct json_object *drift = get(st, "drift");

		prom_sample(out, "cxlmem_dax_device_drift_blocks", get_str(st, "device", ""),
			    NULL, NULL, drift ? json_object_array_length(drift) : 0);
	}
}

static void prom_recover(FILE *out, struct export_docs *d)
{
	prom_family(out, "cxlmem_recover_needed", "gauge",
		    "1 when an interrupted run left a journal: run 'cxlmem recover'.");
	if (d->journal)
		prom_sample(out, "cxlmem_recover_needed", d->journal, NULL, NULL, 1);
	else
		prom_sample(out, "cxlmem_recover_needed", NULL, NULL, NULL, 0);
}

static int write_prometheus(FILE *out, struct mhp_ctx *ctx, struct export_docs *d)
{
	prom_family(out, "cxlmem_export_schema_version", "gauge",
		    "schema_version of the libmhp list document the metrics come from.");
	prom_sample(out, "cxlmem_export_schema_version", NULL, NULL, NULL,
		    get_u64(d->list, "schema_version"));
	prom_info(out, d);
	prom_sizes(out, d);
	prom_memmap(out, d);
	prom_plan(out, ctx, d);
	prom_recover(out, d);
	return 0;
}

/* ---- node-feature-discovery ----------------------------------------- */

struct nfd_facts {
	uint64_t bytes, online, movable, normal;
	size_t devices;
	bool cxl;
	char nodes[NFD_VALUE_MAX + 1];	/* "1_2": target nodes, '_'-separated */
};

/* Append node @n to @f->nodes unless present or it would not fit a label value. */
static void nfd_add_node(struct nfd_facts *f, int64_t n)
{
	char tok[24], *p;
	size_t len = strlen(f->nodes);

	snprintf(tok, sizeof(tok), "%" PRId64, n);
	for (p = f->nodes; (p = strstr(p, tok)); p += strlen(tok))
		if ((p == f->nodes || p[-1] == '_') && (p[strlen(tok)] == '_' || !p[strlen(tok)]))
			return;
	if (len + !!len + strlen(tok) > NFD_VALUE_MAX)
		return;
	snprintf(f->nodes + len, sizeof(f->nodes) - len, "%s%s", len ? "_" : "", tok);
}

static void nfd_collect(struct export_docs *d, struct nfd_facts *f)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < num_dax_devices(d); i++) {
		struct json_object *dev = dax_device(d, i);
		struct json_object *st = status_of(d, get_str(dev, "name", ""));
		struct json_object *node = get(dev, "target_node");

		f->devices++;
		f->bytes += get_u64(dev, "size");
		if (strncmp(get_str(dev, "provenance", ""), "cxl", 3) == 0)
			f->cxl = true;
		if (node && json_object_is_type(node, json_type_int) && json_object_get_int64(node) >= 0)
			nfd_add_node(f, json_object_get_int64(node));
		f->online += get_u64(st, "online_bytes");
		f->movable += get_u64(st, "movable_bytes");
		f->normal += get_u64(st, "normal_bytes");
	}
}

/*
 * Feature names are "cxlmem.<what>"; NFD prefixes them with
 * feature.node.kubernetes.io/. Every value is a valid label value:
 * true/false, a decimal number or node numbers joined by '_'.
 */
static int write_nfd(FILE *out, struct export_docs *d)
{
	struct nfd_facts f;

	nfd_collect(d, &f);
	fprintf(out, "# cxlmem export --format nfd: dax memory of this node (libmhp list schema %" PRIu64 ")\n",
		get_u64(d->list, "schema_version"));
	fprintf(out, "cxlmem.present=%s\n", f.devices ? "true" : "false");
	fprintf(out, "cxlmem.cxl=%s\n", f.cxl ? "true" : "false");
	fprintf(out, "cxlmem.devices=%zu\n", f.devices);
	fprintf(out, "cxlmem.bytes=%" PRIu64 "\n", f.bytes);
	fprintf(out, "cxlmem.online-bytes=%" PRIu64 "\n", f.online);
	fprintf(out, "cxlmem.movable-bytes=%" PRIu64 "\n", f.movable);
	/* movable: everything online is in ZONE_MOVABLE, so it can be offlined again */
	fprintf(out, "cxlmem.movable=%s\n", f.online && !f.normal ? "true" : "false");
	if (f.nodes[0])
		fprintf(out, "cxlmem.nodes=%s\n", f.nodes);
	fprintf(out, "cxlmem.recover-needed=%s\n", d->journal ? "true" : "false");
	return 0;
}

/* ---- atomic output --------------------------------------------------- */

/*
 * Write through a temporary file created O_EXCL next to @path, fsync it,
 * rename it over @path and fsync the directory: the collector sees the
 * old file or the complete new one.
 */
static int write_atomically(const char *path, int (*fn)(FILE *, struct mhp_ctx *, struct export_docs *),
			    struct mhp_ctx *ctx, struct export_docs *d)
{
	char *dup_dir = strdup(path), *dup_base = strdup(path), tmp[PATH_MAX];
	const char *dir, *base;
	FILE *out = NULL;
	int fd = -1, dfd, rc = -1;

	if (!dup_dir || !dup_base) {
		fprintf(stderr, "cxlmem export: out of memory\n");
		goto out;
	}
	dir = dirname(dup_dir);
	base = basename(dup_base);
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base) >= (int)sizeof(tmp)) {
		fprintf(stderr, "cxlmem export: output path '%s' is too long\n", path);
		goto out;
	}
	/* a fresh name, created O_EXCL: never another run's file */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "cxlmem export: cannot create a temporary file in %s: %s; check that the directory exists and is writable\n",
			dir, strerror(errno));
		goto out;
	}
	/* collectors often run as another user; mkostemp makes it 0600 */
	if (fchmod(fd, 0644) < 0) {
		fprintf(stderr, "cxlmem export: cannot make '%s' readable: %s\n", tmp, strerror(errno));
		close(fd);
		goto unlink;
	}
	out = fdopen(fd, "w");
	if (!out) {
		fprintf(stderr, "cxlmem export: fdopen: %s\n", strerror(errno));
		close(fd);
		goto unlink;
	}
	fn(out, ctx, d);
	if (fflush(out) != 0 || ferror(out) || fsync(fileno(out)) < 0) {
		fprintf(stderr, "cxlmem export: cannot write '%s': %s\n", tmp, strerror(errno));
		fclose(out);
		goto unlink;
	}
	if (fclose(out) != 0) {
		fprintf(stderr, "cxlmem export: cannot write '%s': %s\n", tmp, strerror(errno));
		goto unlink;
	}
	if (rename(tmp, path) < 0) {
		fprintf(stderr, "cxlmem export: cannot rename '%s' to '%s': %s\n",
			tmp, path, strerror(errno));
		goto unlink;
	}
	/* make the rename itself durable */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
	goto out;
unlink:
	unlink(tmp);
out:
	free(dup_dir);
	free(dup_base);
	return rc;
}

static int write_nfd_fn(FILE *out, struct mhp_ctx *ctx, struct export_docs *d)
{
	(void)ctx;
	return write_nfd(out, d);
}

int cmd_export(int argc, char **argv, struct mhp_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int (*fn)(FILE *, struct mhp_ctx *, struct export_docs *) = NULL;
	const char *output = NULL;
	struct export_docs docs;
	int c, rc;

	while ((c = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "prometheus") == 0) {
				fn = write_prometheus;
			} else if (strcmp(optarg, "nfd") == 0) {
				fn = write_nfd_fn;
			} else {
				fprintf(stderr, "cxlmem export: unknown format '%s': give prometheus or nfd\n",
					optarg);
				return 1;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'S':
			mhp_set_state_dir(ctx, optarg);
			break;
		case 'h':
			export_usage(stdout);
			return 0;
		default:
			export_usage(stderr);
			return 1;
		}
	}
	cxlmem_warn_pending(ctx);
	if (!fn) {
		fprintf(stderr, "cxlmem export: give --format prometheus or --format nfd\n");
		return 1;
	}
	if (optind < argc) {
		fprintf(stderr, "cxlmem export: unexpected argument '%s'\n", argv[optind]);
		return 1;
	}
	rc = docs_load(ctx, &docs);
	if (rc == 0)
		rc = output ? write_atomically(output, fn, ctx, &docs) : fn(stdout, ctx, &docs);
	docs_free(&docs);
	if (rc == 0 && !output && (fflush(stdout) != 0 || ferror(stdout))) {
		fprintf(stderr, "cxlmem export: cannot write to stdout: %s\n", strerror(errno));
		rc = -EIO;
	}
	return rc < 0 ? 1 : 0;
}
