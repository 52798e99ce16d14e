// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxlmem reconfigure-device: an alias of cxlmem-daxctl reconfigure-device
 * (daxctl-device.c), so the two can never disagree. cxlmem's global -u and
 * -v, stripped by the dispatcher, are handed back as daxctl's.
 */
#include "builtin.h"
#include "daxctl.h"

int cmd_reconfigure_device(int argc, char **argv, struct mhp_ctx *ctx)
{
	struct dx_ctx dx = { .ctx = ctx };
	int rc;

	if (cxlmem_opts.human)
		dx.flags |= DX_HUMAN;
	dx.verbose = cxlmem_opts.verbose > 0;
	rc = dx_load(&dx);
	if (rc == 0)
		rc = dx_cmd_reconfigure(&dx, argc, argv);
	dx_unload(&dx);
	return DAXCTL_EXIT(rc);
}
