/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow stage, the worker side: classify a burst against the bridge's flow table, then
 * act on each frame. Runs in bridge_input after VLAN classification and before learning,
 * only when the bridge has a table (an empty table is never published: one branch).
 *
 * Classifier: DPDK's rte_acl, not a tuple-space search. Why:
 *  - the rules mix masks freely (a MAC with a mask, two prefixes, a port, a VLAN): a
 *    tuple-space search pays one hash probe per distinct mask combination in the table,
 *    so its cost per frame grows with the variety of rules; rte_acl walks one multi-bit
 *    trie whatever the rules look like, 8 frames at a time with AVX2 (AVX-512 here too),
 *    so 1, 100 or 10,000 rules cost about the same per frame (docs/benchmarks.md);
 *  - priorities come for free (the trie returns the highest-priority match), no per-flow
 *    cache to keep coherent with updates, and no cache miss storm on new flows;
 *  - its weak side is updates: a context is immutable once built, and building costs
 *    time proportional to the rules (~110 ms at 10,000 rules). So a bridge's rules sit
 *    in two contexts: a big "base" and a small "delta" of the changes since the base was
 *    built, rebuilt on every change (a 1-rule context builds in well under a millisecond),
 *    plus a bitmap of base rules deleted or changed since ("dead"). The base is rebuilt
 *    with everything on a thread of its own when the delta reaches 64 rules or the rules
 *    have been quiet for 500 ms, and swapped in by the control thread (flow_ctl.c).
 *    A second rte_acl context rather than a linear list of masked rules for the delta:
 *    a list costs one masked compare of the 64-byte key per pending rule per frame, a
 *    trie walk the same whatever the delta holds (XXX: reasoned, not measured side by
 *    side; the update rate is what the list would have bought, and the context already
 *    gives thousands of changes per second).
 * The answer is exactly that of one context of all the live rules: each context is built
 * with rte_acl priorities in rank order (priority, then the older rule), every entry
 * carries its rank, and a frame gets the higher ranked of the base's match, unless it is
 * dead, and the delta's. rte_acl returns only the best match, so a dead base rule may
 * hide a live one ranked below it; when a base rule dies, the control side copies into
 * the delta every live base rule below it whose match overlaps its own, so the delta
 * then answers for whatever the dead rule hid (flow_ctl.c; tests/unit/test_flow_table.c
 * checks it against a linear scan on random rule sets and changes). Per-frame cost with
 * nothing pending is that of one context plus a branch; with pending changes, a second
 * trie walk for the delta and a bit test on base hits.
 * VNI: the key carries the VNI of the tunnel port a frame came in on (in->tun, fixed for
 * the port's life), 0 for local ports, as OVS's tun_id. It took the key's last 4 bytes,
 * which were padding (XXX: the per-frame cost of the extra input with no `vni` rule is
 * to be confirmed in the quiet bench rerun).
 * Key layout and byte order: l2/flow_table.h.
 */
#include <rte_ether.h>
#include <rte_ip.h>

#include "bridge_flood.h"
#include "flow_table.h"
#include "overlay/vtep.h"
#include "port_tx.h"

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_SCTP_ 132

void flow_key_build(struct flow_key *k, const struct rte_mbuf *m, uint16_t in_idx, uint16_t vid,
		    uint32_t vni)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), off = 12, l4;
	rte_be16_t et;
	uint8_t proto;

	memset(k, 0, sizeof(*k));
	k->in_port = rte_cpu_to_be_16(in_idx);
	k->vlan = rte_cpu_to_be_16(vid);
	k->vni = rte_cpu_to_be_32(vni);
	memcpy(&k->dst_hi, d, 4);
	memcpy(&k->dst_lo, d + 4, 2);
	memcpy(&k->src_hi, d + 6, 4);
	memcpy(&k->src_lo, d + 10, 2);
	memcpy(&et, d + 12, 2);
	if (et == RTE_BE16(RTE_ETHER_TYPE_VLAN) && len >= 18) {
		off = 16;
		memcpy(&et, d + 16, 2);
	}
	k->eth_type = et;
	off += 2;
	if (et == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		const uint8_t *ip = d + off;
		uint32_t ihl;

		if (len < off + 20 || (ip[0] >> 4) != 4 || (ihl = (ip[0] & 0x0fu) * 4) < 20)
			return;
		proto = ip[9];
		k->ip_proto = proto;
		memcpy(&k->ip_src[0], ip + 12, 4);
		memcpy(&k->ip_dst[0], ip + 16, 4);
		if (((ip[6] & 0x1f) | ip[7]) != 0)
			return; /* not the first fragment: no L4 header */
		l4 = off + ihl;
	} else if (et == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		const uint8_t *ip = d + off;

		if (len < off + 40 || (ip[0] >> 4) != 6)
			return;
		/* XXX: extension headers are not walked: ip_proto is the first next header */
		proto = ip[6];
		k->ip_proto = proto;
		memcpy(k->ip_src, ip + 8, 16);
		memcpy(k->ip_dst, ip + 24, 16);
		l4 = off + 40;
	} else {
		return;
	}
	if ((proto == IPPROTO_TCP_ || proto == IPPROTO_UDP_ || proto == IPPROTO_SCTP_) &&
	    len >= l4 + 4) {
		memcpy(&k->l4_src, d + l4, 2);
		memcpy(&k->l4_dst, d + l4 + 2, 2);
	}
}

