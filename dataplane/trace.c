/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `vswctl trace --packet`: where would a frame described by its ingress port, MACs and
 * VLAN tag go? Answered by the control thread from the live configuration and MAC table
 * (fdb_lookup is the table's read side, safe beside the workers), with the same parser
 * and VLAN rules the workers use (eth_parse.h), and without sending anything or changing
 * any table: a source that would be learned is only said to be. Like ofproto/trace, it
 * follows the decisions of bridge_input, bridge_flood and port_tx in order. What it
 * cannot know is said: flow rules are not simulated, storm control depends on the rate.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capture_ctl.h"
#include "dp.h"

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
	frame[off] = 0x00;
	line(&o, "frame: %s > %s, %s%.0u on port %s (simulated: nothing is sent or learned)",
	     mac_s(a, tp->src), mac_s(b, tp->dst), tp->vlan ? "802.1Q vlan " : "untagged", tp->vlan,
	     in->name);

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
	if (atomic_load(&br->flows) != NULL)
		line(&o, "flow rules: the bridge has some; they are not simulated here (trace live "
			 "frames with vswctl trace PORT)");

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
