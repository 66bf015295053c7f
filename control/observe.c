/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What runs, in the desired state's own terms: port-list, bridge-list and each bridge's
 * static fdb-show entries turned into a struct topo, normalised as the loader normalises
 * a file (options sorted, options at their default dropped, objects sorted by name). With
 * both sides in one model, reconcile.c compares like with like and `vswctl export` writes
 * the same bytes for the same running state whatever order it was built in. Flow rules
 * come from flow-dump per bridge, each with the id the dataplane gave it (CTRL_FLOW_ID), so
 * that unnamed rules can be changed and deleted; recordings from record-list, each with
 * its id and whether it still runs. Also here: refusing topologies that use what this
 * dataplane cannot do (flow tables, overlay, recordings), so that a file is never half
 * understood.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl.h"
#include "topo_internal.h"
#include "vsw_util.h"

static int fail(char *err, size_t errsz, const char *what, const char *field)
{
	snprintf(err, errsz, "dataplane reply: %s has no valid \"%s\"", what, field);
	return -EPROTO;
}

static int get_u32(json_t *o, const char *key, uint32_t *v)
{
	json_t *x = json_object_get(o, key);

	if (!json_is_integer(x) || json_integer_value(x) < 0 ||
	    json_integer_value(x) > (json_int_t)UINT32_MAX)
		return -EPROTO;
	*v = (uint32_t)json_integer_value(x);
	return 0;
}

static int get_name(json_t *o, const char *key, char out[TOPO_NAME_MAX])
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s == NULL || strlen(s) >= TOPO_NAME_MAX)
		return -EPROTO;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int opt_cmp(const void *a, const void *b)
{
	return strcmp(((const struct topo_port_opt *)a)->key,
		      ((const struct topo_port_opt *)b)->key);
}

/* Is this option value the one the model leaves out (the type's default)? */
static bool opt_is_default(enum topo_port_type type, const struct topo_port_opt *o)
{
	const struct topo_opt_spec *s = topo_opt_spec_find(type, o->key);
	char buf[16];

	if (s == NULL || s->def == NULL)
		return false;
	if (o->kind == TOPO_OPT_BOOL)
		return strcmp(s->def, o->b ? "true" : "false") == 0;
	if (o->kind == TOPO_OPT_UINT) {
		snprintf(buf, sizeof(buf), "%u", o->u);
		return strcmp(s->def, buf) == 0;
	}
	return strcmp(s->def, o->str) == 0;
}

static int port_from_json(json_t *j, struct topo_port *p, char *err, size_t errsz)
{
	const char *type = json_string_value(json_object_get(j, "type"));
	json_t *opts = json_object_get(j, "options"), *v;
	const char *key;
	int t;

	memset(p, 0, sizeof(*p));
	if (get_name(j, "name", p->name) < 0)
		return fail(err, errsz, "a port", "name");
	for (t = 0; type != NULL && t < TOPO_PORT_TYPE_MAX; t++)
		if (strcmp(topo_port_type_names[t], type) == 0)
			break;
	if (type == NULL || t == TOPO_PORT_TYPE_MAX)
		return fail(err, errsz, p->name, "type");
	p->type = (enum topo_port_type)t;
	if (get_u32(j, "storm_pps", &p->storm_pps) < 0 ||
	    get_u32(j, "storm_burst", &p->storm_burst) < 0 ||
	    get_u32(j, "max_macs", &p->max_macs) < 0)
		return fail(err, errsz, p->name, "storm_pps, storm_burst or max_macs");
	if (opts != NULL && !json_is_object(opts))
		return fail(err, errsz, p->name, "options");
	json_object_foreach(opts, key, v) {
		struct topo_port_opt *o = &p->opts[p->n_opts];

		if (p->n_opts == TOPO_PORT_OPT_MAX || strlen(key) >= sizeof(o->key))
			return fail(err, errsz, p->name, "options");
		memset(o, 0, sizeof(*o));
		snprintf(o->key, sizeof(o->key), "%s", key);
		if (json_is_boolean(v)) {
			o->kind = TOPO_OPT_BOOL;
			o->b = json_is_true(v);
		} else if (json_is_integer(v) && json_integer_value(v) >= 0 &&
			   json_integer_value(v) <= (json_int_t)UINT32_MAX) {
			o->kind = TOPO_OPT_UINT;
			o->u = (uint32_t)json_integer_value(v);
		} else if (json_is_string(v) && json_string_length(v) < sizeof(o->str)) {
			o->kind = TOPO_OPT_STRING;
			snprintf(o->str, sizeof(o->str), "%s", json_string_value(v));
		} else {
			return fail(err, errsz, p->name, key);
		}
		if (!opt_is_default(p->type, o))
			p->n_opts++;
	}
	if (p->n_opts > 0)
		qsort(p->opts, p->n_opts, sizeof(p->opts[0]), opt_cmp);
	return 0;
}

