/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bridges and their membership, the control side: create and delete bridges, attach
 * ports with their VLAN settings, and the MAC table operations of the control socket.
 * A port's VLAN settings change only while it is out of every published set (detached,
 * grace period passed), so workers never see half of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dp.h"
#include "fdb_ctl.h"
#include "flow_ctl.h"
#include "overlay/vtep_ctl.h"
#include "vsw_util.h"

#define FDB_MAX_STATIC 4096

void dp_bridge_params_default(struct dp_bridge_params *p)
{
	p->mac_aging_s = 300;
	p->max_macs = 65536;
	p->move_damp = 5;
	p->move_damp_s = 10;
}

void dp_sync(struct dp *dp)
{
	rte_rcu_qsbr_synchronize(dp->qsbr, RTE_QSBR_THRID_INVALID);
}

struct port_set *port_set_edit(const struct port_set *old, struct port *add, struct port *del)
{
	unsigned int n = old ? old->n : 0;
	struct port_set *s = malloc(sizeof(*s) + (n + 1) * sizeof(s->p[0]));

	if (s == NULL)
		return NULL;
	s->n = 0;
	for (unsigned int i = 0; i < n; i++)
		if (old->p[i] != del)
			s->p[s->n++] = old->p[i];
	if (add)
		s->p[s->n++] = add;
	return s;
}

/* Swap *slot to a new set and free the old one once no worker can hold it. */
static int port_set_publish(struct dp *dp, struct port_set *_Atomic *slot, struct port *add,
			    struct port *del)
{
	struct port_set *old = atomic_load(slot);
	struct port_set *s = port_set_edit(old, add, del);

	if (s == NULL)
		return -ENOMEM;
	atomic_store_explicit(slot, s, memory_order_release);
	dp_sync(dp);
	free(old);
	return 0;
}

struct bridge *dp_bridge_find(struct dp *dp, const char *name)
{
	for (int i = 0; i < VSW_MAX_BRIDGES; i++)
		if (dp->bridges[i] && !strcmp(dp->bridges[i]->name, name))
			return dp->bridges[i];
	return NULL;
}

static int bridge_params_check(const char *cmd, const char *name, const struct dp_bridge_params *p,
			       char *err, size_t errsz)
{
	if (p->mac_aging_s < 1 || p->mac_aging_s > 1000000) {
		snprintf(err, errsz, "%s %s: mac_aging_s %u out of range (1..1000000)", cmd, name,
			 p->mac_aging_s);
		return -EINVAL;
	}
	if (p->max_macs < 1 || p->max_macs > 4194304) {
		snprintf(err, errsz, "%s %s: max_macs %u out of range (1..4194304)", cmd, name,
			 p->max_macs);
		return -EINVAL;
	}
	if (p->move_damp > 1000 || p->move_damp_s > 255) {
		snprintf(err, errsz,
			 "%s %s: move_damp (0..1000) or move_damp_s (0..255) out of range", cmd,
			 name);
		return -EINVAL;
	}
	return 0;
}

int dp_bridge_add(struct dp *dp, const char *name, const struct dp_bridge_params *p, char *err,
		  size_t errsz)
{
	struct bridge *br;
	int idx = -1, rc;

	if (!vsw_name_valid(name)) {
		snprintf(err, errsz,
			 "bridge-add: invalid name \"%s\" (1 to 31 of A-Z a-z 0-9 _ . -)", name);
		return -EINVAL;
	}
	if (dp_bridge_find(dp, name)) {
		snprintf(err, errsz, "bridge-add %s: a bridge of that name exists", name);
		return -EEXIST;
	}
	rc = bridge_params_check("bridge-add", name, p, err, errsz);
	if (rc < 0)
		return rc;
	for (int i = 0; i < VSW_MAX_BRIDGES; i++)
		if (dp->bridges[i] == NULL) {
			idx = i;
			break;
		}
	if (idx < 0) {
		snprintf(err, errsz, "bridge-add %s: all %d bridges are in use", name,
			 VSW_MAX_BRIDGES);
		return -ENOSPC;
	}
	br = calloc(1, sizeof(*br));
	if (br == NULL)
		goto nomem;
	br->idx = (uint16_t)idx;
	br->params = *p;
	snprintf(br->name, sizeof(br->name), "%s", name);
	br->members = port_set_edit(NULL, NULL, NULL);
	if (br->members == NULL)
		goto nomem_free;
	br->fdb = fdb_create(p->max_macs, FDB_MAX_STATIC, (int)rte_socket_id());
	if (br->fdb == NULL)
		goto nomem_members;
	br->fdb->move_damp = p->move_damp;
	br->fdb->move_damp_s = p->move_damp_s;
	dp->bridges[idx] = br;
	return 0;

nomem_members:
	free(br->members);
nomem_free:
	free(br);
nomem:
	snprintf(err, errsz, "bridge-add %s: out of memory for %u MACs", name, p->max_macs);
	return -ENOMEM;
}

