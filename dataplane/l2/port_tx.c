/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Egress stage (see port_tx.h). Frames are buffered per worker and per egress port so
 * that a burst of 32 received frames leaves in as few tx bursts as there are egress
 * ports; every buffer is flushed at the end of each worker loop, before the worker
 * reports quiescence, so no frame outlives a grace period.
 * Drop reasons: vlan_not_allowed (egress port not in the frame's VLAN), no_mbuf (tag
 * push failed), tx_full (the port's queue did not take the frame), port_down (a vhost-user
 * port with no guest: its queue takes nothing).
 */
#include <rte_ethdev.h>
#include <rte_ether.h>

#include "port_tx.h"
#include "overlay/vtep.h"

/* Only on the path where a burst was refused. A vhost-user port refuses everything while
 * no guest is attached, which is not the same trouble as a guest that does not drain its
 * ring. net_vhost's link_update only reads a field (no syscall, unlike af_packet's or tap's
 * ioctl), so only vhost-user ports ask. params.type never changes once a port is published. */
static enum vsw_drop port_tx_refused(const struct port *p)
{
	struct rte_eth_link link;

	if (p->params.type == DP_PORT_VHOST_USER &&
	    rte_eth_link_get_nowait(p->dpdk_port, &link) == 0 &&
	    link.link_status == RTE_ETH_LINK_DOWN)
		return VSW_DROP_port_down;
	return VSW_DROP_tx_full;
}

void port_tx_burst(struct worker *w, struct port *p)
{
	struct txbuf *tb = &w->tx[p->idx];
	struct port_stats *st = &p->stats[w->idx];
	uint16_t sent;

	capture_tap(w, p, CAPTURE_TX, tb->m, tb->n, NULL);
	if (unlikely(p->tun != NULL)) {
		/* a tunnel port: its frames go out encapsulated, by the underlay port */
		vxlan_encap_burst(w, p, tb->m, tb->n);
		tb->n = 0;
		tb->bytes = 0;
		return;
	}
	sent = rte_eth_tx_burst(p->dpdk_port, (uint16_t)(w->idx % p->n_txq), tb->m, tb->n);
	if (unlikely(sent < tb->n)) {
		enum vsw_drop r = port_tx_refused(p);

		for (uint16_t i = sent; i < tb->n; i++) {
			tb->bytes -= tb->m[i]->pkt_len;
			capture_drop(w, p->idx, tb->m[i], r, CAPTURE_STAGE_PORT_TX);
			rte_pktmbuf_free(tb->m[i]);
		}
		st->drops[r] += tb->n - sent;
	}
	st->tx_packets += sent;
	st->tx_bytes += tb->bytes;
	tb->n = 0;
	tb->bytes = 0;
}

int port_tx_retag(struct rte_mbuf **mp, uint16_t vid, bool tagged, int want)
{
	struct rte_mbuf *m = *mp;
	uint8_t *d;

	if (tagged == (want == 1)) {
		if (tagged) {
			/* rewrite a priority tag to the frame's VLAN, keep PCP/DEI */
			d = rte_pktmbuf_mtod(m, uint8_t *);
			if ((((d[14] & 0x0f) << 8) | d[15]) != vid) {
				d[14] = (uint8_t)((d[14] & 0xf0) | (vid >> 8));
				d[15] = (uint8_t)vid;
			}
		}
		return 0;
	}
	if (tagged) {
		d = rte_pktmbuf_mtod(m, uint8_t *);
		memmove(d + 4, d, 12);
		rte_pktmbuf_adj(m, 4);
		return 0;
	}
	m->vlan_tci = vid;
	return rte_vlan_insert(mp);
}

void port_tx_flush(struct worker *w)
{
	struct dp *dp = w->dp;

	for (uint16_t i = 0; i < w->n_dirty; i++) {
		uint16_t idx = w->dirty[i];
		struct port *p = atomic_load_explicit(&dp->ports[idx], memory_order_acquire);

		w->tx[idx].dirty = false;
		if (w->tx[idx].n == 0)
			continue;
		if (unlikely(p == NULL)) {
			/* cannot happen: ports are unpublished a grace period before removal */
			rte_pktmbuf_free_bulk(w->tx[idx].m, w->tx[idx].n);
			w->tx[idx].n = 0;
			w->tx[idx].bytes = 0;
			continue;
		}
		port_tx_burst(w, p);
	}
	w->n_dirty = 0;
}
