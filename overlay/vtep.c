/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN tunnel end points, control side (overlay/vtep_ctl.h). A VTEP turns an unbridged
 * port into an underlay: it is handed to a worker whose loop then calls vxlan_decap for
 * it instead of bridge_input. A remote VTEP of a bridge's VNI becomes a tunnel port: a
 * struct port without an ethdev, a member of the bridge (access VLAN), whose tx is
 * vxlan_encap. Each VTEP's (VNI, source) -> tunnel port map (a hash table, vtep.h says
 * why not rte_hash) is rebuilt whole on every change and published with a release store;
 * the old one is freed after a grace period.
 * Neighbour slots (next hops to resolve) are taken when a remote needs them and given
 * back when the last one goes, a grace period before any reuse.
 * A VTEP is IPv4 or IPv6, the family of its local address; its gateway, remotes and
 * neighbours are of the same family (mixing is refused): workers then test the family
 * once per burst, not per frame.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "capture.h"
#include "flow_ctl.h"
#include "overlay/vtep.h"
#include "overlay/vtep_ctl.h"
#include "vsw_util.h"

void vtep_params_default(struct vtep_params *p)
{
	memset(p, 0, sizeof(*p));
	p->prefix_len = 0; /* the family's default: 24 or 64 */
	p->udp_port = VXLAN_UDP_PORT;
	p->mtu = 1500;
	p->ttl = 64;
}

static struct vtep *vtep_find(struct dp *dp, const char *name)
{
	for (int i = 0; i < VSW_MAX_VTEPS; i++)
		if (dp->vteps[i] != NULL && !strcmp(dp->vteps[i]->name, name))
			return dp->vteps[i];
	return NULL;
}

static const char *fam_str(uint8_t family)
{
	return family == 6 ? "IPv6" : "IPv4";
}

/* A unicast address a VTEP may use or talk to: not unspecified, loopback, multicast,
 * broadcast or (IPv6) IPv4-mapped. */
static bool ip_unicast(const struct vtep_ip *ip)
{
	static const uint8_t zero[16], loop[16] = {[15] = 1}, mapped[12] = {[10] = 0xff, 0xff};

	if (ip->family == 4) {
		uint8_t b0 = ((const uint8_t *)&ip->v4)[0];

		return ip->v4 != 0 && b0 < 224 && b0 != 127;
	}
	return ip->family == 6 && memcmp(ip->v6, zero, 16) != 0 && memcmp(ip->v6, loop, 16) != 0 &&
	       ip->v6[0] != 0xff && memcmp(ip->v6, mapped, 12) != 0;
}

