/* SPDX-License-Identifier: BSD-3-Clause */
/* Ingress stage of the learning bridge: receive a burst from one port and forward it. */
#ifndef VSW_BRIDGE_INPUT_H
#define VSW_BRIDGE_INPUT_H

#include "dp.h"

/* Returns the number of frames received. */
unsigned int bridge_input_burst(struct worker *w, struct port *in, uint32_t now_s, uint64_t tsc);

#endif
