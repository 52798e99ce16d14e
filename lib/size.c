// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Byte sizes: parsing "128M"/"0x1000"/"1.5G" and formatting "128 MiB".
 * Self-contained (no context), so cxlmem links this file directly.
 */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "private.h"

static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

/* Binary shift for a unit letter, -1 if @c is not one. */
static int unit_shift(char c)
{
	switch (toupper((unsigned char)c)) {
	case 'K': return 10;
	case 'M': return 20;
	case 'G': return 30;
	case 'T': return 40;
	case 'P': return 50;
	case 'E': return 60;
	}
	return -1;
}

/*
 * Parse the unit after the number: "", "K", "KB", "KiB", "B"
 * (case-insensitive, one optional space before it). Returns the
 * shift, or -1 on garbage.
 */
static int parse_unit(const char *s)
{
	int shift;

	if (*s == ' ')
		s++;
	if (*s == '\0')
		return 0;
	if ((*s == 'b' || *s == 'B') && s[1] == '\0')
		return 0;
	shift = unit_shift(*s);
	if (shift < 0)
		return -1;
	s++;
	if (*s == 'i' || *s == 'I')
		s++;
	if (*s == 'b' || *s == 'B')
		s++;
	return *s == '\0' ? shift : -1;
}

static bool is_digit_in(char c, int base)
{
	return base == 16 ? isxdigit((unsigned char)c) : isdigit((unsigned char)c);
}

/*
 * Decimal or 0x-hex integer at *@s; advances *@s past it.
 * -EINVAL when there is no digit, -ERANGE on overflow.
 */
static int parse_uint(const char **s, uint64_t *out, int *base)
{
	const char *p = *s;
	uint64_t v = 0;

	*base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
		*base = 16;
		p += 2;
	}
	if (!is_digit_in(*p, *base))
		return -EINVAL;
	for (; is_digit_in(*p, *base); p++) {
		unsigned int d = isdigit((unsigned char)*p) ? (unsigned int)(*p - '0') :
			(unsigned int)(tolower((unsigned char)*p) - 'a' + 10);

		if (v > (UINT64_MAX - d) / (uint64_t)*base)
			return -ERANGE;
		v = v * (uint64_t)*base + d;
	}
	*out = v;
	*s = p;
	return 0;
}

/*
 * "4096", "0x1000", "128M", "128MiB", "128 MiB", "1.5G", "2T".
 * Units are binary. A fraction must give a whole number of bytes.
 * -EINVAL on syntax errors, -ERANGE on overflow.
 */
int mhp_parse_size(const char *s, uint64_t *out)
{
	uint64_t whole, frac_num = 0, frac_den = 1, v;
	const char *p;
	int base, shift, rc;

	if (!s || !out)
		return -EINVAL;
	p = s;
	rc = parse_uint(&p, &whole, &base);
	if (rc < 0)
		return rc;
	if (*p == '.' && base == 10) {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			if (frac_den > UINT64_MAX / 100)
				return -ERANGE;
			frac_num = frac_num * 10 + (uint64_t)(*p - '0');
			frac_den *= 10;
		}
	}
	shift = parse_unit(p);
	if (shift < 0)
		return -EINVAL;
	if (shift && whole > (UINT64_MAX >> shift))
		return -ERANGE;
	v = whole << shift;
	if (frac_num) {
		/* frac_num / frac_den * 2^shift must be an integer */
		unsigned __int128 f = (unsigned __int128)frac_num << shift;

		if (f % frac_den)
			return -EINVAL;
		f /= frac_den;
		if (f > UINT64_MAX - v)
			return -ERANGE;
		v += (uint64_t)f;
	}
	*out = v;
	return 0;
}

/*
 * "0 B", "128 MiB", "1.50 GiB" when exact to two decimals, else rounded
 * to two decimals and marked: "~780.63 GiB" (bytes below 1 KiB are
 * always exact). A @len of 32 is always enough.
 */
const char *mhp_format_size(uint64_t bytes, char *buf, size_t len)
{
	unsigned int u = 0;
	unsigned __int128 hundredths;
	uint64_t unit;

	while (u + 1 < ARRAY_SIZE(units) && bytes >= (1ULL << (10 * (u + 1))))
		u++;
	unit = 1ULL << (10 * u);
	if (bytes % unit == 0) {
		snprintf(buf, len, "%" PRIu64 " %s", bytes / unit, units[u]);
		return buf;
	}
	/* round to nearest hundredth */
	hundredths = ((unsigned __int128)bytes * 100 + unit / 2) / unit;
	snprintf(buf, len, "%s%" PRIu64 ".%02u %s",
		 ((unsigned __int128)bytes * 100) % unit ? "~" : "",
		 (uint64_t)(hundredths / 100), (unsigned int)(hundredths % 100), units[u]);
	return buf;
}