static bool ip6_is_zero(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

/* Is ip on VTEP v's subnet? (same family) */
static bool on_subnet(const struct vtep *v, const struct vtep_ip *ip)
{
	if (!v->v6)
		return (ip->v4 & v->netmask) == (v->local.ip & v->netmask);
	for (unsigned int bit = 0; bit < v->prefix_len; bit++) {
		uint8_t mask = (uint8_t)(0x80 >> (bit % 8));

		if ((ip->v6[bit / 8] & mask) != (v->local.ip6[bit / 8] & mask))
			return false;
	}
	return true;
}

static void vtep_local_ip(const struct vtep *v, struct vtep_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = v->v6 ? 6 : 4;
	if (v->v6)
		memcpy(ip->v6, v->local.ip6, 16);
	else
		ip->v4 = v->local.ip;
}

static void tun_remote(const struct vxlan_tun *t, struct vtep_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = t->vtep->v6 ? 6 : 4;
	if (t->vtep->v6)
		memcpy(ip->v6, t->remote_ip6, 16);
	else
		ip->v4 = t->remote_ip;
}

static void neigh_addr(const struct vtep *v, const struct vtep_neigh *nb, struct vtep_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = v->v6 ? 6 : 4;
	if (v->v6)
		memcpy(ip->v6, nb->ip6, 16);
	else
		ip->v4 = atomic_load(&nb->ip);
}

static uint32_t netmask_of(uint8_t len)
{
	return htonl(len == 0 ? 0 : ~0u << (32 - len));
}

/* Rebuild and publish the map of VTEP v from the bridges' VNIs and the tunnel ports
 * attached to them (vtep_map_build: overlay/vtep.h). */
static int vtep_map_publish(struct dp *dp, struct vtep *v)
{
	struct vtep_map_src *src = calloc(VSW_MAX_BRIDGES + VSW_MAX_PORTS, sizeof(*src));
	struct vtep_map *m, *old;
	unsigned int n = 0;

	if (src == NULL)
		return -ENOMEM;
	for (int b = 0; b < VSW_MAX_BRIDGES; b++) {
		struct bridge *br = dp->bridges[b];
		unsigned int first = n;

		if (br == NULL || br->vni == 0)
			continue;
		for (int i = 0; i < VSW_MAX_PORTS; i++) {
			struct port *p = atomic_load(&dp->ports[i]);

			if (p == NULL || p->tun == NULL || p->tun->vtep != v ||
			    atomic_load(&p->bridge) != br)
				continue;
			src[n] = (struct vtep_map_src){
				.vni = br->vni, .ip = p->tun->remote_ip, .port = p};
			memcpy(src[n++].ip6, p->tun->remote_ip6, 16);
		}
		if (n == first) /* no remote: its frames are vxlan_unknown_vtep, not _vni */
			src[n++] = (struct vtep_map_src){.vni = br->vni};
	}
	m = vtep_map_build(src, n, v->v6);
	free(src);
	if (m == NULL)
		return -ENOMEM;
	old = atomic_load(&v->map);
	atomic_store_explicit(&v->map, m, memory_order_release);
	dp_sync(dp);
	free(old);
	return 0;
}

static int vtep_maps_publish(struct dp *dp)
{
	int rc = 0;

	for (int i = 0; i < VSW_MAX_VTEPS; i++)
		if (dp->vteps[i] != NULL && vtep_map_publish(dp, dp->vteps[i]) < 0)
			rc = -ENOMEM;
	return rc;
}

int vtep_add(struct dp *dp, const char *name, const struct vtep_params *p, char *err, size_t errsz)
{
	struct rte_ether_addr addr;
	struct port *under;
	struct vtep *v;
	int slot = -1, rc;
	uint8_t prefix_len;
	bool v6;

	if (!vsw_name_valid(name)) {
		snprintf(err, errsz, "vtep-add: invalid name \"%s\" (1 to 31 of A-Z a-z 0-9 _ . -)",
			 name);
		return -EINVAL;
	}
	if (vtep_find(dp, name)) {
		snprintf(err, errsz, "vtep-add %s: a VTEP of that name exists", name);
		return -EEXIST;
	}
	under = dp_port_find(dp, p->port);
	if (under == NULL) {
		snprintf(err, errsz, "vtep-add %s: no port \"%s\"", name, p->port);
		return -ENOENT;
	}
	if (under->vtep != NULL || under->tun != NULL || atomic_load(&under->bridge) != NULL) {
		snprintf(err, errsz,
			 "vtep-add %s: port %s is %s (an underlay port must be in no bridge)", name,
			 p->port,
			 under->vtep  ? "already an underlay"
			 : under->tun ? "a tunnel port"
				      : "attached to a bridge");
		return -EBUSY;
	}
	if (!under->has_rxq || under->worker >= 0) {
		snprintf(err, errsz, "vtep-add %s: port %s has no receive queue to poll", name,
			 p->port);
		return -EINVAL;
	}
	/* decap runs where the underlay is polled; one rx queue keeps it on one worker */
	if (under->n_rxq > 1) {
		snprintf(err, errsz,
			 "vtep-add %s: port %s has %u rx queues; an underlay port must have one",
			 name, p->port, under->n_rxq);
		return -EINVAL;
	}
	v6 = p->local_ip.family == 6;
	prefix_len = p->prefix_len != 0 ? p->prefix_len : v6 ? 64 : 24;
	if (!ip_unicast(&p->local_ip)) {
		snprintf(err, errsz, "vtep-add %s: local_ip is not a unicast IPv4 or IPv6 address",
			 name);
		return -EINVAL;
	}
	if (prefix_len > (v6 ? 128 : 32) || p->udp_port == 0 || p->mtu < (v6 ? 1280u : 576u) ||
	    p->mtu > 9216 || p->ttl == 0) {
		snprintf(err, errsz,
			 "vtep-add %s: prefix (1..%d), udp_port, mtu (%u..9216) or ttl out of "
			 "range",
			 name, v6 ? 128 : 32, v6 ? 1280u : 576u);
		return -EINVAL;
	}
	if (p->gateway.family != 0 &&
	    (p->gateway.family != p->local_ip.family || !ip_unicast(&p->gateway))) {
		snprintf(err, errsz,
			 "vtep-add %s: gateway must be a unicast %s address, as local_ip is", name,
			 fam_str(p->local_ip.family));
		return -EINVAL;
	}
	for (int i = 0; i < VSW_MAX_VTEPS; i++) {
		struct vtep_ip other;

		if (dp->vteps[i] != NULL)
			vtep_local_ip(dp->vteps[i], &other);
		if (dp->vteps[i] == NULL) {
			if (slot < 0)
				slot = i;
		} else if (vtep_ip_eq(&other, &p->local_ip)) {
			snprintf(err, errsz, "vtep-add %s: VTEP %s already has that address", name,
				 dp->vteps[i]->name);
			return -EEXIST;
		}
	}
	if (slot < 0) {
		snprintf(err, errsz, "vtep-add %s: all %d VTEPs are in use", name, VSW_MAX_VTEPS);
		return -ENOSPC;
	}
	v = rte_zmalloc("vtep", sizeof(*v), RTE_CACHE_LINE_SIZE);
	if (v == NULL)
		goto nomem;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->port = under;
	if (p->has_mac) {
		memcpy(v->local.mac, p->mac, 6);
	} else {
		rc = rte_eth_macaddr_get(under->dpdk_port, &addr);
		if (rc < 0) {
			snprintf(err, errsz, "vtep-add %s: port %s has no MAC address (give mac=)",
				 name, p->port);
			rte_free(v);
			return rc;
		}
		memcpy(v->local.mac, addr.addr_bytes, 6);
	}
	v->v6 = v6;
	if (v6) {
		memcpy(v->local.ip6, p->local_ip.v6, 16);
		memcpy(v->gateway6, p->gateway.v6, 16);
	} else {
		v->local.ip = p->local_ip.v4;
		v->netmask = netmask_of(prefix_len);
		v->gateway = p->gateway.v4;
	}
	v->local.udp_port = htons(p->udp_port);
	v->mtu = p->mtu;
	v->prefix_len = prefix_len;
	v->ttl = p->ttl;
	v->map = vtep_map_build(NULL, 0, v6);
	if (v->map == NULL)
		goto nomem_free;
	dp->vteps[slot] = v;
	if (vtep_map_publish(dp, v) < 0)
		goto nomem_unslot;
	under->vtep = v; /* before the worker's port set publishes it */
	if (dp_worker_assign(dp, under) < 0) {
		under->vtep = NULL;
		goto nomem_unslot;
	}
	return 0;

nomem_unslot:
	dp->vteps[slot] = NULL;
	free(atomic_load(&v->map));
nomem_free:
	rte_free(v);
nomem:
	snprintf(err, errsz, "vtep-add %s: out of memory", name);
	return -ENOMEM;
}

int vtep_del(struct dp *dp, const char *name, char *err, size_t errsz)
{
	struct vtep *v = vtep_find(dp, name);

	if (v == NULL) {
		snprintf(err, errsz, "vtep-del: no VTEP \"%s\"", name);
		return -ENOENT;
	}
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct port *p = atomic_load(&dp->ports[i]);

		if (p != NULL && p->tun != NULL && p->tun->vtep == v) {
			snprintf(err, errsz,
				 "vtep-del %s: remote %s still uses it (vtep-remote-del)", name,
				 p->name);
			return -EBUSY;
		}
	}
	dp_worker_unassign(dp, v->port); /* waits a grace period: nobody decapsulates now */
	if (v->port->worker >= 0) {
		snprintf(err, errsz, "vtep-del %s: out of memory", name);
		return -ENOMEM;
	}
	v->port->vtep = NULL;
	for (int i = 0; i < VSW_MAX_VTEPS; i++)
		if (dp->vteps[i] == v)
			dp->vteps[i] = NULL;
	free(atomic_load(&v->map));
	rte_free(v);
	return 0;
}

