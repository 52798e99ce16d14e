// SPDX-License-Identifier: GPL-2.0-or-later
/* JSON helpers for cxlmem's own results (list, status and plan come from libmhp). */
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "json.h"
#include "private.h"

struct json_object *json_size(uint64_t bytes)
{
	char buf[64];

	if (!cxlmem_opts.human)
		return json_object_new_int64((int64_t)bytes);
	return json_object_new_string(mhp_format_size(bytes, buf, sizeof(buf)));
}

struct json_object *json_addr(uint64_t addr)
{
	char buf[32];

	if (addr == UINT64_MAX)
		return NULL;
	if (!cxlmem_opts.human)
		return json_object_new_int64((int64_t)addr);
	snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)addr);
	return json_object_new_string(buf);
}

unsigned int cxlmem_json_flags(void)
{
	return cxlmem_opts.human ? MHP_JSON_HUMAN : 0;
}

void json_print(struct json_object *obj)
{
	printf("%s\n", json_object_to_json_string_ext(obj,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}
