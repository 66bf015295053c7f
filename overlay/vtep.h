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

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include <rte_hash_crc.h>

#include "dp.h"
#include "overlay/nd.h"
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

/*
 * The decap map of a VTEP: (VNI, remote VTEP) -> tunnel port, an open-addressing hash
 * table (linear probing, at most half full) that is never changed once published: control
 * builds a new one on every change (vtep_map_build), publishes it with a release store
 * and frees the old one after a grace period, as everything else in overlay/ is
 * published. Being immutable it needs no tombstones, no per-slot atomics and no writer
 * lock, and a probe ends at the first free slot.
 * Every VNI of a bridge has an entry of its own, key (vni | VTEP_MAP_VNI, ip 0 or ::), which
 * no frame's 24-bit VNI can match: a miss looks it up to tell vxlan_unknown_vtep (the VNI is
 * known) from vxlan_unknown_vni, and it lists the VNI's tunnel ports (grp: ports[first ..
 * first + n)) for the learning cap. A free slot has vni VTEP_MAP_FREE.
 *
 * Why not rte_hash (house rule: a hand-written replacement states its figures). A
 * throwaway probe ran, in one binary, this vtep_map_find, the linear scan it replaced and
 * rte_hash_lookup_data / rte_hash_lookup_bulk_data (32 keys) on an rte_hash with
 * RW_CONCURRENCY_LF, CRC and the same 8-byte key (VNI, IPv4 remote): random hits among
 * the table's keys, ns per lookup, the least of 6 runs (the 2-core machine was shared,
 * load average 4 to 5: medians were up to 2x these), 2026-11-24:
 *   VNIs, (VNI, remote) pairs    linear scan   this table   rte_hash   rte_hash bulk
 *   1, 1                             0.8           1.1          21          22
 *   4, 8                            19             1.1          15          14
 *   16, 32                          21             2.6          24          19
 *   64, 64                          34             7.9          23          19
 *   1024, 4096                     940             4.8          29          14
 *   4096, 8192                       -             7.4          31          18
 * An unknown VNI (two probes) cost 3 to 22 ns. Probes per hit: 1.3 to 1.5 on average, at
 * most 11 (8192 pairs). Caching the last (VNI, remote) in the decap loop saved 0.3 ns
 * with one remote but cost 1 to 3.5 ns with several in random order: not done.
 * The table is also what build-new / publish / free-old wants: an rte_hash is a named
 * object in hugepage memory, and changing one in place would add an rte_hash_rcu_qsbr
 * reclaim path beside the RCU publication the overlay already has.
 */
#define VTEP_MAP_FREE UINT32_MAX /* the vni of a free slot: no frame's, no VNI entry's */
#define VTEP_MAP_VNI (1u << 31)	 /* vni | VTEP_MAP_VNI: a VNI's own entry */

/* A VNI's tunnel ports: m->ports[first .. first + n) (n may be 0: no remote yet). */
struct vtep_map_grp {
	uint32_t first, n;
};

struct vtep_map_ent {
	uint32_t vni;
	uint32_t ip; /* network order; 0 in a VNI's entry */
	union {
		struct port *port;	 /* a remote's entry: never NULL */
		struct vtep_map_grp grp; /* a VNI's entry */
	};
};
struct vtep_map_ent6 {
	uint32_t vni;
	uint8_t ip[16]; /* :: in a VNI's entry */
	union {
		struct port *port;
		struct vtep_map_grp grp;
	};
};
struct vtep_map {
	uint32_t mask; /* slots - 1: the number of slots is a power of two */
	uint32_t n_ports;
	struct vtep_map_ent *e;	  /* an IPv4 VTEP's slots; NULL for IPv6 */
	struct vtep_map_ent6 *e6; /* an IPv6 VTEP's slots; NULL for IPv4 */
	struct port **ports;	  /* the tunnel ports, grouped by VNI */
};

/* Written by the worker that polls the underlay port only; read by control. */
struct vtep_counters {
	uint64_t arp_req_rx, arp_reply_tx, arp_reply_rx, arp_req_tx, arp_no_mbuf;
	uint64_t decap_packets, decap_bytes;
	/* IPv6 (overlay/nd.c): duplicate address probes sent, conflicts seen (another node
	 * claiming an address of ours), MLD reports sent, MLD queries taken */
	uint64_t dad_ns_tx, dad_conflict, mld_report_tx, mld_query_rx;
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
	/* IPv6: duplicate address detection and MLD (overlay/nd.h says who writes what);
	 * state[ND_ADDR] is read by encapsulating workers too */
	struct nd_dad dad;
	/* --- control only --- */
	char name[VSW_NAME_MAX];
	uint32_t gateway;     /* network order, 0 = none (IPv4) */
	uint8_t gateway6[16]; /* all zero = none (IPv6) */
	uint8_t net6[16];     /* the IPv6 subnet: local.ip6 masked by prefix_len */
	uint8_t prefix_len;
	uint8_t ttl;
	uint32_t neigh_refs[VTEP_NEIGH_MAX]; /* tunnels using each neighbour */
};

static inline uint32_t vtep_map_hash(uint32_t vni, uint32_t ip)
{
	return rte_hash_crc_8byte((uint64_t)ip << 32 | vni, 0);
}