void flow_classify_burst(const struct flow_table *ft, struct rte_mbuf *const *pkts,
			 const uint16_t *vids, uint16_t in_idx, uint32_t vni, unsigned int n,
			 const struct flow_entry **e)
{
	const struct flow_cls *base = ft->base, *delta = ft->delta;
	struct flow_key keys[VSW_BURST];
	const uint8_t *data[VSW_BURST];
	uint32_t res[VSW_BURST], dres[VSW_BURST];

	for (unsigned int i = 0; i < n; i++) {
		flow_key_build(&keys[i], pkts[i], in_idx, vids[i], vni);
		data[i] = (const uint8_t *)&keys[i];
	}
	if (likely(base != NULL)) {
		rte_acl_classify(base->acl, data, res, n, 1);
		for (unsigned int i = 0; i < n; i++) {
			uint32_t r = res[i];

			/* a dead rule's frames fall to the delta, which holds what it hid */
			e[i] = r != 0 && (ft->n_dead == 0 ||
					  !(ft->dead[(r - 1) >> 6] & (1ull << ((r - 1) & 63))))
				       ? &base->e[r - 1]
				       : NULL;
		}
	} else {
		for (unsigned int i = 0; i < n; i++)
			e[i] = NULL;
	}
	if (delta == NULL)
		return;
	rte_acl_classify(delta->acl, data, dres, n, 1);
	for (unsigned int i = 0; i < n; i++) {
		const struct flow_entry *d;

		if (dres[i] == 0)
			continue;
		d = &delta->e[dres[i] - 1];
		if (e[i] == NULL || d->rank > e[i]->rank)
			e[i] = d;
	}
}

/* Queue m on out as it is, whatever out's VLAN settings say: mirror copies, frames whose
 * tags a rule set by hand (push_vlan, pop_vlan), and ports in no bridge. */
static inline void tx_raw(struct worker *w, struct port *out, struct rte_mbuf *m)
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

static inline bool frame_tagged(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

	return rte_pktmbuf_data_len(m) >= 18 && d[12] == 0x81 && d[13] == 0x00;
}

/* set_vlan on a frame whose tags a rule handles by hand: rewrite the outer tag, or push
 * one. 0 or -ENOMEM. */
static int raw_set_vlan(struct rte_mbuf **mp, uint16_t vid)
{
	uint8_t *d;

	if (!frame_tagged(*mp)) {
		(*mp)->vlan_tci = vid;
		return rte_vlan_insert(mp);
	}
	d = rte_pktmbuf_mtod(*mp, uint8_t *);
	d[14] = (uint8_t)((d[14] & 0xf0) | (vid >> 8));
	d[15] = (uint8_t)vid;
	return 0;
}

static void mirror(struct worker *w, struct rte_mbuf *m, uint16_t idx)
{
	struct port *out = atomic_load_explicit(&w->dp->ports[idx], memory_order_acquire);
	struct rte_mbuf *c;

	if (unlikely(out == NULL))
		return; /* removed: the rule will be rebuilt without it; nothing to count on */
	c = rte_pktmbuf_copy(m, w->dp->pool, 0, UINT32_MAX);
	if (unlikely(c == NULL)) {
		out->stats[w->idx].drops[VSW_DROP_no_mbuf]++;
		return;
	}
	tx_raw(w, out, c);
}

