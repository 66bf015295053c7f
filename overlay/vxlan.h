/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN over IPv4 and IPv6 (RFC 7348) as pure functions of bytes: the receive checks of
 * vxlan_decap (sections 4 to 7; vxlan_parse, vxlan_parse6), the outer headers that
 * vxlan_encap writes, and the checksums and the UDP source port entropy. No DPDK here,
 * so the unit tests and the fuzz target (tests/fuzz/fuzz_vxlan_decap.c) run the very
 * code the workers run. Addresses and ports are kept in network order (as they sit in
 * the frame).
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
#define VXLAN_IP6_SIZE 40
/* outer Ethernet + IPv4 without options + UDP + VXLAN */
#define VXLAN_OUTER_SIZE (VXLAN_ETH_SIZE + VXLAN_IP_SIZE + VXLAN_UDP_SIZE + VXLAN_HDR_SIZE)
/* outer Ethernet + IPv6 without extension headers + UDP + VXLAN: 70 bytes */
#define VXLAN6_OUTER_SIZE (VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + VXLAN_UDP_SIZE + VXLAN_HDR_SIZE)
#define VXLAN_UDP_PORT 4789
#define VXLAN_FLAG_I 0x08
#define VXLAN_VNI_MAX 0xffffff
/* RFC 7348 section 5: the source port comes from the dynamic range 49152..65535 */
#define VXLAN_SPORT_MIN 49152u

#define VXLAN_ETHERTYPE_IPV4 0x0800
#define VXLAN_ETHERTYPE_ARP 0x0806
#define VXLAN_ETHERTYPE_IPV6 0x86dd
#define VXLAN_PROTO_UDP 17
#define VXLAN_PROTO_ICMP6 58
#define VXLAN_IP6_FRAGMENT 44 /* the Fragment extension header */

/* What vxlan_parse found in a frame it accepted. */
struct vxlan_rx {
	uint32_t src_ip;	/* IPv4 outer source: the remote VTEP (network order) */
	const uint8_t *src_ip6; /* IPv6 outer source, in the frame (vxlan_parse6 only) */
	uint32_t vni;		/* host order, 24 bits */
	uint16_t inner_off;	/* bytes before the inner frame */
	uint16_t inner_len;	/* bytes of the inner frame (outer Ethernet padding excluded) */
};

