/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet/802.1Q header parsing and ingress VLAN classification, as pure inline
 * functions of the frame bytes and the port's VLAN settings: bridge_input calls them
 * per frame, the unit tests and the fuzz target call them directly.
 */
#ifndef VSW_ETH_PARSE_H
#define VSW_ETH_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "drop.h"
#include "dp_ctl.h"

#define ETH_HLEN_UNTAGGED 14
#define ETH_HLEN_TAGGED 18
#define ETH_TYPE_VLAN 0x8100

struct eth_info {
	uint16_t vid;	  /* VLAN the frame belongs to after classification */
	uint16_t tag_vid; /* VLAN id in the 802.1Q tag; 0 if untagged or priority-tagged */
	bool tagged;	  /* an 802.1Q tag is present (priority tags included) */
	const uint8_t *dst, *src;
};

struct eth_vlan_cfg {
	enum dp_vlan_mode mode;
	uint16_t access_vlan;
	uint16_t native_vlan;
	const uint8_t *trunk; /* 512-byte bitmap */
};

static inline bool eth_addr_is_multicast(const uint8_t *a)
{
	return a[0] & 1; /* broadcast included */
}

static inline bool eth_addr_is_zero(const uint8_t *a)
{
	return (a[0] | a[1] | a[2] | a[3] | a[4] | a[5]) == 0;
}

/* Parse the header in the first len contiguous bytes. Returns VSW_DROP_MAX if the frame
 * is fine, else the drop reason. Padding or trailing bytes are never looked at. */
static inline enum vsw_drop eth_parse(const uint8_t *d, uint32_t len, struct eth_info *info)
{
	if (len < ETH_HLEN_UNTAGGED)
		return VSW_DROP_runt;
	info->dst = d;
	info->src = d + 6;
	info->tagged = d[12] == (ETH_TYPE_VLAN >> 8) && d[13] == (ETH_TYPE_VLAN & 0xff);
	info->tag_vid = 0;
	if (info->tagged) {
		if (len < ETH_HLEN_TAGGED)
			return VSW_DROP_bad_vlan_tag;
		info->tag_vid = (uint16_t)(((d[14] & 0x0f) << 8) | d[15]);
		if (info->tag_vid == 0xfff)
			return VSW_DROP_bad_vlan_tag;
	}
	if (eth_addr_is_multicast(info->src) || eth_addr_is_zero(info->src))
		return VSW_DROP_src_mac_invalid;
	return VSW_DROP_MAX;
}

/* Decide the frame's VLAN on ingress. Untagged and priority-tagged (VLAN 0) frames take
 * the access or native VLAN; a tagged frame must carry an allowed VLAN. */
static inline enum vsw_drop eth_classify_vlan(const struct eth_vlan_cfg *c, struct eth_info *info)
{
	uint16_t v = info->tag_vid;

	switch (c->mode) {
	case DP_VLAN_ACCESS:
		if (v != 0 && v != c->access_vlan)
			return VSW_DROP_vlan_not_allowed;
		info->vid = c->access_vlan;
		return VSW_DROP_MAX;
	case DP_VLAN_TRUNK:
		if (v == 0) {
			if (c->native_vlan == 0)
				return VSW_DROP_untagged_on_trunk;
			info->vid = c->native_vlan;
			return VSW_DROP_MAX;
		}
		if (!((c->trunk[v >> 3] >> (v & 7)) & 1))
			return VSW_DROP_vlan_not_allowed;
		info->vid = v;
		return VSW_DROP_MAX;
	default:
		return VSW_DROP_no_bridge;
	}
}

/* Is VLAN vid allowed out of a port, and tagged there? -1: not allowed, 0: untagged, 1: tagged. */
static inline int eth_egress_tagging(const struct eth_vlan_cfg *c, uint16_t vid)
{
	switch (c->mode) {
	case DP_VLAN_ACCESS:
		return vid == c->access_vlan ? 0 : -1;
	case DP_VLAN_TRUNK:
		if (vid == c->native_vlan)
			return 0;
		return ((c->trunk[vid >> 3] >> (vid & 7)) & 1) ? 1 : -1;
	default:
		return -1;
	}
}

#endif
