/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Build small sysfs/procfs trees in a temporary directory for tests. */
#ifndef _TEST_SYSROOT_H_
#define _TEST_SYSROOT_H_

#include <stdio.h>

/* mkdtemp'd root; sr_file/sr_link create parents as needed. */
char *sr_new(void);
void sr_file(const char *root, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* symlink at @path pointing to @target (relative or absolute in-tree) */
void sr_link(const char *root, const char *path, const char *target);
void sr_rm(const char *root, const char *path);
void sr_free(char *root);
/* A minimal x86_64 6.1 machine: 2 nodes, 128 MiB blocks 0..15 online
 * Normal on node 0, hmem dax0.0 at 4 GiB (1 GiB, node 1) on device_dax. */
char *sr_new_hmem(void);
/* Read a whole file into a static buffer (tests only). */
const char *sr_read(const char *root, const char *path);

#endif
