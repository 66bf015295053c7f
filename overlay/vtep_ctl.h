/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN tunnel end points, control side: VTEPs on underlay ports, bridges' VNIs, remote
 * VTEPs (tunnel ports), static neighbours, and what `vswctl vtep show` reads. Called
 * only from the control thread; like dp_ctl.h, each call changes all it was asked or
 * nothing, returns 0 or -errno and writes a sentence for a person into err.
 * Addresses are IPv4 in network order.
 */
#ifndef VSW_VTEP_CTL_H
#define VSW_VTEP_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp_ctl.h"

#define VTEP_INFO_NEIGH_MAX 64
#define VTEP_INFO_REMOTES_MAX 256

struct vtep_params {
	char port[VSW_NAME_MAX]; /* the underlay port: exists, in no bridge */
	uint32_t local_ip;
	uint8_t prefix_len; /* of the underlay subnet, 1..32 (default 24) */
	uint32_t gateway;   /* next hop for remotes off the subnet; 0 = none */
	uint16_t udp_port;  /* host order, default 4789 */
	uint32_t mtu;	    /* underlay IPv4 MTU, default 1500 */
	uint8_t ttl;	    /* outer TTL, default 64 */
	bool has_mac;	    /* else the underlay port's own MAC */
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

/* A remote VTEP of the bridge's VNI: creates tunnel port `port` (NULL: "vx<VNI>-<ip>"),
 * a member of the bridge with access VLAN vlan, on VTEP vtep (NULL: the only one). */
int vtep_remote_add(struct dp *dp, const char *bridge, uint32_t ip, const char *vtep,
		    const char *port, uint16_t vlan, char *err, size_t errsz);
int vtep_remote_del(struct dp *dp, const char *bridge, uint32_t ip, char *err, size_t errsz);

/* A static neighbour (mac != NULL), or back to ARP (mac NULL). */
int vtep_neigh_set(struct dp *dp, const char *vtep, uint32_t ip, const uint8_t *mac, char *err,
		   size_t errsz);

struct vtep_info {
	char name[VSW_NAME_MAX];
	struct vtep_params params; /* mac: the one in use */
	uint64_t arp_req_rx, arp_reply_tx, arp_reply_rx, arp_req_tx, arp_no_mbuf;
	uint64_t decap_packets, decap_bytes;
	unsigned int n_neigh;
	struct {
		uint32_t ip;
		uint8_t mac[6];
		bool resolved, is_static;
		uint32_t age_s; /* since the last answer */
		uint32_t users; /* tunnels through it */
	} neigh[VTEP_INFO_NEIGH_MAX];
	unsigned int n_remotes;
	struct {
		char bridge[VSW_NAME_MAX];
		char port[VSW_NAME_MAX];
		uint32_t vni, ip, next_hop;
		uint32_t mtu_needed; /* largest MTU a dropped frame needed, 0 = none dropped */
	} remotes[VTEP_INFO_REMOTES_MAX];
};
/* As dp_bridge_info_at: -ENOENT past the end, -EAGAIN for an empty slot. */
int vtep_info_at(struct dp *dp, unsigned int idx, struct vtep_info *info);
/* The remote VTEP behind tunnel port idx: 0 and *ip, or -ENOENT. */
int vtep_port_remote(struct dp *dp, uint16_t idx, uint32_t *ip);

#endif
