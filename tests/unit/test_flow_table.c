/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the flow tables: rules added through dp_flow_add (flow_ctl.c, with its
 * checks), built into a real rte_acl classifier, and hand-built frames classified
 * (flow_classify_burst) and acted on (flow_input_burst) against a dataplane made of
 * plain structs: each match field (VNI too), masks, prefixes, IPv6, priorities, every
 * action, counters across updates and merges, the refusals, and the incremental updates
 * (base + delta + dead bits) cross-checked against a linear scan on random rule sets
 * with random adds, deletes, modifies and merges, some merges in flight meanwhile. Frames a rule sends stay in the worker's
 * tx buffers, where the tests look at them. EAL runs in memory, without hugepages.
 */
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "flow_ctl.h"
#include "flow_table.h"
#include "overlay/vtep.h"

/* ---- the dataplane around the flow stage: one bridge, five ports ---- */

enum { P1, P2, P3, TRUNK, CAP, NPORTS };
static const char *const port_names[NPORTS] = {"p1", "p2", "p3", "tr", "cap"};

static struct dp *g_dp;
static struct bridge g_br;
static struct worker *g_w;
static struct port *g_ports[NPORTS];

void dp_sync(struct dp *dp)
{
	(void)dp; /* one thread: nothing to wait for */
}

struct port *dp_port_find(struct dp *dp, const char *name)
{
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct port *p = atomic_load(&dp->ports[i]);

		if (p != NULL && strcmp(p->name, name) == 0)
			return p;
	}
	return NULL;
}

struct bridge *dp_bridge_find(struct dp *dp, const char *name)
{
	(void)dp;
	return strcmp(name, g_br.name) == 0 ? &g_br : NULL;
}

/* Capture taps are off in these tests: their slow paths (capture_burst, capture_drop_one)
 * must never run. The linker points both here (--defsym in meson.build), so the test does
 * not depend on their signatures. */
void flow_test_capture_called(void);
void flow_test_capture_called(void)
{
	fail_msg("a capture slow path ran with taps off");
}

static uint8_t trunk_bits[512];

static int group_setup(void **state)
{
	struct port_set *ms;

	(void)state;
	g_dp = calloc(1, sizeof(*g_dp));
	g_w = calloc(1, sizeof(*g_w));
	ms = calloc(1, sizeof(*ms) + NPORTS * sizeof(ms->p[0]));
	if (g_dp == NULL || g_w == NULL || ms == NULL)
		return -1;
	g_dp->pool = rte_pktmbuf_pool_create("tflow", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					     SOCKET_ID_ANY);
	if (g_dp->pool == NULL)
		return -1;
	g_w->dp = g_dp;
	snprintf(g_br.name, sizeof(g_br.name), "br0");
	trunk_bits[10 >> 3] |= 1 << (10 & 7);
	trunk_bits[20 >> 3] |= 1 << (20 & 7);
	for (int i = 0; i < NPORTS; i++) {
		struct port *p = calloc(1, sizeof(*p));

		if (p == NULL)
			return -1;
		p->idx = (uint16_t)(i + 3); /* indexes need not start at 0 */
		p->n_txq = 1;
		snprintf(p->name, sizeof(p->name), "%s", port_names[i]);
		if (i == TRUNK) {
			p->vlan.mode = DP_VLAN_TRUNK;
			p->vlan.trunk = trunk_bits;
		} else if (i != CAP) {
			p->vlan.mode = DP_VLAN_ACCESS;
			p->vlan.access_vlan = 10;
		}
		/* cap is in no bridge: a mirror destination */
		if (i != CAP) {
			atomic_store(&p->bridge, &g_br);
			ms->p[ms->n++] = p;
		}
		atomic_store(&g_dp->ports[p->idx], p);
		g_ports[i] = p;
	}
	atomic_store(&g_br.members, ms);
	return 0;
}

static void tx_clear(void)
{
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		if (g_w->tx[i].n)
			rte_pktmbuf_free_bulk(g_w->tx[i].m, g_w->tx[i].n);
		g_w->tx[i].n = 0;
		g_w->tx[i].bytes = 0;
		g_w->tx[i].dirty = false;
	}
	g_w->n_dirty = 0;
}

static int teardown(void **state)
{
	char err[256];

	(void)state;
	tx_clear();
	dp_flow_del(g_dp, "br0", 0, NULL, err, sizeof(err));
	for (int i = 0; i < NPORTS; i++)
		memset(g_ports[i]->stats, 0, sizeof(g_ports[i]->stats));
	return 0;
}

/* ---- hand-built frames ---- */

struct frame {
	uint8_t dst[6], src[6];
	int vlan; /* -1 untagged */
	uint16_t eth_type;
	int ipv; /* 0 none, 4, 6 */
	uint8_t ip_src[16], ip_dst[16];
	uint8_t proto;
	uint16_t sport, dport;
	uint16_t frag; /* IPv4 fragment offset field */
};

static struct frame frame_default(void)
{
	struct frame f = {
		.dst = {0x02, 0, 0, 0, 0, 0x02},
		.src = {0x02, 0, 0, 0, 0, 0x01},
		.vlan = -1,
		.eth_type = 0x0800,
		.ipv = 4,
		.ip_src = {198, 51, 100, 1},
		.ip_dst = {198, 51, 100, 2},
		.proto = 17,
		.sport = 49152,
		.dport = 9,
	};
	return f;
}

static void ip6(uint8_t a[16], uint16_t w0, uint16_t w1, uint16_t last)
{
	memset(a, 0, 16);
	a[0] = (uint8_t)(w0 >> 8), a[1] = (uint8_t)w0, a[2] = (uint8_t)(w1 >> 8),
	a[3] = (uint8_t)w1;
	a[14] = (uint8_t)(last >> 8), a[15] = (uint8_t)last;
}

static struct rte_mbuf *frame_mbuf(const struct frame *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g_dp->pool);
	uint8_t *d;
	size_t n = 0;

	assert_non_null(m);
	d = (uint8_t *)rte_pktmbuf_append(m, 128);
	assert_non_null(d);
	memset(d, 0, 128);
	memcpy(d, f->dst, 6);
	memcpy(d + 6, f->src, 6);
	n = 12;
	if (f->vlan >= 0) {
		d[n++] = 0x81, d[n++] = 0x00;
		d[n++] = (uint8_t)(f->vlan >> 8), d[n++] = (uint8_t)f->vlan;
	}
	d[n++] = (uint8_t)(f->eth_type >> 8), d[n++] = (uint8_t)f->eth_type;
	if (f->ipv == 4) {
		d[n] = 0x45;
		d[n + 6] = (uint8_t)(f->frag >> 8), d[n + 7] = (uint8_t)f->frag;
		d[n + 8] = 64;
		d[n + 9] = f->proto;
		memcpy(d + n + 12, f->ip_src, 4);
		memcpy(d + n + 16, f->ip_dst, 4);
		n += 20;
	} else if (f->ipv == 6) {
		d[n] = 0x60;
		d[n + 6] = f->proto;
		d[n + 7] = 64;
		memcpy(d + n + 8, f->ip_src, 16);
		memcpy(d + n + 24, f->ip_dst, 16);
		n += 40;
	}
	if (f->ipv) {
		d[n] = (uint8_t)(f->sport >> 8), d[n + 1] = (uint8_t)f->sport;
		d[n + 2] = (uint8_t)(f->dport >> 8), d[n + 3] = (uint8_t)f->dport;
	}
	return m;
}

