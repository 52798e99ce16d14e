// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Agents that online memory blocks behind our back: the kernel's
 * auto_online_blocks, udev rules writing a memory block's state (such as
 * Red Hat's, guarded by SUBSYSTEM!="memory", GOTO=...), and daxctl's
 * udev rule with its daxdev-reconfigure@ service. An agent that is
 * installed but cannot act (Debian 12's rule runs 'daxctl -C', which
 * daxctl 76.1 rejects) is listed apart as inert, not as a racing agent.
 *
 * udev rules are read as udev does, as far as it matters here: files of
 * the same name in an earlier directory override later ones (/etc, /run,
 * /usr/lib, /lib), an empty file or a link to /dev/null masks, lines
 * continue after a trailing backslash, and GOTO skips to its LABEL.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "ctx.h"

#define MAX_RULE_FILES	512
#define MAX_TOKENS	32

static const char *const udev_dirs[] = {
	"/etc/udev/rules.d", "/run/udev/rules.d",
	"/usr/lib/udev/rules.d", "/lib/udev/rules.d",
};

static const char *const unit_dirs[] = {
	"/etc/systemd/system", "/run/systemd/system",
	"/usr/lib/systemd/system", "/lib/systemd/system",
};

static void __attribute__((format(printf, 4, 5)))
add_to(char (*list)[MHP_AGENT_TEXT_MAX], unsigned int *nr, unsigned int max,
       const char *fmt, ...)
{
	va_list ap;

	if (*nr >= max)
		return;
	va_start(ap, fmt);
	vsnprintf(list[(*nr)++], MHP_AGENT_TEXT_MAX, fmt, ap);
	va_end(ap);
}

#define add_racing(a, ...)	add_to((a)->what, &(a)->nr, MHP_MAX_AGENTS, __VA_ARGS__)
#define add_inert(a, ...)	add_to((a)->inert, &(a)->nr_inert, MHP_MAX_AGENTS, __VA_ARGS__)

/* ---- udev rule lines ---- */

struct token {
	char key[32];
	char attr[64];		/* ATTR{state} -> "state" */
	char op[3];		/* ==, !=, =, +=, -=, := */
	char val[256];
};

static bool is_match(const struct token *t)
{
	return !strcmp(t->op, "==") || !strcmp(t->op, "!=");
}

static bool is_assign(const struct token *t)
{
	return !strcmp(t->op, "=") || !strcmp(t->op, ":=") || !strcmp(t->op, "+=");
}

