// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mhp-memtouch NODE MIB: prove that onlined memory really holds data.
 *
 * Binds an anonymous mapping of MIB MiB to NODE (MPOL_BIND), writes a value
 * unique to each page and offset at a few offsets per page, reads them all
 * back and asks the kernel (move_pages) where every page lives.
 *
 * Output: one line "memtouch: node=N pages=P on_node=O bad_words=B".
 * Exit status 0 only if every page is on NODE and every word read back.
 * Only a few words per page are written: emulated CXL memory is slow.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_BIND	2
#define MPOL_MF_STRICT	(1 << 0)

static const size_t offsets[] = { 0, 1024, 2048, 4096 - 8 };

static uint64_t pattern(size_t page, size_t off)
{
	return 0x6d68700000000000ull ^ ((uint64_t)page << 16) ^ off;
}

int main(int argc, char **argv)
{
	long page_size = sysconf(_SC_PAGESIZE);
	unsigned long nodemask[16] = { 0 };
	size_t npages, on_node = 0, bad = 0, i, j;
	unsigned long node, mib;
	char *end;
	int *status;
	void **pages;
	char *buf;

	if (argc != 3) {
		fprintf(stderr, "usage: mhp-memtouch NODE MIB\n");
		return 2;
	}
	node = strtoul(argv[1], &end, 0);
	if (*end || node >= sizeof(nodemask) * 8) {
		fprintf(stderr, "mhp-memtouch: bad node '%s': give a node number below %zu\n",
			argv[1], sizeof(nodemask) * 8);
		return 2;
	}
	mib = strtoul(argv[2], &end, 0);
	if (*end || !mib) {
		fprintf(stderr, "mhp-memtouch: bad size '%s': give a whole number of MiB above 0\n",
			argv[2]);
		return 2;
	}
	npages = (mib << 20) / page_size;

	buf = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("mhp-memtouch: mmap");
		return 1;
	}
	nodemask[node / (8 * sizeof(long))] = 1ul << (node % (8 * sizeof(long)));
	if (syscall(SYS_mbind, buf, mib << 20, MPOL_BIND, nodemask,
		    sizeof(nodemask) * 8, MPOL_MF_STRICT)) {
		fprintf(stderr, "mhp-memtouch: binding memory to node %lu failed: %s; is the node online with memory?\n",
			node, strerror(errno));
		return 1;
	}

	for (i = 0; i < npages; i++)
		for (j = 0; j < sizeof(offsets) / sizeof(offsets[0]); j++)
			*(volatile uint64_t *)(buf + i * page_size + offsets[j]) =
				pattern(i, offsets[j]);
	for (i = 0; i < npages; i++)
		for (j = 0; j < sizeof(offsets) / sizeof(offsets[0]); j++) {
			uint64_t v = *(volatile uint64_t *)(buf + i * page_size + offsets[j]);

			if (v != pattern(i, offsets[j]) && bad++ < 5)
				fprintf(stderr, "mhp-memtouch: page %zu offset %zu reads %#llx\n",
					i, offsets[j], (unsigned long long)v);
		}

	pages = calloc(npages, sizeof(*pages));
	status = calloc(npages, sizeof(*status));
	if (!pages || !status) {
		fprintf(stderr, "mhp-memtouch: out of memory\n");
		return 1;
	}
	for (i = 0; i < npages; i++)
		pages[i] = buf + i * page_size;
	if (syscall(SYS_move_pages, 0, npages, pages, NULL, status, 0)) {
		fprintf(stderr, "mhp-memtouch: move_pages: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < npages; i++)
		on_node += status[i] == (int)node;

	printf("memtouch: node=%lu pages=%zu on_node=%zu bad_words=%zu\n",
	       node, npages, on_node, bad);
	return on_node == npages && !bad ? 0 : 1;
}