static int trunk_from_json(json_t *a, uint8_t bitmap[TOPO_VLAN_BITMAP_SIZE])
{
	json_t *v;
	size_t i;

	memset(bitmap, 0, TOPO_VLAN_BITMAP_SIZE);
	if (!json_is_array(a))
		return -EPROTO;
	json_array_foreach(a, i, v) {
		unsigned int lo, hi;
		char tail;

		if (json_is_integer(v)) {
			lo = hi = (unsigned int)json_integer_value(v);
			if (json_integer_value(v) < 1 || json_integer_value(v) > TOPO_VLAN_MAX)
				return -EPROTO;
		} else if (json_is_string(v) &&
			   sscanf(json_string_value(v), "%u-%u%c", &lo, &hi, &tail) == 2) {
			if (lo < 1 || hi > TOPO_VLAN_MAX || lo > hi)
				return -EPROTO;
		} else {
			return -EPROTO;
		}
		for (unsigned int x = lo; x <= hi; x++)
			vsw_vlan_bit_set(bitmap, x);
	}
	return 0;
}

static int name_cmp_port(const void *a, const void *b)
{
	return strcmp(((const struct topo_port *)a)->name, ((const struct topo_port *)b)->name);
}

static int name_cmp_bridge(const void *a, const void *b)
{
	return strcmp(((const struct topo_bridge *)a)->name, ((const struct topo_bridge *)b)->name);
}

static int name_cmp_bport(const void *a, const void *b)
{
	return strcmp(((const struct topo_bridge_port *)a)->port,
		      ((const struct topo_bridge_port *)b)->port);
}

