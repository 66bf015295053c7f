/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake dataplane of fake_dp.h: dp_ctl.h over plain arrays, so the control socket's
 * handlers can be tested and fuzzed without DPDK. Checks only what a dataplane must check
 * itself (existence, membership, room); argument syntax is the handlers' job, and the
 * tests see whether they did it by what reaches here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drop.h"
#include "fake_dp.h"
#include "overlay/vtep_ctl.h"

#define DROP_NAME(name, help) [VSW_DROP_##name] = #name,
#define DROP_HELP(name, help) [VSW_DROP_##name] = help,
const char *const vsw_drop_names[VSW_DROP_MAX] = {VSW_DROP_REASONS(DROP_NAME)};
const char *const vsw_drop_help[VSW_DROP_MAX] = {VSW_DROP_REASONS(DROP_HELP)};
#undef DROP_NAME
#undef DROP_HELP

const char *const dp_port_type_names[DP_PORT_TYPE_MAX] = {
	[DP_PORT_PCAP] = "pcap",   [DP_PORT_NULL] = "null",
	[DP_PORT_RING] = "ring",   [DP_PORT_AF_PACKET] = "af_packet",
	[DP_PORT_TAP] = "tap",	   [DP_PORT_VHOST_USER] = "vhost-user",
	[DP_PORT_VXLAN] = "vxlan",
};

struct dp *fake_dp_new(void)
{
	struct dp *dp = calloc(1, sizeof(*dp));

	if (dp == NULL)
		return NULL;
	for (int i = 0; i < VSW_MAX_PORTS; i++)
		dp->ports[i].bridge = -1;
	return dp;
}

void fake_dp_free(struct dp *dp)
{
	free(dp);
}

void fake_dp_reset(struct dp *dp)
{
	for (int i = 0; i < VSW_MAX_BRIDGES; i++) {
		if (dp->bridges[i].used)
			memset(&dp->bridges[i], 0, sizeof(dp->bridges[i]));
	}
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		if (dp->ports[i].used) {
			memset(&dp->ports[i], 0, sizeof(dp->ports[i]));
			dp->ports[i].bridge = -1;
		}
	}
	dp->n_fdb = 0;
	dp->n_flows = 0;
	dp->n_calls = 0;
	dp->fail_rc = 0;
}

void fake_dp_fail_next(struct dp *dp, int rc, const char *msg)
{
	dp->fail_rc = rc;
	snprintf(dp->fail_msg, sizeof(dp->fail_msg), "%s", msg);
}

static int seterr(char *err, size_t errsz, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int seterr(char *err, size_t errsz, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return rc;
}

/* Log the call; returns the injected failure, if any, to return at once. */
static int record(struct dp *dp, const char *call, const char *name, const char *name2, char *err,
		  size_t errsz)
{
	int rc = dp->fail_rc;

	dp->n_calls++;
	snprintf(dp->last_call, sizeof(dp->last_call), "%s", call);
	snprintf(dp->last_name, sizeof(dp->last_name), "%s", name != NULL ? name : "");
	snprintf(dp->last_name2, sizeof(dp->last_name2), "%s", name2 != NULL ? name2 : "");
	dp->last_name2_null = name2 == NULL;
	if (rc == 0)
		return 0;
	dp->fail_rc = 0;
	if (err != NULL)
		snprintf(err, errsz, "%s", dp->fail_msg);
	return rc;
}

static int bridge_find(const struct dp *dp, const char *name)
{
	for (int i = 0; name != NULL && i < VSW_MAX_BRIDGES; i++) {
		if (dp->bridges[i].used && strcmp(dp->bridges[i].name, name) == 0)
			return i;
	}
	return -1;
}

static int port_find(const struct dp *dp, const char *name)
{
	for (int i = 0; name != NULL && i < VSW_MAX_PORTS; i++) {
		if (dp->ports[i].used && strcmp(dp->ports[i].name, name) == 0)
			return i;
	}
	return -1;
}

/* ---- bridges ---- */

void dp_bridge_params_default(struct dp_bridge_params *p)
{
	p->mac_aging_s = 300;
	p->max_macs = 65536;
	p->move_damp = 5;
	p->move_damp_s = 10;
}

int dp_bridge_add(struct dp *dp, const char *name, const struct dp_bridge_params *p, char *err,
		  size_t errsz)
{
	int rc = record(dp, "bridge_add", name, NULL, err, errsz);

	dp->last_bp = *p;
	if (rc < 0)
		return rc;
	if (bridge_find(dp, name) >= 0)
		return seterr(err, errsz, -EEXIST, "bridge \"%s\" already exists", name);
	for (int i = 0; i < VSW_MAX_BRIDGES; i++) {
		struct fake_bridge *b = &dp->bridges[i];

		if (b->used)
			continue;
		b->used = true;
		snprintf(b->name, sizeof(b->name), "%s", name);
		b->params = *p;
		return 0;
	}
	return seterr(err, errsz, -ENOSPC, "no room for bridge \"%s\"", name);
}

int dp_bridge_del(struct dp *dp, const char *name, char *err, size_t errsz)
{
	int rc = record(dp, "bridge_del", name, NULL, err, errsz);
	int b;

	if (rc < 0)
		return rc;
	b = bridge_find(dp, name);
	if (b < 0)
		return seterr(err, errsz, -ENOENT, "no bridge \"%s\"", name);
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		if (dp->ports[i].used && dp->ports[i].bridge == b)
			return seterr(err, errsz, -EBUSY, "bridge \"%s\" has ports", name);
	}
	for (unsigned int i = 0; i < dp->n_fdb;) {
		if (dp->fdb[i].bridge == b)
			dp->fdb[i] = dp->fdb[--dp->n_fdb];
		else
			i++;
	}
	memset(&dp->bridges[b], 0, sizeof(dp->bridges[b]));
	return 0;
}

