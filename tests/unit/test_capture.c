/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of captures: the pcapng/pcap blocks (dataplane/capture_fmt.c) byte by byte,
 * and the tap stage (dataplane/capture_tap.c) on hand-made frames with filters compiled
 * by libpcap and converted to eBPF as the dataplane does, interpreted and JIT-compiled:
 * which frames match, what is copied (snap length, metadata), and what is counted when
 * the ring is full. EAL runs in memory, without hugepages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>
#include <rte_bpf.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "capture.h"
#include "capture_fmt.h"

static struct rte_mempool *pkt_pool, *cap_pool;

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* Find option code in the options area [p, end); returns its value or NULL. */
static const uint8_t *opt_find(const uint8_t *p, const uint8_t *end, uint16_t code, uint16_t *len)
{
	while (p + 4 <= end) {
		uint16_t c = rd16(p), l = rd16(p + 2);

		if (c == 0)
			return NULL;
		if (c == code) {
			*len = l;
			return p + 4;
		}
		p += 4 + ((l + 3u) & ~3u);
	}
	return NULL;
}

static void check_block(const uint8_t *b, size_t n, uint32_t type)
{
	assert_true(n >= 12);
	assert_int_equal(n % 4, 0);
	assert_int_equal(rd32(b), type);
	assert_int_equal(rd32(b + 4), n);
	assert_int_equal(rd32(b + n - 4), n);
}

static void test_pcapng_shb_idb(void **state)
{
	uint8_t b[512];
	const uint8_t *v;
	uint16_t len;
	size_t n;

	(void)state;
	n = capfmt_pcapng_shb(b, sizeof(b), "vsw test");
	check_block(b, n, 0x0A0D0D0A);
	assert_int_equal(rd32(b + 8), 0x1A2B3C4D);
	assert_int_equal(rd16(b + 12), 1);
	v = opt_find(b + 24, b + n - 4, 4, &len);
	assert_non_null(v);
	assert_int_equal(len, 8);
	assert_memory_equal(v, "vsw test", 8);
	assert_int_equal(capfmt_pcapng_shb(b, n - 1, "vsw test"), 0);

	n = capfmt_pcapng_idb(b, sizeof(b), "port-1", "vlan 10", 1500);
	check_block(b, n, 1);
	assert_int_equal(rd16(b + 8), 1); /* Ethernet */
	assert_int_equal(rd32(b + 12), 1500);
	v = opt_find(b + 16, b + n - 4, 2, &len);
	assert_non_null(v);
	assert_int_equal(len, 6);
	assert_memory_equal(v, "port-1", 6);
	v = opt_find(b + 16, b + n - 4, 9, &len);
	assert_non_null(v);
	assert_int_equal(*v, 9); /* nanoseconds */
	v = opt_find(b + 16, b + n - 4, 11, &len);
	assert_non_null(v);
	assert_int_equal(len, 8);
	assert_int_equal(v[0], 0);
	assert_memory_equal(v + 1, "vlan 10", 7);
	/* no filter: no if_filter option */
	n = capfmt_pcapng_idb(b, sizeof(b), "p", "", 64);
	assert_null(opt_find(b + 16, b + n - 4, 11, &len));
	assert_int_equal(capfmt_pcapng_idb(b, 20, "p", NULL, 64), 0);
}

static void test_pcapng_epb(void **state)
{
	uint8_t b[512], data[61];
	const uint8_t *v;
	uint64_t ts = 1700000000123456789ull;
	uint16_t len;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	n = capfmt_pcapng_epb(b, sizeof(b), 3, ts, data, 61, 1514, CAPFMT_DIR_OUT, "drop: runt");
	check_block(b, n, 6);
	assert_int_equal(rd32(b + 8), 3);
	assert_int_equal(((uint64_t)rd32(b + 12) << 32) | rd32(b + 16), ts);
	assert_int_equal(rd32(b + 20), 61);
	assert_int_equal(rd32(b + 24), 1514);
	assert_memory_equal(b + 28, data, 61);
	assert_int_equal(b[28 + 61], 0); /* padding to 4 bytes */
	v = opt_find(b + 28 + 64, b + n - 4, 2, &len);
	assert_non_null(v);
	assert_int_equal(len, 4);
	assert_int_equal(rd32(v), 2);
	v = opt_find(b + 28 + 64, b + n - 4, 1, &len);
	assert_non_null(v);
	assert_int_equal(len, 10);
	assert_memory_equal(v, "drop: runt", 10);
	assert_true(n <= CAPFMT_EPB_MAX(61, 10));

	/* no direction, no comment: no options at all */
	n = capfmt_pcapng_epb(b, sizeof(b), 0, ts, data, 60, 60, CAPFMT_DIR_NONE, NULL);
	check_block(b, n, 6);
	assert_int_equal(n, 28 + 60 + 4);
	/* too small by one byte: nothing */
	assert_int_equal(capfmt_pcapng_epb(b, n - 1, 0, ts, data, 60, 60, CAPFMT_DIR_NONE, NULL),
			 0);
}

