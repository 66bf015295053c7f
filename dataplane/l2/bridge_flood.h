/* SPDX-License-Identifier: BSD-3-Clause */
/* Flood stage: broadcast, multicast and unknown unicast to every other port of the VLAN. */
#ifndef VSW_BRIDGE_FLOOD_H
#define VSW_BRIDGE_FLOOD_H

#include "dp.h"

/* Consumes m. tsc is the worker's current timestamp counter (storm control). */
void bridge_flood(struct worker *w, struct bridge *br, struct port *in, struct rte_mbuf *m,
		  uint16_t vid, bool tagged, uint64_t tsc);

#endif