/* ---- rules ---- */

static struct dp_flow rule(uint16_t prio, const char *actions)
{
	struct dp_flow f;
	char buf[128], *save = NULL;

	memset(&f, 0, sizeof(f));
	f.priority = prio;
	snprintf(buf, sizeof(buf), "%s", actions);
	for (char *a = strtok_r(buf, ",", &save); a != NULL; a = strtok_r(NULL, ",", &save)) {
		struct dp_flow_action *x = &f.actions[f.n_actions++];
		char *arg = strchr(a, ':');

		if (arg != NULL)
			*arg++ = '\0';
		if (!strcmp(a, "drop"))
			x->type = DP_FLOW_ACT_DROP;
		else if (!strcmp(a, "output"))
			x->type = DP_FLOW_ACT_OUTPUT;
		else if (!strcmp(a, "flood"))
			x->type = DP_FLOW_ACT_FLOOD;
		else if (!strcmp(a, "normal"))
			x->type = DP_FLOW_ACT_NORMAL;
		else if (!strcmp(a, "push_vlan"))
			x->type = DP_FLOW_ACT_PUSH_VLAN;
		else if (!strcmp(a, "pop_vlan"))
			x->type = DP_FLOW_ACT_POP_VLAN;
		else if (!strcmp(a, "set_vlan"))
			x->type = DP_FLOW_ACT_SET_VLAN;
		else if (!strcmp(a, "mirror"))
			x->type = DP_FLOW_ACT_MIRROR;
		else if (!strcmp(a, "count"))
			x->type = DP_FLOW_ACT_COUNT;
		else
			fail_msg("bad action %s", a);
		if (arg != NULL && (x->type == DP_FLOW_ACT_OUTPUT || x->type == DP_FLOW_ACT_MIRROR))
			snprintf(x->port, sizeof(x->port), "%s", arg);
		else if (arg != NULL)
			x->vlan = (uint16_t)atoi(arg);
	}
	return f;
}

static uint32_t add(struct dp_flow f)
{
	char err[256] = "";
	uint32_t id = 0;
	int rc = dp_flow_add(g_dp, "br0", &f, 1, &id, err, sizeof(err));

	if (rc != 0)
		fail_msg("dp_flow_add: %d %s", rc, err);
	return id;
}

static int add_err(struct dp_flow f, char *err, size_t errsz)
{
	return dp_flow_add(g_dp, "br0", &f, 1, NULL, err, errsz);
}

static void set_prefix(uint8_t *a, uint8_t *len, const uint8_t *v, size_t size, uint8_t plen)
{
	memset(a, 0, 16);
	memcpy(a, v, size);
	*len = plen;
}

/* The id of the rule that applies to frame f from port in (index into g_ports), VLAN vid,
 * out of a tunnel of VNI vni (0: a local port); 0 for none. */
static uint32_t which_vni(const struct frame *f, int in, uint16_t vid, uint32_t vni)
{
	const struct flow_table *ft = atomic_load(&g_br.flows);
	const struct flow_entry *e[1];
	struct rte_mbuf *m = frame_mbuf(f);
	uint32_t id;

	assert_non_null(ft);
	flow_classify_burst(ft, &m, &vid, g_ports[in]->idx, vni, 1, e);
	id = e[0] ? flow_entry_id(e[0]) : 0;
	rte_pktmbuf_free(m);
	return id;
}

static uint32_t which(const struct frame *f, int in, uint16_t vid)
{
	return which_vni(f, in, vid, 0);
}

/* ---- tests: fields ---- */

static void test_empty_table_is_null(void **state)
{
	char err[256];
	uint32_t id;

	(void)state;
	assert_null(atomic_load(&g_br.flows));
	id = add(rule(10, "drop"));
	assert_non_null(atomic_load(&g_br.flows));
	assert_int_equal(dp_flow_del(g_dp, "br0", id, NULL, err, sizeof(err)), 1);
	/* no rules: nothing is published, the worker pays one branch */
	assert_null(atomic_load(&g_br.flows));
}

static void test_match_in_port_vlan(void **state)
{
	struct frame f = frame_default();
	struct dp_flow r1 = rule(100, "drop"), r2 = rule(90, "drop");
	uint32_t a, b;

	(void)state;
	r1.match.fields = DP_FLOW_BIT(DP_FLOW_IN_PORT);
	snprintf(r1.match.in_port, sizeof(r1.match.in_port), "p2");
	r2.match.fields = DP_FLOW_BIT(DP_FLOW_VLAN);
	r2.match.vlan = 20;
	a = add(r1);
	b = add(r2);
	assert_int_equal(which(&f, P2, 10), a);
	assert_int_equal(which(&f, P1, 10), 0);
	assert_int_equal(which(&f, P1, 20), b);
	assert_int_equal(which(&f, P2, 20), a); /* both match: the higher priority */
	assert_int_equal(which(&f, TRUNK, 21), 0);
}

static void test_match_mac_masks(void **state)
{
	struct frame f = frame_default();
	struct dp_flow rs = rule(100, "drop"), rd = rule(90, "drop");
	static const uint8_t oui[6] = {0x02, 0xaa, 0xbb, 0, 0, 0};
	static const uint8_t oui_mask[6] = {0xff, 0xff, 0xff, 0, 0, 0};
	static const uint8_t dst[6] = {0x02, 0, 0, 0, 0x12, 0x34};
	uint32_t a, b;

	(void)state;
	rs.match.fields = DP_FLOW_BIT(DP_FLOW_ETH_SRC);
	memcpy(rs.match.eth_src, oui, 6);
	memcpy(rs.match.eth_src_mask, oui_mask, 6);
	rd.match.fields = DP_FLOW_BIT(DP_FLOW_ETH_DST);
	memcpy(rd.match.eth_dst, dst, 6);
	memset(rd.match.eth_dst_mask, 0xff, 6);
	a = add(rs);
	b = add(rd);
	memcpy(f.src, (uint8_t[6]){0x02, 0xaa, 0xbb, 0x12, 0x34, 0x56}, 6);
	assert_int_equal(which(&f, P1, 10), a);
	f.src[2] = 0xbc; /* outside the mask's OUI */
	assert_int_equal(which(&f, P1, 10), 0);
	memcpy(f.dst, dst, 6);
	assert_int_equal(which(&f, P1, 10), b);
	f.dst[5] ^= 1; /* the last byte is matched too (the key's low half) */
	assert_int_equal(which(&f, P1, 10), 0);
	f.dst[5] ^= 1;
	f.dst[0] ^= 0x80; /* and the first */
	assert_int_equal(which(&f, P1, 10), 0);
}

static void test_match_eth_type_tagged(void **state)
{
	struct frame f = frame_default();
	struct dp_flow r = rule(100, "drop");
	uint32_t a;

	(void)state;
	r.match.fields = DP_FLOW_BIT(DP_FLOW_ETH_TYPE);
	r.match.eth_type = 0x0806;
	a = add(r);
	f.ipv = 0;
	f.eth_type = 0x0806;
	assert_int_equal(which(&f, P1, 10), a);
	f.vlan = 10; /* the type after the 802.1Q tag counts */
	assert_int_equal(which(&f, TRUNK, 10), a);
	f.eth_type = 0x0800;
	f.ipv = 4;
	assert_int_equal(which(&f, TRUNK, 10), 0);
}

