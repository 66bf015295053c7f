/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN tunnel end points, control side (overlay/vtep_ctl.h). A VTEP turns an unbridged
 * port into an underlay: it is handed to a worker whose loop then calls vxlan_decap for
 * it instead of bridge_input. A remote VTEP of a bridge's VNI becomes a tunnel port: a
 * struct port without an ethdev, a member of the bridge (access VLAN), whose tx is
 * vxlan_encap. Each VTEP's (VNI, source) -> tunnel port map is rebuilt whole on every
 * change and published with a release store; the old one is freed after a grace period.
 * Neighbour slots (next hops to resolve) are taken when a remote needs them and given
 * back when the last one goes, a grace period before any reuse.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "capture.h"
#include "overlay/vtep.h"
#include "overlay/vtep_ctl.h"
#include "vsw_util.h"

void vtep_params_default(struct vtep_params *p)
{
	memset(p, 0, sizeof(*p));
	p->prefix_len = 24;
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

static const char *ip_str(uint32_t ip, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &ip, buf, INET_ADDRSTRLEN);
}

static uint32_t netmask_of(uint8_t len)
{
	return htonl(len == 0 ? 0 : ~0u << (32 - len));
}

static int map_ent_cmp(const void *a, const void *b)
{
	const struct vtep_map_ent *x = a, *y = b;

	if (x->vni != y->vni)
		return x->vni < y->vni ? -1 : 1;
	return x->ip < y->ip ? -1 : x->ip > y->ip;
}

/* Rebuild and publish the map of VTEP v from the bridges' VNIs and the tunnel ports
 * attached to them. */
