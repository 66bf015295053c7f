/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which tx queue of a port each worker sends on: a pure function of the queues the port
 * can use and the number of workers, kept apart from DPDK so that
 * tests/unit/test_txq_plan.c can check it (port.c applies it, l2/port_tx.c reads it).
 */
#ifndef VSW_TXQ_PLAN_H
#define VSW_TXQ_PLAN_H

#include <stdint.h>

/* One worker's entry: the queue in the low bits, TXQ_SHARED when other workers send on the
 * same queue, so that this one must take the queue's lock. */
#define TXQ_SHARED 0x80
#define TXQ_QUEUE 0x7f

/* Fill map[0..n_workers-1]: worker w sends on the (w % k)-th usable queue, k the number
 * of usable queues, those of bit q < n_txq set in usable (at most 32 queues). With no
 * usable queue, everyone sends on queue 0: the queue a vhost-user guest enables first.
 * Returns the most workers sending on one queue (1: none is shared). */
static inline unsigned int txq_plan(uint32_t usable, unsigned int n_txq, unsigned int n_workers,
				    uint8_t *map)
{
	uint8_t q[32], users[32] = {0};
	unsigned int k = 0, most = 0;

	if (n_txq < 32)
		usable &= (1u << n_txq) - 1;
	for (unsigned int i = 0; i < 32 && i <= TXQ_QUEUE; i++)
		if (usable & (1u << i))
			q[k++] = (uint8_t)i;
	if (k == 0)
		q[k++] = 0;
	for (unsigned int w = 0; w < n_workers; w++)
		if (++users[w % k] > most)
			most = users[w % k];
	for (unsigned int w = 0; w < n_workers; w++)
		map[w] = (uint8_t)(q[w % k] | (users[w % k] > 1 ? TXQ_SHARED : 0));
	return most;
}

#endif
