/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture tap stage, run by a worker only while a capture is on (capture.h): filter,
 * copy, enqueue. The frame itself is only read: it goes on to forwarding (or to its drop)
 * whatever happens here. Copies come from the capture pool, never from the forwarding
 * pool, so a slow consumer can exhaust capture buffers but not packet buffers.
 * Counters (per capture, per worker): captured, filtered_out, ring_full, no_mbuf.
 */
#include <stdarg.h>
#include <stdio.h>

#include <rte_bpf.h>
#include <rte_cycles.h>
#include <rte_ring.h>

#include "capture.h"
#include "capture_fmt.h"

static inline bool capture_match(const struct capture *c, struct rte_mbuf *m)
{
	if (c->bpf == NULL)
		return true;
	if (likely(c->jit != NULL))
		return c->jit(m) != 0;
	return rte_bpf_exec(c->bpf, m) != 0;
}

static inline struct rte_mbuf *capture_copy(struct capture *c, struct capture_ctr *ctr,
					    struct rte_mbuf *m, uint64_t tsc, uint16_t port,
					    uint8_t dir)
{
	struct rte_mbuf *cp = rte_pktmbuf_copy(m, c->pool, 0, c->snaplen);
	struct capture_meta *meta;

	if (unlikely(cp == NULL)) {
		ctr->no_mbuf++;
		return NULL;
	}
	meta = rte_mbuf_to_priv(cp);
	meta->tsc = tsc;
	meta->orig_len = m->pkt_len;
	meta->port = port;
	meta->dir = dir;
	meta->reason = 0;
	meta->stage = 0;
	return cp;
}

static inline void capture_enqueue(struct capture *c, struct capture_ctr *ctr, struct rte_mbuf **cp,
				   unsigned int n)
{
	unsigned int done;

	if (n == 0)
		return;
	done = rte_ring_mp_enqueue_burst(c->ring, (void *const *)cp, n, NULL);
	ctr->captured += done;
	if (unlikely(done < n)) {
		ctr->ring_full += n - done;
		rte_pktmbuf_free_bulk(cp + done, n - done);
	}
}

/* Trace mode: claim a record for each matching frame while records are left. */
static unsigned int trace_claim(struct capture *c, struct capture_ctr *ctr,
				struct rte_mbuf *const *pkts, uint16_t n, uint64_t tsc,
				struct trace_burst *tb)
{
	struct trace *t = c->trace;

	tb->n = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct trace_rec *r;
		const uint8_t *d = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		uint32_t k = atomic_load_explicit(&t->next, memory_order_relaxed);
		int w;

		if (k >= t->max)
			break;
		if (!capture_match(c, pkts[i])) {
			ctr->filtered_out++;
			continue;
		}
		/* workers polling other queues of the port may claim records too */
		do {
			if (k >= t->max)
				return tb->n;
		} while (!atomic_compare_exchange_weak_explicit(
			&t->next, &k, k + 1, memory_order_relaxed, memory_order_relaxed));
		r = &t->rec[k];
		r->tsc = tsc;
		w = snprintf(r->text, sizeof(r->text), "rx: ");
		r->len = (uint32_t)(w > 0 ? w : 0);
		r->len += (uint32_t)capfmt_describe(r->text + r->len, sizeof(r->text) - r->len, d,
						    rte_pktmbuf_data_len(pkts[i]));
		tb->m[tb->n] = pkts[i];
		tb->rec[tb->n] = r;
		tb->ended[tb->n] = false;
		tb->n++;
		ctr->captured++;
	}
	return tb->n;
}

