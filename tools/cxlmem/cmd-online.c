// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxlmem online-region / offline-region / status / recover, and daxctl's
 * reconfigure-device for compatibility.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "json.h"
#include "private.h"

/* Exit status when some but not all of the work was done. */
#define EXIT_PARTIAL	2

struct report {
	const char *cmd;
	bool tty;
	bool progress_shown;	/* a progress line is on the terminal */
	struct json_object *foreign, *fixed, *failed, *warnings, *steps;
	uint64_t done;
};

static void report_init(struct report *rep, const char *cmd)
{
	rep->cmd = cmd;
	rep->tty = isatty(STDERR_FILENO);
	rep->foreign = json_object_new_array();
	rep->fixed = json_object_new_array();
	rep->failed = json_object_new_array();
	rep->warnings = json_object_new_array();
	rep->steps = json_object_new_array();
	rep->done = 0;
	rep->progress_shown = false;
}

/* Finish a pending progress line before printing a message. */
static void end_progress(struct report *rep)
{
	if (rep->progress_shown)
		fputc('\n', stderr);
	rep->progress_shown = false;
}

static void report_put(struct report *rep)
{
	json_object_put(rep->foreign);
	json_object_put(rep->fixed);
	json_object_put(rep->failed);
	json_object_put(rep->warnings);
	json_object_put(rep->steps);
}

static void on_event(struct mhp_ctx *ctx, const struct mhp_event *ev, void *userdata)
{
	struct report *rep = userdata;
	struct json_object *o;

	switch (ev->type) {
	case MHP_EVENT_STEP:
	case MHP_EVENT_ROLLBACK:
		json_object_array_add(rep->steps, json_object_new_string(ev->message));
		end_progress(rep);
		fprintf(stderr, "%s: %s: %s\n", rep->cmd, ev->device, ev->message);
		break;
	case MHP_EVENT_WARNING:
		json_object_array_add(rep->warnings, json_object_new_string(ev->message));
		end_progress(rep);
		fprintf(stderr, "%s: %s: warning: %s\n", rep->cmd, ev->device, ev->message);
		break;
	case MHP_EVENT_BLOCK_FOREIGN:
		json_object_array_add(rep->foreign, json_object_new_int64((int64_t)ev->block));
		break;
	case MHP_EVENT_BLOCK_FIXED:
		json_object_array_add(rep->fixed, json_object_new_int64((int64_t)ev->block));
		break;
	case MHP_EVENT_BLOCK_FAILED:
		o = json_object_new_object();
		json_object_object_add(o, "block", json_object_new_int64((int64_t)ev->block));
		json_object_object_add(o, "zone", json_object_new_string(mhp_zone_name(ev->zone)));
		json_object_object_add(o, "error", json_object_new_string(strerror(-ev->error)));
		json_object_object_add(o, "reason", json_object_new_string(ev->message));
		json_object_array_add(rep->failed, o);
		end_progress(rep);
		fprintf(stderr, "%s: %s: %s\n", rep->cmd, ev->device, ev->message);
		break;
	default:
		break;
	}
	rep->done = ev->done;
	/* a progress line for large devices, on a terminal only */
	if (rep->tty && ev->total >= 16 && ev->type >= MHP_EVENT_BLOCK_ONLINE &&
	    ev->type <= MHP_EVENT_BLOCK_OFFLINE) {
		fprintf(stderr, "\r%s: %s: %llu/%llu blocks", rep->cmd, ev->device,
			(unsigned long long)ev->done, (unsigned long long)ev->total);
		rep->progress_shown = true;
		if (ev->done == ev->total)
			end_progress(rep);
	}
}

static void report_into(struct report *rep, struct json_object *o)
{
	json_object_object_add(o, "steps", json_object_get(rep->steps));
	json_object_object_add(o, "warnings", json_object_get(rep->warnings));
	json_object_object_add(o, "blocks_onlined_by_other_agents",
			       json_object_get(rep->foreign));
	json_object_object_add(o, "blocks_fixed", json_object_get(rep->fixed));
	json_object_object_add(o, "failed_blocks", json_object_get(rep->failed));
}