static int vtep_map_publish(struct dp *dp, struct vtep *v)
{
	unsigned int cap = VSW_MAX_BRIDGES + VSW_MAX_PORTS, n = 0;
	struct vtep_map *m = malloc(sizeof(*m) + cap * sizeof(m->e[0])), *old;

	if (m == NULL)
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
			m->e[n++] = (struct vtep_map_ent){br->vni, p->tun->remote_ip, p};
		}
		if (n == first)
			m->e[n++] = (struct vtep_map_ent){br->vni, 0, NULL};
	}
	m->n = n;
	qsort(m->e, n, sizeof(m->e[0]), map_ent_cmp);
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
	if (p->prefix_len < 1 || p->prefix_len > 32 || p->local_ip == 0 || p->udp_port == 0 ||
	    p->mtu < 576 || p->mtu > 9216 || p->ttl == 0) {
		snprintf(err, errsz,
			 "vtep-add %s: local_ip, prefix, udp_port, mtu (576..9216) or "
			 "ttl out of range",
			 name);
		return -EINVAL;
	}
	for (int i = 0; i < VSW_MAX_VTEPS; i++) {
		if (dp->vteps[i] == NULL) {
			if (slot < 0)
				slot = i;
		} else if (dp->vteps[i]->local.ip == p->local_ip) {
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
	v->local.ip = p->local_ip;
	v->local.udp_port = htons(p->udp_port);
	v->netmask = netmask_of(p->prefix_len);
	v->mtu = p->mtu;
	v->prefix_len = p->prefix_len;
	v->gateway = p->gateway;
	v->ttl = p->ttl;
	v->map = calloc(1, sizeof(struct vtep_map));
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

/* A neighbour slot for ip, taken (refs + 1): an existing one, or a free one. */
static struct vtep_neigh *neigh_get(struct vtep *v, uint32_t ip)
{
	int free_slot = -1;

	for (int i = 0; i < VTEP_NEIGH_MAX; i++) {
		uint32_t sip = atomic_load(&v->neigh[i].ip);

		if (sip == ip) {
			v->neigh_refs[i]++;
			return &v->neigh[i];
		}
		if (sip == 0 && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return NULL;
	atomic_store(&v->neigh[free_slot].mac, 0);
	atomic_store(&v->neigh[free_slot].seen_s, 0);
	v->neigh[free_slot].asked_s = 0;
	atomic_store_explicit(&v->neigh[free_slot].ip, ip, memory_order_release);
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

static struct port *tunnel_find(struct dp *dp, struct bridge *br, uint32_t ip)
{
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct port *p = atomic_load(&dp->ports[i]);

		if (p != NULL && p->tun != NULL && p->tun->remote_ip == ip &&
		    p->tun->vni == br->vni && atomic_load(&p->bridge) == br)
			return p;
	}
	return NULL;
}

int vtep_remote_add(struct dp *dp, const char *bridge, uint32_t ip, const char *vtep,
		    const char *port, uint16_t vlan, char *err, size_t errsz)
{
	struct bridge *br = dp_bridge_find(dp, bridge);
	struct dp_vlan_cfg cfg = {.mode = DP_VLAN_ACCESS, .access_vlan = vlan};
	char ips[INET_ADDRSTRLEN], pname[VSW_NAME_MAX];
	struct vxlan_tun *t = NULL;
	struct vtep *v = NULL;
	struct port *p;
	uint32_t nh_ip;
	int idx = -1, rc;

	if (br == NULL) {
		snprintf(err, errsz, "vtep-remote-add: no bridge \"%s\"", bridge);
		return -ENOENT;
	}
	ip_str(ip, ips);
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
	{
		uint8_t b0 = ((const uint8_t *)&ip)[0];

		if (ip == 0 || ip == v->local.ip || b0 >= 224 || b0 == 127 || ip == 0xffffffff) {
			snprintf(err, errsz,
				 "vtep-remote-add %s: %s is not a unicast address of another VTEP",
				 bridge, ips);
			return -EINVAL;
		}
	}
	if (tunnel_find(dp, br, ip) != NULL) {
		snprintf(err, errsz, "vtep-remote-add %s: %s is already a remote of VNI %u", bridge,
			 ips, br->vni);
		return -EEXIST;
	}
	if ((ip & v->netmask) == (v->local.ip & v->netmask)) {
		nh_ip = ip;
	} else if (v->gateway != 0) {
		nh_ip = v->gateway;
	} else {
		snprintf(err, errsz,
			 "vtep-remote-add %s: %s is not on VTEP %s's subnet and it has no gateway",
			 bridge, ips, v->name);
		return -EINVAL;
	}
	if (port != NULL)
		snprintf(pname, sizeof(pname), "%s", port);
	else
		snprintf(pname, sizeof(pname), "vx%u-%s", br->vni, ips);
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
	t->nh = neigh_get(v, nh_ip);
	if (t->nh == NULL) {
		snprintf(err, errsz, "vtep-remote-add %s: VTEP %s has %d next hops already", bridge,
			 v->name, VTEP_NEIGH_MAX);
		rc = -ENOSPC;
		goto out_free;
	}
	t->vtep = v;
	t->remote_ip = ip;
	t->vni = br->vni;
	vxlan_tmpl_init(&t->tmpl, v->local.mac, v->local.ip, ip, v->local.udp_port, br->vni,
			v->ttl);

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
	snprintf(p->name, sizeof(p->name), "%s", pname);
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

int vtep_remote_del(struct dp *dp, const char *bridge, uint32_t ip, char *err, size_t errsz)
{
	struct bridge *br = dp_bridge_find(dp, bridge);
	char ips[INET_ADDRSTRLEN];
	struct vxlan_tun *t;
	struct port *p;
	int rc;

	if (br == NULL) {
		snprintf(err, errsz, "vtep-remote-del: no bridge \"%s\"", bridge);
		return -ENOENT;
	}
	p = br->vni != 0 ? tunnel_find(dp, br, ip) : NULL;
	if (p == NULL) {
		snprintf(err, errsz, "vtep-remote-del %s: %s is not a remote of the bridge's VNI",
			 bridge, ip_str(ip, ips));
		return -ENOENT;
	}
	t = p->tun;
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

int vtep_neigh_set(struct dp *dp, const char *vtep, uint32_t ip, const uint8_t *mac, char *err,
		   size_t errsz)
{
	struct vtep *v = vtep_find(dp, vtep);
	char ips[INET_ADDRSTRLEN];
	struct vtep_neigh *nb;

	if (v == NULL) {
		snprintf(err, errsz, "vtep-neigh: no VTEP \"%s\"", vtep);
		return -ENOENT;
	}
	ip_str(ip, ips);
	if (mac != NULL) {
		if (ip == 0 || eth_addr_is_multicast(mac) || eth_addr_is_zero(mac)) {
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
	for (int i = 0; i < VTEP_NEIGH_MAX; i++) {
		nb = &v->neigh[i];
		if (atomic_load(&nb->ip) != ip || !(atomic_load(&nb->mac) & VTEP_NEIGH_STATIC))
			continue;
		/* back to ARP if tunnels use it (asked from the next second), else freed */
		atomic_store(&nb->mac, 0);
		if (v->neigh_refs[i] == 0) {
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
	info->params.local_ip = v->local.ip;
	info->params.prefix_len = v->prefix_len;
	info->params.gateway = v->gateway;
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
	for (int i = 0; i < VTEP_NEIGH_MAX; i++) {
		struct vtep_neigh *nb = &v->neigh[i];
		uint32_t ip = atomic_load(&nb->ip), seen = atomic_load(&nb->seen_s);
		uint64_t mac = atomic_load(&nb->mac);

		if (ip == 0)
			continue;
		info->neigh[info->n_neigh].ip = ip;
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
		info->remotes[info->n_remotes].ip = p->tun->remote_ip;
		info->remotes[info->n_remotes].next_hop = atomic_load(&p->tun->nh->ip);
		info->remotes[info->n_remotes].mtu_needed = atomic_load(&p->tun->mtu_needed);
		info->n_remotes++;
	}
	return 0;
}

int vtep_port_remote(struct dp *dp, uint16_t idx, uint32_t *ip)
{
	struct port *p = idx < VSW_MAX_PORTS ? atomic_load(&dp->ports[idx]) : NULL;

	if (p == NULL || p->tun == NULL)
		return -ENOENT;
	*ip = p->tun->remote_ip;
	return 0;
}
