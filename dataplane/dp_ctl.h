/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control path's view of the dataplane: every operation the control socket can
 * ask for, without JSON. Called only from the control thread (the EAL main lcore);
 * each function either changes everything it was asked to or nothing, and on failure
 * returns -errno and writes a sentence for a person into err (size errsz).
 * Workers never call anything here.
 */
#ifndef VSW_DP_CTL_H
#define VSW_DP_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "drop.h"

#define VSW_NAME_MAX 32 /* names are 1..31 chars of [A-Za-z0-9_.-] */
#define VSW_MAX_PORTS 256
#define VSW_MAX_BRIDGES 64
#define VSW_VLAN_MAX 4094
/* Queues of one port: rx queues spread over the workers, and tx queues. 16 is what
 * rte_eth_stats_get reports per-queue counters for (RTE_ETHDEV_QUEUE_STAT_CNTRS). */
#define VSW_MAX_QUEUES 16

struct dp;

/* ---- bridges ---- */
struct dp_bridge_params {
	uint32_t mac_aging_s; /* 1..1000000 */
	uint32_t max_macs;    /* learned entries, 1..4194304 */
	uint32_t move_damp;   /* moves within one second that freeze a MAC; 0 = off */
	uint32_t move_damp_s; /* seconds a flapping MAC stays frozen */
};
void dp_bridge_params_default(struct dp_bridge_params *p);

struct dp_bridge_info {
	char name[VSW_NAME_MAX];
	struct dp_bridge_params params;
	uint32_t n_ports;
	uint16_t ports[VSW_MAX_PORTS]; /* port indexes, resolve with dp_port_get */
	uint32_t macs_learned, macs_static;
	uint64_t learned, aged, moves, move_damped, limit_hit, learn_lost;
};

int dp_bridge_add(struct dp *dp, const char *name, const struct dp_bridge_params *p, char *err,
		  size_t errsz);
int dp_bridge_del(struct dp *dp, const char *name, char *err, size_t errsz);
/* Which fields to change: bit set in mask (DP_BRIDGE_SET_*). */
#define DP_BRIDGE_SET_AGING (1u << 0)
#define DP_BRIDGE_SET_MAX_MACS (1u << 1)
#define DP_BRIDGE_SET_MOVE_DAMP (1u << 2)
#define DP_BRIDGE_SET_MOVE_DAMP_S (1u << 3)
int dp_bridge_set(struct dp *dp, const char *name, const struct dp_bridge_params *p,
		  unsigned int mask, char *err, size_t errsz);
/* Iterate: idx from 0; returns 0 and fills info, -ENOENT past the end. Slots may be empty:
 * returns -EAGAIN for an empty slot so the caller just continues. */
int dp_bridge_info_at(struct dp *dp, unsigned int idx, struct dp_bridge_info *info);
int dp_bridge_info_by_name(struct dp *dp, const char *name, struct dp_bridge_info *info);

/* ---- ports ---- */
enum dp_port_type {
	DP_PORT_PCAP,
	DP_PORT_NULL,
	DP_PORT_RING,
	DP_PORT_AF_PACKET,
	DP_PORT_TAP,
	DP_PORT_VHOST_USER,
	DP_PORT_VXLAN, /* a remote VTEP of a bridge's VNI: made by vtep-remote-add, no ethdev */
	DP_PORT_TYPE_MAX
};
extern const char *const dp_port_type_names[DP_PORT_TYPE_MAX];

#define DP_PORT_OPT_MAX 8
#define DP_PORT_OPT_VAL_MAX 256
struct dp_port_opt {
	char key[32];
	char val[DP_PORT_OPT_VAL_MAX];
};

struct dp_port_params {
	enum dp_port_type type;
	unsigned int n_opts;
	struct dp_port_opt opts[DP_PORT_OPT_MAX]; /* type-specific, checked by dp_port_add */
	uint32_t storm_pps;			  /* 0 = unlimited */
	uint32_t storm_burst;
	uint32_t max_macs; /* 0 = only the bridge limit */
};
void dp_port_params_default(struct dp_port_params *p);

enum dp_vlan_mode { DP_VLAN_NONE, DP_VLAN_ACCESS, DP_VLAN_TRUNK };

