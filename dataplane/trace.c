/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `vswctl trace --packet`: where would a frame described by its ingress port, MACs,
 * VLAN tag and, optionally, IPv4 or IPv6 addresses, protocol and ports go? Answered by
 * the control thread from the live configuration and MAC table (fdb_lookup is the
 * table's read side, safe beside the workers), with the same parser and VLAN rules the
 * workers use (eth_parse.h), and without sending anything or changing any table: a
 * source that would be learned is only said to be. Like ofproto/trace, it
 * follows the decisions of bridge_input (flow rules included: the bridge's live
 * classifier is asked about the frame), bridge_flood and port_tx in order. What it
 * cannot know is said: storm control depends on the rate.
 *
 * Also the workers' side of `vswctl trace` for the stages around bridge_input: the flow
 * rule a traced frame hit (trace_flow), its VXLAN decapsulation or why it died there
 * (trace_decap), and the encapsulation it gets on a tunnel port (trace_encap). These run
 * only in the traced copy of a stage (capture.h: a burst with traced frames), never for
 * other bursts, so they may be slow: each says what the stage will do or did by asking
 * the same read-side functions the stage calls (flow_classify_burst, vxlan_parse or
 * vxlan_parse6, vtep_map_find(6), nd_parse, nd_decide, nd_mld_parse) on the same
 * immutable tables, for the VTEP's underlay family: on an IPv6 underlay, ICMPv6 is
 * neighbour discovery's, DAD's and MLD's (nd_input: what it answers, refuses, makes
 * duplicate or defends, from the state of the VTEP's addresses as each frame of the
 * burst finds it) and a refused frame's outer headers are shown beside the exact reason.
 * The encapsulation is described when the frame is queued on the tunnel port, from the
 * tunnel state vxlan_encap reads when it flushes that queue in the same worker loop
 * (the IPv6 VTEP address's state, template, next hop, and the inner flow's hash for the
 * UDP source port and the IPv6 flow label).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "capture_ctl.h"
#include "capture_fmt.h"
#include "dp.h"
#include "flow_table.h"
#include "overlay/nd.h"
#include "overlay/vtep.h"

static const char *const flow_act_names[DP_FLOW_ACT_MAX] = {
	[DP_FLOW_ACT_DROP] = "drop",	       [DP_FLOW_ACT_OUTPUT] = "output",
	[DP_FLOW_ACT_FLOOD] = "flood",	       [DP_FLOW_ACT_NORMAL] = "normal",
	[DP_FLOW_ACT_PUSH_VLAN] = "push_vlan", [DP_FLOW_ACT_POP_VLAN] = "pop_vlan",
	[DP_FLOW_ACT_SET_VLAN] = "set_vlan",   [DP_FLOW_ACT_MIRROR] = "mirror",
	[DP_FLOW_ACT_COUNT] = "count",
};

struct out {
	char *p;
	size_t size, len;
};

__attribute__((format(printf, 2, 3))) static void line(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->size)
		return;
	if (o->len > 0)
		o->p[o->len++] = '\n';
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = o->len + (size_t)n < o->size ? o->len + (size_t)n : o->size - 1;
	o->p[o->len] = '\0';
}

static const char *mac_s(char *buf, const uint8_t *a)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
	return buf;
}

static const char *port_name_of(struct dp *dp, uint16_t idx)
{
	const struct port *p = atomic_load(&dp->ports[idx]);

	return p != NULL ? p->name : "(gone)";
}

static void drop_line(struct out *o, enum vsw_drop r, const char *stage)
{
	line(o, "fate: drop %s (%s) at %s", vsw_drop_names[r], vsw_drop_help[r], stage);
}

static void flood(struct dp *dp, struct out *o, struct port *in, struct bridge *br, uint16_t vid)
{
	const struct port_set *ms = atomic_load(&br->members);
	char list[512];
	size_t len = 0;
	unsigned int n = 0;

	(void)dp;
	list[0] = '\0';
	for (unsigned int i = 0; i < ms->n; i++) {
		const struct port *p = ms->p[i];
		int want, k;

		if (p == in)
			continue;
		want = eth_egress_tagging(&p->vlan, vid);
		if (want < 0)
			continue;
		n++;
		k = snprintf(list + len, len < sizeof(list) ? sizeof(list) - len : 0, " %s%s",
			     p->name, want ? "(tagged)" : "");
		len += k > 0 ? (size_t)k : 0;
	}
	if (n == 0) {
		drop_line(o, VSW_DROP_no_egress, "bridge_flood");
		return;
	}
	if (in->params.storm_pps)
		line(o,
		     "storm control: at most %u flooded frames/s from %s, beyond which "
		     "storm_limit drops",
		     in->params.storm_pps, in->name);
	line(o, "fate: flooded in vlan %u to%s", vid, list);
}

static const char *ipf_s(char buf[INET6_ADDRSTRLEN], bool v6, const void *a);
static void flow_acts_str(struct dp *dp, const struct flow_entry *fe, char *buf, size_t size);

/* The bridge's flow rules on the simulated frame: the live classifier is asked (it is
 * immutable and safe to read beside the workers). Returns 1 when a rule decides the
 * frame's fate, 0 when it goes on to the bridge (in vlan *vid, which a rule may change). */
