// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxlmem.conf(5): load the files with iniparser, check every key, merge
 * sections by name, and find the section that names a live dax device.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iniparser/iniparser.h>

#include "conf.h"
#include "private.h"

struct loader {
	struct cxlmem_conf *conf;
	cxlmem_conf_log_fn log;
	void *userdata;
	int errors;
};

__attribute__((format(printf, 3, 4)))
static void say(struct loader *l, int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	l->log(l->userdata, priority, fmt, ap);
	va_end(ap);
	if (priority <= LOG_ERR)
		l->errors++;
}

__attribute__((format(printf, 4, 5)))
static void log_msg(cxlmem_conf_log_fn log, void *ud, int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log(ud, priority, fmt, ap);
	va_end(ap);
}

/* ---- values ---- */

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* "START-END" (inclusive, as /proc/iomem prints it) or "START+SIZE". */
static int parse_range(const char *s, uint64_t *start, uint64_t *end)
{
	char buf[128], *sep;
	uint64_t a, b;
	char op;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	sep = strpbrk(buf, "-+");
	if (!sep || sep == buf)
		return -EINVAL;
	op = *sep;
	*sep = '\0';
	if (mhp_parse_size(buf, &a) < 0 || mhp_parse_size(sep + 1, &b) < 0)
		return -EINVAL;
	if (op == '+') {
		if (b == 0 || a + b - 1 < a)
			return -ERANGE;
		b = a + b - 1;
	}
	if (b < a)
		return -ERANGE;
	*start = a;
	*end = b;
	return 0;
}

static int parse_serial(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

static int parse_serials(const char *s, uint64_t *serials, unsigned int *num)
{
	char buf[512], *tok, *save = NULL;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	*num = 0;
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (*num == CXLMEM_CONF_MAX_SERIALS)
			return -E2BIG;
		if (parse_serial(tok, &serials[*num]) < 0)
			return -EINVAL;
		(*num)++;
	}
	return *num ? 0 : -EINVAL;
}

