/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An in-memory dataplane behind dp_ctl.h, with no DPDK: bridges, ports and a MAC table
 * kept in plain arrays, with the same errors the real one gives for the obvious cases
 * (exists, missing, in use, full). It records the last call and its arguments so the
 * control-socket tests can check what a request turned into, and it can be told to fail
 * the next call. Shared by tests/unit/test_ctl.c and tests/fuzz/fuzz_ctl_request.c.
 */
#ifndef VSW_FAKE_DP_H
#define VSW_FAKE_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp_ctl.h"

#define FAKE_FDB_MAX 4096
#define FAKE_FLOW_MAX 64

struct fake_bridge {
	bool used;
	char name[VSW_NAME_MAX];
	struct dp_bridge_params params;
	uint32_t vni, remote_max_macs; /* overlay/vtep_ctl.h */
};

struct fake_port {
	bool used;
	char name[VSW_NAME_MAX];
	struct dp_port_params params;
	int bridge; /* index in bridges, -1 when detached */
	struct dp_vlan_cfg vlan;
	struct dp_port_stats stats;
};

struct fake_fdb {
	int bridge;
	uint8_t mac[6];
	uint16_t vlan;
	uint16_t port;
	bool is_static;
	uint32_t age_s;
};

struct dp {
	struct fake_bridge bridges[VSW_MAX_BRIDGES];
	struct fake_port ports[VSW_MAX_PORTS];
	struct fake_fdb fdb[FAKE_FDB_MAX];
	unsigned int n_fdb;

	/* what the last dp_* call was asked to do */
	unsigned int n_calls;
	char last_call[32];
	char last_name[VSW_NAME_MAX];  /* bridge or port name (first name argument) */
	char last_name2[VSW_NAME_MAX]; /* second name argument, "" when none or NULL */
	bool last_name2_null;	       /* the second name argument was NULL */
	struct dp_bridge_params last_bp;
	struct dp_port_params last_pp;
	struct dp_vlan_cfg last_vlan;
	unsigned int last_mask;
	uint8_t last_mac[6];
	uint16_t last_vid;
	bool last_static;

	/* flow rules: kept in order of addition (priority order is the real one's job) */
	struct dp_flow flows[FAKE_FLOW_MAX];
	int flow_bridge[FAKE_FLOW_MAX];
	unsigned int n_flows;
	uint32_t next_flow_id;
	struct dp_flow last_flow; /* first flow of the last flow_add, or flow_mod's */
	unsigned int last_n;	  /* flows in the last flow_add */
	uint32_t last_id;	  /* flow_del/flow_mod selector */
	bool last_set_priority;

	/* the next call that can fail returns fail_rc (< 0) with fail_msg */
	int fail_rc;
	char fail_msg[256];
};

struct dp *fake_dp_new(void);
void fake_dp_free(struct dp *dp);
/* Back to the state of fake_dp_new, touching only the slots in use (cheap for a fuzzer). */
void fake_dp_reset(struct dp *dp);
void fake_dp_fail_next(struct dp *dp, int rc, const char *msg);
/* A learned entry, as a worker would have made it. 0 or -errno. */
int fake_dp_learn(struct dp *dp, const char *bridge, const uint8_t mac[6], uint16_t vlan,
		  const char *port, uint32_t age_s);

#endif
