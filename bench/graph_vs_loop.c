/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Plain loop or rte_graph for the forwarding pipeline? docs/architecture.md owed a figure
 * (and /work/shared/STYLE.md asks for rte_graph unless a plain loop is clearly faster), so
 * this runs the SAME learning-bridge work in both shapes on one worker lcore, pcap
 * (infinite_rx) -> null, and measures each in turn on the same ports, pool and MAC table:
 *
 *   loop            rx_burst(32) -> gvl_bridge() -> tx_burst, drops freed in bulk;
 *   graph           nodes rx (source) -> bridge -> tx, and drop, walked by rte_graph_walk
 *                   as Debian's headers build it (RTE_LIBRTE_GRAPH_STATS=1: two TSC reads
 *                   around every node call);
 *   graph-nostats   the same graph, walked with those statistics compiled out
 *                   (graph_walk_nostats.c), which an application may choose.
 *
 * gvl_bridge() is the per-burst work of dataplane/l2/bridge_input.c without its ports,
 * taps and flooding: header parse and VLAN classification (eth_parse.h, an access port
 * in VLAN 1), source and destination keys of the whole burst in one fdb_lookup_bulk on
 * the project's real fdb.c, the source check (refresh, or learn inline), and the
 * destination's port. The shapes differ only in how frames travel between those steps,
 * which is the cost this measures. Every destination is known and on the null port, so
 * the graph's bridge node hands its whole burst on with rte_node_next_stream_move; with
 * --hairpin K, K of the 64 destinations sit on the ingress port, their frames leave on
 * the drop edge (dst_is_ingress), and mixed bursts go frame by frame (rte_node_enqueue_x1).
 *
 * The figure is the null port's opackets over the window, by the TSC; the worker's cpu
 * share over the window comes from the scheduler (/proc/self/task/TID/schedstat, as
 * bench/lib.sh does), and a run that got less than --min-share percent of its cpu is
 * repeated, because the machine is shared.
 *
 * Usage: graph_vs_loop EAL-ARGS -- [--seconds N] [--warmup N] [--rounds N] [--hairpin K]
 *          [--min-share PCT] [--retries N] [--shapes loop,graph,graph-nostats]
 *   EAL: two lcores (main, worker), net_pcap0 rx_pcap=FILE,infinite_rx=1 as port 0 and
 *   net_null0 no-rx=1 as port 1. bench/graph_vs_loop.sh runs it.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_graph.h>
#include <rte_graph_worker.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "eth_parse.h"
#include "fdb.h"
#include "fdb_ctl.h"
#include "graph_vs_loop.h"

#define GVL_BURST 32 /* = VSW_BURST: what the dataplane's workers ask rx_burst for */
#define GVL_MBUFS 16384
#define GVL_RING 1024
#define GVL_VLAN 1
#define GVL_MACS 64 /* sources and destinations of mkpcap.py l2 ... 64 64 N */
#define GVL_GRAPH "gvl"
#define GVL_MAX_RUNS 256 /* per shape, retries included */

enum gvl_shape { GVL_LOOP, GVL_GRAPH_STATS, GVL_GRAPH_NOSTATS, GVL_SHAPES };
static const char *const gvl_shape_names[GVL_SHAPES] = {"loop", "graph", "graph-nostats"};

/* Edges of the bridge node; the loop uses the same values as verdicts. */
enum gvl_edge { GVL_EDGE_TX, GVL_EDGE_DROP };

/* Written by the worker only; main reads them after the worker stopped. */
struct gvl_counters {
	uint64_t rx, tx, tx_full, dropped, hairpin, learned, bad;
};

struct gvl_bridge {
	struct fdb *fdb;
	struct eth_vlan_cfg vlan;
	uint16_t in_port, out_port;
	uint64_t tsc_hz;
	struct gvl_counters cnt;
};