static int parse_zone(const char *s, enum mhp_zone_policy *z)
{
	if (strcmp(s, "auto") == 0)
		*z = MHP_ZONE_POLICY_AUTO;
	else if (strcmp(s, "movable") == 0)
		*z = MHP_ZONE_POLICY_MOVABLE;
	else if (strcmp(s, "normal") == 0)
		*z = MHP_ZONE_POLICY_NORMAL;
	else
		return -EINVAL;
	return 0;
}

static int parse_memmap(const char *s, enum mhp_memmap_policy *m)
{
	if (strcmp(s, "auto") == 0)
		*m = MHP_MEMMAP_POLICY_AUTO;
	else if (strcmp(s, "on") == 0)
		*m = MHP_MEMMAP_POLICY_ON;
	else if (strcmp(s, "off") == 0)
		*m = MHP_MEMMAP_POLICY_OFF;
	else
		return -EINVAL;
	return 0;
}

static int run_recover(struct mhp_ctx *ctx, const char *cmd)
{
	struct report rep;
	int rc;

	report_init(&rep, cmd);
	rc = mhp_recover(ctx, on_event, &rep);
	report_put(&rep);
	if (rc == MHP_NOTHING_TO_DO) {
		fprintf(stderr, "%s: no interrupted run to recover\n", cmd);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: recovery failed: %s\n", cmd, mhp_get_last_error(ctx));
		cxlmem_report_cancel(cmd, "the recovery stopped between steps and kept its journal; run 'cxlmem recover' again");
		return 1;
	}
	fprintf(stderr, "%s: recovered\n", cmd);
	return 0;
}

static int load_plan_file(struct mhp_ctx *ctx, const char *cmd, const char *file,
			  struct mhp_plan **plan)
{
	/* bounded and type-checked in the library: --plan /dev/zero is refused */
	int rc = mhp_plan_load_file(ctx, file, plan);

	if (rc < 0)
		fprintf(stderr, "%s: %s is not a usable plan: %s\n", cmd, file,
			mhp_get_last_error(ctx));
	return rc;
}

static void online_usage(FILE *out)
{
	fprintf(out,
		"usage: cxlmem online-region TARGET [options]\n"
		"       cxlmem online-region --plan FILE [options]\n"
		"\n"
		"Convert TARGET (all, a dax device daxX.Y or /dev/daxX.Y,\n"
		"the dax devices of a CXL regionN or of a dax_regionN) into system RAM\n"
		"exactly as 'cxlmem plan' says: set the dax memmap_on_memory knob, bind kmem,\n"
		"online each block in its planned zone, verify. Any failure rolls back.\n"
		"\n"
		"  --zone movable|normal|auto   zone policy (default auto)\n"
		"  --movable-ratio PCT          MOVABLE:KERNEL limit for auto (default: kernel's)\n"
		"  --memmap auto|on|off         memmap on the device or in DRAM (default auto)\n"
		"  --plan FILE                  apply a plan saved from 'cxlmem plan' (- = stdin)\n"
		"  --dry-run                    check and show the steps, change nothing\n"
		"  --no-arbitrate               refuse if something else may online blocks\n"
		"                               (default: auto_online_blocks is set to offline\n"
		"                               while binding and restored, wrong zones fixed)\n"
		"  --no-convert                 refuse a device already online in another\n"
		"                               shape than planned (default: offline it and\n"
		"                               online it again as planned)\n"
		"  --force-destroy-data         allow converting persistent memory (pmem)\n"
		"  --recover                    first recover an interrupted run\n"
		"  --state-dir DIR              lock and journal directory (default /run/mhp)\n"
		"\nExit status: 0 done or nothing to do, 1 failed: nothing was changed, or\n"
		"everything was rolled back (the error says which).\n");
}

