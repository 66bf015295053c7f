/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow tables, the write side (flow_ctl.c): dp_flow_add/del/mod/dump of dp_ctl.h, plus
 * what the rest of the control path needs. Control thread only; nodes never include it.
 */
#ifndef VSW_FLOW_CTL_H
#define VSW_FLOW_CTL_H

#include "dp.h"

struct flow_entry;

/* The control loop, every pass: install base rebuilds finished in the background, and
 * start one for bridges whose rules have been quiet for a while with changes unmerged. */
void flow_tick(struct dp *dp);

/* Start merging br's changes into a new base now, unless a merge is in flight; with
 * wait, wait for it and install it (tests). */
int flow_bridge_merge(struct dp *dp, struct bridge *br, bool wait);

/* How br's rules are held: all rules, base entries, rules in the delta, dead base
 * entries, and whether a merge is in flight. */
struct flow_shape {
	uint32_t rules, base, delta, dead;
	bool merging;
};
void flow_bridge_shape(struct bridge *br, struct flow_shape *s);

/* The id of the rule that a classifier entry stands for (tests, debugging). */
uint32_t flow_entry_id(const struct flow_entry *e);

/* How many rules, in all bridges, name port p (in_port, output or mirror), listed in buf
 * ("br0 flow 3 (web), br1 flow 7", cut short with "..." when it does not fit). Ports that
 * rules name are not deleted: the next port would take the index and the rules. */
int flow_port_users(struct dp *dp, const struct port *p, char *buf, size_t size);

/* A bridge is going away and no worker can reach it: free its table and rules. */
void flow_bridge_free(struct bridge *br);

#endif