static int static_cmp(const void *a, const void *b)
{
	const struct topo_static_mac *x = a, *y = b;

	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

/* A port's attachment into its bridge's port list. */
static int attach_from_json(struct topo *t, json_t *j, const char *port, char *err, size_t errsz)
{
	const char *bridge = json_string_value(json_object_get(j, "bridge"));
	const char *mode = json_string_value(json_object_get(j, "vlan_mode"));
	struct topo_bridge_port *bp, *v;
	struct topo_bridge *b = NULL;
	uint32_t x;

	if (bridge == NULL || mode == NULL)
		return fail(err, errsz, port, "bridge or vlan_mode");
	if (bridge[0] == '\0' || strcmp(mode, "none") == 0)
		return 0;
	for (size_t i = 0; i < t->n_bridges && b == NULL; i++)
		if (strcmp(t->bridges[i].name, bridge) == 0)
			b = &t->bridges[i];
	if (b == NULL) {
		snprintf(err, errsz,
			 "dataplane reply: port %s is in bridge %s, which bridge-list "
			 "does not list (changed meanwhile?)",
			 port, bridge);
		return -EAGAIN;
	}
	v = realloc(b->ports, (b->n_ports + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	b->ports = v;
	bp = &v[b->n_ports];
	memset(bp, 0, sizeof(*bp));
	snprintf(bp->port, sizeof(bp->port), "%s", port);
	if (strcmp(mode, "access") == 0) {
		bp->mode = TOPO_VLAN_ACCESS;
		if (get_u32(j, "vlan", &x) < 0 || x < 1 || x > TOPO_VLAN_MAX)
			return fail(err, errsz, port, "vlan");
		bp->vlan = (uint16_t)x;
	} else if (strcmp(mode, "trunk") == 0) {
		bp->mode = TOPO_VLAN_TRUNK;
		if (trunk_from_json(json_object_get(j, "trunk"), bp->trunk) < 0)
			return fail(err, errsz, port, "trunk");
		if (get_u32(j, "native", &x) < 0 || x > TOPO_VLAN_MAX)
			return fail(err, errsz, port, "native");
		bp->native = (uint16_t)x;
	} else {
		return fail(err, errsz, port, "vlan_mode");
	}
	b->n_ports++;
	return 0;
}

static int ip_from_json(json_t *v, struct topo_ip *ip);
static int host_from_json(json_t *v, struct topo_ip *ip);

static int statics_from_json(struct topo_bridge *b, json_t *fdb, char *err, size_t errsz)
{
	json_t *e;
	size_t i;

	if (!json_is_array(fdb))
		return fail(err, errsz, b->name, "fdb-show result");
	json_array_foreach(fdb, i, e) {
		const char *type = json_string_value(json_object_get(e, "type"));
		const char *mac = json_string_value(json_object_get(e, "mac"));
		struct topo_static_mac *m, *v;
		uint32_t vlan;

		if (type == NULL || strcmp(type, "static") != 0)
			continue;
		v = realloc(b->static_macs, (b->n_static_macs + 1) * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		b->static_macs = v;
		m = &v[b->n_static_macs];
		memset(m, 0, sizeof(*m));
		if (mac == NULL || vsw_mac_parse(mac, m->mac) < 0)
			return fail(err, errsz, b->name, "mac");
		if (get_u32(e, "vlan", &vlan) < 0 || vlan < 1 || vlan > TOPO_VLAN_MAX)
			return fail(err, errsz, b->name, "vlan");
		m->vlan = (uint16_t)vlan;
		if (json_object_get(e, "remote_vtep") != NULL) {
			/* on a tunnel port: the model names the remote, not the port */
			if (host_from_json(json_object_get(e, "remote_vtep"), &m->remote) < 0)
				return fail(err, errsz, b->name, "remote_vtep");
		} else if (get_name(e, "port", m->port) < 0) {
			return fail(err, errsz, b->name, "port");
		}
		b->n_static_macs++;
	}
	return 0;
}

struct topo *observe_from_json(json_t *ports, json_t *bridges, json_t *fdbs, char *err,
			       size_t errsz)
{
	struct topo *t = topo_new();
	json_t *j;
	size_t i;
	int rc = -ENOMEM;

	if (t == NULL)
		goto out_nomem;
	if (!json_is_array(ports) || !json_is_array(bridges)) {
		rc = fail(err, errsz, "port-list or bridge-list", "result");
		goto out_free;
	}
	t->bridges = calloc(json_array_size(bridges) + 1, sizeof(*t->bridges));
	t->ports = calloc(json_array_size(ports) + 1, sizeof(*t->ports));
	if (t->bridges == NULL || t->ports == NULL)
		goto out_nomem;
	json_array_foreach(bridges, i, j) {
		struct topo_bridge *b = &t->bridges[t->n_bridges];

		if (get_name(j, "name", b->name) < 0) {
			rc = fail(err, errsz, "a bridge", "name");
			goto out_free;
		}
		t->n_bridges++;
		/* a dataplane without the overlay has neither field: 0, as the model's default */
		if ((json_object_get(j, "vni") != NULL && get_u32(j, "vni", &b->vni) < 0) ||
		    (json_object_get(j, "remote_max_macs") != NULL &&
		     get_u32(j, "remote_max_macs", &b->remote_max_macs) < 0) ||
		    b->vni > TOPO_VNI_MAX) {
			rc = fail(err, errsz, b->name, "vni or remote_max_macs");
			goto out_free;
		}
		if (get_u32(j, "mac_aging_s", &b->mac_aging_s) < 0 ||
		    get_u32(j, "max_macs", &b->max_macs) < 0 ||
		    get_u32(j, "move_damp", &b->move_damp) < 0 ||
		    get_u32(j, "move_damp_s", &b->move_damp_s) < 0) {
			rc = fail(err, errsz, b->name, "mac_aging_s, max_macs or move_damp");
			goto out_free;
		}
		if (fdbs != NULL) {
			rc = statics_from_json(b, json_object_get(fdbs, b->name), err, errsz);
			if (rc < 0)
				goto out_free;
			if (b->n_static_macs > 0)
				qsort(b->static_macs, b->n_static_macs, sizeof(b->static_macs[0]),
				      static_cmp);
		}
	}
	json_array_foreach(ports, i, j) {
		/* a tunnel port is a remote VTEP (vtep-list), not a port of the topology */
		if (strcmp(json_string_value(json_object_get(j, "type")) ?: "", "vxlan") == 0)
			continue;
		rc = port_from_json(j, &t->ports[t->n_ports], err, errsz);
		if (rc < 0)
			goto out_free;
		t->n_ports++;
		rc = attach_from_json(t, j, t->ports[t->n_ports - 1].name, err, errsz);
		if (rc < 0)
			goto out_free;
	}
	qsort(t->ports, t->n_ports, sizeof(t->ports[0]), name_cmp_port);
	for (i = 0; i < t->n_bridges; i++)
		if (t->bridges[i].n_ports > 0)
			qsort(t->bridges[i].ports, t->bridges[i].n_ports,
			      sizeof(t->bridges[i].ports[0]), name_cmp_bport);
	qsort(t->bridges, t->n_bridges, sizeof(t->bridges[0]), name_cmp_bridge);
	return t;

out_nomem:
	snprintf(err, errsz, "out of memory");
out_free:
	topo_free(t);
	errno = -rc;
	return NULL;
}

/* ---- flow rules (flow-dump) ---- */

int ctrl_ip_parse(const char *s, struct topo_ip *ip)
{
	char addr[64], *slash;
	unsigned int len;
	char tail;

	if (strlen(s) >= sizeof(addr))
		return -EINVAL;
	snprintf(addr, sizeof(addr), "%s", s);
	memset(ip, 0, sizeof(*ip));
	ip->family = strchr(addr, ':') != NULL ? 6 : 4;
	len = ip->family == 4 ? 32 : 128;
	slash = strchr(addr, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (sscanf(slash + 1, "%u%c", &len, &tail) != 1 ||
		    len > (ip->family == 4 ? 32u : 128u))
			return -EINVAL;
	}
	if (inet_pton(ip->family == 4 ? AF_INET : AF_INET6, addr, ip->addr) != 1)
		return -EINVAL;
	ip->prefix = (uint8_t)len;
	return 0;
}

int ctrl_mac_masked_parse(const char *s, uint8_t mac[6], uint8_t mask[6])
{
	char buf[40], *slash;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	memset(mask, 0xff, 6);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (vsw_mac_parse(slash + 1, mask) < 0)
			return -EINVAL;
	}
	return vsw_mac_parse(buf, mac);
}

static int ip_from_json(json_t *v, struct topo_ip *ip)
{
	const char *s = json_string_value(v);

	return s == NULL || ctrl_ip_parse(s, ip) < 0 ? -EPROTO : 0;
}

/* A host address, IPv4 or IPv6, as the overlay's replies give them ("2001:2::1" and
 * "2001:2:0::1" read the same: the model holds bytes, never text). */
static int host_from_json(json_t *v, struct topo_ip *ip)
{
	if (ip_from_json(v, ip) < 0 || ip->prefix != (ip->family == 6 ? 128 : 32))
		return -EPROTO;
	return 0;
}

static int mac_from_json(json_t *v, uint8_t mac[6], uint8_t mask[6])
{
	const char *s = json_string_value(v);

	return s == NULL || ctrl_mac_masked_parse(s, mac, mask) < 0 ? -EPROTO : 0;
}

/* An integer in 0..max, or one of the names the dataplane writes for it. */
static int sym_from_json(json_t *v, const char *const *names, const unsigned int *vals,
			 unsigned int max, unsigned int *out)
{
	const char *s = json_string_value(v);

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0 || json_integer_value(v) > max)
			return -EPROTO;
		*out = (unsigned int)json_integer_value(v);
		return 0;
	}
	for (size_t i = 0; s != NULL && names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = vals[i];
			return 0;
		}
	return -EPROTO;
}

static int match_from_json(json_t *j, struct topo_match *m)
{
	static const char *const et_names[] = {"ipv4", "arp", "ipv6", "lldp", "vlan", NULL};
	static const unsigned int et_vals[] = {TOPO_ETH_IPV4, TOPO_ETH_ARP, TOPO_ETH_IPV6, 0x88cc,
					       TOPO_ETH_VLAN};
	static const char *const pr_names[] = {"icmp", "tcp", "udp", "icmpv6", "sctp", NULL};
	static const unsigned int pr_vals[] = {TOPO_IPPROTO_ICMP, TOPO_IPPROTO_TCP,
					       TOPO_IPPROTO_UDP, TOPO_IPPROTO_ICMPV6,
					       TOPO_IPPROTO_SCTP};
	const char *key;
	unsigned int x;
	uint32_t u;
	json_t *v;

	memset(m, 0, sizeof(*m));
	if (j == NULL)
		return 0;
	if (!json_is_object(j))
		return -EPROTO;
	json_object_foreach(j, key, v) {
		int f;

		for (f = 0; f < TOPO_M_MAX; f++)
			if (strcmp(key, topo_match_names[f]) == 0)
				break;
		switch (f) {
		case TOPO_M_IN_PORT:
			if (get_name(j, key, m->in_port) < 0)
				return -EPROTO;
			break;
		case TOPO_M_VLAN:
			if (get_u32(j, key, &u) < 0 || u < 1 || u > TOPO_VLAN_MAX)
				return -EPROTO;
			m->vlan = (uint16_t)u;
			break;
		case TOPO_M_ETH_SRC:
			if (mac_from_json(v, m->eth_src, m->eth_src_mask) < 0)
				return -EPROTO;
			break;
		case TOPO_M_ETH_DST:
			if (mac_from_json(v, m->eth_dst, m->eth_dst_mask) < 0)
				return -EPROTO;
			break;
		case TOPO_M_ETH_TYPE:
			if (sym_from_json(v, et_names, et_vals, 0xffff, &x) < 0)
				return -EPROTO;
			m->eth_type = (uint16_t)x;
			break;
		case TOPO_M_IP_SRC:
			if (ip_from_json(v, &m->ip_src) < 0)
				return -EPROTO;
			break;
		case TOPO_M_IP_DST:
			if (ip_from_json(v, &m->ip_dst) < 0)
				return -EPROTO;
			break;
		case TOPO_M_IP_PROTO:
			if (sym_from_json(v, pr_names, pr_vals, 255, &x) < 0)
				return -EPROTO;
			m->ip_proto = (uint8_t)x;
			break;
		case TOPO_M_L4_SRC:
		case TOPO_M_L4_DST:
		case TOPO_M_VNI:
			if (get_u32(j, key, &u) < 0 ||
			    u > (f == TOPO_M_VNI ? TOPO_VNI_MAX : 0xffffu))
				return -EPROTO;
			if (f == TOPO_M_L4_SRC)
				m->l4_src = (uint16_t)u;
			else if (f == TOPO_M_L4_DST)
				m->l4_dst = (uint16_t)u;
			else
				m->vni = u;
			break;
		default:
			return -EPROTO; /* a field this controller does not know: never drop it */
		}
		m->fields |= TOPO_M_BIT(f);
	}
	return 0;
}

static int action_from_json(json_t *v, struct topo_action *a)
{
	const char *s = json_string_value(v), *arg;
	size_t vlen;
	unsigned int vlan;
	char tail;
	int t;

	memset(a, 0, sizeof(*a));
	if (s == NULL)
		return -EPROTO;
	arg = strchr(s, ':');
	vlen = arg != NULL ? (size_t)(arg - s) : strlen(s);
	for (t = 0; t < TOPO_ACT_MAX; t++)
		if (strlen(topo_action_names[t]) == vlen &&
		    strncmp(s, topo_action_names[t], vlen) == 0)
			break;
	if (t == TOPO_ACT_MAX)
		return -EPROTO;
	a->type = (enum topo_action_type)t;
	switch (a->type) {
	case TOPO_ACT_OUTPUT:
	case TOPO_ACT_MIRROR:
		if (arg == NULL || strlen(arg + 1) == 0 || strlen(arg + 1) >= sizeof(a->port))
			return -EPROTO;
		snprintf(a->port, sizeof(a->port), "%s", arg + 1);
		return 0;
	case TOPO_ACT_PUSH_VLAN:
	case TOPO_ACT_SET_VLAN:
		if (arg == NULL || sscanf(arg + 1, "%u%c", &vlan, &tail) != 1 || vlan < 1 ||
		    vlan > TOPO_VLAN_MAX)
			return -EPROTO;
		a->vlan = (uint16_t)vlan;
		return 0;
	default:
		return arg == NULL ? 0 : -EPROTO;
	}
}

static int flow_from_json(json_t *j, const char *bridge, struct topo_flow *f, char *err,
			  size_t errsz)
{
	const char *name = json_string_value(json_object_get(j, "name"));
	json_t *acts = json_object_get(j, "actions"), *v;
	uint32_t prio, id;
	size_t i;

	memset(f, 0, sizeof(*f));
	snprintf(f->bridge, sizeof(f->bridge), "%s", bridge);
	if (name != NULL && get_name(j, "name", f->name) < 0)
		return fail(err, errsz, "a flow rule", "name");
	if (get_u32(j, "id", &id) < 0)
		return fail(err, errsz, "a flow rule", "id");
	CTRL_FLOW_ID(f) = id;
	if (get_u32(j, "priority", &prio) < 0 || prio > 0xffff)
		return fail(err, errsz, "a flow rule", "priority");
	f->priority = (uint16_t)prio;
	if (match_from_json(json_object_get(j, "match"), &f->match) < 0)
		return fail(err, errsz, "a flow rule", "match");
	if (!json_is_array(acts) || json_array_size(acts) > TOPO_ACTIONS_MAX)
		return fail(err, errsz, "a flow rule", "actions");
	json_array_foreach(acts, i, v) {
		if (action_from_json(v, &f->actions[f->n_actions]) < 0)
			return fail(err, errsz, "a flow rule", "actions");
		f->n_actions++;
	}
	return 0;
}

int observe_flows_from_json(struct topo *t, json_t *flows, char *err, size_t errsz)
{
	size_t n = 0;

	/* per bridge in the model's (sorted) order, each in the order its rules are tried */
	for (size_t i = 0; i < t->n_bridges; i++) {
		json_t *a = json_object_get(flows, t->bridges[i].name);

		if (a != NULL && !json_is_array(a))
			return fail(err, errsz, t->bridges[i].name, "flow-dump result");
		n += json_array_size(a);
	}
	free(t->flows);
	t->n_flows = 0;
	t->flows = calloc(n + 1, sizeof(*t->flows));
	if (t->flows == NULL) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->n_bridges; i++) {
		json_t *a = json_object_get(flows, t->bridges[i].name), *j;
		size_t k;

		json_array_foreach(a, k, j) {
			int rc = flow_from_json(j, t->bridges[i].name, &t->flows[t->n_flows], err,
						errsz);

			if (rc < 0)
				return rc;
			t->n_flows++;
		}
	}
	return 0;
}