int cmd_online_region(int argc, char **argv, struct mhp_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "zone", required_argument, NULL, 'z' },
		{ "movable-ratio", required_argument, NULL, 'r' },
		{ "memmap", required_argument, NULL, 'm' },
		{ "plan", required_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-arbitrate", no_argument, NULL, 'A' },
		{ "no-convert", no_argument, NULL, 'C' },
		{ "force-destroy-data", no_argument, NULL, 'D' },
		{ "recover", no_argument, NULL, 'R' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "cxlmem online-region", *plan_file = NULL;
	struct mhp_plan_opts opts = { .size = sizeof(opts) };
	struct json_object *out = json_object_new_array();
	unsigned int flags = 0;
	struct mhp_dax_dev **devs;
	bool recover = false;
	int c, rc, failed = 0;
	size_t i, n;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'z':
			if (parse_zone(optarg, &opts.zone) < 0)
				goto bad_value;
			break;
		case 'r':
			if (cxlmem_parse_u32(cmd, "--movable-ratio", optarg, 1,
					     CXLMEM_RATIO_MAX, &opts.movable_ratio) < 0)
				goto bad_number;
			break;
		case 'm':
			if (parse_memmap(optarg, &opts.memmap) < 0)
				goto bad_value;
			break;
		case 'p':
			plan_file = optarg;
			break;
		case 'n':
			flags |= MHP_APPLY_DRY_RUN;
			break;
		case 'A':
			flags |= MHP_APPLY_NO_ARBITRATE;
			break;
		case 'C':
			flags |= MHP_APPLY_NO_CONVERT;
			break;
		case 'D':
			flags |= MHP_APPLY_DESTROY_DATA;
			break;
		case 'R':
			recover = true;
			break;
		case 'S':
			mhp_set_state_dir(ctx, optarg);
			break;
		case 'h':
			online_usage(stdout);
			json_object_put(out);
			return 0;
		default:
			online_usage(stderr);
			json_object_put(out);
			return 1;
		}
	}
	if (recover && run_recover(ctx, cmd) != 0) {
		json_object_put(out);
		return 1;
	}
	if (flags & MHP_APPLY_DRY_RUN)
		cxlmem_warn_pending(ctx);
	if (!plan_file && optind + 1 != argc) {
		fprintf(stderr, "%s: give exactly one TARGET (all, daxX.Y, regionN or dax_regionN) or --plan FILE\n",
			cmd);
		online_usage(stderr);
		json_object_put(out);
		return 1;
	}
	if (plan_file) {
		struct mhp_plan *plan;

		if (load_plan_file(ctx, cmd, plan_file, &plan) < 0) {
			json_object_put(out);
			return 1;
		}
		if (optind < argc && strcmp(argv[optind], mhp_plan_get_target(plan) ?
					    mhp_plan_get_target(plan) : "") != 0) {
			fprintf(stderr, "%s: the plan is for %s, not %s\n", cmd,
				mhp_plan_get_target(plan) ? mhp_plan_get_target(plan) : "a model",
				argv[optind]);
			mhp_plan_unref(plan);
			json_object_put(out);
			return 1;
		}
		rc = cxlmem_apply_one(ctx, cmd, plan, flags, out);
		mhp_plan_unref(plan);
		failed += rc != 0;
	} else {
		if (cxlmem_resolve(ctx, cmd, argv[optind], &devs, &n) < 0) {
			json_object_put(out);
			return 1;
		}
		if (!n)
			fprintf(stderr, "%s: there are no dax devices; nothing to do\n", cmd);
		for (i = 0; i < n && !cxlmem_cancelled(); i++) {
			const char *name = mhp_dax_dev_get_name(devs[i]);
			struct mhp_plan *plan;

			rc = mhp_plan_dax_dev(ctx, devs[i], &opts, &plan);
			if (rc < 0) {
				fprintf(stderr, "%s: cannot plan %s: %s\n", cmd, name,
					mhp_get_last_error(ctx));
				failed++;
				continue;
			}
			failed += cxlmem_apply_one(ctx, cmd, plan, flags, out) != 0;
			mhp_plan_unref(plan);
		}
		free(devs);
	}
	json_print(json_object_array_length(out) == 1 ?
		   json_object_get(json_object_array_get_idx(out, 0)) : json_object_get(out));
	json_object_put(out);
	if (cxlmem_report_cancel(cmd, "a device whose onlining was cut short was rolled back to how it was found"))
		return 1;
	return failed ? 1 : 0;

