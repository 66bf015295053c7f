/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 neighbour discovery (RFC 4861) for an IPv6 VTEP, as pure functions of bytes: the
 * checks a Neighbor Solicitation or Advertisement must pass on an underlay port
 * (nd_parse), and the two messages the VTEP writes (an advertisement answering for its
 * address, a solicitation for a next hop). The worker side, which owns the mbufs and the
 * neighbour table, is overlay/nd.c; like overlay/vxlan.h this has no DPDK so the unit
 * tests and the fuzz target run the very code the workers run.
 */
#ifndef VSW_ND_H
#define VSW_ND_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "overlay/vxlan.h"

#define ND_TYPE_NS 135
#define ND_TYPE_NA 136
#define ND_OPT_SLLA 1	  /* source link-layer address */
#define ND_OPT_TLLA 2	  /* target link-layer address */
#define ND_NA_FLAG_S 0x40 /* solicited (first byte of the flags word) */
#define ND_NA_FLAG_O 0x20 /* override */
#define ND_MSG_SIZE 24	  /* ICMPv6 NS/NA without options */
/* what nd_write_* write: Ethernet + IPv6 + NS/NA + one link-layer address option */
#define ND_FRAME_SIZE (VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + ND_MSG_SIZE + 8)

/* What nd_parse found in a message it accepted; pointers into the frame. */
struct nd_rx {
	uint8_t type;	       /* ND_TYPE_NS or ND_TYPE_NA */
	uint8_t flags;	       /* NA: R S O bits of the first flags byte */
	const uint8_t *src_ip; /* IPv6 source (:: for a duplicate address probe) */
	const uint8_t *target; /* the target address */
	const uint8_t *lladdr; /* NS: source, NA: target link-layer address option; or NULL */
};

/* ff02::1:ffXX:XXXX, the solicited-node multicast address of a (RFC 4291 2.7.1). */
static inline void nd_solicited_node(uint8_t out[16], const uint8_t a[16])
{
	static const uint8_t pfx[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};

	memcpy(out, pfx, 13);
	memcpy(out + 13, a + 13, 3);
}

/* 33:33 and the last 4 bytes of multicast address a (RFC 2464 section 7). */
static inline void nd_multicast_mac(uint8_t out[6], const uint8_t a[16])
{
	out[0] = out[1] = 0x33;
	memcpy(out + 2, a + 12, 4);
}

static inline bool nd_ip6_is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

/* The ICMPv6 checksum's sum (RFC 4443 section 2.3) of the message after IPv6 header ip,
 * plen bytes long: 0xffff when the checksum in it is right. */
static inline uint16_t nd_icmp6_sum(const uint8_t *ip, uint32_t plen)
{
	uint32_t s = vxlan_csum_add(0, ip + 8, 32) + VXLAN_PROTO_ICMP6 + plen;

	return vxlan_csum_fold(vxlan_csum_add(s, ip + VXLAN_IP6_SIZE, plen));
}

/*
 * Check an ICMPv6 frame on the underlay port of IPv6 VTEP l. Returns VSW_DROP_MAX and
 * fills nd for a Neighbor Solicitation for l's address or a Neighbor Advertisement, to
 * l's MAC or the multicast MAC of l's solicited-node address or of all nodes, and to
 * l's address, its solicited-node address or ff02::1; else the drop reason: not IPv6
 * ICMPv6 ND to us (vxlan_not_for_us), truncated (vxlan_malformed), or failing the
 * validation of RFC 4861 sections 7.1.1 and 7.1.2 (vxlan_bad_nd: hop limit not 255,
 * code not 0, wrong checksum, ICMP length under 24, an option of length 0 or past the
 * end, a multicast target, a link-layer option from ::, a solicited NA to multicast).
 * Extension headers are not walked: ND behind one is vxlan_not_for_us.
 */
