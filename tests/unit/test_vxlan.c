/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the VXLAN encapsulation and receive checks (overlay/vxlan.h) on byte
 * buffers, and of the VTEP map lookup (overlay/vtep.h): every decap drop reason, the
 * outer header fields and IPv4 checksum (against a plain RFC 1071 reference), the UDP
 * source port entropy, and the MTU an inner frame needs.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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
	const struct vtep_map_ent e[4] = {
		{10, IP_A, &p1}, {10, IP_B, &p2}, {20, 0, NULL}, {30, IP_A, &p2}};
	struct vtep_map *m = malloc(sizeof(*m) + sizeof(e));
	struct port *got = NULL;

	(void)state;
	assert_non_null(m);
	m->n = 4;
	memcpy(m->e, e, sizeof(e));
	assert_int_equal(vtep_map_find(m, 10, IP_B, &got), 1);
	assert_ptr_equal(got, &p2);
	assert_int_equal(vtep_map_find(m, 30, IP_A, &got), 1);
	assert_ptr_equal(got, &p2);
	assert_int_equal(vtep_map_find(m, 10, 0x090012c6u, &got), 0); /* not a remote */
	assert_int_equal(vtep_map_find(m, 20, 0, &got), 0);	      /* VNI without remotes */
	assert_int_equal(vtep_map_find(m, 20, IP_A, &got), 0);
	assert_int_equal(vtep_map_find(m, 11, IP_A, &got), -1);
	free(m);
}

static void test_mac_pack(void **state)
{
	uint8_t m[6];

	(void)state;
	vtep_mac_unpack(vtep_mac_pack(mac_a) | VTEP_NEIGH_VALID, m);
	assert_memory_equal(m, mac_a, 6);
	assert_int_equal(vtep_mac_pack(mac_a) & ~VTEP_NEIGH_MAC_MASK, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encap_fields), cmocka_unit_test(test_ip_csum),
		cmocka_unit_test(test_roundtrip),    cmocka_unit_test(test_entropy),
		cmocka_unit_test(test_mtu),	     cmocka_unit_test(test_drops_outer),
		cmocka_unit_test(test_udp_csum),     cmocka_unit_test(test_drops_vxlan),
		cmocka_unit_test(test_ip_options),   cmocka_unit_test(test_map_find),
		cmocka_unit_test(test_mac_pack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