static int packet_flow(struct dp *dp, struct out *o, const struct port *in, const struct bridge *br,
		       uint8_t *frame, uint16_t len, uint16_t *vid)
{
	const struct flow_table *ft = atomic_load(&br->flows);
	const struct flow_entry *fe;
	struct rte_mbuf m;
	struct rte_mbuf *pm = &m;
	char acts[256];
	uint32_t id;

	/* enough of an mbuf for flow_key_build: data, offset and length */
	memset(&m, 0, sizeof(m));
	m.buf_addr = frame;
	m.data_off = 0;
	m.data_len = len;
	m.pkt_len = len;
	flow_classify_burst(ft, &pm, vid, in->idx, in->tun != NULL ? in->tun->vni : 0, 1, &fe);
	if (fe == NULL) {
		line(o, "flow: no rule of bridge %s matched: normal", br->name);
		return 0;
	}
	id = ~(uint32_t)fe->rank;
	flow_acts_str(dp, fe, acts, sizeof(acts));
	line(o, "flow: bridge %s rule %u priority %u matched: actions %s", br->name, id,
	     (uint32_t)(fe->rank >> 32), acts);
	for (unsigned int a = 0; a < fe->n_act; a++) {
		const struct flow_act *act = &fe->act[a];
		const struct port *out;

		switch (act->type) {
		case DP_FLOW_ACT_SET_VLAN:
		case DP_FLOW_ACT_PUSH_VLAN:
			*vid = act->arg;
			break;
		case DP_FLOW_ACT_DROP:
			line(o, "fate: drop flow_drop (%s) at flow_input (rule %u)",
			     vsw_drop_help[VSW_DROP_flow_drop], id);
			return 1;
		case DP_FLOW_ACT_OUTPUT:
			out = atomic_load(&dp->ports[act->arg]);
			if (out == NULL)
				line(o, "fate: drop port_gone at flow_input (rule %u)", id);
			else
				line(o, "fate: output to %s by flow rule %u", out->name, id);
			return 1;
		case DP_FLOW_ACT_FLOOD:
			line(o, "fate: flooded in vlan %u by flow rule %u", *vid, id);
			return 1;
		case DP_FLOW_ACT_NORMAL:
			line(o, "flow: normal: on to the bridge in vlan %u", *vid);
			return 0;
		default:
			break;
		}
	}
	return 0;
}

