/* SPDX-License-Identifier: BSD-3-Clause */
/* Ingress stage of the learning bridge: forward a burst received on one port (the worker
 * polls the rx queue: dataplane/worker.c, several queues of one port may be polled by
 * different workers). */
#ifndef VSW_BRIDGE_INPUT_H
#define VSW_BRIDGE_INPUT_H

#include "dp.h"

/* n frames received on port in, or as if on it: decapsulated frames enter their bridge on
 * the tunnel port of their remote VTEP (overlay/vxlan_decap.c). Consumes them all;
 * returns n. */
unsigned int bridge_input_frames(struct worker *w, struct port *in, struct rte_mbuf **pkts,
				 uint16_t n, uint32_t now_s, uint64_t tsc);
/* The same for frames of which some are traced (in parent) by the stage handing them on. */
struct trace_burst;
unsigned int bridge_input_frames_traced(struct worker *w, struct port *in, struct rte_mbuf **pkts,
					uint16_t n, uint32_t now_s, uint64_t tsc,
					struct trace_burst *parent);

#endif
