// SPDX-License-Identifier: LGPL-2.1-or-later
/* mhp_parse_size() and mhp_format_size(). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "private.h"

static void test_parse_ok(void **state)
{
	static const struct {
		const char *in;
		uint64_t out;
	} cases[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "0x1000", 4096 },
		{ "0X1000", 4096 },
		{ "0x100000000", 4 * SZ_1G },
		{ "1K", 1024 },
		{ "128M", 128 * SZ_1M },
		{ "128m", 128 * SZ_1M },
		{ "128MiB", 128 * SZ_1M },
		{ "128MB", 128 * SZ_1M },
		{ "128 MiB", 128 * SZ_1M },
		{ "2G", 2 * SZ_1G },
		{ "2T", 2048 * SZ_1G },
		{ "1P", 1ULL << 50 },
		{ "15E", 15ULL << 60 },
		{ "1.5G", 3 * SZ_1G / 2 },
		{ "1.50 GiB", 3 * SZ_1G / 2 },
		{ "0.5K", 512 },
		{ "1.25M", 1280 * SZ_1K },
		{ "0x10M", 16 * SZ_1M },
		{ "512B", 512 },
		{ "512 B", 512 },
		{ "18446744073709551615", UINT64_MAX },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 12345;

		if (mhp_parse_size(cases[i].in, &v) != 0 || v != cases[i].out)
			fail_msg("'%s' -> %llu, expected %llu", cases[i].in,
				 (unsigned long long)v, (unsigned long long)cases[i].out);
	}
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *in;
		int rc;
	} cases[] = {
		{ "", -EINVAL },
		{ "abc", -EINVAL },
		{ "-1", -EINVAL },
		{ "12Q", -EINVAL },
		{ "12 Q", -EINVAL },
		{ "12MiBx", -EINVAL },
		{ "12  M", -EINVAL },
		{ "0x", -EINVAL },
		{ "1.", -EINVAL },
		{ ".5G", -EINVAL },
		{ "1.5", -EINVAL },	/* half a byte */
		{ "1.1K", -EINVAL },	/* 1126.4 bytes */
		{ "0x1.8G", -EINVAL },	/* no hex fractions */
		{ " 1G", -EINVAL },
		{ "18446744073709551616", -ERANGE },
		{ "16E", -ERANGE },
		{ "0x10000000000000000", -ERANGE },
		{ "16384P", -ERANGE },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 777;
		int rc = mhp_parse_size(cases[i].in, &v);

		if (rc != cases[i].rc || v != 777)
			fail_msg("'%s' -> rc %d v %llu, expected rc %d and no change",
				 cases[i].in, rc, (unsigned long long)v, cases[i].rc);
	}
	assert_int_equal(mhp_parse_size(NULL, NULL), -EINVAL);
}

static void test_format(void **state)
{
	static const struct {
		uint64_t in;
		const char *out;
	} cases[] = {
		{ 0, "0 B" },
		{ 1, "1 B" },
		{ 1023, "1023 B" },
		{ 1024, "1 KiB" },
		{ 4096, "4 KiB" },
		{ 1536, "1.50 KiB" },
		{ 4097, "~4.00 KiB" },
		{ 2 * SZ_1M, "2 MiB" },
		{ 126 * SZ_1M, "126 MiB" },
		{ 1008 * SZ_1M, "1008 MiB" },
		{ 3 * SZ_1G / 2, "1.50 GiB" },
		{ 5 * SZ_1G / 4, "1.25 GiB" },
		/* 1947 x 128 MiB = 243.375 GiB */
		{ 1947 * 128 * SZ_1M, "~243.38 GiB" },
		{ 16 * SZ_1G, "16 GiB" },
		{ 1ULL << 40, "1 TiB" },
		{ 1ULL << 60, "1 EiB" },
		{ UINT64_MAX, "~16.00 EiB" },
	};
	char buf[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		assert_string_equal(mhp_format_size(cases[i].in, buf, sizeof(buf)),
				    cases[i].out);
	/* a short buffer truncates but stays terminated */
	assert_string_equal(mhp_format_size(128 * SZ_1M, buf, 4), "128");
}

/* Every exact formatted size parses back to itself. */
static void test_round_trip(void **state)
{
	uint64_t v, back;
	unsigned int shift, mul;
	char buf[32];

	for (shift = 0; shift < 60; shift++) {
		for (mul = 1; mul < 2048; mul += 37) {
			v = (uint64_t)mul << shift;
			if (v >> shift != mul)
				continue;
			mhp_format_size(v, buf, sizeof(buf));
			if (buf[0] == '~')
				continue;
			assert_int_equal(mhp_parse_size(buf, &back), 0);
			if (back != v)
				fail_msg("%llu -> '%s' -> %llu", (unsigned long long)v, buf,
					 (unsigned long long)back);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