int dp_trace_packet(struct dp *dp, const struct dp_trace_packet *tp, char *outbuf, size_t outsz,
		    char *err, size_t errsz)
{
	struct out o = {outbuf, outsz, 0};
	struct port *in = dp_port_find(dp, tp->in_port), *out;
	uint8_t frame[96] = {0}; /* up to 802.1Q + IPv6 + the ports */
	char a[18], b[18];
	struct eth_info info;
	struct bridge *br;
	enum vsw_drop r;
	size_t off = 12;
	int32_t s;

	if (outsz == 0)
		return -EINVAL;
	outbuf[0] = '\0';
	if (in == NULL) {
		snprintf(err, errsz, "trace-packet: no port \"%s\"", tp->in_port);
		return -ENOENT;
	}
	memcpy(frame, tp->dst, 6);
	memcpy(frame + 6, tp->src, 6);
	if (tp->vlan) {
		frame[off++] = 0x81;
		frame[off++] = 0x00;
		frame[off++] = (uint8_t)(tp->vlan >> 8);
		frame[off++] = (uint8_t)tp->vlan;
	}
	frame[off++] = tp->ip6 ? 0x86 : 0x08;
	frame[off++] = tp->ip6 ? 0xdd : 0x00;
	if (tp->ip6) {
		uint8_t *ip = frame + off;

		ip[0] = 0x60;
		ip[5] = 8; /* payload length: the UDP/TCP ports */
		ip[6] = tp->ip_proto;
		ip[7] = 64;
		memcpy(ip + 8, tp->ip6_src, 16);
		memcpy(ip + 24, tp->ip6_dst, 16);
		ip[40] = (uint8_t)(tp->l4_src >> 8);
		ip[41] = (uint8_t)tp->l4_src;
		ip[42] = (uint8_t)(tp->l4_dst >> 8);
		ip[43] = (uint8_t)tp->l4_dst;
	} else if (tp->ip) {
		uint8_t *ip = frame + off;

		ip[0] = 0x45;
		ip[3] = 28; /* total length: header and 8 bytes of UDP/TCP ports */
		ip[8] = 64;
		ip[9] = tp->ip_proto;
		memcpy(ip + 12, &tp->ip_src, 4);
		memcpy(ip + 16, &tp->ip_dst, 4);
		ip[20] = (uint8_t)(tp->l4_src >> 8);
		ip[21] = (uint8_t)tp->l4_src;
		ip[22] = (uint8_t)(tp->l4_dst >> 8);
		ip[23] = (uint8_t)tp->l4_dst;
	}
	line(&o, "frame: %s > %s, %s%.0u on port %s (simulated: nothing is sent or learned)",
	     mac_s(a, tp->src), mac_s(b, tp->dst), tp->vlan ? "802.1Q vlan " : "untagged", tp->vlan,
	     in->name);
	if (tp->ip) {
		char c[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
		const void *src = tp->ip6 ? (const void *)tp->ip6_src : (const void *)&tp->ip_src;
		const void *dst = tp->ip6 ? (const void *)tp->ip6_dst : (const void *)&tp->ip_dst;

		line(&o, "%s: %s > %s, %s %u, ports %u > %u", tp->ip6 ? "ipv6" : "ip",
		     ipf_s(c, tp->ip6, src), ipf_s(d, tp->ip6, dst),
		     tp->ip6 ? "next header" : "protocol", tp->ip_proto, tp->l4_src, tp->l4_dst);
	}

	br = atomic_load(&in->bridge);
	if (br == NULL) {
		drop_line(&o, VSW_DROP_no_bridge, "bridge_input");
		return 0;
	}
	r = eth_parse(frame, sizeof(frame), &info);
	if (r == VSW_DROP_MAX)
		r = eth_classify_vlan(&in->vlan, &info);
	if (r != VSW_DROP_MAX) {
		drop_line(&o, r, "bridge_input");
		return 0;
	}
	line(&o, "bridge %s, vlan %u (%s on %s port)", br->name, info.vid,
	     info.tagged ? "tagged" : "untagged",
	     in->vlan.mode == DP_VLAN_TRUNK ? "a trunk" : "an access");
	if (atomic_load(&br->flows) != NULL &&
	    packet_flow(dp, &o, in, br, frame, sizeof(frame), &info.vid) != 0)
		return 0;

	s = fdb_lookup(br->fdb, fdb_key(info.vid, tp->src));
	if (s >= 0 && fdb_slot_port(br->fdb, s) == in->idx) {
		line(&o, "learn: source already on this port (would be refreshed)");
	} else if (s >= 0 && (fdb_slot_flags(br->fdb, s) & FDB_F_STATIC)) {
		line(&o, "learn: source is a static entry on %s: not moved",
		     port_name_of(dp, fdb_slot_port(br->fdb, s)));
	} else if (s >= 0 && (fdb_slot_flags(br->fdb, s) & FDB_F_DAMPED)) {
		drop_line(&o, VSW_DROP_mac_flapping, "bridge_input");
		return 0;
	} else if (s >= 0) {
		line(&o, "learn: source known on %s: would move to %s (move damping applies)",
		     port_name_of(dp, fdb_slot_port(br->fdb, s)), in->name);
	} else {
		line(&o,
		     "learn: source unknown in vlan %u: would be learned on %s (unless a MAC "
		     "limit is reached)",
		     info.vid, in->name);
	}

	if (eth_addr_is_multicast(tp->dst)) {
		line(&o, "fdb: destination is multicast or broadcast: flood");
		flood(dp, &o, in, br, info.vid);
		return 0;
	}
	s = fdb_lookup(br->fdb, fdb_key(info.vid, tp->dst));
	if (s < 0) {
		line(&o, "fdb: destination unknown in vlan %u: flood", info.vid);
		flood(dp, &o, in, br, info.vid);
		return 0;
	}
	line(&o, "fdb: destination on port %s (%s entry)",
	     port_name_of(dp, fdb_slot_port(br->fdb, s)),
	     fdb_slot_flags(br->fdb, s) & FDB_F_STATIC ? "static" : "learned");
	if (fdb_slot_port(br->fdb, s) == in->idx) {
		drop_line(&o, VSW_DROP_dst_is_ingress, "bridge_input");
		return 0;
	}
	out = atomic_load(&dp->ports[fdb_slot_port(br->fdb, s)]);
	if (out == NULL || atomic_load(&out->bridge) != br) {
		drop_line(&o, VSW_DROP_port_gone, "bridge_input");
		return 0;
	}
	switch (eth_egress_tagging(&out->vlan, info.vid)) {
	case 0:
		line(&o, "fate: output to %s, untagged", out->name);
		break;
	case 1:
		line(&o, "fate: output to %s, tagged vlan %u", out->name, info.vid);
		break;
	default:
		drop_line(&o, VSW_DROP_vlan_not_allowed, "port_tx");
		break;
	}
	return 0;
}

/* ---- the workers' side ---- */

/* A port's name as a worker may read it (names never change while a port exists). */
static const char *port_name_rcu(struct dp *dp, uint16_t idx)
{
	const struct port *p = atomic_load_explicit(&dp->ports[idx], memory_order_acquire);

	return p != NULL ? p->name : "(gone)";
}

/* "set_vlan:20,output:vm2": a rule's actions, as flow-dump writes them. */
static void flow_acts_str(struct dp *dp, const struct flow_entry *fe, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int a = 0; a < fe->n_act && len < size; a++) {
		const struct flow_act *act = &fe->act[a];
		const char *name = act->type < DP_FLOW_ACT_MAX && flow_act_names[act->type] != NULL
					   ? flow_act_names[act->type]
					   : "?";
		int k;

		switch (act->type) {
		case DP_FLOW_ACT_OUTPUT:
		case DP_FLOW_ACT_MIRROR:
			k = snprintf(buf + len, size - len, "%s%s:%s", a ? "," : "", name,
				     port_name_rcu(dp, act->arg));
			break;
		case DP_FLOW_ACT_SET_VLAN:
		case DP_FLOW_ACT_PUSH_VLAN:
			k = snprintf(buf + len, size - len, "%s%s:%u", a ? "," : "", name,
				     act->arg);
			break;
		default:
			k = snprintf(buf + len, size - len, "%s%s", a ? "," : "", name);
			break;
		}
		len += k > 0 ? (size_t)k : 0;
	}
}

static bool frame_is_tagged(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

	return rte_pktmbuf_data_len(m) >= 18 && d[12] == 0x81 && d[13] == 0x00;
}

/* An underlay address of either family: 4 or 16 bytes at a. */
static const char *ipf_s(char buf[INET6_ADDRSTRLEN], bool v6, const void *a)
{
	return inet_ntop(v6 ? AF_INET6 : AF_INET, a, buf, INET6_ADDRSTRLEN) != NULL ? buf : "?";
}

/* Why an address of the VTEP is not used: its state, said for a person. */
static const char *nd_not_ready_s(unsigned int st)
{
	return st == ND_ADDR_DUPLICATE ? "duplicate (another node on the underlay has it)"
				       : "tentative (DAD running)";
}

/* The inner flow's hash as vxlan_encap computes it (UDP source port, IPv6 flow label):
 * on the frame as port_tx leaves it, with the 802.1Q tag put on (tag 1) or taken off
 * (tag 0). The tag's VID is not hashed (vxlan_entropy_hash stops at an ethertype it does
 * not know), and nothing past an IPv4 header with options and the ports is, so the head
 * of the frame, retagged in a copy, gives the same hash. */
