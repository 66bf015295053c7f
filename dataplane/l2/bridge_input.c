/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ingress stage of the learning bridge. For one burst from one port:
 *   1. parse each header and classify its VLAN (eth_parse.h); bad frames leave here;
 *   2. look up source and destination keys of the whole burst in one fdb_lookup_bulk,
 *      which prefetches every bucket before comparing any (the table is the one cache
 *      miss a frame can cost);
 *   3. in order: learn the source (fdb_learn, inline: see fdb.c), then send the frame
 *      to its destination's port (port_tx) or flood it (bridge_flood).
 * A source learned or moved inside the burst makes later frames of the burst look their
 * destination up again, so "A says hello, B answers A" in one burst goes unicast.
 * Drop reasons: runt, bad_vlan_tag, src_mac_invalid, vlan_not_allowed,
 * untagged_on_trunk, no_bridge, mac_limit, mac_flapping, dst_is_ingress, port_gone.
 */
#include <rte_ethdev.h>
#include <rte_prefetch.h>

#include "bridge_flood.h"
#include "bridge_input.h"
#include "port_tx.h"

static inline void drop(struct port_stats *st, struct rte_mbuf *m, enum vsw_drop r)
{
	st->drops[r]++;
	rte_pktmbuf_free(m);
}

unsigned int bridge_input_burst(struct worker *w, struct port *in, uint32_t now_s, uint64_t tsc)
{
	struct rte_mbuf *pkts[VSW_BURST], *ok[VSW_BURST];
	uint64_t keys[2 * VSW_BURST];
	int32_t slots[2 * VSW_BURST];
	uint16_t vids[VSW_BURST];
	bool tagged[VSW_BURST];
	struct port_stats *st = &in->stats[w->idx];
	struct dp *dp = w->dp;
	struct bridge *br;
	struct fdb *fdb;
	unsigned int nok = 0;
	bool relookup = false;
	uint64_t bytes = 0;
	uint16_t n;

	n = rte_eth_rx_burst(in->dpdk_port, 0, pkts, VSW_BURST);
	if (n == 0)
		return 0;
	for (uint16_t i = 0; i < n; i++) {
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
		bytes += pkts[i]->pkt_len;
	}
	st->rx_packets += n;
	st->rx_bytes += bytes;

	br = atomic_load_explicit(&in->bridge, memory_order_acquire);
	if (unlikely(br == NULL)) {
		rte_pktmbuf_free_bulk(pkts, n);
		st->drops[VSW_DROP_no_bridge] += n;
		return n;
	}
	fdb = br->fdb;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct eth_info info;
		enum vsw_drop r;

		r = eth_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), &info);
		if (likely(r == VSW_DROP_MAX))
			r = eth_classify_vlan(&in->vlan, &info);
		if (unlikely(r != VSW_DROP_MAX)) {
			drop(st, m, r);
			continue;
		}
		ok[nok] = m;
		vids[nok] = info.vid;
		tagged[nok] = info.tagged;
		keys[2 * nok] = fdb_key_hdr(info.vid, info.src);
		keys[2 * nok + 1] = fdb_key_hdr(info.vid, info.dst);
		nok++;
	}
	fdb_lookup_bulk(fdb, keys, 2 * nok, slots);

	for (unsigned int i = 0; i < nok; i++) {
		struct rte_mbuf *m = ok[i];
		int32_t s = slots[2 * i];
		uint16_t out_idx;
		struct port *out;

		if (likely(s >= 0 && fdb_slot_port(fdb, s) == in->idx)) {
			fdb_slot_touch(fdb, s, now_s);
		} else if (s >= 0 && (fdb_slot_flags(fdb, s) & FDB_F_STATIC)) {
			/* a static entry elsewhere never moves; the frame still goes through */
		} else if (s >= 0 && (fdb_slot_flags(fdb, s) & FDB_F_DAMPED)) {
			drop(st, m, VSW_DROP_mac_flapping);
			continue;
		} else {
			switch (fdb_learn(fdb, keys[2 * i], in->idx, in->max_macs, now_s)) {
			case FDB_LEARN_NEW:
			case FDB_LEARN_MOVED:
				relookup = true;
				break;
			case FDB_LEARN_DAMPED:
				drop(st, m, VSW_DROP_mac_flapping);
				continue;
			case FDB_LEARN_LIMIT:
				drop(st, m, VSW_DROP_mac_limit);
				continue;
			default: /* refreshed, static, or busy: learn on a later frame */
				break;
			}
		}

		if (eth_addr_is_multicast(rte_pktmbuf_mtod(m, const uint8_t *))) {
			bridge_flood(w, br, in, m, vids[i], tagged[i], tsc);
			continue;
		}
		s = unlikely(relookup) ? fdb_lookup(fdb, keys[2 * i + 1]) : slots[2 * i + 1];
		if (s < 0) {
			bridge_flood(w, br, in, m, vids[i], tagged[i], tsc);
			continue;
		}
		out_idx = fdb_slot_port(fdb, s);
		if (unlikely(out_idx == in->idx)) {
			drop(st, m, VSW_DROP_dst_is_ingress);
			continue;
		}
		out = atomic_load_explicit(&dp->ports[out_idx], memory_order_acquire);
		if (unlikely(out == NULL ||
			     atomic_load_explicit(&out->bridge, memory_order_relaxed) != br)) {
			drop(st, m, VSW_DROP_port_gone);
			continue;
		}
		port_tx_enqueue(w, out, m, vids[i], tagged[i]);
	}
	return n;
}
