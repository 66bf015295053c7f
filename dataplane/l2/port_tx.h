/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Egress stage: puts a frame on a worker's buffer for one port, with the 802.1Q tag the
 * port wants for the frame's VLAN, and sends the buffers in bursts.
 */
#ifndef VSW_PORT_TX_H
#define VSW_PORT_TX_H

#include "capture.h"
#include "dp.h"

/* Send this worker's buffer for port p now (it is full). */
void port_tx_burst(struct worker *w, struct port *p);
/* Make the frame's tag what the egress port wants (want: 0 untagged, 1 tagged): pop, push
 * or rewrite. 0, or -ENOMEM when a push found no headroom nor buffer. */
int port_tx_retag(struct rte_mbuf **mp, uint16_t vid, bool tagged, int want);

/* Frame m of VLAN vid, which arrived with (tagged) or without an 802.1Q tag, goes out of
 * port out. Consumes m: queued, or dropped and counted on out. Inline: called per frame,
 * and an untagged frame to an access port only appends to a buffer. */
static inline void port_tx_enqueue(struct worker *w, struct port *out, struct rte_mbuf *m,
				   uint16_t vid, bool tagged)
{
	struct txbuf *tb = &w->tx[out->idx];
	int want = eth_egress_tagging(&out->vlan, vid);

	if (unlikely(want < 0)) {
		out->stats[w->idx].drops[VSW_DROP_vlan_not_allowed]++;
		capture_drop(w, out->idx, m, VSW_DROP_vlan_not_allowed, CAPTURE_STAGE_PORT_TX);
		rte_pktmbuf_free(m);
		return;
	}
	if (unlikely(tagged || want) && port_tx_retag(&m, vid, tagged, want) < 0) {
		out->stats[w->idx].drops[VSW_DROP_no_mbuf]++;
		capture_drop(w, out->idx, m, VSW_DROP_no_mbuf, CAPTURE_STAGE_PORT_TX);
		rte_pktmbuf_free(m);
		return;
	}
	if (!tb->dirty) {
		tb->dirty = true;
		w->dirty[w->n_dirty++] = out->idx;
	}
	tb->m[tb->n++] = m;
	tb->bytes += m->pkt_len;
	if (unlikely(tb->n == VSW_TXBUF))
		port_tx_burst(w, out); /* stays on the dirty list, skipped there if empty */
}
/* Send every non-empty buffer of this worker. Frames the port does not take are dropped
 * and counted as tx_full on that port. */
void port_tx_flush(struct worker *w);

#endif