struct gvl_main {
	struct gvl_bridge br;
	struct rte_graph *graph;
	enum gvl_shape shape; /* of the next run */
	_Atomic bool stop;
	_Atomic int worker_tid; /* 0 until the worker runs */
};

/* The one module state: the graph's node init callbacks can only reach it this way. */
static struct gvl_main gvl_main;

/*
 * The bridge's work on one burst from in_port, identical for every shape: edge[i] says
 * where frame i goes. Returns how many go to tx.
 */
static __rte_always_inline unsigned int gvl_bridge(struct gvl_bridge *br, struct rte_mbuf **pkts,
						   uint16_t n, uint8_t *edge)
{
	uint64_t keys[2 * GVL_BURST];
	int32_t slots[2 * GVL_BURST];
	uint16_t idx[GVL_BURST];
	uint32_t now_s = (uint32_t)(rte_rdtsc() / br->tsc_hz);
	unsigned int nok = 0, ntx = 0;

	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	br->cnt.rx += n;
	for (uint16_t i = 0; i < n; i++) {
		struct eth_info info;
		enum vsw_drop r;

		r = eth_parse(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
			      rte_pktmbuf_data_len(pkts[i]), &info);
		if (likely(r == VSW_DROP_MAX))
			r = eth_classify_vlan(&br->vlan, &info);
		if (unlikely(r != VSW_DROP_MAX)) {
			edge[i] = GVL_EDGE_DROP;
			br->cnt.bad++;
			continue;
		}
		idx[nok] = i;
		keys[2 * nok] = fdb_key_hdr(info.vid, info.src);
		keys[2 * nok + 1] = fdb_key_hdr(info.vid, info.dst);
		nok++;
	}
	fdb_lookup_bulk(br->fdb, keys, 2 * nok, slots);
	for (unsigned int j = 0; j < nok; j++) {
		unsigned int i = idx[j];
		int32_t s = slots[2 * j];
		uint16_t out;

		if (likely(s >= 0 && fdb_slot_port(br->fdb, s) == br->in_port)) {
			fdb_slot_touch(br->fdb, s, now_s);
		} else if (s < 0 || !(fdb_slot_flags(br->fdb, s) & FDB_F_STATIC)) {
			enum fdb_learn_result lr =
				fdb_learn(br->fdb, keys[2 * j], br->in_port, 0, now_s);

			if (lr == FDB_LEARN_DAMPED || lr == FDB_LEARN_LIMIT) {
				edge[i] = GVL_EDGE_DROP;
				br->cnt.bad++;
				continue;
			}
			br->cnt.learned += lr == FDB_LEARN_NEW || lr == FDB_LEARN_MOVED;
		}
		/* Unknown and multicast destinations are flooded; with two ports the flood is
		 * one copy to the null port, so they take the tx edge too. */
		s = slots[2 * j + 1];
		out = s >= 0 && !eth_addr_is_multicast(rte_pktmbuf_mtod(pkts[i], const uint8_t *))
			      ? fdb_slot_port(br->fdb, s)
			      : br->out_port;
		if (unlikely(out == br->in_port)) {
			edge[i] = GVL_EDGE_DROP;
			br->cnt.hairpin++;
			continue;
		}
		edge[i] = GVL_EDGE_TX;
		ntx++;
	}
	return ntx;
}

static __rte_always_inline void gvl_tx(struct gvl_bridge *br, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = rte_eth_tx_burst(br->out_port, 0, pkts, n);

	br->cnt.tx += sent;
	if (unlikely(sent < n)) {
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
		br->cnt.tx_full += n - sent;
	}
}

/* ---- shape 1: the plain loop ---- */