static void test_pcap(void **state)
{
	uint8_t b[256], data[14] = {1, 2, 3};
	size_t n;

	(void)state;
	n = capfmt_pcap_header(b, sizeof(b), 65535);
	assert_int_equal(n, 24);
	assert_int_equal(rd32(b), 0xa1b23c4d);
	assert_int_equal(rd32(b + 16), 65535);
	assert_int_equal(rd32(b + 20), 1);
	n = capfmt_pcap_record(b, sizeof(b), 5000000007ull, data, 14, 100);
	assert_int_equal(n, 16 + 14);
	assert_int_equal(rd32(b), 5);
	assert_int_equal(rd32(b + 4), 7);
	assert_int_equal(rd32(b + 8), 14);
	assert_int_equal(rd32(b + 12), 100);
	assert_int_equal(capfmt_pcap_record(b, 29, 0, data, 14, 14), 0);
}

/* ---- the tap ---- */

enum frame_kind { F_ICMP, F_VLAN10_ICMP, F_VXLAN, F_HOST, F_RUNT, F_N };

static struct rte_mbuf *mkframe(enum frame_kind k)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pkt_pool);
	uint8_t *p;
	size_t off = 12, len = 64;
	uint8_t src[6] = {2, 0, 0, 0, 0, 1}, dst[6] = {2, 0, 0, 0, 0, 2};

	assert_non_null(m);
	if (k == F_RUNT)
		len = 10;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(p);
	if (p == NULL) /* for the compiler: cmocka's assert returns only if true */
		return m;
	memset(p, 0, len);
	if (k == F_RUNT)
		return m;
	if (k == F_HOST)
		src[5] = 0x0d;
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	if (k == F_VLAN10_ICMP) {
		p[off++] = 0x81;
		p[off++] = 0x00;
		p[off++] = 0x00;
		p[off++] = 10;
	}
	p[off++] = 0x08;
	p[off++] = 0x00;
	p[off] = 0x45;					   /* IPv4, 20 bytes */
	p[off + 8] = 64;				   /* ttl */
	p[off + 9] = k == F_VXLAN || k == F_HOST ? 17 : 1; /* UDP or ICMP */
	if (k == F_VXLAN) {
		p[off + 22] = 4789 >> 8; /* udp dport */
		p[off + 23] = 4789 & 0xff;
	}
	return m;
}

static struct rte_bpf *filter_load(const char *expr)
{
	struct bpf_program prog;
	struct rte_bpf_prm *prm;
	struct rte_bpf *bpf;
	pcap_t *pc = pcap_open_dead(DLT_EN10MB, 65535);

	assert_non_null(pc);
	assert_int_equal(pcap_compile(pc, &prog, expr, 1, PCAP_NETMASK_UNKNOWN), 0);
	pcap_close(pc);
	prm = rte_bpf_convert(&prog);
	pcap_freecode(&prog);
	assert_non_null(prm);
	bpf = rte_bpf_load(prm);
	rte_free(prm);
	assert_non_null(bpf);
	return bpf;
}

static struct capture *capture_new(const char *expr, bool jit, unsigned int ring_size,
				   uint32_t snaplen)
{
	struct capture *c = rte_zmalloc(NULL, sizeof(*c), RTE_CACHE_LINE_SIZE);
	static unsigned int seq;
	char name[32];

	assert_non_null(c);
	snprintf(name, sizeof(name), "tcap%u", seq++);
	c->ring = rte_ring_create(name, ring_size, SOCKET_ID_ANY, RING_F_SC_DEQ);
	assert_non_null(c->ring);
	c->pool = cap_pool;
	c->snaplen = snaplen;
	c->drop_port = UINT16_MAX;
	if (expr != NULL) {
		struct rte_bpf_jit j = {0};

		c->bpf = filter_load(expr);
		if (jit) {
			assert_int_equal(rte_bpf_get_jit(c->bpf, &j), 0);
			assert_non_null(j.func);
			c->jit = j.func;
		}
	}
	return c;
}

static unsigned int capture_free(struct capture *c, struct rte_mbuf **out, unsigned int max)
{
	unsigned int n = rte_ring_sc_dequeue_burst(c->ring, (void **)out, max, NULL);

	rte_ring_free(c->ring);
	if (c->bpf != NULL)
		rte_bpf_destroy(c->bpf);
	rte_free(c);
	return n;
}