/* 8-4-4-4-12 hex digits; stored lowercase, as sysfs prints it. */
static int parse_uuid(const char *s, char *out)
{
	size_t i;

	if (strlen(s) != 36)
		return -EINVAL;
	for (i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return -EINVAL;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[36] = '\0';
	return 0;
}

/* ---- keys ---- */

static struct cxlmem_conf_dev *get_dev(struct cxlmem_conf *conf, const char *name)
{
	struct cxlmem_conf_dev *d;
	size_t i;

	for (i = 0; i < conf->num_devs; i++)
		if (strcmp(conf->devs[i].name, name) == 0)
			return &conf->devs[i];
	d = realloc(conf->devs, (conf->num_devs + 1) * sizeof(*d));
	if (!d)
		return NULL;
	conf->devs = d;
	d = &conf->devs[conf->num_devs];
	memset(d, 0, sizeof(*d));
	d->name = strdup(name);
	if (!d->name)
		return NULL;
	d->opts.size = sizeof(d->opts);
	conf->num_devs++;
	return d;
}

#define BAD_VALUE(l, file, sec, key, val, what) \
	say(l, LOG_ERR, "%s:%s:%s: '%s' is not %s", file, sec, key, val, what)

/* Set one key of @d from @file; errors name FILE:SECTION:KEY. */
static void set_key(struct loader *l, struct cxlmem_conf_dev *d, const char *file,
		    const char *sec, const char *key, const char *val)
{
	if (!*val) {
		say(l, LOG_ERR, "%s:%s:%s: empty value", file, sec, key);
	} else if (strcmp(key, "cxl-root-decoder") == 0) {
		if (strncmp(val, "decoder", 7) != 0 || strchr(val, '/')) {
			BAD_VALUE(l, file, sec, key, val,
				  "a CXL root decoder name such as decoder0.0");
			return;
		}
		free(d->root_decoder);
		d->root_decoder = strdup(val);
		d->id_file = file;
	} else if (strcmp(key, "cxl-hpa-range") == 0 || strcmp(key, "hmem-range") == 0) {
		if (parse_range(val, &d->start, &d->end) < 0) {
			BAD_VALUE(l, file, sec, key, val,
				  "a physical range START-END (inclusive) or START+SIZE");
			return;
		}
		d->has_range = true;
		d->id = key[0] == 'h' ? CXLMEM_ID_HMEM : CXLMEM_ID_CXL_HPA;
		d->id_file = file;
	} else if (strcmp(key, "cxl-memdev-serial") == 0) {
		if (parse_serials(val, d->serials, &d->num_serials) < 0) {
			BAD_VALUE(l, file, sec, key, val,
				  "a list of memdev serial numbers (at most 16, e.g. 0x1234, 0x1235)");
			return;
		}
		d->id = CXLMEM_ID_CXL_SERIAL;
		d->id_file = file;
	} else if (strcmp(key, "nvdimm-uuid") == 0) {
		if (parse_uuid(val, d->uuid) < 0) {
			BAD_VALUE(l, file, sec, key, val,
				  "a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, as ndctl list prints it)");
			return;
		}
		d->id = CXLMEM_ID_NVDIMM_UUID;
		d->id_file = file;
	} else if (strcmp(key, "zone") == 0) {
		d->zone_is_ratio = false;
		if (strcmp(val, "auto") == 0)
			d->opts.zone = MHP_ZONE_POLICY_AUTO;
		else if (strcmp(val, "movable") == 0)
			d->opts.zone = MHP_ZONE_POLICY_MOVABLE;
		else if (strcmp(val, "normal") == 0)
			d->opts.zone = MHP_ZONE_POLICY_NORMAL;
		else if (strcmp(val, "ratio") == 0) {
			d->opts.zone = MHP_ZONE_POLICY_AUTO;
			d->zone_is_ratio = true;
		} else {
			BAD_VALUE(l, file, sec, key, val, "one of auto, movable, normal, ratio");
			return;
		}
		d->zone_file = file;
	} else if (strcmp(key, "movable-ratio") == 0) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(val, &end, 10);
		if (errno || *end || v == 0 || v > 100000 || val[0] == '-') {
			BAD_VALUE(l, file, sec, key, val,
				  "a MOVABLE:KERNEL percentage from 1 to 100000 (e.g. 301)");
			return;
		}
		d->opts.movable_ratio = (uint32_t)v;
		d->ratio_file = file;
	} else if (strcmp(key, "memmap") == 0) {
		if (strcmp(val, "auto") == 0)
			d->opts.memmap = MHP_MEMMAP_POLICY_AUTO;
		else if (strcmp(val, "on") == 0)
			d->opts.memmap = MHP_MEMMAP_POLICY_ON;
		else if (strcmp(val, "off") == 0)
			d->opts.memmap = MHP_MEMMAP_POLICY_OFF;
		else
			BAD_VALUE(l, file, sec, key, val, "one of auto, on, off");
	} else if (strcmp(key, "destroy-data") == 0) {
		if (parse_bool(val, &d->destroy_data) < 0)
			BAD_VALUE(l, file, sec, key, val, "yes or no");
	} else {
		say(l, LOG_ERR,
		    "%s:%s:%s: unknown key; a [device NAME] section takes cxl-root-decoder, cxl-hpa-range, cxl-memdev-serial, hmem-range, nvdimm-uuid, zone, movable-ratio, memmap, destroy-data",
		    file, sec, key);
		return;
	}
	if (d->file != file) {
		free(d->file);
		d->file = strdup(file);
	}
}