static uint64_t encap_hash(const struct rte_mbuf *m, int tag, bool tagged)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), n;
	uint8_t f[128];

	if (tag == 1 && !tagged && len >= 12) {
		n = RTE_MIN(len - 12, (uint32_t)sizeof(f) - 16);
		memcpy(f, d, 12);
		f[12] = 0x81;
		f[13] = 0x00;
		f[14] = f[15] = 0;
		memcpy(f + 16, d + 12, n);
		return vxlan_entropy_hash(f, n + 16);
	}
	if (tag == 0 && tagged) {
		n = RTE_MIN(len - 16, (uint32_t)sizeof(f) - 12);
		memcpy(f, d, 12);
		memcpy(f + 12, d + 16, n);
		return vxlan_entropy_hash(f, n + 12);
	}
	return vxlan_entropy_hash(d, len);
}

void trace_encap(struct trace_burst *tb, const struct rte_mbuf *m, const struct port *out, int tag,
		 bool flood)
{
	const struct vxlan_tun *t = out->tun;
	const struct vtep *v = t->vtep;
	const bool v6 = v->v6;
	const uint8_t *ip = t->tmpl.hdr + VXLAN_ETH_SIZE;
	const uint8_t *udp = ip + (v6 ? VXLAN_IP6_SIZE : VXLAN_IP_SIZE);
	uint64_t nh = atomic_load_explicit(&t->nh->mac, memory_order_relaxed);
	uint32_t nh4 = atomic_load_explicit(&t->nh->ip, memory_order_relaxed);
	const void *nh_ip = v6 ? (const void *)t->nh->ip6 : (const void *)&nh4;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN], hops[48], mac_b[18];
	const char *nh_from;
	bool tagged = frame_is_tagged(m);
	uint32_t len = m->pkt_len, need;
	uint8_t mac[6];
	uint64_t h;

	if (tag == 1 && !tagged)
		len += 4;
	else if (tag == 0 && tagged)
		len -= 4;
	/* vxlan_encap's order: over IPv6 the address first (not preferred, it solicits no
	 * next hop either, so the address is why nothing leaves) */
	if (v6) {
		unsigned int st =
			atomic_load_explicit(&v->dad.state[ND_ADDR], memory_order_relaxed);
		enum vsw_drop r = VSW_DROP_vxlan_addr_not_ready;

		if (st != ND_ADDR_PREFERRED) {
			trace_step(tb, m, !flood,
				   "%sdrop %s (%s) at vxlan_encap on %s (VTEP %s address %s %s)",
				   flood ? "encap: copy to " : "fate: ", vsw_drop_names[r],
				   vsw_drop_help[r], out->name, v->name,
				   ipf_s(a, true, v->local.ip6), nd_not_ready_s(st));
			return;
		}
	}
	if (!(nh & VTEP_NEIGH_VALID)) {
		enum vsw_drop r = VSW_DROP_vxlan_no_neigh;

		trace_step(tb, m, !flood, "%sdrop %s (%s) at vxlan_encap on %s (next hop %s)",
			   flood ? "encap: copy to " : "fate: ", vsw_drop_names[r],
			   vsw_drop_help[r], out->name, ipf_s(a, v6, nh_ip));
		return;
	}
	need = v6 ? vxlan6_mtu_needed(len) : vxlan_mtu_needed(len);
	if (need > v->mtu) {
		enum vsw_drop r = VSW_DROP_vxlan_mtu_exceeded;

		trace_step(tb, m, !flood, "%sdrop %s (%s) at vxlan_encap on %s (%u bytes > mtu %u)",
			   flood ? "encap: copy to " : "fate: ", vsw_drop_names[r],
			   vsw_drop_help[r], out->name, need, v->mtu);
		return;
	}
	h = encap_hash(m, tag, tagged);
	if (v6)
		snprintf(hops, sizeof(hops), "hop limit %u, flow label 0x%05x", ip[7],
			 vxlan_flow_label_of(h));
	else
		snprintf(hops, sizeof(hops), "ttl %u, df", ip[8]);
	nh_from = nh & VTEP_NEIGH_STATIC ? "static" : v6 ? "resolved by ND" : "resolved by ARP";
	vtep_mac_unpack(nh, mac);
	trace_step(tb, m, false,
		   "encap: tunnel port %s: vni %u, outer %s > %s (remote VTEP), udp %u > %u, %s, "
		   "next hop %s mac %s (%s), underlay port %s, %u bytes",
		   out->name, t->vni, ipf_s(a, v6, ip + (v6 ? 8 : 12)),
		   ipf_s(b, v6, ip + (v6 ? 24 : 16)), vxlan_sport_of(h), vxlan_rd16(udp + 2), hops,
		   ipf_s(c, v6, nh_ip), mac_s(mac_b, mac), nh_from, v->port->name,
		   (v6 ? VXLAN6_OUTER_SIZE : VXLAN_OUTER_SIZE) + len);
}