static inline enum vsw_drop nd_parse(const uint8_t *d, uint32_t len, const struct vxlan_local *l,
				     struct nd_rx *nd)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
	static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 0x01};
	const uint8_t *ip = d + VXLAN_ETH_SIZE, *icmp = ip + VXLAN_IP6_SIZE, *o, *end;
	uint8_t sn[16], sn_mac[6];
	uint32_t plen;

	if (len < VXLAN_ETH_SIZE)
		return VSW_DROP_vxlan_malformed;
	if (vxlan_rd16(d + 12) != VXLAN_ETHERTYPE_IPV6)
		return VSW_DROP_vxlan_not_for_us;
	if (len < VXLAN_ETH_SIZE + VXLAN_IP6_SIZE || (ip[0] >> 4) != 6)
		return VSW_DROP_vxlan_malformed;
	if (ip[6] != VXLAN_PROTO_ICMP6)
		return VSW_DROP_vxlan_not_for_us;
	plen = vxlan_rd16(ip + 4);
	if (plen > len - VXLAN_ETH_SIZE - VXLAN_IP6_SIZE || plen < 4)
		return VSW_DROP_vxlan_malformed;
	if (icmp[0] != ND_TYPE_NS && icmp[0] != ND_TYPE_NA)
		return VSW_DROP_vxlan_not_for_us; /* echo, router discovery, MLD, ... */
	nd_solicited_node(sn, l->ip6);
	nd_multicast_mac(sn_mac, sn);
	if (memcmp(d, l->mac, 6) != 0 && memcmp(d, sn_mac, 6) != 0 &&
	    memcmp(d, all_nodes_mac, 6) != 0)
		return VSW_DROP_vxlan_not_for_us;
	if (memcmp(ip + 24, l->ip6, 16) != 0 && memcmp(ip + 24, sn, 16) != 0 &&
	    memcmp(ip + 24, all_nodes, 16) != 0)
		return VSW_DROP_vxlan_not_for_us;
	if (ip[7] != 255 || icmp[1] != 0 || plen < ND_MSG_SIZE || nd_icmp6_sum(ip, plen) != 0xffff)
		return VSW_DROP_vxlan_bad_nd;
	nd->type = icmp[0];
	nd->flags = icmp[4] & 0xe0;
	nd->src_ip = ip + 8;
	nd->target = icmp + 8;
	nd->lladdr = NULL;
	if (nd->target[0] == 0xff)
		return VSW_DROP_vxlan_bad_nd;
	end = icmp + plen;
	for (o = icmp + ND_MSG_SIZE; o < end; o += o[1] * 8u) {
		if (end - o < 2 || o[1] == 0 || (uint32_t)(end - o) < o[1] * 8u)
			return VSW_DROP_vxlan_bad_nd;
		if (o[1] == 1 && o[0] == (nd->type == ND_TYPE_NS ? ND_OPT_SLLA : ND_OPT_TLLA))
			nd->lladdr = o + 2;
	}
	if (nd->type == ND_TYPE_NS) {
		if (nd_ip6_is_unspecified(nd->src_ip) && nd->lladdr != NULL)
			return VSW_DROP_vxlan_bad_nd;
		if (memcmp(nd->target, l->ip6, 16) != 0)
			return VSW_DROP_vxlan_not_for_us; /* resolving someone else */
	} else if (ip[24] == 0xff && (nd->flags & ND_NA_FLAG_S)) {
		return VSW_DROP_vxlan_bad_nd;
	}
	return VSW_DROP_MAX;
}

/* An NS or NA of ND_FRAME_SIZE bytes into d: Ethernet to eth_dst from mac, IPv6 from src
 * to dst with hop limit 255, the message about target with one link-layer address
 * option carrying mac, and its checksum. */
static inline void nd_write(uint8_t *d, const uint8_t eth_dst[6], const uint8_t mac[6],
			    const uint8_t src[16], const uint8_t dst[16], uint8_t type,
			    uint8_t flags, const uint8_t target[16])
{
	uint8_t *ip = d + VXLAN_ETH_SIZE, *icmp = ip + VXLAN_IP6_SIZE;
	uint16_t plen = ND_MSG_SIZE + 8;

	memset(d, 0, ND_FRAME_SIZE);
	memcpy(d, eth_dst, 6);
	memcpy(d + 6, mac, 6);
	vxlan_wr16(d + 12, VXLAN_ETHERTYPE_IPV6);
	ip[0] = 0x60;
	vxlan_wr16(ip + 4, plen);
	ip[6] = VXLAN_PROTO_ICMP6;
	ip[7] = 255;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	icmp[0] = type;
	icmp[4] = flags;
	memcpy(icmp + 8, target, 16);
	icmp[24] = type == ND_TYPE_NS ? ND_OPT_SLLA : ND_OPT_TLLA;
	icmp[25] = 1;
	memcpy(icmp + 26, mac, 6);
	vxlan_wr16(icmp + 2, (uint16_t)~nd_icmp6_sum(ip, plen));
}

/* A solicitation from VTEP l for target: to its solicited-node address, or unicast to
 * what we believe its MAC is (unicast_mac != NULL: a refresh, RFC 4861 section 7.3.3). */
static inline void nd_write_ns(uint8_t *d, const struct vxlan_local *l, const uint8_t target[16],
			       const uint8_t *unicast_mac)
{
	uint8_t dst[16], mac[6];

	if (unicast_mac != NULL) {
		memcpy(dst, target, 16);
		memcpy(mac, unicast_mac, 6);
	} else {
		nd_solicited_node(dst, target);
		nd_multicast_mac(mac, dst);
	}
	nd_write(d, mac, l->mac, l->ip6, dst, ND_TYPE_NS, 0, target);
}

/* The advertisement answering a solicitation from src_ip (not ::) at eth_dst: solicited,
 * override (RFC 4861 section 7.2.4). eth_dst and src_ip must not point into d. */
static inline void nd_write_na(uint8_t *d, const struct vxlan_local *l, const uint8_t eth_dst[6],
			       const uint8_t src_ip[16])
{
	nd_write(d, eth_dst, l->mac, l->ip6, src_ip, ND_TYPE_NA, ND_NA_FLAG_S | ND_NA_FLAG_O,
		 l->ip6);
}

#endif
