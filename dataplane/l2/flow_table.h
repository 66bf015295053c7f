/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow table, the read side: what a worker calls on a burst before MAC learning. What a
 * bridge publishes (bridge->flows) is an immutable view made of two rte_acl classifiers,
 * a big "base" and a small "delta" of recent changes, and a bitmap of base rules that
 * are dead (deleted or changed since the base was built). The control thread
 * (dataplane/flow_ctl.c) makes a new view for every change, rebuilding only the delta,
 * and merges the delta into a new base in the background; why and how exactly:
 * l2/flow_table.c. Per-rule counters live in a flow_stats object that every classifier
 * built for that rule points to, so they survive rebuilds and merges; each worker writes
 * only its own line of it.
 */
#ifndef VSW_FLOW_TABLE_H
#define VSW_FLOW_TABLE_H

#include <rte_acl.h>
#include <rte_byteorder.h>

#include "dp.h"

/*
 * What rte_acl reads of a frame: every field in network byte order (rte_acl compares
 * input bytes as big-endian numbers against rules written in host order). The first
 * field must be one byte long and the rest come in groups of 4 bytes (rte_acl reads 4
 * bytes per input index), hence the order and the pad.
 */
struct flow_key {
	uint8_t ip_proto; /* input 0 */
	uint8_t pad0[3];
	rte_be16_t in_port, vlan;  /* input 1 */
	rte_be16_t eth_type, pad1; /* input 2 */
	rte_be16_t l4_src, l4_dst; /* input 3 */
	rte_be16_t src_lo, dst_lo; /* input 4: MAC bytes 4-5 */
	rte_be32_t src_hi;	   /* input 5: MAC bytes 0-3 */
	rte_be32_t dst_hi;	   /* input 6 */
	rte_be32_t ip_src[4];	   /* inputs 7-10: IPv4 in [0] */
	rte_be32_t ip_dst[4];	   /* inputs 11-14 */
	rte_be32_t vni;		   /* input 15: the tunnel's VNI, 0 for local ports */
} __rte_aligned(8);

enum flow_key_field {
	FK_IP_PROTO,
	FK_IN_PORT,
	FK_VLAN,
	FK_ETH_TYPE,
	FK_PAD1,
	FK_L4_SRC,
	FK_L4_DST,
	FK_SRC_LO,
	FK_DST_LO,
	FK_SRC_HI,
	FK_DST_HI,
	FK_IP_SRC0,
	FK_IP_DST0 = FK_IP_SRC0 + 4,
	FK_VNI = FK_IP_DST0 + 4,
	FK_MAX
};

/* A compiled action: type is enum dp_flow_action_type; arg a port index or a VLAN id. */
struct flow_act {
	uint8_t type;
	uint16_t arg;
};

/* One rule's counters, one cache line per worker (no sharing between writers). */
struct flow_stats {
	struct {
		uint64_t packets, bytes;
	} __rte_cache_aligned w[VSW_MAX_WORKERS];
};

/* A rule as a worker sees it: immutable, copied into each classifier built. */
struct flow_entry {
	/* the order between rules of two classifiers: priority << 32 | ~id (greater wins) */
	uint64_t rank;
	struct flow_stats *stats;
	uint8_t n_act;
	struct flow_act act[DP_FLOW_ACTIONS_MAX];
};

struct flow_rule; /* control only (flow_ctl.c) */

/* One rte_acl classifier and the rules it returns. Immutable once built. */
struct flow_cls {
	struct rte_acl_ctx *acl;
	uint32_t n;
	struct flow_rule **rules; /* control only: rules[i] is e[i]'s, NULL once deleted */
	struct flow_entry e[];	  /* rte_acl userdata i + 1 is e[i]; 0 = no rule matched */
};

struct flow_ctl_state; /* control only (flow_ctl.c) */

/*
 * What a bridge publishes. The rule for a frame is the higher ranked of the base's match
 * (unless its dead bit is set) and the delta's; the control side keeps the delta holding
 * every live base rule that a dead one could hide, so this is exactly what one classifier
 * of all the live rules would answer (l2/flow_table.c).
 */
struct flow_table {
	const struct flow_cls *base;  /* NULL: no base */
	const struct flow_cls *delta; /* NULL: no delta */
	uint32_t n_dead;	      /* 0: dead[] is all zero, skip the test */
	struct flow_ctl_state *ctl;   /* control only */
	uint64_t dead[];	      /* one bit per base entry */
};

/* Fill k from the frame's first segment (eth_parse passed it: at least 14 bytes, 18 if
 * tagged). Fields a frame lacks (ports of a non-first fragment, IP of an ARP) are 0;
 * vni is that of the tunnel the frame came out of, 0 for a frame of a local port. */
void flow_key_build(struct flow_key *k, const struct rte_mbuf *m, uint16_t in_idx, uint16_t vid,
		    uint32_t vni);

/* Classify n frames (n <= VSW_BURST) that came in on port in_idx (out of a tunnel of VNI
 * vni, or 0) with VLANs vids: e[i] is the rule that applies to pkts[i], or NULL when none
 * does (normal forwarding). */
void flow_classify_burst(const struct flow_table *ft, struct rte_mbuf *const *pkts,
			 const uint16_t *vids, uint16_t in_idx, uint32_t vni, unsigned int n,
			 const struct flow_entry **e);

/*
 * The flow stage of bridge_input: classify the burst, then apply each matching rule's
 * actions in order (count, VLAN changes, mirror copies, then drop/output/flood/normal).
 * Frames that continue to the learning bridge (no rule, or normal) are compacted at the
 * front of pkts/vids/tagged/keys (keys recomputed if a rule changed the VLAN); returns
 * how many. The others are consumed: sent, flooded, or dropped and counted.
 * Drop reasons: flow_drop, port_gone (output port removed), no_mbuf (push_vlan or a
 * mirror copy found no buffer), and those of port_tx_enqueue and bridge_flood.
 */
unsigned int flow_input_burst(struct worker *w, struct bridge *br, struct port *in,
			      const struct flow_table *ft, struct rte_mbuf **pkts, uint16_t *vids,
			      bool *tagged, uint64_t *keys, unsigned int n, uint64_t tsc);

#endif
