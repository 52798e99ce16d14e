// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxlmem boot: bring configured dax devices online as cxlmem.conf(5) says.
 * Run by cxlmem-online@.service for each dax device udev adds, and by
 * cxlmem-boot.service for the devices that were there before udev.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "conf.h"
#include "private.h"

struct boot {
	struct mhp_ctx *ctx;
	struct cxlmem_conf *conf;
	const char *confdir;
	unsigned int flags;	/* MHP_APPLY_DRY_RUN */
	bool journal;		/* stderr is the journal: "<N>" prefixes */
	uint64_t foreign, fixed;
};

/*
 * systemd sets JOURNAL_STREAM to the device:inode of the stream it gave
 * us; only when stderr still is that stream does journald read "<N>".
 */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!env || sscanf(env, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static void vlog_boot(struct boot *b, int priority, const char *fmt, va_list ap)
{
	if (b->journal)
		fprintf(stderr, "<%d>", priority);
	else
		fprintf(stderr, "cxlmem boot: %s", priority <= LOG_ERR ? "error: " :
			priority == LOG_WARNING ? "warning: " : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

__attribute__((format(printf, 3, 4)))
static void blog(struct boot *b, int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_boot(b, priority, fmt, ap);
	va_end(ap);
}

static void conf_log(void *userdata, int priority, const char *fmt, va_list ap)
{
	vlog_boot(userdata, priority, fmt, ap);
}

static void on_event(struct mhp_ctx *ctx, const struct mhp_event *ev, void *userdata)
{
	struct boot *b = userdata;

	switch (ev->type) {
	case MHP_EVENT_STEP:
		blog(b, LOG_INFO, "%s: %s", ev->device, ev->message);
		break;
	case MHP_EVENT_ROLLBACK:
		blog(b, LOG_WARNING, "%s: rolling back: %s", ev->device, ev->message);
		break;
	case MHP_EVENT_WARNING:
		blog(b, LOG_WARNING, "%s: %s", ev->device, ev->message);
		break;
	case MHP_EVENT_BLOCK_FAILED:
		blog(b, LOG_ERR, "%s: memory%" PRIu64 ": %s", ev->device, ev->block, ev->message);
		break;
	case MHP_EVENT_BLOCK_FOREIGN:
		b->foreign++;
		break;
	case MHP_EVENT_BLOCK_FIXED:
		b->fixed++;
		break;
	default:
		break;
	}
}

/* The consent flag for @dev: only its own section's destroy-data counts. */
static int consent_flags(struct boot *b, struct mhp_dax_dev *dev,
			 const struct cxlmem_conf_dev *e, unsigned int *flags)
{
	const char *name = mhp_dax_dev_get_name(dev);
	int n;

	if (!mhp_dax_dev_is_persistent(dev)) {
		if (e->destroy_data)
			blog(b, LOG_NOTICE, "%s: destroy-data in [device %s] ignored: not persistent memory",
			     name, e->name);
		return 0;
	}
	if (!e->destroy_data) {
		blog(b, LOG_ERR,
		     "%s is persistent memory (%s) and may hold data; [device %s] in %s does not say destroy-data = yes, so it is left alone",
		     name, mhp_provenance_name(mhp_dax_dev_get_provenance(dev)), e->name, e->file);
		return -EPERM;
	}
	n = cxlmem_conf_count_matches(b->ctx, e);
	if (n != 1) {
		blog(b, LOG_ERR,
		     "%s: destroy-data = yes in [device %s] (%s) is only honoured when the section names exactly one device, and it names %d; name it by nvdimm-uuid or cxl-root-decoder + cxl-hpa-range",
		     name, e->name, e->file, n);
		return -EPERM;
	}
	blog(b, LOG_NOTICE, "%s: destroy-data = yes in [device %s] (%s): its persistent contents will be lost",
	     name, e->name, e->file);
	*flags |= MHP_APPLY_DESTROY_DATA;
	return 0;
}

static void log_plan(struct boot *b, const char *name, struct mhp_plan *plan)
{
	char mov[32], nor[32], dram[32];

	blog(b, LOG_INFO, "%s: plan: %" PRIu64 " block(s) on node %d, %s movable, %s normal, memmap %s (%s of DRAM)",
	     name, mhp_plan_get_num_blocks(plan), mhp_plan_get_node(plan),
	     mhp_format_size(mhp_plan_get_movable_bytes(plan), mov, sizeof(mov)),
	     mhp_format_size(mhp_plan_get_normal_bytes(plan), nor, sizeof(nor)),
	     mhp_plan_memmap_on_device(plan) ? "on the device" : "in DRAM",
	     mhp_format_size(mhp_plan_get_dram_overhead_bytes(plan), dram, sizeof(dram)));
}

/* 0 done or left alone, 1 failed. */
static int boot_one(struct boot *b, struct mhp_dax_dev *dev)
{
	const char *name = mhp_dax_dev_get_name(dev);
	const struct cxlmem_conf_dev *e;
	unsigned int flags = b->flags;
	struct mhp_plan *plan;
	char id[256], ratio[32] = "";
	int rc;

	if (cxlmem_conf_match(b->ctx, b->conf, dev, conf_log, b, &e) < 0)
		return 1;
	if (!e) {
		blog(b, LOG_INFO, "%s: not named in %s/cxlmem.conf or conf.d; left alone", name,
		     b->confdir);
		return 0;
	}
	if (e->opts.movable_ratio)
		snprintf(ratio, sizeof(ratio), ", movable-ratio %u", e->opts.movable_ratio);
	blog(b, LOG_INFO, "%s: configured by [device %s] in %s (%s): zone %s%s, memmap %s",
	     name, e->name, e->file, cxlmem_conf_describe_id(e, id, sizeof(id)),
	     cxlmem_zone_policy_name(e), ratio, cxlmem_memmap_policy_name(e->opts.memmap));
	if (consent_flags(b, dev, e, &flags) < 0)
		return 1;
	rc = mhp_plan_dax_dev(b->ctx, dev, &e->opts, &plan);
	if (rc < 0) {
		blog(b, LOG_ERR, "%s: cannot plan: %s", name, mhp_get_last_error(b->ctx));
		return 1;
	}
	log_plan(b, name, plan);
	b->foreign = b->fixed = 0;
	rc = mhp_apply(b->ctx, plan, flags, on_event, b);
	mhp_plan_unref(plan);
	if (rc == MHP_NOTHING_TO_DO) {
		blog(b, LOG_INFO, "%s: already online as configured; nothing to do", name);
		return 0;
	}
	if (rc < 0) {
		blog(b, LOG_ERR, "%s: %s", name, mhp_get_last_error(b->ctx));
		return 1;
	}
	if (b->fixed)
		blog(b, LOG_NOTICE, "%s: %" PRIu64 " block(s) another agent had onlined in the wrong zone were redone",
		     name, b->fixed);
	blog(b, LOG_NOTICE, "%s: %s as configured by [device %s]", name,
	     (flags & MHP_APPLY_DRY_RUN) ? "would be online" : "online", e->name);
	return 0;
}

/* Sections that name nothing present: worth a line at boot, not a failure. */
static void note_absent(struct boot *b)
{
	size_t i;

	for (i = 0; i < b->conf->num_devs; i++)
		if (cxlmem_conf_count_matches(b->ctx, &b->conf->devs[i]) == 0)
			blog(b, LOG_NOTICE, "[device %s] (%s) names no device present now",
			     b->conf->devs[i].name, b->conf->devs[i].file);
}

static void boot_usage(FILE *out)
{
	fprintf(out,
		"usage: cxlmem boot DEVICE|--all [--config DIR] [--dry-run] [--state-dir DIR]\n"
		"\n"
		"Bring DEVICE (daxX.Y or /dev/daxX.Y) or every dax device online as the\n"
		"configuration says (cxlmem.conf(5)); a device it does not name is left alone.\n"
		"Every decision is logged to stderr with its syslog priority, as <N>\n"
		"prefixes when stderr is the journal. Run by cxlmem-online@.service and\n"
		"cxlmem-boot.service.\n"
		"\n"
		"  -a, --all          every dax device present\n"
		"  -c, --config DIR   read DIR/cxlmem.conf and DIR/conf.d/*.conf\n"
		"                     (default " CXLMEM_CONFDIR ")\n"
		"  -n, --dry-run      check and log the steps, change nothing\n"
		"      --state-dir DIR  lock and journal directory (default /run/mhp)\n"
		"  -h, --help         this text\n"
		"\nExit status: 0 every configured device is online as configured (or nothing\n"
		"is configured), 1 the configuration is invalid or a device failed.\n");
}

int cmd_boot(int argc, char **argv, struct mhp_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct boot b = { .ctx = ctx, .confdir = CXLMEM_CONFDIR, .journal = stderr_is_journal() };
	const char *target = NULL;
	struct mhp_dax_dev *dev;
	bool all = false;
	int c, failed = 0;

	while ((c = getopt_long(argc, argv, "ac:nh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'c':
			b.confdir = optarg;
			break;
		case 'n':
			b.flags |= MHP_APPLY_DRY_RUN;
			break;
		case 'S':
			mhp_set_state_dir(ctx, optarg);
			break;
		case 'h':
			boot_usage(stdout);
			return 0;
		default:
			boot_usage(stderr);
			return 1;
		}
	}
	if (optind < argc)
		target = argv[optind++];
	if (optind < argc || all == !!target) {
		blog(&b, LOG_ERR, "give one DEVICE (daxX.Y) or --all");
		boot_usage(stderr);
		return 1;
	}
	/* also when a run refuses it: the device may not be in the config */
	cxlmem_warn_pending(ctx);
	if (cxlmem_conf_load(b.confdir, conf_log, &b, &b.conf) < 0) {
		blog(&b, LOG_ERR, "the configuration in %s is invalid; nothing was changed",
		     b.confdir);
		return 1;
	}
	if (!b.conf->num_devs) {
		blog(&b, LOG_INFO, "%s/cxlmem.conf and conf.d name no device; nothing to do",
		     b.confdir);
		cxlmem_conf_free(b.conf);
		return 0;
	}
	if (target) {
		if (strncmp(target, "/dev/", 5) == 0)
			target += 5;
		dev = mhp_dax_dev_get_by_name(ctx, target);
		if (!dev) {
			blog(&b, LOG_ERR, "dax device %s not found%s%s; see 'cxlmem list'", target,
			     mhp_get_last_error(ctx)[0] ? ": " : "", mhp_get_last_error(ctx));
			failed = 1;
		} else {
			failed = boot_one(&b, dev);
		}
	} else {
		dev = mhp_dax_dev_get_first(ctx);
		if (!dev && mhp_get_last_error(ctx)[0]) {
			blog(&b, LOG_ERR, "cannot discover the dax devices: %s",
			     mhp_get_last_error(ctx));
			failed = 1;
		}
		for (; dev; dev = mhp_dax_dev_get_next(dev))
			failed |= boot_one(&b, dev);
		note_absent(&b);
	}
	cxlmem_conf_free(b.conf);
	return failed;
}