/* ---- the overlay (vtep-list) ---- */

static int remote_cmp(const void *a, const void *b)
{
	return memcmp(((const struct topo_remote *)a)->ip.addr,
		      ((const struct topo_remote *)b)->ip.addr, 16);
}

static int neigh_cmp(const void *a, const void *b)
{
	return memcmp(((const struct topo_neigh *)a)->ip.addr,
		      ((const struct topo_neigh *)b)->ip.addr, 16);
}

static int remote_append(struct topo_remote **v, size_t *n, const struct topo_ip *ip)
{
	struct topo_remote *nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (nv == NULL)
		return -ENOMEM;
	memset(&nv[*n], 0, sizeof(nv[*n]));
	nv[*n].ip = *ip;
	*v = nv;
	(*n)++;
	return 0;
}

/* The remote's tunnel port by the name vtep-list gives it (whoever named it), so that the
 * MACs behind it are put on that port: pairing is by (bridge, remote), never by name. */
static int tunnel_append(struct topo_bridge *b, const struct topo_ip *ip, const char *port)
{
	struct topo_tunnel *nv;

	if (strlen(port) >= TOPO_NAME_MAX)
		return -EPROTO;
	nv = realloc(b->tunnels, (b->n_tunnels + 1) * sizeof(*nv));
	if (nv == NULL)
		return -ENOMEM;
	b->tunnels = nv;
	memset(&nv[b->n_tunnels], 0, sizeof(nv[0]));
	nv[b->n_tunnels].remote = *ip;
	snprintf(nv[b->n_tunnels].port, TOPO_NAME_MAX, "%s", port);
	b->n_tunnels++;
	return 0;
}