/* The local end that frames must be addressed to. */
struct vxlan_local {
	uint8_t mac[6];
	uint32_t ip;	   /* network order; an IPv4 VTEP's */
	uint16_t udp_port; /* network order */
	uint8_t ip6[16];   /* an IPv6 VTEP's */
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
 * added to sum; fold with vxlan_csum_fold. The words are summed in the host's order and
 * swapped once at the end (RFC 1071 section 2(B): the sum does not depend on byte order),
 * so the loop is plain 32-bit loads the compiler can widen: it runs over whole IPv6
 * payloads (the UDP checksum is mandatory there). */
static inline uint32_t vxlan_csum_add(uint32_t sum, const uint8_t *d, uint32_t len)
{
	uint64_t s = 0;
	uint32_t i = 0, w;
	uint16_t h;

	for (; i + 4 <= len; i += 4) {
		memcpy(&w, d + i, 4);
		s += w;
	}
	if (i + 2 <= len) {
		memcpy(&h, d + i, 2);
		s += h;
		i += 2;
	}
	if (i < len) {
		uint8_t tail[2] = {d[i], 0};

		memcpy(&h, tail, 2);
		s += h;
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = __builtin_bswap16((uint16_t)s);
#endif
	return sum + (uint32_t)s;
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

/* IPv6 next headers that are extension headers (RFC 8200 section 4, RFC 7045): the outer
 * packets vsw accepts carry none (a tunnel end point's peers send none); the Fragment
 * header is told apart (vxlan_outer_fragment). */
static inline bool vxlan_ip6_ext_hdr(uint8_t nh)
{
	switch (nh) {
	case 0:	  /* Hop-by-Hop Options */
	case 43:  /* Routing */
	case 50:  /* ESP */
	case 51:  /* AH */
	case 60:  /* Destination Options */
	case 135: /* Mobility */
	case 139: /* HIP */
	case 140: /* Shim6 */
	case 253: /* experiments */
	case 254:
		return true;
	default:
		return false;
	}
}

/*
 * vxlan_parse for an IPv6 VTEP: the frame must be Ethernet/IPv6/UDP/VXLAN to l's MAC,
 * address (l->ip6) and UDP port, with no extension header (a Fragment header is
 * vxlan_outer_fragment, any other vxlan_outer_ext_hdr) and a correct UDP checksum.
 * A zero UDP checksum is refused (vxlan_udp6_zero_csum): RFC 8200 section 8.1 makes
 * it mandatory, and RFC 6936 section 5 lets a tunnel accept zero only where it was
 * configured to, which the Linux vxlan device does only with udp6zerocsumrx; vsw's
 * peers are expected to checksum, as Linux does by default. The hop limit is not
 * looked at. On success rx->src_ip6 points at the source address inside d.
 */
static inline enum vsw_drop vxlan_parse6(const uint8_t *d, uint32_t len,
					 const struct vxlan_local *l, struct vxlan_rx *rx)
{
	const uint8_t *ip, *udp, *vx;
	uint32_t plen, udp_len, s;

	if (len < VXLAN_ETH_SIZE)
		return VSW_DROP_vxlan_malformed;
	if (vxlan_rd16(d + 12) != VXLAN_ETHERTYPE_IPV6 || memcmp(d, l->mac, 6) != 0)
		return VSW_DROP_vxlan_not_for_us;
	ip = d + VXLAN_ETH_SIZE;
	if (len < VXLAN_ETH_SIZE + VXLAN_IP6_SIZE || (ip[0] >> 4) != 6)
		return VSW_DROP_vxlan_malformed;
	plen = vxlan_rd16(ip + 4); /* 0 (a jumbogram) is caught as shorter than UDP below */
	if (plen > len - VXLAN_ETH_SIZE - VXLAN_IP6_SIZE)
		return VSW_DROP_vxlan_malformed;
	if (memcmp(ip + 24, l->ip6, 16) != 0)
		return VSW_DROP_vxlan_not_for_us;
	if (ip[6] == VXLAN_IP6_FRAGMENT)
		return VSW_DROP_vxlan_outer_fragment;
	if (vxlan_ip6_ext_hdr(ip[6]))
		return VSW_DROP_vxlan_outer_ext_hdr;
	if (ip[6] != VXLAN_PROTO_UDP)
		return VSW_DROP_vxlan_not_for_us;
	if (plen < VXLAN_UDP_SIZE)
		return VSW_DROP_vxlan_malformed;
	udp = ip + VXLAN_IP6_SIZE;
	if (memcmp(udp + 2, &l->udp_port, 2) != 0)
		return VSW_DROP_vxlan_not_for_us;
	udp_len = vxlan_rd16(udp + 4);
	if (udp_len != plen || udp_len < VXLAN_UDP_SIZE + VXLAN_HDR_SIZE)
		return VSW_DROP_vxlan_malformed;
	if (vxlan_rd16(udp + 6) == 0)
		return VSW_DROP_vxlan_udp6_zero_csum;
	/* pseudo header (RFC 8200 section 8.1): addresses, length, next header */
	s = vxlan_csum_add(0, ip + 8, 32) + VXLAN_PROTO_UDP + udp_len;
	s = vxlan_csum_add(s, udp, udp_len);
	if (vxlan_csum_fold(s) != 0xffff)
		return VSW_DROP_vxlan_bad_udp_csum;
	vx = udp + VXLAN_UDP_SIZE;
	if (!(vx[0] & VXLAN_FLAG_I))
		return VSW_DROP_vxlan_bad_flags;
	if (udp_len - VXLAN_UDP_SIZE - VXLAN_HDR_SIZE < VXLAN_ETH_SIZE)
		return VSW_DROP_vxlan_inner_runt;
	rx->src_ip = 0;
	rx->src_ip6 = ip + 8;
	rx->vni = (uint32_t)vx[4] << 16 | (uint32_t)vx[5] << 8 | vx[6];
	rx->inner_off = (uint16_t)VXLAN6_OUTER_SIZE;
	rx->inner_len = (uint16_t)(udp_len - VXLAN_UDP_SIZE - VXLAN_HDR_SIZE);
	return VSW_DROP_MAX;
}

/* A tunnel's outer header with everything but the next hop's MAC, the lengths, the
 * IPv4 checksum (IPv6: flow label and UDP checksum) and the UDP source port, written
 * once when the tunnel is created. */
struct vxlan_tmpl {
	uint8_t hdr[VXLAN6_OUTER_SIZE]; /* IPv4: the first VXLAN_OUTER_SIZE bytes */
	/* IPv4: one's complement sum of the IPv4 header with length and checksum 0.
	 * IPv6: of what the UDP checksum covers that never changes: the pseudo header's
	 * addresses and next header, the UDP destination port and the VXLAN header. */
	uint32_t ip_sum;
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

static inline void vxlan6_tmpl_init(struct vxlan_tmpl *t, const uint8_t src_mac[6],
				    const uint8_t src_ip[16], const uint8_t dst_ip[16],
				    uint16_t udp_port, uint32_t vni, uint8_t hop_limit)
{
	uint8_t *h = t->hdr, *ip = h + VXLAN_ETH_SIZE, *udp = ip + VXLAN_IP6_SIZE;
	uint8_t *vx = udp + VXLAN_UDP_SIZE;

	memset(t, 0, sizeof(*t));
	memcpy(h + 6, src_mac, 6);
	vxlan_wr16(h + 12, VXLAN_ETHERTYPE_IPV6);
	ip[0] = 0x60; /* version 6, traffic class 0 */
	ip[6] = VXLAN_PROTO_UDP;
	ip[7] = hop_limit;
	memcpy(ip + 8, src_ip, 16);
	memcpy(ip + 24, dst_ip, 16);
	memcpy(udp + 2, &udp_port, 2);
	vx[0] = VXLAN_FLAG_I;
	vx[4] = (uint8_t)(vni >> 16);
	vx[5] = (uint8_t)(vni >> 8);
	vx[6] = (uint8_t)vni;
	t->ip_sum = vxlan_csum_add(vxlan_csum_add(0, ip + 8, 32) + VXLAN_PROTO_UDP, udp,
				   VXLAN_UDP_SIZE + VXLAN_HDR_SIZE);
}

static inline uint64_t vxlan_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static inline uint64_t vxlan_rotl(uint64_t v, unsigned int r)
{
	return v << r | v >> (64 - r);
}

static inline bool vxlan_l4_has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132; /* TCP, UDP, SCTP */
}

/* A hash of the inner flow (section 5: entropy for ECMP and RSS in the underlay): the
 * Ethernet addresses and type; for IPv4 the addresses, the protocol and, unless a
 * fragment, the TCP/UDP/SCTP ports; for IPv6 the addresses, the next header and, when it
 * is TCP/UDP/SCTP itself (no extension header), the ports. Nothing that changes within a
 * flow (lengths, TTL, hop limit, traffic class, flow label) goes in, so a flow keeps its
 * outer port and label. An IPv6 packet with extension headers (fragments included) hashes
 * on its addresses and first next header: all its fragments alike. 0 for a frame shorter
 * than an Ethernet header. */
static inline uint64_t vxlan_entropy_hash(const uint8_t *f, uint32_t len)
{
	uint16_t type;
	uint64_t a, h;
	uint32_t b;

	if (len < VXLAN_ETH_SIZE)
		return 0;
	memcpy(&a, f, 8);
	memcpy(&b, f + 8, 4);
	type = vxlan_rd16(f + 12);
	h = vxlan_mix(a ^ ((uint64_t)b << 32 | type));
	if (type == VXLAN_ETHERTYPE_IPV4 && len >= VXLAN_ETH_SIZE + VXLAN_IP_SIZE) {
		const uint8_t *ip = f + VXLAN_ETH_SIZE;
		uint32_t ihl = (ip[0] & 0xfu) * 4;
		uint64_t addrs;

		memcpy(&addrs, ip + 12, 8);
		h = vxlan_mix(h ^ addrs ^ ((uint64_t)ip[9] << 56));
		if (vxlan_l4_has_ports(ip[9]) && ihl >= VXLAN_IP_SIZE &&
		    (vxlan_rd16(ip + 6) & 0x3fff) == 0 && len >= VXLAN_ETH_SIZE + ihl + 4) {
			uint32_t ports;

			memcpy(&ports, ip + ihl, 4);
			h = vxlan_mix(h ^ ports);
		}
	} else if (type == VXLAN_ETHERTYPE_IPV6 && len >= VXLAN_ETH_SIZE + VXLAN_IP6_SIZE) {
		const uint8_t *ip = f + VXLAN_ETH_SIZE;
		uint64_t s0, s1, d0, d1;

		/* two mixes for 32 bytes: the halves of the destination rotated, so that a
		 * source and destination sharing a /64 (or swapped) do not cancel out */
		memcpy(&s0, ip + 8, 8);
		memcpy(&s1, ip + 16, 8);
		memcpy(&d0, ip + 24, 8);
		memcpy(&d1, ip + 32, 8);
		h = vxlan_mix(h ^ s0 ^ vxlan_rotl(d0, 29) ^ ((uint64_t)ip[6] << 56));
		h = vxlan_mix(h ^ s1 ^ vxlan_rotl(d1, 17));
		if (vxlan_l4_has_ports(ip[6]) && len >= VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + 4) {
			uint32_t ports;

			memcpy(&ports, ip + VXLAN_IP6_SIZE, 4);
			h = vxlan_mix(h ^ ports);
		}
	}
	return h;
}

/* The UDP source port of a hash: the dynamic range 49152..65535 (section 5). */
static inline uint16_t vxlan_sport_of(uint64_t h)
{
	return (uint16_t)(VXLAN_SPORT_MIN + (h & 0x3fff));
}

/* The IPv6 flow label of a hash: 20 bits the source port did not use, never 0 (RFC 6438:
 * a tunnel end point labels the outer packets of one inner flow alike). */
static inline uint32_t vxlan_flow_label_of(uint64_t h)
{
	uint32_t fl = (uint32_t)(h >> 14) & 0xfffff;

	return fl != 0 ? fl : 1;
}

static inline uint16_t vxlan_entropy_port(const uint8_t *f, uint32_t len)
{
	return vxlan_sport_of(vxlan_entropy_hash(f, len));
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

/*
 * The IPv6 outer header for an inner frame of inner_len bytes into out (70 bytes).
 * inner_sum: vxlan_csum_add(0, inner frame) (or any one's complement sum of it in the
 * same convention, such as DPDK's rte_raw_cksum swapped to big-endian). The UDP
 * checksum is computed (RFC 8200 section 8.1), so Linux peers take the frames with
 * their default settings: the template's sum, the lengths (in the pseudo header and the
 * UDP header), the source port and the inner frame's sum.
 */
static inline void vxlan6_encap_write(uint8_t *out, const struct vxlan_tmpl *t,
				      const uint8_t next_hop[6], uint32_t inner_len, uint16_t sport,
				      uint32_t flow_label, uint32_t inner_sum)
{
	uint8_t *ip = out + VXLAN_ETH_SIZE, *udp = ip + VXLAN_IP6_SIZE;
	uint16_t udp_len = (uint16_t)(inner_len + VXLAN_UDP_SIZE + VXLAN_HDR_SIZE), c;

	memcpy(out, t->hdr, VXLAN6_OUTER_SIZE);
	memcpy(out, next_hop, 6);
	ip[1] = (uint8_t)(flow_label >> 16 & 0x0f);
	ip[2] = (uint8_t)(flow_label >> 8);
	ip[3] = (uint8_t)flow_label;
	vxlan_wr16(ip + 4, udp_len);
	vxlan_wr16(udp, sport);
	vxlan_wr16(udp + 4, udp_len);
	c = (uint16_t)~vxlan_csum_fold(t->ip_sum + 2u * udp_len + sport + inner_sum);
	vxlan_wr16(udp + 6, c != 0 ? c : 0xffff); /* 0 would mean "no checksum" (RFC 768) */
}

/* The underlay MTU an inner frame of inner_len bytes needs once encapsulated. */
static inline uint32_t vxlan_mtu_needed(uint32_t inner_len)
{
	return inner_len + VXLAN_IP_SIZE + VXLAN_UDP_SIZE + VXLAN_HDR_SIZE;
}

/* The same over IPv6: 20 bytes more (a 40-byte header without extension headers). */
static inline uint32_t vxlan6_mtu_needed(uint32_t inner_len)
{
	return inner_len + VXLAN_IP6_SIZE + VXLAN_UDP_SIZE + VXLAN_HDR_SIZE;
}

#endif