unsigned int flow_input_burst(struct worker *w, struct bridge *br, struct port *in,
			      const struct flow_table *ft, struct rte_mbuf **pkts, uint16_t *vids,
			      bool *tagged, uint64_t *keys, unsigned int n, uint64_t tsc)
{
	const struct flow_entry *e[VSW_BURST];
	struct port_stats *st = &in->stats[w->idx];
	struct dp *dp = w->dp;
	unsigned int keep = 0;

	if (n == 0)
		return 0;
	/* a tunnel port's VNI is fixed for its life (dp.h); local ports have none */
	flow_classify_burst(ft, pkts, vids, in->idx, in->tun != NULL ? in->tun->vni : 0, n, e);

	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct flow_entry *fe = e[i];
		uint16_t vid = vids[i];
		bool tag = tagged[i], raw = false;
		struct port *out;

		if (likely(fe == NULL))
			goto normal;
		fe->stats->w[w->idx].packets++;
		fe->stats->w[w->idx].bytes += m->pkt_len;
		for (unsigned int a = 0; a < fe->n_act; a++) {
			const struct flow_act *act = &fe->act[a];

			switch (act->type) {
			case DP_FLOW_ACT_COUNT:
				break;
			case DP_FLOW_ACT_SET_VLAN:
				vid = act->arg;
				if (raw && raw_set_vlan(&m, vid) < 0)
					goto no_mbuf;
				tag = tag || raw;
				break;
			case DP_FLOW_ACT_PUSH_VLAN:
				m->vlan_tci = act->arg;
				if (rte_vlan_insert(&m) < 0)
					goto no_mbuf;
				vid = act->arg;
				tag = true;
				raw = true;
				break;
			case DP_FLOW_ACT_POP_VLAN:
				if (frame_tagged(m)) {
					uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);

					memmove(d + 4, d, 12);
					rte_pktmbuf_adj(m, 4);
				}
				tag = false;
				raw = true;
				break;
			case DP_FLOW_ACT_MIRROR:
				mirror(w, m, act->arg);
				break;
			case DP_FLOW_ACT_DROP:
				st->drops[VSW_DROP_flow_drop]++;
				capture_drop(w, in->idx, m, VSW_DROP_flow_drop,
					     CAPTURE_STAGE_FLOW_INPUT);
				rte_pktmbuf_free(m);
				goto next;
			case DP_FLOW_ACT_OUTPUT:
				out = atomic_load_explicit(&dp->ports[act->arg],
							   memory_order_acquire);
				if (unlikely(out == NULL)) {
					st->drops[VSW_DROP_port_gone]++;
					capture_drop(w, in->idx, m, VSW_DROP_port_gone,
						     CAPTURE_STAGE_FLOW_INPUT);
					rte_pktmbuf_free(m);
				} else if (raw ||
					   atomic_load_explicit(&out->bridge,
								memory_order_acquire) == NULL) {
					tx_raw(w, out, m);
				} else {
					port_tx_enqueue(w, out, m, vid, tag);
				}
				goto next;
			case DP_FLOW_ACT_FLOOD:
				bridge_flood(w, br, in, m, vid, tag, tsc);
				goto next;
			case DP_FLOW_ACT_NORMAL:
			default:
				goto normal;
			}
		}
normal:
		/* the fdb keys were made with the ingress VLAN; a rule may have changed it */
		if (unlikely(vid != vids[i])) {
			const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

			keys[2 * keep] = fdb_key_hdr(vid, d + 6);
			keys[2 * keep + 1] = fdb_key_hdr(vid, d);
		} else {
			keys[2 * keep] = keys[2 * i];
			keys[2 * keep + 1] = keys[2 * i + 1];
		}
		pkts[keep] = m;
		vids[keep] = vid;
		tagged[keep] = tag;
		keep++;
		continue;
no_mbuf:
		/* rte_vlan_insert leaves m to us on failure */
		st->drops[VSW_DROP_no_mbuf]++;
		capture_drop(w, in->idx, m, VSW_DROP_no_mbuf, CAPTURE_STAGE_FLOW_INPUT);
		rte_pktmbuf_free(m);
next:;
	}
	return keep;
}
