// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Agents that online memory blocks behind our back: the kernel's
 * auto_online_blocks, udev rules writing a block's state, and daxctl's
 * daxdev-reconfigure@ service.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "ctx.h"

static void add(struct mhp_agents *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add(struct mhp_agents *a, const char *fmt, ...)
{
	va_list ap;

	if (a->nr >= MHP_MAX_AGENTS)
		return;
	va_start(ap, fmt);
	vsnprintf(a->what[a->nr++], sizeof(a->what[0]), fmt, ap);
	va_end(ap);
}

struct udev_scan {
	struct mhp_agents *a;
	const char *dir;
};

static int check_udev_rule(struct mhp_ctx *ctx, const char *name, void *arg)
{
	struct udev_scan *u = arg;
	size_t len = strlen(name);
	char *text;

	if (len < 7 || strcmp(name + len - 6, ".rules") != 0)
		return 0;
	/* silent: a rule masked by a link to /dev/null is not a regular file */
	text = mhp_read_file(ctx, "%s/%s", u->dir, name);
	if (!text)
		return 0;
	if (strstr(text, "SUBSYSTEM==\"memory\"") && strstr(text, "ATTR{state}"))
		add(u->a, "udev rule %s/%s writes the state of new memory blocks",
		    u->dir, name);
	else if (strstr(text, "daxdev-reconfigure"))
		add(u->a, "udev rule %s/%s starts daxdev-reconfigure@ (daxctl) for new dax devices",
		    u->dir, name);
	free(text);
	return 0;
}

static void scan_udev_dir(struct mhp_ctx *ctx, struct mhp_agents *a, const char *dir)
{
	struct udev_scan u = { a, dir };

	/* detection is best effort: an unreadable rules directory hides nothing we act on */
	if (mhp_dir_foreach(ctx, NULL, check_udev_rule, &u, "%s", dir) < 0)
		return;
}

void mhp_agents_detect(struct mhp_ctx *ctx, struct mhp_agents *a)
{
	static const char *const udev_dirs[] = {
		"/etc/udev/rules.d", "/run/udev/rules.d",
		"/lib/udev/rules.d", "/usr/lib/udev/rules.d",
	};
	char policy[32] = "";
	size_t i;

	memset(a, 0, sizeof(*a));
	if (mhp_read_attr(ctx, a->auto_online, sizeof(a->auto_online),
			  "/sys/devices/system/memory/auto_online_blocks") > 0 &&
	    strcmp(a->auto_online, "offline") != 0) {
		a->kernel_auto_online = true;
		mhp_read_attr(ctx, policy, sizeof(policy),
			      "/sys/module/memory_hotplug/parameters/online_policy");
		add(a, "the kernel onlines new blocks itself (auto_online_blocks=%s, online_policy=%s)",
		    a->auto_online, policy[0] ? policy : "contig-zones");
	}
	for (i = 0; i < ARRAY_SIZE(udev_dirs); i++)
		scan_udev_dir(ctx, a, udev_dirs[i]);
}
