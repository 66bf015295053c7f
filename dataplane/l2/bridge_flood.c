/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flood stage: a frame with no known destination goes to every port of its bridge that
 * carries its VLAN, except the one it came from. Each extra port gets a full copy (not
 * an indirect clone) because each port may want a different 802.1Q tag; the original
 * goes to the last port. Flooding is the slow path of a learning bridge, bounded per
 * ingress port by storm control (token buckets kept in TSC cycles, one per worker that
 * polls some of that port's rx queues, so they need no atomics).
 * Drop reasons: storm_limit and no_egress (counted on the ingress port), no_mbuf (on the
 * egress port whose copy could not be made).
 */
#include "bridge_flood.h"
#include "port_tx.h"

/* b: this worker's bucket of the ingress port (dp.h, struct port_storm) */
static inline bool storm_admit(struct port_storm *b, uint64_t tsc)
{
	uint64_t rate = b->rate_tsc;
	uint64_t floor;

	if (likely(rate == 0))
		return true;
	/* the bucket holds at most storm_burst tokens: never let "empty since" lag further */
	floor = tsc - b->burst_tsc;
	if ((int64_t)(b->tsc - floor) < 0)
		b->tsc = floor;
	if ((int64_t)(b->tsc + rate - tsc) > 0)
		return false;
	b->tsc += rate;
	return true;
}

void bridge_flood(struct worker *w, struct bridge *br, struct port *in, struct rte_mbuf *m,
		  uint16_t vid, bool tagged, uint64_t tsc)
{
	const struct port_set *ms = atomic_load_explicit(&br->members, memory_order_acquire);
	struct port *outs[VSW_MAX_PORTS];
	unsigned int n = 0;

	if (unlikely(!storm_admit(&in->storm[w->idx], tsc))) {
		in->stats[w->idx].drops[VSW_DROP_storm_limit]++;
		capture_drop(w, in->idx, m, VSW_DROP_storm_limit, CAPTURE_STAGE_BRIDGE_FLOOD);
		rte_pktmbuf_free(m);
		return;
	}
	for (unsigned int i = 0; i < ms->n; i++) {
		struct port *p = ms->p[i];

		/* split horizon: what came out of a tunnel never goes into another one */
		if (p != in && eth_egress_tagging(&p->vlan, vid) >= 0 &&
		    !(in->tun != NULL && p->tun != NULL))
			outs[n++] = p;
	}
	if (n == 0) {
		in->stats[w->idx].drops[VSW_DROP_no_egress]++;
		capture_drop(w, in->idx, m, VSW_DROP_no_egress, CAPTURE_STAGE_BRIDGE_FLOOD);
		rte_pktmbuf_free(m);
		return;
	}
	for (unsigned int i = 0; i + 1 < n; i++) {
		struct rte_mbuf *c = rte_pktmbuf_copy(m, w->dp->pool, 0, UINT32_MAX);

		if (unlikely(c == NULL)) {
			outs[i]->stats[w->idx].drops[VSW_DROP_no_mbuf]++;
			capture_drop(w, outs[i]->idx, m, VSW_DROP_no_mbuf,
				     CAPTURE_STAGE_BRIDGE_FLOOD);
			continue;
		}
		port_tx_enqueue(w, outs[i], c, vid, tagged);
	}
	port_tx_enqueue(w, outs[n - 1], m, vid, tagged);
}
