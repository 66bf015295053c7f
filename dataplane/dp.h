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

#include "dp_ctl.h"
#include "drop.h"
#include "eth_parse.h"
#include "fdb.h"

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

struct port {
	/* --- read by workers on every frame --- */
	uint16_t idx;	    /* index in dp->ports */
	uint16_t dpdk_port; /* ethdev port id */
	uint16_t n_txq;
	bool has_rxq;
	struct bridge *_Atomic bridge; /* control: rw (release); dataplane: ro (acquire) */
	/* capture taps, NULL when off: loaded once per burst; control: publish */
	struct capture *_Atomic cap[2];
	/* VLAN settings: changed only while the port is detached (bridge == NULL) and a
	 * grace period has passed, so workers see them stable. */
	struct eth_vlan_cfg vlan; /* vlan.trunk points at trunk[] below */
	uint32_t max_macs;	  /* control: rw; dataplane: ro */
	uint64_t storm_rate_tsc;  /* tsc cycles per token, 0 = unlimited; control: rw */
	uint64_t storm_burst_tsc;
	uint8_t trunk[512]; /* bitmap of allowed VLANs */
	/* overlay, set before the port is published or polled and never changed after:
	 * an underlay port's VTEP (its frames go to vxlan_decap, not to a bridge), or a
	 * tunnel port's remote VTEP (its tx encapsulates onto the underlay port) */
	struct vtep *vtep;
	struct vxlan_tun *tun;

	/* --- owned by the worker that polls this port's rx queue --- */
	uint64_t storm_tsc; /* token bucket, in tsc: time the bucket was "empty" */

	/* --- control only --- */
	char name[VSW_NAME_MAX];
	char devname[64];
	struct dp_port_params params;
	int worker;		   /* index of the worker polling its rx queue, -1 none */
	struct dp_port_stats base; /* stats at the last stats-clear */

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
	/* MACs learned from all remote VTEPs of its VNI together, 0 = no cap of its own;
	 * control: rw; dataplane: ro (overlay/vtep.h, vtep_learn_admit) */
	uint32_t remote_max_macs;
	/* control only */
	char name[VSW_NAME_MAX];
	struct dp_bridge_params params;
	uint32_t vni; /* VXLAN network identifier, 0 = none (overlay/vtep.c) */
};

/* Per worker, per egress port: frames waiting for the next tx burst. */
struct txbuf {
	uint16_t n;
	bool dirty; /* on the worker's dirty list */
	uint32_t bytes;
	struct rte_mbuf *m[VSW_TXBUF];
};

struct worker {
	unsigned int idx;   /* QSBR thread id and tx queue id */
	unsigned int lcore; /* EAL lcore id */
	unsigned int cpu;
	struct dp *dp;
	struct port_set *_Atomic rx_ports; /* ports whose rx queue it polls; control: publish */
	_Atomic bool stop;
	/* owned by the worker */
	uint16_t n_dirty;
	/* an underlay port flushed early in port_tx_flush is queued again by the tunnel
	 * ports flushed after it (overlay/vxlan_encap.c): at most once per VTEP */
	uint16_t dirty[VSW_MAX_PORTS + VSW_MAX_VTEPS];
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
/* Publish a new rx port list for a worker (frees the old one after a grace period). */
int dp_worker_assign(struct dp *dp, struct port *p);
void dp_worker_unassign(struct dp *dp, struct port *p);
struct port *dp_port_find(struct dp *dp, const char *name);
struct bridge *dp_bridge_find(struct dp *dp, const char *name);
/* Replace a port set: returns a new set = old plus add (if not NULL) minus del. */
struct port_set *port_set_edit(const struct port_set *old, struct port *add, struct port *del);

/* worker.c */
int worker_main(void *arg);

#endif