/* "device NAME" -> NAME, or NULL (reported). iniparser lowercases it. */
static const char *section_device_name(struct loader *l, const char *file, const char *sec)
{
	const char *name, *p;

	if (strncmp(sec, "device", 6) != 0 || (sec[6] != ' ' && sec[6] != '\t')) {
		say(l, LOG_ERR, "%s:[%s]: unknown section; devices are configured in [device NAME] sections",
		    file, sec);
		return NULL;
	}
	name = sec + 7;
	while (*name == ' ' || *name == '\t')
		name++;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			break;
	if (!*name || *p) {
		say(l, LOG_ERR, "%s:[%s]: the device name must be letters, digits, '.', '_' or '-'",
		    file, sec);
		return NULL;
	}
	return name;
}

/* iniparser reports syntax errors through one global hook, not per call. */
static struct loader *ini_loader;

static int ini_error(const char *fmt, ...)
{
	char buf[1024], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* "iniparser: syntax error in F (N):\n-> LINE\n" on one line */
	for (p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	while (p > buf && p[-1] == ' ')
		*--p = '\0';
	if (ini_loader)
		say(ini_loader, LOG_ERR, "%s", buf);
	return 0;
}

static void load_file(struct loader *l, const char *path)
{
	const char *file;
	dictionary *ini;
	char **files;
	int s, k, nsec;

	files = realloc(l->conf->files, (l->conf->num_files + 1) * sizeof(*files));
	if (!files || !(files[l->conf->num_files] = strdup(path))) {
		l->conf->files = files ? files : l->conf->files;
		say(l, LOG_ERR, "%s: out of memory", path);
		return;
	}
	l->conf->files = files;
	file = files[l->conf->num_files++];

	ini_loader = l;
	iniparser_set_error_callback(ini_error);
	ini = iniparser_load(file);
	iniparser_set_error_callback(NULL);
	ini_loader = NULL;
	if (!ini) {
		say(l, LOG_ERR, "%s: cannot be parsed (see the error above); fix or remove it", file);
		return;
	}
	/* a key before the first section (iniparser: ":key") has no device */
	for (k = 0; k < ini->size; k++)
		if (ini->key[k] && ini->key[k][0] == ':')
			say(l, LOG_ERR, "%s:%s: key outside any [device NAME] section", file,
			    ini->key[k] + 1);
	nsec = iniparser_getnsec(ini);
	for (s = 0; s < nsec; s++) {
		const char *sec = iniparser_getsecname(ini, s), *name;
		int nkeys = iniparser_getsecnkeys(ini, sec);
		const char **keys;
		struct cxlmem_conf_dev *d;

		name = section_device_name(l, file, sec);
		if (!name)
			continue;
		d = get_dev(l->conf, name);
		keys = nkeys > 0 ? calloc((size_t)nkeys, sizeof(*keys)) : NULL;
		if (!d || (nkeys > 0 && !keys)) {
			say(l, LOG_ERR, "%s:[%s]: out of memory", file, sec);
			free(keys);
			continue;
		}
		if (nkeys > 0 && iniparser_getseckeys(ini, sec, keys))
			for (k = 0; k < nkeys; k++)
				set_key(l, d, file, sec, keys[k] + strlen(sec) + 1,
					iniparser_getstring(ini, keys[k], ""));
		if (!d->file)
			d->file = strdup(file);
		free(keys);
	}
	iniparser_freedict(ini);
}

static bool is_conf_name(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".conf") == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* conf.d/ *.conf, sorted by byte order so the order does not depend on locale. */
static void load_dropins(struct loader *l, const char *dir)
{
	char path[PATH_MAX], **names = NULL;
	size_t n = 0, i;
	struct dirent *de;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/conf.d", dir);
	dp = opendir(path);
	if (!dp) {
		if (errno != ENOENT)
			say(l, LOG_ERR, "%s: cannot be read: %s", path, strerror(errno));
		return;
	}
	while ((de = readdir(dp))) {
		char **nn;

		if (!is_conf_name(de->d_name))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			say(l, LOG_ERR, "%s: out of memory", path);
			break;
		}
		names = nn;
		n++;
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/conf.d/%s", dir, names[i]);
		load_file(l, path);
		free(names[i]);
	}
	free(names);
}

