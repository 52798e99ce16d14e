// SPDX-License-Identifier: GPL-2.0-or-later
/* cxlmem: online CXL and DAX memory as system RAM. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "builtin.h"
#include "daxctl.h"

struct cxlmem_global cxlmem_opts;

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct mhp_ctx *ctx);
	const char *summary;
	bool changes;	/* changes the system: signals cancel, SIGPIPE ignored */
	/*
	 * Warn here about an interrupted run's journal: the commands with no
	 * --state-dir of their own. The others warn once it is parsed, or
	 * refuse the journal under the run lock (cmd-online.c).
	 */
	bool warns_pending;
};

static const struct command commands[] = {
	{ "list", cmd_list, "show the platform, nodes, CXL regions, DAX devices and memory blocks",
	  false, true },
	{ "plan", cmd_plan, "plan how a region or DAX device becomes system RAM (or model a platform)" },
	{ "online-region", cmd_online_region, "apply the plan: bind kmem and online every block in its zone", true },
	{ "offline-region", cmd_offline_region, "offline every block, unbind kmem, rebind device_dax", true },
	{ "status", cmd_status, "live state of a region or DAX device against its applied plan" },
	{ "recover", cmd_recover, "finish or roll back an interrupted online-region", true },
	{ "reconfigure-device", cmd_reconfigure_device, "daxctl-compatible: -m system-ram|devdax",
	  true, true },
	{ "export", cmd_export, "write metrics (prometheus) or a feature file (nfd) for fleet collectors" },
	{ "boot", cmd_boot, "bring the devices named in /etc/cxlmem/cxlmem.conf online (systemd)", true },
};

int cxlmem_resolve(struct mhp_ctx *ctx, const char *cmd, const char *target,
		   struct mhp_dax_dev ***devs, size_t *n)
{
	int rc = mhp_resolve_target(ctx, target, devs, n);

	if (rc < 0)
		fprintf(stderr, "%s: %s; see 'cxlmem list'\n", cmd, mhp_get_last_error(ctx));
	return rc;
}

void cxlmem_warn_pending(struct mhp_ctx *ctx)
{
	const char *dev = mhp_journal_pending(ctx);

	if (dev)
		fprintf(stderr,
			"cxlmem: warning: an interrupted run left a journal for %s; run 'cxlmem recover' (or online-region --recover)\n",
			dev);
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: cxlmem [--sysroot DIR] [-v] [-u] COMMAND [ARGS]\n"
		"\n"
		"  --sysroot DIR   read and write sysfs/procfs below DIR (a captured tree)\n"
		"  -v, --verbose   more library logging (repeat for debug)\n"
		"  -u, --human     human-readable sizes and tables\n"
		"  --wait SECONDS  wait up to SECONDS for another run's lock (default: fail at once)\n"
		"  -V, --version   print the version\n"
		"\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-20s%s\n", commands[i].name, commands[i].summary);
	fprintf(out, "  %-20s%s\n", "help COMMAND", "show a command's options");
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* -u/--human and -v are global but also accepted after the command. */
static void strip_global_options(int *argc, char **argv, int from)
{
	int i, out = from;

	for (i = from; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "-u") == 0 || strcmp(argv[i], "--human") == 0)
			cxlmem_opts.human = true;
		else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0)
			cxlmem_opts.verbose++;
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	*argc = out;
}

/*
 * A sysroot that resolves to "/" (say "/tmp/..", or a link to /) is the
 * live system: a script that meant a captured tree must hear it before
 * anything is written.
 */
static void warn_if_sysroot_is_live(struct mhp_ctx *ctx, const char *given)
{
	if (given && strcmp(given, "/") != 0 && mhp_is_live_system(ctx))
		fprintf(stderr, "cxlmem: warning: the sysroot '%s' resolves to /: this acts on "
			"the live system, not on a captured tree\n", given);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sysroot", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "human", no_argument, NULL, 'u' },
		{ "wait", required_argument, NULL, 'w' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sysroot = NULL;
	unsigned int lock_wait_ms = 0;
	const struct command *cmd;
	struct mhp_ctx *ctx;
	int c, rc, cmd_index;

	if (strcmp(strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0], "cxlmem-daxctl") == 0)
		return cxlmem_daxctl_main(argc, argv);
	/* '+': stop at the first non-option, the subcommand */
	while ((c = getopt_long(argc, argv, "+vuVh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			sysroot = optarg;
			break;
		case 'v':
			cxlmem_opts.verbose++;
			break;
		case 'u':
			cxlmem_opts.human = true;
			break;
		case 'w':
			if (cxlmem_parse_seconds("cxlmem", "--wait", optarg, &lock_wait_ms) < 0)
				return 1;
			break;
		case 'V':
			printf("%s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 >= argc) {
			usage(stdout);
			return 0;
		}
		cmd = find_command(argv[optind + 1]);
		if (!cmd) {
			fprintf(stderr, "cxlmem: unknown command '%s'; see 'cxlmem help'\n",
				argv[optind + 1]);
			return 1;
		}
		argv[optind] = argv[optind + 1];
		argv[optind + 1] = "--help";
		argc = optind + 2;
	}
	cmd = find_command(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "cxlmem: unknown command '%s'; see 'cxlmem help'\n",
			argv[optind]);
		return 1;
	}

	cmd_index = optind;
	strip_global_options(&argc, argv, cmd_index + 1);

	rc = mhp_new(&ctx);
	if (rc < 0) {
		fprintf(stderr, "cxlmem: cannot create the libmhp context: %s\n",
			strerror(-rc));
		return 1;
	}
	mhp_set_lock_wait(ctx, lock_wait_ms);
	if (cxlmem_opts.verbose)
		mhp_set_log_priority(ctx, cxlmem_opts.verbose > 1 ? LOG_DEBUG : LOG_INFO);
	else if (!getenv("MHP_LOG"))
		/* cxlmem prints the library's error itself, once */
		mhp_set_log_priority(ctx, LOG_CRIT);
	if (sysroot) {
		rc = mhp_set_sysroot(ctx, sysroot);
		if (rc < 0) {
			fprintf(stderr, "cxlmem: %s\n", mhp_get_last_error(ctx));
			mhp_unref(ctx);
			return 1;
		}
	}
	warn_if_sysroot_is_live(ctx, sysroot ? sysroot : getenv("MHP_SYSROOT"));
	if (cmd->warns_pending)
		cxlmem_warn_pending(ctx);
	if (cmd->changes)
		cxlmem_catch_signals(ctx);
	/* subcommands parse from their own argv[0]; optind 0 re-inits getopt */
	optind = 0;
	rc = cmd->fn(argc - cmd_index, argv + cmd_index, ctx);
	mhp_unref(ctx);
	return rc;
}