static void test_match_ipv4_prefixes(void **state)
{
	struct frame f = frame_default();
	struct dp_flow rs = rule(100, "drop"), rd = rule(90, "drop"), r0 = rule(80, "drop");
	uint32_t a, b, c;

	(void)state;
	rs.match.fields = DP_FLOW_BIT(DP_FLOW_IP_SRC);
	rs.match.ip_version = 4;
	set_prefix(rs.match.ip_src, &rs.match.ip_src_len, (uint8_t[]){198, 51, 100, 0}, 4, 24);
	rd.match.fields = DP_FLOW_BIT(DP_FLOW_IP_DST);
	rd.match.ip_version = 4;
	set_prefix(rd.match.ip_dst, &rd.match.ip_dst_len, (uint8_t[]){203, 0, 113, 77}, 4, 32);
	/* /0 matches every IPv4 frame, and only those (the prefix implies eth_type) */
	r0.match.fields = DP_FLOW_BIT(DP_FLOW_IP_DST);
	r0.match.ip_version = 4;
	r0.match.ip_dst_len = 0;
	a = add(rs);
	b = add(rd);
	c = add(r0);
	assert_int_equal(which(&f, P1, 10), a);
	f.ip_src[2] = 101;
	assert_int_equal(which(&f, P1, 10), c);
	memcpy(f.ip_dst, (uint8_t[]){203, 0, 113, 77}, 4);
	assert_int_equal(which(&f, P1, 10), b);
	f.ip_dst[3] = 78;
	assert_int_equal(which(&f, P1, 10), c);
	f.ipv = 0;
	f.eth_type = 0x0806;
	assert_int_equal(which(&f, P1, 10), 0);
}

static void test_match_proto_ports_fragments(void **state)
{
	struct frame f = frame_default();
	struct dp_flow r = rule(100, "drop"), rs = rule(90, "drop");
	uint32_t a, b;

	(void)state;
	r.match.fields = DP_FLOW_BIT(DP_FLOW_ETH_TYPE) | DP_FLOW_BIT(DP_FLOW_IP_PROTO) |
			 DP_FLOW_BIT(DP_FLOW_L4_DST);
	r.match.eth_type = 0x0800;
	r.match.ip_proto = 17;
	r.match.l4_dst = 53;
	rs.match.fields = DP_FLOW_BIT(DP_FLOW_ETH_TYPE) | DP_FLOW_BIT(DP_FLOW_IP_PROTO) |
			  DP_FLOW_BIT(DP_FLOW_L4_SRC);
	rs.match.eth_type = 0x0800;
	rs.match.ip_proto = 6;
	rs.match.l4_src = 179;
	a = add(r);
	b = add(rs);
	f.dport = 53;
	assert_int_equal(which(&f, P1, 10), a);
	f.dport = 54;
	assert_int_equal(which(&f, P1, 10), 0);
	f.dport = 53;
	f.proto = 6; /* TCP to 53 is not UDP to 53 */
	assert_int_equal(which(&f, P1, 10), 0);
	f.sport = 179;
	assert_int_equal(which(&f, P1, 10), b);
	f.proto = 17;
	f.frag = 100; /* not the first fragment: bytes there are payload, not ports */
	f.sport = 49152;
	assert_int_equal(which(&f, P1, 10), 0);
	f.frag = 0x2000; /* first fragment (more fragments): ports are there */
	assert_int_equal(which(&f, P1, 10), a);
}

static void test_match_ipv6(void **state)
{
	struct frame f = frame_default();
	struct dp_flow rs = rule(100, "drop"), rd = rule(90, "drop"), r4 = rule(80, "drop");
	uint8_t p[16];
	uint32_t a, b, c;

	(void)state;
	rs.match.fields = DP_FLOW_BIT(DP_FLOW_IP_SRC) | DP_FLOW_BIT(DP_FLOW_IP_PROTO) |
			  DP_FLOW_BIT(DP_FLOW_L4_DST);
	rs.match.ip_version = 6;
	ip6(p, 0x2001, 0x0db8, 0);
	set_prefix(rs.match.ip_src, &rs.match.ip_src_len, p, 16, 32);
	rs.match.ip_proto = 6;
	rs.match.l4_dst = 22;
	/* a /128 exercises the fourth 32-bit word of the key */
	rd.match.fields = DP_FLOW_BIT(DP_FLOW_IP_DST);
	rd.match.ip_version = 6;
	ip6(p, 0x2001, 0x0db8, 0x0042);
	set_prefix(rd.match.ip_dst, &rd.match.ip_dst_len, p, 16, 128);
	/* an IPv4 rule whose address equals the IPv6 frame's first word */
	r4.match.fields = DP_FLOW_BIT(DP_FLOW_IP_SRC);
	r4.match.ip_version = 4;
	set_prefix(r4.match.ip_src, &r4.match.ip_src_len, (uint8_t[]){0x20, 0x01, 0x0d, 0xb8}, 4,
		   32);
	a = add(rs);
	b = add(rd);
	c = add(r4);
	f.eth_type = 0x86dd;
	f.ipv = 6;
	ip6(f.ip_src, 0x2001, 0x0db8, 7);
	ip6(f.ip_dst, 0x2001, 0x0db9, 0x42);
	f.proto = 6;
	f.dport = 22;
	assert_int_equal(which(&f, P1, 10), a);
	f.dport = 23;
	assert_int_equal(which(&f, P1, 10), 0); /* and never the IPv4 rule c */
	ip6(f.ip_dst, 0x2001, 0x0db8, 0x42);
	assert_int_equal(which(&f, P1, 10), b);
	f.ip_dst[15] = 0x43;
	assert_int_equal(which(&f, P1, 10), 0);
	f.eth_type = 0x0800;
	f.ipv = 4;
	memcpy(f.ip_src, (uint8_t[]){0x20, 0x01, 0x0d, 0xb8}, 4);
	assert_int_equal(which(&f, P1, 10), c);
}

static void test_priorities(void **state)
{
	struct frame f = frame_default();
	struct dp_flow lo = rule(10, "drop"), hi = rule(500, "drop"), eq = rule(10, "drop");
	char err[256];
	uint32_t a, b, c;

	(void)state;
	/* added low first: the order of addition must not matter */
	lo.match.fields = DP_FLOW_BIT(DP_FLOW_IN_PORT);
	snprintf(lo.match.in_port, sizeof(lo.match.in_port), "p1");
	hi.match.fields = DP_FLOW_BIT(DP_FLOW_ETH_TYPE);
	hi.match.eth_type = 0x0800;
	eq.match = lo.match;
	a = add(lo);
	b = add(hi);
	c = add(eq);
	assert_int_equal(which(&f, P1, 10), b);
	assert_int_equal(dp_flow_del(g_dp, "br0", b, NULL, err, sizeof(err)), 1);
	/* equal priorities: the older rule wins */
	assert_int_equal(which(&f, P1, 10), a);
	assert_int_equal(dp_flow_del(g_dp, "br0", a, NULL, err, sizeof(err)), 1);
	assert_int_equal(which(&f, P1, 10), c);
	/* raising a priority with flow-mod reorders */
	hi = rule(600, "count");
	b = add(rule(300, "drop"));
	assert_int_equal(which(&f, P1, 10), b);
	assert_int_equal(dp_flow_mod(g_dp, "br0", c, NULL, &hi, true, err, sizeof(err)), 0);
	assert_int_equal(which(&f, P1, 10), c);
}

