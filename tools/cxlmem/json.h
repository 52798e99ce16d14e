/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _CXLMEM_JSON_H_
#define _CXLMEM_JSON_H_

#include <json-c/json.h>
#include <mhp/libmhp.h>

/* A byte count: integer, or "1.00 GiB" text with -u. */
struct json_object *json_size(uint64_t bytes);
/* An address: integer, or "0x..." text with -u; null when unknown. */
struct json_object *json_addr(uint64_t addr);
struct json_object *json_platform(struct mhp_platform *p);
struct json_object *json_node(struct mhp_node *n);
struct json_object *json_cxl_memdev(struct mhp_cxl_memdev *m);
struct json_object *json_cxl_region(struct mhp_ctx *ctx, struct mhp_cxl_region *r);
struct json_object *json_dax_dev(struct mhp_ctx *ctx, struct mhp_dax_dev *d);
struct json_object *json_block(struct mhp_block *b);
/* Tallies of memory blocks by state and zone. */
struct block_counts {
	uint64_t present, online, offline, movable, normal;
};
void block_count(struct block_counts *c, struct mhp_block *b);

/* Print @obj to stdout (pretty) and drop the reference. */
void json_print(struct json_object *obj);

#endif