/* Checks that need the merged section: one identity, ratio vs zone. */
static void check_dev(struct loader *l, struct cxlmem_conf_dev *d)
{
	const char *f = d->file;

	if (d->root_decoder && d->id != CXLMEM_ID_CXL_HPA)
		say(l, LOG_ERR, "%s:device %s:cxl-root-decoder: needs cxl-hpa-range%s",
		    d->id_file ? d->id_file : f, d->name,
		    d->id == CXLMEM_ID_NONE ? "" : " and no other identity key");
	else if (d->id == CXLMEM_ID_CXL_HPA && !d->root_decoder)
		say(l, LOG_ERR, "%s:device %s:cxl-hpa-range: needs cxl-root-decoder as well",
		    d->id_file, d->name);
	else if (d->id == CXLMEM_ID_NONE)
		say(l, LOG_ERR,
		    "%s:device %s: names no device; set cxl-root-decoder and cxl-hpa-range, cxl-memdev-serial, hmem-range or nvdimm-uuid",
		    f, d->name);
	else if ((d->has_range && d->id != CXLMEM_ID_CXL_HPA && d->id != CXLMEM_ID_HMEM) ||
		 (d->num_serials && d->id != CXLMEM_ID_CXL_SERIAL) ||
		 (d->uuid[0] && d->id != CXLMEM_ID_NVDIMM_UUID))
		say(l, LOG_ERR,
		    "%s:device %s: more than one identity key; a section names its device one way only",
		    d->id_file, d->name);
	if (d->zone_is_ratio && !d->opts.movable_ratio)
		say(l, LOG_ERR, "%s:device %s:zone: 'ratio' needs movable-ratio", d->zone_file,
		    d->name);
	if (d->opts.movable_ratio && d->zone_file && d->opts.zone != MHP_ZONE_POLICY_AUTO)
		say(l, LOG_ERR,
		    "%s:device %s:movable-ratio: only applies with zone = auto or ratio, not %s",
		    d->ratio_file, d->name, cxlmem_zone_policy_name(d));
}

int cxlmem_conf_load(const char *dir, cxlmem_conf_log_fn log, void *userdata,
		     struct cxlmem_conf **out)
{
	struct loader l = { .log = log, .userdata = userdata };
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	*out = NULL;
	l.conf = calloc(1, sizeof(*l.conf));
	if (!l.conf)
		return -ENOMEM;
	if (snprintf(path, sizeof(path), "%s/cxlmem.conf", dir) >= (int)sizeof(path)) {
		cxlmem_conf_free(l.conf);
		return -ENAMETOOLONG;
	}
	if (stat(path, &st) == 0)
		load_file(&l, path);
	else if (errno != ENOENT)
		say(&l, LOG_ERR, "%s: cannot be read: %s", path, strerror(errno));
	load_dropins(&l, dir);
	for (i = 0; i < l.conf->num_devs; i++)
		check_dev(&l, &l.conf->devs[i]);
	if (l.errors) {
		cxlmem_conf_free(l.conf);
		return -EINVAL;
	}
	*out = l.conf;
	return 0;
}

void cxlmem_conf_free(struct cxlmem_conf *conf)
{
	size_t i;

	if (!conf)
		return;
	for (i = 0; i < conf->num_devs; i++) {
		free(conf->devs[i].name);
		free(conf->devs[i].file);
		free(conf->devs[i].root_decoder);
	}
	for (i = 0; i < conf->num_files; i++)
		free(conf->files[i]);
	free(conf->devs);
	free(conf->files);
	free(conf);
}

/* ---- matching ---- */

static bool serial_listed(const struct cxlmem_conf_dev *e, uint64_t serial)
{
	unsigned int i;

	for (i = 0; i < e->num_serials; i++)
		if (e->serials[i] == serial)
			return true;
	return false;
}