int dp_bridge_del(struct dp *dp, const char *name, char *err, size_t errsz)
{
	struct bridge *br = dp_bridge_find(dp, name);

	if (br == NULL) {
		snprintf(err, errsz, "bridge-del: no bridge \"%s\"", name);
		return -ENOENT;
	}
	if (atomic_load(&br->members)->n > 0) {
		snprintf(err, errsz,
			 "bridge-del %s: %u ports are still attached (port-detach them)", name,
			 atomic_load(&br->members)->n);
		return -EBUSY;
	}
	dp->bridges[br->idx] = NULL;
	if (br->vni != 0)
		vtep_bridge_gone(dp); /* its VNI leaves the VTEPs' maps */
	dp_sync(dp); /* no port points at it, but a frame read before the detach still may */
	fdb_free(br->fdb);
	flow_bridge_free(br);
	free(atomic_load(&br->members));
	free(br);
	return 0;
}

int dp_bridge_set(struct dp *dp, const char *name, const struct dp_bridge_params *np,
		  unsigned int mask, char *err, size_t errsz)
{
	struct bridge *br = dp_bridge_find(dp, name);
	struct dp_bridge_params p;
	int rc;

	if (br == NULL) {
		snprintf(err, errsz, "bridge-set: no bridge \"%s\"", name);
		return -ENOENT;
	}
	p = br->params;
	if (mask & DP_BRIDGE_SET_AGING)
		p.mac_aging_s = np->mac_aging_s;
	if (mask & DP_BRIDGE_SET_MAX_MACS)
		p.max_macs = np->max_macs;
	if (mask & DP_BRIDGE_SET_MOVE_DAMP)
		p.move_damp = np->move_damp;
	if (mask & DP_BRIDGE_SET_MOVE_DAMP_S)
		p.move_damp_s = np->move_damp_s;
	rc = bridge_params_check("bridge-set", name, &p, err, errsz);
	if (rc < 0)
		return rc;
	/* the table was sized for its first max_macs at 50% load: allow up to that */
	if (p.max_macs > br->params.max_macs &&
	    (uint64_t)p.max_macs > ((uint64_t)br->fdb->mask + 1) * FDB_SLOTS / 2) {
		snprintf(err, errsz,
			 "bridge-set %s: max_macs %u exceeds this table's size (at most %u; "
			 "re-create the bridge for more)",
			 name, p.max_macs, (br->fdb->mask + 1) * FDB_SLOTS / 2);
		return -EINVAL;
	}
	br->params = p;
	br->fdb->max_learned = p.max_macs;
	br->fdb->move_damp = p.move_damp;
	br->fdb->move_damp_s = p.move_damp_s;
	return 0;
}

static void bridge_info_fill(const struct bridge *br, struct dp_bridge_info *info)
{
	const struct port_set *ms = atomic_load(&br->members);

	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", br->name);
	info->params = br->params;
	info->n_ports = ms->n;
	for (unsigned int i = 0; i < ms->n; i++)
		info->ports[i] = ms->p[i]->idx;
	info->macs_learned = atomic_load(&br->fdb->n_learned);
	info->macs_static = atomic_load(&br->fdb->n_static);
	info->learned = atomic_load(&br->fdb->cnt.learned);
	info->aged = atomic_load(&br->fdb->cnt.aged);
	info->moves = atomic_load(&br->fdb->cnt.moves);
	info->move_damped = atomic_load(&br->fdb->cnt.move_damped);
	info->limit_hit = atomic_load(&br->fdb->cnt.limit_hit);
	info->learn_lost = atomic_load(&br->fdb->cnt.learn_lost);
}

int dp_bridge_info_at(struct dp *dp, unsigned int idx, struct dp_bridge_info *info)
{
	if (idx >= VSW_MAX_BRIDGES)
		return -ENOENT;
	if (dp->bridges[idx] == NULL)
		return -EAGAIN;
	bridge_info_fill(dp->bridges[idx], info);
	return 0;
}

int dp_bridge_info_by_name(struct dp *dp, const char *name, struct dp_bridge_info *info)
{
	struct bridge *br = dp_bridge_find(dp, name);

	if (br == NULL)
		return -ENOENT;
	bridge_info_fill(br, info);
	return 0;
}