int vtep_bridge_set(struct dp *dp, const char *bridge, bool set_vni, uint32_t vni, bool set_cap,
		    uint32_t remote_max_macs, char *err, size_t errsz)
{
	struct bridge *br = dp_bridge_find(dp, bridge);
	uint32_t old;

	if (br == NULL) {
		snprintf(err, errsz, "bridge-set: no bridge \"%s\"", bridge);
		return -ENOENT;
	}
	if (set_vni && vni != br->vni) {
		if (vni > VXLAN_VNI_MAX) {
			snprintf(err, errsz, "bridge-set %s: vni %u out of range (0..16777215)",
				 bridge, vni);
			return -EINVAL;
		}
		for (int i = 0; vni != 0 && i < VSW_MAX_BRIDGES; i++)
			if (dp->bridges[i] != NULL && dp->bridges[i]->vni == vni) {
				snprintf(err, errsz, "bridge-set %s: bridge %s already has VNI %u",
					 bridge, dp->bridges[i]->name, vni);
				return -EEXIST;
			}
		for (int i = 0; i < VSW_MAX_PORTS; i++) {
			struct port *p = atomic_load(&dp->ports[i]);

			if (p != NULL && p->tun != NULL && atomic_load(&p->bridge) == br) {
				snprintf(err, errsz,
					 "bridge-set %s: its VNI has remotes (vtep-remote-del them "
					 "first)",
					 bridge);
				return -EBUSY;
			}
		}
		old = br->vni;
		br->vni = vni;
		if (vtep_maps_publish(dp) < 0) {
			br->vni = old;
			vtep_maps_publish(dp);
			snprintf(err, errsz, "bridge-set %s: out of memory", bridge);
			return -ENOMEM;
		}
	}
	if (set_cap)
		br->remote_max_macs = remote_max_macs;
	return 0;
}

