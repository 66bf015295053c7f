/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tunnel transmit stage: the tx of a tunnel port (one remote VTEP of a bridge's VNI).
 * port_tx_burst hands it the worker's buffered frames for that port; each gets the
 * tunnel's outer Ethernet/IPv4/UDP/VXLAN header (overlay/vxlan.h: DF set, TTL of the
 * VTEP, I flag, UDP source port from a hash of the inner flow, IPv4 checksum in software
 * from the template's precomputed sum) in its headroom, or on an IPv6 underlay the
 * Ethernet/IPv6/UDP/VXLAN one (hop limit = TTL, flow label from the same hash, UDP
 * checksum computed; one family test per burst), and goes to the worker's buffer
 * of the underlay port, which port_tx_flush sends in the same loop.
 * Drop reasons (counted on the tunnel port): vxlan_addr_not_ready (IPv6: the VTEP's
 * address tentative or duplicate, overlay/nd.c; before the next hop's check),
 * vxlan_no_neigh (next hop not resolved),
 * vxlan_mtu_exceeded (never fragmented nor truncated; the MTU it needed is kept for
 * vswctl vtep show), no_mbuf (no headroom for the outer header).
 */
#include <rte_ip.h>

#include "overlay/vtep.h"

static __rte_always_inline void encap_drop(struct worker *w, struct port *p, struct port_stats *st,
					   struct rte_mbuf *m, enum vsw_drop r)
{
	st->drops[r]++;
	capture_drop(w, p->idx, m, r, CAPTURE_STAGE_VXLAN_ENCAP);
	rte_pktmbuf_free(m);
}

/* A burst none of which can leave: the VTEP's state refuses them all for reason r. */
static void encap_drop_burst(struct worker *w, struct port *p, struct port_stats *st,
			     struct rte_mbuf **pkts, uint16_t n, enum vsw_drop r)
{
	for (uint16_t i = 0; i < n; i++)
		encap_drop(w, p, st, pkts[i], r);
}

/* The IPv6 underlay's loop: a 70-byte header, the flow label and the UDP checksum
 * (mandatory over IPv6, so Linux peers take the frames with their defaults). It costs a
 * sum over the inner frame: vxlan_csum_add's 32-bit loop measured 1.3x (64 bytes) to
 * 2.4x (1500) faster than 22.11's rte_raw_cksum, which serves chained mbufs only. */
static void encap6_burst(struct worker *w, struct port *p, struct port_stats *st,
			 struct rte_mbuf **pkts, uint16_t n, uint64_t nh)
{
	struct vxlan_tun *t = p->tun;
	struct vtep *v = t->vtep;
	struct port *under = v->port;
	uint32_t mtu = v->mtu, worst = 0;
	uint64_t bytes = 0;
	uint16_t sent = 0;
	uint8_t mac[6];

	/* a tentative or duplicate address is no source (RFC 4862 section 5.4; overlay/nd.c);
	 * checked before the next hop, which such an address never solicits: the drop says
	 * why nothing leaves (and trace_encap, in this order, says the address's state) */
	if (unlikely(atomic_load_explicit(&v->dad.state[ND_ADDR], memory_order_relaxed) !=
		     ND_ADDR_PREFERRED)) {
		encap_drop_burst(w, p, st, pkts, n, VSW_DROP_vxlan_addr_not_ready);
		return;
	}
	if (unlikely(!(nh & VTEP_NEIGH_VALID))) {
		encap_drop_burst(w, p, st, pkts, n, VSW_DROP_vxlan_no_neigh);
		return;
	}
	vtep_mac_unpack(nh, mac);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t len = m->pkt_len;
		uint16_t sum = 0;
		uint32_t isum;
		uint64_t h;
		uint8_t *o;

		if (unlikely(vxlan6_mtu_needed(len) > mtu)) {
			worst = RTE_MAX(worst, vxlan6_mtu_needed(len));
			encap_drop(w, p, st, m, VSW_DROP_vxlan_mtu_exceeded);
			continue;
		}
		h = vxlan_entropy_hash(rte_pktmbuf_mtod(m, const uint8_t *),
				       rte_pktmbuf_data_len(m));
		if (likely(rte_pktmbuf_data_len(m) == len)) {
			isum = vxlan_csum_add(0, rte_pktmbuf_mtod(m, const uint8_t *), len);
		} else {
			/* chained: DPDK's sum of host-order words, swapped to vxlan.h's */
			if (unlikely(rte_raw_cksum_mbuf(m, 0, len, &sum) < 0)) {
				encap_drop(w, p, st, m, VSW_DROP_no_mbuf);
				continue;
			}
			isum = rte_be_to_cpu_16(sum);
		}
		o = (uint8_t *)rte_pktmbuf_prepend(m, VXLAN6_OUTER_SIZE);
		if (unlikely(o == NULL)) {
			encap_drop(w, p, st, m, VSW_DROP_no_mbuf);
			continue;
		}
		vxlan6_encap_write(o, &t->tmpl, mac, len, vxlan_sport_of(h), vxlan_flow_label_of(h),
				   isum);
		m->ol_flags = 0;
		bytes += len;
		sent++;
		vtep_tx_enqueue(w, under, m);
	}
	st->tx_packets += sent;
	st->tx_bytes += bytes;
	if (unlikely(worst > atomic_load_explicit(&t->mtu_needed, memory_order_relaxed)))
		atomic_store_explicit(&t->mtu_needed, worst, memory_order_relaxed);
}

void vxlan_encap_burst(struct worker *w, struct port *p, struct rte_mbuf **pkts, uint16_t n)
{
	struct vxlan_tun *t = p->tun;
	struct vtep *v = t->vtep;
	struct port *under = v->port;
	struct port_stats *st = &p->stats[w->idx];
	uint64_t nh = atomic_load_explicit(&t->nh->mac, memory_order_relaxed);
	uint32_t mtu = v->mtu, worst = 0;
	uint64_t bytes = 0;
	uint16_t sent = 0;
	uint8_t mac[6];

	if (unlikely(v->v6)) {
		encap6_burst(w, p, st, pkts, n, nh);
		return;
	}
	if (unlikely(!(nh & VTEP_NEIGH_VALID))) {
		encap_drop_burst(w, p, st, pkts, n, VSW_DROP_vxlan_no_neigh);
		return;
	}
	vtep_mac_unpack(nh, mac);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t len = m->pkt_len;
		uint16_t sport;
		uint8_t *h;

		if (unlikely(vxlan_mtu_needed(len) > mtu)) {
			worst = RTE_MAX(worst, vxlan_mtu_needed(len));
			encap_drop(w, p, st, m, VSW_DROP_vxlan_mtu_exceeded);
			continue;
		}
		sport = vxlan_entropy_port(rte_pktmbuf_mtod(m, const uint8_t *),
					   rte_pktmbuf_data_len(m));
		h = (uint8_t *)rte_pktmbuf_prepend(m, VXLAN_OUTER_SIZE);
		if (unlikely(h == NULL)) {
			encap_drop(w, p, st, m, VSW_DROP_no_mbuf);
			continue;
		}
		vxlan_encap_write(h, &t->tmpl, mac, len, sport);
		m->ol_flags = 0;
		bytes += len;
		sent++;
		vtep_tx_enqueue(w, under, m);
	}
	st->tx_packets += sent;
	st->tx_bytes += bytes;
	if (unlikely(worst > atomic_load_explicit(&t->mtu_needed, memory_order_relaxed)))
		atomic_store_explicit(&t->mtu_needed, worst, memory_order_relaxed);
}