static int vlan_cfg_check(const char *port, const struct dp_vlan_cfg *v, char *err, size_t errsz)
{
	if (v->mode == DP_VLAN_ACCESS) {
		if (v->access_vlan < 1 || v->access_vlan > VSW_VLAN_MAX)
			goto bad;
		return 0;
	}
	if (v->mode == DP_VLAN_TRUNK) {
		if (v->native_vlan > VSW_VLAN_MAX)
			goto bad;
		if (vsw_vlan_bit(v->trunk, 0) || vsw_vlan_bit(v->trunk, 4095)) {
			snprintf(err, errsz, "port-attach %s: trunk VLANs must be 1..4094", port);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(err, errsz, "port-attach %s: VLAN mode must be access or trunk", port);
	return -EINVAL;
bad:
	snprintf(err, errsz, "port-attach %s: VLAN id out of range (1..4094)", port);
	return -EINVAL;
}

static void port_detach_locked(struct dp *dp, struct port *p)
{
	struct bridge *br = atomic_load(&p->bridge);

	atomic_store_explicit(&p->bridge, NULL, memory_order_release);
	/* publishes the smaller member set and waits: afterwards no worker floods to p,
	 * reads its VLAN settings through this bridge, or learns a MAC on it */
	if (port_set_publish(dp, &br->members, NULL, p) < 0)
		dp_sync(dp); /* XXX: on ENOMEM p stays listed; it has no bridge so never floods */
	fdb_flush(br->fdb, p->idx, -1, true);
}

int dp_port_attach(struct dp *dp, const char *port, const char *bridge, const struct dp_vlan_cfg *v,
		   char *err, size_t errsz)
{
	struct port *p = dp_port_find(dp, port);
	struct bridge *br = dp_bridge_find(dp, bridge);
	int rc;

	if (p == NULL) {
		snprintf(err, errsz, "port-attach: no port \"%s\"", port);
		return -ENOENT;
	}
	if (br == NULL) {
		snprintf(err, errsz, "port-attach %s: no bridge \"%s\"", port, bridge);
		return -ENOENT;
	}
	if (p->vtep != NULL) {
		snprintf(err, errsz, "port-attach %s: the port is a VTEP's underlay (in no bridge)",
			 port);
		return -EBUSY;
	}
	rc = vlan_cfg_check(port, v, err, errsz);
	if (rc < 0)
		return rc;
	if (atomic_load(&p->bridge))
		port_detach_locked(dp, p);
	p->vlan.mode = v->mode;
	p->vlan.access_vlan = v->mode == DP_VLAN_ACCESS ? v->access_vlan : 0;
	p->vlan.native_vlan = v->mode == DP_VLAN_TRUNK ? v->native_vlan : 0;
	memcpy(p->trunk, v->trunk, sizeof(p->trunk));
	if (v->mode == DP_VLAN_TRUNK && v->native_vlan)
		vsw_vlan_bit_set(p->trunk, v->native_vlan);
	rc = port_set_publish(dp, &br->members, p, NULL);
	if (rc < 0) {
		p->vlan.mode = DP_VLAN_NONE;
		snprintf(err, errsz, "port-attach %s: out of memory", port);
		return rc;
	}
	atomic_store_explicit(&p->bridge, br, memory_order_release);
	if (p->has_rxq && p->worker < 0 && dp_worker_assign(dp, p) < 0) {
		port_detach_locked(dp, p);
		p->vlan.mode = DP_VLAN_NONE;
		snprintf(err, errsz, "port-attach %s: out of memory", port);
		return -ENOMEM;
	}
	return 0;
}

int dp_port_detach(struct dp *dp, const char *port, char *err, size_t errsz)
{
	struct port *p = dp_port_find(dp, port);

	if (p == NULL) {
		snprintf(err, errsz, "port-detach: no port \"%s\"", port);
		return -ENOENT;
	}
	if (atomic_load(&p->bridge) == NULL) {
		snprintf(err, errsz, "port-detach %s: not attached to a bridge", port);
		return -ENOENT;
	}
	dp_worker_unassign(dp, p);
	port_detach_locked(dp, p);
	p->vlan.mode = DP_VLAN_NONE;
	return 0;
}

/* ---- MAC table ---- */

static struct bridge *fdb_bridge(struct dp *dp, const char *cmd, const char *bridge, char *err,
				 size_t errsz)
{
	struct bridge *br = dp_bridge_find(dp, bridge);

	if (br == NULL)
		snprintf(err, errsz, "%s: no bridge \"%s\"", cmd, bridge);
	return br;
}

static int fdb_vlan_check(const char *cmd, uint16_t vlan, char *err, size_t errsz)
{
	if (vlan < 1 || vlan > VSW_VLAN_MAX) {
		snprintf(err, errsz, "%s: VLAN %u out of range (1..4094)", cmd, vlan);
		return -EINVAL;
	}
	return 0;
}

int dp_fdb_add(struct dp *dp, const char *bridge, const uint8_t mac[6], uint16_t vlan,
	       const char *port, char *err, size_t errsz)
{
	struct bridge *br = fdb_bridge(dp, "fdb-add", bridge, err, errsz);
	struct port *p;
	char macs[18];
	int rc;

	if (br == NULL)
		return -ENOENT;
	rc = fdb_vlan_check("fdb-add", vlan, err, errsz);
	if (rc < 0)
		return rc;
	vsw_mac_format(mac, macs);
	if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac)) {
		snprintf(err, errsz, "fdb-add %s: %s is multicast or zero (not a station address)",
			 bridge, macs);
		return -EINVAL;
	}
	p = dp_port_find(dp, port);
	if (p == NULL || atomic_load(&p->bridge) != br) {
		snprintf(err, errsz, "fdb-add %s: port \"%s\" is not attached to this bridge",
			 bridge, port);
		return -ENOENT;
	}
	if (eth_egress_tagging(&p->vlan, vlan) < 0) {
		snprintf(err, errsz, "fdb-add %s: port %s does not carry VLAN %u", bridge, port,
			 vlan);
		return -EINVAL;
	}
	rc = fdb_add_static(br->fdb, fdb_key(vlan, mac), p->idx);
	if (rc < 0)
		snprintf(err, errsz, "fdb-add %s: no room for %s in the MAC table", bridge, macs);
	return rc;
}

