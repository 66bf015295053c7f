/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for overlay/nd.h's duplicate address detection and MLD parts (the
 * neighbour solicitation/advertisement round trips are test_vxlan.c's): the EUI-64
 * link-local address, the duplicate address probe, the advertisement defending an
 * address, nd_parse on the link-local address and on probes, MLDv2 and MLDv1 reports
 * field by field with their checksums against an RFC 1071 reference over the pseudo
 * header, nd_frame's choice, every nd_mld_parse outcome, every nd_decide verdict (what
 * nd_input and its trace do with a message in each state of the address) and the groups
 * nd_mld_groups puts in a report.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "overlay/nd.h"

static const uint8_t mac_a[6] = {0x02, 0xaa, 0, 0, 0, 0x01};
static const uint8_t mac_b[6] = {0x02, 0xaa, 0, 0x12, 0x34, 0x56};

static void ip6(uint8_t out[16], const char *s)
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

static struct vxlan_local local6(const uint8_t mac[6], const char *addr)
{
	struct vxlan_local l;

	memset(&l, 0, sizeof(l));
	memcpy(l.mac, mac, 6);
	ip6(l.ip6, addr);
	return l;
}

/* RFC 1071, byte by byte: the ones' complement sum of the pseudo header (RFC 8200
 * section 8.1, next header 58) and the msize-byte message; 0 when its checksum is right. */