static inline uint32_t vtep_map_hash6(uint32_t vni, const uint8_t ip[16])
{
	uint64_t a, b;

	memcpy(&a, ip, 8);
	memcpy(&b, ip + 8, 8);
	return rte_hash_crc_8byte(b, rte_hash_crc_8byte(a, vni));
}

/* The entry of key (vni, ip) in an IPv4 map, or NULL. One 8-byte compare per slot. */
static inline const struct vtep_map_ent *vtep_map_probe(const struct vtep_map *m, uint32_t vni,
							uint32_t ip)
{
	const struct vtep_map_ent k = {.vni = vni, .ip = ip};
	uint64_t key, s;

	memcpy(&key, &k, 8);
	for (uint32_t i = vtep_map_hash(vni, ip) & m->mask;; i = (i + 1) & m->mask) {
		memcpy(&s, &m->e[i], 8);
		if (s == key)
			return &m->e[i];
		if (m->e[i].vni == VTEP_MAP_FREE)
			return NULL;
	}
}

static inline const struct vtep_map_ent6 *vtep_map_probe6(const struct vtep_map *m, uint32_t vni,
							  const uint8_t ip[16])
{
	uint64_t a, b, x, y;

	memcpy(&a, ip, 8);
	memcpy(&b, ip + 8, 8);
	for (uint32_t i = vtep_map_hash6(vni, ip) & m->mask;; i = (i + 1) & m->mask) {
		const struct vtep_map_ent6 *e = &m->e6[i];

		memcpy(&x, e->ip, 8);
		memcpy(&y, e->ip + 8, 8);
		if (e->vni == vni && x == a && y == b)
			return e;
		if (e->vni == VTEP_MAP_FREE)
			return NULL;
	}
}

/* Look up a received frame's VNI (24 bits) and source: 1 and *port when both are known, 0
 * when the VNI is known but the source is not one of its remotes, -1 for an unknown VNI.
 * The second probe is paid by refused frames only. */
static inline int vtep_map_find(const struct vtep_map *m, uint32_t vni, uint32_t ip,
				struct port **port)
{
	const struct vtep_map_ent *e = vtep_map_probe(m, vni, ip);

	if (likely(e != NULL)) {
		*port = e->port;
		return 1;
	}
	return vtep_map_probe(m, vni | VTEP_MAP_VNI, 0) != NULL ? 0 : -1;
}

/* vtep_map_find for an IPv6 VTEP (m->e6), ip: 16 bytes (in the frame). */
static inline int vtep_map_find6(const struct vtep_map *m, uint32_t vni, const uint8_t *ip,
				 struct port **port)
{
	static const uint8_t any[16];
	const struct vtep_map_ent6 *e = vtep_map_probe6(m, vni, ip);

	if (likely(e != NULL)) {
		*port = e->port;
		return 1;
	}
	return vtep_map_probe6(m, vni | VTEP_MAP_VNI, any) != NULL ? 0 : -1;
}

/* A VNI's own entry (its tunnel ports), or NULL when the map does not have the VNI. */
static inline const struct vtep_map_grp *vtep_map_vni(const struct vtep_map *m, uint32_t vni)
{
	static const uint8_t any[16];

	if (m->e6 != NULL) {
		const struct vtep_map_ent6 *e = vtep_map_probe6(m, vni | VTEP_MAP_VNI, any);

		return e != NULL ? &e->grp : NULL;
	}
	const struct vtep_map_ent *e = vtep_map_probe(m, vni | VTEP_MAP_VNI, 0);

	return e != NULL ? &e->grp : NULL;
}

/* May tunnel port `in` learn one more MAC? The MACs learned on all the remotes of its
 * VNI together stay under the bridge's remote_max_macs. Only on the learning path. */
static inline bool vtep_learn_admit(const struct port *in, const struct fdb *fdb, uint32_t cap)
{
	const struct vtep_map *m;
	const struct vtep_map_grp *g;
	uint64_t sum = 0;

	if (cap == 0)
		return true;
	m = atomic_load_explicit(&in->tun->vtep->map, memory_order_acquire);
	g = vtep_map_vni(m, in->tun->vni);
	for (uint32_t i = 0; g != NULL && i < g->n; i++)
		sum += atomic_load_explicit(&fdb->port_learned[m->ports[g->first + i]->idx],
					    memory_order_relaxed);
	return sum < cap;
}

/* One (VNI, remote) pair for vtep_map_build; port NULL: a VNI with no remote (yet). ip is
 * an IPv4 map's remote, ip6 an IPv6 map's. */
struct vtep_map_src {
	uint32_t vni;
	uint32_t ip;
	uint8_t ip6[16];
	struct port *port;
};

/*
 * Control side (overlay/vtep_map.c): a new map of the n pairs of src (sorted in place; a pair given twice
 * counts once), for an IPv6 VTEP if v6. Returns NULL with errno set (ENOMEM, or EINVAL
 * for more than 2^26 pairs). Free it with free().
 */
struct vtep_map *vtep_map_build(struct vtep_map_src *src, uint32_t n, bool v6);

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
/* overlay/nd.c: the same for an IPv6 VTEP (neighbour discovery, RFC 4861), with
 * duplicate address detection and MLD: nd_input takes what nd_frame() picks. */
void nd_input(struct worker *w, struct vtep *v, struct rte_mbuf *m, uint32_t now_s);
void nd_tick(struct worker *w, struct vtep *v, uint32_t now_s);

#endif
