/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The polling loop of one worker lcore: receive from each of its (port, rx queue) pairs in
 * turn, forward, flush the tx buffers, then report a QSBR quiescent state: at that point
 * it holds no pointer to any port, bridge or port set, which is what lets the control
 * thread free them. A port's rx queues may sit on several workers; each worker sends on
 * its own tx queue of every port that has enough, else on one it shares under a lock
 * (l2/port_tx.c). Below the loop,
 * the control side: which worker polls which queue (rxq_plan.c decides, rxq_apply
 * publishes). When nothing arrives for a while the worker sleeps, doubling the sleep up to
 * idle_sleep_max_us (like OVS's pmd-sleep-max), and goes offline for QSBR meanwhile so a
 * grace period never waits for a sleeper.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "bridge_input.h"
#include "dp.h"
#include "overlay/vtep.h"
#include "port_tx.h"
#include "rxq_plan.h"

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
		const struct rxq_set *rs = atomic_load_explicit(&w->rxqs, memory_order_acquire);
		uint32_t now_s = atomic_load_explicit(&dp->clock_s, memory_order_relaxed);
		uint64_t tsc = rte_rdtsc();
		unsigned int moved = 0;

		if (prev_moved)
			w->busy_tsc += tsc - prev_tsc;
		w->loop_tsc += tsc - prev_tsc;
		prev_tsc = tsc;

		for (unsigned int i = 0; i < rs->n; i++) {
			struct port *p = rs->r[i].p;
			struct rte_mbuf *pkts[VSW_BURST];
			uint16_t n;

			/* an underlay port carries VXLAN and ARP, not bridged frames; it has one
			 * rx queue (worker_assign) */
			if (unlikely(p->vtep != NULL)) {
				moved += vxlan_decap_burst(w, p, now_s, tsc);
				continue;
			}
			n = rte_eth_rx_burst(p->dpdk_port, rs->r[i].q, pkts, VSW_BURST);
			if (n != 0)
				moved += bridge_input_frames(w, p, pkts, n, now_s, tsc);
		}
		port_tx_flush(w);
		if (likely(w->learn_retry.n == 0) || fdb_retry_run(&w->learn_retry, now_s))
			rte_rcu_qsbr_quiescent(dp->qsbr, w->idx);

		w->loops++;
		prev_moved = moved != 0;
		if (moved) {
			w->busy_loops++;
			idle_polls = 0;
			sleep_us = 0;
			continue;
		}
		if (unlikely(w->learn_retry.n != 0)) /* never offline holding fdb pointers */
			continue;
		if (dp->idle_sleep_max_us == 0 || ++idle_polls < IDLE_POLLS_BEFORE_SLEEP)
			continue;
		sleep_us = sleep_us ? RTE_MIN(sleep_us * 2, dp->idle_sleep_max_us) : 1;
		worker_idle_sleep(w, sleep_us);
	}

	rte_rcu_qsbr_thread_offline(dp->qsbr, w->idx);
	rte_rcu_qsbr_thread_unregister(dp->qsbr, w->idx);
	return 0;
}

/* ---- rx queue assignment (control thread) ---- */

/* control thread only: too big for its stack */
static struct rxq_slot plan_slots[VSW_MAX_PORTS * VSW_MAX_QUEUES];
static int8_t plan_before[VSW_MAX_PORTS * VSW_MAX_QUEUES];

/* The queues to poll after the change: every queue polled now except those of del, plus
 * every queue of add (new: worker -1). */
static unsigned int rxq_slots(struct dp *dp, const struct port *add, const struct port *del)
{
	unsigned int n = 0;

	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct port *p = atomic_load_explicit(&dp->ports[i], memory_order_relaxed);

		if (p == NULL || p == del)
			continue;
		for (uint16_t q = 0; q < p->n_rxq && q < VSW_MAX_QUEUES; q++) {
			if (p != add && p->rxq_worker[q] < 0)
				continue;
			plan_slots[n] = (struct rxq_slot){
				.port = p->idx, .q = q, .worker = p == add ? -1 : p->rxq_worker[q]};
			plan_before[n] = (int8_t)plan_slots[n].worker;
			n++;
		}
	}
	return n;
}

