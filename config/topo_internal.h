/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the loader, validator and writer share and nobody else needs: the port option
 * table (the same keys, types and bounds as the dataplane's port-add handler) and the
 * defaults of every field, so all three agree on them.
 */
#ifndef VSW_TOPO_INTERNAL_H
#define VSW_TOPO_INTERNAL_H

#include "topology.h"

#define TOPO_DEF_STORM_BURST 64
#define TOPO_DEF_MAC_AGING_S 300
#define TOPO_DEF_MAX_MACS 65536
#define TOPO_DEF_MOVE_DAMP 5
#define TOPO_DEF_MOVE_DAMP_S 10
#define TOPO_DEF_UDP_PORT 4789
#define TOPO_DEF_VTEP_NAME "vtep0"
#define TOPO_DEF_PREFIX_LEN 24	    /* IPv4 */
#define TOPO_DEF_PREFIX_LEN6 64	    /* IPv6 */
#define TOPO_MIN_UNDERLAY_MTU 576   /* what every IPv4 host must take (RFC 791) */
#define TOPO_MIN_UNDERLAY_MTU6 1280 /* IPv6's minimum link MTU (RFC 8200 section 5) */
#define TOPO_MAX_UNDERLAY_MTU 9216
#define TOPO_DEF_UNDERLAY_MTU 1500
#define TOPO_DEF_TTL 64
#define TOPO_DEF_PRIORITY 32768
#define TOPO_DEF_MEMORY_MB 512
#define TOPO_DEF_MBUFS 32768
#define TOPO_DEF_IDLE_SLEEP_US 500
#define TOPO_DEF_REC_MAX_FILES 8
#define TOPO_DEF_REC_SNAPLEN TOPO_RECORD_SNAPLEN_MAX

enum topo_opt_check { OPT_PATH, OPT_IFACE, OPT_BOOL, OPT_UINT, OPT_MODE };

struct topo_opt_spec {
	enum topo_port_type type;
	const char *key;
	enum topo_opt_check check;
	bool required;
	uint32_t lo, hi; /* OPT_UINT */
	const char *def; /* the value meaning "as if absent" (not stored), or NULL */
	const char *help;
};

extern const struct topo_opt_spec topo_opt_specs[];
extern const size_t topo_n_opt_specs;

const struct topo_opt_spec *topo_opt_spec_find(enum topo_port_type type, const char *key);

/* Is this action a verdict (what happens to the frame in the end)? */
static inline bool topo_action_is_verdict(enum topo_action_type t)
{
	return t == TOPO_ACT_DROP || t == TOPO_ACT_OUTPUT || t == TOPO_ACT_FLOOD ||
	       t == TOPO_ACT_NORMAL;
}

/* Same bridge, priority and match: two such flows would fight over the same frames. */
bool topo_flow_same_key(const struct topo_flow *a, const struct topo_flow *b);

/* Match field names as the file spells them (l4_src, not tcp_src). */
extern const char *const topo_match_names[TOPO_M_MAX];

#endif