int dp_bridge_set(struct dp *dp, const char *name, const struct dp_bridge_params *p,
		  unsigned int mask, char *err, size_t errsz)
{
	int rc = record(dp, "bridge_set", name, NULL, err, errsz);
	struct fake_bridge *b;
	int i;

	dp->last_bp = *p;
	dp->last_mask = mask;
	if (rc < 0)
		return rc;
	i = bridge_find(dp, name);
	if (i < 0)
		return seterr(err, errsz, -ENOENT, "no bridge \"%s\"", name);
	b = &dp->bridges[i];
	if ((mask & DP_BRIDGE_SET_MAX_MACS) && p->max_macs < b->params.max_macs)
		return seterr(err, errsz, -EINVAL, "max_macs can only grow");
	if (mask & DP_BRIDGE_SET_AGING)
		b->params.mac_aging_s = p->mac_aging_s;
	if (mask & DP_BRIDGE_SET_MAX_MACS)
		b->params.max_macs = p->max_macs;
	if (mask & DP_BRIDGE_SET_MOVE_DAMP)
		b->params.move_damp = p->move_damp;
	if (mask & DP_BRIDGE_SET_MOVE_DAMP_S)
		b->params.move_damp_s = p->move_damp_s;
	return 0;
}

static void bridge_info(const struct dp *dp, int b, struct dp_bridge_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", dp->bridges[b].name);
	info->params = dp->bridges[b].params;
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		if (dp->ports[i].used && dp->ports[i].bridge == b)
			info->ports[info->n_ports++] = (uint16_t)i;
	}
	for (unsigned int i = 0; i < dp->n_fdb; i++) {
		if (dp->fdb[i].bridge != b)
			continue;
		if (dp->fdb[i].is_static)
			info->macs_static++;
		else
			info->macs_learned++;
	}
	info->learned = info->macs_learned;
}

int dp_bridge_info_at(struct dp *dp, unsigned int idx, struct dp_bridge_info *info)
{
	if (idx >= VSW_MAX_BRIDGES)
		return -ENOENT;
	if (!dp->bridges[idx].used)
		return -EAGAIN;
	bridge_info(dp, (int)idx, info);
	return 0;
}

int dp_bridge_info_by_name(struct dp *dp, const char *name, struct dp_bridge_info *info)
{
	int b = bridge_find(dp, name);

	if (b < 0)
		return -ENOENT;
	bridge_info(dp, b, info);
	return 0;
}

/* ---- ports ---- */

void dp_port_params_default(struct dp_port_params *p)
{
	memset(p, 0, sizeof(*p));
	p->type = DP_PORT_NULL;
	p->storm_burst = 64;
}