struct dp_port_info {
	char name[VSW_NAME_MAX];
	struct dp_port_params params;
	uint16_t dpdk_port;
	bool link_up;
	char bridge[VSW_NAME_MAX]; /* "" when not attached */
	enum dp_vlan_mode vlan_mode;
	uint16_t access_vlan;
	uint16_t native_vlan;
	uint8_t trunk[512]; /* bitmap of allowed VLANs on a trunk */
	int worker_lcore;   /* of the worker polling rx queue 0, -1 none */
	uint16_t n_rxq, n_txq;
	int rxq_lcore[VSW_MAX_QUEUES]; /* lcore of the worker polling each rx queue, -1 none */
	/* vhost-user, while a guest is connected: queue pairs it enabled (the rest of the
	 * n_rxq offered are never used) and the virtio features it negotiated */
	uint16_t guest_queues;
	uint64_t guest_features;
	/* tx queues the workers send on now, and the most workers on one (> 1: shared,
	 * locked; l2/port_tx.c) */
	uint16_t txq_used, txq_workers;
};

/* Per queue, from the device's own counters (rte_eth_stats_get): frames a queue received
 * or sent, whatever the switch did with them afterwards. */
struct dp_queue_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
};

struct dp_port_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t drops[VSW_DROP_MAX];
	uint16_t n_queues; /* entries of queue[] filled: max(rx, tx queues), 0 for a tunnel */
	struct dp_queue_stats queue[VSW_MAX_QUEUES];
};

int dp_port_add(struct dp *dp, const char *name, const struct dp_port_params *p, char *err,
		size_t errsz);
int dp_port_del(struct dp *dp, const char *name, char *err, size_t errsz);
#define DP_PORT_SET_STORM_PPS (1u << 0)
#define DP_PORT_SET_STORM_BURST (1u << 1)
#define DP_PORT_SET_MAX_MACS (1u << 2)
int dp_port_set(struct dp *dp, const char *name, const struct dp_port_params *p, unsigned int mask,
		char *err, size_t errsz);
int dp_port_info_at(struct dp *dp, unsigned int idx, struct dp_port_info *info); /* as bridges */
int dp_port_info_by_name(struct dp *dp, const char *name, struct dp_port_info *info);
/* name of port index idx, or NULL */
const char *dp_port_name(struct dp *dp, uint16_t idx);

struct dp_vlan_cfg {
	enum dp_vlan_mode mode; /* ACCESS or TRUNK */
	uint16_t access_vlan;	/* ACCESS: 1..4094 */
	uint16_t native_vlan;	/* TRUNK: 0 or 1..4094 */
	uint8_t trunk[512];	/* TRUNK: bitmap, bit v set = VLAN v allowed */
};
int dp_port_attach(struct dp *dp, const char *port, const char *bridge,
		   const struct dp_vlan_cfg *vlan, char *err, size_t errsz);
int dp_port_detach(struct dp *dp, const char *port, char *err, size_t errsz);

int dp_port_stats_get(struct dp *dp, const char *name, struct dp_port_stats *st, char *err,
		      size_t errsz);
int dp_port_stats_clear(struct dp *dp, const char *name /* NULL = all */, char *err, size_t errsz);

/* ---- MAC table ---- */
struct dp_fdb_entry {
	uint8_t mac[6];
	uint16_t vlan;
	uint16_t port; /* port index */
	bool is_static;
	uint32_t age_s;
};
int dp_fdb_add(struct dp *dp, const char *bridge, const uint8_t mac[6], uint16_t vlan,
	       const char *port, char *err, size_t errsz);
int dp_fdb_del(struct dp *dp, const char *bridge, const uint8_t mac[6], uint16_t vlan, char *err,
	       size_t errsz);
/* Calls cb for each entry matching the filters (port NULL = any, vlan 0 = any), in no
 * particular order; the caller sorts. Returns the number of entries or -errno. */
int dp_fdb_dump(struct dp *dp, const char *bridge, const char *port, uint16_t vlan,
		void (*cb)(const struct dp_fdb_entry *e, void *arg), void *arg, char *err,
		size_t errsz);
/* Returns the number of entries flushed or -errno. */
int dp_fdb_flush(struct dp *dp, const char *bridge, const char *port, uint16_t vlan,
		 bool include_static, char *err, size_t errsz);

/* ---- flow tables: per bridge, consulted before MAC learning (l2/flow_table.h) ---- */
enum dp_flow_field {
	DP_FLOW_IN_PORT,
	DP_FLOW_VLAN,
	DP_FLOW_ETH_SRC,
	DP_FLOW_ETH_DST,
	DP_FLOW_ETH_TYPE,
	DP_FLOW_IP_SRC,
	DP_FLOW_IP_DST,
	DP_FLOW_IP_PROTO,
	DP_FLOW_L4_SRC,
	DP_FLOW_L4_DST,
	DP_FLOW_VNI,
	DP_FLOW_FIELD_MAX
};
#define DP_FLOW_BIT(f) (1u << (f))
#define DP_FLOW_MAX 65536 /* rules per bridge */
#define DP_FLOW_PRIORITY_DEFAULT 32768

