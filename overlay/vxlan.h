/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN over IPv4 (RFC 7348) as pure functions of bytes: the receive checks of
 * vxlan_decap (sections 4 to 7), the outer header that vxlan_encap writes, and the
 * checksums and the UDP source port entropy. No DPDK here, so the unit tests and the
 * fuzz target (tests/fuzz/fuzz_vxlan_decap.c) run the very code the workers run.
 * Addresses and ports are kept in network order (as they sit in the frame).
 */
#ifndef VSW_VXLAN_H
#define VSW_VXLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "drop.h"

#define VXLAN_ETH_SIZE 14
#define VXLAN_IP_SIZE 20
#define VXLAN_UDP_SIZE 8
#define VXLAN_HDR_SIZE 8
/* outer Ethernet + IPv4 without options + UDP + VXLAN */
#define VXLAN_OUTER_SIZE (VXLAN_ETH_SIZE + VXLAN_IP_SIZE + VXLAN_UDP_SIZE + VXLAN_HDR_SIZE)
#define VXLAN_UDP_PORT 4789
#define VXLAN_FLAG_I 0x08
#define VXLAN_VNI_MAX 0xffffff
/* RFC 7348 section 5: the source port comes from the dynamic range 49152..65535 */
#define VXLAN_SPORT_MIN 49152u

#define VXLAN_ETHERTYPE_IPV4 0x0800
#define VXLAN_ETHERTYPE_ARP 0x0806

/* What vxlan_parse found in a frame it accepted. */
struct vxlan_rx {
	uint32_t src_ip;    /* outer source: the remote VTEP (network order) */
	uint32_t vni;	    /* host order, 24 bits */
	uint16_t inner_off; /* bytes before the inner frame */
	uint16_t inner_len; /* bytes of the inner frame (outer Ethernet padding excluded) */
};

/* The local end that frames must be addressed to. */
struct vxlan_local {
	uint8_t mac[6];
	uint32_t ip;	   /* network order */
	uint16_t udp_port; /* network order */
};

static inline uint16_t vxlan_rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline void vxlan_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* One's complement sum of len bytes as big-endian 16-bit words (odd tail padded with 0),
 * added to sum; fold with vxlan_csum_fold. */