static bool remotes_same(const struct topo_bridge *a, const struct topo_bridge *b)
{
	if (a->n_remotes != b->n_remotes)
		return false;
	for (size_t i = 0; i < a->n_remotes; i++)
		if (memcmp(a->remotes[i].ip.addr, b->remotes[i].ip.addr, 16) != 0)
			return false;
	return true;
}

/* The VLAN of a tunnel port (an access port of the VLAN its VNI carries), 0 if unknown. */
static uint16_t tunnel_vlan(json_t *ports, const char *port)
{
	json_t *j;
	size_t i;

	json_array_foreach(ports, i, j) {
		if (strcmp(json_string_value(json_object_get(j, "name")) ?: "", port) == 0) {
			json_int_t v = json_integer_value(json_object_get(j, "vlan"));

			return v >= 1 && v <= TOPO_VLAN_MAX ? (uint16_t)v : 0;
		}
	}
	return 0;
}

/*
 * The flood lists come per bridge from the dataplane; the model writes them the way a
 * person would: one overlay.remotes when every bridge with a vni has the same list, a
 * list per bridge otherwise. Either way topo_bridge_remotes() gives each bridge its own.
 */
static int remotes_normalise(struct topo *t)
{
	struct topo_bridge *first = NULL;
	bool same = true;

	for (size_t i = 0; i < t->n_bridges; i++) {
		struct topo_bridge *b = &t->bridges[i];

		if (b->vni == 0)
			continue;
		if (b->n_remotes > 1)
			qsort(b->remotes, b->n_remotes, sizeof(b->remotes[0]), remote_cmp);
		if (first == NULL)
			first = b;
		else if (!remotes_same(first, b))
			same = false;
	}
	if (first == NULL)
		return 0;
	if (!same || !t->overlay.present) {
		for (size_t i = 0; i < t->n_bridges; i++)
			t->bridges[i].has_remotes = t->bridges[i].vni != 0;
		return 0;
	}
	for (size_t i = 0; i < first->n_remotes; i++)
		if (remote_append(&t->overlay.remotes, &t->overlay.n_remotes,
				  &first->remotes[i].ip) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < t->n_bridges; i++) {
		free(t->bridges[i].remotes);
		t->bridges[i].remotes = NULL;
		t->bridges[i].n_remotes = 0;
		t->bridges[i].has_remotes = false;
	}
	return 0;
}