/* Only the fields whose bit is in `fields` are matched; the others are ignored. */
struct dp_flow_match {
	uint32_t fields;
	char in_port[VSW_NAME_MAX];
	uint16_t vlan; /* the frame's VLAN in the bridge (after ingress classification) */
	uint8_t eth_src[6], eth_src_mask[6];
	uint8_t eth_dst[6], eth_dst_mask[6];
	uint16_t eth_type;  /* after any 802.1Q tag */
	uint8_t ip_version; /* 4 or 6: the family of ip_src/ip_dst when either is matched */
	uint8_t ip_src[16], ip_dst[16]; /* network order; IPv4 in the first 4 bytes */
	uint8_t ip_src_len, ip_dst_len; /* prefix lengths */
	uint8_t ip_proto;
	uint16_t l4_src, l4_dst; /* TCP, UDP or SCTP ports */
	uint32_t vni; /* of the VXLAN tunnel the frame came out of; 0 = from a local port */
};

enum dp_flow_action_type {
	DP_FLOW_ACT_DROP,
	DP_FLOW_ACT_OUTPUT, /* port */
	DP_FLOW_ACT_FLOOD,
	DP_FLOW_ACT_NORMAL,
	DP_FLOW_ACT_PUSH_VLAN, /* vlan */
	DP_FLOW_ACT_POP_VLAN,
	DP_FLOW_ACT_SET_VLAN, /* vlan */
	DP_FLOW_ACT_MIRROR,   /* port */
	DP_FLOW_ACT_COUNT,
	DP_FLOW_ACT_MAX
};
#define DP_FLOW_ACTIONS_MAX 8

struct dp_flow_action {
	enum dp_flow_action_type type;
	char port[VSW_NAME_MAX];
	uint16_t vlan;
};

struct dp_flow {
	uint32_t id;		 /* chosen by the dataplane at add (ignored in add and mod) */
	char name[VSW_NAME_MAX]; /* optional ("" = none), unique within its bridge */
	uint16_t priority;	 /* higher wins */
	struct dp_flow_match match;
	unsigned int n_actions; /* 1..DP_FLOW_ACTIONS_MAX */
	struct dp_flow_action actions[DP_FLOW_ACTIONS_MAX];
	uint64_t packets, bytes; /* dump only: summed over the workers */
};

/* Add n flows to a bridge in one change (all or none); ids[i] (if ids is not NULL)
 * receives the id of flows[i]. */
int dp_flow_add(struct dp *dp, const char *bridge, const struct dp_flow *flows, unsigned int n,
		uint32_t *ids, char *err, size_t errsz);
/* Delete the flow with this id (id != 0), or this name (name != NULL), or every flow of
 * the bridge (id 0 and name NULL). Returns the number deleted or -errno. */
int dp_flow_del(struct dp *dp, const char *bridge, uint32_t id, const char *name, char *err,
		size_t errsz);
/* Replace the actions of one flow (selected as for dp_flow_del, one of id or name) with
 * f's, and its priority too when set_priority. Its counters carry on. */
int dp_flow_mod(struct dp *dp, const char *bridge, uint32_t id, const char *name,
		const struct dp_flow *f, bool set_priority, char *err, size_t errsz);
/* Calls cb for each flow in the order they are tried: priority, highest first, then id.
 * Returns the number of flows or -errno. */
int dp_flow_dump(struct dp *dp, const char *bridge, void (*cb)(const struct dp_flow *f, void *arg),
		 void *arg, char *err, size_t errsz);

/* ---- dataplane ---- */
struct dp_worker_info {
	unsigned int lcore, cpu;
	unsigned int n_ports;
	uint16_t ports[VSW_MAX_PORTS];
	double busy_pct; /* share of its cycles spent on polls that moved frames, since last call */
};
struct dp_info {
	const char *version;
	uint64_t uptime_s;
	bool hugepages;
	unsigned int control_lcore;
	unsigned int idle_sleep_max_us;
	unsigned int n_workers;
	struct dp_worker_info workers[8];
	unsigned int n_bridges, n_ports;
};
void dp_info_get(struct dp *dp, struct dp_info *info);

#endif
