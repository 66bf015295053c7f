/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parsers for the few text forms that cross the control socket and the command line:
 * object names, MAC addresses and VLAN lists. The dataplane's socket handlers and the
 * tools share them so both sides accept exactly the same spellings. Strict on purpose:
 * these parse untrusted bytes (they are fuzzed through tests/fuzz/fuzz_ctl_request.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vsw_util.h"

#define VSW_NAME_LEN_MAX 31
#define VLAN_MIN 1
#define VLAN_MAX 4094

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

bool vsw_name_valid(const char *name)
{
	size_t i;

	if (name == NULL)
		return false;
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= VSW_NAME_LEN_MAX || !name_char_ok(name[i]))
			return false;
	}
	return i > 0;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vsw_mac_parse(const char *s, uint8_t mac[6])
{
	uint8_t out[6];
	char sep;

	if (s == NULL || strlen(s) != 17)
		return -EINVAL;
	/* One separator throughout: "02:00-00..." is more likely a typo than a MAC. */
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = hex_val(p[0]), lo = hex_val(p[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < 5 && p[2] != sep)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, out, sizeof(out));
	return 0;
}

void vsw_mac_format(const uint8_t mac[6], char *buf)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 6; i++) {
		buf[3 * i] = hex[mac[i] >> 4];
		buf[3 * i + 1] = hex[mac[i] & 0xf];
		buf[3 * i + 2] = i < 5 ? ':' : '\0';
	}
}

/* One VLAN id in decimal; stops at the first non-digit. At most 5 digits are read, so a
 * huge number cannot overflow, and "40940" still gets the clearer out-of-range message. */
static int vlan_number(const char **sp, unsigned int *v)
{
	const char *s = *sp;
	unsigned int n = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9') {
		if (++digits > 5)
			return -EINVAL;
		n = n * 10 + (unsigned int)(*s - '0');
		s++;
	}
	if (digits == 0)
		return -EINVAL;
	*sp = s;
	*v = n;
	return 0;
}

static void skip_spaces(const char **sp)
{
	while (**sp == ' ' || **sp == '\t')
		(*sp)++;
}

static int vlan_err(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int vlan_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errsz > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int vsw_vlan_list_parse(const char *s, uint8_t bitmap[512], char *err, size_t errsz)
{
	uint8_t out[512] = {0};
	const char *p = s;
	size_t off;

	if (s == NULL)
		return vlan_err(err, errsz, "no VLAN list");
	skip_spaces(&p);
	if (*p == '\0')
		return vlan_err(err, errsz,
				"empty VLAN list (expected ids 1..4094 or ranges lo-hi)");
	for (;;) {
		unsigned int lo, hi;

		skip_spaces(&p);
		off = (size_t)(p - s);
		if (vlan_number(&p, &lo) < 0)
			return vlan_err(err, errsz,
					"bad VLAN list at offset %zu (expected a VLAN id 1..4094)",
					off);
		hi = lo;
		skip_spaces(&p);
		if (*p == '-') {
			p++;
			skip_spaces(&p);
			if (vlan_number(&p, &hi) < 0)
				return vlan_err(err, errsz,
						"bad VLAN range at offset %zu (expected lo-hi)",
						off);
			skip_spaces(&p);
		}
		if (lo < VLAN_MIN || lo > VLAN_MAX)
			return vlan_err(err, errsz, "VLAN %u out of range (expected 1..4094)", lo);
		if (hi < VLAN_MIN || hi > VLAN_MAX)
			return vlan_err(err, errsz, "VLAN %u out of range (expected 1..4094)", hi);
		if (hi < lo)
			return vlan_err(err, errsz,
					"VLAN range %u-%u is backwards (expected lo <= hi)", lo,
					hi);
		for (unsigned int v = lo; v <= hi; v++)
			vsw_vlan_bit_set(out, v);
		if (*p == '\0')
			break;
		if (*p != ',')
			return vlan_err(err, errsz,
					"bad VLAN list at offset %zu (expected ',' between items)",
					(size_t)(p - s));
		p++;
	}
	memcpy(bitmap, out, sizeof(out));
	return 0;
}

size_t vsw_vlan_list_format(const uint8_t bitmap[512], char *buf, size_t size)
{
	size_t len = 0;
	unsigned int v = VLAN_MIN;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	while (v <= VLAN_MAX) {
		unsigned int lo, hi;
		char item[16];
		int n;

		if (!vsw_vlan_bit(bitmap, v)) {
			v++;
			continue;
		}
		lo = v;
		while (v + 1 <= VLAN_MAX && vsw_vlan_bit(bitmap, v + 1))
			v++;
		hi = v++;
		if (lo == hi)
			n = snprintf(item, sizeof(item), "%s%u", len ? "," : "", lo);
		else
			n = snprintf(item, sizeof(item), "%s%u-%u", len ? "," : "", lo, hi);
		/* Cut at an item boundary: a truncated number would name the wrong VLAN. */
		if (len + (size_t)n >= size)
			break;
		memcpy(buf + len, item, (size_t)n + 1);
		len += (size_t)n;
	}
	return len;
}
