/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cxlmem.conf(5): which dax devices the boot service brings online, and
 * how. DIR/cxlmem.conf is read first, then DIR/conf.d/ *.conf in strcmp()
 * order; a section of the same name in a later file overrides the earlier
 * keys one by one.
 */
#ifndef _CXLMEM_CONF_H_
#define _CXLMEM_CONF_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mhp/libmhp.h>

#ifndef CXLMEM_CONFDIR
#define CXLMEM_CONFDIR "/etc/cxlmem"
#endif

#define CXLMEM_CONF_MAX_SERIALS	16

/* How a section names its device; every kind survives reboots. */
enum cxlmem_conf_id {
	CXLMEM_ID_NONE = 0,
	CXLMEM_ID_CXL_HPA,	/* cxl-root-decoder + cxl-hpa-range */
	CXLMEM_ID_CXL_SERIAL,	/* cxl-memdev-serial: the region's memdevs */
	CXLMEM_ID_HMEM,		/* hmem-range */
	CXLMEM_ID_NVDIMM_UUID,	/* nvdimm-uuid */
};

/* One [device NAME] section, merged over every file that has it. */
struct cxlmem_conf_dev {
	char *name;
	char *file;		/* the last file that set one of its keys */
	enum cxlmem_conf_id id;
	char *root_decoder;
	uint64_t start, end;	/* inclusive: cxl-hpa-range, hmem-range */
	bool has_range;
	uint64_t serials[CXLMEM_CONF_MAX_SERIALS];
	unsigned int num_serials;
	char uuid[37];
	struct mhp_plan_opts opts;
	bool zone_is_ratio;	/* zone = ratio: auto with an explicit ratio */
	bool destroy_data;
	/* which file set each key, for errors found after merging */
	const char *zone_file, *ratio_file, *id_file;
};

struct cxlmem_conf {
	struct cxlmem_conf_dev *devs;
	size_t num_devs;
	char **files;		/* every file read, in order */
	size_t num_files;
};

/* Errors and decisions are reported through this, with a syslog priority. */
typedef void (*cxlmem_conf_log_fn)(void *userdata, int priority, const char *fmt,
				   va_list ap);

/*
 * Read DIR/cxlmem.conf and DIR/conf.d/ *.conf. A missing file or conf.d is
 * fine (nothing configured); any syntax error, unknown section or key, or
 * bad value is reported as FILE:SECTION:KEY and makes the load fail with
 * -EINVAL, so a half-understood configuration is never applied.
 */
int cxlmem_conf_load(const char *dir, cxlmem_conf_log_fn log, void *userdata,
		     struct cxlmem_conf **conf);
void cxlmem_conf_free(struct cxlmem_conf *conf);

/*
 * The section naming @dev. 0 and *@entry = NULL when no section does,
 * -EEXIST (reported) when two do, another negative errno (reported) when
 * an identity cannot be read, e.g. a physical address without root.
 */
int cxlmem_conf_match(struct mhp_ctx *ctx, const struct cxlmem_conf *conf,
		      struct mhp_dax_dev *dev, cxlmem_conf_log_fn log, void *userdata,
		      const struct cxlmem_conf_dev **entry);

/* Number of live dax devices that @entry names (for pmem consent). */
int cxlmem_conf_count_matches(struct mhp_ctx *ctx, const struct cxlmem_conf_dev *entry);

/* "cxl-root-decoder = decoder0.0, cxl-hpa-range = 0x...-0x..." */
const char *cxlmem_conf_describe_id(const struct cxlmem_conf_dev *entry, char *buf,
				    size_t len);
const char *cxlmem_zone_policy_name(const struct cxlmem_conf_dev *entry);
const char *cxlmem_memmap_policy_name(enum mhp_memmap_policy m);

#endif