int observe_overlay_from_json(struct topo *t, json_t *vteps, json_t *ports, char *err, size_t errsz)
{
	struct topo_overlay *ov = &t->overlay;
	json_t *v = json_array_get(vteps, 0), *x;
	uint32_t u;
	size_t i;

	if (!json_is_array(vteps))
		return fail(err, errsz, "vtep-list", "result");
	if (json_array_size(vteps) > 1) {
		snprintf(err, errsz,
			 "the dataplane runs %zu VTEPs; a topology describes one (delete the "
			 "others with `vswctl vtep del` first)",
			 json_array_size(vteps));
		return -EOPNOTSUPP;
	}
	if (v != NULL) {
		ov->present = true;
		if (get_name(v, "name", ov->name) < 0 || get_name(v, "port", ov->port) < 0)
			return fail(err, errsz, "a VTEP", "name or port");
		if (host_from_json(json_object_get(v, "local_ip"), &ov->local_ip) < 0)
			return fail(err, errsz, ov->name, "local_ip");
		x = json_object_get(v, "gateway");
		if (x != NULL && (host_from_json(x, &ov->gateway) < 0 ||
				  ov->gateway.family != ov->local_ip.family))
			return fail(err, errsz, ov->name, "gateway");
		if (get_u32(v, "prefix_len", &u) < 0 || u < 1 ||
		    u > (ov->local_ip.family == 6 ? 128u : 32u))
			return fail(err, errsz, ov->name, "prefix_len");
		ov->prefix_len = (uint8_t)u;
		if (get_u32(v, "udp_port", &u) < 0 || u < 1 || u > 65535)
			return fail(err, errsz, ov->name, "udp_port");
		ov->udp_port = (uint16_t)u;
		if (get_u32(v, "mtu", &u) < 0 || u > 65535)
			return fail(err, errsz, ov->name, "mtu");
		ov->mtu = (uint16_t)u;
		if (get_u32(v, "ttl", &u) < 0 || u < 1 || u > 255)
			return fail(err, errsz, ov->name, "ttl");
		ov->ttl = (uint8_t)u;
		/* only the static next hops are configuration; resolved ones are ARP's */
		json_array_foreach(json_object_get(v, "neighbours"), i, x) {
			struct topo_neigh *nv, *nb;

			if (strcmp(json_string_value(json_object_get(x, "state")) ?: "",
				   "static") != 0)
				continue;
			nv = realloc(ov->neighbours, (ov->n_neighbours + 1) * sizeof(*nv));
			if (nv == NULL)
				return -ENOMEM;
			ov->neighbours = nv;
			nb = &nv[ov->n_neighbours];
			memset(nb, 0, sizeof(*nb));
			if (host_from_json(json_object_get(x, "ip"), &nb->ip) < 0 ||
			    vsw_mac_parse(json_string_value(json_object_get(x, "mac")) ?: "",
					  nb->mac) < 0)
				return fail(err, errsz, ov->name, "neighbours");
			ov->n_neighbours++;
		}
		if (ov->n_neighbours > 1)
			qsort(ov->neighbours, ov->n_neighbours, sizeof(ov->neighbours[0]),
			      neigh_cmp);
		json_array_foreach(json_object_get(v, "remotes"), i, x) {
			const char *bn = json_string_value(json_object_get(x, "bridge"));
			const char *port = json_string_value(json_object_get(x, "port"));
			struct topo_bridge *b = NULL;
			struct topo_ip ip;

			for (size_t k = 0; bn != NULL && k < t->n_bridges && b == NULL; k++)
				if (strcmp(t->bridges[k].name, bn) == 0)
					b = &t->bridges[k];
			if (b == NULL || port == NULL ||
			    host_from_json(json_object_get(x, "remote"), &ip) < 0)
				return fail(err, errsz, ov->name, "remotes");
			if (remote_append(&b->remotes, &b->n_remotes, &ip) < 0 ||
			    tunnel_append(b, &ip, port) < 0)
				return -ENOMEM;
			b->vni_vlan = tunnel_vlan(ports, port);
		}
	}
	return remotes_normalise(t);
}

