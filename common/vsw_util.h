/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small parsers shared by the dataplane's control socket and the tools: names, MAC
 * addresses, VLAN lists. No DPDK here: tools link this too.
 */
#ifndef VSW_UTIL_H
#define VSW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 1..31 characters of [A-Za-z0-9_.-] */
bool vsw_name_valid(const char *name);
/* "xx:xx:xx:xx:xx:xx" (hex, either case, also '-' separators); 0 or -EINVAL */
int vsw_mac_parse(const char *s, uint8_t mac[6]);
/* buf of at least 18 bytes */
void vsw_mac_format(const uint8_t mac[6], char *buf);
/* "10,20-30,4094" into a 4096-bit bitmap (512 bytes, bit v = VLAN v), VLANs 1..4094.
 * 0 or -EINVAL with a reason in err. */
int vsw_vlan_list_parse(const char *s, uint8_t bitmap[512], char *err, size_t errsz);
/* Inverse: "10,20-30"; returns the length written (truncated at size). */
size_t vsw_vlan_list_format(const uint8_t bitmap[512], char *buf, size_t size);
static inline bool vsw_vlan_bit(const uint8_t bitmap[512], unsigned int v)
{
	return (bitmap[v >> 3] >> (v & 7)) & 1;
}
static inline void vsw_vlan_bit_set(uint8_t bitmap[512], unsigned int v)
{
	bitmap[v >> 3] |= (uint8_t)(1u << (v & 7));
}

#endif
