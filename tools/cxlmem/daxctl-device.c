// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxlmem-daxctl reconfigure-device, online-memory, offline-memory.
 *
 * daxctl's contract, kept: naming a device is consent (also for pmem);
 * -f is what lets devdax mode offline online memory; with -N an online
 * policy that would race the bind fails with EBUSY; the exit status is
 * the last device's negative errno masked to 8 bits, usage errors 129.
 *
 * Changed where daxctl would do harm (cxlmem-daxctl(8) lists each): the
 * blocks are onlined by libmhp's executor in the zone the planner gives
 * them, with the kernel's auto-online arbitrated, so the default
 * (movable) no longer needs a quiet kernel policy; "all" and -C skip
 * pmem-backed devices instead of converting them; every reconfigured
 * device is printed, not only the last one.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <iniparser/iniparser.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builtin.h"
#include "conf.h"
#include "daxctl.h"

#define DAXCTL_CONFDIR	"/etc/daxctl.conf.d"
#define OFFLINE_TIMEOUT_MS	120000
#define OFFLINE_RETRIES		10

struct dx_params {
	const char *mode;
	bool no_online, no_movable, force, check_config, human;
	const char *region;
	/* from -C */
	const struct cxlmem_conf_dev *entry;
	bool consent;		/* pmem may be converted */
};

