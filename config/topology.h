/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The topology model: what one YAML topology file (docs/topology.md) describes, in memory.
 * The loader (topo_load.c) fills it and checks every field on its own; the validator
 * (topo_validate.c) checks how the parts fit together (references, VLAN sets, shared
 * resources); the writer (topo_write.c) turns it back into YAML for `vswctl export`. The
 * controller diffs two of these to plan an apply. Every value is resolved: a field the
 * file leaves out holds its documented default, so two models that mean the same compare
 * equal whatever the spelling. No DPDK here (house rule: config/ never includes DPDK).
 */
#ifndef VSW_TOPOLOGY_H
#define VSW_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "topo_errors.h"

#define TOPO_VERSION 1
#define TOPO_NAME_MAX 32     /* names are 1..31 of [A-Za-z0-9_.-], as on the socket */
#define TOPO_OPT_VAL_MAX 256 /* as DP_PORT_OPT_VAL_MAX in dataplane/dp_ctl.h */
#define TOPO_PORT_OPT_MAX 8
#define TOPO_ACTIONS_MAX 16
#define TOPO_WORKERS_MAX 8  /* as VSW_MAX_WORKERS in dataplane/dp.h */
#define TOPO_PORTS_MAX 256  /* as VSW_MAX_PORTS */
#define TOPO_BRIDGES_MAX 64 /* as VSW_MAX_BRIDGES */
#define TOPO_FLOWS_MAX 65536
#define TOPO_REMOTES_MAX 1024
#define TOPO_VLAN_MAX 4094
#define TOPO_VNI_MAX 16777215
#define TOPO_VLAN_BITMAP_SIZE 512   /* bytes: bit v = VLAN v, as in common/vsw_util.h */
#define TOPO_RECORD_PATH_MAX 1024   /* as DP_RECORD_PATH_MAX in dataplane/capture_ctl.h */
#define TOPO_RECORD_FILTER_MAX 1024 /* as DP_CAPTURE_FILTER_MAX */
#define TOPO_RECORD_SNAPLEN_MAX 262144
#define TOPO_RECORD_FILES_MAX 1000
#define TOPO_RECORD_SIZE_KB_MAX (1u << 30)

/* Where an object was read from; {0, 0} for objects made in memory. */
struct topo_loc {
	uint32_t line;
	uint32_t column;
};

/* ---- dataplane: the process settings (command-line options of vsw-dataplane) ---- */

enum topo_huge { TOPO_HUGE_AUTO, TOPO_HUGE_ON, TOPO_HUGE_OFF };

struct topo_dataplane {
	uint16_t workers[TOPO_WORKERS_MAX]; /* cpus of the polling workers; */
	size_t n_workers;		    /* 0: the dataplane's default */
	uint16_t control_cpu;		    /* default 0 */
	uint32_t memory_mb;		    /* default 512 */
	uint32_t mbufs;			    /* default 32768 */
	uint32_t idle_sleep_max_us;	    /* default 500; 0 = busy poll */
	enum topo_huge huge;		    /* default auto */
};

/* ---- addresses ---- */

struct topo_ip {
	uint8_t family; /* 4 or 6; 0: unset */
	uint8_t prefix; /* 32/128 for a host address */
	uint8_t addr[16];
};

/* ---- ports ---- */

enum topo_port_type {
	TOPO_PORT_PCAP,
	TOPO_PORT_NULL,
	TOPO_PORT_RING,
	TOPO_PORT_AF_PACKET,
	TOPO_PORT_TAP,
	TOPO_PORT_VHOST_USER,
	TOPO_PORT_TYPE_MAX
};
/* The protocol's spelling: "pcap", "null", "ring", "af_packet", "tap", "vhost-user". */
extern const char *const topo_port_type_names[TOPO_PORT_TYPE_MAX];

enum topo_opt_kind { TOPO_OPT_STRING, TOPO_OPT_BOOL, TOPO_OPT_UINT };

/* A type-specific option, typed as port-add's "options" object wants it. */
struct topo_port_opt {
	char key[16];
	enum topo_opt_kind kind;
	char str[TOPO_OPT_VAL_MAX]; /* TOPO_OPT_STRING */
	bool b;			    /* TOPO_OPT_BOOL */
	uint32_t u;		    /* TOPO_OPT_UINT */
	struct topo_loc loc;	    /* of the value */
};

