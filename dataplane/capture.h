/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture taps, the workers' side. A port carries one capture pointer per direction
 * (port->cap[CAPTURE_RX], port->cap[CAPTURE_TX]) and the dataplane one for drops
 * (dp->drop_cap). With no capture running, a tap costs one relaxed load of that pointer
 * per burst (per dropped frame for drops) and a branch predicted not taken. With one
 * running, capture_tap.c runs its filter (classic BPF from libpcap, converted to eBPF,
 * JIT-compiled) on each frame, copies the matching ones (up to the snap length) into
 * mbufs of the capture's own pool and enqueues them on the capture's ring, which the
 * control thread drains into the consumer's file (capture.c). A full ring or an empty
 * capture pool loses the copy, counted on the capture, never the frame itself.
 */
#ifndef VSW_CAPTURE_H
#define VSW_CAPTURE_H

#include <stdatomic.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dp.h"

/* Where a dropped frame died, for its pcapng comment. */
enum capture_stage {
	CAPTURE_STAGE_BRIDGE_INPUT,
	CAPTURE_STAGE_BRIDGE_FLOOD,
	CAPTURE_STAGE_PORT_TX,
	CAPTURE_STAGE_FLOW_INPUT,
	CAPTURE_STAGE_VXLAN_DECAP, /* overlay/vxlan_decap.c and overlay/arp.c */
	CAPTURE_STAGE_VXLAN_ENCAP, /* overlay/vxlan_encap.c */
	CAPTURE_STAGE_MAX
};

/* Per copy, in the private area of the capture pool's mbufs. */
struct capture_meta {
	uint64_t tsc;
	uint32_t orig_len;
	uint16_t port;	/* port index */
	uint8_t dir;	/* CAPTURE_RX, CAPTURE_TX or CAPTURE_DROP */
	uint8_t reason; /* enum vsw_drop, CAPTURE_DROP only */
	uint8_t stage;	/* enum capture_stage, CAPTURE_DROP only */
};

#define CAPTURE_DROP 2

/* Written only by one worker; read by control. */
struct capture_ctr {
	uint64_t captured;     /* copied and enqueued */
	uint64_t filtered_out; /* did not match the filter: never copied */
	uint64_t ring_full;    /* copied, but the ring was full: the consumer is too slow */
	uint64_t no_mbuf;      /* the capture pool was empty */
} __rte_cache_aligned;

struct rte_bpf;
struct rte_ring;
struct capture_ctl; /* capture.c's control-side state */

/*
 * Packet tracing (vswctl trace): a capture in trace mode records, instead of copying, the
 * next `max` matching frames received on its port, each step each took. A record is
 * written by the one worker that claimed it (a port's rx queues may be polled by several);
 * it is published to control with a
 * release store of done once its frame's fate is known (end of bridge_input for it).
 */
#define TRACE_TEXT_MAX 1536
struct trace_rec {
	_Atomic uint32_t done; /* worker: release 1; control: acquire */
	uint32_t len;
	uint64_t tsc;
	char text[TRACE_TEXT_MAX];
};

struct trace {
	uint32_t max;	       /* records */
	_Atomic uint32_t next; /* next free record; claimed by the workers polling the port */
	struct trace_rec rec[];
};

/* The frames of one burst being traced (on the worker's stack, only while tracing). */
struct trace_burst {
	unsigned int n;
	struct rte_mbuf *m[VSW_BURST];
	struct trace_rec *rec[VSW_BURST];
	bool ended[VSW_BURST];
};

struct capture {
	/* --- read by workers; set before publication, constant after --- */
	struct rte_ring *ring; /* multi-producer, single consumer (control) */
	struct rte_mempool *pool;
	struct rte_bpf *bpf;	 /* NULL: no filter, every frame matches */
	uint64_t (*jit)(void *); /* NULL: interpret bpf */
	uint32_t snaplen;
	uint16_t drop_port;  /* drops of this port index only; UINT16_MAX = any */
	struct trace *trace; /* non-NULL: trace mode (no ring, no copies) */
	/* --- written by workers --- */
	struct capture_ctr ctr[VSW_MAX_WORKERS];
	/* --- control only --- */
	struct capture_ctl *ctl;
};

/* capture_tap.c: the slow side of a tap that is on (not inline: it is not the common case).
 * In trace mode, fills tb with the frames to trace and returns how many. */
unsigned int capture_burst(struct capture *c, unsigned int widx, struct rte_mbuf *const *pkts,
			   uint16_t n, uint16_t port, uint8_t dir, struct trace_burst *tb);