void trace_step(struct trace_burst *tb, const struct rte_mbuf *m, bool end, const char *fmt, ...)
{
	struct trace_rec *r;
	va_list ap;
	int w;

	if (tb == NULL)
		return;
	for (unsigned int i = 0; i < tb->n; i++) {
		if (tb->m[i] != m || tb->ended[i])
			continue;
		r = tb->rec[i];
		if (r->len + 2 >= sizeof(r->text))
			return;
		r->text[r->len++] = '\n';
		va_start(ap, fmt);
		w = vsnprintf(r->text + r->len, sizeof(r->text) - r->len, fmt, ap);
		va_end(ap);
		if (w > 0)
			r->len = RTE_MIN(r->len + (uint32_t)w, (uint32_t)sizeof(r->text) - 1);
		tb->ended[i] = end;
		return;
	}
}

void trace_burst_end(struct trace_burst *tb)
{
	for (unsigned int i = 0; i < tb->n; i++) {
		if (!tb->ended[i])
			trace_step(tb, tb->m[i], true, "fate: not recorded by any stage");
		atomic_store_explicit(&tb->rec[i]->done, 1, memory_order_release);
	}
	tb->n = 0;
}

void trace_burst_adopt(struct trace_burst *tb, struct trace_burst *parent,
		       struct rte_mbuf *const *pkts, uint16_t n)
{
	for (unsigned int i = 0; i < parent->n; i++) {
		bool mine = false;

		if (parent->ended[i])
			continue;
		for (uint16_t k = 0; k < n && !mine; k++)
			mine = pkts[k] == parent->m[i];
		if (!mine)
			continue;
		for (unsigned int k = 0; mine && k < tb->n; k++)
			mine = tb->m[k] != parent->m[i];
		if (!mine || tb->n == VSW_BURST) {
			/* also traced on this port (with its own record), or no room */
			trace_step(parent, parent->m[i], true,
				   "fate: followed by the trace of the port it goes on to");
			continue;
		}
		tb->m[tb->n] = parent->m[i];
		tb->rec[tb->n] = parent->rec[i];
		tb->ended[tb->n] = false;
		tb->n++;
		parent->ended[i] = true; /* published by tb; parent only stores done again */
	}
}

unsigned int capture_burst(struct capture *c, unsigned int widx, struct rte_mbuf *const *pkts,
			   uint16_t n, uint16_t port, uint8_t dir, struct trace_burst *tb)
{
	struct capture_ctr *ctr = &c->ctr[widx];
	struct rte_mbuf *cp[VSW_TXBUF];
	uint64_t tsc = rte_rdtsc();
	unsigned int ncp = 0;

	unsigned int room;

	if (c->trace != NULL)
		return tb != NULL ? trace_claim(c, ctr, pkts, n, tsc, tb) : 0;

	/* a slow consumer leaves the ring full: then do not copy what cannot be enqueued */
	room = rte_ring_free_count(c->ring);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m;

		if (!capture_match(c, pkts[i])) {
			ctr->filtered_out++;
			continue;
		}
		if (room == 0) {
			ctr->ring_full++;
			continue;
		}
		room--;
		m = capture_copy(c, ctr, pkts[i], tsc, port, dir);
		if (m != NULL)
			cp[ncp++] = m;
		if (ncp == RTE_DIM(cp)) {
			capture_enqueue(c, ctr, cp, ncp);
			ncp = 0;
		}
	}
	capture_enqueue(c, ctr, cp, ncp);
	return 0;
}

void capture_drop_one(struct capture *c, unsigned int widx, struct rte_mbuf *m, uint16_t port,
		      enum vsw_drop reason, enum capture_stage stage)
{
	struct capture_ctr *ctr = &c->ctr[widx];
	struct capture_meta *meta;
	struct rte_mbuf *cp;

	if (c->drop_port != UINT16_MAX && c->drop_port != port)
		return;
	if (!capture_match(c, m)) {
		ctr->filtered_out++;
		return;
	}
	cp = capture_copy(c, ctr, m, rte_rdtsc(), port, CAPTURE_DROP);
	if (cp == NULL)
		return;
	meta = rte_mbuf_to_priv(cp);
	meta->reason = (uint8_t)reason;
	meta->stage = (uint8_t)stage;
	capture_enqueue(c, ctr, &cp, 1);
}
