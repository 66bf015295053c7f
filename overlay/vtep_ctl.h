/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN tunnel end points, control side: VTEPs on underlay ports, bridges' VNIs, remote
 * VTEPs (tunnel ports), static neighbours, and what `vswctl vtep show` reads. Called
 * only from the control thread; like dp_ctl.h, each call changes all it was asked or
 * nothing, returns 0 or -errno and writes a sentence for a person into err.
 * Addresses are struct vtep_ip: IPv4 or IPv6. A VTEP is of one family, the one of its
 * local_ip: its gateway, remotes and neighbours must be of it too.
 */
#ifndef VSW_VTEP_CTL_H
#define VSW_VTEP_CTL_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dp_ctl.h"

/* An underlay address of either family. */
struct vtep_ip {
	uint8_t family; /* 4 or 6; 0 = none */
	uint32_t v4;	/* network order, family 4 */
	uint8_t v6[16]; /* family 6 */
};
#define VTEP_IP_STRLEN INET6_ADDRSTRLEN

/* 0 and *ip from text ("198.18.0.1", "2001:2::1"), or -EINVAL. */
static inline int vtep_ip_parse(const char *s, struct vtep_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (s == NULL)
		return -EINVAL;
	if (inet_pton(AF_INET, s, &ip->v4) == 1) {
		ip->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->v6) == 1) {
		ip->family = 6;
		return 0;
	}
	return -EINVAL;
}

/* The address as text; "" for none. */
static inline const char *vtep_ip_str(const struct vtep_ip *ip, char buf[VTEP_IP_STRLEN])
{
	buf[0] = '\0';
	if (ip->family == 4)
		inet_ntop(AF_INET, &ip->v4, buf, VTEP_IP_STRLEN);
	else if (ip->family == 6)
		inet_ntop(AF_INET6, ip->v6, buf, VTEP_IP_STRLEN);
	return buf;
}

static inline bool vtep_ip_eq(const struct vtep_ip *a, const struct vtep_ip *b)
{
	if (a->family != b->family)
		return false;
	return a->family == 4 ? a->v4 == b->v4 : a->family != 6 || memcmp(a->v6, b->v6, 16) == 0;
}

#define VTEP_INFO_NEIGH_MAX 64
#define VTEP_INFO_REMOTES_MAX 256

struct vtep_params {
	char port[VSW_NAME_MAX]; /* the underlay port: exists, in no bridge */
	struct vtep_ip local_ip; /* the VTEP's family */
	/* of the underlay subnet, 1..32 or 1..128 (default 24 for IPv4, 64 for IPv6; 0 here
	 * means the default) */
	uint8_t prefix_len;
	struct vtep_ip gateway; /* next hop for remotes off the subnet; family 0 = none */
	uint16_t udp_port;	/* host order, default 4789 */
	uint32_t mtu;		/* underlay IP MTU, default 1500 (IPv6: at least 1280) */
	uint8_t ttl;		/* outer TTL (IPv6: hop limit), default 64 */
	bool has_mac;		/* else the underlay port's own MAC */
	uint8_t mac[6];
};
void vtep_params_default(struct vtep_params *p);

int vtep_add(struct dp *dp, const char *name, const struct vtep_params *p, char *err, size_t errsz);
/* Refused while remotes use it. */
int vtep_del(struct dp *dp, const char *name, char *err, size_t errsz);

/* A bridge's VNI (0 = none; refused while it has remotes) and its remote learning cap
 * (MACs learned from all its remotes together, 0 = only the bridge limit). */
int vtep_bridge_set(struct dp *dp, const char *bridge, bool set_vni, uint32_t vni, bool set_cap,
		    uint32_t remote_max_macs, char *err, size_t errsz);
/* 0 and the values, or -ENOENT. */
int vtep_bridge_get(struct dp *dp, const char *bridge, uint32_t *vni, uint32_t *remote_max_macs);
/* Called by dp_bridge_del once the bridge is unpublished: forget its VNI. */
void vtep_bridge_gone(struct dp *dp);

/* A remote VTEP of the bridge's VNI: creates tunnel port `port` (NULL: "vx<VNI>-<ip>",
 * an IPv6 address with its ':' written '_', refused if longer than a name may be), a
 * member of the bridge with access VLAN vlan, on VTEP vtep (NULL: the only one). */
int vtep_remote_add(struct dp *dp, const char *bridge, const struct vtep_ip *ip, const char *vtep,
		    const char *port, uint16_t vlan, char *err, size_t errsz);
int vtep_remote_del(struct dp *dp, const char *bridge, const struct vtep_ip *ip, char *err,
		    size_t errsz);
/* At exit, the workers stopped: every remote, then every VTEP, so that the ports they
 * hold can go too (what only DPDK memory points to would read as a leak). */
void vtep_shutdown(struct dp *dp);
/* Every control loop (overlay/nd.c): IPv6 VTEPs' duplicate address detection again when
 * their underlay port comes up, and a log line for each change of an address's state. */
void vtep_nd_poll(struct dp *dp);

/* A static neighbour (mac != NULL), or back to ARP/ND (mac NULL). */
int vtep_neigh_set(struct dp *dp, const char *vtep, const struct vtep_ip *ip, const uint8_t *mac,
		   char *err, size_t errsz);

struct vtep_info {
	char name[VSW_NAME_MAX];
	struct vtep_params params; /* mac: the one in use */
	/* IPv6: neighbour solicitations (req) and advertisements (reply) */
	uint64_t arp_req_rx, arp_reply_tx, arp_reply_rx, arp_req_tx, arp_no_mbuf;
	uint64_t decap_packets, decap_bytes;
	/* IPv6: the states (enum nd_addr_state) of the VTEP's address and of its link-local
	 * one (ll6), and duplicate address detection's and MLD's counters */
	uint8_t addr_state, ll_state;
	uint8_t ll6[16];
	uint64_t dad_ns_tx, dad_conflict, mld_report_tx, mld_query_rx;
	unsigned int n_neigh;
	struct {
		struct vtep_ip ip;
		uint8_t mac[6];
		bool resolved, is_static;
		uint32_t age_s; /* since the last answer */
		uint32_t users; /* tunnels through it */
	} neigh[VTEP_INFO_NEIGH_MAX];
	unsigned int n_remotes;
	struct {
		char bridge[VSW_NAME_MAX];
		char port[VSW_NAME_MAX];
		uint32_t vni;
		struct vtep_ip ip, next_hop;
		uint32_t mtu_needed; /* largest MTU a dropped frame needed, 0 = none dropped */
	} remotes[VTEP_INFO_REMOTES_MAX];
};
/* As dp_bridge_info_at: -ENOENT past the end, -EAGAIN for an empty slot. */
int vtep_info_at(struct dp *dp, unsigned int idx, struct vtep_info *info);
/* The remote VTEP behind tunnel port idx: 0 and *ip, or -ENOENT. */
int vtep_port_remote(struct dp *dp, uint16_t idx, struct vtep_ip *ip);

#endif
