/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The topology model's plain helpers: names, defaults, lookups, equality and freeing.
 * Equality is what the controller's diff will stand on, so it compares meaning (every
 * field, options in key order) and never where an object was written.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "topo_internal.h"

const char *const topo_port_type_names[TOPO_PORT_TYPE_MAX] = {
	[TOPO_PORT_PCAP] = "pcap", [TOPO_PORT_NULL] = "null",
	[TOPO_PORT_RING] = "ring", [TOPO_PORT_AF_PACKET] = "af_packet",
	[TOPO_PORT_TAP] = "tap",   [TOPO_PORT_VHOST_USER] = "vhost-user",
};

const char *const topo_action_names[TOPO_ACT_MAX] = {
	[TOPO_ACT_DROP] = "drop",	    [TOPO_ACT_OUTPUT] = "output",
	[TOPO_ACT_FLOOD] = "flood",	    [TOPO_ACT_NORMAL] = "normal",
	[TOPO_ACT_PUSH_VLAN] = "push_vlan", [TOPO_ACT_POP_VLAN] = "pop_vlan",
	[TOPO_ACT_SET_VLAN] = "set_vlan",   [TOPO_ACT_MIRROR] = "mirror",
	[TOPO_ACT_COUNT] = "count",
};

const char *const topo_match_names[TOPO_M_MAX] = {
	[TOPO_M_IN_PORT] = "in_port", [TOPO_M_VLAN] = "vlan",	      [TOPO_M_ETH_SRC] = "eth_src",
	[TOPO_M_ETH_DST] = "eth_dst", [TOPO_M_ETH_TYPE] = "eth_type", [TOPO_M_IP_SRC] = "ip_src",
	[TOPO_M_IP_DST] = "ip_dst",   [TOPO_M_IP_PROTO] = "ip_proto", [TOPO_M_L4_SRC] = "l4_src",
	[TOPO_M_L4_DST] = "l4_dst",   [TOPO_M_VNI] = "vni",
};

/* Mirrors port_opts in dataplane/ctl_handlers.c: a file that passes here is one the
 * dataplane accepts, and the errors come before anything is applied. */
const struct topo_opt_spec topo_opt_specs[] = {
	{TOPO_PORT_PCAP, "rx_pcap", OPT_PATH, false, 0, 0, NULL, "a pcap file to read"},
	{TOPO_PORT_PCAP, "tx_pcap", OPT_PATH, false, 0, 0, NULL, "a pcap file to write"},
	{TOPO_PORT_PCAP, "rx_iface", OPT_IFACE, false, 0, 0, NULL, "an interface name"},
	{TOPO_PORT_PCAP, "rx_iface_in", OPT_IFACE, false, 0, 0, NULL, "an interface name"},
	{TOPO_PORT_PCAP, "tx_iface", OPT_IFACE, false, 0, 0, NULL, "an interface name"},
	{TOPO_PORT_PCAP, "infinite_rx", OPT_BOOL, false, 0, 0, "false", "true or false"},
	{TOPO_PORT_NULL, "rx", OPT_BOOL, false, 0, 0, "false", "true or false"},
	{TOPO_PORT_NULL, "size", OPT_UINT, false, 14, 9216, NULL, NULL},
	{TOPO_PORT_NULL, "queues", OPT_UINT, false, 1, 16, "1", NULL},
	{TOPO_PORT_AF_PACKET, "iface", OPT_IFACE, true, 0, 0, NULL, "an interface name"},
	{TOPO_PORT_AF_PACKET, "qpairs", OPT_UINT, false, 1, 16, "1", NULL},
	{TOPO_PORT_TAP, "iface", OPT_IFACE, false, 0, 0, NULL, "an interface name"},
	{TOPO_PORT_TAP, "queues", OPT_UINT, false, 1, 16, "1", NULL},
	{TOPO_PORT_VHOST_USER, "socket", OPT_PATH, true, 0, 0, NULL, "a socket path"},
	{TOPO_PORT_VHOST_USER, "mode", OPT_MODE, false, 0, 0, "server", "server or client"},
	{TOPO_PORT_VHOST_USER, "queues", OPT_UINT, false, 1, 16, "1", NULL},
};
const size_t topo_n_opt_specs = sizeof(topo_opt_specs) / sizeof(topo_opt_specs[0]);

const struct topo_opt_spec *topo_opt_spec_find(enum topo_port_type type, const char *key)
{
	for (size_t i = 0; i < topo_n_opt_specs; i++) {
		if (topo_opt_specs[i].type == type && strcmp(topo_opt_specs[i].key, key) == 0)
			return &topo_opt_specs[i];
	}
	return NULL;
}