static uint16_t ref_icmp6_csum(const uint8_t *ip, const uint8_t *msg, size_t msize)
{
	uint8_t buf[40 + 2048];
	uint32_t s = 0;
	size_t n = 40 + msize;

	memset(buf, 0, 40);
	memcpy(buf, ip + 8, 32);
	buf[34] = (uint8_t)(msize >> 8);
	buf[35] = (uint8_t)msize;
	buf[39] = 58;
	memcpy(buf + 40, msg, msize);
	if (n & 1)
		buf[n++] = 0;
	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)(buf[i] << 8 | buf[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void test_link_local(void **state)
{
	uint8_t ll[16], want[16];

	(void)state;
	nd_link_local(ll, mac_a);
	ip6(want, "fe80::aa:ff:fe00:1"); /* 02 -> 00: the universal/local bit inverted */
	assert_memory_equal(ll, want, 16);
	nd_link_local(ll, mac_b);
	ip6(want, "fe80::aa:ff:fe12:3456");
	assert_memory_equal(ll, want, 16);
}

static void test_dad_probe(void **state)
{
	struct vxlan_local lb = local6(mac_b, "2001:2::1");
	uint8_t f[ND_FRAME_SIZE], dst[16], ll[16];
	const uint8_t *ip = f + 14, *icmp = ip + 40;
	struct nd_rx nd;

	(void)state;
	memset(f, 0xee, sizeof(f));
	nd_write_dad_ns(f, mac_b, lb.ip6);
	ip6(dst, "ff02::1:ff00:1");
	assert_memory_equal(f, ((uint8_t[]){0x33, 0x33, 0xff, 0, 0, 1}), 6);
	assert_memory_equal(f + 6, mac_b, 6);
	assert_int_equal(ip[4] << 8 | ip[5], 24); /* no link-layer option from :: */
	assert_int_equal(ip[6], 58);
	assert_int_equal(ip[7], 255);
	assert_true(nd_ip6_is_unspecified(ip + 8));
	assert_memory_equal(ip + 24, dst, 16);
	assert_int_equal(icmp[0], ND_TYPE_NS);
	assert_memory_equal(icmp + 8, lb.ip6, 16);
	assert_int_equal(ref_icmp6_csum(ip, icmp, 24), 0);
	assert_true(nd_frame(f, ND_DAD_FRAME_SIZE));
	/* another node with the address takes it as a probe of its address */
	assert_int_equal(nd_parse(f, ND_DAD_FRAME_SIZE, &lb, &nd), VSW_DROP_MAX);
	assert_int_equal(nd.type, ND_TYPE_NS);
	assert_int_equal(nd.ours, ND_ADDR);
	assert_true(nd_ip6_is_unspecified(nd.src_ip));
	assert_null(nd.lladdr);
	/* the same for the link-local address, at its own solicited-node address */
	nd_link_local(ll, mac_b);
	nd_write_dad_ns(f, mac_a, ll);
	assert_memory_equal(f, ((uint8_t[]){0x33, 0x33, 0xff, 0x12, 0x34, 0x56}), 6);
	assert_int_equal(ref_icmp6_csum(ip, icmp, 24), 0);
	assert_int_equal(nd_parse(f, ND_DAD_FRAME_SIZE, &lb, &nd), VSW_DROP_MAX);
	assert_int_equal(nd.ours, ND_LL);
	/* a probe not to a solicited-node address is invalid (RFC 4861 section 7.1.1) */
	memcpy(f, mac_b, 6);
	memcpy(f + 14 + 24, ll, 16);
	vxlan_wr16(f + 14 + 42, 0);
	vxlan_wr16(f + 14 + 42, ref_icmp6_csum(ip, icmp, 24));
	assert_int_equal(nd_parse(f, ND_DAD_FRAME_SIZE, &lb, &nd), VSW_DROP_vxlan_bad_nd);
}

static void test_nd_link_local(void **state)
{
	struct vxlan_local la = local6(mac_a, "2001:2::2"), lb = local6(mac_b, "2001:2::1");
	uint8_t f[ND_FRAME_SIZE], g[ND_FRAME_SIZE], ll_b[16], ll_a[16];
	const uint8_t *ip = g + 14;
	struct nd_rx nd;

	(void)state;
	nd_link_local(ll_b, mac_b);
	nd_link_local(ll_a, mac_a);
	/* A resolves B's link-local address: B takes it and answers from it */
	nd_write_ns(f, &la, ll_b, NULL);
	assert_int_equal(nd_parse(f, sizeof(f), &lb, &nd), VSW_DROP_MAX);
	assert_int_equal(nd.ours, ND_LL);
	nd_write_na_for(g, &lb, ND_LL, mac_a, la.ip6);
	assert_int_equal(ref_icmp6_csum(ip, ip + 40, 32), 0);
	assert_memory_equal(g, mac_a, 6);
	assert_memory_equal(ip + 8, ll_b, 16);
	assert_memory_equal(ip + 24, la.ip6, 16);
	assert_int_equal(nd_parse(g, sizeof(g), &la, &nd), VSW_DROP_MAX);
	assert_int_equal(nd.type, ND_TYPE_NA);
	assert_int_equal(nd.flags, ND_NA_FLAG_S | ND_NA_FLAG_O);
	assert_memory_equal(nd.target, ll_b, 16);
	assert_int_equal(nd.ours, ND_NOT_OURS);
	/* B defends its address against A's probe: to all nodes, not solicited */
	nd_write_na_for(g, &lb, ND_ADDR, mac_a, (const uint8_t[16]){0});
	assert_memory_equal(g, ((uint8_t[]){0x33, 0x33, 0, 0, 0, 1}), 6);
	assert_memory_equal(ip + 8, lb.ip6, 16);
	assert_int_equal(ip[24], 0xff);
	assert_int_equal(ref_icmp6_csum(ip, ip + 40, 32), 0);
	/* A, probing the same address (its own as far as A knows), sees its own address */
	memcpy(la.ip6, lb.ip6, 16);
	assert_int_equal(nd_parse(g, sizeof(g), &la, &nd), VSW_DROP_MAX);
	assert_int_equal(nd.flags, ND_NA_FLAG_O);
	assert_int_equal(nd.ours, ND_ADDR);
	/* a solicitation for A's link-local address is not B's */
	nd_write_ns(f, &lb, ll_a, NULL);
	assert_int_equal(nd_parse(f, sizeof(f), &lb, &nd), VSW_DROP_vxlan_not_for_us);
}

/* The MLD message of a frame nd_mld_head wrote, and its size. */
static const uint8_t *mld_msg(const uint8_t *f, size_t *msize)
{
	const uint8_t *ip = f + 14;

	*msize = (size_t)(ip[4] << 8 | ip[5]) - ND_HBH_SIZE;
	return ip + 40 + ND_HBH_SIZE;
}

static void check_mld_head(const uint8_t *f, const uint8_t src[16], const uint8_t dst[16])
{
	const uint8_t *ip = f + 14, *hbh = ip + 40;
	uint8_t mac[6];

	nd_multicast_mac(mac, dst);
	assert_memory_equal(f, mac, 6);
	assert_memory_equal(f + 6, mac_b, 6);
	assert_int_equal(f[12] << 8 | f[13], 0x86dd);
	assert_int_equal(ip[0], 0x60);
	assert_int_equal(ip[6], 0); /* hop-by-hop */
	assert_int_equal(ip[7], 1); /* hop limit 1 */
	assert_memory_equal(ip + 8, src, 16);
	assert_memory_equal(ip + 24, dst, 16);
	assert_memory_equal(hbh, ((uint8_t[]){58, 0, 5, 2, 0, 0, 1, 0}), 8); /* Router Alert */
}

static void test_mld2_report(void **state)
{
	struct vxlan_local lb = local6(mac_b, "2001:2::1");
	uint8_t f[ND_MLD_FRAME_MAX], groups[2][16], which[2], ll[16], dst[16], want[16];
	const uint8_t *msg;
	size_t msize;
	uint32_t size;

	(void)state;
	assert_int_equal(nd_groups(&lb, groups, which), 2);
	ip6(want, "ff02::1:ff00:1");
	assert_memory_equal(groups[0], want, 16);
	assert_int_equal(which[0], ND_ADDR);
	ip6(want, "ff02::1:ff12:3456");
	assert_memory_equal(groups[1], want, 16);
	assert_int_equal(which[1], ND_LL);
	ip6(dst, "ff02::16");
	/* during DAD: from :: */
	size = nd_write_mld2_report(f, mac_b, (const uint8_t[16]){0}, ND_MLD2_CHANGE_TO_EXCLUDE,
				    (const uint8_t(*)[16])groups, 2);
	assert_int_equal(size, 14 + 40 + 8 + 8 + 2 * 20);
	check_mld_head(f, (const uint8_t[16]){0}, dst);
	msg = mld_msg(f, &msize);
	assert_int_equal(msize, 8 + 2 * 20);
	assert_int_equal(msg[0], 143);
	assert_int_equal(msg[1], 0);
	assert_int_equal(msg[6] << 8 | msg[7], 2);
	for (int i = 0; i < 2; i++) {
		const uint8_t *rec = msg + 8 + i * 20;

		assert_int_equal(rec[0], ND_MLD2_CHANGE_TO_EXCLUDE);
		assert_int_equal(rec[1], 0);		   /* aux data */
		assert_int_equal(rec[2] << 8 | rec[3], 0); /* sources */
		assert_memory_equal(rec + 4, groups[i], 16);
	}
	assert_int_equal(ref_icmp6_csum(f + 14, msg, msize), 0);
	assert_true(nd_frame(f, size));
	/* from the link-local address, one record */
	nd_link_local(ll, mac_b);
	size = nd_write_mld2_report(f, mac_b, ll, ND_MLD2_MODE_IS_EXCLUDE,
				    (const uint8_t(*)[16])groups, 1);
	assert_int_equal(size, 14 + 40 + 8 + 8 + 20);
	check_mld_head(f, ll, dst);
	msg = mld_msg(f, &msize);
	assert_int_equal(msg[6] << 8 | msg[7], 1);
	assert_int_equal(msg[8], ND_MLD2_MODE_IS_EXCLUDE);
	assert_int_equal(ref_icmp6_csum(f + 14, msg, msize), 0);
	/* the address's and the link-local's groups are one when their last 24 bits are */
	memcpy(lb.ip6 + 13, mac_b + 3, 3);
	assert_int_equal(nd_groups(&lb, groups, which), 1);
}

static void test_mld1_report(void **state)
{
	uint8_t f[ND_MLD_FRAME_MAX], ll[16], group[16];
	const uint8_t *msg;
	size_t msize;

	(void)state;
	nd_link_local(ll, mac_b);
	ip6(group, "ff02::1:ff00:1");
	assert_int_equal(nd_write_mld1_report(f, mac_b, ll, group), 14 + 40 + 8 + 24);
	check_mld_head(f, ll, group); /* to the group itself (RFC 2710 section 5) */
	msg = mld_msg(f, &msize);
	assert_int_equal(msize, 24);
	assert_int_equal(msg[0], 131);
	assert_memory_equal(msg + 8, group, 16);
	assert_int_equal(ref_icmp6_csum(f + 14, msg, msize), 0);
}

/* A query from src to dst about group (:: = general), MLDv2 (28 bytes) or MLDv1 (24). */
static uint32_t mk_query(uint8_t *f, const char *src, const char *dst, const char *group, int v)
{
	uint8_t s[16], d[16], g[16], *msg;
	uint32_t msize = v == 2 ? 28 : 24;

	ip6(s, src);
	ip6(d, dst);
	ip6(g, group);
	msg = nd_mld_head(f, mac_a, s, d, msize);
	msg[0] = ND_TYPE_MLD_QUERY;
	vxlan_wr16(msg + 4, 10000); /* maximum response delay, ms */
	memcpy(msg + 8, g, 16);
	if (v == 2)
		msg[25] = 125; /* QQIC */
	vxlan_wr16(msg + 2, ref_icmp6_csum(f + 14, msg, msize));
	return 14 + 40 + 8 + msize;
}

static void refix(uint8_t *f, uint32_t size)
{
	uint8_t *msg = f + 14 + 48;

	msg[2] = msg[3] = 0;
	vxlan_wr16(msg + 2, ref_icmp6_csum(f + 14, msg, size - 14 - 48));
}

static void test_mld_parse(void **state)
{
	struct vxlan_local lb = local6(mac_b, "2001:2::1");
	uint8_t f[128], g[128];
	struct nd_mld_rx q;
	uint32_t n;

	(void)state;
	/* general MLDv2 query: both groups */
	n = mk_query(f, "fe80::1", "ff02::1", "::", 2);
	assert_true(nd_frame(f, n));
	assert_int_equal(nd_mld_parse(f, n, &lb, &q), VSW_DROP_MAX);
	assert_int_equal(q.version, 2);
	assert_int_equal(q.groups, 1u << ND_ADDR | 1u << ND_LL);
	/* MLDv1 */
	n = mk_query(f, "fe80::1", "ff02::1", "::", 1);
	assert_int_equal(nd_mld_parse(f, n, &lb, &q), VSW_DROP_MAX);
	assert_int_equal(q.version, 1);
	/* about one group, to it */
	n = mk_query(f, "fe80::1", "ff02::1:ff12:3456", "ff02::1:ff12:3456", 2);
	assert_int_equal(nd_mld_parse(f, n, &lb, &q), VSW_DROP_MAX);
	assert_int_equal(q.groups, 1u << ND_LL);
	n = mk_query(f, "fe80::1", "ff02::1:ff00:1", "ff02::1:ff00:1", 2);
	assert_int_equal(nd_mld_parse(f, n, &lb, &q), VSW_DROP_MAX);
	assert_int_equal(q.groups, 1u << ND_ADDR);
	/* about another group: not ours */
	n = mk_query(f, "fe80::1", "ff02::1:ff00:2", "ff02::1:ff00:2", 2);
	assert_int_equal(nd_mld_parse(f, n, &lb, &q), VSW_DROP_vxlan_not_for_us);
	/* a general query not to all nodes */
	n = mk_query(f, "fe80::1", "ff02::1:ff00:1", "::", 2);
	assert_int_equal(nd_mld_parse(f, n, &lb, &q), VSW_DROP_vxlan_not_for_us);
	/* someone's report */
	n = nd_write_mld1_report(f, mac_a, (const uint8_t[16]){0xfe, 0x80, [15] = 1},
				 (const uint8_t[16]){0xff, 2, [11] = 1, 0xff, 0, 0, 1});
	assert_int_equal(nd_mld_parse(f, n, &lb, &q), VSW_DROP_vxlan_not_for_us);
	/* the checks */
	n = mk_query(f, "fe80::1", "ff02::1", "::", 2);
	memcpy(g, f, n);
	g[14 + 7] = 2; /* hop limit */
	assert_int_equal(nd_mld_parse(g, n, &lb, &q), VSW_DROP_vxlan_bad_nd);
	memcpy(g, f, n);
	g[14 + 40 + 2] = 1; /* Router Alert -> PadN */
	assert_int_equal(nd_mld_parse(g, n, &lb, &q), VSW_DROP_vxlan_bad_nd);
	memcpy(g, f, n);
	g[14 + 40 + 4] = 1; /* Router Alert of another protocol */
	assert_int_equal(nd_mld_parse(g, n, &lb, &q), VSW_DROP_vxlan_bad_nd);
	memcpy(g, f, n);
	g[14 + 40 + 3] = 9; /* an option past the header */
	assert_int_equal(nd_mld_parse(g, n, &lb, &q), VSW_DROP_vxlan_bad_nd);
	memcpy(g, f, n);
	g[14 + 48 + 3] ^= 1; /* checksum */
	assert_int_equal(nd_mld_parse(g, n, &lb, &q), VSW_DROP_vxlan_bad_nd);
	memcpy(g, f, n);
	g[14 + 48 + 1] = 1; /* code */
	refix(g, n);
	assert_int_equal(nd_mld_parse(g, n, &lb, &q), VSW_DROP_vxlan_bad_nd);
	n = mk_query(g, "2001:2::9", "ff02::1", "::", 2); /* not link-local */
	assert_int_equal(nd_mld_parse(g, n, &lb, &q), VSW_DROP_vxlan_bad_nd);
	n = mk_query(f, "fe80::1", "ff02::1", "::", 2);
	memcpy(g, f, n);
	vxlan_wr16(g + 14 + 4, 8 + 25); /* neither 24 nor 28 and up */
	refix(g, n - 3);
	assert_int_equal(nd_mld_parse(g, n, &lb, &q), VSW_DROP_vxlan_bad_nd);
	memcpy(g, f, n);
	g[5] = 2; /* to another MAC */
	assert_int_equal(nd_mld_parse(g, n, &lb, &q), VSW_DROP_vxlan_not_for_us);
	assert_int_equal(nd_mld_parse(f, n - 1, &lb, &q), VSW_DROP_vxlan_malformed);
	assert_int_equal(nd_mld_parse(f, 14 + 40 + 7, &lb, &q), VSW_DROP_vxlan_malformed);
	memcpy(g, f, n);
	g[14 + 40] = 17; /* UDP behind the hop-by-hop header: not nd_input's */
	assert_false(nd_frame(g, n));
	assert_int_equal(nd_mld_parse(g, n, &lb, &q), VSW_DROP_vxlan_not_for_us);
}

/* nd_decide, shared by nd_input and its trace: every verdict, from real frames. */
static void test_nd_decide(void **state)
{
	struct vxlan_local la = local6(mac_a, "2001:2::2"), lb = local6(mac_b, "2001:2::1");
	uint8_t f[ND_FRAME_SIZE], ll_b[16];
	const uint8_t zero[16] = {0};
	struct nd_rx nd = {0};

	(void)state;
	nd_link_local(ll_b, mac_b);
	/* A solicits B's address: answered only once it is preferred */
	nd_write_ns(f, &la, lb.ip6, NULL);
	assert_int_equal(nd_parse(f, sizeof(f), &lb, &nd), VSW_DROP_MAX);
	assert_int_equal(nd_decide(f, &lb, &nd, ND_ADDR_PREFERRED), ND_V_ANSWER);
	assert_int_equal(nd_decide(f, &lb, &nd, ND_ADDR_TENTATIVE), ND_V_NOT_READY);
	assert_int_equal(nd_decide(f, &lb, &nd, ND_ADDR_DUPLICATE), ND_V_NOT_READY);
	/* the same solicitation with B's own MAC as its source: B's own frame, back */
	memcpy(f + 6, mac_b, 6);
	assert_int_equal(nd_decide(f, &lb, &nd, ND_ADDR_PREFERRED), ND_V_OWN);
	/* A probes B's link-local address: defended, a conflict, or not answered */
	nd_write_dad_ns(f, mac_a, ll_b);
	assert_int_equal(nd_parse(f, ND_DAD_FRAME_SIZE, &lb, &nd), VSW_DROP_MAX);
	assert_int_equal(nd.ours, ND_LL);
	assert_int_equal(nd_decide(f, &lb, &nd, ND_ADDR_PREFERRED), ND_V_DEFEND);
	assert_int_equal(nd_decide(f, &lb, &nd, ND_ADDR_TENTATIVE), ND_V_PROBE_CONFLICT);
	assert_int_equal(nd_decide(f, &lb, &nd, ND_ADDR_DUPLICATE), ND_V_NOT_READY);
	/* B's own probe, back: never a conflict */
	nd_write_dad_ns(f, mac_b, lb.ip6);
	assert_int_equal(nd_parse(f, ND_DAD_FRAME_SIZE, &lb, &nd), VSW_DROP_MAX);
	assert_int_equal(nd_decide(f, &lb, &nd, ND_ADDR_TENTATIVE), ND_V_OWN);
	/* A advertises its own address to B: a next hop to learn, whatever B's state */
	nd_write_na(f, &la, mac_b, lb.ip6);
	assert_int_equal(nd_parse(f, sizeof(f), &lb, &nd), VSW_DROP_MAX);
	assert_int_equal(nd.ours, ND_NOT_OURS);
	assert_int_equal(nd_decide(f, &lb, &nd, ND_ADDR_TENTATIVE), ND_V_LEARN);
	/* A defends B's address (A has it too): a conflict in every state */
	nd_write_na_for(f,
			&(struct vxlan_local){.mac = {0x02, 0xaa, 0, 0, 0, 0x01},
					      .ip6 = {0x20, 0x01, 0, 2, [15] = 1}},
			ND_ADDR, mac_b, zero);
	assert_int_equal(nd_parse(f, sizeof(f), &lb, &nd), VSW_DROP_MAX);
	assert_int_equal(nd.ours, ND_ADDR);
	assert_int_equal(nd_decide(f, &lb, &nd, ND_ADDR_TENTATIVE), ND_V_CONFLICT);
	assert_int_equal(nd_decide(f, &lb, &nd, ND_ADDR_PREFERRED), ND_V_CONFLICT);
	assert_int_equal(nd_decide(f, &lb, &nd, ND_ADDR_DUPLICATE), ND_V_CONFLICT);
	memcpy(f + 6, mac_b, 6); /* B's own defence, back */
	assert_int_equal(nd_decide(f, &lb, &nd, ND_ADDR_PREFERRED), ND_V_OWN);
}

/* nd_mld_groups: which groups a report for a query's groups carries. */
static void test_mld_groups(void **state)
{
	struct vxlan_local lb = local6(mac_b, "2001:2::1");
	uint8_t sel[2][16], sn[16], ll[16], snll[16];

	(void)state;
	ip6(sn, "ff02::1:ff00:1");
	nd_link_local(ll, mac_b);
	nd_solicited_node(snll, ll);
	assert_int_equal(nd_mld_groups(&lb, 0, sel), 0);
	assert_int_equal(nd_mld_groups(&lb, 1u << ND_ADDR, sel), 1);
	assert_memory_equal(sel[0], sn, 16);
	assert_int_equal(nd_mld_groups(&lb, 1u << ND_LL, sel), 1);
	assert_memory_equal(sel[0], snll, 16);
	assert_int_equal(nd_mld_groups(&lb, 1u << ND_ADDR | 1u << ND_LL, sel), 2);
	assert_memory_equal(sel[0], sn, 16);
	assert_memory_equal(sel[1], snll, 16);
	/* an address ending like the MAC: one group for both, asked by either bit */
	ip6(lb.ip6, "2001:2::12:3456");
	nd_solicited_node(sn, lb.ip6);
	assert_memory_equal(sn, snll, 16);
	assert_int_equal(nd_mld_groups(&lb, 1u << ND_LL, sel), 1);
	assert_memory_equal(sel[0], sn, 16);
	assert_int_equal(nd_mld_groups(&lb, 1u << ND_ADDR | 1u << ND_LL, sel), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_local),    cmocka_unit_test(test_dad_probe),
		cmocka_unit_test(test_nd_link_local), cmocka_unit_test(test_mld2_report),
		cmocka_unit_test(test_mld1_report),   cmocka_unit_test(test_mld_parse),
		cmocka_unit_test(test_nd_decide),     cmocka_unit_test(test_mld_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
