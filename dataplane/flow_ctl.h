/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow tables, the write side (flow_ctl.c): dp_flow_add/del/mod/dump of dp_ctl.h, plus
 * what the rest of the control path needs. Control thread only; nodes never include it.
 */
#ifndef VSW_FLOW_CTL_H
#define VSW_FLOW_CTL_H

#include "dp.h"

struct flow_entry;
struct flow_rule;

/* Build a classifier for n rules (n >= 1), tried in the order given (which must be
 * priority, highest first). NULL with errno and a sentence in err on failure. */
struct flow_table *flow_table_build(struct flow_rule *const *rules, unsigned int n, char *err,
				    size_t errsz);
/* Free a table that no worker can reach any more; its rules are left alone. */
void flow_table_free(struct flow_table *ft);

/* The id of the rule that entry e of table ft stands for (for tests and debugging). */
uint32_t flow_table_rule_id(const struct flow_table *ft, const struct flow_entry *e);

/* A bridge is going away and no worker can reach it: free its table and rules. */
void flow_bridge_free(struct bridge *br);

#endif
