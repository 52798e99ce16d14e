// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every numeric option of every command is parsed here, so they all
 * refuse the same things the same way: a sign, spaces, garbage after the
 * number, values out of range and overflow (strtoul would turn "-5" into
 * a huge number and accept it). Errors name the command and the option.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "private.h"

/* Plain decimal digits only; -EINVAL for anything else, -ERANGE on overflow. */
static int parse_digits(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int d;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		d = (unsigned int)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int cxlmem_parse_number(const char *cmd, const char *opt, const char *s,
			uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;
	int rc = parse_digits(s, &v);

	if (rc == 0 && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	if (rc == -EINVAL)
		fprintf(stderr, "%s: %s '%s' is not a whole number: give one from %llu to "
			"%llu, digits only\n", cmd, opt, s, (unsigned long long)min,
			(unsigned long long)max);
	else
		fprintf(stderr, "%s: %s '%s' is too %s: give a whole number from %llu to "
			"%llu\n", cmd, opt, s, rc == -ERANGE || v > max ? "large" : "small",
			(unsigned long long)min, (unsigned long long)max);
	return -EINVAL;
}

int cxlmem_parse_u32(const char *cmd, const char *opt, const char *s,
		     uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int rc = cxlmem_parse_number(cmd, opt, s, min, max, &v);

	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

/* "S", "S.f", "S.ff" or "S.fff" seconds into milliseconds, at least 1 ms. */
int cxlmem_parse_seconds(const char *cmd, const char *opt, const char *s,
			 unsigned int *ms)
{
	char whole[24];
	const char *dot = s;
	uint64_t sec, frac = 0, scale = 100, v;
	size_t n;
	int rc;

	while (*dot && *dot != '.')
		dot++;
	n = (size_t)(dot - s);
	rc = n && n < sizeof(whole) ? 0 : -EINVAL;
	if (rc == 0) {
		snprintf(whole, sizeof(whole), "%.*s", (int)n, s);
		rc = parse_digits(whole, &sec);
	}
	if (rc == 0 && *dot) {
		const char *p = dot + 1;

		if (!*p || p[strspn(p, "0123456789")] || strlen(p) > 3)
			rc = -EINVAL;
		for (; rc == 0 && *p; p++, scale /= 10)
			frac += (uint64_t)(*p - '0') * scale;
	}
	if (rc == 0 && sec <= UINT32_MAX / 1000) {
		v = sec * 1000 + frac;
		if (v >= 1 && v <= UINT32_MAX) {
			*ms = (unsigned int)v;
			return 0;
		}
	}
	fprintf(stderr, "%s: %s '%s' is not a duration: give seconds from 0.001 to %u, "
		"e.g. %s 120\n", cmd, opt, s, UINT32_MAX / 1000, opt);
	return -EINVAL;
}

int cxlmem_parse_size(const char *cmd, const char *opt, const char *s,
		      bool allow_zero, uint64_t *out)
{
	uint64_t v;
	int rc = mhp_parse_size(s, &v);

	if (rc == 0 && (v || allow_zero)) {
		*out = v;
		return 0;
	}
	fprintf(stderr, "%s: %s '%s' is %s: give bytes, 0x-hex or a K/M/G/T size, "
		"e.g. %s 512G\n", cmd, opt, s,
		rc == -ERANGE ? "too large" : rc == 0 ? "zero" : "not a size", opt);
	return -EINVAL;
}