int dp_port_add(struct dp *dp, const char *name, const struct dp_port_params *p, char *err,
		size_t errsz)
{
	int rc = record(dp, "port_add", name, NULL, err, errsz);

	dp->last_pp = *p;
	if (rc < 0)
		return rc;
	if (port_find(dp, name) >= 0)
		return seterr(err, errsz, -EEXIST, "port \"%s\" already exists", name);
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct fake_port *pt = &dp->ports[i];

		if (pt->used)
			continue;
		memset(pt, 0, sizeof(*pt));
		pt->used = true;
		pt->bridge = -1;
		snprintf(pt->name, sizeof(pt->name), "%s", name);
		pt->params = *p;
		return 0;
	}
	return seterr(err, errsz, -ENOSPC, "no room for port \"%s\"", name);
}

static void fdb_drop_port(struct dp *dp, int port)
{
	for (unsigned int i = 0; i < dp->n_fdb;) {
		if (dp->fdb[i].port == port)
			dp->fdb[i] = dp->fdb[--dp->n_fdb];
		else
			i++;
	}
}

int dp_port_del(struct dp *dp, const char *name, char *err, size_t errsz)
{
	int rc = record(dp, "port_del", name, NULL, err, errsz);
	int p;

	if (rc < 0)
		return rc;
	p = port_find(dp, name);
	if (p < 0)
		return seterr(err, errsz, -ENOENT, "no port \"%s\"", name);
	fdb_drop_port(dp, p);
	memset(&dp->ports[p], 0, sizeof(dp->ports[p]));
	dp->ports[p].bridge = -1;
	return 0;
}

int dp_port_set(struct dp *dp, const char *name, const struct dp_port_params *p, unsigned int mask,
		char *err, size_t errsz)
{
	int rc = record(dp, "port_set", name, NULL, err, errsz);
	struct fake_port *pt;
	int i;

	dp->last_pp = *p;
	dp->last_mask = mask;
	if (rc < 0)
		return rc;
	i = port_find(dp, name);
	if (i < 0)
		return seterr(err, errsz, -ENOENT, "no port \"%s\"", name);
	pt = &dp->ports[i];
	if (mask & DP_PORT_SET_STORM_PPS)
		pt->params.storm_pps = p->storm_pps;
	if (mask & DP_PORT_SET_STORM_BURST)
		pt->params.storm_burst = p->storm_burst;
	if (mask & DP_PORT_SET_MAX_MACS)
		pt->params.max_macs = p->max_macs;
	return 0;
}

static void port_info(const struct dp *dp, int p, struct dp_port_info *info)
{
	const struct fake_port *pt = &dp->ports[p];

	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", pt->name);
	info->params = pt->params;
	info->dpdk_port = (uint16_t)p;
	info->link_up = true;
	info->worker_lcore = 1;
	if (pt->bridge < 0) {
		info->vlan_mode = DP_VLAN_NONE;
		return;
	}
	snprintf(info->bridge, sizeof(info->bridge), "%s", dp->bridges[pt->bridge].name);
	info->vlan_mode = pt->vlan.mode;
	info->access_vlan = pt->vlan.access_vlan;
	info->native_vlan = pt->vlan.native_vlan;
	memcpy(info->trunk, pt->vlan.trunk, sizeof(info->trunk));
}

int dp_port_info_at(struct dp *dp, unsigned int idx, struct dp_port_info *info)
{
	if (idx >= VSW_MAX_PORTS)
		return -ENOENT;
	if (!dp->ports[idx].used)
		return -EAGAIN;
	port_info(dp, (int)idx, info);
	return 0;
}

int dp_port_info_by_name(struct dp *dp, const char *name, struct dp_port_info *info)
{
	int p = port_find(dp, name);

	if (p < 0)
		return -ENOENT;
	port_info(dp, p, info);
	return 0;
}

const char *dp_port_name(struct dp *dp, uint16_t idx)
{
	if (idx >= VSW_MAX_PORTS || !dp->ports[idx].used)
		return NULL;
	return dp->ports[idx].name;
}

