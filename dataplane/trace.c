/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `vswctl trace --packet`: where would a frame described by its ingress port, MACs and
 * VLAN tag go? Answered by the control thread from the live configuration and MAC table
 * (fdb_lookup is the table's read side, safe beside the workers), with the same parser
 * and VLAN rules the workers use (eth_parse.h), and without sending anything or changing
 * any table: a source that would be learned is only said to be. Like ofproto/trace, it
 * follows the decisions of bridge_input (flow rules included: the bridge's live
 * classifier is asked about the frame), bridge_flood and port_tx in order. What it
 * cannot know is said: storm control depends on the rate.
 *
 * Also the workers' side of `vswctl trace` for the stages around bridge_input: the flow
 * rule a traced frame hit (trace_flow), its VXLAN decapsulation or why it died there
 * (trace_decap), and the encapsulation it gets on a tunnel port (trace_encap). These run
 * only in the traced copy of a stage (capture.h: a burst with traced frames), never for
 * other bursts, so they may be slow: each says what the stage will do or did by asking
 * the same read-side functions the stage calls (flow_classify_burst, vxlan_parse,
 * vtep_map_find) on the same immutable tables. The encapsulation is described when the
 * frame is queued on the tunnel port, from the tunnel state vxlan_encap reads when it
 * flushes that queue in the same worker loop.
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

static const char *ip_s(char *buf, const void *a);
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
	uint8_t frame[64] = {0};
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
	frame[off++] = 0x08;
	frame[off++] = 0x00;
	if (tp->ip) {
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
		char c[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];

		line(&o, "ip: %s > %s, protocol %u, ports %u > %u", ip_s(c, &tp->ip_src),
		     ip_s(d, &tp->ip_dst), tp->ip_proto, tp->l4_src, tp->l4_dst);
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

static const char *ip_s(char *buf, const void *a)
{
	return inet_ntop(AF_INET, a, buf, INET_ADDRSTRLEN) != NULL ? buf : "?";
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

void trace_encap(struct trace_burst *tb, const struct rte_mbuf *m, const struct port *out, int tag,
		 bool flood)
{
	const struct vxlan_tun *t = out->tun;
	const struct vtep *v = t->vtep;
	const uint8_t *ip = t->tmpl.hdr + VXLAN_ETH_SIZE, *udp = ip + VXLAN_IP_SIZE;
	uint64_t nh = atomic_load_explicit(&t->nh->mac, memory_order_relaxed);
	uint32_t len = m->pkt_len;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN];
	bool tagged = frame_is_tagged(m);
	uint8_t mac[6];

	if (tag == 1 && !tagged)
		len += 4;
	else if (tag == 0 && tagged)
		len -= 4;
	if (!(nh & VTEP_NEIGH_VALID)) {
		enum vsw_drop r = VSW_DROP_vxlan_no_neigh;

		trace_step(tb, m, !flood, "%sdrop %s (%s) at vxlan_encap on %s (next hop %s)",
			   flood ? "encap: copy to " : "fate: ", vsw_drop_names[r],
			   vsw_drop_help[r], out->name, ip_s(a, &t->nh->ip));
		return;
	}
	if (vxlan_mtu_needed(len) > v->mtu) {
		enum vsw_drop r = VSW_DROP_vxlan_mtu_exceeded;

		trace_step(tb, m, !flood, "%sdrop %s (%s) at vxlan_encap on %s (%u bytes > mtu %u)",
			   flood ? "encap: copy to " : "fate: ", vsw_drop_names[r],
			   vsw_drop_help[r], out->name, vxlan_mtu_needed(len), v->mtu);
		return;
	}
	vtep_mac_unpack(nh, mac);
	trace_step(
		tb, m, false,
		"encap: tunnel port %s: vni %u, outer %s > %s (remote VTEP), udp %u > %u, ttl "
		"%u, df, next hop %s mac %02x:%02x:%02x:%02x:%02x:%02x, underlay port %s, %u "
		"bytes",
		out->name, t->vni, ip_s(a, ip + 12), ip_s(b, ip + 16),
		vxlan_entropy_port(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m)),
		vxlan_rd16(udp + 2), ip[8], ip_s(c, &t->nh->ip), mac[0], mac[1], mac[2], mac[3],
		mac[4], mac[5], v->port->name, VXLAN_OUTER_SIZE + len);
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

void trace_decap(struct trace_burst *tb, struct dp *dp, const struct vtep *v,
		 const struct vtep_map *map, struct rte_mbuf *const *pkts, uint16_t n)
{
	(void)dp;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
		uint32_t len = rte_pktmbuf_data_len(m);
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN], inner[256];
		struct port *tun = NULL;
		struct bridge *br;
		struct vxlan_rx rx;
		enum vsw_drop r;
		int k = 1;

		if (len >= VXLAN_ETH_SIZE && vxlan_rd16(d + 12) == VXLAN_ETHERTYPE_ARP) {
			trace_step(tb, m, true, "fate: ARP for VTEP %s: to the VTEP's ARP handler",
				   v->name);
			continue;
		}
		r = vxlan_parse(d, len, &v->local, &rx);
		if (r == VSW_DROP_MAX) {
			const uint8_t *ip = d + VXLAN_ETH_SIZE;
			const uint8_t *udp = ip + (ip[0] & 0xfu) * 4;

			k = vtep_map_find(map, rx.vni, rx.src_ip, &tun);
			trace_step(
				tb, m, false,
				"vxlan decap: outer %s > %s, udp %u > %u, vni %u, remote VTEP %s%s "
				"on VTEP %s",
				ip_s(a, ip + 12), ip_s(b, ip + 16), vxlan_rd16(udp),
				vxlan_rd16(udp + 2), rx.vni, ip_s(c, &rx.src_ip),
				k < 0	 ? " (unknown VNI)"
				: k == 0 ? " (not a remote of this VNI)"
					 : "",
				v->name);
			if (k <= 0)
				r = k < 0 ? VSW_DROP_vxlan_unknown_vni
					  : VSW_DROP_vxlan_unknown_vtep;
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
