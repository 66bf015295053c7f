/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 neighbour discovery (RFC 4861) on the underlay port of an IPv6 VTEP: what
 * overlay/arp.c does for IPv4, run by the same worker for the same reasons (the only one
 * that may send there outside a tunnel burst, and the only writer of dynamic neighbour
 * entries). Neighbor Solicitations for the VTEP's address (to it, or to its
 * solicited-node multicast address) are answered in place with a solicited
 * advertisement; the link-layer address in any solicitation or advertisement from one
 * of the VTEP's next hops refreshes it; and once a second (nd_tick) next hops not
 * resolved yet are solicited at their solicited-node address, resolved ones about to
 * expire by unicast, with ARP's timers (VTEP_ARP_REFRESH_S, VTEP_ARP_EXPIRE_S). Static
 * neighbours are never asked nor aged. The message checks are overlay/nd.h's.
 * Drop reasons (on the underlay port): vxlan_not_for_us (other ICMPv6, a solicitation
 * for another address, a duplicate address probe), vxlan_malformed, vxlan_bad_nd.
 * Counters: the VTEP's arp_* ones (requests = solicitations, replies = advertisements).
 */
#include <rte_mbuf.h>

#include "capture.h"
#include "overlay/nd.h"
#include "overlay/vtep.h"

static void nd_drop(struct worker *w, struct vtep *v, struct rte_mbuf *m, enum vsw_drop r)
{
	v->port->stats[w->idx].drops[r]++;
	capture_drop(w, v->port->idx, m, r, CAPTURE_STAGE_VXLAN_DECAP);
	rte_pktmbuf_free(m);
}

/* Refresh the neighbour entry of ip (if it is one of ours and not static). */
static void nd_learn(struct vtep *v, const uint8_t *ip, const uint8_t *mac, uint32_t now_s)
{
	uint32_t key = vtep_ip6_key(ip);

	if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac))
		return;
	for (unsigned int i = 0; i < VTEP_NEIGH_MAX; i++) {
		struct vtep_neigh *nb = &v->neigh[i];

		/* acquire: ip6 was written before the key */
		if (atomic_load_explicit(&nb->ip, memory_order_acquire) != key ||
		    memcmp(nb->ip6, ip, 16) != 0)
			continue;
		/* XXX: as in arp_learn, control may make it static between the load and the
		 * store; a vtep-neigh-add repeated fixes it */
		if (atomic_load_explicit(&nb->mac, memory_order_relaxed) & VTEP_NEIGH_STATIC)
			return;
		atomic_store_explicit(&nb->seen_s, now_s, memory_order_relaxed);
		atomic_store_explicit(&nb->mac, VTEP_NEIGH_VALID | vtep_mac_pack(mac),
				      memory_order_release);
		return;
	}
}

void nd_input(struct worker *w, struct vtep *v, struct rte_mbuf *m, uint32_t now_s)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t eth_dst[6], src[16];
	struct nd_rx nd;
	enum vsw_drop r;

	r = nd_parse(d, rte_pktmbuf_data_len(m), &v->local, &nd);
	if (r != VSW_DROP_MAX) {
		nd_drop(w, v, m, r);
		return;
	}
	if (nd.type == ND_TYPE_NA) {
		/* without the option (allowed in answer to a unicast solicitation), the
		 * frame's source is the advertiser's MAC */
		nd_learn(v, nd.target, nd.lladdr != NULL ? nd.lladdr : d + 6, now_s);
		v->cnt.arp_reply_rx++;
		rte_pktmbuf_free(m);
		return;
	}
	if (nd_ip6_is_unspecified(nd.src_ip)) {
		/* a duplicate address probe for our address: someone else wants it. Nothing
		 * to learn nor answer (the answer would go to all nodes); counted. */
		nd_drop(w, v, m, VSW_DROP_vxlan_not_for_us);
		return;
	}
	v->cnt.arp_req_rx++;
	if (nd.lladdr != NULL)
		nd_learn(v, nd.src_ip, nd.lladdr, now_s);
	memcpy(eth_dst, nd.lladdr != NULL ? nd.lladdr : d + 6, 6);
	memcpy(src, nd.src_ip, 16);
	/* the solicitation becomes the advertisement, in place */
	if (m->pkt_len > ND_FRAME_SIZE)
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - ND_FRAME_SIZE));
	else if (m->pkt_len < ND_FRAME_SIZE &&
		 rte_pktmbuf_append(m, (uint16_t)(ND_FRAME_SIZE - m->pkt_len)) == NULL) {
		v->cnt.arp_no_mbuf++;
		rte_pktmbuf_free(m);
		return;
	}
	d = rte_pktmbuf_mtod(m, uint8_t *);
	if (rte_pktmbuf_data_len(m) < ND_FRAME_SIZE) { /* chained: not for in-place writing */
		v->cnt.arp_no_mbuf++;
		rte_pktmbuf_free(m);
		return;
	}
	nd_write_na(d, &v->local, eth_dst, src);
	m->ol_flags = 0;
	v->cnt.arp_reply_tx++;
	vtep_tx_enqueue(w, v->port, m);
}

static void nd_solicit(struct worker *w, struct vtep *v, const uint8_t *target,
		       const uint8_t *unicast_mac)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->dp->pool);
	uint8_t *d;

	if (m == NULL) {
		v->cnt.arp_no_mbuf++;
		return;
	}
	d = (uint8_t *)rte_pktmbuf_append(m, ND_FRAME_SIZE);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		v->cnt.arp_no_mbuf++;
		return;
	}
	nd_write_ns(d, &v->local, target, unicast_mac);
	v->cnt.arp_req_tx++;
	vtep_tx_enqueue(w, v->port, m);
}

void nd_tick(struct worker *w, struct vtep *v, uint32_t now_s)
{
	for (unsigned int i = 0; i < VTEP_NEIGH_MAX; i++) {
		struct vtep_neigh *nb = &v->neigh[i];
		uint32_t key = atomic_load_explicit(&nb->ip, memory_order_acquire);
		uint8_t mac[6];
		uint64_t m;
		uint32_t age;

		if (key == 0)
			continue;
		m = atomic_load_explicit(&nb->mac, memory_order_relaxed);
		if (m & VTEP_NEIGH_STATIC)
			continue;
		age = now_s - atomic_load_explicit(&nb->seen_s, memory_order_relaxed);
		if ((m & VTEP_NEIGH_VALID) && age >= VTEP_ARP_EXPIRE_S) {
			atomic_store_explicit(&nb->mac, 0, memory_order_relaxed);
			m = 0;
		}
		if (!(m & VTEP_NEIGH_VALID)) {
			nb->asked_s = now_s;
			nd_solicit(w, v, nb->ip6, NULL);
		} else if (age >= VTEP_ARP_REFRESH_S) {
			nb->asked_s = now_s;
			vtep_mac_unpack(m, mac);
			nd_solicit(w, v, nb->ip6, mac);
		}
	}
}