/* ---- recordings (record-list) ---- */

static int record_from_json(json_t *j, struct topo_record *r)
{
	const char *file = json_string_value(json_object_get(j, "file"));
	const char *filter = json_string_value(json_object_get(j, "filter"));
	const char *format = json_string_value(json_object_get(j, "format"));
	const char *state = json_string_value(json_object_get(j, "state"));

	memset(r, 0, sizeof(*r));
	if (file == NULL || strlen(file) >= sizeof(r->file) || filter == NULL ||
	    strlen(filter) >= sizeof(r->filter) || format == NULL || state == NULL ||
	    get_u32(j, "id", &r->id) < 0 || get_u32(j, "max_size_kb", &r->max_size_kb) < 0 ||
	    get_u32(j, "max_files", &r->max_files) < 0 || get_u32(j, "snaplen", &r->snaplen) < 0)
		return -EPROTO;
	if (strcmp(format, "pcap") == 0)
		r->format = TOPO_REC_PCAP;
	else if (strcmp(format, "pcapng") == 0)
		r->format = TOPO_REC_PCAPNG;
	else
		return -EPROTO;
	memcpy(r->file, file, strlen(file) + 1);
	memcpy(r->filter, filter, strlen(filter) + 1);
	/* one file, never rotated: max_files means nothing, the model holds its default */
	if (r->max_size_kb == 0)
		r->max_files = TOPO_DEF_REC_MAX_FILES;
	r->stale = strcmp(state, "running") != 0;
	r->adhoc = true;
	r->present = true;
	return 0;
}

int observe_records_from_json(struct topo *t, json_t *recs, char *err, size_t errsz)
{
	json_t *j;
	size_t i;

	if (!json_is_array(recs))
		return fail(err, errsz, "record-list", "result");
	json_array_foreach(recs, i, j) {
		const char *bn = json_string_value(json_object_get(j, "bridge"));
		struct topo_bridge *b = NULL;
		struct topo_record r;

		if (record_from_json(j, &r) < 0 || bn == NULL)
			return fail(err, errsz, "a recording", "id, bridge, file or state");
		for (size_t k = 0; k < t->n_bridges && b == NULL; k++)
			if (strcmp(t->bridges[k].name, bn) == 0)
				b = &t->bridges[k];
		if (b == NULL)
			continue; /* its bridge was deleted: it records nothing, and no file says it */
		/* the running one wins; among finished ones, the newest */
		if (b->record.present &&
		    (r.stale ? !b->record.stale || b->record.id > r.id : !b->record.stale))
			continue;
		b->record = r;
	}
	return 0;
}

void observe_records_own(struct topo *have, const struct topo *prev)
{
	for (size_t i = 0; i < have->n_bridges; i++) {
		struct topo_bridge *b = &have->bridges[i];
		const struct topo_bridge *pb =
			prev != NULL ? topo_bridge_find(prev, b->name) : NULL;

		if (b->record.present)
			b->record.adhoc = pb == NULL || !pb->record.present;
	}
}

static int dp_get(const struct dp_link *dp, const char *cmd, json_t *args, json_t **res, char *err,
		  size_t errsz)
{
	int status = 0;
	int rc = dp->call(dp->ctx, cmd, args, res, &status, err, errsz);

	json_decref(args);
	return rc;
}

struct topo *observe_topo(const struct dp_link *dp, char *err, size_t errsz)
{
	json_t *ports = NULL, *bridges = NULL, *fdbs = json_object(), *flows = json_object(), *b;
	json_t *vteps = NULL, *recs = NULL;
	struct topo *t = NULL;
	size_t i;