/* Publish sets[w] for every worker that has one, wait one grace period, free the old. */
static void rxq_publish(struct dp *dp, struct rxq_set **sets)
{
	struct rxq_set *old[VSW_MAX_WORKERS] = {NULL};

	for (unsigned int w = 0; w < dp->n_workers; w++)
		old[w] = atomic_exchange_explicit(&dp->workers[w]->rxqs, sets[w],
						  memory_order_acq_rel);
	dp_sync(dp);
	for (unsigned int w = 0; w < dp->n_workers; w++)
		free(old[w]);
}

/* Place add's queues (new), drop del's, and rebalance all (rxq_plan). A queue that moves
 * is first taken from its old worker (phase a, one grace period), then given to its new
 * one (phase b), so no rx queue, which is not thread safe, is ever polled by two workers.
 * Every set is allocated before anything is published: on ENOMEM nothing changed. */
static int rxq_apply(struct dp *dp, struct port *add, struct port *del)
{
	struct rxq_set *a[VSW_MAX_WORKERS] = {NULL}, *b[VSW_MAX_WORKERS] = {NULL};
	unsigned int n = rxq_slots(dp, add, del), moves = 0;

	rxq_plan(plan_slots, n, dp->n_workers);
	for (unsigned int i = 0; i < n; i++)
		moves += plan_before[i] >= 0 && plan_before[i] != plan_slots[i].worker;
	for (unsigned int w = 0; w < dp->n_workers; w++) {
		a[w] = malloc(sizeof(*a[w]) + n * sizeof(a[w]->r[0]));
		b[w] = moves ? malloc(sizeof(*b[w]) + n * sizeof(b[w]->r[0])) : NULL;
		if (a[w] == NULL || (moves && b[w] == NULL))
			goto out_free;
		a[w]->n = 0;
		if (b[w] != NULL)
			b[w]->n = 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct port *p =
			atomic_load_explicit(&dp->ports[plan_slots[i].port], memory_order_relaxed);
		int w = plan_slots[i].worker;
		struct rxq_ref ref = {.p = p, .q = plan_slots[i].q};

		if (plan_before[i] < 0 || plan_before[i] == w)
			a[w]->r[a[w]->n++] = ref;
		if (moves)
			b[w]->r[b[w]->n++] = ref;
		p->rxq_worker[ref.q] = (int8_t)w;
	}
	if (del != NULL)
		memset(del->rxq_worker, -1, sizeof(del->rxq_worker));
	/* storm buckets follow the queues; set before any new worker polls them */
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct port *p = atomic_load_explicit(&dp->ports[i], memory_order_relaxed);

		if (p != NULL && p->n_rxq > 0) {
			p->worker = p->rxq_worker[0];
			port_storm_apply(p);
		}
	}
	rxq_publish(dp, a);
	if (moves)
		rxq_publish(dp, b);
	return 0;

out_free:
	for (unsigned int w = 0; w < dp->n_workers; w++) {
		free(a[w]);
		free(b[w]);
	}
	return -ENOMEM;
}

int dp_worker_assign(struct dp *dp, struct port *p)
{
	if (p->n_rxq == 0 || p->rxq_worker[0] >= 0)
		return 0;
	/* vxlan_decap_burst polls queue 0 and runs the VTEP's ARP timer: one worker only */
	if (p->vtep != NULL && p->n_rxq > 1)
		return -EOPNOTSUPP;
	return rxq_apply(dp, p, NULL);
}

void dp_worker_unassign(struct dp *dp, struct port *p)
{
	if (p->worker < 0)
		return;
	/* on ENOMEM the port stays polled; it is still unpublished from dp->ports by the
	 * caller, so its frames are dropped as no_bridge until memory comes back */
	rxq_apply(dp, NULL, p);
}
