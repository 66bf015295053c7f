/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's objects: ports, bridges, workers, and the one dp_main that holds
 * them. Workers read these through pointers published with release stores; the
 * control thread changes them and waits out a QSBR grace period before it frees or
 * reuses anything a worker may still hold (see docs/architecture.md).
 */
#ifndef VSW_DP_H
#define VSW_DP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

#include "dp_ctl.h"
#include "drop.h"
#include "eth_parse.h"
#include "fdb.h"
#include "txq_plan.h"

#define VSW_MAX_WORKERS 8
#define VSW_BURST 32
#define VSW_TXBUF 64

#define VSW_MAX_VTEPS 4

/* Capture tap directions: index of port->cap[] (see capture.h). */
enum { CAPTURE_RX, CAPTURE_TX };
struct capture;
struct vtep;	  /* overlay/vtep.h */
struct vxlan_tun; /* overlay/vtep.h */

/* Written only by the worker that owns it (one per port per worker); read by control. */
struct port_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t drops[VSW_DROP_MAX];
} __rte_cache_aligned;

/* Storm control of one port as seen by one worker: each worker polling some of the port's
 * rx queues holds a bucket of its own, filled at the port's rate times the share of the
 * port's rx queues it polls (port.c, port_storm_apply), so the workers never share a
 * word on the fast path. */
struct port_storm {
	uint64_t rate_tsc;  /* tsc cycles per token, 0 = unlimited; control: rw */
	uint64_t burst_tsc; /* control: rw */
	uint64_t tsc;	    /* the worker's: time the bucket was "empty" */
} __rte_cache_aligned;

struct port_txq_lock {
	rte_spinlock_t lock;
} __rte_cache_aligned;

struct port {
	/* --- read by workers on every frame --- */
	uint16_t idx;	    /* index in dp->ports */
	uint16_t dpdk_port; /* ethdev port id */
	uint16_t n_txq;	    /* tx queues of the device (may be fewer than workers) */
	uint16_t n_rxq;	    /* 0: the port is never polled */
	bool has_rxq;	    /* n_rxq > 0 */
	/* tx queue of each worker, | TXQ_SHARED when the worker must take txq_lock[queue]
	 * (txq_plan.h, l2/port_tx.c); loaded once per tx burst; control: rw (port.c,
	 * port_txq_publish) */
	_Atomic uint8_t txq[VSW_MAX_WORKERS];
	struct bridge *_Atomic bridge; /* control: rw (release); dataplane: ro (acquire) */
	/* capture taps, NULL when off: loaded once per burst; control: publish */
	struct capture *_Atomic cap[2];
	/* VLAN settings: changed only while the port is detached (bridge == NULL) and a
	 * grace period has passed, so workers see them stable. */
	struct eth_vlan_cfg vlan; /* vlan.trunk points at trunk[] below */
	uint32_t max_macs;	  /* control: rw; dataplane: ro */
	uint8_t trunk[512];	  /* bitmap of allowed VLANs */
	/* overlay, set before the port is published or polled and never changed after:
	 * an underlay port's VTEP (its frames go to vxlan_decap, not to a bridge), or a
	 * tunnel port's remote VTEP (its tx encapsulates onto the underlay port) */
	struct vtep *vtep;
	struct vxlan_tun *tun;

	/* --- storm[w] owned by worker w (its tsc), rates set by control --- */
	struct port_storm storm[VSW_MAX_WORKERS];

	/* --- taken by the workers that share a tx queue, only those (txq[w] & TXQ_SHARED);
	 * a line each, so that two shared queues do not bounce one line --- */
	struct port_txq_lock txq_lock[VSW_MAX_QUEUES];

	/* --- control only --- */
	char name[VSW_NAME_MAX];
	char devname[64];
	struct dp_port_params params;
	int worker;			   /* worker polling its rx queue 0, -1 none */
	int8_t rxq_worker[VSW_MAX_QUEUES]; /* worker polling each rx queue, -1 none */
	uint32_t vq_enabled;		   /* vhost-user: rx queues the guest enabled */
	uint32_t vq_tx_enabled;		   /* vhost-user: tx queues (its rx vrings) enabled */
	uint8_t txq_most;		   /* most workers on one tx queue (txq_plan) */
	struct dp_port_stats base;	   /* stats at the last stats-clear */

	struct port_stats stats[VSW_MAX_WORKERS];
};

/* Immutable once published; replaced whole (RCU) when membership changes. */
struct port_set {
	uint16_t n;
	struct port *p[];
};

