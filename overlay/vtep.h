/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN tunnel end points, read side: what the overlay stages (vxlan_decap, vxlan_encap,
 * arp) and the bridge stages read. A VTEP sits on one underlay port (a port in no
 * bridge); each remote VTEP of a bridge's VNI is a tunnel port in dp->ports (type
 * DP_PORT_VXLAN) that is a member of the bridge, so flooding is head-end replication,
 * remote MACs are fdb entries on tunnel ports, and a tunnel port's tx encapsulates.
 * The control side (overlay/vtep_ctl.h, vtep.c) builds and publishes all of it.
 */
#ifndef VSW_VTEP_H
#define VSW_VTEP_H

#include <stdatomic.h>
#include <stdint.h>

#include "dp.h"
#include "overlay/vxlan.h"
#include "port_tx.h"

#define VTEP_NEIGH_MAX 64
#define VTEP_NEIGH_VALID (1ull << 63)  /* mac holds a resolved address */
#define VTEP_NEIGH_STATIC (1ull << 62) /* set by control: never asked, never aged */
#define VTEP_NEIGH_MAC_MASK ((1ull << 48) - 1)
/* A resolved neighbour is asked again (once a second) from this age on, and forgotten
 * when it has not answered by VTEP_ARP_EXPIRE_S: its tunnels then drop (vxlan_no_neigh). */
#define VTEP_ARP_REFRESH_S 30
#define VTEP_ARP_EXPIRE_S 45

/* A next hop of the underlay: a remote VTEP on the local subnet, or the gateway. */
struct vtep_neigh {
	/* IPv4: the address (network order). IPv6: vtep_ip6_key(ip6), never 0, stored (with
	 * release) after ip6. 0 = free. control: rw; dataplane: ro */
	_Atomic uint32_t ip;
	/* VALID | STATIC | MAC (bits 0..47, first byte highest); the underlay's worker (ARP
	 * answers) and control (static entries): rw; encapsulating workers: ro */
	_Atomic uint64_t mac;
	_Atomic uint32_t seen_s; /* fdb clock second of the last answer; same writers */
	uint32_t asked_s;	 /* the underlay's worker only */
	uint8_t ip6[16];	 /* an IPv6 VTEP's next hop; control: rw while ip is 0 */
};

/* The word an IPv6 neighbour's ip holds: a quick filter before comparing ip6, never 0. */
static inline uint32_t vtep_ip6_key(const uint8_t a[16])
{
	uint32_t w[4];

	memcpy(w, a, 16);
	return (w[0] ^ w[1] ^ w[2] ^ w[3]) | 1;
}

/* The overlay half of a tunnel port. Immutable once the port is published, but for
 * mtu_needed. */
struct vxlan_tun {
	struct vtep *vtep;
	struct vtep_neigh *nh;	/* next hop towards remote_ip */
	uint32_t remote_ip;	/* network order; an IPv4 VTEP's */
	uint8_t remote_ip6[16]; /* an IPv6 VTEP's */
	uint32_t vni;
	struct vxlan_tmpl tmpl;
	/* the largest underlay MTU a frame dropped as vxlan_mtu_exceeded needed; workers: max */
	_Atomic uint32_t mtu_needed;
};

/* (VNI, remote VTEP) -> tunnel port, sorted by vni then ip. A VNI of a bridge with no
 * remote has one entry with ip 0 and port NULL, so its frames are told apart as
 * vxlan_unknown_vtep rather than vxlan_unknown_vni. Immutable; replaced whole (RCU). */
struct vtep_map_ent {
	uint32_t vni;
	uint32_t ip;
	struct port *port;
};
struct vtep_map_ent6 {
	uint32_t vni;
	uint8_t ip[16];
	struct port *port;
};
struct vtep_map {
	uint32_t n;
	/* an IPv6 VTEP's n entries (in the same allocation, after the header); NULL for IPv4,
	 * whose entries are e[] */
	struct vtep_map_ent6 *e6;
	struct vtep_map_ent e[];
};

/* Written by the worker that polls the underlay port only; read by control. */
struct vtep_counters {
	uint64_t arp_req_rx, arp_reply_tx, arp_reply_rx, arp_req_tx, arp_no_mbuf;
	uint64_t decap_packets, decap_bytes;
};