int dp_port_attach(struct dp *dp, const char *port, const char *bridge,
		   const struct dp_vlan_cfg *vlan, char *err, size_t errsz)
{
	int rc = record(dp, "port_attach", port, bridge, err, errsz);
	int p, b;

	dp->last_vlan = *vlan;
	if (rc < 0)
		return rc;
	p = port_find(dp, port);
	if (p < 0)
		return seterr(err, errsz, -ENOENT, "no port \"%s\"", port);
	b = bridge_find(dp, bridge);
	if (b < 0)
		return seterr(err, errsz, -ENOENT, "no bridge \"%s\"", bridge);
	if (dp->ports[p].bridge >= 0 && dp->ports[p].bridge != b)
		return seterr(err, errsz, -EBUSY, "port \"%s\" is in bridge \"%s\"", port,
			      dp->bridges[dp->ports[p].bridge].name);
	fdb_drop_port(dp, p);
	dp->ports[p].bridge = b;
	dp->ports[p].vlan = *vlan;
	return 0;
}

int dp_port_detach(struct dp *dp, const char *port, char *err, size_t errsz)
{
	int rc = record(dp, "port_detach", port, NULL, err, errsz);
	int p;

	if (rc < 0)
		return rc;
	p = port_find(dp, port);
	if (p < 0)
		return seterr(err, errsz, -ENOENT, "no port \"%s\"", port);
	if (dp->ports[p].bridge < 0)
		return seterr(err, errsz, -ENOENT, "port \"%s\" is not in a bridge", port);
	fdb_drop_port(dp, p);
	dp->ports[p].bridge = -1;
	return 0;
}

int dp_port_stats_get(struct dp *dp, const char *name, struct dp_port_stats *st, char *err,
		      size_t errsz)
{
	int rc = record(dp, "port_stats_get", name, NULL, err, errsz);
	int p;

	if (rc < 0)
		return rc;
	p = port_find(dp, name);
	if (p < 0)
		return seterr(err, errsz, -ENOENT, "no port \"%s\"", name);
	*st = dp->ports[p].stats;
	return 0;
}

int dp_port_stats_clear(struct dp *dp, const char *name, char *err, size_t errsz)
{
	int rc = record(dp, "port_stats_clear", name, NULL, err, errsz);
	int p;

	dp->last_name2_null = name == NULL; /* here the only name may be NULL */
	if (rc < 0)
		return rc;
	if (name == NULL) {
		for (int i = 0; i < VSW_MAX_PORTS; i++)
			memset(&dp->ports[i].stats, 0, sizeof(dp->ports[i].stats));
		return 0;
	}
	p = port_find(dp, name);
	if (p < 0)
		return seterr(err, errsz, -ENOENT, "no port \"%s\"", name);
	memset(&dp->ports[p].stats, 0, sizeof(dp->ports[p].stats));
	return 0;
}

/* ---- MAC table ---- */

static int fdb_find(const struct dp *dp, int b, const uint8_t mac[6], uint16_t vlan)
{
	for (unsigned int i = 0; i < dp->n_fdb; i++) {
		const struct fake_fdb *e = &dp->fdb[i];

		if (e->bridge == b && e->vlan == vlan && memcmp(e->mac, mac, 6) == 0)
			return (int)i;
	}
	return -1;
}

static int fdb_put(struct dp *dp, const char *bridge, const uint8_t mac[6], uint16_t vlan,
		   const char *port, bool is_static, uint32_t age_s, char *err, size_t errsz)
{
	int b = bridge_find(dp, bridge), p = port_find(dp, port), i;

	if (b < 0)
		return seterr(err, errsz, -ENOENT, "no bridge \"%s\"", bridge);
	if (p < 0)
		return seterr(err, errsz, -ENOENT, "no port \"%s\"", port);
	if (dp->ports[p].bridge != b)
		return seterr(err, errsz, -EINVAL, "port \"%s\" is not in bridge \"%s\"", port,
			      bridge);
	i = fdb_find(dp, b, mac, vlan);
	if (i < 0) {
		if (dp->n_fdb == FAKE_FDB_MAX)
			return seterr(err, errsz, -ENOSPC, "MAC table full");
		i = (int)dp->n_fdb++;
	}
	dp->fdb[i] = (struct fake_fdb){.bridge = b,
				       .vlan = vlan,
				       .port = (uint16_t)p,
				       .is_static = is_static,
				       .age_s = is_static ? 0 : age_s};
	memcpy(dp->fdb[i].mac, mac, 6);
	return 0;
}