/* Parse one KEY[{attr}]OP"value"; returns the text after it, or NULL. */
static const char *parse_token(const char *s, struct token *t)
{
	size_t n = 0;

	memset(t, 0, sizeof(*t));
	while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_')
		if (n < sizeof(t->key) - 1)
			t->key[n++] = *s++;
		else
			return NULL;
	if (!n)
		return NULL;
	if (*s == '{') {
		const char *end = strchr(s, '}');

		if (!end || (size_t)(end - s - 1) >= sizeof(t->attr))
			return NULL;
		memcpy(t->attr, s + 1, (size_t)(end - s - 1));
		s = end + 1;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if ((s[0] == '=' || s[0] == '!' || s[0] == '+' || s[0] == '-' || s[0] == ':') &&
	    s[1] == '=') {
		memcpy(t->op, s, 2);
		s += 2;
	} else if (s[0] == '=') {
		t->op[0] = '=';
		s++;
	} else {
		return NULL;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s++ != '"')
		return NULL;
	for (n = 0; *s && *s != '"'; s++) {
		if (*s == '\\' && s[1])
			s++;
		if (n < sizeof(t->val) - 1)
			t->val[n++] = *s;
	}
	return *s == '"' ? s + 1 : NULL;
}

/* Split a logical rule line into tokens; -1 when it is not one udev takes. */
static int tokenize(const char *line, struct token *tok, int max)
{
	int n = 0;

	for (;;) {
		while (*line == ' ' || *line == '\t' || *line == ',')
			line++;
		if (!*line)
			return n;
		if (n == max)
			return -1;
		line = parse_token(line, &tok[n]);
		if (!line)
			return -1;
		n++;
	}
}

/* Does a udev pattern ("memory", "mem*", "cpu|memory") match @what? */
static bool pattern_matches(const char *pattern, const char *what)
{
	char buf[256], *alt, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", pattern);
	for (alt = strtok_r(buf, "|", &save); alt; alt = strtok_r(NULL, "|", &save))
		if (fnmatch(alt, what, 0) == 0)
			return true;
	return false;
}

/* What one rule file does to memory blocks and dax devices. */
struct rule_scan {
	const char *path;
	char guard_label[64];	/* lines until LABEL=this see only memory */
	char state_values[128];	/* the values ATTR{state} is set to */
	char env_values[4][2][64];	/* ENV{name}=value seen in memory context */
	bool writes_state;
	bool runs_daxctl_bad_option;
	bool wants_reconfigure;
	bool runs_daxctl;
};

static void note_value(char *list, size_t len, const char *v)
{
	size_t l = strlen(list);

	if (strstr(list, v))
		return;
	snprintf(list + l, len - l, "%s\"%s\"", l ? " or " : "", v);
}

static void remember_env(struct rule_scan *rs, const struct token *t)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rs->env_values); i++) {
		if (!rs->env_values[i][0][0] || !strcmp(rs->env_values[i][0], t->attr)) {
			snprintf(rs->env_values[i][0], sizeof(rs->env_values[i][0]), "%s", t->attr);
			snprintf(rs->env_values[i][1], sizeof(rs->env_values[i][1]), "%s", t->val);
			return;
		}
	}
}

/* ATTR{state}="$env{.state}": the value the rule gave that variable. */
static const char *resolve_env(const struct rule_scan *rs, const char *v)
{
	size_t i;

	if (strncmp(v, "$env{", 5) != 0)
		return v;
	for (i = 0; i < ARRAY_SIZE(rs->env_values); i++) {
		size_t l = strlen(rs->env_values[i][0]);

		if (l && !strncmp(v + 5, rs->env_values[i][0], l) && v[5 + l] == '}')
			return rs->env_values[i][1];
	}
	return v;
}

/*
 * daxctl's top-level options are --version and --help: "daxctl -C DEV"
 * (Debian 12's rule) fails with "Unknown option: -C" and does nothing.
 */
static bool daxctl_call_is_broken(const char *cmd)
{
	const char *p = strstr(cmd, "daxctl");

	if (!p)
		return false;
	p += strlen("daxctl");
	while (*p == ' ')
		p++;
	return p[0] == '-' && p[1] != '-' && p[1] != '\0';
}

static void scan_line(struct rule_scan *rs, const struct token *tok, int n)
{
	bool memory = false, other_subsystem = false, dax = false, guard = false;
	int matches = 0, i;
	const char *go = NULL;

	for (i = 0; i < n; i++) {
		const struct token *t = &tok[i];

		if (!strcmp(t->key, "LABEL") && rs->guard_label[0] &&
		    !strcmp(t->val, rs->guard_label))
			rs->guard_label[0] = '\0';
		if (!strcmp(t->key, "GOTO"))
			go = t->val;
		if (!is_match(t))
			continue;
		matches++;
		if (!strcmp(t->key, "SUBSYSTEM")) {
			bool m = pattern_matches(t->val, "memory");

			if (strcmp(t->op, "==") != 0) {
				guard |= m;
				continue;
			}
			memory |= m;
			other_subsystem |= !m;
			dax |= pattern_matches(t->val, "dax");
		} else if (!strcmp(t->key, "KERNEL") && !strcmp(t->op, "==")) {
			if (pattern_matches(t->val, "memory0"))
				memory = true;
		}
	}
	/* SUBSYSTEM!="memory", GOTO="x": until LABEL="x" only memory gets here */
	if (guard && matches == 1 && go) {
		snprintf(rs->guard_label, sizeof(rs->guard_label), "%s", go);
		return;
	}
	if (rs->guard_label[0] && !other_subsystem)
		memory = true;
	for (i = 0; i < n; i++) {
		const struct token *t = &tok[i];

		if (memory && !strcmp(t->key, "ENV") && is_assign(t))
			remember_env(rs, t);
		if (memory && !strcmp(t->key, "ATTR") && !strcmp(t->attr, "state") &&
		    is_assign(t)) {
			rs->writes_state = true;
			note_value(rs->state_values, sizeof(rs->state_values),
				   resolve_env(rs, t->val));
		}
		if (!dax)
			continue;
		if (!strcmp(t->key, "RUN") && is_assign(t) && strstr(t->val, "daxctl")) {
			rs->runs_daxctl = true;
			if (daxctl_call_is_broken(t->val))
				rs->runs_daxctl_bad_option = true;
		}
		if (!strcmp(t->key, "ENV") && !strcmp(t->attr, "SYSTEMD_WANTS") &&
		    strstr(t->val, "daxdev-reconfigure@"))
			rs->wants_reconfigure = true;
	}
}