struct topo *topo_new(void)
{
	struct topo *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->version = TOPO_VERSION;
	t->dataplane.memory_mb = TOPO_DEF_MEMORY_MB;
	t->dataplane.mbufs = TOPO_DEF_MBUFS;
	t->dataplane.idle_sleep_max_us = TOPO_DEF_IDLE_SLEEP_US;
	t->dataplane.huge = TOPO_HUGE_AUTO;
	snprintf(t->overlay.name, sizeof(t->overlay.name), "%s", TOPO_DEF_VTEP_NAME);
	t->overlay.udp_port = TOPO_DEF_UDP_PORT;
	t->overlay.prefix_len = TOPO_DEF_PREFIX_LEN;
	t->overlay.mtu = TOPO_DEF_UNDERLAY_MTU;
	t->overlay.ttl = TOPO_DEF_TTL;
	return t;
}

void topo_free(struct topo *t)
{
	if (t == NULL)
		return;
	free(t->ports);
	for (size_t i = 0; i < t->n_bridges; i++) {
		free(t->bridges[i].ports);
		free(t->bridges[i].static_macs);
		free(t->bridges[i].remotes);
		free(t->bridges[i].tunnels);
	}
	free(t->bridges);
	free(t->overlay.remotes);
	free(t->overlay.neighbours);
	free(t->flows);
	free(t);
}

const struct topo_port *topo_port_find(const struct topo *t, const char *name)
{
	for (size_t i = 0; i < t->n_ports; i++) {
		if (strcmp(t->ports[i].name, name) == 0)
			return &t->ports[i];
	}
	return NULL;
}

const struct topo_bridge *topo_bridge_find(const struct topo *t, const char *name)
{
	for (size_t i = 0; i < t->n_bridges; i++) {
		if (strcmp(t->bridges[i].name, name) == 0)
			return &t->bridges[i];
	}
	return NULL;
}

const struct topo_bridge *topo_port_bridge(const struct topo *t, const char *port)
{
	for (size_t i = 0; i < t->n_bridges; i++) {
		for (size_t j = 0; j < t->bridges[i].n_ports; j++) {
			if (strcmp(t->bridges[i].ports[j].port, port) == 0)
				return &t->bridges[i];
		}
	}
	return NULL;
}

void topo_ip_format(const struct topo_ip *ip, bool with_prefix, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned int full = ip->family == 6 ? 128 : 32;

	if (ip->family == 4 || ip->family == 6)
		inet_ntop(ip->family == 6 ? AF_INET6 : AF_INET, ip->addr, a, sizeof(a));
	if (with_prefix && ip->prefix < full)
		snprintf(buf, size, "%s/%u", a, ip->prefix);
	else
		snprintf(buf, size, "%s", a);
}

static bool ip_equal(const struct topo_ip *a, const struct topo_ip *b)
{
	return a->family == b->family && a->prefix == b->prefix &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

const struct topo_remote *topo_bridge_remotes(const struct topo *t, const struct topo_bridge *b,
					      size_t *n)
{
	if (b->vni == 0) {
		*n = 0;
		return NULL;
	}
	if (b->has_remotes) {
		*n = b->n_remotes;
		return b->remotes;
	}
	*n = t->overlay.n_remotes;
	return t->overlay.remotes;
}

uint32_t topo_overlay_overhead(const struct topo_overlay *ov)
{
	return ov->local_ip.family == 6 ? TOPO_VXLAN6_OVERHEAD : TOPO_VXLAN_OVERHEAD;
}

uint8_t topo_overlay_default_prefix(const struct topo_overlay *ov)
{
	return ov->local_ip.family == 6 ? TOPO_DEF_PREFIX_LEN6 : TOPO_DEF_PREFIX_LEN;
}

uint32_t topo_bridge_mtu(const struct topo *t, const struct topo_bridge *b)
{
	uint32_t oh = topo_overlay_overhead(&t->overlay);

	if (b->mtu != 0)
		return b->mtu;
	return t->overlay.mtu > oh ? t->overlay.mtu - oh : 0;
}

uint16_t topo_bridge_vni_vlan(const struct topo_bridge *b)
{
	return b->vni_vlan != 0 ? b->vni_vlan : 1;
}

void topo_tunnel_name(const struct topo_bridge *b, const struct topo_ip *ip, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < b->n_tunnels; i++) {
		const struct topo_tunnel *tn = &b->tunnels[i];

		if (tn->remote.family == ip->family &&
		    memcmp(tn->remote.addr, ip->addr, sizeof(ip->addr)) == 0) {
			snprintf(buf, size, "%s", tn->port);
			return;
		}
	}
	/* the dataplane's default: an IPv6 remote with '_' for ':' (names hold no ':') */
	topo_ip_format(ip, false, a, sizeof(a));
	for (char *c = a; *c != '\0'; c++)
		if (*c == ':')
			*c = '_';
	if (snprintf(buf, size, "vx%u-%s", b->vni, a) < TOPO_NAME_MAX)
		return;
	/* too long for a port name: the dataplane wants one given, so make a short one */
	{
		uint32_t h = 2166136261u;

		for (size_t i = 0; i < sizeof(ip->addr); i++)
			h = (h ^ ip->addr[i]) * 16777619u;
		snprintf(buf, size, "vx%u-%08x", b->vni, h);
	}
}