bad_value:
	fprintf(stderr, "%s: invalid value '%s'; see '%s --help'\n", cmd, optarg, cmd);
bad_number:
	json_object_put(out);
	return 1;
}

/* Apply one plan and append its result object to @out. 0 on success. */
int cxlmem_apply_one(struct mhp_ctx *ctx, const char *cmd, struct mhp_plan *plan,
		     unsigned int flags, struct json_object *out)
{
	struct json_object *o = json_object_new_object();
	const char *dev = mhp_plan_get_target(plan);
	struct report rep;
	const char *result;
	int rc;

	report_init(&rep, cmd);
	rc = mhp_apply(ctx, plan, flags, on_event, &rep);
	if (rc == MHP_NOTHING_TO_DO)
		result = "already-online";
	else if (rc < 0)
		result = "failed";
	else
		result = (flags & MHP_APPLY_DRY_RUN) ? "dry-run" : "online";
	json_object_object_add(o, "device", json_object_new_string(dev ? dev : "?"));
	json_object_object_add(o, "result", json_object_new_string(result));
	if (rc < 0)
		json_object_object_add(o, "error", json_object_new_string(mhp_get_last_error(ctx)));
	json_object_object_add(o, "blocks", json_object_new_int64(
		(int64_t)mhp_plan_get_num_blocks(plan)));
	json_object_object_add(o, "usable_bytes", json_size(mhp_plan_get_usable_bytes(plan)));
	json_object_object_add(o, "movable_bytes", json_size(mhp_plan_get_movable_bytes(plan)));
	json_object_object_add(o, "normal_bytes", json_size(mhp_plan_get_normal_bytes(plan)));
	json_object_object_add(o, "memmap_location", json_object_new_string(
		mhp_plan_memmap_on_device(plan) ? "device" : "dram"));
	json_object_object_add(o, "dram_overhead_bytes",
			       json_size(mhp_plan_get_dram_overhead_bytes(plan)));
	report_into(&rep, o);
	report_put(&rep);
	json_object_array_add(out, o);
	if (rc == MHP_NOTHING_TO_DO)
		fprintf(stderr, "%s: %s is already online as planned; nothing to do\n", cmd, dev);
	else if (rc < 0)
		/* failures before the first change say nothing about rollback */
		fprintf(stderr, "%s: %s: %s%s\n", cmd, dev, mhp_get_last_error(ctx),
			strstr(mhp_get_last_error(ctx), "roll") ? "" :
			"; nothing was changed");
	return rc < 0 ? 1 : 0;
}

static void offline_usage(FILE *out)
{
	fprintf(out,
		"usage: cxlmem offline-region TARGET [--to devdax|none] [--timeout S] [--retries N]\n"
		"\n"
		"Offline every memory block of TARGET (all, daxX.Y, /dev/daxX.Y, regionN or\n"
		"dax_regionN) in reverse order, retrying EBUSY/EAGAIN/EINTR with backoff, then\n"
		"unbind kmem and rebind device_dax (--to devdax, the default) or leave the\n"
		"device unbound (--to none).\n"
		"  --timeout S    give up after S seconds (default 120)\n"
		"  --retries N    attempts per block (default 10)\n"
		"  --state-dir DIR\n"
		"\nExit status: 0 done or nothing to do, 1 failed, 2 partial: some blocks stayed\n"
		"online (listed in failed_blocks with the reason); kmem stays bound.\n");
}