	if (fdbs == NULL || flows == NULL) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	if (dp_get(dp, "bridge-list", NULL, &bridges, err, errsz) < 0 ||
	    dp_get(dp, "port-list", NULL, &ports, err, errsz) < 0)
		goto out;
	json_array_foreach(bridges, i, b) {
		const char *name = json_string_value(json_object_get(b, "name"));
		json_t *fdb = NULL, *dump = NULL, *args;
		int status = 0, rc;

		if (name == NULL)
			continue; /* observe_from_json says so */
		if (dp_get(dp, "fdb-show", json_pack("{s:s}", "bridge", name), &fdb, err, errsz) <
		    0)
			goto out;
		if (json_object_set_new(fdbs, name, fdb) < 0) {
			snprintf(err, errsz, "out of memory");
			goto out;
		}
		args = json_pack("{s:s}", "bridge", name);
		rc = dp->call(dp->ctx, "flow-dump", args, &dump, &status, err, errsz);
		json_decref(args);
		/* a dataplane without flow tables runs none: nothing to observe */
		if (rc < 0 && status == EOPNOTSUPP)
			continue;
		if (rc < 0 || json_object_set_new(flows, name, dump) < 0) {
			if (rc == 0)
				snprintf(err, errsz, "out of memory");
			goto out;
		}
	}
	{
		int status = 0;

		/* a dataplane without the overlay runs none: nothing to observe */
		if (dp->call(dp->ctx, "vtep-list", NULL, &vteps, &status, err, errsz) < 0 &&
		    status != EOPNOTSUPP)
			goto out;
		/* nor without recordings */
		status = 0;
		if (dp->call(dp->ctx, "record-list", NULL, &recs, &status, err, errsz) < 0 &&
		    status != EOPNOTSUPP)
			goto out;
	}
	t = observe_from_json(ports, bridges, fdbs, err, errsz);
	if (t != NULL &&
	    (observe_flows_from_json(t, flows, err, errsz) < 0 ||
	     (vteps != NULL && observe_overlay_from_json(t, vteps, ports, err, errsz) < 0) ||
	     (recs != NULL && observe_records_from_json(t, recs, err, errsz) < 0))) {
		topo_free(t);
		t = NULL;
	}
out:
	json_decref(recs);
	json_decref(vteps);
	json_decref(ports);
	json_decref(bridges);
	json_decref(fdbs);
	json_decref(flows);
	return t;
}

size_t ctrl_check_caps(const struct topo *t, const struct dp_caps *caps, const char *file,
		       struct topo_errors *errs)
{
	const struct topo_overlay *ov = &t->overlay;
	size_t n = 0;
	char path[64];

	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct topo_bridge *b = &t->bridges[i];

		if (b->vni == 0 || caps->overlay)
			continue;
		snprintf(path, sizeof(path), "bridges.%s.vni", b->name);
		topo_errors_add(errs, file, b->vni_loc.line, b->vni_loc.column, path, NULL,
				"this dataplane has no VXLAN overlay (vtep-list is not one of its "
				"commands); the controller will not apply a bridge it cannot "
				"stretch");
		n++;
	}
	if (ov->present && !caps->overlay) {
		topo_errors_add(errs, file, ov->loc.line, ov->loc.column, "overlay", NULL,
				"this dataplane has no VXLAN overlay (vtep-list is not one of its "
				"commands); the controller will not apply it");
		n++;
	}
	if (ov->present && caps->overlay && !caps->overlay6 && ov->local_ip.family == 6) {
		topo_errors_add(errs, file, ov->local_ip_loc.line, ov->local_ip_loc.column,
				"overlay.vtep.local_ip", "an IPv4 address",
				"this dataplane's VTEPs run over an IPv4 underlay only (its "
				"vtep-remote-del refuses an IPv6 address)");
		n++;
	}
	for (size_t i = 0; i < t->n_bridges && !caps->record; i++) {
		const struct topo_record *r = &t->bridges[i].record;

		if (!r->present)
			continue;
		snprintf(path, sizeof(path), "bridges.%.31s.record", t->bridges[i].name);
		topo_errors_add(errs, file, r->loc.line, r->loc.column, path, NULL,
				"this dataplane cannot record a bridge (record-list is not one of "
				"its commands)");
		n++;
	}
	if (t->n_flows > 0 && !caps->flows) {
		const struct topo_flow *f = &t->flows[0];

		topo_errors_add(errs, file, f->loc.line, f->loc.column, "flows", NULL,
				"this dataplane has no flow table (flow-dump answers EOPNOTSUPP); "
				"the controller refuses the whole topology rather than apply it "
				"without its %zu flow rule%s",
				t->n_flows, t->n_flows == 1 ? "" : "s");
		n++;
	}
	for (size_t i = 0; i < t->n_flows && !caps->flow_vni; i++) {
		const struct topo_flow *f = &t->flows[i];

		if (!(f->match.fields & TOPO_M_BIT(TOPO_M_VNI)))
			continue;
		snprintf(path, sizeof(path), "flows[%zu].match.vni", i);
		topo_errors_add(errs, file, f->match.loc[TOPO_M_VNI].line,
				f->match.loc[TOPO_M_VNI].column, path, NULL,
				"this dataplane's flow tables cannot match a VNI (its flow-add "
				"refuses the field); the controller will not apply a rule that "
				"would match more than it says");
		n++;
	}
	return n;
}