/* Read @text line by line, joining continuation lines. */
static void scan_rules(struct rule_scan *rs, char *text)
{
	struct token tok[MAX_TOKENS];
	char *line = text, *next, *w;
	int n;

	while (line && *line) {
		/* join "...\<newline>..." into one logical line, in place */
		for (next = line, w = line; *next && *next != '\n'; next++) {
			if (next[0] == '\\' && next[1] == '\n') {
				next++;
				continue;
			}
			*w++ = *next;
		}
		if (*next == '\n')
			next++;
		*w = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line && *line != '#') {
			n = tokenize(line, tok, MAX_TOKENS);
			if (n > 0)
				scan_line(rs, tok, n);
		}
		line = next;
	}
}

/* ---- files, as udev and systemd pick them ---- */

static bool seen(char **names, size_t nr, const char *name)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

/* The first of @dirs holding @name: "" when there is none. */
static void find_unit(struct mhp_ctx *ctx, const char *name, char *path, size_t len)
{
	size_t i;

	path[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(unit_dirs); i++) {
		char target[64];

		/* a mask is a link to /dev/null, which a sysroot does not hold */
		if (mhp_exists(ctx, "%s/%s", unit_dirs[i], name) ||
		    mhp_read_link_name(ctx, target, sizeof(target), "%s/%s",
				       unit_dirs[i], name) == 0) {
			snprintf(path, len, "%s/%s", unit_dirs[i], name);
			return;
		}
	}
}

/* Empty, or masked: systemd's mask is a link to /dev/null. */
static bool file_is_empty(struct mhp_ctx *ctx, const char *path)
{
	char target[64], *text;
	bool empty;

	if (mhp_read_link_name(ctx, target, sizeof(target), "%s", path) == 0 &&
	    strcmp(target, "null") == 0)
		return true;
	text = mhp_read_file(ctx, "%s", path);
	empty = !text || !text[strspn(text, " \t\n")];

	free(text);
	return empty;
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t l = strlen(name), n = strlen(suffix);

	return l > n && strcmp(name + l - n, suffix) == 0;
}

static int is_conf_file(struct mhp_ctx *ctx, const char *name, void *arg)
{
	return has_suffix(name, ".conf");
}

/* daxctl.conf.d is where daxdev-reconfigure@ finds what to do. */
static bool daxctl_has_config(struct mhp_ctx *ctx)
{
	return mhp_dir_foreach(ctx, NULL, is_conf_file, NULL, "/etc/daxctl.conf.d") > 0;
}