struct bridge {
	uint16_t idx;
	struct fdb *fdb;
	struct port_set *_Atomic members; /* control: rw (publish); dataplane: ro */
	/* NULL while the bridge has no flow rule: then the flow stage costs one branch */
	struct flow_table
		*_Atomic flows; /* control: rw (publish, l2/flow_table.h); dataplane: ro */
	/* recording of the bridge (capture.c), NULL when off: one load per burst, on the
	 * line fdb and flows share; control: publish; dataplane: ro */
	struct capture *_Atomic rec;
	/* MACs learned from all remote VTEPs of its VNI together, 0 = no cap of its own;
	 * control: rw; dataplane: ro (overlay/vtep.h, vtep_learn_admit) */
	uint32_t remote_max_macs;
	/* control only */
	char name[VSW_NAME_MAX];
	struct dp_bridge_params params;
	uint32_t vni; /* VXLAN network identifier, 0 = none (overlay/vtep.c) */
};

/* The rx queues one worker polls: immutable once published, replaced whole (RCU). */
struct rxq_ref {
	struct port *p;
	uint16_t q;
};
struct rxq_set {
	uint16_t n;
	struct rxq_ref r[];
};

/* Per worker, per egress port: frames waiting for the next tx burst. */
struct txbuf {
	uint16_t n;
	bool dirty; /* on the worker's dirty list */
	uint32_t bytes;
	struct rte_mbuf *m[VSW_TXBUF];
};

struct worker {
	unsigned int idx;   /* QSBR thread id, index of port->txq[] */
	unsigned int lcore; /* EAL lcore id */
	unsigned int cpu;
	struct dp *dp;
	struct rxq_set *_Atomic rxqs; /* (port, queue) pairs it polls; control: publish */
	_Atomic bool stop;
	/* owned by the worker */
	uint16_t n_dirty;
	/* an underlay port flushed early in port_tx_flush is queued again by the tunnel
	 * ports flushed after it (overlay/vxlan_encap.c): at most once per VTEP */
	uint16_t dirty[VSW_MAX_PORTS + VSW_MAX_VTEPS];
	/* sources a busy fdb kept from being learned inline; the worker reports no quiescent
	 * state while any is left, so their fdb pointers stay valid */
	struct fdb_retry learn_retry;
	uint64_t loops, busy_loops;   /* read by control, approximate */
	uint64_t loop_tsc, busy_tsc;  /* cycles of all loops, of loops that moved frames; idem */
	uint64_t info_tsc, info_busy; /* control: last values seen by dp_info_get */
	struct txbuf tx[VSW_MAX_PORTS];
} __rte_cache_aligned;

struct dp {
	struct port *_Atomic ports[VSW_MAX_PORTS]; /* control: publish; dataplane: ro */
	struct bridge *bridges[VSW_MAX_BRIDGES];   /* control only */
	unsigned int n_workers;
	struct worker *workers[VSW_MAX_WORKERS];
	struct rte_rcu_qsbr *qsbr;
	struct rte_mempool *pool;
	_Atomic uint32_t clock_s; /* seconds since start; control: rw each loop; dataplane: ro */
	struct capture *_Atomic drop_cap; /* capture --drops, NULL when off; control: publish */
	uint32_t idle_sleep_max_us;
	uint64_t start_tsc;
	bool hugepages;
	unsigned int control_lcore;
	uint32_t devseq;		   /* makes vdev names unique across add/del */
	struct vtep *vteps[VSW_MAX_VTEPS]; /* control only (overlay/vtep.c) */
};

/* Wait until no worker can still hold a pointer unpublished before this call. */
void dp_sync(struct dp *dp);
/* Give every rx queue of p to a worker and rebalance the queues of all ports over the
 * workers (worker.c); unassign takes them back. Both publish new rx queue sets and wait a
 * grace period, so a queue is never polled by two workers at once. */
int dp_worker_assign(struct dp *dp, struct port *p);
void dp_worker_unassign(struct dp *dp, struct port *p);
/* Control loop, about 10 times a second: vhost-user queue state changes (port.c). */
void dp_port_poll(struct dp *dp);
/* Map the workers onto the tx queues of p the port can use now (all, or for vhost-user
 * those the guest enabled), locking the shared ones; waits up to two grace periods when
 * the map changes while p is published (port.c). */
void port_txq_update(struct dp *dp, struct port *p);
/* Recompute the per-worker storm buckets of p after its queues moved (port.c). */
void port_storm_apply(struct port *p);
struct port *dp_port_find(struct dp *dp, const char *name);
struct bridge *dp_bridge_find(struct dp *dp, const char *name);
/* Replace a port set: returns a new set = old plus add (if not NULL) minus del. */
struct port_set *port_set_edit(const struct port_set *old, struct port *add, struct port *del);

/* worker.c */
int worker_main(void *arg);

#endif
