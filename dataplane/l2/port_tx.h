/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Egress stage: puts a frame on a worker's buffer for one port, with the 802.1Q tag the
 * port wants for the frame's VLAN, and sends the buffers in bursts.
 */
#ifndef VSW_PORT_TX_H
#define VSW_PORT_TX_H

#include "dp.h"

/* Frame m of VLAN vid, which arrived with (tagged) or without an 802.1Q tag, goes out of
 * port out. Consumes m: queued, or dropped and counted on out. */
void port_tx_enqueue(struct worker *w, struct port *out, struct rte_mbuf *m, uint16_t vid,
		     bool tagged);
/* Send every non-empty buffer of this worker. Frames the port does not take are dropped
 * and counted as tx_full on that port. */
void port_tx_flush(struct worker *w);

#endif