/* True when the region's memdevs are exactly the listed serials. */
static int region_serials_match(struct mhp_ctx *ctx, const struct cxlmem_conf_dev *e,
				struct mhp_cxl_region *r)
{
	unsigned int pos, found = 0, n = mhp_cxl_region_get_num_targets(r);
	uint64_t seen[CXLMEM_CONF_MAX_SERIALS];
	unsigned int i, nseen = 0;

	if (!n)
		return 0;
	for (pos = 0; pos < n; pos++) {
		const char *memdev = mhp_cxl_region_get_target_memdev(r, pos);
		struct mhp_cxl_memdev *m;
		uint64_t serial;
		bool dup = false;

		if (!memdev)
			return 0;
		mhp_cxl_memdev_foreach(ctx, m)
			if (strcmp(mhp_cxl_memdev_get_name(m), memdev) == 0)
				break;
		if (!m || !mhp_cxl_memdev_get_serial(m) ||
		    parse_serial(mhp_cxl_memdev_get_serial(m), &serial) < 0 ||
		    !serial_listed(e, serial))
			return 0;
		for (i = 0; i < nseen; i++)
			dup |= seen[i] == serial;
		if (!dup && nseen < CXLMEM_CONF_MAX_SERIALS) {
			seen[nseen++] = serial;
			found++;
		}
	}
	return found == e->num_serials;
}

static bool uuid_is(const char *text, const char *uuid)
{
	return strcasecmp(text, uuid) == 0;
}

/* The uuid ndctl list shows: the namespace label's, or the dax info block's. */
static int nvdimm_uuid_match(struct mhp_ctx *ctx, const struct cxlmem_conf_dev *e,
			     const struct mhp_dax_dev *dev)
{
	char buf[128];

	if (mhp_dax_dev_get_nvdimm_uuid(ctx, dev, buf, sizeof(buf)) == 0 &&
	    uuid_is(buf, e->uuid))
		return 1;
	if (mhp_dax_dev_get_nvdimm_namespace_uuid(ctx, dev, buf, sizeof(buf)) == 0 &&
	    uuid_is(buf, e->uuid))
		return 1;
	return 0;
}

static bool range_is(const struct cxlmem_conf_dev *e, uint64_t start, uint64_t size)
{
	return size && start == e->start && start + size - 1 == e->end;
}

/* 1 when @e names @dev, 0 when not, negative when it cannot be told. */
static int entry_matches(struct mhp_ctx *ctx, const struct cxlmem_conf_dev *e,
			 struct mhp_dax_dev *dev, cxlmem_conf_log_fn log, void *ud)
{
	const char *name = mhp_dax_dev_get_name(dev), *rname;
	enum mhp_provenance prov = mhp_dax_dev_get_provenance(dev);
	struct mhp_cxl_region *r;
	uint64_t res;

	switch (e->id) {
	case CXLMEM_ID_HMEM:
		if (prov != MHP_PROV_HMEM)
			return 0;
		res = mhp_dax_dev_get_resource(dev);
		if (res == UINT64_MAX) {
			log_msg(log, ud, LOG_ERR,
				"%s: its physical range is unreadable (root only), so [device %s] cannot be matched",
				name, e->name);
			return -EACCES;
		}
		return range_is(e, res, mhp_dax_dev_get_size(dev));
	case CXLMEM_ID_NVDIMM_UUID:
		if (prov != MHP_PROV_NVDIMM && prov != MHP_PROV_CXL_PMEM)
			return 0;
		return nvdimm_uuid_match(ctx, e, dev);
	case CXLMEM_ID_CXL_HPA:
	case CXLMEM_ID_CXL_SERIAL:
		rname = mhp_dax_dev_get_cxl_region(dev);
		r = rname ? mhp_cxl_region_get_by_name(ctx, rname) : NULL;
		if (!r)
			return 0;
		if (e->id == CXLMEM_ID_CXL_SERIAL)
			return region_serials_match(ctx, e, r);
		if (!mhp_cxl_region_get_decoder(r) ||
		    strcmp(mhp_cxl_region_get_decoder(r), e->root_decoder) != 0)
			return 0;
		res = mhp_cxl_region_get_resource(r);
		if (res == UINT64_MAX) {
			log_msg(log, ud, LOG_ERR,
				"%s: the HPA range of %s is unreadable (root only), so [device %s] cannot be matched",
				name, rname, e->name);
			return -EACCES;
		}
		return range_is(e, res, mhp_cxl_region_get_size(r));
	default:
		return 0;
	}
}