int vtep_bridge_get(struct dp *dp, const char *bridge, uint32_t *vni, uint32_t *remote_max_macs)
{
	struct bridge *br = dp_bridge_find(dp, bridge);

	if (br == NULL)
		return -ENOENT;
	*vni = br->vni;
	*remote_max_macs = br->remote_max_macs;
	return 0;
}

void vtep_bridge_gone(struct dp *dp)
{
	/* XXX: on ENOMEM the old map keeps the gone VNI; its frames then find no tunnel
	 * port of it (a VNI without remotes) and are dropped as vxlan_unknown_vtep */
	vtep_maps_publish(dp);
}

/* The slot of neighbour ip (of v's family), or NULL. */
static struct vtep_neigh *neigh_find(struct vtep *v, const struct vtep_ip *ip)
{
	uint32_t key = v->v6 ? vtep_ip6_key(ip->v6) : ip->v4;

	for (int i = 0; i < VTEP_NEIGH_MAX; i++)
		if (atomic_load(&v->neigh[i].ip) == key &&
		    (!v->v6 || memcmp(v->neigh[i].ip6, ip->v6, 16) == 0))
			return &v->neigh[i];
	return NULL;
}

/* A neighbour slot for ip, taken (refs + 1): an existing one, or a free one. */
static struct vtep_neigh *neigh_get(struct vtep *v, const struct vtep_ip *ip)
{
	struct vtep_neigh *nb = neigh_find(v, ip);
	int free_slot = -1;

	if (nb != NULL) {
		v->neigh_refs[nb - v->neigh]++;
		return nb;
	}
	for (int i = 0; i < VTEP_NEIGH_MAX && free_slot < 0; i++)
		if (atomic_load(&v->neigh[i].ip) == 0)
			free_slot = i;
	if (free_slot < 0)
		return NULL;
	atomic_store(&v->neigh[free_slot].mac, 0);
	atomic_store(&v->neigh[free_slot].seen_s, 0);
	v->neigh[free_slot].asked_s = 0;
	/* a free slot is read by nobody (a grace period passed since it was freed) */
	memcpy(v->neigh[free_slot].ip6, ip->v6, 16);
	atomic_store_explicit(&v->neigh[free_slot].ip, v->v6 ? vtep_ip6_key(ip->v6) : ip->v4,
			      memory_order_release);
	v->neigh_refs[free_slot] = 1;
	return &v->neigh[free_slot];
}

/* Drop one reference; a slot neither used nor static is freed. The caller waits a grace
 * period before the slot can be taken again (dp_sync), so a worker still answering
 * for the old address never writes into the new one. */
static void neigh_put(struct vtep *v, struct vtep_neigh *nb)
{
	int i = (int)(nb - v->neigh);

	if (v->neigh_refs[i] > 0)
		v->neigh_refs[i]--;
	if (v->neigh_refs[i] == 0 && !(atomic_load(&nb->mac) & VTEP_NEIGH_STATIC))
		atomic_store_explicit(&nb->ip, 0, memory_order_release);
}