bool topo_record_equal(const struct topo_record *a, const struct topo_record *b)
{
	if (a->present != b->present)
		return false;
	if (!a->present)
		return true;
	return strcmp(a->file, b->file) == 0 && a->max_size_kb == b->max_size_kb &&
	       (a->max_size_kb == 0 || a->max_files == b->max_files) &&
	       strcmp(a->filter, b->filter) == 0 && a->snaplen == b->snaplen &&
	       a->format == b->format;
}

static bool remotes_equal(const struct topo_remote *a, size_t na, const struct topo_remote *b,
			  size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!ip_equal(&a[i].ip, &b[i].ip))
			return false;
	return true;
}

bool topo_port_equal(const struct topo_port *a, const struct topo_port *b)
{
	if (strcmp(a->name, b->name) != 0 || a->type != b->type || a->n_opts != b->n_opts ||
	    a->storm_pps != b->storm_pps || a->storm_burst != b->storm_burst ||
	    a->max_macs != b->max_macs)
		return false;
	for (size_t i = 0; i < a->n_opts; i++) {
		const struct topo_port_opt *x = &a->opts[i], *y = &b->opts[i];

		if (strcmp(x->key, y->key) != 0 || x->kind != y->kind)
			return false;
		if ((x->kind == TOPO_OPT_STRING && strcmp(x->str, y->str) != 0) ||
		    (x->kind == TOPO_OPT_BOOL && x->b != y->b) ||
		    (x->kind == TOPO_OPT_UINT && x->u != y->u))
			return false;
	}
	return true;
}

static bool bridge_port_equal(const struct topo_bridge_port *a, const struct topo_bridge_port *b)
{
	if (strcmp(a->port, b->port) != 0 || a->mode != b->mode)
		return false;
	if (a->mode == TOPO_VLAN_ACCESS)
		return a->vlan == b->vlan;
	return a->native == b->native && memcmp(a->trunk, b->trunk, sizeof(a->trunk)) == 0;
}

bool topo_bridge_equal(const struct topo_bridge *a, const struct topo_bridge *b)
{
	if (strcmp(a->name, b->name) != 0 || a->vni != b->vni || a->mac_aging_s != b->mac_aging_s ||
	    a->max_macs != b->max_macs || a->move_damp != b->move_damp ||
	    a->move_damp_s != b->move_damp_s || a->n_ports != b->n_ports ||
	    a->n_static_macs != b->n_static_macs ||
	    topo_bridge_vni_vlan(a) != topo_bridge_vni_vlan(b) ||
	    a->remote_max_macs != b->remote_max_macs || a->mtu != b->mtu ||
	    a->has_remotes != b->has_remotes ||
	    !remotes_equal(a->remotes, a->n_remotes, b->remotes, b->n_remotes) ||
	    !topo_record_equal(&a->record, &b->record))
		return false;
	for (size_t i = 0; i < a->n_ports; i++) {
		if (!bridge_port_equal(&a->ports[i], &b->ports[i]))
			return false;
	}
	for (size_t i = 0; i < a->n_static_macs; i++) {
		const struct topo_static_mac *x = &a->static_macs[i], *y = &b->static_macs[i];

		if (memcmp(x->mac, y->mac, 6) != 0 || strcmp(x->port, y->port) != 0 ||
		    x->vlan != y->vlan || !ip_equal(&x->remote, &y->remote))
			return false;
	}
	return true;
}