void trace_flow(struct trace_burst *tb, struct worker *w, const struct bridge *br,
		const struct port *in, const struct flow_table *ft, struct rte_mbuf *const *pkts,
		const uint16_t *vids, unsigned int n)
{
	const struct flow_entry *e[VSW_BURST];
	struct dp *dp = w->dp;
	char acts[256];

	if (n == 0)
		return;
	flow_classify_burst(ft, pkts, vids, in->idx, in->tun != NULL ? in->tun->vni : 0, n, e);
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct flow_entry *fe = e[i];
		uint32_t id, prio;
		uint16_t vid = vids[i];
		const struct port *out;

		if (fe == NULL) {
			trace_step(tb, m, false, "flow: no rule of bridge %s matched: normal",
				   br->name);
			continue;
		}
		/* rank = priority << 32 | ~id (l2/flow_table.h) */
		prio = (uint32_t)(fe->rank >> 32);
		id = ~(uint32_t)fe->rank;
		flow_acts_str(dp, fe, acts, sizeof(acts));
		trace_step(tb, m, false, "flow: bridge %s rule %u priority %u matched: actions %s",
			   br->name, id, prio, acts);
		for (unsigned int a = 0; a < fe->n_act; a++) {
			const struct flow_act *act = &fe->act[a];

			switch (act->type) {
			case DP_FLOW_ACT_SET_VLAN:
			case DP_FLOW_ACT_PUSH_VLAN:
				vid = act->arg;
				continue;
			case DP_FLOW_ACT_DROP:
				trace_step(tb, m, true,
					   "fate: drop flow_drop (%s) at flow_input (rule %u)",
					   vsw_drop_help[VSW_DROP_flow_drop], id);
				break;
			case DP_FLOW_ACT_OUTPUT:
				out = atomic_load_explicit(&dp->ports[act->arg],
							   memory_order_acquire);
				if (out == NULL) {
					trace_step(tb, m, true,
						   "fate: drop port_gone at flow_input (rule %u)",
						   id);
					break;
				}
				if (out->tun != NULL)
					trace_encap(tb, m, out, -1, false);
				trace_step(tb, m, true, "fate: output to %s by flow rule %u",
					   out->name, id);
				break;
			case DP_FLOW_ACT_FLOOD:
				trace_step(tb, m, true, "fate: flooded in vlan %u by flow rule %u",
					   vid, id);
				break;
			case DP_FLOW_ACT_NORMAL:
				trace_step(tb, m, false,
					   "flow: normal: on to the bridge in vlan %u", vid);
				break;
			default:
				continue;
			}
			break;
		}
	}
}

/* Names of the IPv6 next headers an outer packet may carry instead of UDP. */
static const char *ip6_nh_name(uint8_t nh)
{
	switch (nh) {
	case 0:
		return "hop-by-hop options";
	case 43:
		return "routing";
	case VXLAN_IP6_FRAGMENT:
		return "fragment";
	case 50:
		return "ESP";
	case 51:
		return "AH";
	case 58:
		return "ICMPv6";
	case 60:
		return "destination options";
	case 6:
		return "TCP";
	default:
		return "other";
	}
}

/* What a frame that vxlan_decap refuses holds, as far as it holds it, so the drop reason
 * that follows can be checked against the headers: the outer addresses, the TTL or hop
 * limit, fragment bits, the protocol or next header, the UDP ports, length and checksum,
 * the VNI. Reads nothing past len. */
static void decap_refused_s(char *buf, size_t size, const struct vtep *v, const uint8_t *d,
			    uint32_t len)
{
	const bool v6 = v->v6;
	const uint32_t iph = v6 ? VXLAN_IP6_SIZE : VXLAN_IP_SIZE;
	const uint8_t *ip = d + VXLAN_ETH_SIZE, *udp = NULL;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], m[18];
	uint16_t et;
	size_t n = 0;
	int k;

#define PUT(...)                                                                                   \
	do {                                                                                       \
		k = n < size ? snprintf(buf + n, size - n, __VA_ARGS__) : 0;                       \
		n += k > 0 ? (size_t)k : 0;                                                        \
	} while (0)

	buf[0] = '\0';
	if (len < VXLAN_ETH_SIZE) {
		PUT("%u bytes, shorter than an Ethernet header", len);
		return;
	}
	et = vxlan_rd16(d + 12);
	if (memcmp(d, v->local.mac, 6) != 0)
		PUT("to MAC %s (not the VTEP's), ", mac_s(m, d));
	if (et != (v6 ? VXLAN_ETHERTYPE_IPV6 : VXLAN_ETHERTYPE_IPV4)) {
		PUT("ethertype 0x%04x (not %s)", et, v6 ? "IPv6" : "IPv4");
		return;
	}
	if (len < VXLAN_ETH_SIZE + iph || (ip[0] >> 4) != (v6 ? 6 : 4)) {
		PUT("outer %s header truncated or of version %u, %u bytes", v6 ? "IPv6" : "IPv4",
		    len > VXLAN_ETH_SIZE ? ip[0] >> 4 : 0, len);
		return;
	}
	if (v6) {
		PUT("outer %s > %s, hop limit %u, payload %u bytes", ipf_s(a, true, ip + 8),
		    ipf_s(b, true, ip + 24), ip[7], vxlan_rd16(ip + 4));
		if (ip[6] == VXLAN_PROTO_UDP)
			udp = ip + VXLAN_IP6_SIZE;
		else
			PUT(", next header %u (%s)", ip[6], ip6_nh_name(ip[6]));
	} else {
		uint32_t ihl = (ip[0] & 0xfu) * 4;
		uint16_t frag = vxlan_rd16(ip + 6);

		PUT("outer %s > %s, ttl %u, length %u", ipf_s(a, false, ip + 12),
		    ipf_s(b, false, ip + 16), ip[8], vxlan_rd16(ip + 2));
		if (frag & 0x3fff)
			PUT(", fragment offset %u%s", (frag & 0x1fff) * 8u,
			    frag & 0x2000 ? " more fragments" : "");
		if (ip[9] == VXLAN_PROTO_UDP && ihl >= VXLAN_IP_SIZE)
			udp = ip + ihl;
		else
			PUT(", protocol %u", ip[9]);
	}
	if (udp != NULL && (uint32_t)(udp - d) + VXLAN_UDP_SIZE <= len) {
		PUT(", udp %u > %u, length %u, checksum 0x%04x", vxlan_rd16(udp),
		    vxlan_rd16(udp + 2), vxlan_rd16(udp + 4), vxlan_rd16(udp + 6));
		if ((uint32_t)(udp - d) + VXLAN_UDP_SIZE + VXLAN_HDR_SIZE <= len) {
			const uint8_t *vx = udp + VXLAN_UDP_SIZE;

			PUT(", vxlan flags 0x%02x vni %u", vx[0],
			    (uint32_t)vx[4] << 16 | (uint32_t)vx[5] << 8 | vx[6]);
		}
	} else if (udp != NULL) {
		PUT(", udp header truncated");
	}
