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
 * Taps: rx capture of the whole burst as received; each drop to the drop capture.
 * Tracing (vswctl trace): when the rx tap says some frames of the burst are traced, the
 * burst runs through a second copy of this stage, compiled with trace_step calls that
 * record each decision; the copy that runs otherwise has none of them (tb is NULL there,
 * a constant once bridge_input_run is inlined).
 */
#include <rte_ethdev.h>
#include <rte_prefetch.h>

#include "bridge_flood.h"
#include "bridge_input.h"
#include "capture.h"
#include "flow_table.h"
#include "port_tx.h"
#include "overlay/vtep.h"

/* A trace line about frame m, in the traced copy only. */
#define TRACE(end, ...)                                                                            \
	do {                                                                                       \
		if (tb != NULL)                                                                    \
			trace_step(tb, m, (end), __VA_ARGS__);                                     \
	} while (0)

static __rte_always_inline void drop(struct worker *w, struct port *in, struct port_stats *st,
				     struct rte_mbuf *m, enum vsw_drop r, struct trace_burst *tb)
{
	TRACE(true, "fate: drop %s (%s) at bridge_input", vsw_drop_names[r], vsw_drop_help[r]);
	st->drops[r]++;
	capture_drop(w, in->idx, m, r, CAPTURE_STAGE_BRIDGE_INPUT);
	rte_pktmbuf_free(m);
}

static const char *const learn_names[] = {
	[FDB_LEARN_NEW] = "learned (new)",
	[FDB_LEARN_MOVED] = "moved here from another port",
	[FDB_LEARN_DAMPED] = "frozen: moving too often",
	[FDB_LEARN_LIMIT] = "not learned: MAC limit",
	[FDB_LEARN_REFRESHED] = "already on this port (refreshed)",
	[FDB_LEARN_STATIC] = "is a static entry on another port: not moved",
	[FDB_LEARN_BUSY] = "not learned now: table busy (retried after this burst)",
};

/* Is port idx a tunnel port (a remote VTEP)? Only asked on the learning path of frames
 * that came out of a tunnel. */
static inline bool bridge_port_is_tunnel(struct dp *dp, uint16_t idx)
{
	const struct port *p = atomic_load_explicit(&dp->ports[idx], memory_order_acquire);

	return p != NULL && p->tun != NULL;
}

/* A frame from tunnel port in whose source MAC is not learned there (slot s, -1 if not
 * known at all): a remote never takes over a local station's MAC, and the remotes of a
 * VNI together learn at most the bridge's remote_max_macs. Learning path only. */
static inline enum vsw_drop bridge_tunnel_learn_check(struct dp *dp, const struct port *in,
						      const struct bridge *br, int32_t s)
{
	if (s >= 0 && !bridge_port_is_tunnel(dp, fdb_slot_port(br->fdb, s)))
		return VSW_DROP_vxlan_mac_steal;
	if (!vtep_learn_admit(in, br->fdb, br->remote_max_macs))
		return VSW_DROP_mac_limit;
	return VSW_DROP_MAX;
}

/* Traced copy only: a port's name, as a worker may read it. */
static const char *port_name_rcu(struct dp *dp, uint16_t idx)
{
	const struct port *p = atomic_load_explicit(&dp->ports[idx], memory_order_acquire);

	return p != NULL ? p->name : "(gone)";
}

/* Traced copy only: what happened to a flooded frame, from the counters it may bump. */
static void trace_flood(struct trace_burst *tb, struct worker *w, struct bridge *br,
			struct port *in, struct rte_mbuf *m, uint16_t vid, uint64_t storm0,
			uint64_t noegress0)
{
	const struct port_set *ms = atomic_load_explicit(&br->members, memory_order_acquire);
	const struct port_stats *st = &in->stats[w->idx];
	char list[256];
	size_t len = 0;

	if (st->drops[VSW_DROP_storm_limit] != storm0) {
		TRACE(true, "fate: drop storm_limit at bridge_flood");
		return;
	}
	if (st->drops[VSW_DROP_no_egress] != noegress0) {
		TRACE(true, "fate: drop no_egress at bridge_flood (no other port in vlan %u)", vid);
		return;
	}
	list[0] = '\0';
	for (unsigned int i = 0; i < ms->n && len < sizeof(list); i++) {
		const struct port *p = ms->p[i];
		int k;

		if (p == in || eth_egress_tagging(&p->vlan, vid) < 0)
			continue;
		k = snprintf(list + len, sizeof(list) - len, " %s%s", p->name,
			     eth_egress_tagging(&p->vlan, vid) ? "(tagged)" : "");
		len += k > 0 ? (size_t)k : 0;
	}
	TRACE(true, "fate: flooded in vlan %u to%s", vid, list);
}

/* Traced copy only: the encapsulation of the copies a flood sends to remote VTEPs. */
static void trace_flood_encap(struct trace_burst *tb, struct bridge *br, struct port *in,
			      struct rte_mbuf *m, uint16_t vid)
{
	const struct port_set *ms = atomic_load_explicit(&br->members, memory_order_acquire);