/* Add a line to the trace of frame m if m is traced (tb may be NULL: nothing). With
 * end, the line is the frame's fate. */
void trace_step(struct trace_burst *tb, const struct rte_mbuf *m, bool end, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Publish the records of the burst; a traced frame with no fate recorded gets one. */
void trace_burst_end(struct trace_burst *tb);
/* Take over from parent the traced frames among pkts (a stage hands frames on to the next
 * one, as vxlan_decap to bridge_input): tb then publishes them, parent no longer. */
void trace_burst_adopt(struct trace_burst *tb, struct trace_burst *parent,
		       struct rte_mbuf *const *pkts, uint16_t n);

/* trace.c, traced copies of stages only: the steps of other stages than bridge_input. */
struct flow_table;
struct vtep;
struct vtep_map;
/* The rule of the bridge's flow table each frame hits, and the fate it gives. */
void trace_flow(struct trace_burst *tb, struct worker *w, const struct bridge *br,
		const struct port *in, const struct flow_table *ft, struct rte_mbuf *const *pkts,
		const uint16_t *vids, unsigned int n);
/* What vxlan_decap does with each frame of a burst from VTEP v's underlay port. */
void trace_decap(struct trace_burst *tb, struct dp *dp, const struct vtep *v,
		 const struct vtep_map *map, struct rte_mbuf *const *pkts, uint16_t n);
/* The encapsulation frame m will get on tunnel port out (tag: the 802.1Q tag port_tx
 * puts on or takes off, 1 or 0, or -1 for the frame as it is). With flood, a copy's
 * failure is a step, not the frame's fate. */
void trace_encap(struct trace_burst *tb, const struct rte_mbuf *m, const struct port *out, int tag,
		 bool flood);
void capture_drop_one(struct capture *c, unsigned int widx, struct rte_mbuf *m, uint16_t port,
		      enum vsw_drop reason, enum capture_stage stage);

/* meson -Dtaps=false compiles the taps out (only make bench's capture scenario does, to
 * measure what the taps cost when off; the loads stay, the compiler drops them). */
#ifndef VSW_TAPS
#define VSW_TAPS 1
#endif

/* Tap a burst received on (dir CAPTURE_RX) or about to leave by (CAPTURE_TX) port p.
 * Returns the number of frames to trace (put in tb), 0 when not tracing. */
static inline unsigned int capture_tap(struct worker *w, struct port *p, unsigned int dir,
				       struct rte_mbuf *const *pkts, uint16_t n,
				       struct trace_burst *tb)
{
	struct capture *c = atomic_load_explicit(&p->cap[dir], memory_order_relaxed);

	if (VSW_TAPS && unlikely(c != NULL)) {
		/* pairs with the release store that published c: its fields are set */
		atomic_thread_fence(memory_order_acquire);
		return capture_burst(c, w->idx, pkts, n, p->idx, (uint8_t)dir, tb);
	}
	return 0;
}

/* Tap a burst received on port p of bridge br for the bridge's recording (capture.c). */
static inline void capture_rec_tap(struct worker *w, struct bridge *br, struct port *p,
				   struct rte_mbuf *const *pkts, uint16_t n)
{
	struct capture *c = atomic_load_explicit(&br->rec, memory_order_relaxed);

	if (VSW_TAPS && unlikely(c != NULL)) {
		atomic_thread_fence(memory_order_acquire);
		capture_burst(c, w->idx, pkts, n, p->idx, CAPTURE_RX, NULL);
	}
}

/* Tap a frame about to be freed for reason r at stage s, while still counted on port p. */
static inline void capture_drop(struct worker *w, uint16_t port, struct rte_mbuf *m,
				enum vsw_drop r, enum capture_stage s)
{
	struct capture *c = atomic_load_explicit(&w->dp->drop_cap, memory_order_relaxed);

	if (VSW_TAPS && unlikely(c != NULL)) {
		atomic_thread_fence(memory_order_acquire);
		capture_drop_one(c, w->idx, m, port, r, s);
	}
}

/* capture.c, control thread: drain every capture's ring into its file, end those that
 * reached their count or duration or whose consumer went away. Call every loop. */
void capture_poll(struct dp *dp);
/* Stop every capture on port p (before the port is freed). */
void capture_port_gone(struct dp *dp, struct port *p);
/* Stop and free every capture (shutdown). */
void capture_shutdown(struct dp *dp);

#endif