#undef PUT
}

/* The neighbour entry of IPv6 address ip among VTEP v's next hops, or NULL. */
static const struct vtep_neigh *neigh_find6(const struct vtep *v, const uint8_t *ip)
{
	uint32_t key = vtep_ip6_key(ip);

	for (unsigned int i = 0; i < VTEP_NEIGH_MAX; i++) {
		const struct vtep_neigh *nb = &v->neigh[i];

		/* acquire: ip6 was written before the key */
		if (atomic_load_explicit(&nb->ip, memory_order_acquire) == key &&
		    memcmp(nb->ip6, ip, 16) == 0)
			return nb;
	}
	return NULL;
}

/* The DAD and MLD state nd_input reads, frame after frame of a burst. trace_decap runs
 * before the stage, so it starts from the VTEP's state and carries on what each frame of
 * the burst changes (an address made duplicate, an MLDv1 query seen): each frame's trace
 * sees the state the worker will see when it takes that frame. */
struct nd_sim {
	uint8_t state[3]; /* enum nd_which -> enum nd_addr_state */
	uint8_t query;	  /* the MLD version the next tick answers with (dad.query) */
};

static const char *nd_which_s(unsigned int which)
{
	return which == ND_LL ? "this VTEP's link-local address" : "this VTEP's address";
}

static void trace_own(struct trace_burst *tb, const struct vtep *v, const struct rte_mbuf *m)
{
	char ma[18];

	trace_step(tb, m, false,
		   "nd: our own frame (Ethernet source %s is the VTEP's), back from the "
		   "underlay: ignored",
		   mac_s(ma, v->local.mac));
}

/* What mld_input will do with a frame behind a hop-by-hop header (nd_frame let it in):
 * the same checks (nd_mld_parse), and the report the next tick sends for a query. */
static void trace_mld(struct trace_burst *tb, const struct vtep *v, struct nd_sim *sim,
		      const struct rte_mbuf *m, const uint8_t *d, uint32_t len)
{
	const uint8_t *ip = d + VXLAN_ETH_SIZE, *hbh = ip + VXLAN_IP6_SIZE;
	const uint32_t msg_off = VXLAN_ETH_SIZE + VXLAN_IP6_SIZE + (hbh[1] + 1u) * 8;
	const uint8_t *msg = d + msg_off;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], list[2 * INET6_ADDRSTRLEN + 2];
	uint8_t sel[2][16], src[16] = {0};
	struct nd_mld_rx q;
	unsigned int k;
	enum vsw_drop r;
	int type = msg_off < len ? msg[0] : -1;

	r = nd_mld_parse(d, len, &v->local, &q);
	if (r != VSW_DROP_MAX) {
		trace_step(tb, m, false,
			   "mld: ICMPv6 %s > %s, type %d behind a hop-by-hop header, hop limit %u "
			   "on VTEP %s%s",
			   ipf_s(a, true, ip + 8), ipf_s(b, true, ip + 24), type, ip[7], v->name,
			   type == ND_TYPE_MLD1_REPORT || type == ND_TYPE_MLD2_REPORT
				   ? " (a report: not answered)"
				   : "");
		if (memcmp(d + 6, v->local.mac, 6) == 0)
			trace_own(tb, v, m);
		trace_step(tb, m, true, "fate: drop %s (%s) at vxlan_decap (MLD, nd_input)",
			   vsw_drop_names[r], vsw_drop_help[r]);
		return;
	}
	if (nd_ip6_is_unspecified(msg + 8))
		trace_step(tb, m, false, "mld: MLDv%u general query from %s on VTEP %s", q.version,
			   ipf_s(a, true, ip + 8), v->name);
	else
		trace_step(tb, m, false, "mld: MLDv%u query for group %s from %s on VTEP %s",
			   q.version, ipf_s(b, true, msg + 8), ipf_s(a, true, ip + 8), v->name);
	/* as mld_input: a version 1 query puts the next tick's answer in version 1 */
	if (sim->query != 1)
		sim->query = q.version;
	k = nd_mld_groups(&v->local, q.groups, sel);
	list[0] = '\0';
	for (unsigned int i = 0; i < k; i++) {
		if (i > 0)
			strcat(list, ", ");
		strcat(list, ipf_s(a, true, sel[i]));
	}
	/* as mld_report: from the link-local address once it is preferred */
	if (sim->state[ND_LL] == ND_ADDR_PREFERRED)
		nd_link_local(src, v->local.mac);
	if (sim->query == 1)
		trace_step(tb, m, false,
			   "mld: answered at the next tick (within a second) with MLDv1 reports "
			   "(one per group, to the group) from %s, for %s",
			   ipf_s(a, true, src), list);
	else
		trace_step(tb, m, false,
			   "mld: answered at the next tick (within a second) with an MLDv2 report "
			   "(MODE_IS_EXCLUDE) to ff02::16 from %s, for %s",
			   ipf_s(a, true, src), list);
	trace_step(tb, m, true, "fate: consumed by MLD on VTEP %s (query taken)", v->name);
}

