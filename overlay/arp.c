/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP on an underlay port, run by the worker that polls it (the only one that may send
 * there outside a tunnel burst, and the only writer of dynamic neighbour entries):
 * answer requests for the VTEP's address, take the sender's MAC from any ARP for us if
 * the sender is one of the VTEP's next hops (control chose which: remotes on the local
 * subnet, else the gateway), and once a second ask for next hops not resolved yet or
 * about to expire (arp_tick). A next hop that stops answering is forgotten after
 * VTEP_ARP_EXPIRE_S and its tunnels drop (vxlan_no_neigh) rather than send to a MAC
 * that may have gone. Static neighbours (vtep-neigh-add) are never asked nor aged.
 * Drop reasons (on the underlay port): vxlan_malformed (short ARP), vxlan_not_for_us
 * (not Ethernet/IPv4 ARP, or about another address). Answered requests leave as
 * replies; replies to us are consumed and counted in the VTEP's counters.
 */
#include <rte_mbuf.h>

#include "capture.h"
#include "overlay/vtep.h"

#define ARP_SIZE 28
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

static void arp_drop(struct worker *w, struct vtep *v, struct rte_mbuf *m, enum vsw_drop r)
{
	v->port->stats[w->idx].drops[r]++;
	capture_drop(w, v->port->idx, m, r, CAPTURE_STAGE_VXLAN_DECAP);
	rte_pktmbuf_free(m);
}

/* Refresh the neighbour entry of ip (if it is one of ours and not static). */
static void arp_learn(struct vtep *v, uint32_t ip, const uint8_t *mac, uint32_t now_s)
{
	for (unsigned int i = 0; i < VTEP_NEIGH_MAX; i++) {
		struct vtep_neigh *nb = &v->neigh[i];
		uint64_t old;

		if (atomic_load_explicit(&nb->ip, memory_order_relaxed) != ip)
			continue;
		old = atomic_load_explicit(&nb->mac, memory_order_relaxed);
		/* XXX: control may make it static between this load and the store below; a
		 * vtep-neigh-add repeated fixes it */
		if (old & VTEP_NEIGH_STATIC)
			return;
		if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac))
			return;
		atomic_store_explicit(&nb->seen_s, now_s, memory_order_relaxed);
		atomic_store_explicit(&nb->mac, VTEP_NEIGH_VALID | vtep_mac_pack(mac),
				      memory_order_release);
		return;
	}
}

static void arp_write(uint8_t *d, const uint8_t *eth_dst, uint16_t op, const uint8_t *sha,
		      uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	memcpy(d, eth_dst, 6);
	memcpy(d + 6, sha, 6);
	vxlan_wr16(d + 12, VXLAN_ETHERTYPE_ARP);
	d += VXLAN_ETH_SIZE;
	vxlan_wr16(d, 1);
	vxlan_wr16(d + 2, VXLAN_ETHERTYPE_IPV4);
	d[4] = 6;
	d[5] = 4;
	vxlan_wr16(d + 6, op);
	memcpy(d + 8, sha, 6);
	memcpy(d + 14, &spa, 4);
	memcpy(d + 18, tha, 6);
	memcpy(d + 24, &tpa, 4);
}

void arp_input(struct worker *w, struct vtep *v, struct rte_mbuf *m, uint32_t now_s)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *), *a = d + VXLAN_ETH_SIZE;
	uint8_t sha[6];
	uint32_t spa, tpa;
	uint16_t op;

	if (rte_pktmbuf_data_len(m) < VXLAN_ETH_SIZE + ARP_SIZE) {
		arp_drop(w, v, m, VSW_DROP_vxlan_malformed);
		return;
	}
	op = vxlan_rd16(a + 6);
	memcpy(sha, a + 8, 6);
	memcpy(&spa, a + 14, 4);
	memcpy(&tpa, a + 24, 4);
	if (vxlan_rd16(a) != 1 || vxlan_rd16(a + 2) != VXLAN_ETHERTYPE_IPV4 || a[4] != 6 ||
	    a[5] != 4 || (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)) {
		arp_drop(w, v, m, VSW_DROP_vxlan_not_for_us);
		return;
	}
	if (tpa != v->local.ip) {
		/* a gratuitous ARP (sender = target) from a next hop still refreshes it */
		if (spa == tpa && spa != 0)
			arp_learn(v, spa, sha, now_s);
		arp_drop(w, v, m, VSW_DROP_vxlan_not_for_us);
		return;
	}
	arp_learn(v, spa, sha, now_s);
	if (op == ARP_OP_REPLY) {
		v->cnt.arp_reply_rx++;
		rte_pktmbuf_free(m);
		return;
	}
	v->cnt.arp_req_rx++;
	/* the request becomes the reply, in place */
	arp_write(d, sha, ARP_OP_REPLY, v->local.mac, v->local.ip, sha, spa);
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - (VXLAN_ETH_SIZE + ARP_SIZE)));
	m->ol_flags = 0;
	v->cnt.arp_reply_tx++;
	vtep_tx_enqueue(w, v->port, m);
}

static void arp_request(struct worker *w, struct vtep *v, uint32_t ip)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6];
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->dp->pool);
	uint8_t *d;

	if (m == NULL) {
		v->cnt.arp_no_mbuf++;
		return;
	}
	/* 60 bytes: the minimum frame size, padded with zeros */
	d = (uint8_t *)rte_pktmbuf_append(m, 60);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		v->cnt.arp_no_mbuf++;
		return;
	}
	memset(d, 0, 60);
	arp_write(d, bcast, ARP_OP_REQUEST, v->local.mac, v->local.ip, zero, ip);
	v->cnt.arp_req_tx++;
	vtep_tx_enqueue(w, v->port, m);
}

void arp_tick(struct worker *w, struct vtep *v, uint32_t now_s)
{
	for (unsigned int i = 0; i < VTEP_NEIGH_MAX; i++) {
		struct vtep_neigh *nb = &v->neigh[i];
		uint32_t ip = atomic_load_explicit(&nb->ip, memory_order_acquire);
		uint64_t mac;
		uint32_t age;

		if (ip == 0)
			continue;
		mac = atomic_load_explicit(&nb->mac, memory_order_relaxed);
		if (mac & VTEP_NEIGH_STATIC)
			continue;
		age = now_s - atomic_load_explicit(&nb->seen_s, memory_order_relaxed);
		if ((mac & VTEP_NEIGH_VALID) && age >= VTEP_ARP_EXPIRE_S) {
			atomic_store_explicit(&nb->mac, 0, memory_order_relaxed);
			mac = 0;
		}
		if (!(mac & VTEP_NEIGH_VALID) || age >= VTEP_ARP_REFRESH_S) {
			nb->asked_s = now_s;
			arp_request(w, v, ip);
		}
	}
}
