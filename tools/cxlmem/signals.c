// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Signals during commands that change the system. A SIGINT, SIGTERM or
 * SIGHUP asks libmhp to stop (mhp_cancel): the run finishes its step,
 * rolls back and restores auto_online_blocks, instead of dying halfway
 * with the policy set to offline and the device half converted. SIGPIPE
 * is ignored: with `cxlmem online-region dax0.0 2>&1 | head -n4` a closed
 * pipe must only make the progress writes fail (EPIPE), not kill the run.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"

static struct mhp_ctx *cancel_ctx;
static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
	/* async-signal-safe: sets a flag the executor checks between steps */
	mhp_cancel(cancel_ctx);
}

/*
 * `nohup cxlmem ...` asks for the run to survive the terminal going away:
 * a SIGHUP ignored at start stays ignored. SIGINT and SIGTERM are caught
 * even when ignored (a shell's background job starts with SIGINT ignored),
 * since stopping cleanly on them is always what the sender wants.
 */
static bool hangup_ignored(void)
{
	struct sigaction old;

	return sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler == SIG_IGN;
}

void cxlmem_catch_signals(struct mhp_ctx *ctx)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	cancel_ctx = ctx;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	/*
	 * SA_RESTART: the flag is how the run stops; a sysfs read or write
	 * must not fail with a stray EINTR that looks like a kernel error.
	 * (The kernel's own interruptible waits, offline_pages, still report
	 * EINTR, which the executor retries or cancels on.)
	 */
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigs[i] == SIGHUP && hangup_ignored())
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* The signal's own name, which is what users send: kill -TERM, not "Terminated". */
static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

int cxlmem_cancelled(void)
{
	return caught;
}

/*
 * Say what a signal stopped. The library decides per device what a cut
 * short run leaves (online: rolled back; offline: kmem stays bound with
 * what stayed online), and each device's result above says which; here
 * only what is true of every device: those not started were not touched.
 */
int cxlmem_report_cancel(const char *cmd, const char *aftermath)
{
	if (!caught)
		return 0;
	/* if stderr is gone (EPIPE) there is no one to tell */
	fprintf(stderr, "%s: stopped by %s (%s): devices not yet started were left as they "
		"were; %s. Each device's result above says what happened to it; "
		"'cxlmem status all' shows the state now\n",
		cmd, signal_name(caught), strsignal(caught), aftermath);
	return 1;
}