static void test_many_rules(void **state)
{
	enum { N = 2000 };
	struct dp_flow *fs = calloc(N, sizeof(*fs));
	uint32_t *ids = calloc(N, sizeof(*ids));
	struct frame f = frame_default();
	char err[256] = "";

	(void)state;
	assert_non_null(fs);
	assert_non_null(ids);
	for (int i = 0; i < N; i++) {
		fs[i] = rule((uint16_t)(i % 7), "drop");
		fs[i].match.fields = DP_FLOW_BIT(DP_FLOW_IP_DST) | DP_FLOW_BIT(DP_FLOW_IP_PROTO) |
				     DP_FLOW_BIT(DP_FLOW_L4_DST);
		fs[i].match.ip_version = 4;
		set_prefix(fs[i].match.ip_dst, &fs[i].match.ip_dst_len,
			   (uint8_t[]){198, 18, (uint8_t)(i >> 8), (uint8_t)i}, 4, 32);
		fs[i].match.ip_proto = 17;
		fs[i].match.l4_dst = (uint16_t)(1000 + i % 50);
	}
	/* one batch, one build */
	assert_int_equal(dp_flow_add(g_dp, "br0", fs, N, ids, err, sizeof(err)), 0);
	for (int i = 0; i < N; i += 37) {
		memcpy(f.ip_dst, (uint8_t[]){198, 18, (uint8_t)(i >> 8), (uint8_t)i}, 4);
		f.dport = (uint16_t)(1000 + i % 50);
		assert_int_equal(which(&f, P1, 10), ids[i]);
		f.dport++; /* each address has a rule for one port only */
		assert_int_equal(which(&f, P1, 10), 0);
	}
	free(fs);
	free(ids);
}

/* ---- tests: actions ---- */

static unsigned int run(struct rte_mbuf **pkts, uint16_t *vids, bool *tagged, unsigned int n,
			int in)
{
	uint64_t keys[2 * VSW_BURST];

	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(pkts[i], const uint8_t *);

		keys[2 * i] = fdb_key_hdr(vids[i], d + 6);
		keys[2 * i + 1] = fdb_key_hdr(vids[i], d);
	}
	n = flow_input_burst(g_w, &g_br, g_ports[in], atomic_load(&g_br.flows), pkts, vids, tagged,
			     keys, n, 0);
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(pkts[i], const uint8_t *);

		/* the frames left for the bridge carry fdb keys of their (new) VLAN */
		assert_true(keys[2 * i] == fdb_key_hdr(vids[i], d + 6));
		assert_true(keys[2 * i + 1] == fdb_key_hdr(vids[i], d));
	}
	return n;
}

static struct txbuf *txb(int port)
{
	return &g_w->tx[g_ports[port]->idx];
}

static int frame_vlan(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

	if (d[12] != 0x81 || d[13] != 0)
		return -1;
	return ((d[14] & 0x0f) << 8) | d[15];
}

static uint32_t got_id;

static void got_cb(const struct dp_flow *fl, void *arg)
{
	if (fl->id == got_id)
		*(struct dp_flow *)arg = *fl;
}

static void test_action_drop_and_counters(void **state)
{
	struct frame f = frame_default();
	struct dp_flow r = rule(100, "count,drop");
	struct rte_mbuf *pkts[4];
	uint16_t vids[4] = {10, 10, 10, 10};
	bool tagged[4] = {0};
	struct dp_flow got;
	char err[256];
	uint32_t id;

	(void)state;
	r.match.fields = DP_FLOW_BIT(DP_FLOW_IP_DST);
	r.match.ip_version = 4;
	set_prefix(r.match.ip_dst, &r.match.ip_dst_len, (uint8_t[]){203, 0, 113, 9}, 4, 32);
	id = add(r);
	for (int i = 0; i < 4; i++) {
		memcpy(f.ip_dst, (uint8_t[]){203, 0, 113, (uint8_t)(i & 1 ? 9 : 10)}, 4);
		pkts[i] = frame_mbuf(&f);
	}
	/* frames 1 and 3 are dropped; 0 and 2 go on, in order */
	struct rte_mbuf *m0 = pkts[0], *m2 = pkts[2];
	assert_int_equal(run(pkts, vids, tagged, 4, P1), 2);
	assert_ptr_equal(pkts[0], m0);
	assert_ptr_equal(pkts[1], m2);
	assert_int_equal(g_ports[P1]->stats[0].drops[VSW_DROP_flow_drop], 2);
	rte_pktmbuf_free_bulk(pkts, 2);

	/* counters: 2 frames of 128 bytes; they survive a modify and another rule's add */
	got_id = id;
	memset(&got, 0, sizeof(got));
	assert_int_equal(dp_flow_dump(g_dp, "br0", got_cb, &got, err, sizeof(err)), 1);
	assert_int_equal(got.packets, 2);
	assert_int_equal(got.bytes, 256);
	r = rule(0, "drop");
	assert_int_equal(dp_flow_mod(g_dp, "br0", id, NULL, &r, false, err, sizeof(err)), 0);
	add(rule(1, "normal"));
	memset(&got, 0, sizeof(got));
	assert_int_equal(dp_flow_dump(g_dp, "br0", got_cb, &got, err, sizeof(err)), 2);
	assert_int_equal(got.packets, 2);
	assert_int_equal(got.priority, 100); /* not changed without set_priority */
	assert_int_equal(got.n_actions, 1);
	assert_int_equal(got.actions[0].type, DP_FLOW_ACT_DROP);
}

static void test_action_output_vlan_aware(void **state)
{
	struct frame f = frame_default();
	struct dp_flow r = rule(100, "output:tr"), r2 = rule(100, "output:cap");
	struct rte_mbuf *pkts[2];
	uint16_t vids[2] = {10, 10};
	bool tagged[2] = {0};

	(void)state;
	r.match.fields = DP_FLOW_BIT(DP_FLOW_IN_PORT);
	snprintf(r.match.in_port, sizeof(r.match.in_port), "p1");
	r2.match.fields = DP_FLOW_BIT(DP_FLOW_IN_PORT);
	snprintf(r2.match.in_port, sizeof(r2.match.in_port), "p2");
	add(r);
	add(r2);
	pkts[0] = frame_mbuf(&f);
	assert_int_equal(run(pkts, vids, tagged, 1, P1), 0);
	/* an untagged VLAN 10 frame to a trunk leaves tagged 10, as normal forwarding would */
	assert_int_equal(txb(TRUNK)->n, 1);
	assert_int_equal(frame_vlan(txb(TRUNK)->m[0]), 10);
	/* a port in no bridge gets the frame as it is */
	pkts[0] = frame_mbuf(&f);
	assert_int_equal(run(pkts, vids, tagged, 1, P2), 0);
	assert_int_equal(txb(CAP)->n, 1);
	assert_int_equal(frame_vlan(txb(CAP)->m[0]), -1);
	assert_int_equal(txb(P3)->n, 0);
}