static void gvl_loop(struct gvl_bridge *br, const _Atomic bool *stop)
{
	struct rte_mbuf *pkts[GVL_BURST], *drops[GVL_BURST];
	uint8_t edge[GVL_BURST];

	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		uint16_t n = rte_eth_rx_burst(br->in_port, 0, pkts, GVL_BURST);
		unsigned int ntx, nt = 0, nd = 0;

		if (n == 0)
			continue;
		ntx = gvl_bridge(br, pkts, n, edge);
		if (likely(ntx == n)) {
			gvl_tx(br, pkts, n);
			continue;
		}
		for (uint16_t i = 0; i < n; i++) {
			if (edge[i] == GVL_EDGE_TX)
				pkts[nt++] = pkts[i];
			else
				drops[nd++] = pkts[i];
		}
		if (nt > 0)
			gvl_tx(br, pkts, (uint16_t)nt);
		rte_pktmbuf_free_bulk(drops, nd);
		br->cnt.dropped += nd;
	}
}

/* ---- shape 2: rte_graph ---- */

enum { RX_NEXT_BRIDGE };
enum { TX_NEXT_DROP };

static struct gvl_bridge *node_bridge(const struct rte_node *node)
{
	struct gvl_bridge *br;

	memcpy(&br, node->ctx, sizeof(br));
	return br;
}

/* Every node keeps the bridge's address in its context, as lib/node's nodes keep ports. */
static int gvl_node_init(const struct rte_graph *graph, struct rte_node *node)
{
	struct gvl_bridge *br = &gvl_main.br;

	RTE_SET_USED(graph);
	RTE_BUILD_BUG_ON(sizeof(br) > RTE_NODE_CTX_SZ);
	memcpy(node->ctx, &br, sizeof(br));
	return 0;
}

/* rx: source node; one rx_burst of GVL_BURST into its own stream, handed whole to bridge. */
static uint16_t rx_process(struct rte_graph *graph, struct rte_node *node, void **objs,
			   uint16_t nb_objs)
{
	struct gvl_bridge *br = node_bridge(node);
	uint16_t n;

	RTE_SET_USED(objs);
	RTE_SET_USED(nb_objs);
	n = rte_eth_rx_burst(br->in_port, 0, (struct rte_mbuf **)node->objs, GVL_BURST);
	if (n == 0)
		return 0;
	node->idx = n;
	rte_node_next_stream_move(graph, node, RX_NEXT_BRIDGE);
	return n;
}

/* bridge: gvl_bridge(); edges tx and drop (dst_is_ingress, bad frames, MAC limit). */
static uint16_t bridge_process(struct rte_graph *graph, struct rte_node *node, void **objs,
			       uint16_t nb_objs)
{
	struct gvl_bridge *br = node_bridge(node);
	uint8_t edge[RTE_GRAPH_BURST_SIZE];
	unsigned int ntx = 0;

	/* the stream may hold more than one burst if rx ran more than once per walk */
	for (uint16_t i = 0; i < nb_objs; i += GVL_BURST)
		ntx += gvl_bridge(br, (struct rte_mbuf **)&objs[i],
				  RTE_MIN((uint16_t)(nb_objs - i), (uint16_t)GVL_BURST), &edge[i]);
	if (likely(ntx == nb_objs)) {
		rte_node_next_stream_move(graph, node, GVL_EDGE_TX);
		return nb_objs;
	}
	for (uint16_t i = 0; i < nb_objs; i++)
		rte_node_enqueue_x1(graph, node, edge[i], objs[i]);
	return nb_objs;
}

/* tx: to the null port; what the queue refuses goes to drop (tx_full). */
static uint16_t tx_process(struct rte_graph *graph, struct rte_node *node, void **objs,
			   uint16_t nb_objs)
{
	struct gvl_bridge *br = node_bridge(node);
	uint16_t sent = rte_eth_tx_burst(br->out_port, 0, (struct rte_mbuf **)objs, nb_objs);

	br->cnt.tx += sent;
	if (unlikely(sent < nb_objs)) {
		br->cnt.tx_full += nb_objs - sent;
		rte_node_enqueue(graph, node, TX_NEXT_DROP, &objs[sent], nb_objs - sent);
	}
	return nb_objs;
}

