/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rx queue placement (rxq_plan.h). Moving a queue costs two grace periods and a short
 * pause of that queue (worker.c), so the plan keeps queues in place and only evens out
 * loads that differ by more than one queue; that also makes it stable: planning a plan's
 * result again moves nothing.
 */
#include <stdbool.h>

#include "rxq_plan.h"

#define PLAN_MAX_WORKERS 64

static unsigned int same_port(const struct rxq_slot *slots, unsigned int n, uint16_t port,
			      int worker)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++)
		k += slots[i].port == port && slots[i].worker == worker;
	return k;
}

unsigned int rxq_plan(struct rxq_slot *slots, unsigned int n, unsigned int n_workers)
{
	unsigned int load[PLAN_MAX_WORKERS] = {0}, moved = 0;

	if (n_workers == 0)
		return 0;
	if (n_workers > PLAN_MAX_WORKERS)
		n_workers = PLAN_MAX_WORKERS;
	for (unsigned int i = 0; i < n; i++) {
		if (slots[i].worker >= (int)n_workers)
			slots[i].worker = -1; /* a worker that is no more: place it again */
		if (slots[i].worker >= 0)
			load[slots[i].worker]++;
	}
	for (unsigned int i = 0; i < n; i++) {
		unsigned int best = 0, best_same = 0;

		if (slots[i].worker >= 0)
			continue;
		for (unsigned int w = 0; w < n_workers; w++) {
			unsigned int same = same_port(slots, n, slots[i].port, (int)w);

			if (w == 0 || load[w] < load[best] ||
			    (load[w] == load[best] && same < best_same)) {
				best = w;
				best_same = same;
			}
		}
		slots[i].worker = (int)best;
		load[best]++;
	}
	for (;;) {
		unsigned int hi = 0, lo = 0;
		int pick = -1;

		for (unsigned int w = 1; w < n_workers; w++) {
			if (load[w] > load[hi])
				hi = w;
			if (load[w] < load[lo])
				lo = w;
		}
		if (load[hi] <= load[lo] + 1)
			break;
		/* from the busiest worker, a queue of a port the idlest one polls least of */
		for (unsigned int i = 0; i < n; i++) {
			if (slots[i].worker != (int)hi)
				continue;
			if (pick < 0 || same_port(slots, n, slots[i].port, (int)lo) <
						same_port(slots, n, slots[pick].port, (int)lo))
				pick = (int)i;
		}
		slots[pick].worker = (int)lo;
		load[hi]--;
		load[lo]++;
		moved++;
	}
	return moved;
}