static void test_action_flood_normal_mirror(void **state)
{
	struct frame f = frame_default();
	struct dp_flow rf = rule(100, "flood"), rm = rule(90, "mirror:cap,count,normal");
	struct rte_mbuf *pkts[2], *orig;
	uint16_t vids[2] = {10, 10};
	bool tagged[2] = {0};

	(void)state;
	rf.match.fields = DP_FLOW_BIT(DP_FLOW_IN_PORT);
	snprintf(rf.match.in_port, sizeof(rf.match.in_port), "p1");
	rm.match.fields = DP_FLOW_BIT(DP_FLOW_IN_PORT);
	snprintf(rm.match.in_port, sizeof(rm.match.in_port), "p2");
	add(rf);
	add(rm);
	pkts[0] = frame_mbuf(&f);
	assert_int_equal(run(pkts, vids, tagged, 1, P1), 0);
	/* every other port of VLAN 10: p2, p3 and the trunk (tagged); not cap, not p1 */
	assert_int_equal(txb(P1)->n, 0);
	assert_int_equal(txb(P2)->n, 1);
	assert_int_equal(txb(P3)->n, 1);
	assert_int_equal(txb(TRUNK)->n, 1);
	assert_int_equal(frame_vlan(txb(TRUNK)->m[0]), 10);
	assert_int_equal(txb(CAP)->n, 0);
	tx_clear();
	orig = pkts[0] = frame_mbuf(&f);
	assert_int_equal(run(pkts, vids, tagged, 1, P2), 1);
	assert_ptr_equal(pkts[0], orig); /* the original goes on to learning */
	assert_int_equal(txb(CAP)->n, 1);
	assert_ptr_not_equal(txb(CAP)->m[0], orig);
	assert_memory_equal(rte_pktmbuf_mtod(txb(CAP)->m[0], void *),
			    rte_pktmbuf_mtod(orig, void *), 128);
	rte_pktmbuf_free(orig);
}

static void test_action_vlans(void **state)
{
	struct frame f = frame_default();
	struct dp_flow rs = rule(100, "set_vlan:20,normal"),
		       rp = rule(100, "push_vlan:30,output:p3");
	struct dp_flow rpop = rule(100, "pop_vlan,output:cap");
	struct rte_mbuf *pkts[1];
	uint16_t vids[1];
	bool tagged[1];

	(void)state;
	rs.match.fields = DP_FLOW_BIT(DP_FLOW_IN_PORT);
	snprintf(rs.match.in_port, sizeof(rs.match.in_port), "p1");
	rp.match.fields = DP_FLOW_BIT(DP_FLOW_IN_PORT);
	snprintf(rp.match.in_port, sizeof(rp.match.in_port), "p2");
	rpop.match.fields = DP_FLOW_BIT(DP_FLOW_IN_PORT);
	snprintf(rpop.match.in_port, sizeof(rpop.match.in_port), "tr");
	add(rs);
	add(rp);
	add(rpop);

	/* set_vlan + normal: the bridge sees VLAN 20 (keys checked by run()) */
	pkts[0] = frame_mbuf(&f);
	vids[0] = 10, tagged[0] = false;
	assert_int_equal(run(pkts, vids, tagged, 1, P1), 1);
	assert_int_equal(vids[0], 20);
	assert_false(tagged[0]);
	rte_pktmbuf_free(pkts[0]);

	/* push_vlan + output: the access port gets the tag the rule pushed, as is */
	pkts[0] = frame_mbuf(&f);
	vids[0] = 10, tagged[0] = false;
	assert_int_equal(run(pkts, vids, tagged, 1, P2), 0);
	assert_int_equal(txb(P3)->n, 1);
	assert_int_equal(frame_vlan(txb(P3)->m[0]), 30);
	assert_int_equal(rte_pktmbuf_data_len(txb(P3)->m[0]), 132);

	/* pop_vlan + output: a tagged frame from the trunk leaves without its tag */
	f.vlan = 20;
	pkts[0] = frame_mbuf(&f);
	vids[0] = 20, tagged[0] = true;
	assert_int_equal(run(pkts, vids, tagged, 1, TRUNK), 0);
	assert_int_equal(txb(CAP)->n, 1);
	assert_int_equal(frame_vlan(txb(CAP)->m[0]), -1);
	assert_int_equal(rte_pktmbuf_data_len(txb(CAP)->m[0]), 128 - 4);
	assert_memory_equal(rte_pktmbuf_mtod(txb(CAP)->m[0], uint8_t *) + 6, f.src, 6);
}

/* ---- tests: the control side ---- */