int fake_dp_learn(struct dp *dp, const char *bridge, const uint8_t mac[6], uint16_t vlan,
		  const char *port, uint32_t age_s)
{
	char err[128];

	return fdb_put(dp, bridge, mac, vlan, port, false, age_s, err, sizeof(err));
}

int dp_fdb_add(struct dp *dp, const char *bridge, const uint8_t mac[6], uint16_t vlan,
	       const char *port, char *err, size_t errsz)
{
	int rc = record(dp, "fdb_add", bridge, port, err, errsz);

	memcpy(dp->last_mac, mac, 6);
	dp->last_vid = vlan;
	if (rc < 0)
		return rc;
	return fdb_put(dp, bridge, mac, vlan, port, true, 0, err, errsz);
}

int dp_fdb_del(struct dp *dp, const char *bridge, const uint8_t mac[6], uint16_t vlan, char *err,
	       size_t errsz)
{
	int rc = record(dp, "fdb_del", bridge, NULL, err, errsz);
	int b, i;

	memcpy(dp->last_mac, mac, 6);
	dp->last_vid = vlan;
	if (rc < 0)
		return rc;
	b = bridge_find(dp, bridge);
	if (b < 0)
		return seterr(err, errsz, -ENOENT, "no bridge \"%s\"", bridge);
	i = fdb_find(dp, b, mac, vlan);
	if (i < 0)
		return seterr(err, errsz, -ENOENT, "no such MAC entry");
	dp->fdb[i] = dp->fdb[--dp->n_fdb];
	return 0;
}

static bool fdb_match(const struct fake_fdb *e, int b, int p, uint16_t vlan)
{
	return e->bridge == b && (p < 0 || e->port == p) && (vlan == 0 || e->vlan == vlan);
}

static int fdb_filter(struct dp *dp, const char *bridge, const char *port, int *b, int *p,
		      char *err, size_t errsz)
{
	*b = bridge_find(dp, bridge);
	if (*b < 0)
		return seterr(err, errsz, -ENOENT, "no bridge \"%s\"", bridge);
	*p = -1;
	if (port != NULL) {
		*p = port_find(dp, port);
		if (*p < 0)
			return seterr(err, errsz, -ENOENT, "no port \"%s\"", port);
	}
	return 0;
}

int dp_fdb_dump(struct dp *dp, const char *bridge, const char *port, uint16_t vlan,
		void (*cb)(const struct dp_fdb_entry *e, void *arg), void *arg, char *err,
		size_t errsz)
{
	int rc = record(dp, "fdb_dump", bridge, port, err, errsz);
	int b, p, n = 0;

	dp->last_vid = vlan;
	if (rc < 0)
		return rc;
	rc = fdb_filter(dp, bridge, port, &b, &p, err, errsz);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < dp->n_fdb; i++) {
		const struct fake_fdb *f = &dp->fdb[i];
		struct dp_fdb_entry e;

		if (!fdb_match(f, b, p, vlan))
			continue;
		memcpy(e.mac, f->mac, 6);
		e.vlan = f->vlan;
		e.port = f->port;
		e.is_static = f->is_static;
		e.age_s = f->age_s;
		cb(&e, arg);
		n++;
	}
	return n;
}

int dp_fdb_flush(struct dp *dp, const char *bridge, const char *port, uint16_t vlan,
		 bool include_static, char *err, size_t errsz)
{
	int rc = record(dp, "fdb_flush", bridge, port, err, errsz);
	int b, p, n = 0;

	dp->last_vid = vlan;
	dp->last_static = include_static;
	if (rc < 0)
		return rc;
	rc = fdb_filter(dp, bridge, port, &b, &p, err, errsz);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < dp->n_fdb;) {
		if (fdb_match(&dp->fdb[i], b, p, vlan) &&
		    (include_static || !dp->fdb[i].is_static)) {
			dp->fdb[i] = dp->fdb[--dp->n_fdb];
			n++;
		} else {
			i++;
		}
	}
	return n;
}

/* ---- dataplane ---- */