static struct port *tunnel_find(struct dp *dp, struct bridge *br, const struct vtep_ip *ip)
{
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct port *p = atomic_load(&dp->ports[i]);
		struct vtep_ip r;

		if (p == NULL || p->tun == NULL || p->tun->vni != br->vni ||
		    atomic_load(&p->bridge) != br)
			continue;
		tun_remote(p->tun, &r);
		if (vtep_ip_eq(&r, ip))
			return p;
	}
	return NULL;
}

int vtep_remote_add(struct dp *dp, const char *bridge, const struct vtep_ip *ip, const char *vtep,
		    const char *port, uint16_t vlan, char *err, size_t errsz)
{
	struct bridge *br = dp_bridge_find(dp, bridge);
	struct dp_vlan_cfg cfg = {.mode = DP_VLAN_ACCESS, .access_vlan = vlan};
	char ips[VTEP_IP_STRLEN], pname[VSW_NAME_MAX + 48];
	struct vxlan_tun *t = NULL;
	struct vtep_ip nh_ip, local;
	struct vtep *v = NULL;
	struct port *p;
	int idx = -1, rc;

	if (br == NULL) {
		snprintf(err, errsz, "vtep-remote-add: no bridge \"%s\"", bridge);
		return -ENOENT;
	}
	vtep_ip_str(ip, ips);
	if (br->vni == 0) {
		snprintf(err, errsz, "vtep-remote-add %s: the bridge has no VNI (bridge-set vni=N)",
			 bridge);
		return -EINVAL;
	}
	if (vtep != NULL) {
		v = vtep_find(dp, vtep);
		if (v == NULL) {
			snprintf(err, errsz, "vtep-remote-add %s: no VTEP \"%s\"", bridge, vtep);
			return -ENOENT;
		}
	} else {
		for (int i = 0; i < VSW_MAX_VTEPS; i++) {
			if (dp->vteps[i] == NULL)
				continue;
			if (v != NULL) {
				snprintf(
					err, errsz,
					"vtep-remote-add %s: several VTEPs exist (name one with vtep=)",
					bridge);
				return -EINVAL;
			}
			v = dp->vteps[i];
		}
		if (v == NULL) {
			snprintf(err, errsz, "vtep-remote-add %s: no VTEP (vtep-add one first)",
				 bridge);
			return -ENOENT;
		}
	}
	vtep_local_ip(v, &local);
	if (ip->family != local.family) {
		snprintf(err, errsz,
			 "vtep-remote-add %s: %s is an %s address but VTEP %s is %s (a VTEP's "
			 "remotes are of its family)",
			 bridge, ips, fam_str(ip->family), v->name, fam_str(local.family));
		return -EINVAL;
	}
	if (!ip_unicast(ip) || vtep_ip_eq(ip, &local)) {
		snprintf(err, errsz,
			 "vtep-remote-add %s: %s is not a unicast address of another VTEP", bridge,
			 ips);
		return -EINVAL;
	}
	if (tunnel_find(dp, br, ip) != NULL) {
		snprintf(err, errsz, "vtep-remote-add %s: %s is already a remote of VNI %u", bridge,
			 ips, br->vni);
		return -EEXIST;
	}
	nh_ip = local;
	if (on_subnet(v, ip)) {
		nh_ip = *ip;
	} else if (!v->v6 && v->gateway != 0) {
		nh_ip.v4 = v->gateway;
	} else if (v->v6 && !ip6_is_zero(v->gateway6)) {
		memcpy(nh_ip.v6, v->gateway6, 16);
	} else {
		snprintf(err, errsz,
			 "vtep-remote-add %s: %s is not on VTEP %s's subnet and it has no gateway",
			 bridge, ips, v->name);
		return -EINVAL;
	}
	if (port != NULL) {
		snprintf(pname, sizeof(pname), "%s", port);
	} else {
		/* names take no ':': an IPv6 address is written with '_' */
		snprintf(pname, sizeof(pname), "vx%u-%s", br->vni, ips);
		for (char *c = pname; *c != '\0'; c++)
			if (*c == ':')
				*c = '_';
		if (strlen(pname) >= VSW_NAME_MAX) {
			snprintf(err, errsz,
				 "vtep-remote-add %s: the default port name \"%s\" is too long (%d "
				 "characters at most): name it with port=",
				 bridge, pname, VSW_NAME_MAX - 1);
			return -EINVAL;
		}
	}
	if (!vsw_name_valid(pname) || dp_port_find(dp, pname) != NULL) {
		snprintf(err, errsz, "vtep-remote-add %s: port name \"%s\" is %s", bridge, pname,
			 vsw_name_valid(pname) ? "taken" : "not valid");
		return -EEXIST;
	}
	for (int i = 0; i < VSW_MAX_PORTS; i++)
		if (atomic_load(&dp->ports[i]) == NULL) {
			idx = i;
			break;
		}
	if (idx < 0) {
		snprintf(err, errsz, "vtep-remote-add %s: all %d ports are in use", bridge,
			 VSW_MAX_PORTS);
		return -ENOSPC;
	}
	t = rte_zmalloc("vxlan_tun", sizeof(*t), RTE_CACHE_LINE_SIZE);
	p = rte_zmalloc("port", sizeof(*p), RTE_CACHE_LINE_SIZE);
	if (t == NULL || p == NULL)
		goto nomem;
	t->nh = neigh_get(v, &nh_ip);
	if (t->nh == NULL) {
		snprintf(err, errsz, "vtep-remote-add %s: VTEP %s has %d next hops already", bridge,
			 v->name, VTEP_NEIGH_MAX);
		rc = -ENOSPC;
		goto out_free;
	}
	t->vtep = v;
	t->vni = br->vni;
	if (v->v6) {
		memcpy(t->remote_ip6, ip->v6, 16);
		vxlan6_tmpl_init(&t->tmpl, v->local.mac, v->local.ip6, ip->v6, v->local.udp_port,
				 br->vni, v->ttl);
	} else {
		t->remote_ip = ip->v4;
		vxlan_tmpl_init(&t->tmpl, v->local.mac, v->local.ip, ip->v4, v->local.udp_port,
				br->vni, v->ttl);
	}

	p->idx = (uint16_t)idx;
	p->worker = -1;
	dp_port_params_default(&p->params);
	p->params.type = DP_PORT_VXLAN;
	p->dpdk_port = v->port->dpdk_port; /* its link is the underlay's */
	p->n_txq = 1;
	p->has_rxq = false; /* its frames come from vxlan_decap */
	p->vlan.mode = DP_VLAN_NONE;
	p->vlan.trunk = p->trunk;
	p->tun = t;
	snprintf(p->name, sizeof(p->name), "%.*s", VSW_NAME_MAX - 1, pname); /* valid: short */
	snprintf(p->devname, sizeof(p->devname), "vxlan:%s", ips);
	atomic_store_explicit(&dp->ports[idx], p, memory_order_release);
	rc = dp_port_attach(dp, pname, bridge, &cfg, err, errsz);
	if (rc < 0)
		goto out_unpublish;
	rc = vtep_map_publish(dp, v);
	if (rc < 0) {
		snprintf(err, errsz, "vtep-remote-add %s: out of memory", bridge);
		dp_port_detach(dp, pname, NULL, 0);
		goto out_unpublish;
	}
	return 0;

out_unpublish:
	atomic_store_explicit(&dp->ports[idx], NULL, memory_order_release);
	dp_sync(dp);
	neigh_put(v, t->nh);
	dp_sync(dp);
	goto out_free;
nomem:
	snprintf(err, errsz, "vtep-remote-add %s: out of memory", bridge);
	rc = -ENOMEM;
out_free:
	rte_free(p);
	rte_free(t);
	return rc;
}