struct topo_port {
	char name[TOPO_NAME_MAX];
	enum topo_port_type type;
	/* sorted by key; an option equal to its default (mode: server, queues: 1, ...) is
	 * not stored, so equal meanings compare equal */
	struct topo_port_opt opts[TOPO_PORT_OPT_MAX];
	size_t n_opts;
	uint32_t storm_pps;   /* default 0 = unlimited */
	uint32_t storm_burst; /* default 64 */
	uint32_t max_macs;    /* default 0 = only the bridge's limit */
	struct topo_loc loc;  /* of the name */
};

/* ---- bridges ---- */

enum topo_vlan_mode { TOPO_VLAN_ACCESS, TOPO_VLAN_TRUNK };

struct topo_bridge_port {
	char port[TOPO_NAME_MAX];
	enum topo_vlan_mode mode;
	uint16_t vlan;			      /* access: untagged frames' VLAN, default 1 */
	uint8_t trunk[TOPO_VLAN_BITMAP_SIZE]; /* trunk: allowed VLANs */
	uint16_t native;		      /* trunk: VLAN of untagged frames, 0 = none */
	struct topo_loc loc;		      /* of the port's name */
	struct topo_loc vlan_loc;	      /* of vlan: or trunk: (for VLAN errors) */
};

/* A MAC that never ages or moves: behind a port of the bridge, or (remote.family != 0,
 * port "") behind a remote VTEP of the bridge's VNI, i.e. on that remote's tunnel port. */
struct topo_static_mac {
	uint8_t mac[6];
	char port[TOPO_NAME_MAX];
	struct topo_ip remote;
	uint16_t vlan; /* default 1 */
	struct topo_loc loc;
	struct topo_loc port_loc; /* of port: or remote: */
};

struct topo_remote {
	struct topo_ip ip;
	struct topo_loc loc;
};

/* A remote's tunnel port as the dataplane named it (vtep-list): observed models only, so
 * that static MACs behind a running remote go to its port whatever its name. */
struct topo_tunnel {
	struct topo_ip remote;
	char port[TOPO_NAME_MAX];
};

enum topo_record_format { TOPO_REC_PCAPNG, TOPO_REC_PCAP };

/* A bridge's recording (record-start): every frame it receives, into rotated files. */
struct topo_record {
	bool present;
	char file[TOPO_RECORD_PATH_MAX];     /* absolute */
	uint32_t max_size_kb;		     /* 0: one file, never rotated */
	uint32_t max_files;		     /* default 8; means something only with max_size_kb */
	char filter[TOPO_RECORD_FILTER_MAX]; /* libpcap syntax, "" = every frame */
	uint32_t snaplen;		     /* default 262144 */
	enum topo_record_format format;	     /* default pcapng */
	/* observed models only (0/false in a file): the dataplane's id; stale = failed or
	 * done (restarted by the next plan); adhoc = not started by the controller (vswctl
	 * capture record): left alone unless the desired state records the bridge */
	uint32_t id;
	bool stale;
	bool adhoc;
	struct topo_loc loc;
	struct topo_loc file_loc;
};

struct topo_bridge {
	char name[TOPO_NAME_MAX];
	uint32_t vni;	      /* 0: not stretched over the overlay */
	uint32_t mac_aging_s; /* default 300 */
	uint32_t max_macs;    /* default 65536 */
	uint32_t move_damp;   /* default 5 */
	uint32_t move_damp_s; /* default 10 */
	struct topo_bridge_port *ports;
	size_t n_ports;
	struct topo_static_mac *static_macs;
	size_t n_static_macs;
	/* overlay (only with a vni) */
	uint16_t vni_vlan;	  /* the bridge VLAN the VNI carries; 0 means 1, the default */
	uint32_t remote_max_macs; /* MACs learned from all remotes together; 0 = no cap */
	uint32_t mtu;		  /* overlay MTU; 0: not given, overlay.vtep.mtu - 50 */
	bool has_remotes;	  /* remotes: given: it replaces overlay.remotes */
	struct topo_remote *remotes;
	size_t n_remotes;
	struct topo_tunnel *tunnels; /* observed only: see struct topo_tunnel */
	size_t n_tunnels;
	struct topo_record record;
	struct topo_loc loc;
	struct topo_loc vni_loc;
	struct topo_loc vni_vlan_loc; /* {0,0} when not given */
	struct topo_loc mtu_loc;
	struct topo_loc remotes_loc;
};

/* ---- overlay ---- */

