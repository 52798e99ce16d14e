/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _CXLMEM_JSON_H_
#define _CXLMEM_JSON_H_

#include <json-c/json.h>
#include <mhp/libmhp.h>

/* A byte count: integer, or "1.00 GiB" text with -u. */
struct json_object *json_size(uint64_t bytes);
/* An address: integer, or "0x..." text with -u; null when unknown. */
struct json_object *json_addr(uint64_t addr);
/* MHP_JSON_HUMAN with -u, for the library's documents. */
unsigned int cxlmem_json_flags(void);

/* Print @obj to stdout (pretty) and drop the reference. */
void json_print(struct json_object *obj);

#endif