/* The neighbour entry that a solicitation's or an advertisement's link-layer address
 * refreshes (nd_learn), if any. */
static void trace_nd_learn(struct trace_burst *tb, const struct vtep *v, const struct rte_mbuf *m,
			   const struct nd_rx *nd, const uint8_t *who, const uint8_t *mac)
{
	const struct vtep_neigh *nb = neigh_find6(v, who);
	char a[INET6_ADDRSTRLEN], ma[18];

	if (nb == NULL)
		trace_step(tb, m, false, "nd: %s is not a next hop of VTEP %s: nothing learned",
			   ipf_s(a, true, who), v->name);
	else if (atomic_load_explicit(&nb->mac, memory_order_relaxed) & VTEP_NEIGH_STATIC)
		trace_step(tb, m, false, "nd: next hop %s is static: not changed",
			   ipf_s(a, true, who));
	else if (nd->type == ND_TYPE_NS && nd->lladdr == NULL)
		trace_step(tb, m, false,
			   "nd: next hop %s: no link-layer address option, nothing learned",
			   ipf_s(a, true, who));
	else if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac))
		trace_step(tb, m, false, "nd: next hop %s: link-layer address %s refused",
			   ipf_s(a, true, who), mac_s(ma, mac));
	else
		trace_step(tb, m, false, "nd: next hop %s resolved to %s (refreshed)",
			   ipf_s(a, true, who), mac_s(ma, mac));
}

/* What nd_input will do with an ICMPv6 frame from the underlay of IPv6 VTEP v: the same
 * checks (nd_parse) and decision (nd_decide) on the state of the VTEP's address the
 * message is about, the next hop it refreshes, the advertisement it answers with, the
 * address it makes duplicate or defends; MLD behind a hop-by-hop header (trace_mld). */
static void trace_nd(struct trace_burst *tb, const struct vtep *v, struct nd_sim *sim,
		     const struct rte_mbuf *m, const uint8_t *d, uint32_t len)
{
	static const char at[] = "at vxlan_decap (neighbour discovery, nd_input)";
	const enum vsw_drop nfu = VSW_DROP_vxlan_not_for_us;
	const uint8_t *ip = d + VXLAN_ETH_SIZE;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], ma[18];
	const uint8_t *who, *mac;
	enum nd_verdict verdict;
	struct nd_rx nd;
	enum vsw_drop r;
	unsigned int st;

	/* the dispatch of nd_input */
	if (len > VXLAN_ETH_SIZE + 6 && ip[6] == ND_IP6_HOPOPTS) {
		trace_mld(tb, v, sim, m, d, len);
		return;
	}
	r = nd_parse(d, len, &v->local, &nd);
	if (r != VSW_DROP_MAX) {
		trace_step(tb, m, false, "nd: ICMPv6 %s > %s, type %d, hop limit %u on VTEP %s",
			   ipf_s(a, true, ip + 8), ipf_s(b, true, ip + 24),
			   len > VXLAN_ETH_SIZE + VXLAN_IP6_SIZE ? ip[VXLAN_IP6_SIZE] : -1, ip[7],
			   v->name);
		if (memcmp(d + 6, v->local.mac, 6) == 0)
			trace_own(tb, v, m);
		trace_step(tb, m, true, "fate: drop %s (%s) %s", vsw_drop_names[r],
			   vsw_drop_help[r], at);
		return;
	}
	st = sim->state[nd.ours];
	verdict = nd_decide(d, &v->local, &nd, st);
	/* the address whose link-layer address the message tells, and that address */
	who = nd.type == ND_TYPE_NA ? nd.target : nd.src_ip;
	mac = nd.lladdr != NULL ? nd.lladdr : d + 6;
	if (nd.type == ND_TYPE_NA)
		trace_step(tb, m, false,
			   "nd: neighbour advertisement from %s: %s is at %s (%s%s%s) on VTEP %s",
			   ipf_s(a, true, nd.src_ip), ipf_s(b, true, nd.target), mac_s(ma, mac),
			   nd.flags & 0x80 ? "router " : "",
			   nd.flags & ND_NA_FLAG_S ? "solicited" : "unsolicited",
			   nd.flags & ND_NA_FLAG_O ? ", override" : "", v->name);
	else if (nd_ip6_is_unspecified(nd.src_ip))
		trace_step(tb, m, false,
			   "nd: duplicate address probe (neighbour solicitation from ::, mac %s) "
			   "for %s (%s, %s) on VTEP %s",
			   mac_s(ma, d + 6), ipf_s(b, true, nd.target), nd_which_s(nd.ours),
			   nd_addr_state_name(st), v->name);
	else
		trace_step(tb, m, false,
			   "nd: neighbour solicitation from %s (mac %s) for %s (%s) on VTEP %s",
			   ipf_s(a, true, nd.src_ip), mac_s(ma, mac), ipf_s(b, true, nd.target),
			   nd_which_s(nd.ours), v->name);
	switch (verdict) {
	case ND_V_OWN:
		trace_own(tb, v, m);
		trace_step(tb, m, true, "fate: drop %s (%s) %s: our own frame", vsw_drop_names[nfu],
			   vsw_drop_help[nfu], at);
		return;
	case ND_V_NOT_READY:
		trace_step(tb, m, true, "fate: drop %s (%s) %s: not answered: address %s",
			   vsw_drop_names[nfu], vsw_drop_help[nfu], at, nd_not_ready_s(st));
		return;
	case ND_V_PROBE_CONFLICT:
		/* as nd_conflict */
		sim->state[nd.ours] = ND_ADDR_DUPLICATE;
		trace_step(tb, m, false,
			   "nd: another node probes %s while this VTEP's own DAD runs: neither may "
			   "have it: marked duplicate (dad_conflict counted)",
			   ipf_s(b, true, nd.target));
		trace_step(tb, m, true, "fate: drop %s (%s) %s: address now duplicate",
			   vsw_drop_names[nfu], vsw_drop_help[nfu], at);
		return;
	case ND_V_CONFLICT:
		if (st == ND_ADDR_TENTATIVE) {
			sim->state[nd.ours] = ND_ADDR_DUPLICATE;
			trace_step(tb, m, false,
				   "nd: %s is %s, tentative: another node has it: marked duplicate "
				   "(dad_conflict counted)",
				   ipf_s(b, true, nd.target), nd_which_s(nd.ours));
		} else if (st == ND_ADDR_PREFERRED) {
			trace_step(
				tb, m, false,
				"nd: %s is %s, preferred: another node claims it: kept (RFC 4862 "
				"5.4.4), conflict counted (dad_conflict) and logged",
				ipf_s(b, true, nd.target), nd_which_s(nd.ours));
		} else {
			trace_step(tb, m, false,
				   "nd: %s is %s, already duplicate: conflict counted "
				   "(dad_conflict)",
				   ipf_s(b, true, nd.target), nd_which_s(nd.ours));
		}
		trace_step(tb, m, true, "fate: consumed by ND on VTEP %s (advertisement taken)",
			   v->name);
		return;
	case ND_V_LEARN:
		trace_nd_learn(tb, v, m, &nd, who, mac);
		trace_step(tb, m, true, "fate: consumed by ND on VTEP %s (advertisement taken)",
			   v->name);
		return;
	case ND_V_ANSWER:
		trace_nd_learn(tb, v, m, &nd, who, mac);
		trace_step(tb, m, true,
			   "fate: consumed by ND on VTEP %s: answered with a neighbour "
			   "advertisement to %s (mac %s) on %s",
			   v->name, ipf_s(a, true, nd.src_ip), mac_s(ma, mac), v->port->name);
		return;
	case ND_V_DEFEND:
		trace_step(tb, m, true,
			   "fate: consumed by ND on VTEP %s: address defended: answered with a "
			   "neighbour advertisement to all nodes (ff02::1) on %s",
			   v->name, v->port->name);
		return;
	}
}