static bool match_equal(const struct topo_match *a, const struct topo_match *b)
{
	uint32_t f = a->fields;

	if (a->fields != b->fields)
		return false;
	if ((f & TOPO_M_BIT(TOPO_M_IN_PORT)) && strcmp(a->in_port, b->in_port) != 0)
		return false;
	if ((f & TOPO_M_BIT(TOPO_M_VLAN)) && a->vlan != b->vlan)
		return false;
	if ((f & TOPO_M_BIT(TOPO_M_ETH_SRC)) &&
	    (memcmp(a->eth_src, b->eth_src, 6) != 0 || memcmp(a->eth_src_mask, b->eth_src_mask, 6)))
		return false;
	if ((f & TOPO_M_BIT(TOPO_M_ETH_DST)) &&
	    (memcmp(a->eth_dst, b->eth_dst, 6) != 0 || memcmp(a->eth_dst_mask, b->eth_dst_mask, 6)))
		return false;
	if ((f & TOPO_M_BIT(TOPO_M_ETH_TYPE)) && a->eth_type != b->eth_type)
		return false;
	if ((f & TOPO_M_BIT(TOPO_M_IP_SRC)) && !ip_equal(&a->ip_src, &b->ip_src))
		return false;
	if ((f & TOPO_M_BIT(TOPO_M_IP_DST)) && !ip_equal(&a->ip_dst, &b->ip_dst))
		return false;
	if ((f & TOPO_M_BIT(TOPO_M_IP_PROTO)) && a->ip_proto != b->ip_proto)
		return false;
	if ((f & TOPO_M_BIT(TOPO_M_L4_SRC)) && a->l4_src != b->l4_src)
		return false;
	if ((f & TOPO_M_BIT(TOPO_M_L4_DST)) && a->l4_dst != b->l4_dst)
		return false;
	if ((f & TOPO_M_BIT(TOPO_M_VNI)) && a->vni != b->vni)
		return false;
	return true;
}

bool topo_flow_same_key(const struct topo_flow *a, const struct topo_flow *b)
{
	return strcmp(a->bridge, b->bridge) == 0 && a->priority == b->priority &&
	       match_equal(&a->match, &b->match);
}

bool topo_flow_equal(const struct topo_flow *a, const struct topo_flow *b)
{
	if (strcmp(a->name, b->name) != 0 || !topo_flow_same_key(a, b) ||
	    a->n_actions != b->n_actions)
		return false;
	for (size_t i = 0; i < a->n_actions; i++) {
		const struct topo_action *x = &a->actions[i], *y = &b->actions[i];

		if (x->type != y->type || strcmp(x->port, y->port) != 0 || x->vlan != y->vlan)
			return false;
	}
	return true;
}

bool topo_equal(const struct topo *a, const struct topo *b)
{
	const struct topo_dataplane *x = &a->dataplane, *y = &b->dataplane;

	if (a->version != b->version || x->n_workers != y->n_workers ||
	    memcmp(x->workers, y->workers, x->n_workers * sizeof(x->workers[0])) != 0 ||
	    x->control_cpu != y->control_cpu || x->memory_mb != y->memory_mb ||
	    x->mbufs != y->mbufs || x->idle_sleep_max_us != y->idle_sleep_max_us ||
	    x->huge != y->huge)
		return false;
	if (a->n_ports != b->n_ports || a->n_bridges != b->n_bridges || a->n_flows != b->n_flows)
		return false;
	for (size_t i = 0; i < a->n_ports; i++) {
		if (!topo_port_equal(&a->ports[i], &b->ports[i]))
			return false;
	}
	for (size_t i = 0; i < a->n_bridges; i++) {
		if (!topo_bridge_equal(&a->bridges[i], &b->bridges[i]))
			return false;
	}
	for (size_t i = 0; i < a->n_flows; i++) {
		if (!topo_flow_equal(&a->flows[i], &b->flows[i]))
			return false;
	}
	if (a->overlay.present != b->overlay.present)
		return false;
	if (!a->overlay.present)
		return true;
	if (!ip_equal(&a->overlay.local_ip, &b->overlay.local_ip) ||
	    strcmp(a->overlay.name, b->overlay.name) != 0 ||
	    strcmp(a->overlay.port, b->overlay.port) != 0 ||
	    a->overlay.udp_port != b->overlay.udp_port ||
	    a->overlay.prefix_len != b->overlay.prefix_len ||
	    !ip_equal(&a->overlay.gateway, &b->overlay.gateway) ||
	    a->overlay.mtu != b->overlay.mtu || a->overlay.ttl != b->overlay.ttl ||
	    a->overlay.n_neighbours != b->overlay.n_neighbours ||
	    !remotes_equal(a->overlay.remotes, a->overlay.n_remotes, b->overlay.remotes,
			   b->overlay.n_remotes))
		return false;
	for (size_t i = 0; i < a->overlay.n_neighbours; i++) {
		const struct topo_neigh *x = &a->overlay.neighbours[i],
					*y = &b->overlay.neighbours[i];

		if (!ip_equal(&x->ip, &y->ip) || memcmp(x->mac, y->mac, 6) != 0)
			return false;
	}
	return true;
}