struct vtep {
	/* --- read by workers --- */
	struct port *port; /* the underlay port */
	struct vxlan_local local;
	uint32_t netmask;	      /* network order */
	uint32_t mtu;		      /* underlay IP MTU */
	bool v6;		      /* an IPv6 underlay: local.ip6, neighbours' ip6, map e6 */
	struct vtep_map *_Atomic map; /* control: publish; dataplane: ro */
	struct vtep_neigh neigh[VTEP_NEIGH_MAX];
	/* --- owned by the worker polling the underlay port --- */
	uint32_t tick_s;
	struct vtep_counters cnt;
	/* --- control only --- */
	char name[VSW_NAME_MAX];
	uint32_t gateway;     /* network order, 0 = none (IPv4) */
	uint8_t gateway6[16]; /* all zero = none (IPv6) */
	uint8_t net6[16];     /* the IPv6 subnet: local.ip6 masked by prefix_len */
	uint8_t prefix_len;
	uint8_t ttl;
	uint32_t neigh_refs[VTEP_NEIGH_MAX]; /* tunnels using each neighbour */
};

/* Look up a received frame's VNI and source: 1 and *port when both are known, 0 when
 * the VNI is known but the source is not one of its remotes, -1 for an unknown VNI. */
static inline int vtep_map_find(const struct vtep_map *m, uint32_t vni, uint32_t ip,
				struct port **port)
{
	int known = -1;

	for (uint32_t i = 0; i < m->n; i++) {
		const struct vtep_map_ent *e = &m->e[i];

		if (e->vni != vni)
			continue;
		known = 0;
		if (e->ip == ip && e->port != NULL) {
			*port = e->port;
			return 1;
		}
	}
	return known;
}

/* vtep_map_find for an IPv6 VTEP (m->e6), ip: 16 bytes (in the frame). */
static inline int vtep_map_find6(const struct vtep_map *m, uint32_t vni, const uint8_t *ip,
				 struct port **port)
{
	int known = -1;

	for (uint32_t i = 0; i < m->n; i++) {
		const struct vtep_map_ent6 *e = &m->e6[i];

		if (e->vni != vni)
			continue;
		known = 0;
		if (e->port != NULL && memcmp(e->ip, ip, 16) == 0) {
			*port = e->port;
			return 1;
		}
	}
	return known;
}

/* May tunnel port `in` learn one more MAC? The MACs learned on all the remotes of its
 * VNI together stay under the bridge's remote_max_macs. Only on the learning path. */
static inline bool vtep_learn_admit(const struct port *in, const struct fdb *fdb, uint32_t cap)
{
	const struct vtep_map *m;
	uint64_t sum = 0;

	if (cap == 0)
		return true;
	m = atomic_load_explicit(&in->tun->vtep->map, memory_order_acquire);
	for (uint32_t i = 0; i < m->n; i++) {
		uint32_t vni = m->e6 != NULL ? m->e6[i].vni : m->e[i].vni;
		const struct port *p = m->e6 != NULL ? m->e6[i].port : m->e[i].port;

		if (vni == in->tun->vni && p != NULL)
			sum += atomic_load_explicit(&fdb->port_learned[p->idx],
						    memory_order_relaxed);
	}
	return sum < cap;
}

/* Queue a finished frame on this worker's buffer for underlay port out (no VLAN logic:
 * an underlay port is in no bridge). Consumes m. */
static inline void vtep_tx_enqueue(struct worker *w, struct port *out, struct rte_mbuf *m)
{
	struct txbuf *tb = &w->tx[out->idx];

	if (!tb->dirty) {
		tb->dirty = true;
		w->dirty[w->n_dirty++] = out->idx;
	}
	tb->m[tb->n++] = m;
	tb->bytes += m->pkt_len;
	if (unlikely(tb->n == VSW_TXBUF))
		port_tx_burst(w, out);
}

static inline uint64_t vtep_mac_pack(const uint8_t mac[6])
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | mac[i];
	return v;
}

static inline void vtep_mac_unpack(uint64_t v, uint8_t mac[6])
{
	for (int i = 5; i >= 0; i--, v >>= 8)
		mac[i] = (uint8_t)v;
}

/* overlay/vxlan_decap.c: poll underlay port in (in->vtep set): ARP, then decapsulate
 * into the bridges. Returns the number of frames received. */
unsigned int vxlan_decap_burst(struct worker *w, struct port *in, uint32_t now_s, uint64_t tsc);
/* overlay/vxlan_encap.c: the tx of tunnel port p: encapsulate n frames onto its underlay
 * port's buffer. Consumes them all; counts on p. */
void vxlan_encap_burst(struct worker *w, struct port *p, struct rte_mbuf **pkts, uint16_t n);
/* overlay/arp.c, the underlay's worker only. */
void arp_input(struct worker *w, struct vtep *v, struct rte_mbuf *m, uint32_t now_s);
void arp_tick(struct worker *w, struct vtep *v, uint32_t now_s);
/* overlay/nd.c: the same for an IPv6 VTEP (neighbour discovery, RFC 4861). */
void nd_input(struct worker *w, struct vtep *v, struct rte_mbuf *m, uint32_t now_s);
void nd_tick(struct worker *w, struct vtep *v, uint32_t now_s);

#endif
