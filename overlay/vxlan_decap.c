/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Underlay receive stage: a burst from an underlay port (one that carries a VTEP and is
 * in no bridge). ARP goes to arp_input (ICMPv6 to nd_input on an IPv6 VTEP); everything
 * else must be VXLAN for this VTEP (vxlan_parse, vxlan_parse6: RFC 7348 sections 4 to
 * 7), with a VNI some bridge carries and a source that is a known remote of that VNI
 * (section 7: no injection from anywhere else). The outer headers are stripped and the
 * inner frames enter bridge_input as if received on the tunnel port of their remote, in
 * runs of consecutive frames of one remote, so order per remote is kept and learning
 * (MAC -> remote VTEP) is the bridge's own.
 * Also runs the VTEP's ARP (or ND) timer once a second, as only this worker may transmit
 * on the underlay's queue it owns and it polls the port anyway.
 * Drop reasons (counted on the underlay port): vxlan_not_for_us, vxlan_malformed,
 * vxlan_outer_fragment, vxlan_bad_ip_csum, vxlan_bad_udp_csum, vxlan_bad_flags,
 * vxlan_unknown_vni, vxlan_unknown_vtep, vxlan_inner_runt, and over IPv6
 * vxlan_outer_ext_hdr and vxlan_udp6_zero_csum (overlay/vxlan.h says why); the inner
 * frame's own (runt, bad_vlan_tag, vlan_not_allowed, ...) are counted on the tunnel port
 * by bridge_input.
 * Tracing (vswctl trace on the underlay port): trace_decap records what this stage does
 * with the traced frames, which bridge_input then traces on (capture.h).
 * Frames must sit in one segment (af_packet, tap and pcap ports give that up to the
 * mbuf size); a longer chained one is vxlan_malformed.
 */
#include <rte_ethdev.h>

#include "bridge_input.h"
#include "capture.h"
#include "overlay/vtep.h"

static __rte_always_inline void decap_drop(struct worker *w, struct port *in, struct port_stats *st,
					   struct rte_mbuf *m, enum vsw_drop r)
{
	st->drops[r]++;
	capture_drop(w, in->idx, m, r, CAPTURE_STAGE_VXLAN_DECAP);
	rte_pktmbuf_free(m);
}

static __rte_always_inline void decap_deliver(struct worker *w, struct port *tun,
					      struct rte_mbuf **run, uint16_t n, uint32_t now_s,
					      uint64_t tsc, struct trace_burst *tb)
{
	if (unlikely(tb != NULL))
		bridge_input_frames_traced(w, tun, run, n, now_s, tsc, tb);
	else
		bridge_input_frames(w, tun, run, n, now_s, tsc);
}

/* The burst, for one family: v6 is a constant in each of the two copies the compiler
 * makes, so an IPv4 VTEP's loop has no IPv6 branch in it (one family test per burst). */
static __rte_always_inline unsigned int decap_burst(struct worker *w, struct port *in,
						    uint32_t now_s, uint64_t tsc, const bool v6)
{
	struct trace_burst tb;
	unsigned int ntr;
	struct vtep *v = in->vtep;
	struct rte_mbuf *pkts[VSW_BURST], *run[VSW_BURST];
	struct port_stats *st = &in->stats[w->idx];
	struct port *run_port = NULL;
	const struct vtep_map *map;
	uint64_t bytes = 0, dbytes = 0;
	unsigned int nrun = 0, ndec = 0;
	uint16_t n;

	if (unlikely(v->tick_s != now_s)) {
		v->tick_s = now_s;
		if (v6)
			nd_tick(w, v, now_s);
		else
			arp_tick(w, v, now_s);
	}
	n = rte_eth_rx_burst(in->dpdk_port, 0, pkts, VSW_BURST);
	if (n == 0)
		return 0;
	/* some frames traced: the steps go to tb, and on into bridge_input with the frames */
	ntr = capture_tap(w, in, CAPTURE_RX, pkts, n, &tb);
	for (uint16_t i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	st->rx_packets += n;
	st->rx_bytes += bytes;
	map = atomic_load_explicit(&v->map, memory_order_acquire);
	if (unlikely(ntr != 0))
		trace_decap(&tb, w->dp, v, map, pkts, n);

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
		uint32_t len = rte_pktmbuf_data_len(m);
		struct port *tun = NULL;
		struct vxlan_rx rx;
		enum vsw_drop r;
		int k;

		if (v6) {
			/* ICMPv6 (no extension header but MLD's hop-by-hop one):
			 * neighbour discovery, DAD, MLD */
			if (nd_frame(d, len)) {
				nd_input(w, v, m, now_s);
				continue;
			}
			r = vxlan_parse6(d, len, &v->local, &rx);
		} else {
			if (len >= VXLAN_ETH_SIZE && vxlan_rd16(d + 12) == VXLAN_ETHERTYPE_ARP) {
				arp_input(w, v, m, now_s);
				continue;
			}
			r = vxlan_parse(d, len, &v->local, &rx);
		}
		if (likely(r == VSW_DROP_MAX)) {
			if (v6)
				k = vtep_map_find6(map, rx.vni, rx.src_ip6, &tun);
			else
				k = vtep_map_find(map, rx.vni, rx.src_ip, &tun);
			if (unlikely(k <= 0))
				r = k < 0 ? VSW_DROP_vxlan_unknown_vni
					  : VSW_DROP_vxlan_unknown_vtep;
		}
		if (unlikely(r != VSW_DROP_MAX)) {
			decap_drop(w, in, st, m, r);
			continue;
		}
		rte_pktmbuf_adj(m, rx.inner_off);
		if (m->pkt_len > rx.inner_len) /* outer Ethernet padding */
			rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - rx.inner_len));
		ndec++;
		dbytes += rx.inner_len;
		if (tun != run_port && nrun != 0) {
			decap_deliver(w, run_port, run, (uint16_t)nrun, now_s, tsc,
				      ntr ? &tb : NULL);
			nrun = 0;
		}
		run_port = tun;
		run[nrun++] = m;
	}
	if (nrun != 0)
		decap_deliver(w, run_port, run, (uint16_t)nrun, now_s, tsc, ntr ? &tb : NULL);
	if (unlikely(ntr != 0))
		trace_burst_end(&tb);
	v->cnt.decap_packets += ndec;
	v->cnt.decap_bytes += dbytes;
	return n;
}

unsigned int vxlan_decap_burst(struct worker *w, struct port *in, uint32_t now_s, uint64_t tsc)
{
	if (unlikely(in->vtep->v6))
		return decap_burst(w, in, now_s, tsc, true);
	return decap_burst(w, in, now_s, tsc, false);
}