void dp_info_get(struct dp *dp, struct dp_info *info)
{
	memset(info, 0, sizeof(*info));
	info->version = "0.1.0-fake";
	info->uptime_s = 12;
	info->control_lcore = 0;
	info->idle_sleep_max_us = 500;
	info->n_workers = 1;
	info->workers[0].lcore = 1;
	info->workers[0].cpu = 1;
	info->workers[0].busy_pct = 0.5;
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		if (dp->ports[i].used) {
			info->workers[0].ports[info->workers[0].n_ports++] = (uint16_t)i;
			info->n_ports++;
		}
	}
	for (int i = 0; i < VSW_MAX_BRIDGES; i++)
		info->n_bridges += dp->bridges[i].used;
}

/* ---- captures: the fake has no packets to capture; it refuses to start one and
 * knows none, so the handlers' argument checks are what the tests and the fuzzer see ---- */
#include "capture_ctl.h"

const char *const dp_capture_state_names[3] = {"running", "done", "failed"};

int dp_capture_start(struct dp *dp, const struct dp_capture_params *p, uint32_t *id, char *err,
		     size_t errsz)
{
	(void)dp;
	(void)p;
	(void)id;
	snprintf(err, errsz, "capture-start: the fake dataplane cannot capture");
	return -EOPNOTSUPP;
}

int dp_capture_stop(struct dp *dp, uint32_t id, struct dp_capture_info *info, char *err,
		    size_t errsz)
{
	(void)dp;
	(void)info;
	snprintf(err, errsz, "capture-stop: no capture %u", id);
	return -ENOENT;
}

int dp_capture_info_at(struct dp *dp, unsigned int idx, struct dp_capture_info *info)
{
	(void)dp;
	(void)idx;
	(void)info;
	return -ENOENT;
}

/* Recordings: the fake has no bridge to record; it checks names like the real one. */
int dp_record_start(struct dp *dp, const struct dp_record_params *p, uint32_t *id, char *err,
		    size_t errsz)
{
	(void)dp;
	(void)id;
	snprintf(err, errsz, "record-start: no bridge \"%s\"", p->bridge);
	return -ENOENT;
}

int dp_record_stop(struct dp *dp, uint32_t id, const char *bridge, struct dp_record_info *info,
		   char *err, size_t errsz)
{
	(void)dp;
	(void)info;
	snprintf(err, errsz, "record-stop: no recording %u of \"%s\"", id,
		 bridge != NULL ? bridge : "");
	return -ENOENT;
}

int dp_record_info_at(struct dp *dp, unsigned int idx, struct dp_record_info *info)
{
	(void)dp;
	(void)idx;
	(void)info;
	return -ENOENT;
}

unsigned int dp_capture_running(struct dp *dp)
{
	(void)dp;
	return 0;
}

void dp_capture_owner_gone(struct dp *dp, uint64_t owner)
{
	(void)dp;
	(void)owner;
}

/* ---- flow tables: existence of the bridge and of the ports named, room, ids ---- */

static int flow_ports_known(const struct dp *dp, const struct dp_flow *f, char *err, size_t errsz)
{
	if ((f->match.fields & DP_FLOW_BIT(DP_FLOW_IN_PORT)) && port_find(dp, f->match.in_port) < 0)
		return seterr(err, errsz, -ENOENT, "in_port: no port \"%s\"", f->match.in_port);
	for (unsigned int i = 0; i < f->n_actions && i < DP_FLOW_ACTIONS_MAX; i++) {
		const struct dp_flow_action *a = &f->actions[i];

		if ((a->type == DP_FLOW_ACT_OUTPUT || a->type == DP_FLOW_ACT_MIRROR) &&
		    port_find(dp, a->port) < 0)
			return seterr(err, errsz, -ENOENT, "no port \"%s\"", a->port);
	}
	return 0;
}