static int tunnel_del(struct dp *dp, struct port *p, char *err, size_t errsz);

int vtep_remote_del(struct dp *dp, const char *bridge, const struct vtep_ip *ip, char *err,
		    size_t errsz)
{
	struct bridge *br = dp_bridge_find(dp, bridge);
	char ips[VTEP_IP_STRLEN], users[160];
	struct port *p;

	if (br == NULL) {
		snprintf(err, errsz, "vtep-remote-del: no bridge \"%s\"", bridge);
		return -ENOENT;
	}
	p = br->vni != 0 ? tunnel_find(dp, br, ip) : NULL;
	if (p == NULL) {
		snprintf(err, errsz, "vtep-remote-del %s: %s is not a remote of the bridge's VNI",
			 bridge, vtep_ip_str(ip, ips));
		return -ENOENT;
	}
	/* as port-del: the next port would take its index, and the rules with it */
	if (flow_port_users(dp, p, users, sizeof(users)) > 0) {
		snprintf(err, errsz,
			 "vtep-remote-del %s: flow rules name port %s (%s): flow-del "
			 "them first",
			 bridge, p->name, users);
		return -EBUSY;
	}
	return tunnel_del(dp, p, err, errsz);
}

/* Remove tunnel port p: out of its bridge and its VTEP's map, then freed. */
static int tunnel_del(struct dp *dp, struct port *p, char *err, size_t errsz)
{
	struct vxlan_tun *t = p->tun;
	int rc;

	/* out of the flood list, its MACs flushed, a grace period passed */
	rc = dp_port_detach(dp, p->name, err, errsz);
	if (rc < 0)
		return rc;
	if (vtep_map_publish(dp, t->vtep) < 0) {
		/* XXX: the old map still leads its frames to p, which has no bridge now:
		 * they are dropped as no_bridge until the next change publishes a map */
	}
	capture_port_gone(dp, p);
	atomic_store_explicit(&dp->ports[p->idx], NULL, memory_order_release);
	dp_sync(dp);
	neigh_put(t->vtep, t->nh);
	dp_sync(dp);
	rte_free(p);
	rte_free(t);
	return 0;
}

