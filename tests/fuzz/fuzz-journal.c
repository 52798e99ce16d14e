// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the journal reader (mhp_journal_read, journal.c) that
 * recover and every command checking for an interrupted run go through.
 * The input is written as <sysroot>/run/mhp/journal of a private tree,
 * since the reader takes the journal from the state directory.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];
static char journal[128];

static void make_tree(void)
{
	char dir[128];

	snprintf(root, sizeof(root), "/tmp/mhp-fuzz-journal-XXXXXX");
	if (!mkdtemp(root))
		abort();
	snprintf(dir, sizeof(dir), "%s/run", root);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/run/mhp", root);
	mkdir(dir, 0700);
	snprintf(journal, sizeof(journal), "%s/journal", dir);
}

static void remove_tree(void)
{
	char dir[128];

	unlink(journal);
	snprintf(dir, sizeof(dir), "%s/run/mhp", root);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/run", root);
	rmdir(dir);
	rmdir(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mhp_journal_state st;
	struct mhp_ctx *ctx;
	int fd, rc;

	if (!root[0]) {
		make_tree();
		atexit(remove_tree);
	}
	fd = open(journal, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (mhp_new(&ctx) < 0)
		abort();
	mhp_set_log_priority(ctx, 0);
	if (mhp_set_sysroot(ctx, root) < 0 || mhp_set_state_dir(ctx, "/run/mhp") < 0)
		abort();
	rc = mhp_journal_read(ctx, &st);
	if (rc == 0) {
		/* what recover would look at */
		if (strnlen(st.device, sizeof(st.device)) == sizeof(st.device) ||
		    strnlen(st.op, sizeof(st.op)) == sizeof(st.op) ||
		    (st.nr_onlined && !st.onlined))
			abort();
		mhp_journal_state_free(&st);
	}
	mhp_journal_pending(ctx);
	mhp_unref(ctx);
	return 0;
}