/* Run filter expr over one frame of each kind; returns a bitmask of the kinds copied. */
static unsigned int tap_mask(const char *expr, bool jit)
{
	struct rte_mbuf *pkts[F_N], *got[F_N];
	struct capture *c = capture_new(expr, jit, 64, UINT32_MAX);
	unsigned int mask = 0, n;

	for (int k = 0; k < F_N; k++)
		pkts[k] = mkframe(k);
	assert_int_equal(capture_burst(c, 0, pkts, F_N, 7, CAPTURE_RX, NULL), 0);
	assert_int_equal(c->ctr[0].captured + c->ctr[0].filtered_out, F_N);
	n = capture_free(c, got, F_N);
	for (unsigned int i = 0; i < n; i++) {
		const struct capture_meta *meta = rte_mbuf_to_priv(got[i]);

		for (int k = 0; k < F_N; k++) {
			if (got[i]->pkt_len == pkts[k]->pkt_len &&
			    memcmp(rte_pktmbuf_mtod(got[i], void *),
				   rte_pktmbuf_mtod(pkts[k], void *), pkts[k]->pkt_len) == 0)
				mask |= 1u << k;
		}
		assert_int_equal(meta->port, 7);
		assert_int_equal(meta->dir, CAPTURE_RX);
		assert_int_equal(meta->orig_len, got[i]->pkt_len);
		rte_pktmbuf_free(got[i]);
	}
	/* the originals are untouched and still ours */
	rte_pktmbuf_free_bulk(pkts, F_N);
	return mask;
}

static void test_filters(void **state)
{
	(void)state;
	for (int jit = 0; jit < 2; jit++) {
		assert_int_equal(tap_mask(NULL, jit), (1u << F_N) - 1);
		assert_int_equal(tap_mask("icmp", jit), 1u << F_ICMP);
		assert_int_equal(tap_mask("vlan 10", jit), 1u << F_VLAN10_ICMP);
		assert_int_equal(tap_mask("vlan 11", jit), 0);
		assert_int_equal(tap_mask("udp port 4789", jit), 1u << F_VXLAN);
		assert_int_equal(tap_mask("ether host 02:00:00:00:00:0d", jit), 1u << F_HOST);
		assert_int_equal(tap_mask("ether dst 02:00:00:00:00:02", jit),
				 (1u << F_N) - 1 - (1u << F_RUNT));
		/* a load past the end of a frame rejects it, as in the kernel: no runt */
		assert_int_equal(tap_mask("not ip", jit), 1u << F_VLAN10_ICMP);
	}
}

static void test_snaplen_and_ring_full(void **state)
{
	struct rte_mbuf *pkts[8], *got[8];
	struct capture *c = capture_new("ip", true, 4, 20); /* holds 3 */
	unsigned int n;

	(void)state;
	for (int i = 0; i < 8; i++)
		pkts[i] = mkframe(i == 5 ? F_VLAN10_ICMP : F_ICMP);
	capture_burst(c, 1, pkts, 8, 2, CAPTURE_TX, NULL);
	assert_int_equal(c->ctr[1].filtered_out, 1);
	assert_int_equal(c->ctr[1].captured, 3);
	assert_int_equal(c->ctr[1].ring_full, 4);
	assert_int_equal(c->ctr[1].no_mbuf, 0);
	assert_int_equal(c->ctr[0].captured, 0);
	n = capture_free(c, got, 8);
	assert_int_equal(n, 3);
	for (unsigned int i = 0; i < n; i++) {
		const struct capture_meta *meta = rte_mbuf_to_priv(got[i]);

		assert_int_equal(got[i]->pkt_len, 20);
		assert_int_equal(meta->orig_len, 64);
		assert_int_equal(meta->dir, CAPTURE_TX);
		rte_pktmbuf_free(got[i]);
	}
	rte_pktmbuf_free_bulk(pkts, 8);
}