void vtep_shutdown(struct dp *dp)
{
	char err[256];

	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct port *p = atomic_load(&dp->ports[i]);

		if (p != NULL && p->tun != NULL)
			tunnel_del(dp, p, err, sizeof(err));
	}
	for (int i = 0; i < VSW_MAX_VTEPS; i++)
		if (dp->vteps[i] != NULL)
			vtep_del(dp, dp->vteps[i]->name, err, sizeof(err));
}

int vtep_neigh_set(struct dp *dp, const char *vtep, const struct vtep_ip *ip, const uint8_t *mac,
		   char *err, size_t errsz)
{
	struct vtep *v = vtep_find(dp, vtep);
	char ips[VTEP_IP_STRLEN];
	struct vtep_neigh *nb;

	if (v == NULL) {
		snprintf(err, errsz, "vtep-neigh: no VTEP \"%s\"", vtep);
		return -ENOENT;
	}
	vtep_ip_str(ip, ips);
	if (ip->family != (v->v6 ? 6 : 4)) {
		snprintf(err, errsz,
			 "vtep-neigh %s: %s is an %s address but the VTEP is %s (its neighbours "
			 "are of its family)",
			 vtep, ips, fam_str(ip->family), fam_str(v->v6 ? 6 : 4));
		return -EINVAL;
	}
	if (mac != NULL) {
		if (!ip_unicast(ip) || eth_addr_is_multicast(mac) || eth_addr_is_zero(mac)) {
			snprintf(err, errsz, "vtep-neigh-add %s: address or MAC not unicast", vtep);
			return -EINVAL;
		}
		nb = neigh_get(v, ip);
		if (nb == NULL) {
			snprintf(err, errsz, "vtep-neigh-add %s: %d neighbours already", vtep,
				 VTEP_NEIGH_MAX);
			return -ENOSPC;
		}
		v->neigh_refs[nb - v->neigh]--; /* a static entry is not a user */
		atomic_store_explicit(&nb->mac,
				      VTEP_NEIGH_VALID | VTEP_NEIGH_STATIC | vtep_mac_pack(mac),
				      memory_order_release);
		return 0;
	}
	nb = neigh_find(v, ip);
	if (nb != NULL && (atomic_load(&nb->mac) & VTEP_NEIGH_STATIC)) {
		/* back to ARP/ND if tunnels use it (asked from the next second), else freed */
		atomic_store(&nb->mac, 0);
		if (v->neigh_refs[nb - v->neigh] == 0) {
			atomic_store_explicit(&nb->ip, 0, memory_order_release);
			dp_sync(dp);
		}
		return 0;
	}
	snprintf(err, errsz, "vtep-neigh-del %s: no static neighbour %s", vtep, ips);
	return -ENOENT;
}

