/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Egress stage (see port_tx.h). Frames are buffered per worker and per egress port so
 * that a burst of 32 received frames leaves in as few tx bursts as there are egress
 * ports; every buffer is flushed at the end of each worker loop, before the worker
 * reports quiescence, so no frame outlives a grace period.
 * Drop reasons: vlan_not_allowed (egress port not in the frame's VLAN), no_mbuf (tag
 * push failed), tx_full (the port's queue did not take the frame), port_down (a vhost-user
 * port with no guest: its queue takes nothing).
 *
 * Which tx queue: worker w sends on p->txq[w] (txq_plan.h), one byte loaded per burst.
 * When the port can use as many tx queues as there are workers, each worker has its own
 * and nothing locks: the cost is one predictable branch. When it can use fewer, workers
 * wrap onto the usable ones and a queue sent on by several has TXQ_SHARED in their
 * entries: they take its spinlock around the tx burst, as OVS-DPDK does for a port with
 * fewer tx queues than PMD threads. Why not refuse such ports, as vsw first did: a pcap
 * device has one tx queue (a vhost-user one has one per pair it offers), so with two
 * workers it could not be added at all; and a vhost-user guest decides at run time how
 * many pairs it enables (one for a 1-vCPU guest), so frames that a worker sent to a
 * disabled queue were lost as tx_full. Usable queues are all the device's, or for
 * vhost-user those the guest enabled: port.c follows the guest's queue events and
 * republishes the map, with grace periods between steps so that two workers never use a
 * queue at once with one of them unlocked. A worker mid-burst on a queue the guest just
 * disabled sends nothing there (the vhost library returns 0), counted as tx_full like
 * any frame the ring does not take.
 */
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_spinlock.h>

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

/* A tx queue other workers send on too: one at a time. Out of line, so that the common
 * case (a queue of its own) stays a straight call. */
static __rte_noinline uint16_t port_tx_shared(struct port *p, uint16_t q, struct rte_mbuf **m,
					      uint16_t n)
{
	rte_spinlock_t *l = &p->txq_lock[q].lock;
	uint16_t sent;

	rte_spinlock_lock(l);
	sent = rte_eth_tx_burst(p->dpdk_port, q, m, n);
	rte_spinlock_unlock(l);
	return sent;
}

void port_tx_burst(struct worker *w, struct port *p)
{
	struct txbuf *tb = &w->tx[p->idx];
	struct port_stats *st = &p->stats[w->idx];
	uint16_t sent;
	uint8_t tq;

	capture_tap(w, p, CAPTURE_TX, tb->m, tb->n, NULL);
	if (unlikely(p->tun != NULL)) {
		/* a tunnel port: its frames go out encapsulated, by the underlay port */
		vxlan_encap_burst(w, p, tb->m, tb->n);
		tb->n = 0;
		tb->bytes = 0;
		return;
	}
	tq = atomic_load_explicit(&p->txq[w->idx], memory_order_relaxed);
	if (likely(!(tq & TXQ_SHARED)))
		sent = rte_eth_tx_burst(p->dpdk_port, tq, tb->m, tb->n);
	else
		sent = port_tx_shared(p, tq & TXQ_QUEUE, tb->m, tb->n);
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