/* A static next hop on the underlay (vtep-neigh-add): never asked by ARP, never aged. */
struct topo_neigh {
	struct topo_ip ip;
	uint8_t mac[6];
	struct topo_loc loc;
};

#define TOPO_VXLAN_OVERHEAD 50	/* outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 */
#define TOPO_VXLAN6_OVERHEAD 70 /* the same over IPv6: its header is 40 bytes */

struct topo_overlay {
	bool present;
	char name[TOPO_NAME_MAX];    /* the VTEP's name on the socket, default "vtep0" */
	struct topo_ip local_ip;     /* IPv4 or IPv6: the VTEP's family, which its gateway,
				      * remotes, next hops and remote MACs' remote: share */
	uint8_t prefix_len;	     /* of the underlay subnet, default 24 (IPv4), 64 (IPv6) */
	struct topo_ip gateway;	     /* next hop for remotes off the subnet; family 0: none */
	char port[TOPO_NAME_MAX];    /* the underlay port */
	uint16_t udp_port;	     /* default 4789 */
	uint16_t mtu;		     /* underlay IP MTU, default 1500 (IPv6: 1280 at least) */
	uint8_t ttl;		     /* outer TTL or hop limit, default 64 */
	struct topo_remote *remotes; /* the flood list of every bridge with a vni and no
				      * remotes: of its own */
	size_t n_remotes;
	struct topo_neigh *neighbours;
	size_t n_neighbours;
	struct topo_loc loc;
	struct topo_loc local_ip_loc;
	struct topo_loc port_loc;
	struct topo_loc mtu_loc;
	struct topo_loc prefix_loc;
	struct topo_loc gateway_loc;
};

/* ---- flows ---- */

enum topo_match_field {
	TOPO_M_IN_PORT,
	TOPO_M_VLAN,
	TOPO_M_ETH_SRC,
	TOPO_M_ETH_DST,
	TOPO_M_ETH_TYPE,
	TOPO_M_IP_SRC,
	TOPO_M_IP_DST,
	TOPO_M_IP_PROTO,
	TOPO_M_L4_SRC,
	TOPO_M_L4_DST,
	TOPO_M_VNI,
	TOPO_M_MAX
};
#define TOPO_M_BIT(f) (1u << (f))

#define TOPO_ETH_IPV4 0x0800
#define TOPO_ETH_ARP 0x0806
#define TOPO_ETH_VLAN 0x8100
#define TOPO_ETH_IPV6 0x86dd
#define TOPO_IPPROTO_ICMP 1
#define TOPO_IPPROTO_TCP 6
#define TOPO_IPPROTO_UDP 17
#define TOPO_IPPROTO_ICMPV6 58
#define TOPO_IPPROTO_SCTP 132

/* Only the fields whose bit is in `fields` mean anything; the others are zero. */
struct topo_match {
	uint32_t fields; /* TOPO_M_BIT() of each field matched */
	char in_port[TOPO_NAME_MAX];
	uint16_t vlan;
	uint8_t eth_src[6], eth_src_mask[6]; /* mask ff:ff:ff:ff:ff:ff when none given */
	uint8_t eth_dst[6], eth_dst_mask[6];
	uint16_t eth_type;
	struct topo_ip ip_src, ip_dst; /* with their prefix; host bits are zero */
	uint8_t ip_proto;
	uint16_t l4_src, l4_dst;
	uint32_t vni;
	struct topo_loc loc[TOPO_M_MAX]; /* of each field's value */
};

enum topo_action_type {
	TOPO_ACT_DROP,
	TOPO_ACT_OUTPUT, /* port */
	TOPO_ACT_FLOOD,
	TOPO_ACT_NORMAL,
	TOPO_ACT_PUSH_VLAN, /* vlan */
	TOPO_ACT_POP_VLAN,
	TOPO_ACT_SET_VLAN, /* vlan */
	TOPO_ACT_MIRROR,   /* port */
	TOPO_ACT_COUNT,
	TOPO_ACT_MAX
};
extern const char *const topo_action_names[TOPO_ACT_MAX];

struct topo_action {
	enum topo_action_type type;
	char port[TOPO_NAME_MAX]; /* output, mirror */
	uint16_t vlan;		  /* push_vlan, set_vlan */
	struct topo_loc loc;
};