static const char *auto_online_policy(struct dx_ctx *dx)
{
	struct json_object *plat, *v;

	if (json_object_object_get_ex(dx->list, "platform", &plat) &&
	    json_object_object_get_ex(plat, "auto_online_blocks", &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return "offline";
}

static bool is_persistent(const struct dx_dev *d)
{
	struct json_object *v;

	return json_object_object_get_ex(d->obj, "persistent", &v) && json_object_get_boolean(v);
}

/* ---- usage ----------------------------------------------------------- */

static void reconfig_usage(FILE *out)
{
	fprintf(out,
		"\n usage: cxlmem-daxctl reconfigure-device <device> [<options>]\n\n"
		"    -r, --region <region-id>\n"
		"                          filter by region\n"
		"    -u, --human           use human friendly number formats\n"
		"    -v, --verbose         emit more debug messages\n"
		"    -m, --mode <mode>     mode to switch the device to (system-ram, devdax)\n"
		"    -N, --no-online       don't auto-online memory sections\n"
		"    -f, --force           attempt to offline memory sections before reconfiguration\n"
		"    -C, --check-config    use config files to determine parameters for the operation\n"
		"    --no-movable          online memory in ZONE_NORMAL\n"
		"    --movable             online memory in ZONE_MOVABLE (the default)\n\n");
}

static void xline_usage(FILE *out, const char *cmd)
{
	fprintf(out,
		"\n usage: cxlmem-daxctl %s <device> [<options>]\n\n"
		"    -r, --region <region-id>\n"
		"                          filter by region\n"
		"    -u, --human           use human friendly number formats\n"
		"    -v, --verbose         emit more debug messages\n"
		"%s\n", cmd,
		strcmp(cmd, "online-memory") == 0 ?
		"    --no-movable          online memory in ZONE_NORMAL\n" : "");
}

/* ---- -C: cxlmem.conf, then daxctl's own configuration ---------------- */

static void conf_log(void *userdata, int priority, const char *fmt, va_list ap)
{
	(void)userdata;
	if (priority > LOG_WARNING)
		return;
	fprintf(stderr, "cxlmem-daxctl: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* The uuid of the nvdimm namespace behind @d: its nd_dax parent's "uuid". */
static int nvdimm_uuid(struct dx_ctx *dx, const struct dx_dev *d, char *uuid, size_t len)
{
	struct mhp_dax_dev *dev = mhp_dax_dev_get_by_name(dx->ctx, d->name);

	return dev ? mhp_dax_dev_get_nvdimm_uuid(dx->ctx, dev, uuid, len) : -ENOENT;
}

static int conf_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 5 && strcmp(e->d_name + n - 5, ".conf") == 0;
}

/* daxctl.conf booleans: t/y/1 true, f/n/0 false, anything else unset. */
static int conf_bool(const char *s)
{
	if (!s)
		return -1;
	if (strchr("tTyY1", s[0]) && s[0])
		return 1;
	if (strchr("fFnN0", s[0]) && s[0])
		return 0;
	return -1;
}

/*
 * [reconfigure-device NAME] sections of DIR/ *.conf whose nvdimm.uuid is
 * @uuid set mode, online and movable, daxctl's only keys. 1 when found.
 */
static int daxctl_conf_lookup(const char *dir, const char *uuid, struct dx_params *p)
{
	struct dirent **ents;
	int i, n, found = 0;

	n = scandir(dir, &ents, conf_filter, alphasort);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++) {
		char file[PATH_MAX], key[512];
		dictionary *ini;
		int s;

		snprintf(file, sizeof(file), "%s/%s", dir, ents[i]->d_name);
		free(ents[i]);
		ini = iniparser_load(file);
		if (!ini)
			continue;
		for (s = 0; s < iniparser_getnsec(ini) && !found; s++) {
			const char *sec = iniparser_getsecname(ini, s), *v;
			static char mode[32];

			if (strncmp(sec, "reconfigure-device", 18) != 0)
				continue;
			snprintf(key, sizeof(key), "%s:nvdimm.uuid", sec);
			v = iniparser_getstring(ini, key, NULL);
			if (!v || strcasecmp(v, uuid) != 0)
				continue;
			found = 1;
			snprintf(key, sizeof(key), "%s:mode", sec);
			if ((v = iniparser_getstring(ini, key, NULL))) {
				snprintf(mode, sizeof(mode), "%s", v);
				p->mode = mode;
			}
			snprintf(key, sizeof(key), "%s:online", sec);
			if (conf_bool(iniparser_getstring(ini, key, NULL)) >= 0)
				p->no_online = !conf_bool(iniparser_getstring(ini, key, NULL));
			snprintf(key, sizeof(key), "%s:movable", sec);
			if (conf_bool(iniparser_getstring(ini, key, NULL)) >= 0)
				p->no_movable = !conf_bool(iniparser_getstring(ini, key, NULL));
		}
		iniparser_freedict(ini);
	}
	free(ents);
	return found;
}

/*
 * -C DEVICE: a cxlmem.conf section naming the device wins (it can name
 * CXL and hmem memory, and carries pmem consent); otherwise daxctl's
 * nvdimm.uuid sections. 0 when nothing names it.
 */
static int check_config(struct dx_ctx *dx, const char *device, struct dx_params *p,
			struct cxlmem_conf **conf)
{
	const char *cdir = getenv("CXLMEM_DAXCTL_CONFDIR");
	const char *ddir = getenv("CXLMEM_DAXCTL_DAXCTL_CONFDIR");
	const struct cxlmem_conf_dev *e = NULL;
	struct mhp_dax_dev *mdev;
	char uuid[64];
	size_t i;
	int rc;

	if (strcmp(device, "all") == 0)
		return 0;
	rc = cxlmem_conf_load(cdir ? cdir : CXLMEM_CONFDIR, conf_log, NULL, conf);
	if (rc < 0)
		return rc;
	mdev = mhp_dax_dev_get_by_name(dx->ctx, device);
	if (mdev && cxlmem_conf_match(dx->ctx, *conf, mdev, conf_log, NULL, &e) == 0 && e) {
		p->entry = e;
		p->mode = "system-ram";
		p->consent = e->destroy_data;
		return 1;
	}
	for (i = 0; i < dx->num_devs; i++)
		if (dx_dev_matches(&dx->devs[i], device) &&
		    nvdimm_uuid(dx, &dx->devs[i], uuid, sizeof(uuid)) == 0)
			return daxctl_conf_lookup(ddir ? ddir : DAXCTL_CONFDIR, uuid, p);
	fprintf(stderr, "no UUID match for %s found in config files\n", device);
	return 0;
}

/* ---- the operations -------------------------------------------------- */

/*
 * Plan @d and apply it through libmhp's executor (the run lock, journal,
 * rollback). @flags adds MHP_APPLY_NO_ONLINE for -N.
 */
static int plan_and_apply(struct dx_ctx *dx, const struct dx_dev *d, const struct dx_params *p,
			  unsigned int flags)
{
	struct mhp_plan_opts opts = { .size = sizeof(opts), .zone = MHP_ZONE_POLICY_MOVABLE };
	struct mhp_dax_dev *mdev = mhp_dax_dev_get_by_name(dx->ctx, d->name);
	bool no_online = flags & MHP_APPLY_NO_ONLINE;
	struct mhp_plan *plan;
	int rc;

	if (p->entry)
		opts = p->entry->opts;
	else if (p->no_movable)
		opts.zone = MHP_ZONE_POLICY_NORMAL;
	if (is_persistent(d) && p->consent)
		flags |= MHP_APPLY_DESTROY_DATA;
	if (!mdev) {
		fprintf(stderr, "%s: the device disappeared\n", d->name);
		return -ENODEV;
	}
	rc = mhp_plan_dax_dev(dx->ctx, mdev, &opts, &plan);
	if (rc < 0) {
		fprintf(stderr, "%s: cannot plan: %s\n", d->name, mhp_get_last_error(dx->ctx));
		return rc;
	}
	rc = mhp_apply(dx->ctx, plan, flags, NULL, NULL);
	if (rc < 0)
		fprintf(stderr, "%s: failed to %s: %s\n", d->name,
			no_online ? "bind kmem" : "online memory", mhp_get_last_error(dx->ctx));
	else if (rc == 0 && dx->verbose)
		fprintf(stderr, "%s: %llu memory block%s %s\n", d->name,
			(unsigned long long)mhp_plan_get_num_blocks(plan),
			mhp_plan_get_num_blocks(plan) == 1 ? "" : "s",
			no_online ? "left offline" : "online");
	mhp_plan_unref(plan);
	return rc < 0 ? rc : 0;
}

/*
 * -N: kmem bound, every block left offline, by the executor
 * (MHP_APPLY_NO_ONLINE). As daxctl, an active kernel policy fails it
 * unless -f; with -f the policy is set to offline around the bind and
 * restored. Any other agent that onlines the blocks fails it too (the
 * executor refuses a known one and rolls back after an unknown one).
 */
static int bind_kmem_only(struct dx_ctx *dx, const struct dx_dev *d, const struct dx_params *p)
{
	/* the executor checks again under the run lock */
	unsigned int flags = MHP_APPLY_NO_ONLINE | (p->force ? 0 : MHP_APPLY_NO_ARBITRATE);

	if (!p->force && strcmp(auto_online_policy(dx), "offline") != 0) {
		fprintf(stderr, "%s: error: kernel policy will auto-online memory, aborting\n",
			d->name);
		return -EBUSY;
	}
	if (d->kmem) {
		fprintf(stderr, "%s was already in system-ram mode\n", d->name);
		return 0;
	}
	return plan_and_apply(dx, d, p, flags);
}

static int to_system_ram(struct dx_ctx *dx, const struct dx_dev *d, const struct dx_params *p)
{
	if (p->no_online)
		return bind_kmem_only(dx, d, p);
	return plan_and_apply(dx, d, p, 0);
}

static int to_devdax(struct dx_ctx *dx, const struct dx_dev *d, const struct dx_params *p)
{
	int rc;

	if (!d->kmem) {
		fprintf(stderr, "%s was already in devdax mode\n", d->name);
		if (d->enabled)
			return 0;
		/* no driver: the executor binds device_dax (new_id first on 6.3+) */
		rc = mhp_offline(dx->ctx, d->name, MHP_OFFLINE_TO_DEVDAX, 0, 0, NULL, NULL);
		if (rc < 0)
			fprintf(stderr, "%s: %s\n", d->name, mhp_get_last_error(dx->ctx));
		return rc < 0 ? rc : 0;
	}
	if (d->online > 0 && !p->force) {
		if (dx->verbose) {
			fprintf(stderr, "%s: found %lld memory sections online\n", d->name,
				(long long)d->online);
			fprintf(stderr, "%s: refusing to change modes\n", d->name);
		}
		return -EBUSY;
	}
	rc = mhp_offline(dx->ctx, d->name, MHP_OFFLINE_TO_DEVDAX, OFFLINE_TIMEOUT_MS,
			 OFFLINE_RETRIES, NULL, NULL);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", d->name, mhp_get_last_error(dx->ctx));
	return rc < 0 ? rc : 0;
}

/* 1: skipped (said why), 0: go on. */
static int skip_pmem(const struct dx_dev *d, const char *device, const struct dx_params *p)
{
	if (!is_persistent(d) || p->consent)
		return 0;
	if (p->check_config)
		fprintf(stderr, "%s: skipped: persistent memory; a config file is not consent to destroy its data: name the device without -C, or set destroy-data in its cxlmem.conf section\n",
			d->name);
	else
		fprintf(stderr, "%s: skipped: persistent memory is converted only when named (reconfigure-device %s), not by '%s'\n",
			d->name, d->name, device);
	return 1;
}

/* The device as it is now, after the change: re-read everything. */
static struct json_object *fresh_json(struct dx_ctx *dx, const char *name)
{
	size_t i;

	for (i = 0; i < dx->num_devs; i++)
		if (strcmp(dx->devs[i].name, name) == 0)
			return dx_dev_to_json(dx, &dx->devs[i]);
	return NULL;
}

static int refresh(struct dx_ctx *dx)
{
	struct mhp_dax_dev *d;

	mhp_dax_dev_foreach(dx->ctx, d)
		mhp_dax_dev_refresh(d);
	return dx_load(dx);
}

/* ---- commands -------------------------------------------------------- */

enum dx_action { DX_RECONFIG, DX_ONLINE, DX_OFFLINE };

static const char *const action_verb[] = {
	[DX_RECONFIG] = "reconfigure",
	[DX_ONLINE] = "online memory for",
	[DX_OFFLINE] = "offline memory for",
};

static int online_one(struct dx_ctx *dx, const struct dx_dev *d, const struct dx_params *p)
{
	if (!d->kmem) {
		fprintf(stderr, "%s: memory operations are not applicable in devdax mode\n", d->name);
		return -ENXIO;
	}
	if (d->present > 0 && d->online == d->present) {
		fprintf(stderr, "%s: all memory sections (%lld) already online\n", d->name,
			(long long)d->present);
		return 1;
	}
	return plan_and_apply(dx, d, p, 0);
}

/* Counts the blocks mhp_offline() took offline, for daxctl's -v message. */
static void count_offlined(struct mhp_ctx *ctx, const struct mhp_event *ev, void *userdata)
{
	if (ev->type == MHP_EVENT_BLOCK_OFFLINE)
		(*(long long *)userdata)++;
	else if (ev->type == MHP_EVENT_BLOCK_FAILED)
		fprintf(stderr, "%s: %s\n", ev->device, ev->message);
}

/*
 * offline-memory: every block offline, kmem stays bound. Through the
 * executor, so it takes the run lock, retries busy blocks and never
 * leaves the device unbound.
 */
static int offline_one(struct dx_ctx *dx, const struct dx_dev *d)
{
	long long done = 0;
	int rc;

	if (!d->kmem) {
		fprintf(stderr, "%s: memory operations are not applicable in devdax mode\n", d->name);
		return -ENXIO;
	}
	if (d->online == 0) {
		fprintf(stderr, "%s: all memory sections (%lld) already offline\n", d->name,
			(long long)d->present);
		return 1;
	}
	rc = mhp_offline(dx->ctx, d->name, MHP_OFFLINE_TO_KMEM, 0, 0, count_offlined, &done);
	if (rc < 0) {
		fprintf(stderr, "%s: failed to offline memory: %s\n", d->name,
			mhp_get_last_error(dx->ctx));
		return rc;
	}
	/* daxctl says how many only with -v */
	if (dx->verbose)
		fprintf(stderr, "%s: %lld memory section%s offlined\n", d->name, done,
			done == 1 ? "" : "s");
	return 0;
}

static int run_action(struct dx_ctx *dx, enum dx_action action, const char *device,
		      struct dx_params *p)
{
	static const char *const done[] = {
		[DX_RECONFIG] = "reconfigured", [DX_ONLINE] = "onlined memory for",
		[DX_OFFLINE] = "offlined memory for",
	};
	static const char *const failure[] = {
		[DX_RECONFIG] = "reconfiguring devices", [DX_ONLINE] = "onlining memory",
		[DX_OFFLINE] = "offlining memory",
	};
	struct json_object *out = json_object_new_array();
	char **names;
	int rc = -ENXIO, processed = 0, rid;
	bool handled = false;
	size_t i, n = 0;

	if (dx_region_filter_id(dx, p->region, &rid) < 0)
		rid = INT_MAX;
	/* the names first: each change re-reads the device table */
	names = calloc(dx->num_devs + 1, sizeof(*names));
	for (i = 0; names && i < dx->num_devs; i++)
		if ((rid < 0 || dx->devs[i].region_id == rid) && dx_dev_matches(&dx->devs[i], device))
			names[n++] = strdup(dx->devs[i].name);
	for (i = 0; i < n && !cxlmem_cancelled(); i++) {
		const struct dx_dev *d = NULL;
		size_t k;

		for (k = 0; k < dx->num_devs; k++)
			if (strcmp(dx->devs[k].name, names[i]) == 0)
				d = &dx->devs[k];
		if (!d)
			continue;
		if (action == DX_RECONFIG) {
			if (strcmp(p->mode, "system-ram") == 0) {
				if (skip_pmem(d, device, p)) {
					/* a skip is not a failure, nor does it hide one */
					if (!handled)
						rc = 0;
					continue;
				}
				rc = to_system_ram(dx, d, p);
			} else if (strcmp(p->mode, "devdax") == 0) {
				rc = to_devdax(dx, d, p);
			} else {
				fprintf(stderr, "%s: unknown mode requested: %s\n", d->name, p->mode);
				rc = -EINVAL;
			}
		} else if (action == DX_ONLINE) {
			rc = online_one(dx, d, p);
		} else {
			rc = offline_one(dx, d);
		}
		handled = true;
		if (rc == 0)
			processed++;
		if (rc == 0 && action == DX_RECONFIG && refresh(dx) == 0) {
			struct json_object *j = fresh_json(dx, names[i]);

			if (j)
				json_object_array_add(out, j);
		} else if (rc >= 0) {
			refresh(dx);
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (json_object_array_length(out))
		dx_print(out, dx->flags);
	else
		json_object_put(out);
	if (rc < 0)
		fprintf(stderr, "error %s: %s\n", failure[action], strerror(-rc));
	fprintf(stderr, "%s %d device%s\n", done[action], processed, processed == 1 ? "" : "s");
	if (cxlmem_report_cancel("cxlmem-daxctl", "a device whose change was cut short was rolled back to how it was found"))
		return -ECANCELED;
	return rc;
}

static int parse_device_options(struct dx_ctx *dx, enum dx_action action, int argc, char **argv,
				struct dx_params *p, const char **device)
{
	static const struct option longopts[] = {
		{ "region", required_argument, NULL, 'r' },
		{ "human", no_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "mode", required_argument, NULL, 'm' },
		{ "no-online", no_argument, NULL, 'N' },
		{ "online", no_argument, NULL, 'O' },
		{ "force", no_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "no-movable", no_argument, NULL, 'M' },
		{ "movable", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *shortopts = action == DX_RECONFIG ? "r:uvm:NfCh" : "r:uvh";
	int c, i;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		/* long options of reconfigure-device only */
		if (action != DX_RECONFIG && strchr("mNOfC", c) && c)
			c = '?';
		if (action == DX_OFFLINE && (c == 'M' || c == 'V'))
			c = '?';
		switch (c) {
		case 'r': p->region = optarg; break;
		case 'u': dx->flags |= DX_HUMAN; break;
		case 'v': dx->verbose = true; break;
		case 'm': p->mode = optarg; break;
		case 'N': p->no_online = true; break;
		case 'O': p->no_online = false; break;
		case 'f': p->force = true; break;
		case 'C': p->check_config = true; break;
		case 'M': p->no_movable = true; break;
		case 'V': p->no_movable = false; break;
		case 'h':
			return 1;
		default:
			return -EINVAL;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "specify a device to %s, or \"all\"\n", action_verb[action]);
		return -EINVAL;
	}
	for (i = optind + 1; i < argc; i++)
		fprintf(stderr, "unknown extra parameter \"%s\"\n", argv[i]);
	if (optind + 1 < argc)
		return -EINVAL;
	/* /dev/dax0.0 names dax0.0 */
	*device = strrchr(argv[optind], '/') ? strrchr(argv[optind], '/') + 1 : argv[optind];
	if (dx->verbose)
		mhp_set_log_priority(dx->ctx, LOG_DEBUG);
	return 0;
}

int dx_cmd_reconfigure(struct dx_ctx *dx, int argc, char **argv)
{
	struct dx_params p = { 0 };
	struct cxlmem_conf *conf = NULL;
	const char *device;
	int rc;

	rc = parse_device_options(dx, DX_RECONFIG, argc, argv, &p, &device);
	if (rc) {
		reconfig_usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : DAXCTL_EXIT_USAGE;
	}
	if (p.check_config) {
		if (p.mode || p.no_online || p.no_movable) {
			fprintf(stderr, "%s: -C cannot be used with --mode, --(no-)movable, or --(no-)online\n",
				device);
			reconfig_usage(stderr);
			return DAXCTL_EXIT_USAGE;
		}
		rc = check_config(dx, device, &p, &conf);
		if (rc < 0) {
			fprintf(stderr, "error parsing config file: %s\n", strerror(-rc));
			cxlmem_conf_free(conf);
			return rc;
		}
		if (!p.mode && !p.no_online && !p.no_movable) {
			/* daxctl: no section for the device is not an error */
			fprintf(stderr, "%s: missing or malformed config section\n", device);
			cxlmem_conf_free(conf);
			return 0;
		}
	} else {
		/* naming one device is consent, as in daxctl; "all" is not */
		p.consent = strcmp(device, "all") != 0;
	}
	if (!p.mode) {
		fprintf(stderr, "error: a 'align', 'mode' or 'size' option is required\n");
		reconfig_usage(stderr);
		cxlmem_conf_free(conf);
		return DAXCTL_EXIT_USAGE;
	}
	if (strcmp(p.mode, "devdax") == 0 && p.no_online) {
		fprintf(stderr, "--no-online is incompatible with --mode=devdax\n");
		reconfig_usage(stderr);
		cxlmem_conf_free(conf);
		return DAXCTL_EXIT_USAGE;
	}
	rc = run_action(dx, DX_RECONFIG, device, &p);
	cxlmem_conf_free(conf);
	return rc;
}

static int xline(struct dx_ctx *dx, enum dx_action action, int argc, char **argv)
{
	const char *cmd = action == DX_ONLINE ? "online-memory" : "offline-memory";
	struct dx_params p = { 0 };
	const char *device;
	int rc;

	rc = parse_device_options(dx, action, argc, argv, &p, &device);
	if (rc) {
		xline_usage(rc > 0 ? stdout : stderr, cmd);
		return rc > 0 ? 0 : DAXCTL_EXIT_USAGE;
	}
	p.consent = true;	/* already system RAM: no data to destroy */
	return run_action(dx, action, device, &p);
}

int dx_cmd_online(struct dx_ctx *dx, int argc, char **argv)
{
	return xline(dx, DX_ONLINE, argc, argv);
}

int dx_cmd_offline(struct dx_ctx *dx, int argc, char **argv)
{
	return xline(dx, DX_OFFLINE, argc, argv);
}