static void report_reconfigure(struct mhp_ctx *ctx, struct mhp_agents *a,
			       const struct rule_scan *rs)
{
	char unit[MHP_PATH_MAX];

	find_unit(ctx, "daxdev-reconfigure@.service", unit, sizeof(unit));
	if (!unit[0])
		add_inert(a, "udev rule %s asks systemd for daxdev-reconfigure@ (daxctl), "
			  "but no daxdev-reconfigure@.service is installed", rs->path);
	else if (file_is_empty(ctx, unit))
		add_inert(a, "udev rule %s asks for daxdev-reconfigure@ (daxctl), but %s "
			  "is masked", rs->path, unit);
	else if (!daxctl_has_config(ctx))
		add_inert(a, "udev rule %s starts %s (daxctl reconfigure-device "
			  "--check-config) for new dax devices, but /etc/daxctl.conf.d "
			  "has no .conf file, so it changes nothing", rs->path, unit);
	else
		add_racing(a, "udev rule %s starts %s (daxctl reconfigure-device "
			   "--check-config) for new dax devices: a device configured in "
			   "/etc/daxctl.conf.d is onlined as system-ram", rs->path, unit);
}

static void report_rule_file(struct mhp_ctx *ctx, struct mhp_agents *a,
			     const char *path, char *text)
{
	struct rule_scan rs = { .path = path };

	scan_rules(&rs, text);
	if (rs.writes_state)
		add_racing(a, "udev rule %s writes the state of new memory blocks "
			   "(ATTR{state}=%s)", path, rs.state_values);
	if (rs.runs_daxctl_bad_option)
		add_inert(a, "udev rule %s runs daxctl with an option daxctl does not "
			  "have before its command (daxctl 76.1 answers 'Unknown option: "
			  "-C'), so it does nothing", path);
	else if (rs.runs_daxctl)
		add_racing(a, "udev rule %s runs daxctl for new dax devices", path);
	if (rs.wants_reconfigure)
		report_reconfigure(ctx, a, &rs);
}

struct udev_scan {
	struct mhp_agents *a;
	const char *dir;
	char *names[MAX_RULE_FILES];	/* seen so far: earlier directories win */
	size_t nr;
};

static int scan_rule_file(struct mhp_ctx *ctx, const char *name, void *arg)
{
	struct udev_scan *u = arg;
	char path[MHP_PATH_MAX];
	char *text;

	if (!has_suffix(name, ".rules") || seen(u->names, u->nr, name))
		return 0;
	if (u->nr == MAX_RULE_FILES)
		return 1;
	u->names[u->nr] = strdup(name);
	if (!u->names[u->nr])
		return 1;
	u->nr++;
	snprintf(path, sizeof(path), "%s/%s", u->dir, name);
	/* an empty file or a link to /dev/null masks the name */
	text = mhp_read_file(ctx, "%s", path);
	if (text)
		report_rule_file(ctx, u->a, path, text);
	free(text);
	return 0;
}

/* Every rule file udev would read, each name once, in override order. */
static void scan_udev(struct mhp_ctx *ctx, struct mhp_agents *a)
{
	struct udev_scan u = { .a = a };
	size_t d, i;

	/* best effort: an absent or unreadable rules directory hides nothing we act on */
	for (d = 0; d < ARRAY_SIZE(udev_dirs); d++) {
		u.dir = udev_dirs[d];
		if (mhp_dir_foreach(ctx, NULL, scan_rule_file, &u, "%s", u.dir) > 0)
			break;
	}
	for (i = 0; i < u.nr; i++)
		free(u.names[i]);
}

void mhp_agents_detect(struct mhp_ctx *ctx, struct mhp_agents *a)
{
	char policy[32] = "";

	memset(a, 0, sizeof(*a));
	if (mhp_read_attr(ctx, a->auto_online, sizeof(a->auto_online),
			  "/sys/devices/system/memory/auto_online_blocks") > 0 &&
	    strcmp(a->auto_online, "offline") != 0) {
		a->kernel_auto_online = true;
		mhp_read_attr(ctx, policy, sizeof(policy),
			      "/sys/module/memory_hotplug/parameters/online_policy");
		add_racing(a, "the kernel onlines new blocks itself (auto_online_blocks=%s, "
			   "online_policy=%s)", a->auto_online,
			   policy[0] ? policy : "contig-zones");
	}
	scan_udev(ctx, a);
}