struct topo_flow {
	char name[TOPO_NAME_MAX]; /* optional; "" when none */
	char bridge[TOPO_NAME_MAX];
	uint16_t priority; /* default 32768; higher wins */
	struct topo_match match;
	struct topo_action actions[TOPO_ACTIONS_MAX];
	size_t n_actions;
	struct topo_loc loc;
	struct topo_loc bridge_loc;
};

/* ---- the whole file ---- */

struct topo {
	uint32_t version;
	struct topo_dataplane dataplane;
	struct topo_port *ports;
	size_t n_ports;
	struct topo_bridge *bridges;
	size_t n_bridges;
	struct topo_overlay overlay;
	struct topo_flow *flows;
	size_t n_flows;
};

/*
 * Load and validate. On success returns the model and leaves errs empty; on any error
 * returns NULL with every error found in errs (sorted by place), syntax errors included.
 * name is what messages call the buffer (a file name). errs must have been initialised
 * with topo_errors_init; the caller clears it.
 */
struct topo *topo_load_file(const char *path, struct topo_errors *errs);
struct topo *topo_load_buf(const char *name, const char *buf, size_t len, struct topo_errors *errs);
void topo_free(struct topo *t);

/* An empty topology with every default in place (for models built without a file). */
struct topo *topo_new(void);

/*
 * The cross-object checks alone, for a model built or changed in memory (the controller
 * after an imperative `vswctl port add`). Adds errors to errs, naming `file`; returns the
 * number added. topo_load_* already run it.
 */
size_t topo_validate(const struct topo *t, const char *file, struct topo_errors *errs);

/* Write as YAML that topo_load_* reads back into an equal model. 0 or -errno. */
int topo_write_yaml(const struct topo *t, FILE *f);

/* Equality of meaning: locations are ignored, option order does not matter. */
bool topo_port_equal(const struct topo_port *a, const struct topo_port *b);
bool topo_bridge_equal(const struct topo_bridge *a, const struct topo_bridge *b);
bool topo_flow_equal(const struct topo_flow *a, const struct topo_flow *b);
bool topo_equal(const struct topo *a, const struct topo *b);

/* Lookups by name; NULL when absent. */
const struct topo_port *topo_port_find(const struct topo *t, const char *name);
const struct topo_bridge *topo_bridge_find(const struct topo *t, const char *name);
/* The bridge a port is attached to, or NULL. */
const struct topo_bridge *topo_port_bridge(const struct topo *t, const char *port);

/* The remote VTEPs a bridge floods to: its own remotes: when given, else overlay.remotes;
 * none without a vni. */
const struct topo_remote *topo_bridge_remotes(const struct topo *t, const struct topo_bridge *b,
					      size_t *n);
/* The bridge's overlay MTU: its mtu, or the underlay's minus the VXLAN headers. */
uint32_t topo_bridge_mtu(const struct topo *t, const struct topo_bridge *b);
/* The bytes VXLAN adds on the underlay: TOPO_VXLAN6_OVERHEAD for an IPv6 local_ip, else
 * TOPO_VXLAN_OVERHEAD. */
uint32_t topo_overlay_overhead(const struct topo_overlay *ov);
/* prefix_len when none is given: 64 for an IPv6 local_ip, else 24. */
uint8_t topo_overlay_default_prefix(const struct topo_overlay *ov);
/* The VLAN the bridge's VNI carries (vni_vlan, 0 read as the default 1). */
uint16_t topo_bridge_vni_vlan(const struct topo_bridge *b);

/* The name of the tunnel port of remote ip in bridge b: the observed one (b->tunnels),
 * else the dataplane's default "vx<VNI>-<ip>" (inet_ntop's text, ':' written '_', as
 * overlay/vtep.c makes it), or, where that is longer than 31 characters (which the
 * dataplane refuses unless port= is given), "vx<VNI>-<FNV-1a of the 16 address bytes, 8
 * hex digits>". The controller always sends the name as port=. buf >= TOPO_NAME_MAX. */
void topo_tunnel_name(const struct topo_bridge *b, const struct topo_ip *ip, char *buf,
		      size_t size);
/* Do two recordings write the same files the same way? (id, stale, adhoc and places are
 * not compared; max_files only with rotation.) */
bool topo_record_equal(const struct topo_record *a, const struct topo_record *b);

/* "198.18.0.0/24" (the prefix only when shorter than the address); buf >= 48 bytes. */
void topo_ip_format(const struct topo_ip *ip, bool with_prefix, char *buf, size_t size);

#endif