int cxlmem_conf_match(struct mhp_ctx *ctx, const struct cxlmem_conf *conf,
		      struct mhp_dax_dev *dev, cxlmem_conf_log_fn log, void *ud,
		      const struct cxlmem_conf_dev **entry)
{
	const struct cxlmem_conf_dev *found = NULL;
	size_t i;
	int rc;

	*entry = NULL;
	for (i = 0; i < conf->num_devs; i++) {
		rc = entry_matches(ctx, &conf->devs[i], dev, log, ud);
		if (rc < 0)
			return rc;
		if (!rc)
			continue;
		if (found) {
			log_msg(log, ud, LOG_ERR,
				"%s is named by both [device %s] (%s) and [device %s] (%s); remove one of them",
				mhp_dax_dev_get_name(dev), found->name, found->file,
				conf->devs[i].name, conf->devs[i].file);
			return -EEXIST;
		}
		found = &conf->devs[i];
	}
	*entry = found;
	return 0;
}

static void ignore_log(void *ud, int priority, const char *fmt, va_list ap)
{
}

int cxlmem_conf_count_matches(struct mhp_ctx *ctx, const struct cxlmem_conf_dev *entry)
{
	struct mhp_dax_dev *d;
	int n = 0;

	mhp_dax_dev_foreach(ctx, d)
		n += entry_matches(ctx, entry, d, ignore_log, NULL) > 0;
	return n;
}

const char *cxlmem_conf_describe_id(const struct cxlmem_conf_dev *e, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	switch (e->id) {
	case CXLMEM_ID_CXL_HPA:
		snprintf(buf, len, "cxl-root-decoder %s, cxl-hpa-range 0x%llx-0x%llx",
			 e->root_decoder, (unsigned long long)e->start,
			 (unsigned long long)e->end);
		break;
	case CXLMEM_ID_HMEM:
		snprintf(buf, len, "hmem-range 0x%llx-0x%llx", (unsigned long long)e->start,
			 (unsigned long long)e->end);
		break;
	case CXLMEM_ID_NVDIMM_UUID:
		snprintf(buf, len, "nvdimm-uuid %s", e->uuid);
		break;
	case CXLMEM_ID_CXL_SERIAL:
		off = (size_t)snprintf(buf, len, "cxl-memdev-serial");
		for (i = 0; i < e->num_serials && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, "%s0x%llx", i ? "," : " ",
						(unsigned long long)e->serials[i]);
		break;
	default:
		snprintf(buf, len, "no identity");
	}
	return buf;
}

const char *cxlmem_zone_policy_name(const struct cxlmem_conf_dev *e)
{
	if (e->zone_is_ratio)
		return "ratio";
	switch (e->opts.zone) {
	case MHP_ZONE_POLICY_MOVABLE:
		return "movable";
	case MHP_ZONE_POLICY_NORMAL:
		return "normal";
	default:
		return "auto";
	}
}

const char *cxlmem_memmap_policy_name(enum mhp_memmap_policy m)
{
	return m == MHP_MEMMAP_POLICY_ON ? "on" : m == MHP_MEMMAP_POLICY_OFF ? "off" : "auto";
}