/* drop: frees; the reason was counted where the frame was refused. */
static uint16_t drop_process(struct rte_graph *graph, struct rte_node *node, void **objs,
			     uint16_t nb_objs)
{
	struct gvl_bridge *br = node_bridge(node);

	RTE_SET_USED(graph);
	rte_pktmbuf_free_bulk((struct rte_mbuf **)objs, nb_objs);
	br->cnt.dropped += nb_objs;
	return nb_objs;
}

static struct rte_node_register rx_node = {
	.name = "rx",
	.flags = RTE_NODE_SOURCE_F,
	.process = rx_process,
	.init = gvl_node_init,
	.nb_edges = 1,
	.next_nodes = {[RX_NEXT_BRIDGE] = "bridge"},
};
static struct rte_node_register bridge_node = {
	.name = "bridge",
	.process = bridge_process,
	.init = gvl_node_init,
	.nb_edges = 2,
	.next_nodes = {[GVL_EDGE_TX] = "tx", [GVL_EDGE_DROP] = "drop"},
};
static struct rte_node_register tx_node = {
	.name = "tx",
	.process = tx_process,
	.init = gvl_node_init,
	.nb_edges = 1,
	.next_nodes = {[TX_NEXT_DROP] = "drop"},
};
static struct rte_node_register drop_node = {
	.name = "drop",
	.process = drop_process,
	.init = gvl_node_init,
	.nb_edges = 0,
};
RTE_NODE_REGISTER(rx_node);
RTE_NODE_REGISTER(bridge_node);
RTE_NODE_REGISTER(tx_node);
RTE_NODE_REGISTER(drop_node);

static void gvl_walk_stats(struct rte_graph *g, const _Atomic bool *stop)
{
	while (!atomic_load_explicit(stop, memory_order_relaxed))
		rte_graph_walk(g);
}

/* ---- worker and measurement ---- */