int vtep_info_at(struct dp *dp, unsigned int idx, struct vtep_info *info)
{
	struct vtep *v;
	uint32_t now = atomic_load(&dp->clock_s);

	if (idx >= VSW_MAX_VTEPS)
		return -ENOENT;
	v = dp->vteps[idx];
	if (v == NULL)
		return -EAGAIN;
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", v->name);
	snprintf(info->params.port, sizeof(info->params.port), "%s", v->port->name);
	vtep_local_ip(v, &info->params.local_ip);
	info->params.prefix_len = v->prefix_len;
	if (v->v6 ? !ip6_is_zero(v->gateway6) : v->gateway != 0) {
		info->params.gateway = info->params.local_ip;
		info->params.gateway.v4 = v->gateway;
		memcpy(info->params.gateway.v6, v->gateway6, 16);
	}
	info->params.udp_port = ntohs(v->local.udp_port);
	info->params.mtu = v->mtu;
	info->params.ttl = v->ttl;
	info->params.has_mac = true;
	memcpy(info->params.mac, v->local.mac, 6);
	/* written by one worker; read here without stopping it: approximate */
	info->arp_req_rx = v->cnt.arp_req_rx;
	info->arp_reply_tx = v->cnt.arp_reply_tx;
	info->arp_reply_rx = v->cnt.arp_reply_rx;
	info->arp_req_tx = v->cnt.arp_req_tx;
	info->arp_no_mbuf = v->cnt.arp_no_mbuf;
	info->decap_packets = v->cnt.decap_packets;
	info->decap_bytes = v->cnt.decap_bytes;
	if (v->v6) {
		info->addr_state = atomic_load(&v->dad.state[ND_ADDR]);
		info->ll_state = atomic_load(&v->dad.state[ND_LL]);
		nd_link_local(info->ll6, v->local.mac);
		info->dad_ns_tx = v->cnt.dad_ns_tx;
		info->dad_conflict = v->cnt.dad_conflict;
		info->mld_report_tx = v->cnt.mld_report_tx;
		info->mld_query_rx = v->cnt.mld_query_rx;
	}
	for (int i = 0; i < VTEP_NEIGH_MAX; i++) {
		struct vtep_neigh *nb = &v->neigh[i];
		uint32_t ip = atomic_load(&nb->ip), seen = atomic_load(&nb->seen_s);
		uint64_t mac = atomic_load(&nb->mac);

		if (ip == 0)
			continue;
		neigh_addr(v, nb, &info->neigh[info->n_neigh].ip);
		vtep_mac_unpack(mac, info->neigh[info->n_neigh].mac);
		info->neigh[info->n_neigh].resolved = mac & VTEP_NEIGH_VALID;
		info->neigh[info->n_neigh].is_static = mac & VTEP_NEIGH_STATIC;
		info->neigh[info->n_neigh].age_s =
			(mac & VTEP_NEIGH_VALID) && !(mac & VTEP_NEIGH_STATIC) && now >= seen
				? now - seen
				: 0;
		info->neigh[info->n_neigh].users = v->neigh_refs[i];
		info->n_neigh++;
	}
	for (int i = 0; i < VSW_MAX_PORTS && info->n_remotes < VTEP_INFO_REMOTES_MAX; i++) {
		struct port *p = atomic_load(&dp->ports[i]);
		struct bridge *br;

		if (p == NULL || p->tun == NULL || p->tun->vtep != v)
			continue;
		br = atomic_load(&p->bridge);
		snprintf(info->remotes[info->n_remotes].bridge, VSW_NAME_MAX, "%s",
			 br != NULL ? br->name : "");
		snprintf(info->remotes[info->n_remotes].port, VSW_NAME_MAX, "%s", p->name);
		info->remotes[info->n_remotes].vni = p->tun->vni;
		tun_remote(p->tun, &info->remotes[info->n_remotes].ip);
		neigh_addr(v, p->tun->nh, &info->remotes[info->n_remotes].next_hop);
		info->remotes[info->n_remotes].mtu_needed = atomic_load(&p->tun->mtu_needed);
		info->n_remotes++;
	}
	return 0;
}

int vtep_port_remote(struct dp *dp, uint16_t idx, struct vtep_ip *ip)
{
	struct port *p = idx < VSW_MAX_PORTS ? atomic_load(&dp->ports[idx]) : NULL;

	if (p == NULL || p->tun == NULL)
		return -ENOENT;
	tun_remote(p->tun, ip);
	return 0;
}