static inline uint32_t vxlan_csum_add(uint32_t sum, const uint8_t *d, uint32_t len)
{
	uint64_t s = sum;
	uint32_t i = 0;

	for (; i + 4 <= len; i += 4)
		s += ((uint32_t)d[i] << 24 | (uint32_t)d[i + 1] << 16 | (uint32_t)d[i + 2] << 8 |
		      d[i + 3]);
	for (; i + 2 <= len; i += 2)
		s += vxlan_rd16(d + i);
	if (i < len)
		s += (uint32_t)d[i] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	/* 32-bit words summed: fold the halves into 16-bit words of the same sum */
	s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

static inline uint16_t vxlan_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * Check a frame received on an underlay port that is not ARP (the caller dispatches
 * ARP first). d: the first len contiguous bytes of the frame. Returns VSW_DROP_MAX and
 * fills rx when the frame is a well-formed VXLAN packet for this VTEP, else the drop
 * reason. VNI and source VTEP are for the caller to look up. Reserved bits of the
 * VXLAN header are ignored, as section 5 asks of receivers.
 */
static inline enum vsw_drop vxlan_parse(const uint8_t *d, uint32_t len, const struct vxlan_local *l,
					struct vxlan_rx *rx)
{
	const uint8_t *ip, *udp, *vx;
	uint32_t ihl, tot, udp_len;
	uint16_t csum;

	if (len < VXLAN_ETH_SIZE)
		return VSW_DROP_vxlan_malformed;
	if (vxlan_rd16(d + 12) != VXLAN_ETHERTYPE_IPV4 || memcmp(d, l->mac, 6) != 0)
		return VSW_DROP_vxlan_not_for_us;
	ip = d + VXLAN_ETH_SIZE;
	if (len < VXLAN_ETH_SIZE + VXLAN_IP_SIZE || (ip[0] >> 4) != 4 || (ip[0] & 0xf) < 5)
		return VSW_DROP_vxlan_malformed;
	ihl = (ip[0] & 0xfu) * 4;
	tot = vxlan_rd16(ip + 2);
	if (ihl > len - VXLAN_ETH_SIZE || tot < ihl || tot > len - VXLAN_ETH_SIZE)
		return VSW_DROP_vxlan_malformed;
	if (vxlan_csum_fold(vxlan_csum_add(0, ip, ihl)) != 0xffff)
		return VSW_DROP_vxlan_bad_ip_csum;
	if ((vxlan_rd16(ip + 6) & 0x3fff) != 0) /* MF, or a fragment offset */
		return VSW_DROP_vxlan_outer_fragment;
	if (memcmp(ip + 16, &l->ip, 4) != 0 || ip[9] != 17 /* UDP */)
		return VSW_DROP_vxlan_not_for_us;
	if (tot < ihl + VXLAN_UDP_SIZE)
		return VSW_DROP_vxlan_malformed;
	udp = ip + ihl;
	if (memcmp(udp + 2, &l->udp_port, 2) != 0)
		return VSW_DROP_vxlan_not_for_us;
	udp_len = vxlan_rd16(udp + 4);
	if (udp_len != tot - ihl || udp_len < VXLAN_UDP_SIZE + VXLAN_HDR_SIZE)
		return VSW_DROP_vxlan_malformed;
	csum = vxlan_rd16(udp + 6);
	if (csum != 0) { /* zero: not computed, which section 5 allows */
		uint32_t s = vxlan_csum_add(0, ip + 12, 8); /* pseudo header: addresses */

		s += 17 + udp_len;
		s = vxlan_csum_add(s, udp, udp_len);
		if (vxlan_csum_fold(s) != 0xffff)
			return VSW_DROP_vxlan_bad_udp_csum;
	}
	vx = udp + VXLAN_UDP_SIZE;
	if (!(vx[0] & VXLAN_FLAG_I))
		return VSW_DROP_vxlan_bad_flags;
	if (udp_len - VXLAN_UDP_SIZE - VXLAN_HDR_SIZE < VXLAN_ETH_SIZE)
		return VSW_DROP_vxlan_inner_runt;
	memcpy(&rx->src_ip, ip + 12, 4);
	rx->vni = (uint32_t)vx[4] << 16 | (uint32_t)vx[5] << 8 | vx[6];
	rx->inner_off = (uint16_t)(VXLAN_ETH_SIZE + ihl + VXLAN_UDP_SIZE + VXLAN_HDR_SIZE);
	rx->inner_len = (uint16_t)(udp_len - VXLAN_UDP_SIZE - VXLAN_HDR_SIZE);
	return VSW_DROP_MAX;
}

/* A tunnel's outer header with everything but the next hop's MAC, the lengths, the
 * IPv4 checksum and the UDP source port, written once when the tunnel is created. */
struct vxlan_tmpl {
	uint8_t hdr[VXLAN_OUTER_SIZE];
	uint32_t ip_sum; /* one's complement sum of the IPv4 header with length and checksum 0 */
};

static inline void vxlan_tmpl_init(struct vxlan_tmpl *t, const uint8_t src_mac[6], uint32_t src_ip,
				   uint32_t dst_ip, uint16_t udp_port, uint32_t vni, uint8_t ttl)
{
	uint8_t *h = t->hdr, *ip = h + VXLAN_ETH_SIZE, *udp = ip + VXLAN_IP_SIZE;
	uint8_t *vx = udp + VXLAN_UDP_SIZE;

	memset(t, 0, sizeof(*t));
	memcpy(h + 6, src_mac, 6);
	vxlan_wr16(h + 12, VXLAN_ETHERTYPE_IPV4);
	ip[0] = 0x45;
	vxlan_wr16(ip + 6, 0x4000); /* DF: the underlay must not fragment (section 4.3) */
	ip[8] = ttl;
	ip[9] = 17;
	memcpy(ip + 12, &src_ip, 4);
	memcpy(ip + 16, &dst_ip, 4);
	memcpy(udp + 2, &udp_port, 2);
	vx[0] = VXLAN_FLAG_I;
	vx[4] = (uint8_t)(vni >> 16);
	vx[5] = (uint8_t)(vni >> 8);
	vx[6] = (uint8_t)vni;
	t->ip_sum = vxlan_csum_add(0, ip, VXLAN_IP_SIZE);
}

static inline uint64_t vxlan_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

/* UDP source port from a hash of the inner flow (section 5: entropy for ECMP and RSS
 * in the underlay): the Ethernet addresses and type, and for IPv4 the addresses, the
 * protocol and, unless a fragment, the TCP/UDP/SCTP ports. */
static inline uint16_t vxlan_entropy_port(const uint8_t *f, uint32_t len)
{
	uint64_t a, h;
	uint32_t b;

	if (len < VXLAN_ETH_SIZE)
		return (uint16_t)VXLAN_SPORT_MIN;
	memcpy(&a, f, 8);
	memcpy(&b, f + 8, 4);
	h = vxlan_mix(a ^ ((uint64_t)b << 32 | vxlan_rd16(f + 12)));
	if (vxlan_rd16(f + 12) == VXLAN_ETHERTYPE_IPV4 && len >= VXLAN_ETH_SIZE + VXLAN_IP_SIZE) {
		const uint8_t *ip = f + VXLAN_ETH_SIZE;
		uint32_t ihl = (ip[0] & 0xfu) * 4;
		uint64_t addrs;

		memcpy(&addrs, ip + 12, 8);
		h = vxlan_mix(h ^ addrs ^ ((uint64_t)ip[9] << 56));
		if ((ip[9] == 6 || ip[9] == 17 || ip[9] == 132) && ihl >= VXLAN_IP_SIZE &&
		    (vxlan_rd16(ip + 6) & 0x3fff) == 0 && len >= VXLAN_ETH_SIZE + ihl + 4) {
			uint32_t ports;

			memcpy(&ports, ip + ihl, 4);
			h = vxlan_mix(h ^ ports);
		}
	}
	return (uint16_t)(VXLAN_SPORT_MIN + (h & 0x3fff));
}

/* Write the outer header for an inner frame of inner_len bytes into out (50 bytes). */
static inline void vxlan_encap_write(uint8_t *out, const struct vxlan_tmpl *t,
				     const uint8_t next_hop[6], uint32_t inner_len, uint16_t sport)
{
	uint8_t *ip = out + VXLAN_ETH_SIZE, *udp = ip + VXLAN_IP_SIZE;
	uint16_t tot = (uint16_t)(inner_len + VXLAN_IP_SIZE + VXLAN_UDP_SIZE + VXLAN_HDR_SIZE);

	memcpy(out, t->hdr, VXLAN_OUTER_SIZE);
	memcpy(out, next_hop, 6);
	vxlan_wr16(ip + 2, tot);
	vxlan_wr16(ip + 10, (uint16_t)~vxlan_csum_fold(t->ip_sum + tot));
	vxlan_wr16(udp, sport);
	vxlan_wr16(udp + 4, (uint16_t)(tot - VXLAN_IP_SIZE));
	/* UDP checksum 0: allowed over IPv4 (section 5), as Linux sends by default */
}

/* The underlay MTU an inner frame of inner_len bytes needs once encapsulated. */
static inline uint32_t vxlan_mtu_needed(uint32_t inner_len)
{
	return inner_len + VXLAN_IP_SIZE + VXLAN_UDP_SIZE + VXLAN_HDR_SIZE;
}

#endif