int dp_flow_add(struct dp *dp, const char *bridge, const struct dp_flow *flows, unsigned int n,
		uint32_t *ids, char *err, size_t errsz)
{
	int rc = record(dp, "flow_add", bridge, NULL, err, errsz);
	int b;

	dp->last_n = n;
	if (n > 0)
		dp->last_flow = flows[0];
	if (rc < 0)
		return rc;
	b = bridge_find(dp, bridge);
	if (b < 0)
		return seterr(err, errsz, -ENOENT, "no bridge \"%s\"", bridge);
	if (dp->n_flows + n > FAKE_FLOW_MAX)
		return seterr(err, errsz, -ENOSPC, "no room for %u flows", n);
	for (unsigned int i = 0; i < n; i++) {
		rc = flow_ports_known(dp, &flows[i], err, errsz);
		if (rc < 0)
			return rc;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct dp_flow *f = &dp->flows[dp->n_flows];

		*f = flows[i];
		f->id = ++dp->next_flow_id;
		f->packets = f->bytes = 0;
		dp->flow_bridge[dp->n_flows++] = b;
		if (ids != NULL)
			ids[i] = f->id;
	}
	return 0;
}

static bool flow_selected(const struct dp *dp, unsigned int i, int b, uint32_t id, const char *name)
{
	if (dp->flow_bridge[i] != b)
		return false;
	if (id != 0)
		return dp->flows[i].id == id;
	return name == NULL || strcmp(dp->flows[i].name, name) == 0;
}

int dp_flow_del(struct dp *dp, const char *bridge, uint32_t id, const char *name, char *err,
		size_t errsz)
{
	int rc = record(dp, "flow_del", bridge, name, err, errsz);
	unsigned int i = 0, n = 0;
	int b;

	dp->last_id = id;
	if (rc < 0)
		return rc;
	b = bridge_find(dp, bridge);
	if (b < 0)
		return seterr(err, errsz, -ENOENT, "no bridge \"%s\"", bridge);
	while (i < dp->n_flows) {
		if (flow_selected(dp, i, b, id, name)) {
			memmove(&dp->flows[i], &dp->flows[i + 1],
				(dp->n_flows - i - 1) * sizeof(dp->flows[0]));
			memmove(&dp->flow_bridge[i], &dp->flow_bridge[i + 1],
				(dp->n_flows - i - 1) * sizeof(dp->flow_bridge[0]));
			dp->n_flows--;
			n++;
		} else {
			i++;
		}
	}
	if (n == 0 && (id != 0 || name != NULL))
		return seterr(err, errsz, -ENOENT, "no such flow");
	return (int)n;
}

int dp_flow_mod(struct dp *dp, const char *bridge, uint32_t id, const char *name,
		const struct dp_flow *f, bool set_priority, char *err, size_t errsz)
{
	int rc = record(dp, "flow_mod", bridge, name, err, errsz);
	int b;

	dp->last_id = id;
	dp->last_flow = *f;
	dp->last_set_priority = set_priority;
	if (rc < 0)
		return rc;
	b = bridge_find(dp, bridge);
	if (b < 0)
		return seterr(err, errsz, -ENOENT, "no bridge \"%s\"", bridge);
	rc = flow_ports_known(dp, f, err, errsz);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < dp->n_flows; i++) {
		if (!flow_selected(dp, i, b, id, name))
			continue;
		dp->flows[i].n_actions = f->n_actions;
		memcpy(dp->flows[i].actions, f->actions, sizeof(f->actions));
		if (set_priority)
			dp->flows[i].priority = f->priority;
		return 0;
	}
	return seterr(err, errsz, -ENOENT, "no such flow");
}

int dp_flow_dump(struct dp *dp, const char *bridge, void (*cb)(const struct dp_flow *f, void *arg),
		 void *arg, char *err, size_t errsz)
{
	int rc = record(dp, "flow_dump", bridge, NULL, err, errsz);
	int b, n = 0;

	if (rc < 0)
		return rc;
	b = bridge_find(dp, bridge);
	if (b < 0)
		return seterr(err, errsz, -ENOENT, "no bridge \"%s\"", bridge);
	for (unsigned int i = 0; i < dp->n_flows; i++) {
		if (dp->flow_bridge[i] == b) {
			cb(&dp->flows[i], arg);
			n++;
		}
	}
	return n;
}

int dp_trace_start(struct dp *dp, const struct dp_trace_params *p, uint32_t *id, char *err,
		   size_t errsz)
{
	(void)dp;
	(void)p;
	(void)id;
	snprintf(err, errsz, "trace-start: the fake dataplane cannot trace");
	return -EOPNOTSUPP;
}