static void test_drop_tap(void **state)
{
	struct rte_mbuf *m = mkframe(F_RUNT), *got;
	struct capture *c = capture_new(NULL, false, 8, UINT32_MAX);
	const struct capture_meta *meta;

	(void)state;
	c->drop_port = 3;
	capture_drop_one(c, 0, m, 4, VSW_DROP_runt, CAPTURE_STAGE_BRIDGE_INPUT); /* not ours */
	capture_drop_one(c, 0, m, 3, VSW_DROP_runt, CAPTURE_STAGE_BRIDGE_INPUT);
	assert_int_equal(c->ctr[0].captured, 1);
	assert_int_equal(capture_free(c, &got, 1), 1);
	meta = rte_mbuf_to_priv(got);
	assert_int_equal(meta->dir, CAPTURE_DROP);
	assert_int_equal(meta->reason, VSW_DROP_runt);
	assert_int_equal(meta->stage, CAPTURE_STAGE_BRIDGE_INPUT);
	assert_int_equal(meta->port, 3);
	assert_int_equal(got->pkt_len, 10);
	rte_pktmbuf_free(got);
	rte_pktmbuf_free(m);
}

static void test_pool_empty(void **state)
{
	struct rte_mempool *tiny = rte_pktmbuf_pool_create(
		"tcap_tiny", 2, 0, RTE_ALIGN(sizeof(struct capture_meta), RTE_MBUF_PRIV_ALIGN),
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	struct capture *c = capture_new(NULL, false, 16, UINT32_MAX);
	struct rte_mbuf *pkts[4], *got[4];
	unsigned int n;

	(void)state;
	assert_non_null(tiny);
	c->pool = tiny;
	for (int i = 0; i < 4; i++)
		pkts[i] = mkframe(F_ICMP);
	capture_burst(c, 0, pkts, 4, 0, CAPTURE_RX, NULL);
	assert_int_equal(c->ctr[0].captured, 2);
	assert_int_equal(c->ctr[0].no_mbuf, 2);
	n = capture_free(c, got, 4);
	rte_pktmbuf_free_bulk(got, n);
	rte_pktmbuf_free_bulk(pkts, 4);
	rte_mempool_free(tiny);
}

static void test_describe(void **state)
{
	struct rte_mbuf *m = mkframe(F_VXLAN);
	char buf[256];

	(void)state;
	capfmt_describe(buf, sizeof(buf), rte_pktmbuf_mtod(m, const uint8_t *), m->pkt_len);
	assert_string_equal(buf, "02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 0.0.0.0 > 0.0.0.0 "
				 "UDP 0 > 4789, 64 bytes");
	rte_pktmbuf_free(m);
	m = mkframe(F_VLAN10_ICMP);
	capfmt_describe(buf, sizeof(buf), rte_pktmbuf_mtod(m, const uint8_t *), m->pkt_len);
	assert_string_equal(buf, "02:00:00:00:00:01 > 02:00:00:00:00:02, 802.1Q vlan 10 pcp 0, "
				 "IPv4 0.0.0.0 > 0.0.0.0 ICMP, 64 bytes");
	/* cut short, still terminated */
	assert_int_equal(capfmt_describe(buf, 10, rte_pktmbuf_mtod(m, const uint8_t *), 64), 9);
	assert_int_equal(strlen(buf), 9);
	rte_pktmbuf_free(m);
	m = mkframe(F_RUNT);
	capfmt_describe(buf, sizeof(buf), rte_pktmbuf_mtod(m, const uint8_t *), m->pkt_len);
	assert_string_equal(buf, "10 bytes: shorter than an Ethernet header");
	rte_pktmbuf_free(m);
}

/* Trace mode: the next max matching frames get a record each, steps append to the right
 * one, a fate ends it, and trace_burst_end publishes every record. */
static void test_trace_records(void **state)
{
	struct capture *c = capture_new("icmp", true, 4, UINT32_MAX);
	struct trace *t = rte_zmalloc(NULL, sizeof(*t) + 2 * sizeof(t->rec[0]), 0);
	struct rte_mbuf *pkts[4];
	struct trace_burst tb;

	(void)state;
	assert_non_null(t);
	t->max = 2;
	c->trace = t;
	pkts[0] = mkframe(F_VXLAN);
	pkts[1] = mkframe(F_ICMP);
	pkts[2] = mkframe(F_ICMP);
	pkts[3] = mkframe(F_ICMP);
	/* without a trace_burst (a tx tap) nothing is traced */
	assert_int_equal(capture_burst(c, 0, pkts, 4, 1, CAPTURE_RX, NULL), 0);
	assert_int_equal(capture_burst(c, 0, pkts, 4, 1, CAPTURE_RX, &tb), 2);
	assert_int_equal(tb.n, 2);
	assert_ptr_equal(tb.m[0], pkts[1]);
	assert_ptr_equal(tb.m[1], pkts[2]);
	assert_int_equal(c->ctr[0].filtered_out, 1); /* the VXLAN frame; pkts[3]: no room */
	assert_int_equal(t->next, 2);
	trace_step(&tb, pkts[0], false, "not traced");
	trace_step(&tb, pkts[1], false, "step %d", 1);
	trace_step(&tb, pkts[1], true, "fate: output");
	trace_step(&tb, pkts[1], false, "after the fate: ignored");
	trace_step(NULL, pkts[1], false, "no burst: ignored");
	assert_int_equal(atomic_load(&t->rec[0].done), 0);
	trace_burst_end(&tb);
	assert_int_equal(atomic_load(&t->rec[0].done), 1);
	assert_int_equal(atomic_load(&t->rec[1].done), 1);
	assert_string_equal(t->rec[0].text,
			    "rx: 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 0.0.0.0 > 0.0.0.0 "
			    "ICMP, 64 bytes\nstep 1\nfate: output");
	assert_int_equal(t->rec[0].len, strlen(t->rec[0].text));
	assert_non_null(strstr(t->rec[1].text, "\nfate: not recorded by any stage"));
	/* all records used: nothing more is traced */
	assert_int_equal(capture_burst(c, 0, pkts, 4, 1, CAPTURE_RX, &tb), 0);
	assert_int_equal(rte_ring_count(c->ring), 0); /* trace mode copies nothing */
	c->trace = NULL;
	rte_free(t);
	rte_pktmbuf_free_bulk(pkts, 4);
	capture_free(c, NULL, 0);
}

/* A stage hands traced frames on (vxlan_decap to bridge_input): the next stage's burst
 * adopts the records of its frames and publishes them; the first stage publishes the
 * others, and never writes into an adopted record again. */
static void test_trace_adopt(void **state)
{
	struct capture *c = capture_new("icmp", true, 4, UINT32_MAX);
	struct trace *t = rte_zmalloc(NULL, sizeof(*t) + 2 * sizeof(t->rec[0]), 0);
	struct rte_mbuf *pkts[2];
	struct trace_burst parent, tb = {.n = 0};

	(void)state;
	assert_non_null(t);
	t->max = 2;
	c->trace = t;
	pkts[0] = mkframe(F_ICMP);
	pkts[1] = mkframe(F_ICMP);
	assert_int_equal(capture_burst(c, 0, pkts, 2, 1, CAPTURE_RX, &parent), 2);
	trace_step(&parent, pkts[0], true, "fate: drop here");
	trace_step(&parent, pkts[1], false, "decap");
	/* only pkts[1] goes on; pkts[0] (ended) is not adopted */
	trace_burst_adopt(&tb, &parent, pkts, 2);
	assert_int_equal(tb.n, 1);
	assert_ptr_equal(tb.m[0], pkts[1]);
	trace_step(&tb, pkts[1], true, "fate: output");
	trace_burst_end(&tb);
	assert_int_equal(atomic_load(&t->rec[1].done), 1);
	assert_int_equal(atomic_load(&t->rec[0].done), 0);
	trace_step(&parent, pkts[1], true, "fate: ignored: adopted");
	trace_burst_end(&parent);
	assert_int_equal(atomic_load(&t->rec[0].done), 1);
	assert_non_null(strstr(t->rec[0].text, "\nfate: drop here"));
	assert_non_null(strstr(t->rec[1].text, "\ndecap\nfate: output"));
	assert_null(strstr(t->rec[1].text, "ignored"));
	c->trace = NULL;
	rte_free(t);
	rte_pktmbuf_free_bulk(pkts, 2);
	capture_free(c, NULL, 0);
}

int main(void)
{
	char prefix[64];
	char *eal[] = {"test_capture",	"--no-huge", "-m",
		       "128",		"--no-pci",  "--no-shconf",
		       "--file-prefix", prefix,	     "--log-level",
		       "lib.eal:error", "-l",	     "0"};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcapng_shb_idb),
		cmocka_unit_test(test_pcapng_epb),
		cmocka_unit_test(test_pcap),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_snaplen_and_ring_full),
		cmocka_unit_test(test_drop_tap),
		cmocka_unit_test(test_pool_empty),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_trace_records),
		cmocka_unit_test(test_trace_adopt),
	};

	snprintf(prefix, sizeof(prefix), "vsw_test_capture_%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])), eal) < 0) {
		fprintf(stderr, "test_capture: EAL init failed (skipped)\n");
		return 77;
	}
	pkt_pool = rte_pktmbuf_pool_create("tcap_pkts", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   SOCKET_ID_ANY);
	cap_pool = rte_pktmbuf_pool_create(
		"tcap_copies", 1023, 0, RTE_ALIGN(sizeof(struct capture_meta), RTE_MBUF_PRIV_ALIGN),
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pkt_pool == NULL || cap_pool == NULL) {
		fprintf(stderr, "test_capture: no mbuf pools (skipped)\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
