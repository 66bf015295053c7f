/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The polling loop of one worker lcore: receive from each of its ports in turn, forward,
 * flush the tx buffers, then report a QSBR quiescent state: at that point it holds no
 * pointer to any port, bridge or port set, which is what lets the control thread free
 * them. When nothing arrives for a while the worker sleeps, doubling the sleep up to
 * idle_sleep_max_us (like OVS's pmd-sleep-max), and goes offline for QSBR meanwhile so a
 * grace period never waits for a sleeper.
 */
#include <time.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "bridge_input.h"
#include "dp.h"
#include "overlay/vtep.h"
#include "port_tx.h"

/* Empty polls before the first sleep: a short gap between bursts must not cost latency. */
#define IDLE_POLLS_BEFORE_SLEEP 1024

static void worker_idle_sleep(struct worker *w, uint32_t us)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)us * 1000};

	rte_rcu_qsbr_thread_offline(w->dp->qsbr, w->idx);
	nanosleep(&ts, NULL);
	rte_rcu_qsbr_thread_online(w->dp->qsbr, w->idx);
}

int worker_main(void *arg)
{
	struct worker *w = arg;
	struct dp *dp = w->dp;
	uint32_t idle_polls = 0, sleep_us = 0;
	/* Busy share by cycles, not loops: an empty poll costs a few ns and a full burst a
	 * few us, so counting loops says "1% busy" of a worker that has little left. The
	 * cycles of a loop are charged at the start of the next one, from the TSC read there
	 * anyway: no extra rdtsc on the fast path. */
	uint64_t prev_tsc = rte_rdtsc();
	bool prev_moved = false;

	rte_rcu_qsbr_thread_register(dp->qsbr, w->idx);
	rte_rcu_qsbr_thread_online(dp->qsbr, w->idx);

	while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
		const struct port_set *ps =
			atomic_load_explicit(&w->rx_ports, memory_order_acquire);
		uint32_t now_s = atomic_load_explicit(&dp->clock_s, memory_order_relaxed);
		uint64_t tsc = rte_rdtsc();
		unsigned int moved = 0;

		if (prev_moved)
			w->busy_tsc += tsc - prev_tsc;
		w->loop_tsc += tsc - prev_tsc;
		prev_tsc = tsc;

		for (unsigned int i = 0; i < ps->n; i++) {
			struct port *p = ps->p[i];

			/* an underlay port carries VXLAN and ARP, not bridged frames */
			moved += unlikely(p->vtep != NULL) ? vxlan_decap_burst(w, p, now_s, tsc)
							   : bridge_input_burst(w, p, now_s, tsc);
		}
		port_tx_flush(w);
		rte_rcu_qsbr_quiescent(dp->qsbr, w->idx);

		w->loops++;
		prev_moved = moved != 0;
		if (moved) {
			w->busy_loops++;
			idle_polls = 0;
			sleep_us = 0;
			continue;
		}
		if (dp->idle_sleep_max_us == 0 || ++idle_polls < IDLE_POLLS_BEFORE_SLEEP)
			continue;
		sleep_us = sleep_us ? RTE_MIN(sleep_us * 2, dp->idle_sleep_max_us) : 1;
		worker_idle_sleep(w, sleep_us);
	}

	rte_rcu_qsbr_thread_offline(dp->qsbr, w->idx);
	rte_rcu_qsbr_thread_unregister(dp->qsbr, w->idx);
	return 0;
}