int dp_trace_read(struct dp *dp, uint32_t id, uint32_t *count,
		  void (*cb)(uint32_t n, const char *text, void *arg), void *arg, char *err,
		  size_t errsz)
{
	(void)dp;
	(void)count;
	(void)cb;
	(void)arg;
	snprintf(err, errsz, "trace-show: no trace %u", id);
	return -ENOENT;
}

int dp_trace_packet(struct dp *dp, const struct dp_trace_packet *tp, char *out, size_t outsz,
		    char *err, size_t errsz)
{
	(void)dp;
	(void)tp;
	(void)out;
	(void)outsz;
	snprintf(err, errsz, "trace-packet: the fake dataplane cannot trace");
	return -EOPNOTSUPP;
}

/* ---- VXLAN overlay (overlay/vtep_ctl.h): recorded, no VTEP state; a bridge's VNI is
 * kept so bridge-list shows what bridge-set set ---- */

void vtep_params_default(struct vtep_params *p)
{
	memset(p, 0, sizeof(*p));
	p->prefix_len = 24;
	p->udp_port = 4789;
	p->mtu = 1500;
	p->ttl = 64;
}

int vtep_add(struct dp *dp, const char *name, const struct vtep_params *p, char *err, size_t errsz)
{
	int rc = record(dp, "vtep_add", name, p->port, err, errsz);

	if (rc == 0 && port_find(dp, p->port) < 0)
		return seterr(err, errsz, -ENOENT, "vtep-add %s: no port \"%s\"", name, p->port);
	return rc;
}

int vtep_del(struct dp *dp, const char *name, char *err, size_t errsz)
{
	return record(dp, "vtep_del", name, NULL, err, errsz);
}

int vtep_bridge_set(struct dp *dp, const char *bridge, bool set_vni, uint32_t vni, bool set_cap,
		    uint32_t remote_max_macs, char *err, size_t errsz)
{
	int b = bridge_find(dp, bridge);
	int rc = record(dp, "vtep_bridge_set", bridge, NULL, err, errsz);

	if (rc < 0)
		return rc;
	if (b < 0)
		return seterr(err, errsz, -ENOENT, "bridge-set: no bridge \"%s\"", bridge);
	if (set_vni)
		dp->bridges[b].vni = vni;
	if (set_cap)
		dp->bridges[b].remote_max_macs = remote_max_macs;
	return 0;
}

int vtep_bridge_get(struct dp *dp, const char *bridge, uint32_t *vni, uint32_t *remote_max_macs)
{
	int b = bridge_find(dp, bridge);

	if (b < 0)
		return -ENOENT;
	*vni = dp->bridges[b].vni;
	*remote_max_macs = dp->bridges[b].remote_max_macs;
	return 0;
}

void vtep_bridge_gone(struct dp *dp)
{
	(void)dp;
}

int vtep_remote_add(struct dp *dp, const char *bridge, const struct vtep_ip *ip, const char *vtep,
		    const char *port, uint16_t vlan, char *err, size_t errsz)
{
	(void)ip;
	(void)port;
	dp->last_vid = vlan;
	return record(dp, "vtep_remote_add", bridge, vtep, err, errsz);
}

int vtep_remote_del(struct dp *dp, const char *bridge, const struct vtep_ip *ip, char *err,
		    size_t errsz)
{
	(void)ip;
	return record(dp, "vtep_remote_del", bridge, NULL, err, errsz);
}

int vtep_neigh_set(struct dp *dp, const char *vtep, const struct vtep_ip *ip, const uint8_t *mac,
		   char *err, size_t errsz)
{
	(void)ip;
	if (mac != NULL)
		memcpy(dp->last_mac, mac, 6);
	return record(dp, mac != NULL ? "vtep_neigh_add" : "vtep_neigh_del", vtep, NULL, err,
		      errsz);
}

int vtep_info_at(struct dp *dp, unsigned int idx, struct vtep_info *info)
{
	(void)dp;
	(void)idx;
	(void)info;
	return -ENOENT;
}

int vtep_port_remote(struct dp *dp, uint16_t idx, struct vtep_ip *ip)
{
	(void)dp;
	(void)idx;
	(void)ip;
	return -ENOENT;
}