int cmd_offline_region(int argc, char **argv, struct mhp_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "retries", required_argument, NULL, 'r' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "cxlmem offline-region";
	enum mhp_offline_to to = MHP_OFFLINE_TO_DEVDAX;
	unsigned int timeout_ms = 120000, retries = 10;
	struct json_object *out = json_object_new_array();
	struct mhp_dax_dev **devs;
	int c, rc, status = 0;
	size_t i, n;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (strcmp(optarg, "devdax") == 0)
				to = MHP_OFFLINE_TO_DEVDAX;
			else if (strcmp(optarg, "none") == 0)
				to = MHP_OFFLINE_TO_NONE;
			else
				goto bad;
			break;
		case 'T':
			if (cxlmem_parse_seconds(cmd, "--timeout", optarg, &timeout_ms) < 0)
				goto bad_number;
			break;
		case 'r':
			if (cxlmem_parse_u32(cmd, "--retries", optarg, 1, 1000000, &retries) < 0)
				goto bad_number;
			break;
		case 'S':
			mhp_set_state_dir(ctx, optarg);
			break;
		case 'h':
			offline_usage(stdout);
			json_object_put(out);
			return 0;
		default:
			offline_usage(stderr);
			json_object_put(out);
			return 1;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: give exactly one TARGET (all, daxX.Y, regionN or dax_regionN)\n", cmd);
		json_object_put(out);
		return 1;
	}
	if (cxlmem_resolve(ctx, cmd, argv[optind], &devs, &n) < 0) {
		json_object_put(out);
		return 1;
	}
	if (!n)
		fprintf(stderr, "%s: there are no dax devices; nothing to do\n", cmd);
	for (i = 0; i < n && !cxlmem_cancelled(); i++) {
		const char *name = mhp_dax_dev_get_name(devs[i]);
		struct json_object *o = json_object_new_object();
		struct report rep;
		const char *result;

		report_init(&rep, cmd);
		rc = mhp_offline(ctx, name, to, timeout_ms, retries, on_event, &rep);
		if (rc == MHP_NOTHING_TO_DO)
			result = "already-offline";
		else if (rc == -EBUSY && json_object_array_length(rep.failed))
			result = "partial";
		else if (rc < 0)
			result = "failed";
		else
			result = to == MHP_OFFLINE_TO_DEVDAX ? "devdax" : "unbound";
		json_object_object_add(o, "device", json_object_new_string(name));
		json_object_object_add(o, "result", json_object_new_string(result));
		if (rc < 0)
			json_object_object_add(o, "error",
					       json_object_new_string(mhp_get_last_error(ctx)));
		json_object_object_add(o, "blocks_offlined", json_object_new_int64((int64_t)rep.done));
		report_into(&rep, o);
		report_put(&rep);
		json_object_array_add(out, o);
		if (rc == MHP_NOTHING_TO_DO)
			fprintf(stderr, "%s: %s is not bound to kmem; nothing to do\n", cmd, name);
		else if (rc < 0)
			fprintf(stderr, "%s: %s: %s\n", cmd, name, mhp_get_last_error(ctx));
		if (rc < 0 && strcmp(result, "partial") == 0 && status == 0)
			status = EXIT_PARTIAL;
		else if (rc < 0)
			status = 1;
	}
	free(devs);
	json_print(json_object_array_length(out) == 1 ?
		   json_object_get(json_object_array_get_idx(out, 0)) : json_object_get(out));
	json_object_put(out);
	if (cxlmem_report_cancel(cmd, "a device whose offlining was cut short keeps kmem bound with the blocks still online; run offline-region again"))
		return 1;
	return status;
bad:
	fprintf(stderr, "%s: --to '%s' is not one of devdax, none\n", cmd, optarg);
bad_number:
	json_object_put(out);
	return 1;
}

int cmd_recover(int argc, char **argv, struct mhp_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "state-dir", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			mhp_set_state_dir(ctx, optarg);
			break;
		case 'h':
			printf("usage: cxlmem recover [--state-dir DIR]\n\n"
			       "Finish an interrupted online-region: roll the device back to\n"
			       "where it was, or, where blocks cannot be offlined, complete the plan.\n");
			return 0;
		default:
			return 1;
		}
	}
	return run_recover(ctx, "cxlmem recover");
}
