/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The graph's walk loop with per-node statistics compiled out. rte_graph_walk() is an
 * inline function of rte_graph_worker.h, and whether it reads the TSC twice around every
 * node call is decided where it is inlined, by RTE_LIBRTE_GRAPH_STATS, which Debian's
 * rte_config.h sets to 1. An application built on rte_graph can choose 0 for its workers
 * (it loses rte_graph_cluster_stats' cycle counts), so graph_vs_loop measures both; the
 * choice has to be made per translation unit, hence this file.
 */
#include <rte_config.h>
#undef RTE_LIBRTE_GRAPH_STATS
#define RTE_LIBRTE_GRAPH_STATS 0

#include <rte_graph_worker.h>

#include "graph_vs_loop.h"

void gvl_walk_nostats(struct rte_graph *g, const _Atomic bool *stop)
{
	while (!atomic_load_explicit(stop, memory_order_relaxed))
		rte_graph_walk(g);
}
