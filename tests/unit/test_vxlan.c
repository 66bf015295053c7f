/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the VXLAN encapsulation and receive checks (overlay/vxlan.h) on byte
 * buffers, over IPv4 and IPv6, of IPv6 neighbour discovery's checks and messages
 * (overlay/nd.h), and of the VTEP map lookups (overlay/vtep.h): every decap drop reason,
 * the outer header fields and the IPv4, UDP and ICMPv6 checksums (against a plain
 * RFC 1071 reference), the UDP source port entropy and flow label, and the MTU an inner
 * frame needs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "overlay/nd.h"
#include "overlay/vtep.h"
#include "overlay/vxlan.h"

static const uint8_t mac_a[6] = {0x02, 0xaa, 0, 0, 0, 0x01}; /* VTEP A (sender) */
static const uint8_t mac_b[6] = {0x02, 0xaa, 0, 0, 0, 0x02}; /* VTEP B (receiver) */
#define IP_A 0x010012c6u /* 198.18.0.1 in network order on a little-endian host */
#define IP_B 0x020012c6u /* 198.18.0.2 */
#define VNI 5001

/* RFC 1071, 16 bits at a time: the reference the optimised sum is checked against. */
static uint16_t ref_csum(const uint8_t *d, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(d[i] << 8 | d[i + 1]);
	if (len & 1)
		s += (uint32_t)d[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An inner Ethernet/IPv4/UDP frame of len bytes with these UDP ports. */
static void mk_inner(uint8_t *f, size_t len, uint16_t sport, uint16_t dport)
{
	memset(f, 0, len);
	memcpy(f, (uint8_t[]){0x02, 0, 0, 0, 0, 0x0b}, 6);
	memcpy(f + 6, (uint8_t[]){0x02, 0, 0, 0, 0, 0x0a}, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[23] = 17;
	memcpy(f + 26, (uint8_t[]){198, 51, 100, 1, 198, 51, 100, 2}, 8);
	vxlan_wr16(f + 34, sport);
	vxlan_wr16(f + 36, dport);
}

/* A full VXLAN frame from A to B around an inner frame of inner_len bytes. */
static size_t mk_vxlan(uint8_t *buf, size_t inner_len, uint16_t sport)
{
	struct vxlan_tmpl t;

	vxlan_tmpl_init(&t, mac_a, IP_A, IP_B, htons(VXLAN_UDP_PORT), VNI, 64);
	mk_inner(buf + VXLAN_OUTER_SIZE, inner_len, 1000, 2000);
	vxlan_encap_write(buf, &t, mac_b, (uint32_t)inner_len, sport);
	return VXLAN_OUTER_SIZE + inner_len;
}

static struct vxlan_local local_b(void)
{
	struct vxlan_local l;

	memcpy(l.mac, mac_b, 6);
	l.ip = IP_B;
	l.udp_port = htons(VXLAN_UDP_PORT);
	return l;
}

/* Fix the outer IPv4 checksum after a test changed the header. */
static void fix_ip_csum(uint8_t *f)
{
	uint8_t *ip = f + VXLAN_ETH_SIZE;
	size_t ihl = (ip[0] & 0xfu) * 4;

	ip[10] = ip[11] = 0;
	vxlan_wr16(ip + 10, ref_csum(ip, ihl));
}

static enum vsw_drop parse(const uint8_t *f, size_t len, struct vxlan_rx *rx)
{
	struct vxlan_local l = local_b();

	return vxlan_parse(f, (uint32_t)len, &l, rx);
}

static void test_encap_fields(void **state)
{
	uint8_t f[256];
	size_t len = mk_vxlan(f, 100, 50000);
	const uint8_t *ip = f + 14, *udp = ip + 20, *vx = udp + 8;

	(void)state;
	assert_int_equal(len, 150);
	assert_memory_equal(f, mac_b, 6);
	assert_memory_equal(f + 6, mac_a, 6);
	assert_int_equal(vxlan_rd16(f + 12), 0x0800);
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(vxlan_rd16(ip + 2), 136);    /* 100 + 36 */
	assert_int_equal(vxlan_rd16(ip + 6), 0x4000); /* DF, no fragment */
	assert_int_equal(ip[8], 64);
	assert_int_equal(ip[9], 17);
	assert_int_equal(ref_csum(ip, 20), 0); /* a valid header sums to all ones */
	assert_int_equal(vxlan_rd16(udp), 50000);
	assert_int_equal(vxlan_rd16(udp + 2), 4789);
	assert_int_equal(vxlan_rd16(udp + 4), 116);
	assert_int_equal(vxlan_rd16(udp + 6), 0);
	assert_int_equal(vx[0], VXLAN_FLAG_I);
	assert_int_equal(vx[1] | vx[2] | vx[3] | vx[7], 0);
	assert_int_equal(vx[4] << 16 | vx[5] << 8 | vx[6], VNI);
}

/* The checksum over many lengths, against the reference. */
static void test_ip_csum(void **state)
{
	uint8_t f[2000];

	(void)state;
	for (size_t n = 14; n < 1500; n += 37) {
		mk_vxlan(f, n, (uint16_t)(49152 + n));
		assert_int_equal(ref_csum(f + 14, 20), 0);
	}
	for (uint32_t len = 0; len < 64; len++) {
		uint8_t d[64];

		for (uint32_t i = 0; i < len; i++)
			d[i] = (uint8_t)(i * 37 + 11);
		assert_int_equal((uint16_t)~vxlan_csum_fold(vxlan_csum_add(0, d, len)),
				 ref_csum(d, len));
	}
}

static void test_roundtrip(void **state)
{
	uint8_t f[256];
	size_t len = mk_vxlan(f, 100, 50000);
	struct vxlan_rx rx;

	(void)state;
	assert_int_equal(parse(f, len, &rx), VSW_DROP_MAX);
	assert_int_equal(rx.vni, VNI);
	assert_int_equal(rx.src_ip, IP_A);
	assert_int_equal(rx.inner_off, 50);
	assert_int_equal(rx.inner_len, 100);
	/* Ethernet padding after the IP packet is not part of the inner frame */
	assert_int_equal(parse(f, len + 20, &rx), VSW_DROP_MAX);
	assert_int_equal(rx.inner_len, 100);
}

static void test_entropy(void **state)
{
	uint8_t a[64], b[64];
	unsigned int distinct = 0;
	static uint8_t seen[16384];

	(void)state;
	memset(seen, 0, sizeof(seen));
	mk_inner(a, sizeof(a), 1234, 80);
	mk_inner(b, sizeof(b), 1234, 80);
	assert_int_equal(vxlan_entropy_port(a, 64), vxlan_entropy_port(b, 64));
	for (unsigned int p = 0; p < 1024; p++) {
		uint16_t s;

		mk_inner(a, sizeof(a), (uint16_t)(1024 + p), 80);
		s = vxlan_entropy_port(a, 64);
		assert_true(s >= VXLAN_SPORT_MIN);
		if (!seen[s - VXLAN_SPORT_MIN]++)
			distinct++;
	}
	/* 1024 flows into 16384 ports: a fair hash leaves few collisions */
	assert_true(distinct > 950);
	/* a fragment's ports are not looked at: its port depends on addresses only */
	mk_inner(a, sizeof(a), 1, 2);
	mk_inner(b, sizeof(b), 3, 4);
	a[20] = b[20] = 0x20; /* MF */
	assert_int_equal(vxlan_entropy_port(a, 64), vxlan_entropy_port(b, 64));
	assert_int_equal(vxlan_entropy_port(a, 10), VXLAN_SPORT_MIN);
}

/* An inner Ethernet/IPv6 frame of len bytes (>= 62) from 2001:db8::/64 host src to host
 * dst, next header nh, with these L4 ports. */
static void mk_inner6(uint8_t *f, size_t len, uint16_t src, uint16_t dst, uint8_t nh,
		      uint16_t sport, uint16_t dport)
{
	static const uint8_t net[8] = {0x20, 0x01, 0x0d, 0xb8};
	uint8_t *ip = f + 14;

	memset(f, 0, len);
	memcpy(f, (uint8_t[]){0x02, 0, 0, 0, 0, 0x0b}, 6);
	memcpy(f + 6, (uint8_t[]){0x02, 0, 0, 0, 0, 0x0a}, 6);
	vxlan_wr16(f + 12, VXLAN_ETHERTYPE_IPV6);
	ip[0] = 0x60;
	vxlan_wr16(ip + 4, (uint16_t)(len - 54));
	ip[6] = nh;
	ip[7] = 64;
	memcpy(ip + 8, net, 8);
	vxlan_wr16(ip + 22, src);
	memcpy(ip + 24, net, 8);
	vxlan_wr16(ip + 38, dst);
	vxlan_wr16(ip + 40, sport);
	vxlan_wr16(ip + 42, dport);
}

/* Count the distinct UDP source ports of 1024 inner IPv6 frames made by mk(i, f). */
static unsigned int distinct6(void (*mk)(uint32_t i, uint8_t *f))
{
	static uint8_t seen[16384];
	unsigned int distinct = 0;
	uint8_t f[80];

	memset(seen, 0, sizeof(seen));
	for (uint32_t i = 0; i < 1024; i++) {
		uint16_t s;

		mk(i, f);
		s = vxlan_entropy_port(f, sizeof(f));
		assert_true(s >= VXLAN_SPORT_MIN);
		if (!seen[s - VXLAN_SPORT_MIN]++)
			distinct++;
	}
	return distinct;
}

static void mk6_by_sport(uint32_t i, uint8_t *f)
{
	mk_inner6(f, 80, 1, 2, 6, (uint16_t)(1024 + i), 443);
}

static void mk6_by_dport(uint32_t i, uint8_t *f)
{
	mk_inner6(f, 80, 1, 2, 17, 5000, (uint16_t)(1024 + i));
}

static void mk6_by_src(uint32_t i, uint8_t *f)
{
	mk_inner6(f, 80, (uint16_t)(1 + i), 0xffff, 6, 40000, 80);
}

static void mk6_by_dst(uint32_t i, uint8_t *f)
{
	mk_inner6(f, 80, 0xffff, (uint16_t)(1 + i), 58, 0, 0); /* ICMPv6: no ports */
}

static void mk6_by_net(uint32_t i, uint8_t *f)
{
	mk_inner6(f, 80, 1, 1, 17, 5000, 5000);
	vxlan_wr16(f + 14 + 24 + 4, (uint16_t)i); /* the destination's /64 */
}

static void test_entropy6(void **state)
{
	uint8_t a[80], b[80];

	(void)state;
	/* one flow, one port and one flow label, whatever changes within it */
	mk_inner6(a, sizeof(a), 1, 2, 6, 40000, 443);
	mk_inner6(b, sizeof(b), 1, 2, 6, 40000, 443);
	b[14 + 7] = 3;	  /* hop limit */
	b[14] = 0x6b;	  /* traffic class */
	b[14 + 3] = 0x42; /* flow label */
	b[60] = 0x99;	  /* TCP sequence number */
	assert_int_equal(vxlan_entropy_hash(a, 80), vxlan_entropy_hash(b, 80));
	assert_int_equal(vxlan_entropy_port(a, 80), vxlan_entropy_port(b, 80));
	/* a shorter frame of the same flow (the payload length changes too) */
	mk_inner6(b, 70, 1, 2, 6, 40000, 443);
	assert_int_equal(vxlan_entropy_port(a, 80), vxlan_entropy_port(b, 70));
	/* different flows, different ports: 1024 flows into 16384 ports, few collisions */
	assert_true(distinct6(mk6_by_sport) > 950);
	assert_true(distinct6(mk6_by_dport) > 950);
	assert_true(distinct6(mk6_by_src) > 950);
	assert_true(distinct6(mk6_by_dst) > 950);
	assert_true(distinct6(mk6_by_net) > 950);
	/* the two directions of a flow are two flows */
	mk_inner6(a, sizeof(a), 1, 2, 17, 5000, 6000);
	mk_inner6(b, sizeof(b), 2, 1, 17, 6000, 5000);
	assert_int_not_equal(vxlan_entropy_hash(a, 80), vxlan_entropy_hash(b, 80));
	/* the flow label differs with the flow too */
	mk_inner6(b, sizeof(b), 1, 2, 17, 5001, 6000);
	assert_int_not_equal(vxlan_flow_label_of(vxlan_entropy_hash(a, 80)),
			     vxlan_flow_label_of(vxlan_entropy_hash(b, 80)));
	/* behind an extension header (a fragment here) the ports are not looked at, nor is
	 * what sits where they would */
	mk_inner6(a, sizeof(a), 1, 2, VXLAN_IP6_FRAGMENT, 1, 2);
	mk_inner6(b, sizeof(b), 1, 2, VXLAN_IP6_FRAGMENT, 3, 4);
	assert_int_equal(vxlan_entropy_hash(a, 80), vxlan_entropy_hash(b, 80));
	/* ports past the end of the frame are not read: an IPv6 header alone */
	mk_inner6(a, sizeof(a), 1, 2, 17, 1, 2);
	mk_inner6(b, sizeof(b), 1, 2, 17, 3, 4);
	assert_int_equal(vxlan_entropy_hash(a, 54), vxlan_entropy_hash(b, 54));
	assert_int_not_equal(vxlan_entropy_hash(a, 58), vxlan_entropy_hash(b, 58));
	/* a truncated IPv6 header: the Ethernet header only, as for any other type */
	mk_inner6(b, sizeof(b), 7, 8, 6, 3, 4);
	assert_int_equal(vxlan_entropy_hash(a, 53), vxlan_entropy_hash(b, 53));
	assert_int_not_equal(vxlan_entropy_hash(a, 54), vxlan_entropy_hash(b, 54));
}

static void test_mtu(void **state)
{
	(void)state;
	assert_int_equal(vxlan_mtu_needed(1514), 1550);
	assert_int_equal(vxlan_mtu_needed(1464), 1500); /* the largest frame over 1500 */
}

static void test_drops_outer(void **state)
{
	uint8_t f[256], g[256];
	size_t len = mk_vxlan(f, 100, 50000);
	struct vxlan_rx rx;

	(void)state;
	assert_int_equal(parse(f, 13, &rx), VSW_DROP_vxlan_malformed);
	memcpy(g, f, len);
	g[12] = 0x86, g[13] = 0xdd; /* IPv6 */
	assert_int_equal(parse(g, len, &rx), VSW_DROP_vxlan_not_for_us);
	memcpy(g, f, len);
	g[5] ^= 1; /* another station's MAC */
	assert_int_equal(parse(g, len, &rx), VSW_DROP_vxlan_not_for_us);
	assert_int_equal(parse(f, 14 + 19, &rx), VSW_DROP_vxlan_malformed);
	memcpy(g, f, len);
	g[14] = 0x65; /* version 6 */
	assert_int_equal(parse(g, len, &rx), VSW_DROP_vxlan_malformed);
	memcpy(g, f, len);
	g[14] = 0x44; /* IHL 4 */
	assert_int_equal(parse(g, len, &rx), VSW_DROP_vxlan_malformed);
	/* total length beyond the frame: truncated */
	assert_int_equal(parse(f, len - 1, &rx), VSW_DROP_vxlan_malformed);
	memcpy(g, f, len);
	vxlan_wr16(g + 16, 27); /* total length shorter than IP + UDP */
	fix_ip_csum(g);
	assert_int_equal(parse(g, len, &rx), VSW_DROP_vxlan_malformed);
	memcpy(g, f, len);
	g[24] ^= 0x5a; /* checksum */
	assert_int_equal(parse(g, len, &rx), VSW_DROP_vxlan_bad_ip_csum);
	memcpy(g, f, len);
	vxlan_wr16(g + 20, 0x2000); /* MF */
	fix_ip_csum(g);
	assert_int_equal(parse(g, len, &rx), VSW_DROP_vxlan_outer_fragment);
	memcpy(g, f, len);
	vxlan_wr16(g + 20, 0x0010); /* offset 128 */
	fix_ip_csum(g);
	assert_int_equal(parse(g, len, &rx), VSW_DROP_vxlan_outer_fragment);
	memcpy(g, f, len);
	g[33] ^= 1; /* another destination address */
	fix_ip_csum(g);
	assert_int_equal(parse(g, len, &rx), VSW_DROP_vxlan_not_for_us);
	memcpy(g, f, len);
	g[23] = 6; /* TCP */
	fix_ip_csum(g);
	assert_int_equal(parse(g, len, &rx), VSW_DROP_vxlan_not_for_us);
	memcpy(g, f, len);
	vxlan_wr16(g + 36, 4790); /* another UDP port */
	assert_int_equal(parse(g, len, &rx), VSW_DROP_vxlan_not_for_us);
	memcpy(g, f, len);
	vxlan_wr16(g + 38, 115); /* UDP length off by one */
	assert_int_equal(parse(g, len, &rx), VSW_DROP_vxlan_malformed);
}

static void test_udp_csum(void **state)
{
	uint8_t f[256];
	size_t len = mk_vxlan(f, 100, 50000);
	uint8_t pseudo[12 + 116];
	struct vxlan_rx rx;
	uint16_t c;

	(void)state;
	/* a correct checksum (pseudo header + UDP, RFC 768) is accepted */
	memcpy(pseudo, f + 26, 8);
	pseudo[8] = 0;
	pseudo[9] = 17;
	vxlan_wr16(pseudo + 10, 116);
	memcpy(pseudo + 12, f + 34, 116);
	c = ref_csum(pseudo, sizeof(pseudo));
	vxlan_wr16(f + 40, c == 0 ? 0xffff : c);
	assert_int_equal(parse(f, len, &rx), VSW_DROP_MAX);
	f[60] ^= 0xff; /* inner byte changed after the checksum */
	assert_int_equal(parse(f, len, &rx), VSW_DROP_vxlan_bad_udp_csum);
}

static void test_drops_vxlan(void **state)
{
	uint8_t f[256], g[256];
	size_t len = mk_vxlan(f, 100, 50000);
	struct vxlan_rx rx;

	(void)state;
	memcpy(g, f, len);
	g[42] = 0; /* no I flag */
	assert_int_equal(parse(g, len, &rx), VSW_DROP_vxlan_bad_flags);
	memcpy(g, f, len);
	g[42] = 0xff; /* reserved bits are ignored on receipt (section 5) */
	g[43] = g[44] = g[45] = g[49] = 0xff;
	assert_int_equal(parse(g, len, &rx), VSW_DROP_MAX);
	/* an inner frame of 13 bytes */
	len = mk_vxlan(f, 13, 50000);
	assert_int_equal(parse(f, len, &rx), VSW_DROP_vxlan_inner_runt);
	len = mk_vxlan(f, 14, 50000);
	assert_int_equal(parse(f, len, &rx), VSW_DROP_MAX);
}

/* IPv4 options: the inner frame starts after them. */
static void test_ip_options(void **state)
{
	uint8_t f[256], g[260];
	size_t len = mk_vxlan(f, 100, 50000);
	struct vxlan_rx rx;

	(void)state;
	memcpy(g, f, 34);
	memset(g + 34, 1, 4); /* four NOP options */
	memcpy(g + 38, f + 34, len - 34);
	g[14] = 0x46;
	vxlan_wr16(g + 16, (uint16_t)(vxlan_rd16(f + 16) + 4));
	fix_ip_csum(g);
	assert_int_equal(parse(g, len + 4, &rx), VSW_DROP_MAX);
	assert_int_equal(rx.inner_off, 54);
	assert_int_equal(rx.inner_len, 100);
}

static void test_map_find(void **state)
{
	static struct port p1 = {.idx = 1}, p2 = {.idx = 2};
	struct vtep_map_src src[5] = {{.vni = 30, .ip = IP_A, .port = &p2},
				      {.vni = 10, .ip = IP_B, .port = &p2},
				      {.vni = 20}, /* a VNI without remotes */
				      {.vni = 10, .ip = IP_A, .port = &p1},
				      {.vni = 10, .ip = IP_A, .port = &p1}}; /* given twice */
	struct vtep_map *m = vtep_map_build(src, 5, false);
	const struct vtep_map_grp *g;
	struct port *got = NULL;

	(void)state;
	assert_non_null(m);
	assert_null(m->e6);
	assert_int_equal(vtep_map_find(m, 10, IP_B, &got), 1);
	assert_ptr_equal(got, &p2);
	assert_int_equal(vtep_map_find(m, 10, IP_A, &got), 1);
	assert_ptr_equal(got, &p1);
	assert_int_equal(vtep_map_find(m, 30, IP_A, &got), 1);
	assert_ptr_equal(got, &p2);
	assert_int_equal(vtep_map_find(m, 10, 0x090012c6u, &got), 0); /* not a remote */
	assert_int_equal(vtep_map_find(m, 20, 0, &got), 0);	      /* VNI without remotes */
	assert_int_equal(vtep_map_find(m, 20, IP_A, &got), 0);
	assert_int_equal(vtep_map_find(m, 10, 0, &got), 0); /* 0.0.0.0 is nobody */
	assert_int_equal(vtep_map_find(m, 11, IP_A, &got), -1);
	assert_int_equal(vtep_map_find(m, 0, 0, &got), -1);
	assert_int_equal(vtep_map_find(m, VXLAN_VNI_MAX, IP_A, &got), -1);
	/* the VNIs' own entries list their ports, each once */
	g = vtep_map_vni(m, 10);
	assert_non_null(g);
	assert_int_equal(g->n, 2);
	assert_true((m->ports[g->first] == &p1 && m->ports[g->first + 1] == &p2) ||
		    (m->ports[g->first] == &p2 && m->ports[g->first + 1] == &p1));
	g = vtep_map_vni(m, 20);
	assert_non_null(g);
	assert_int_equal(g->n, 0);
	assert_null(vtep_map_vni(m, 11));
	assert_int_equal(m->n_ports, 3);
	free(m);

	/* no pair at all: every frame is of an unknown VNI */
	m = vtep_map_build(NULL, 0, false);
	assert_non_null(m);
	assert_int_equal(vtep_map_find(m, 10, IP_A, &got), -1);
	free(m);
	errno = 0;
	assert_null(vtep_map_build(src, (1u << 26) + 1, false));
	assert_int_equal(errno, EINVAL);
}

static void test_mac_pack(void **state)
{
	uint8_t m[6];

	(void)state;
	vtep_mac_unpack(vtep_mac_pack(mac_a) | VTEP_NEIGH_VALID, m);
	assert_memory_equal(m, mac_a, 6);
	assert_int_equal(vtep_mac_pack(mac_a) & ~VTEP_NEIGH_MAC_MASK, 0);
}

/* ---- IPv6 underlay ---- */

/* 2001:2::1 and 2001:2::2 (the benchmarking range, RFC 5180) */
static const uint8_t ip6_a[16] = {0x20, 0x01, 0, 0x02, [15] = 1};
static const uint8_t ip6_b[16] = {0x20, 0x01, 0, 0x02, [15] = 2};

static struct vxlan_local local6(const uint8_t mac[6], const uint8_t ip[16])
{
	struct vxlan_local l;

	memset(&l, 0, sizeof(l));
	memcpy(l.mac, mac, 6);
	memcpy(l.ip6, ip, 16);
	l.udp_port = htons(VXLAN_UDP_PORT);
	return l;
}

/* A full VXLAN-over-IPv6 frame from A to B around an inner frame of inner_len bytes. */
static size_t mk_vxlan6(uint8_t *buf, size_t inner_len, uint16_t sport, uint32_t flow)
{
	struct vxlan_tmpl t;
	uint8_t *inner = buf + VXLAN6_OUTER_SIZE;

	vxlan6_tmpl_init(&t, mac_a, ip6_a, ip6_b, htons(VXLAN_UDP_PORT), VNI, 64);
	mk_inner(inner, inner_len, 1000, 2000);
	vxlan6_encap_write(buf, &t, mac_b, (uint32_t)inner_len, sport, flow,
			   vxlan_csum_add(0, inner, (uint32_t)inner_len));
	return VXLAN6_OUTER_SIZE + inner_len;
}

static enum vsw_drop parse6(const uint8_t *f, size_t len, struct vxlan_rx *rx)
{
	struct vxlan_local l = local6(mac_b, ip6_b);

	return vxlan_parse6(f, (uint32_t)len, &l, rx);
}

/* The reference for an IPv6 upper-layer checksum: pseudo header + payload, RFC 8200 8.1;
 * 0 when the checksum in the payload is right. */
static uint16_t ref_csum6(const uint8_t *ip, uint8_t nh)
{
	static uint8_t buf[40 + 4000];
	size_t plen = (size_t)(ip[4] << 8 | ip[5]);

	memset(buf, 0, 40);
	memcpy(buf, ip + 8, 32);
	buf[34] = (uint8_t)(plen >> 8);
	buf[35] = (uint8_t)plen;
	buf[39] = nh;
	memcpy(buf + 40, ip + 40, plen);
	return ref_csum(buf, 40 + plen);
}

/* Fix the UDP checksum of an IPv6 frame after a test changed it. */
static void fix_udp6(uint8_t *f)
{
	uint8_t *ip = f + 14;
	uint16_t c;

	ip[46] = ip[47] = 0;
	c = ref_csum6(ip, 17);
	vxlan_wr16(ip + 46, c == 0 ? 0xffff : c);
}

static void test_encap6_fields(void **state)
{
	uint8_t f[256];
	size_t len = mk_vxlan6(f, 100, 50000, 0xabcde);
	const uint8_t *ip = f + 14, *udp = ip + 40, *vx = udp + 8;

	(void)state;
	assert_int_equal(VXLAN6_OUTER_SIZE, 70);
	assert_int_equal(len, 170);
	assert_memory_equal(f, mac_b, 6);
	assert_memory_equal(f + 6, mac_a, 6);
	assert_int_equal(vxlan_rd16(f + 12), 0x86dd);
	assert_int_equal(ip[0], 0x60); /* version 6, traffic class 0 */
	assert_int_equal((ip[1] << 16 | ip[2] << 8 | ip[3]), 0xabcde); /* flow label */
	assert_int_equal(vxlan_rd16(ip + 4), 116); /* payload: UDP + VXLAN + 100 */
	assert_int_equal(ip[6], 17);
	assert_int_equal(ip[7], 64); /* hop limit = the VTEP's ttl */
	assert_memory_equal(ip + 8, ip6_a, 16);
	assert_memory_equal(ip + 24, ip6_b, 16);
	assert_int_equal(vxlan_rd16(udp), 50000);
	assert_int_equal(vxlan_rd16(udp + 2), 4789);
	assert_int_equal(vxlan_rd16(udp + 4), 116);
	assert_int_not_equal(vxlan_rd16(udp + 6), 0); /* mandatory over IPv6 */
	assert_int_equal(ref_csum6(ip, 17), 0);	      /* and right */
	assert_int_equal(vx[0], VXLAN_FLAG_I);
	assert_int_equal(vx[4] << 16 | vx[5] << 8 | vx[6], VNI);
}

/* The UDP checksum against the reference over many lengths and ports, odd ones too. */
static void test_udp6_csum(void **state)
{
	uint8_t f[2000];
	struct vxlan_rx rx;

	(void)state;
	for (size_t n = 14; n < 1500; n += 37) {
		size_t len = mk_vxlan6(f, n, (uint16_t)(49152 + n * 7), (uint32_t)n);

		for (size_t i = 0; i < n; i++) /* content that is not mostly zero */
			f[70 + i] = (uint8_t)(i * 31 + n);
		fix_udp6(f);
		assert_int_equal(parse6(f, len, &rx), VSW_DROP_MAX);
		{
			struct vxlan_tmpl t;
			uint8_t g[2000];

			vxlan6_tmpl_init(&t, mac_a, ip6_a, ip6_b, htons(VXLAN_UDP_PORT), VNI, 64);
			memcpy(g + 70, f + 70, n);
			vxlan6_encap_write(g, &t, mac_b, (uint32_t)n, (uint16_t)(49152 + n * 7),
					   (uint32_t)n, vxlan_csum_add(0, g + 70, (uint32_t)n));
			assert_memory_equal(g, f,
					    70); /* the computed checksum is the reference's */
		}
	}
}

/* vxlan_csum_add against the reference at every alignment, with a carried-in sum. */
static void test_csum_add(void **state)
{
	static uint8_t d[2100];

	(void)state;
	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 167 + 13);
	for (uint32_t off = 0; off < 8; off++)
		for (uint32_t len = 0; len < 2048; len += off + 1) {
			uint32_t s = vxlan_csum_add(0x1234, d + off, len);
			uint8_t tmp[2100];

			tmp[0] = 0x12, tmp[1] = 0x34;
			memcpy(tmp + 2, d + off, len);
			assert_int_equal((uint16_t)~vxlan_csum_fold(s), ref_csum(tmp, len + 2));
		}
}

static void test_roundtrip6(void **state)
{
	uint8_t f[256];
	size_t len = mk_vxlan6(f, 100, 50000, 1);
	struct vxlan_rx rx;

	(void)state;
	assert_int_equal(parse6(f, len, &rx), VSW_DROP_MAX);
	assert_int_equal(rx.vni, VNI);
	assert_ptr_equal(rx.src_ip6, f + 22);
	assert_memory_equal(rx.src_ip6, ip6_a, 16);
	assert_int_equal(rx.inner_off, 70);
	assert_int_equal(rx.inner_len, 100);
	assert_int_equal(parse6(f, len + 20, &rx), VSW_DROP_MAX); /* Ethernet padding */
	assert_int_equal(rx.inner_len, 100);
	/* an IPv4 VTEP's parser does not take it, nor the IPv6 one an IPv4 frame */
	assert_int_equal(parse(f, len, &rx), VSW_DROP_vxlan_not_for_us);
	len = mk_vxlan(f, 100, 50000);
	assert_int_equal(parse6(f, len, &rx), VSW_DROP_vxlan_not_for_us);
}

static void test_drops6(void **state)
{
	uint8_t f[256], g[256];
	size_t len = mk_vxlan6(f, 100, 50000, 1);
	struct vxlan_rx rx;

	(void)state;
	assert_int_equal(parse6(f, 13, &rx), VSW_DROP_vxlan_malformed);
	assert_int_equal(parse6(f, 14 + 39, &rx), VSW_DROP_vxlan_malformed);
	memcpy(g, f, len);
	g[0] ^= 1; /* another station's MAC */
	assert_int_equal(parse6(g, len, &rx), VSW_DROP_vxlan_not_for_us);
	memcpy(g, f, len);
	g[14] = 0x40; /* version 4 */
	assert_int_equal(parse6(g, len, &rx), VSW_DROP_vxlan_malformed);
	/* payload length beyond the frame: truncated */
	assert_int_equal(parse6(f, len - 1, &rx), VSW_DROP_vxlan_malformed);
	memcpy(g, f, len);
	g[14 + 39] ^= 1; /* another destination address */
	fix_udp6(g);
	assert_int_equal(parse6(g, len, &rx), VSW_DROP_vxlan_not_for_us);
	memcpy(g, f, len);
	g[14 + 6] = 44; /* a Fragment header */
	assert_int_equal(parse6(g, len, &rx), VSW_DROP_vxlan_outer_fragment);
	for (unsigned int i = 0; i < 5; i++) {
		static const uint8_t ext[5] = {0, 43, 60, 51, 50};

		memcpy(g, f, len);
		g[14 + 6] = ext[i];
		assert_int_equal(parse6(g, len, &rx), VSW_DROP_vxlan_outer_ext_hdr);
	}
	memcpy(g, f, len);
	g[14 + 6] = 6; /* TCP */
	assert_int_equal(parse6(g, len, &rx), VSW_DROP_vxlan_not_for_us);
	memcpy(g, f, len);
	vxlan_wr16(g + 18, 7); /* payload shorter than UDP */
	assert_int_equal(parse6(g, 14 + 40 + 7, &rx), VSW_DROP_vxlan_malformed);
	memcpy(g, f, len);
	vxlan_wr16(g + 56, 4790); /* another UDP port */
	fix_udp6(g);
	assert_int_equal(parse6(g, len, &rx), VSW_DROP_vxlan_not_for_us);
	memcpy(g, f, len);
	vxlan_wr16(g + 58, 115); /* UDP length off by one */
	assert_int_equal(parse6(g, len, &rx), VSW_DROP_vxlan_malformed);
	memcpy(g, f, len);
	vxlan_wr16(g + 60, 0); /* no checksum: refused over IPv6 */
	assert_int_equal(parse6(g, len, &rx), VSW_DROP_vxlan_udp6_zero_csum);
	memcpy(g, f, len);
	g[100] ^= 0x40; /* an inner byte changed after the checksum */
	assert_int_equal(parse6(g, len, &rx), VSW_DROP_vxlan_bad_udp_csum);
	memcpy(g, f, len);
	g[62] = 0; /* no I flag */
	fix_udp6(g);
	assert_int_equal(parse6(g, len, &rx), VSW_DROP_vxlan_bad_flags);
	memcpy(g, f, len);
	g[14 + 7] = 1; /* the hop limit is not looked at */
	assert_int_equal(parse6(g, len, &rx), VSW_DROP_MAX);
	len = mk_vxlan6(f, 13, 50000, 1);
	assert_int_equal(parse6(f, len, &rx), VSW_DROP_vxlan_inner_runt);
	len = mk_vxlan6(f, 14, 50000, 1);
	assert_int_equal(parse6(f, len, &rx), VSW_DROP_MAX);
}

static void test_mtu6(void **state)
{
	(void)state;
	assert_int_equal(vxlan6_mtu_needed(1514), 1570);
	assert_int_equal(vxlan6_mtu_needed(1444), 1500); /* the largest frame over 1500 */
	assert_int_equal(vxlan6_mtu_needed(100) - vxlan_mtu_needed(100), 20);
}

static void test_flow_label(void **state)
{
	uint8_t a[64], b[64];

	(void)state;
	mk_inner(a, sizeof(a), 1234, 80);
	mk_inner(b, sizeof(b), 1234, 80);
	assert_int_equal(vxlan_flow_label_of(vxlan_entropy_hash(a, 64)),
			 vxlan_flow_label_of(vxlan_entropy_hash(b, 64)));
	mk_inner(b, sizeof(b), 1235, 80);
	assert_int_not_equal(vxlan_flow_label_of(vxlan_entropy_hash(a, 64)),
			     vxlan_flow_label_of(vxlan_entropy_hash(b, 64)));
	for (uint64_t h = 0; h < 1u << 20; h += 4097) {
		uint32_t fl = vxlan_flow_label_of(h << 14);

		assert_true(fl != 0 && fl < 1u << 20);
	}
	/* the port is the hash's, as before */
	assert_int_equal(vxlan_entropy_port(a, 64), vxlan_sport_of(vxlan_entropy_hash(a, 64)));
}

static void test_map_find6(void **state)
{
	static struct port p1 = {.idx = 1}, p2 = {.idx = 2};
	struct vtep_map_src src[4] = {{.vni = 10, .port = &p1},
				      {.vni = 10, .port = &p2},
				      {.vni = 20}, /* a VNI without remotes */
				      {.vni = 30, .port = &p2}};
	static const uint8_t any[16];
	struct vtep_map *m;
	uint8_t other[16];
	struct port *got = NULL;

	(void)state;
	memcpy(src[0].ip6, ip6_a, 16);
	memcpy(src[1].ip6, ip6_b, 16);
	memcpy(src[3].ip6, ip6_a, 16);
	m = vtep_map_build(src, 4, true);
	assert_non_null(m);
	assert_null(m->e);
	memcpy(other, ip6_a, 16);
	other[15] = 9;
	assert_int_equal(vtep_map_find6(m, 10, ip6_b, &got), 1);
	assert_ptr_equal(got, &p2);
	assert_int_equal(vtep_map_find6(m, 10, ip6_a, &got), 1);
	assert_ptr_equal(got, &p1);
	assert_int_equal(vtep_map_find6(m, 30, ip6_a, &got), 1);
	assert_ptr_equal(got, &p2);
	assert_int_equal(vtep_map_find6(m, 10, other, &got), 0);
	assert_int_equal(vtep_map_find6(m, 20, other, &got), 0);
	assert_int_equal(vtep_map_find6(m, 20, any, &got), 0); /* :: is no remote */
	assert_int_equal(vtep_map_find6(m, 10, any, &got), 0);
	assert_int_equal(vtep_map_find6(m, 11, ip6_a, &got), -1);
	assert_int_equal(vtep_map_vni(m, 10)->n, 2);
	assert_int_equal(vtep_map_vni(m, 20)->n, 0);
	assert_null(vtep_map_vni(m, 31));
	assert_int_not_equal(vtep_ip6_key(ip6_a), 0);
	free(m);
}

/* A pool of remote VTEPs, each carrying many VNIs, as real overlays are: the k-th remote
 * address of the pool (network order), k < 65536. */
static uint32_t pool_ip(uint32_t k)
{
	return htonl(0xc6120000u | (k + 1)); /* 198.18.0.1 on */
}

static void pool_ip6(uint32_t k, uint8_t ip[16])
{
	memcpy(ip, ip6_a, 16);
	ip[13] = (uint8_t)(k >> 16);
	ip[14] = (uint8_t)(k >> 8);
	ip[15] = (uint8_t)(k + 1);
}

#define MANY_VNIS 4096
#define MANY_POOL 200
/* VNI i (i < MANY_VNIS) is 1000 + 4099 i (spread over the 24 bits); it has i % 5 remotes,
 * the pool's (i + 37 j) % MANY_POOL for j < i % 5: 8190 pairs and 4096 VNIs, 820 of them
 * without remotes. */
static uint32_t many_vni(uint32_t i)
{
	return (1000 + 4099 * i) & VXLAN_VNI_MAX;
}

static void test_map_many(void **state)
{
	uint32_t n = 0, n_ports = 0, probes_max = 0;
	struct vtep_map_src *src = calloc(MANY_VNIS * 5, sizeof(*src));
	struct port *ports = calloc(MANY_VNIS * 5 * 2, sizeof(*ports));
	struct port *got;
	struct vtep_map *m[2];

	(void)state;
	assert_non_null(src);
	assert_non_null(ports);
	for (int v6 = 0; v6 < 2; v6++) {
		uint32_t base = n_ports;

		n = 0;
		for (uint32_t i = 0; i < MANY_VNIS; i++) {
			if (i % 5 == 0)
				src[n++] = (struct vtep_map_src){.vni = many_vni(i)};
			for (uint32_t j = 0; j < i % 5; j++) {
				uint32_t k = (i + 37 * j) % MANY_POOL;

				ports[n_ports].idx = (uint16_t)n_ports;
				src[n] = (struct vtep_map_src){.vni = many_vni(i),
							       .port = &ports[n_ports++]};
				if (v6)
					pool_ip6(k, src[n].ip6);
				else
					src[n].ip = pool_ip(k);
				n++;
			}
		}
		m[v6] = vtep_map_build(src, n, v6);
		assert_non_null(m[v6]);
		assert_int_equal(m[v6]->n_ports, n_ports - base);
		/* at most half full, so that misses end soon */
		assert_true(m[v6]->mask + 1 >= 2 * (n_ports - base + MANY_VNIS));
	}
	for (uint32_t i = 0, p = 0; i < MANY_VNIS; i++) {
		uint32_t vni = many_vni(i);

		for (uint32_t j = 0; j < i % 5; j++, p++) {
			uint32_t k = (i + 37 * j) % MANY_POOL;
			uint8_t ip6[16];

			pool_ip6(k, ip6);
			got = NULL;
			assert_int_equal(vtep_map_find(m[0], vni, pool_ip(k), &got), 1);
			assert_ptr_equal(got, &ports[p]);
			got = NULL;
			assert_int_equal(vtep_map_find6(m[1], vni, ip6, &got), 1);
			assert_ptr_equal(got, &ports[n_ports / 2 + p]);
		}
		/* a remote of the pool that is not one of this VNI's, and one of no VNI */
		for (uint32_t k = (i + 37 * 5) % MANY_POOL; k != (i + 37 * 5 + 3) % MANY_POOL;
		     k = (k + 1) % MANY_POOL) {
			uint8_t ip6[16];
			bool mine = false;

			for (uint32_t j = 0; j < i % 5; j++)
				mine |= k == (i + 37 * j) % MANY_POOL;
			if (mine)
				continue;
			pool_ip6(k, ip6);
			assert_int_equal(vtep_map_find(m[0], vni, pool_ip(k), &got), 0);
			assert_int_equal(vtep_map_find6(m[1], vni, ip6, &got), 0);
		}
		assert_int_equal(vtep_map_find(m[0], vni, pool_ip(MANY_POOL + 7), &got), 0);
		/* VNIs that no bridge has: between and beyond the configured ones */
		assert_int_equal(vtep_map_find(m[0], vni + 1, pool_ip(i % MANY_POOL), &got), -1);
		assert_int_equal(vtep_map_find6(m[1], vni + 2, ip6_a, &got), -1);
		/* the VNI's own entry lists exactly its ports */
		for (int v6 = 0; v6 < 2; v6++) {
			const struct vtep_map_grp *g = vtep_map_vni(m[v6], vni);

			assert_non_null(g);
			assert_int_equal(g->n, i % 5);
			for (uint32_t j = 0; j < g->n; j++) {
				const struct port *q = m[v6]->ports[g->first + j];
				uint32_t base = v6 ? n_ports / 2 : 0;

				assert_true(q >= &ports[base + p - g->n] && q < &ports[base + p]);
			}
		}
	}
	/* how long the longest probe is: clusters stay short at this load */
	for (uint32_t i = 0; i <= m[0]->mask; i++) {
		uint32_t len = 0;

		if (m[0]->e[i].vni == VTEP_MAP_FREE)
			continue;
		for (uint32_t s = vtep_map_hash(m[0]->e[i].vni, m[0]->e[i].ip) & m[0]->mask; s != i;
		     s = (s + 1) & m[0]->mask)
			len++;
		probes_max = len > probes_max ? len : probes_max;
	}
	assert_true(probes_max < 32);
	free(m[0]);
	free(m[1]);
	free(ports);
	free(src);
}

/* ---- neighbour discovery ---- */

static void test_nd_messages(void **state)
{
	struct vxlan_local la = local6(mac_a, ip6_a), lb = local6(mac_b, ip6_b);
	uint8_t f[ND_FRAME_SIZE], g[ND_FRAME_SIZE];
	struct nd_rx nd;

	(void)state;
	/* A solicits B at B's solicited-node address */
	nd_write_ns(f, &la, ip6_b, NULL);
	assert_int_equal(ref_csum6(f + 14, 58), 0);
	assert_memory_equal(f, ((uint8_t[]){0x33, 0x33, 0xff, 0, 0, 2}), 6);
	assert_memory_equal(f + 14 + 24,
			    ((uint8_t[]){0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 2}),
			    16);
	assert_int_equal(f[14 + 7], 255);
	assert_int_equal(nd_parse(f, sizeof(f), &lb, &nd), VSW_DROP_MAX);
	assert_int_equal(nd.type, ND_TYPE_NS);
	assert_memory_equal(nd.target, ip6_b, 16);
	assert_memory_equal(nd.src_ip, ip6_a, 16);
	assert_non_null(nd.lladdr);
	assert_memory_equal(nd.lladdr, mac_a, 6);
	/* it is about B: A itself does not take it */
	assert_int_equal(nd_parse(f, sizeof(f), &la, &nd), VSW_DROP_vxlan_not_for_us);
	/* a refresh: unicast to B's MAC and address */
	nd_write_ns(f, &la, ip6_b, mac_b);
	assert_memory_equal(f, mac_b, 6);
	assert_memory_equal(f + 14 + 24, ip6_b, 16);
	assert_int_equal(nd_parse(f, sizeof(f), &lb, &nd), VSW_DROP_MAX);
	/* B answers A */
	nd_write_na(g, &lb, mac_a, ip6_a);
	assert_int_equal(ref_csum6(g + 14, 58), 0);
	assert_int_equal(nd_parse(g, sizeof(g), &la, &nd), VSW_DROP_MAX);
	assert_int_equal(nd.type, ND_TYPE_NA);
	assert_int_equal(nd.flags, ND_NA_FLAG_S | ND_NA_FLAG_O);
	assert_memory_equal(nd.target, ip6_b, 16);
	assert_memory_equal(nd.lladdr, mac_b, 6);
	assert_memory_equal(g, mac_a, 6);
}

static void nd_fix(uint8_t *f)
{
	uint8_t *ip = f + 14;

	ip[42] = ip[43] = 0;
	vxlan_wr16(ip + 42, ref_csum6(ip, 58));
}

static void test_nd_drops(void **state)
{
	struct vxlan_local la = local6(mac_a, ip6_a), lb = local6(mac_b, ip6_b);
	uint8_t f[ND_FRAME_SIZE + 16], g[ND_FRAME_SIZE + 16];
	struct nd_rx nd;

	(void)state;
	nd_write_ns(f, &la, ip6_b, NULL);
	assert_int_equal(nd_parse(f, 14 + 39, &lb, &nd), VSW_DROP_vxlan_malformed);
	assert_int_equal(nd_parse(f, ND_FRAME_SIZE - 1, &lb, &nd), VSW_DROP_vxlan_malformed);
	memcpy(g, f, ND_FRAME_SIZE);
	g[14 + 7] = 254; /* routed: not from the link */
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &lb, &nd), VSW_DROP_vxlan_bad_nd);
	memcpy(g, f, ND_FRAME_SIZE);
	g[14 + 43] ^= 1; /* checksum */
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &lb, &nd), VSW_DROP_vxlan_bad_nd);
	memcpy(g, f, ND_FRAME_SIZE);
	g[14 + 41] = 1; /* code */
	nd_fix(g);
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &lb, &nd), VSW_DROP_vxlan_bad_nd);
	memcpy(g, f, ND_FRAME_SIZE);
	g[14 + 40 + 25] = 0; /* an option of length 0 */
	nd_fix(g);
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &lb, &nd), VSW_DROP_vxlan_bad_nd);
	memcpy(g, f, ND_FRAME_SIZE);
	g[14 + 40 + 25] = 2; /* an option past the end */
	nd_fix(g);
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &lb, &nd), VSW_DROP_vxlan_bad_nd);
	memcpy(g, f, ND_FRAME_SIZE);
	memset(g + 14 + 8, 0, 16); /* from :: with a link-layer address */
	nd_fix(g);
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &lb, &nd), VSW_DROP_vxlan_bad_nd);
	memcpy(g, f, ND_FRAME_SIZE);
	vxlan_wr16(g + 14 + 4, 24); /* a duplicate address probe: from ::, no option */
	memset(g + 14 + 8, 0, 16);
	nd_fix(g);
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &lb, &nd), VSW_DROP_MAX);
	assert_null(nd.lladdr);
	memcpy(g, f, ND_FRAME_SIZE);
	vxlan_wr16(g + 14 + 4, 20); /* ICMP length under 24 */
	nd_fix(g);
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &lb, &nd), VSW_DROP_vxlan_bad_nd);
	memcpy(g, f, ND_FRAME_SIZE);
	g[14 + 40] = 128; /* an echo request */
	nd_fix(g);
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &lb, &nd), VSW_DROP_vxlan_not_for_us);
	memcpy(g, f, ND_FRAME_SIZE);
	g[5] = 9; /* another solicited-node MAC */
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &lb, &nd), VSW_DROP_vxlan_not_for_us);
	memcpy(g, f, ND_FRAME_SIZE);
	g[14 + 6] = 0; /* behind a hop-by-hop header */
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &lb, &nd), VSW_DROP_vxlan_not_for_us);
	memcpy(g, f, ND_FRAME_SIZE);
	g[14 + 40 + 8] = 0xff; /* a multicast target */
	nd_fix(g);
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &lb, &nd), VSW_DROP_vxlan_bad_nd);
	/* a solicited advertisement to all nodes is invalid, an unsolicited one fine */
	nd_write_na(g, &lb, (uint8_t[]){0x33, 0x33, 0, 0, 0, 1}, ip6_a);
	memcpy(g + 14 + 24, ((uint8_t[]){0xff, 2, [15] = 1}), 16);
	nd_fix(g);
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &la, &nd), VSW_DROP_vxlan_bad_nd);
	g[14 + 44] = ND_NA_FLAG_O;
	nd_fix(g);
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE, &la, &nd), VSW_DROP_MAX);
	/* a longer message with an unknown option before the link-layer one */
	nd_write_ns(f, &la, ip6_b, NULL);
	memcpy(g, f, 14 + 40 + 24);
	memset(g + 14 + 40 + 24, 0, 8);
	g[14 + 40 + 24] = 14; /* nonce, one unit of 8 bytes */
	g[14 + 40 + 25] = 1;
	memcpy(g + 14 + 40 + 32, f + 14 + 40 + 24, 8);
	vxlan_wr16(g + 14 + 4, 40);
	nd_fix(g);
	assert_int_equal(nd_parse(g, ND_FRAME_SIZE + 8, &lb, &nd), VSW_DROP_MAX);
	assert_memory_equal(nd.lladdr, mac_a, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encap_fields), cmocka_unit_test(test_ip_csum),
		cmocka_unit_test(test_roundtrip),    cmocka_unit_test(test_entropy),
		cmocka_unit_test(test_entropy6),     cmocka_unit_test(test_mtu),
		cmocka_unit_test(test_drops_outer),  cmocka_unit_test(test_udp_csum),
		cmocka_unit_test(test_drops_vxlan),  cmocka_unit_test(test_ip_options),
		cmocka_unit_test(test_map_find),     cmocka_unit_test(test_map_many),
		cmocka_unit_test(test_mac_pack),     cmocka_unit_test(test_encap6_fields),
		cmocka_unit_test(test_udp6_csum),    cmocka_unit_test(test_csum_add),
		cmocka_unit_test(test_roundtrip6),   cmocka_unit_test(test_drops6),
		cmocka_unit_test(test_mtu6),	     cmocka_unit_test(test_flow_label),
		cmocka_unit_test(test_map_find6),    cmocka_unit_test(test_nd_messages),
		cmocka_unit_test(test_nd_drops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
