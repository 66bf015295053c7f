/* SPDX-License-Identifier: BSD-3-Clause */
/* The `info` command: what runs where, since when, and how busy each worker is. */
#include <string.h>

#include <rte_cycles.h>

#include "dp.h"

void dp_info_get(struct dp *dp, struct dp_info *info)
{
	memset(info, 0, sizeof(*info));
	info->version = VSW_VERSION;
	info->uptime_s = (rte_get_tsc_cycles() - dp->start_tsc) / rte_get_tsc_hz();
	info->hugepages = dp->hugepages;
	info->control_lcore = dp->control_lcore;
	info->idle_sleep_max_us = dp->idle_sleep_max_us;
	info->n_workers = dp->n_workers;
	for (unsigned int i = 0; i < dp->n_workers && i < 8; i++) {
		struct worker *w = dp->workers[i];
		const struct rxq_set *rs = atomic_load(&w->rxqs);
		/* the worker's counters are plain: a torn read only skews one sample */
		uint64_t cycles = w->loop_tsc, busy = w->busy_tsc;
		struct dp_worker_info *wi = &info->workers[i];

		wi->lcore = w->lcore;
		wi->cpu = w->cpu;
		/* a port once, however many of its queues the worker polls */
		for (unsigned int j = 0; j < rs->n; j++) {
			unsigned int k = 0;

			while (k < wi->n_ports && wi->ports[k] != rs->r[j].p->idx)
				k++;
			if (k == wi->n_ports && k < VSW_MAX_PORTS)
				wi->ports[wi->n_ports++] = rs->r[j].p->idx;
		}
		wi->busy_pct = cycles > w->info_tsc ? 100.0 * (double)(busy - w->info_busy) /
							      (double)(cycles - w->info_tsc)
						    : 0.0;
		w->info_tsc = cycles;
		w->info_busy = busy;
	}
	for (int i = 0; i < VSW_MAX_BRIDGES; i++)
		info->n_bridges += dp->bridges[i] != NULL;
	for (int i = 0; i < VSW_MAX_PORTS; i++)
		info->n_ports += atomic_load(&dp->ports[i]) != NULL;
}