int dp_fdb_del(struct dp *dp, const char *bridge, const uint8_t mac[6], uint16_t vlan, char *err,
	       size_t errsz)
{
	struct bridge *br = fdb_bridge(dp, "fdb-del", bridge, err, errsz);
	char macs[18];
	int rc;

	if (br == NULL)
		return -ENOENT;
	rc = fdb_vlan_check("fdb-del", vlan, err, errsz);
	if (rc < 0)
		return rc;
	rc = fdb_del(br->fdb, fdb_key(vlan, mac));
	if (rc < 0) {
		vsw_mac_format(mac, macs);
		snprintf(err, errsz, "fdb-del %s: no entry for %s in VLAN %u", bridge, macs, vlan);
	}
	return rc;
}

struct fdb_dump_ctx {
	int port;      /* -1 any */
	uint16_t vlan; /* 0 any */
	uint32_t now;
	void (*cb)(const struct dp_fdb_entry *e, void *arg);
	void *arg;
	int n;
};

static int fdb_dump_one(const struct fdb_walk_entry *we, void *arg)
{
	struct fdb_dump_ctx *c = arg;
	struct dp_fdb_entry e;

	if (c->port >= 0 && we->port != c->port)
		return 0;
	if (c->vlan && fdb_key_vid(we->key) != c->vlan)
		return 0;
	fdb_key_mac(we->key, e.mac);
	e.vlan = fdb_key_vid(we->key);
	e.port = we->port;
	e.is_static = we->flags & FDB_F_STATIC;
	e.age_s = e.is_static || we->seen > c->now ? 0 : c->now - we->seen;
	c->cb(&e, c->arg);
	c->n++;
	return 0;
}

static int fdb_port_filter(struct dp *dp, const char *cmd, const char *port, int *idx, char *err,
			   size_t errsz)
{
	struct port *p;

	*idx = -1;
	if (port == NULL)
		return 0;
	p = dp_port_find(dp, port);
	if (p == NULL) {
		snprintf(err, errsz, "%s: no port \"%s\"", cmd, port);
		return -ENOENT;
	}
	*idx = p->idx;
	return 0;
}

int dp_fdb_dump(struct dp *dp, const char *bridge, const char *port, uint16_t vlan,
		void (*cb)(const struct dp_fdb_entry *e, void *arg), void *arg, char *err,
		size_t errsz)
{
	struct bridge *br = fdb_bridge(dp, "fdb-show", bridge, err, errsz);
	struct fdb_dump_ctx c = {.vlan = vlan, .cb = cb, .arg = arg};
	int rc;

	if (br == NULL)
		return -ENOENT;
	rc = fdb_port_filter(dp, "fdb-show", port, &c.port, err, errsz);
	if (rc < 0)
		return rc;
	c.now = atomic_load(&dp->clock_s);
	fdb_walk(br->fdb, fdb_dump_one, &c);
	return c.n;
}

int dp_fdb_flush(struct dp *dp, const char *bridge, const char *port, uint16_t vlan,
		 bool include_static, char *err, size_t errsz)
{
	struct bridge *br = fdb_bridge(dp, "fdb-flush", bridge, err, errsz);
	int idx, rc;

	if (br == NULL)
		return -ENOENT;
	rc = fdb_port_filter(dp, "fdb-flush", port, &idx, err, errsz);
	if (rc < 0)
		return rc;
	return (int)fdb_flush(br->fdb, idx, vlan ? vlan : -1, include_static);
}