static int gvl_worker(void *arg)
{
	struct gvl_main *gm = arg;

	atomic_store_explicit(&gm->worker_tid, rte_sys_gettid(), memory_order_release);
	switch (gm->shape) {
	case GVL_LOOP:
		gvl_loop(&gm->br, &gm->stop);
		break;
	case GVL_GRAPH_STATS:
		gvl_walk_stats(gm->graph, &gm->stop);
		break;
	case GVL_GRAPH_NOSTATS:
		gvl_walk_nostats(gm->graph, &gm->stop);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* ns the thread ran and waited runnable (schedstat); 0 0 if unreadable. */
static void sched_sample(int tid, uint64_t *ran, uint64_t *waited)
{
	char path[64];
	FILE *f;

	*ran = *waited = 0;
	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fscanf(f, "%" SCNu64 " %" SCNu64, ran, waited) != 2)
		*ran = *waited = 0;
	fclose(f);
}

static void sleep_s(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s,
			      .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

struct gvl_result {
	double mpps;
	double share; /* percent of the window the worker ran; < 0 if unknown */
	struct gvl_counters cnt;
	uint64_t opackets;
};

static int gvl_measure(struct gvl_main *gm, unsigned int lcore, enum gvl_shape shape, double warmup,
		       double seconds, struct gvl_result *res)
{
	struct rte_eth_stats s0, s1;
	uint64_t t0, t1, r0, w0, r1, w1;
	int tid, rc;

	memset(&gm->br.cnt, 0, sizeof(gm->br.cnt));
	gm->shape = shape;
	atomic_store(&gm->stop, false);
	atomic_store(&gm->worker_tid, 0);
	rc = rte_eal_remote_launch(gvl_worker, gm, lcore);
	if (rc != 0)
		return rc;
	sleep_s(warmup);
	tid = atomic_load_explicit(&gm->worker_tid, memory_order_acquire);
	rte_eth_stats_get(gm->br.out_port, &s0);
	t0 = rte_rdtsc();
	sched_sample(tid, &r0, &w0);
	sleep_s(seconds);
	rte_eth_stats_get(gm->br.out_port, &s1);
	t1 = rte_rdtsc();
	sched_sample(tid, &r1, &w1);
	atomic_store(&gm->stop, true);
	rc = rte_eal_wait_lcore(lcore);
	if (rc != 0)
		return rc;
	res->opackets = s1.opackets - s0.opackets;
	res->mpps = (double)res->opackets / ((double)(t1 - t0) / (double)gm->br.tsc_hz) / 1e6;
	res->share = tid > 0 && (r1 - r0) + (w1 - w0) > 0
			     ? 100.0 * (double)(r1 - r0) / (double)((r1 - r0) + (w1 - w0))
			     : -1;
	res->cnt = gm->br.cnt;
	return 0;
}

static int gvl_ports(struct rte_mempool *mp)
{
	const struct rte_eth_conf conf = {0};
	uint16_t p;

	if (rte_eth_dev_count_avail() != 2) {
		fprintf(stderr, "graph_vs_loop: want 2 ports (net_pcap0 rx, net_null0), have %u\n",
			rte_eth_dev_count_avail());
		return -EINVAL;
	}
	RTE_ETH_FOREACH_DEV(p) {
		int rc = rte_eth_dev_configure(p, 1, 1, &conf);

		if (rc == 0)
			rc = rte_eth_rx_queue_setup(p, 0, GVL_RING, rte_eth_dev_socket_id(p), NULL,
						    mp);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(p, 0, GVL_RING, rte_eth_dev_socket_id(p), NULL);
		if (rc == 0)
			rc = rte_eth_dev_start(p);
		if (rc != 0) {
			fprintf(stderr, "graph_vs_loop: port %u: %s\n", p, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* The 64 sources on the ingress port, the 64 destinations on the null port except the
 * first `hairpin` of them, which sit on the ingress port (their frames are dropped). */
static int gvl_fdb_fill(struct gvl_bridge *br, unsigned int hairpin)
{
	for (unsigned int i = 0; i < GVL_MACS; i++) {
		const uint8_t src[6] = {2, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};
		const uint8_t dst[6] = {2, 0, 0, 1, (uint8_t)(i >> 8), (uint8_t)i};
		uint16_t dport = i < hairpin ? br->in_port : br->out_port;

		if (fdb_learn(br->fdb, fdb_key(GVL_VLAN, src), br->in_port, 0, 0) !=
			    FDB_LEARN_NEW ||
		    fdb_learn(br->fdb, fdb_key(GVL_VLAN, dst), dport, 0, 0) != FDB_LEARN_NEW)
			return -ENOSPC;
	}
	return 0;
}

static int gvl_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct gvl_opts {
	double seconds, warmup, min_share;
	unsigned int rounds, hairpin, retries;
	bool want[GVL_SHAPES];
};

static int gvl_parse(int argc, char **argv, struct gvl_opts *o)
{
	static const struct option lo[] = {
		{"seconds", required_argument, NULL, 's'},
		{"warmup", required_argument, NULL, 'w'},
		{"rounds", required_argument, NULL, 'r'},
		{"hairpin", required_argument, NULL, 'h'},
		{"min-share", required_argument, NULL, 'm'},
		{"retries", required_argument, NULL, 't'},
		{"shapes", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct gvl_opts){.seconds = 5,
			       .warmup = 1,
			       .min_share = 95,
			       .rounds = 2,
			       .retries = 2,
			       .want = {true, true, true}};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		char *end = NULL;
		double v = 0;

		if (c == '?')
			return -EINVAL;
		if (c != 'S') {
			v = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || v < 0)
				return -EINVAL;
		}
		switch (c) {
		case 's':
			o->seconds = v;
			break;
		case 'w':
			o->warmup = v;
			break;
		case 'm':
			o->min_share = v;
			break;
		case 'r':
			o->rounds = (unsigned int)v;
			break;
		case 'h':
			o->hairpin = (unsigned int)v;
			break;
		case 't':
			o->retries = (unsigned int)v;
			break;
		case 'S':
			memset(o->want, 0, sizeof(o->want));
			for (char *t = strtok(optarg, ","); t != NULL; t = strtok(NULL, ",")) {
				int k;

				for (k = 0; k < GVL_SHAPES; k++)
					if (strcmp(t, gvl_shape_names[k]) == 0)
						break;
				if (k == GVL_SHAPES)
					return -EINVAL;
				o->want[k] = true;
			}
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc || o->seconds <= 0 || o->rounds == 0 || o->hairpin > GVL_MACS)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	static const char *patterns[] = {"rx", "bridge", "tx", "drop"};
	struct gvl_main *gm = &gvl_main;
	struct rte_graph_param gp = {.socket_id = SOCKET_ID_ANY,
				     .nb_node_patterns = RTE_DIM(patterns),
				     .node_patterns = patterns};
	double best[GVL_SHAPES] = {0}, best_share[GVL_SHAPES] = {0}, med[GVL_SHAPES] = {0};
	static double per_cpu[GVL_SHAPES][GVL_MAX_RUNS];
	unsigned int nruns[GVL_SHAPES] = {0};
	struct rte_mempool *mp;
	struct gvl_opts o;
	unsigned int lcore;
	uint16_t p;
	int n, rc = 1;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "graph_vs_loop: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argv[n] = argv[0];
	if (gvl_parse(argc - n, argv + n, &o) != 0) {
		fprintf(stderr, "usage: graph_vs_loop EAL-ARGS -- [--seconds N] [--warmup N] "
				"[--rounds N] [--hairpin K<=64] [--min-share PCT] [--retries N] "
				"[--shapes loop,graph,graph-nostats]\n");
		goto out_eal;
	}
	lcore = rte_get_next_lcore(-1, 1, 0);
	if (lcore >= RTE_MAX_LCORE) {
		fprintf(stderr, "graph_vs_loop: needs a worker lcore (-l MAIN,WORKER)\n");
		goto out_eal;
	}
	mp = rte_pktmbuf_pool_create("gvl_pool", GVL_MBUFS, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     (int)rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "graph_vs_loop: mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out_eal;
	}
	gm->br.in_port = 0;
	gm->br.out_port = 1;
	gm->br.tsc_hz = rte_get_tsc_hz();
	gm->br.vlan = (struct eth_vlan_cfg){.mode = DP_VLAN_ACCESS, .access_vlan = GVL_VLAN};
	gm->br.fdb = fdb_create(1024, 0, (int)rte_socket_id());
	if (gm->br.fdb == NULL) {
		fprintf(stderr, "graph_vs_loop: fdb_create: %s\n", strerror(errno));
		goto out_pool;
	}
	if (gvl_fdb_fill(&gm->br, o.hairpin) != 0) {
		fprintf(stderr, "graph_vs_loop: could not fill the MAC table\n");
		goto out_fdb;
	}
	if (gvl_ports(mp) != 0)
		goto out_fdb;
	if (rte_graph_create(GVL_GRAPH, &gp) == RTE_GRAPH_ID_INVALID) {
		fprintf(stderr, "graph_vs_loop: rte_graph_create: %s\n", rte_strerror(rte_errno));
		goto out_ports;
	}
	gm->graph = rte_graph_lookup(GVL_GRAPH);
	printf("# graph_vs_loop: worker lcore %u (cpu %d), tsc %.3f GHz, window %.1f s after "
	       "%.1f s, %u round(s), %u of %u destinations hairpinned, RTE_GRAPH_BURST_SIZE %d\n",
	       lcore, rte_lcore_to_cpu_id((int)lcore), (double)gm->br.tsc_hz / 1e9, o.seconds,
	       o.warmup, o.rounds, o.hairpin, GVL_MACS, RTE_GRAPH_BURST_SIZE);
	fflush(stdout);

	for (unsigned int r = 1; r <= o.rounds; r++) {
		for (int s = 0; s < GVL_SHAPES; s++) {
			struct gvl_result res;

			if (!o.want[s])
				continue;
			for (unsigned int t = 0; t <= o.retries; t++) {
				if (gvl_measure(gm, lcore, (enum gvl_shape)s, o.warmup, o.seconds,
						&res) != 0) {
					fprintf(stderr, "graph_vs_loop: worker failed\n");
					goto out_graph;
				}
				printf("run %u %-13s %6.2f Mpps  cpu_share %3.0f%% (%5.2f Mpps per cpu-s)"
				       "  %5.1f cycles/pkt"
				       "  (rx %" PRIu64 " tx %" PRIu64 " dropped %" PRIu64
				       " hairpin %" PRIu64 " tx_full %" PRIu64 " learned %" PRIu64
				       " bad %" PRIu64 ")%s\n",
				       r, gvl_shape_names[s], res.mpps, res.share,
				       res.share > 0 ? res.mpps * 100 / res.share : 0,
				       (double)gm->br.tsc_hz / (res.mpps * 1e6), res.cnt.rx,
				       res.cnt.tx, res.cnt.dropped, res.cnt.hairpin,
				       res.cnt.tx_full, res.cnt.learned, res.cnt.bad,
				       res.share >= 0 && res.share < o.min_share ? "  DISTURBED"
										 : "");
				fflush(stdout);
				/* a disturbed run still counts if no retry gets a quiet one */
				if (res.mpps > best[s] &&
				    (res.share >= o.min_share || best_share[s] < o.min_share)) {
					best[s] = res.mpps;
					best_share[s] = res.share;
				}
				if (res.share > 0 && nruns[s] < GVL_MAX_RUNS)
					per_cpu[s][nruns[s]++] = res.mpps * 100 / res.share;
				if (res.share < 0 || res.share >= o.min_share)
					break;
			}
		}
	}
	for (int s = 0; s < GVL_SHAPES; s++) {
		if (!o.want[s])
			continue;
		printf("bench graph-vs-loop %s %.2f\n", gvl_shape_names[s], best[s]);
		printf("# %s: best %.2f Mpps (cpu share %.0f%%), %.1f cycles/pkt\n",
		       gvl_shape_names[s], best[s], best_share[s],
		       (double)gm->br.tsc_hz / (best[s] * 1e6));
		/* On a shared cpu the raw best is whichever shape ran in the quietest moment;
		 * per second of its own cpu time compares the shapes' work. */
		if (nruns[s] > 0) {
			qsort(per_cpu[s], nruns[s], sizeof(double), gvl_cmp_double);
			med[s] = per_cpu[s][nruns[s] / 2];
			printf("per-cpu-second graph-vs-loop %s median %.2f max %.2f Mpps over %u "
			       "runs, %.1f cycles/pkt at the median\n",
			       gvl_shape_names[s], med[s], per_cpu[s][nruns[s] - 1], nruns[s],
			       (double)gm->br.tsc_hz / (med[s] * 1e6));
		}
	}
	if (o.want[GVL_LOOP] && best[GVL_LOOP] > 0)
		for (int s = GVL_GRAPH_STATS; s < GVL_SHAPES; s++)
			if (o.want[s])
				printf("ratio graph-vs-loop %s/loop best %.3f, per-cpu-second median "
				       "%.3f\n",
				       gvl_shape_names[s], best[s] / best[GVL_LOOP],
				       med[GVL_LOOP] > 0 ? med[s] / med[GVL_LOOP] : 0);
	rc = 0;
out_graph:
	rte_graph_destroy(rte_graph_from_name(GVL_GRAPH));
out_ports:
	RTE_ETH_FOREACH_DEV(p) {
		rte_eth_dev_stop(p);
		rte_eth_dev_close(p);
	}
out_fdb:
	fdb_free(gm->br.fdb);
out_pool:
	rte_mempool_free(mp);
out_eal:
	rte_eal_cleanup();
	return rc;
}