void trace_decap(struct trace_burst *tb, struct dp *dp, const struct vtep *v,
		 const struct vtep_map *map, struct rte_mbuf *const *pkts, uint16_t n)
{
	const bool v6 = v->v6;
	struct nd_sim sim = {{0}, v->dad.query}; /* dad.query: this worker's own */

	(void)dp;
	for (unsigned int w = ND_ADDR; v6 && w <= ND_LL; w++)
		sim.state[w] = atomic_load_explicit(&v->dad.state[w], memory_order_relaxed);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
		uint32_t len = rte_pktmbuf_data_len(m);
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN], inner[256];
		struct port *tun = NULL;
		struct bridge *br;
		struct vxlan_rx rx;
		enum vsw_drop r;
		int k = 1;

		/* the dispatch vxlan_decap makes before vxlan_parse(6) */
		if (!v6 && len >= VXLAN_ETH_SIZE && vxlan_rd16(d + 12) == VXLAN_ETHERTYPE_ARP) {
			trace_step(tb, m, true, "fate: ARP for VTEP %s: to the VTEP's ARP handler",
				   v->name);
			continue;
		}
		if (v6 && nd_frame(d, len)) {
			trace_nd(tb, v, &sim, m, d, len);
			continue;
		}
		r = v6 ? vxlan_parse6(d, len, &v->local, &rx) : vxlan_parse(d, len, &v->local, &rx);
		if (r == VSW_DROP_MAX) {
			const uint8_t *ip = d + VXLAN_ETH_SIZE;
			const uint8_t *udp = ip + (v6 ? VXLAN_IP6_SIZE : (ip[0] & 0xfu) * 4);
			const void *src = v6 ? (const void *)rx.src_ip6 : (const void *)&rx.src_ip;

			k = v6 ? vtep_map_find6(map, rx.vni, rx.src_ip6, &tun)
			       : vtep_map_find(map, rx.vni, rx.src_ip, &tun);
			trace_step(tb, m, false,
				   "vxlan decap: outer %s > %s, udp %u > %u, vni %u, remote VTEP "
				   "%s%s on VTEP %s",
				   ipf_s(a, v6, ip + (v6 ? 8 : 12)),
				   ipf_s(b, v6, ip + (v6 ? 24 : 16)), vxlan_rd16(udp),
				   vxlan_rd16(udp + 2), rx.vni, ipf_s(c, v6, src),
				   k < 0    ? " (unknown VNI)"
				   : k == 0 ? " (not a remote of this VNI)"
					    : "",
				   v->name);
			if (k <= 0)
				r = k < 0 ? VSW_DROP_vxlan_unknown_vni
					  : VSW_DROP_vxlan_unknown_vtep;
		} else {
			decap_refused_s(inner, sizeof(inner), v, d, len);
			trace_step(tb, m, false, "vxlan decap: %s on VTEP %s", inner, v->name);
		}
		if (r != VSW_DROP_MAX) {
			trace_step(tb, m, true, "fate: drop %s (%s) at vxlan_decap",
				   vsw_drop_names[r], vsw_drop_help[r]);
			continue;
		}
		br = atomic_load_explicit(&tun->bridge, memory_order_acquire);
		capfmt_describe(inner, sizeof(inner), d + rx.inner_off, rx.inner_len);
		trace_step(tb, m, false, "tunnel port %s%s%s: inner %s", tun->name,
			   br != NULL ? " of bridge " : "", br != NULL ? br->name : "", inner);
	}
}