	for (unsigned int i = 0; i < ms->n; i++) {
		const struct port *p = ms->p[i];
		int want;

		if (p == in || p->tun == NULL || (in->tun != NULL) ||
		    (want = eth_egress_tagging(&p->vlan, vid)) < 0)
			continue; /* frames from a tunnel never flood to tunnels (split horizon) */
		trace_encap(tb, m, p, want, true);
	}
}

static __rte_always_inline void bridge_input_flood(struct worker *w, struct bridge *br,
						   struct port *in, struct rte_mbuf *m,
						   uint16_t vid, bool tagged, uint64_t tsc,
						   struct trace_burst *tb)
{
	uint64_t storm0, noegress0;

	if (tb == NULL) {
		bridge_flood(w, br, in, m, vid, tagged, tsc);
		return;
	}
	storm0 = in->stats[w->idx].drops[VSW_DROP_storm_limit];
	noegress0 = in->stats[w->idx].drops[VSW_DROP_no_egress];
	trace_flood_encap(tb, br, in, m, vid);
	bridge_flood(w, br, in, m, vid, tagged, tsc);
	trace_flood(tb, w, br, in, m, vid, storm0, noegress0);
}

static __rte_always_inline unsigned int bridge_input_run(struct worker *w, struct port *in,
							 struct rte_mbuf **pkts, uint16_t n,
							 uint32_t now_s, uint64_t tsc,
							 struct trace_burst *tb)
{
	struct rte_mbuf *ok[VSW_BURST];
	uint64_t keys[2 * VSW_BURST];
	int32_t slots[2 * VSW_BURST];
	uint16_t vids[VSW_BURST];
	bool tagged[VSW_BURST];
	struct port_stats *st = &in->stats[w->idx];
	struct dp *dp = w->dp;
	struct bridge *br;
	struct fdb *fdb;
	const struct flow_table *ft;
	unsigned int nok = 0;
	bool relookup = false;
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++) {
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
		bytes += pkts[i]->pkt_len;
	}
	st->rx_packets += n;
	st->rx_bytes += bytes;

	br = atomic_load_explicit(&in->bridge, memory_order_acquire);
	if (unlikely(br == NULL)) {
		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];

			TRACE(true, "fate: drop no_bridge at bridge_input");
			capture_drop(w, in->idx, m, VSW_DROP_no_bridge, CAPTURE_STAGE_BRIDGE_INPUT);
		}
		rte_pktmbuf_free_bulk(pkts, n);
		st->drops[VSW_DROP_no_bridge] += n;
		return n;
	}
	fdb = br->fdb;
	/* the bridge's recording: every frame as received, whichever member port it came in by */
	capture_rec_tap(w, br, in, pkts, n);

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct eth_info info;
		enum vsw_drop r;

		r = eth_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), &info);
		if (likely(r == VSW_DROP_MAX))
			r = eth_classify_vlan(&in->vlan, &info);
		if (unlikely(r != VSW_DROP_MAX)) {
			drop(w, in, st, m, r, tb);
			continue;
		}
		TRACE(false, "bridge %s, vlan %u (%s on %s port)", br->name, info.vid,
		      info.tagged ? "tagged" : "untagged",
		      in->vlan.mode == DP_VLAN_TRUNK ? "a trunk" : "an access");
		ok[nok] = m;
		vids[nok] = info.vid;
		tagged[nok] = info.tagged;
		keys[2 * nok] = fdb_key_hdr(info.vid, info.src);
		keys[2 * nok + 1] = fdb_key_hdr(info.vid, info.dst);
		nok++;
	}
	/* flow rules come before learning; a bridge without any pays this one branch */
	ft = atomic_load_explicit(&br->flows, memory_order_acquire);
	if (unlikely(ft != NULL)) {
		if (tb != NULL)
			trace_flow(tb, w, br, in, ft, ok, vids, nok);
		nok = flow_input_burst(w, br, in, ft, ok, vids, tagged, keys, nok, tsc);
	}
	fdb_lookup_bulk(fdb, keys, 2 * nok, slots);

	for (unsigned int i = 0; i < nok; i++) {
		struct rte_mbuf *m = ok[i];
		int32_t s = slots[2 * i];
		enum vsw_drop tr;
		uint16_t out_idx;
		struct port *out;

		if (likely(s >= 0 && fdb_slot_port(fdb, s) == in->idx)) {
			fdb_slot_touch(fdb, s, now_s);
			TRACE(false, "learn: source already on this port (refreshed)");
		} else if (s >= 0 && (fdb_slot_flags(fdb, s) & FDB_F_STATIC)) {
			/* a static entry elsewhere never moves; the frame still goes through */
			TRACE(false, "learn: source is a static entry on %s: not moved",
			      port_name_rcu(dp, fdb_slot_port(fdb, s)));
		} else if (s >= 0 && (fdb_slot_flags(fdb, s) & FDB_F_DAMPED)) {
			drop(w, in, st, m, VSW_DROP_mac_flapping, tb);
			continue;
		} else if (unlikely(in->tun != NULL) &&
			   (tr = bridge_tunnel_learn_check(dp, in, br, s)) != VSW_DROP_MAX) {
			drop(w, in, st, m, tr, tb);
			continue;
		} else {
			enum fdb_learn_result lr =
				fdb_learn(fdb, keys[2 * i], in->idx, in->max_macs, now_s);

			if (tb != NULL)
				TRACE(false, "learn: source %s",
				      (unsigned int)lr < RTE_DIM(learn_names) && learn_names[lr]
					      ? learn_names[lr]
					      : "?");
			switch (lr) {
			case FDB_LEARN_NEW:
			case FDB_LEARN_MOVED:
				relookup = true;
				break;
			case FDB_LEARN_DAMPED:
				drop(w, in, st, m, VSW_DROP_mac_flapping, tb);
				continue;
			case FDB_LEARN_LIMIT:
				drop(w, in, st, m, VSW_DROP_mac_limit, tb);
				continue;
			case FDB_LEARN_BUSY:
				fdb_retry_add(&w->learn_retry, fdb, keys[2 * i], in->idx,
					      in->max_macs);
				break;
			default: /* refreshed or static */
				break;
			}
		}

		if (eth_addr_is_multicast(rte_pktmbuf_mtod(m, const uint8_t *))) {
			TRACE(false, "fdb: destination is multicast or broadcast: flood");
			bridge_input_flood(w, br, in, m, vids[i], tagged[i], tsc, tb);
			continue;
		}
		s = unlikely(relookup) ? fdb_lookup(fdb, keys[2 * i + 1]) : slots[2 * i + 1];
		if (s < 0) {
			TRACE(false, "fdb: destination unknown in vlan %u: flood", vids[i]);
			bridge_input_flood(w, br, in, m, vids[i], tagged[i], tsc, tb);
			continue;
		}
		out_idx = fdb_slot_port(fdb, s);
		TRACE(false, "fdb: destination on port %s (%s entry)", port_name_rcu(dp, out_idx),
		      fdb_slot_flags(fdb, s) & FDB_F_STATIC ? "static" : "learned");
		if (unlikely(out_idx == in->idx)) {
			drop(w, in, st, m, VSW_DROP_dst_is_ingress, tb);
			continue;
		}
		out = atomic_load_explicit(&dp->ports[out_idx], memory_order_acquire);
		if (unlikely(out == NULL ||
			     atomic_load_explicit(&out->bridge, memory_order_relaxed) != br)) {
			drop(w, in, st, m, VSW_DROP_port_gone, tb);
			continue;
		}
		if (unlikely(in->tun != NULL && out->tun != NULL)) {
			drop(w, in, st, m, VSW_DROP_vxlan_split_horizon, tb);
			continue;
		}
		if (tb != NULL) {
			const uint64_t *od = out->stats[w->idx].drops;
			uint64_t vna = od[VSW_DROP_vlan_not_allowed], nom = od[VSW_DROP_no_mbuf];
			int want = eth_egress_tagging(&out->vlan, vids[i]);

			if (out->tun != NULL && want >= 0)
				trace_encap(tb, m, out, want, false);
			port_tx_enqueue(w, out, m, vids[i], tagged[i]);
			if (od[VSW_DROP_vlan_not_allowed] != vna)
				TRACE(true, "fate: drop vlan_not_allowed at port_tx (%s)",
				      out->name);
			else if (od[VSW_DROP_no_mbuf] != nom)
				TRACE(true, "fate: drop no_mbuf at port_tx (%s)", out->name);
			else
				TRACE(true, "fate: output to %s, %s", out->name,
				      want ? "tagged" : "untagged");
			continue;
		}
		port_tx_enqueue(w, out, m, vids[i], tagged[i]);
	}
	if (tb != NULL)
		trace_burst_end(tb);
	return n;
}

unsigned int bridge_input_frames(struct worker *w, struct port *in, struct rte_mbuf **pkts,
				 uint16_t n, uint32_t now_s, uint64_t tsc)
{
	struct trace_burst tb;

	/* before any parsing: a malformed frame is captured too */
	if (unlikely(capture_tap(w, in, CAPTURE_RX, pkts, n, &tb) != 0))
		return bridge_input_run(w, in, pkts, n, now_s, tsc, &tb);
	return bridge_input_run(w, in, pkts, n, now_s, tsc, NULL);
}

unsigned int bridge_input_frames_traced(struct worker *w, struct port *in, struct rte_mbuf **pkts,
					uint16_t n, uint32_t now_s, uint64_t tsc,
					struct trace_burst *parent)
{
	struct trace_burst tb;

	if (capture_tap(w, in, CAPTURE_RX, pkts, n, &tb) == 0)
		tb.n = 0;
	trace_burst_adopt(&tb, parent, pkts, n);
	if (tb.n != 0)
		return bridge_input_run(w, in, pkts, n, now_s, tsc, &tb);
	return bridge_input_run(w, in, pkts, n, now_s, tsc, NULL);
}