static void test_refusals(void **state)
{
	struct dp_flow r;
	char err[256];

	(void)state;
	r = rule(1, "drop");
	r.match.fields = DP_FLOW_BIT(DP_FLOW_L4_DST);
	assert_int_equal(add_err(r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ip_proto"));
	r.match.fields = DP_FLOW_BIT(DP_FLOW_IP_PROTO);
	assert_int_equal(add_err(r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "eth_type"));
	r.match.fields = DP_FLOW_BIT(DP_FLOW_IP_SRC) | DP_FLOW_BIT(DP_FLOW_ETH_TYPE);
	r.match.ip_version = 4;
	r.match.eth_type = 0x86dd;
	assert_int_equal(add_err(r, err, sizeof(err)), -EINVAL);
	r.match.eth_type = 0x0800;
	set_prefix(r.match.ip_src, &r.match.ip_src_len, (uint8_t[]){10, 1, 2, 3}, 4, 8);
	assert_int_equal(add_err(r, err, sizeof(err)), -EINVAL); /* host bits */
	r = rule(1, "output:nope");
	assert_int_equal(add_err(r, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "nope"));
	r = rule(1, "drop,count");
	assert_int_equal(add_err(r, err, sizeof(err)), -EINVAL);
	r = rule(1, "push_vlan:5,normal");
	assert_int_equal(add_err(r, err, sizeof(err)), -EINVAL);
	r = rule(1, "set_vlan:4095");
	assert_int_equal(add_err(r, err, sizeof(err)), -EINVAL);
	r = rule(1, "drop");
	assert_int_equal(dp_flow_add(g_dp, "nobr", &r, 1, NULL, err, sizeof(err)), -ENOENT);
	/* a batch with one bad flow adds nothing */
	struct dp_flow batch[3] = {rule(1, "drop"), rule(2, "output:zz"), rule(3, "drop")};
	assert_int_equal(dp_flow_add(g_dp, "br0", batch, 3, NULL, err, sizeof(err)), -ENOENT);
	assert_null(atomic_load(&g_br.flows));
	/* names are unique per bridge */
	r = rule(1, "drop");
	snprintf(r.name, sizeof(r.name), "web");
	add(r);
	assert_int_equal(add_err(r, err, sizeof(err)), -EEXIST);
	assert_int_equal(dp_flow_del(g_dp, "br0", 0, "nope", err, sizeof(err)), -ENOENT);
	assert_int_equal(dp_flow_del(g_dp, "br0", 999999, NULL, err, sizeof(err)), -ENOENT);
	assert_int_equal(dp_flow_mod(g_dp, "br0", 0, "nope", &r, false, err, sizeof(err)), -ENOENT);
	/* a refused modify leaves the rule as it was */
	r = rule(1, "output:nope");
	assert_int_equal(dp_flow_mod(g_dp, "br0", 0, "web", &r, false, err, sizeof(err)), -ENOENT);
	assert_int_equal(dp_flow_del(g_dp, "br0", 0, "web", err, sizeof(err)), 1);
}

/* ---- tests: VNI ---- */

static void test_match_vni(void **state)
{
	static struct vxlan_tun tun = {.vni = 100};
	struct frame f = frame_default();
	struct dp_flow rt = rule(100, "drop"), rl = rule(90, "count,normal");
	struct rte_mbuf *pkts[1];
	uint16_t vids[1] = {10};
	bool tagged[1] = {false};
	uint32_t a, b;

	(void)state;
	rt.match.fields = DP_FLOW_BIT(DP_FLOW_VNI);
	rt.match.vni = 100;
	rl.match.fields = DP_FLOW_BIT(DP_FLOW_VNI); /* vni 0: frames of local ports */
	a = add(rt);
	b = add(rl);
	assert_int_equal(which_vni(&f, P3, 10, 100), a);
	assert_int_equal(which_vni(&f, P3, 10, 101), 0);
	assert_int_equal(which_vni(&f, P3, 10, 0), b);
	/* flow_input_burst takes the VNI from the port: a tunnel port's, or none */
	g_ports[P3]->tun = &tun;
	pkts[0] = frame_mbuf(&f);
	assert_int_equal(run(pkts, vids, tagged, 1, P3), 0);
	g_ports[P3]->tun = NULL;
	assert_int_equal(g_ports[P3]->stats[0].drops[VSW_DROP_flow_drop], 1);
	pkts[0] = frame_mbuf(&f);
	assert_int_equal(run(pkts, vids, tagged, 1, P3), 1);
	rte_pktmbuf_free(pkts[0]);
	rt.match.vni = 1u << 24;
	assert_int_equal(add_err(rt, (char[256]){0}, 256), -EINVAL);
}

/* ---- tests: incremental updates ---- */

static void test_delta_and_merge(void **state)
{
	struct frame f = frame_default();
	struct dp_flow all = rule(500, "count,normal"), lo = rule(10, "drop"), r, arp;
	struct flow_shape sh;
	char err[256];
	uint32_t a, b, c;

	(void)state;
	all.match.fields = DP_FLOW_BIT(DP_FLOW_ETH_TYPE);
	all.match.eth_type = 0x0800;
	lo.match.fields = DP_FLOW_BIT(DP_FLOW_IN_PORT);
	snprintf(lo.match.in_port, sizeof(lo.match.in_port), "p1");
	a = add(all);
	b = add(lo);
	assert_int_equal(flow_bridge_merge(g_dp, &g_br, true), 0);
	flow_bridge_shape(&g_br, &sh);
	assert_int_equal(sh.base, 2);
	assert_int_equal(sh.delta + sh.dead, 0);
	/* a base big enough that one change is a delta; these overlap no IPv4 rule */
	arp = rule(1, "normal");
	arp.match.fields = DP_FLOW_BIT(DP_FLOW_ETH_TYPE);
	arp.match.eth_type = 0x0806;
	for (int i = 0; i < 10; i++)
		add(arp);
	assert_int_equal(flow_bridge_merge(g_dp, &g_br, true), 0);
	assert_int_equal(which(&f, P1, 10), a);
	/* deleting the catch-all kills its base entry: the rule it hid shows through the
	 * delta */
	assert_int_equal(dp_flow_del(g_dp, "br0", a, NULL, err, sizeof(err)), 1);
	flow_bridge_shape(&g_br, &sh);
	assert_int_equal(sh.dead, 1);
	assert_int_equal(sh.delta, 1); /* b, and none of the ARP rules */
	assert_int_equal(which(&f, P1, 10), b);
	/* a new rule in the delta outranks the base's */
	r = rule(20, "drop");
	r.match = lo.match;
	c = add(r);
	assert_int_equal(which(&f, P1, 10), c);
	/* lowering its priority below b's: b again */
	r = rule(5, "drop");
	assert_int_equal(dp_flow_mod(g_dp, "br0", c, NULL, &r, true, err, sizeof(err)), 0);
	assert_int_equal(which(&f, P1, 10), b);
	/* merged: the same answers from one base */
	assert_int_equal(flow_bridge_merge(g_dp, &g_br, true), 0);
	flow_bridge_shape(&g_br, &sh);
	assert_int_equal(sh.delta + sh.dead, 0);
	assert_int_equal(sh.base, 12);
	assert_int_equal(which(&f, P1, 10), b);
}

/* ---- tests: random rule sets against a linear scan ---- */

struct model {
	uint32_t id;
	struct dp_flow f; /* as added or modified (priority, actions) */
	uint64_t packets;
};

static uint32_t rnd_state;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static struct dp_flow rnd_rule(void)
{
	static const uint8_t macs[3][6] = {
		{0x02, 0, 0, 0, 0, 0x01}, {0x02, 0, 0, 0, 0, 0x02}, {0x02, 0, 0, 0, 0x10, 0x01}};
	static const uint8_t nets[3][4] = {{198, 51, 100, 0}, {198, 51, 100, 64}, {203, 0, 113, 0}};
	struct dp_flow f = rule((uint16_t)rnd(4), rnd(2) ? "count,normal" : "normal");
	struct dp_flow_match *m = &f.match;

	if (rnd(4) == 0) {
		m->fields |= DP_FLOW_BIT(DP_FLOW_IN_PORT);
		snprintf(m->in_port, sizeof(m->in_port), "%s", port_names[rnd(3)]);
	}
	if (rnd(4) == 0) {
		m->fields |= DP_FLOW_BIT(DP_FLOW_VLAN);
		m->vlan = rnd(2) ? 10 : 20;
	}
	if (rnd(4) == 0) {
		m->fields |= DP_FLOW_BIT(DP_FLOW_ETH_SRC);
		memcpy(m->eth_src, macs[rnd(3)], 6);
		memset(m->eth_src_mask, 0xff, 6);
		if (rnd(2))
			m->eth_src_mask[5] = 0; /* 02:00:00:00:xx:00 */
		m->eth_src[5] &= m->eth_src_mask[5];
	}
	if (rnd(5) == 0) {
		m->fields |= DP_FLOW_BIT(DP_FLOW_ETH_DST);
		memcpy(m->eth_dst, macs[rnd(3)], 6);
		memset(m->eth_dst_mask, 0xff, 6);
	}
	if (rnd(3) == 0) {
		static const uint8_t lens[4] = {0, 24, 26, 32};
		uint8_t len = lens[rnd(4)];
		uint8_t *a = rnd(2) ? m->ip_src : m->ip_dst;

		m->fields |= DP_FLOW_BIT(a == m->ip_src ? DP_FLOW_IP_SRC : DP_FLOW_IP_DST);
		m->ip_version = 4;
		memcpy(a, nets[rnd(3)], 4);
		if (len == 32)
			a[3] |= (uint8_t)rnd(2);
		if (len < 32)
			a[3] &= (uint8_t)(len == 26 ? 0xc0 : 0);
		if (len == 0)
			memset(a, 0, 4);
		*(a == m->ip_src ? &m->ip_src_len : &m->ip_dst_len) = len;
	} else if (rnd(4) == 0) {
		m->fields |= DP_FLOW_BIT(DP_FLOW_ETH_TYPE);
		m->eth_type = rnd(2) ? 0x0800 : 0x0806;
	}
	if (rnd(3) == 0 &&
	    (m->fields & (DP_FLOW_BIT(DP_FLOW_IP_SRC) | DP_FLOW_BIT(DP_FLOW_IP_DST) |
			  DP_FLOW_BIT(DP_FLOW_ETH_TYPE))) &&
	    (m->ip_version == 4 || m->eth_type == 0x0800)) {
		m->fields |= DP_FLOW_BIT(DP_FLOW_IP_PROTO);
		m->ip_proto = rnd(2) ? 17 : 6;
		if (rnd(2)) {
			m->fields |= DP_FLOW_BIT(DP_FLOW_L4_DST);
			m->l4_dst = rnd(2) ? 53 : 80;
		}
	}
	if (rnd(4) == 0) {
		m->fields |= DP_FLOW_BIT(DP_FLOW_VNI);
		m->vni = rnd(2) ? 100 : 0;
	}
	return f;
}

static bool prefix_match(const uint8_t *rule_a, unsigned int len, const uint8_t *a)
{
	for (unsigned int b = 0; b < len; b++)
		if ((rule_a[b / 8] ^ a[b / 8]) & (0x80 >> (b % 8)))
			return false;
	return true;
}

/* The reference: does rule f match frame fr from port in (index into g_ports)? */
static bool ref_match(const struct dp_flow *f, const struct frame *fr, int in, uint16_t vid,
		      uint32_t vni)
{
	const struct dp_flow_match *m = &f->match;
	bool ip = fr->ipv == 4;

	if ((m->fields & DP_FLOW_BIT(DP_FLOW_IN_PORT)) && strcmp(m->in_port, port_names[in]))
		return false;
	if ((m->fields & DP_FLOW_BIT(DP_FLOW_VLAN)) && m->vlan != vid)
		return false;
	for (int i = 0; i < 6; i++) {
		if ((m->fields & DP_FLOW_BIT(DP_FLOW_ETH_SRC)) &&
		    ((m->eth_src[i] ^ fr->src[i]) & m->eth_src_mask[i]))
			return false;
		if ((m->fields & DP_FLOW_BIT(DP_FLOW_ETH_DST)) &&
		    ((m->eth_dst[i] ^ fr->dst[i]) & m->eth_dst_mask[i]))
			return false;
	}
	if ((m->fields & DP_FLOW_BIT(DP_FLOW_ETH_TYPE)) && m->eth_type != fr->eth_type)
		return false;
	if ((m->fields & (DP_FLOW_BIT(DP_FLOW_IP_SRC) | DP_FLOW_BIT(DP_FLOW_IP_DST))) && !ip)
		return false;
	if ((m->fields & DP_FLOW_BIT(DP_FLOW_IP_SRC)) &&
	    !prefix_match(m->ip_src, m->ip_src_len, fr->ip_src))
		return false;
	if ((m->fields & DP_FLOW_BIT(DP_FLOW_IP_DST)) &&
	    !prefix_match(m->ip_dst, m->ip_dst_len, fr->ip_dst))
		return false;
	if ((m->fields & DP_FLOW_BIT(DP_FLOW_IP_PROTO)) && (!ip || m->ip_proto != fr->proto))
		return false;
	if ((m->fields & DP_FLOW_BIT(DP_FLOW_L4_DST)) && m->l4_dst != fr->dport)
		return false;
	if ((m->fields & DP_FLOW_BIT(DP_FLOW_VNI)) && m->vni != vni)
		return false;
	return true;
}

static struct frame rnd_frame(void)
{
	static const uint8_t hosts[4][4] = {
		{198, 51, 100, 0}, {198, 51, 100, 1}, {198, 51, 100, 70}, {203, 0, 113, 1}};
	struct frame f = frame_default();

	f.src[4] = rnd(2) ? 0x10 : 0;
	f.src[5] = (uint8_t)(1 + rnd(3));
	f.dst[4] = rnd(2) ? 0x10 : 0;
	f.dst[5] = (uint8_t)(1 + rnd(2));
	memcpy(f.ip_src, hosts[rnd(4)], 4);
	memcpy(f.ip_dst, hosts[rnd(4)], 4);
	f.proto = rnd(2) ? 17 : 6;
	f.dport = rnd(2) ? 53 : 80;
	if (rnd(5) == 0) {
		f.ipv = 0;
		f.eth_type = 0x0806;
	}
	return f;
}

static void cross_check(struct model *mod, unsigned int n, unsigned int frames)
{
	for (unsigned int k = 0; k < frames; k++) {
		struct frame f = rnd_frame();
		int in = (int)rnd(3);
		uint16_t vid = rnd(2) ? 10 : 20;
		uint32_t vni = rnd(3) == 0 ? 100 : 0, want = 0, got;
		struct model *best = NULL;
		struct rte_mbuf *pkts[1];
		bool tagged[1] = {false};

		for (unsigned int i = 0; i < n; i++) {
			if (!ref_match(&mod[i].f, &f, in, vid, vni))
				continue;
			if (best == NULL || mod[i].f.priority > best->f.priority ||
			    (mod[i].f.priority == best->f.priority && mod[i].id < best->id))
				best = &mod[i];
		}
		want = best ? best->id : 0;
		got = which_vni(&f, in, vid, vni);
		if (got != want)
			fail_msg("frame %u: rule %u, expected %u", k, got, want);
		if (vni == 0) { /* counted through the worker's path too */
			pkts[0] = frame_mbuf(&f);
			if (run(pkts, &vid, tagged, 1, in) == 1)
				rte_pktmbuf_free(pkts[0]);
			if (best != NULL)
				best->packets++;
		}
	}
}

static void counters_check(struct model *mod, unsigned int n)
{
	char err[256];

	for (unsigned int i = 0; i < n; i++) {
		struct dp_flow got;

		got_id = mod[i].id;
		memset(&got, 0, sizeof(got));
		assert_int_equal(dp_flow_dump(g_dp, "br0", got_cb, &got, err, sizeof(err)), n);
		assert_int_equal(got.id, mod[i].id);
		if (got.packets != mod[i].packets)
			fail_msg("rule %u: %" PRIu64 " packets, expected %" PRIu64, mod[i].id,
				 got.packets, mod[i].packets);
	}
}

static void test_random_against_linear_scan(void **state)
{
	enum { MAXR = 400, ROUNDS = 6, OPS = 150 };
	struct model *mod = calloc(MAXR, sizeof(*mod));
	struct dp_flow *batch = calloc(MAXR, sizeof(*batch));
	uint32_t *ids = calloc(MAXR, sizeof(*ids));
	unsigned int n = 0, merges = 0, inflight = 0;
	struct flow_shape sh;
	char err[256];

	(void)state;
	assert_non_null(mod);
	assert_non_null(batch);
	assert_non_null(ids);
	rnd_state = 20261124;
	for (int round = 0; round < ROUNDS; round++) {
		unsigned int nb = 100 + rnd(150);

		dp_flow_del(g_dp, "br0", 0, NULL, err, sizeof(err));
		n = 0;
		for (unsigned int i = 0; i < nb; i++)
			batch[i] = rnd_rule();
		if (dp_flow_add(g_dp, "br0", batch, nb, ids, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		for (unsigned int i = 0; i < nb; i++)
			mod[n++] = (struct model){.id = ids[i], .f = batch[i]};
		cross_check(mod, n, 100);
		for (int op = 0; op < OPS; op++) {
			unsigned int k = n ? rnd(n) : 0, what = rnd(10);

			if (what < 3 && n < MAXR) {
				struct dp_flow f = rnd_rule();

				mod[n++] = (struct model){.id = add(f), .f = f};
			} else if (what < 6 && n > 1) {
				assert_int_equal(
					dp_flow_del(g_dp, "br0", mod[k].id, NULL, err, sizeof(err)),
					1);
				mod[k] = mod[--n];
			} else if (what < 9 && n > 0) {
				struct dp_flow f =
					rule((uint16_t)rnd(4), rnd(2) ? "count,normal" : "normal");
				bool prio = rnd(3) != 0;

				if (dp_flow_mod(g_dp, "br0", mod[k].id, NULL, &f, prio, err,
						sizeof(err)) != 0)
					fail_msg("%s", err);
				if (prio)
					mod[k].f.priority = f.priority;
			} else if (rnd(2)) {
				/* merge now, or start one and keep changing rules meanwhile */
				assert_int_equal(flow_bridge_merge(g_dp, &g_br, true), 0);
				merges++;
			} else {
				assert_int_equal(flow_bridge_merge(g_dp, &g_br, false), 0);
				flow_bridge_shape(&g_br, &sh);
				inflight += sh.merging;
			}
			flow_bridge_shape(&g_br, &sh);
			if (sh.rules != n)
				fail_msg("op %d (%u): %u rules, expected %u", op, what, sh.rules,
					 n);
			cross_check(mod, n, 30);
		}
		counters_check(mod, n);
		assert_int_equal(flow_bridge_merge(g_dp, &g_br, true), 0);
		flow_bridge_shape(&g_br, &sh);
		assert_int_equal(sh.rules, n);
		assert_int_equal(sh.base, n);
		assert_int_equal(sh.delta + sh.dead, 0);
		cross_check(mod, n, 200);
		counters_check(mod, n);
	}
	print_message("%u merges, %u started in flight\n", merges, inflight);
	assert_true(inflight > 0);
	free(mod);
	free(batch);
	free(ids);
}

/* Rules name ports by index: a port that rules name must not be deleted (port-del asks
 * flow_port_users), or a later port taking its index would inherit them. Every way a rule
 * names a port counts (in_port, output, mirror), in any bridge; others do not. */
static void test_port_users(void **state)
{
	struct dp_flow ri = rule(100, "drop"), ro = rule(90, "output:p2"),
		       rm = rule(80, "mirror:cap,normal");
	uint32_t idi, ido, idm;
	char buf[256], want[256], small[12];

	(void)state;
	g_dp->bridges[0] = &g_br; /* flow_port_users walks dp->bridges */
	ri.match.fields = DP_FLOW_BIT(DP_FLOW_IN_PORT);
	snprintf(ri.match.in_port, sizeof(ri.match.in_port), "p1");
	snprintf(ro.name, sizeof(ro.name), "to-p2");
	idi = add(ri);
	ido = add(ro);
	idm = add(rm);

	assert_int_equal(flow_port_users(g_dp, g_ports[P1], buf, sizeof(buf)), 1);
	snprintf(want, sizeof(want), "br0 flow %u", idi);
	assert_string_equal(buf, want);
	assert_int_equal(flow_port_users(g_dp, g_ports[P2], buf, sizeof(buf)), 1);
	snprintf(want, sizeof(want), "br0 flow %u (to-p2)", ido);
	assert_string_equal(buf, want);
	assert_int_equal(flow_port_users(g_dp, g_ports[CAP], buf, sizeof(buf)), 1);
	snprintf(want, sizeof(want), "br0 flow %u", idm);
	assert_string_equal(buf, want);
	assert_int_equal(flow_port_users(g_dp, g_ports[P3], buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");

	/* a second rule on p1, and a buffer too small: counted all the same, cut with "..." */
	add(ri);
	assert_int_equal(flow_port_users(g_dp, g_ports[P1], buf, sizeof(buf)), 2);
	assert_non_null(strstr(buf, ", br0 flow "));
	assert_int_equal(flow_port_users(g_dp, g_ports[P1], small, sizeof(small)), 2);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_string_equal(small + sizeof(small) - 4, "...");

	/* a merge (rules into the base) and deletes are followed */
	assert_int_equal(flow_bridge_merge(g_dp, &g_br, true), 0);
	assert_int_equal(flow_port_users(g_dp, g_ports[P2], buf, sizeof(buf)), 1);
	assert_int_equal(dp_flow_del(g_dp, "br0", ido, NULL, buf, sizeof(buf)), 1);
	assert_int_equal(flow_port_users(g_dp, g_ports[P2], buf, sizeof(buf)), 0);
	assert_int_equal(dp_flow_del(g_dp, "br0", 0, NULL, buf, sizeof(buf)), 3);
	assert_int_equal(flow_port_users(g_dp, g_ports[P1], buf, sizeof(buf)), 0);
	assert_int_equal(flow_port_users(g_dp, g_ports[CAP], buf, sizeof(buf)), 0);
	g_dp->bridges[0] = NULL;
}

int main(void)
{
	char prefix[64], rundir[PATH_MAX];
	int rc;
	char *eal[] = {"test_flow_table",
		       "--no-huge",
		       "-m",
		       "128",
		       "--no-pci",
		       "--no-shconf",
		       "--no-telemetry",
		       "--file-prefix",
		       prefix,
		       "--log-level",
		       "lib.eal:error",
		       "-l",
		       "0"};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_empty_table_is_null, teardown),
		cmocka_unit_test_teardown(test_match_in_port_vlan, teardown),
		cmocka_unit_test_teardown(test_match_mac_masks, teardown),
		cmocka_unit_test_teardown(test_match_eth_type_tagged, teardown),
		cmocka_unit_test_teardown(test_match_ipv4_prefixes, teardown),
		cmocka_unit_test_teardown(test_match_proto_ports_fragments, teardown),
		cmocka_unit_test_teardown(test_match_ipv6, teardown),
		cmocka_unit_test_teardown(test_priorities, teardown),
		cmocka_unit_test_teardown(test_many_rules, teardown),
		cmocka_unit_test_teardown(test_action_drop_and_counters, teardown),
		cmocka_unit_test_teardown(test_action_output_vlan_aware, teardown),
		cmocka_unit_test_teardown(test_action_flood_normal_mirror, teardown),
		cmocka_unit_test_teardown(test_action_vlans, teardown),
		cmocka_unit_test_teardown(test_refusals, teardown),
		cmocka_unit_test_teardown(test_match_vni, teardown),
		cmocka_unit_test_teardown(test_delta_and_merge, teardown),
		cmocka_unit_test_teardown(test_random_against_linear_scan, teardown),
		cmocka_unit_test_teardown(test_port_users, teardown),
	};

	/* no files (--no-shconf) and a name of its own: runs beside anything */
	snprintf(prefix, sizeof(prefix), "vsw_test_flow_%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])), eal) < 0) {
		fprintf(stderr, "test_flow_table: EAL init failed (skipped)\n");
		return 77;
	}
	rc = cmocka_run_group_tests(tests, group_setup, NULL);
	/* EAL makes its (empty, with --no-shconf) runtime directory even so: leave nothing */
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(rundir);
	return rc;
}
