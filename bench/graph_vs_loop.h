/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What bench/graph_vs_loop.c shares with bench/graph_walk_nostats.c: the one-module state
 * and the stop flag. Kept apart because the stats-free walk must be compiled in its own
 * translation unit (see graph_walk_nostats.c).
 */
#ifndef VSW_BENCH_GRAPH_VS_LOOP_H
#define VSW_BENCH_GRAPH_VS_LOOP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct rte_graph;

/* rte_graph_walk() in a loop until *stop, with RTE_LIBRTE_GRAPH_STATS compiled out. */
void gvl_walk_nostats(struct rte_graph *g, const _Atomic bool *stop);

#endif
