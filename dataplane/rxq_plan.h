/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which worker polls which rx queue: a pure function of the queues and the workers, kept
 * apart from DPDK so that tests/unit/test_rxq_plan.c can check it (worker.c applies it).
 */
#ifndef VSW_RXQ_PLAN_H
#define VSW_RXQ_PLAN_H

#include <stdint.h>

/* One rx queue: its port (any number that tells ports apart) and the worker polling it,
 * -1 while nobody does. */
struct rxq_slot {
	uint16_t port;
	uint16_t q;
	int worker;
};

/* Give every slot a worker in 0..n_workers-1, balancing the number of queues per worker
 * (round-robin by load). Queues already polled stay where they are unless the loads
 * differ by more than one, then queues move from the busiest worker to the idlest, one at
 * a time; new queues go to the least loaded worker, on a tie to one that polls fewer
 * queues of the same port (so a port's queues spread over the workers). Writes
 * slots[i].worker; returns the number of moves made to even out the loads. */
unsigned int rxq_plan(struct rxq_slot *slots, unsigned int n, unsigned int n_workers);

#endif
