/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Captures, the control thread's side (capture_ctl.h; the workers' side is capture.h and
 * capture_tap.c). A capture is started by a client that hands us a file descriptor (a
 * file it opened, or its stdout piped into tshark) along with the request: the filter is
 * compiled here by libpcap, converted to eBPF and JIT-compiled by DPDK, the capture is
 * published on the port, and from then on capture_poll drains its ring every loop into a
 * buffer of pcapng (or pcap) blocks that it writes to the descriptor without ever
 * blocking. A consumer that reads too slowly fills our buffer, then the ring, and frames
 * are lost from the capture (ring_full), never from forwarding. A capture ends when its
 * count or duration is reached, its consumer goes away, it is stopped, or the connection
 * that started it closes; ending unpublishes it, waits out a grace period, writes what
 * the ring still holds and closes the descriptor.
 * Recordings (a bridge's frames into rotating files, written by a thread of their own)
 * are at the end of the file.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_setname_np */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_bpf.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "capture.h"
#include "capture_ctl.h"
#include "capture_fmt.h"

#ifndef VSW_VERSION
#define VSW_VERSION "unknown"
#endif

#define CAPTURE_RING_SIZE 4096
#define CAPTURE_POOL_SIZE 8191
#define CAPTURE_POOL_CACHE 64
#define CAPTURE_OUT_MIN (1u << 20)
/* Frames formatted per capture per control loop: bounds the loop's time with many
 * captures; 8192 per 5 ms loop is far more than a file or pipe consumer takes. */
#define CAPTURE_DRAIN_BUDGET 8192
/* How long stopping a capture may wait for a slow consumer to take the rest. */
#define CAPTURE_FINAL_FLUSH_MS 2000

const char *const dp_capture_state_names[3] = {"running", "done", "failed"};

static const char *const capture_stage_names[CAPTURE_STAGE_MAX] = {
	[CAPTURE_STAGE_BRIDGE_INPUT] = "bridge_input",
	[CAPTURE_STAGE_BRIDGE_FLOOD] = "bridge_flood",
	[CAPTURE_STAGE_PORT_TX] = "port_tx",
	[CAPTURE_STAGE_FLOW_INPUT] = "flow_input",
	[CAPTURE_STAGE_VXLAN_DECAP] = "vxlan_decap",
	[CAPTURE_STAGE_VXLAN_ENCAP] = "vxlan_encap",
};

struct capture_ctl {
	uint32_t id;
	struct dp_capture_params p;
	int fd;		   /* -1 once closed */
	struct port *port; /* NULL: drops of every port */
	enum dp_capture_state state;
	char why[128];
	bool jit;
	uint64_t tsc0, ns0, hz; /* tsc to Unix time */
	uint64_t start_ms, deadline_tsc;
	uint8_t *out; /* formatted blocks waiting for the consumer */
	size_t out_off, out_len, out_cap;
	uint8_t *scratch;	     /* one frame made contiguous */
	int32_t ifid[VSW_MAX_PORTS]; /* pcapng interface of each port index, -1 none yet */
	uint32_t n_if;
	uint64_t written, write_bytes;
	struct rte_mbuf *held; /* dequeued, waits for room in out */
};

static struct capture_main {
	struct capture *caps[DP_CAPTURE_MAX];
	uint32_t next_id;
	struct rte_mempool *pool;
} capture_main;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t tsc_to_ns(const struct capture_ctl *cc, uint64_t tsc)
{
	uint64_t d = tsc > cc->tsc0 ? tsc - cc->tsc0 : 0;

	return cc->ns0 + d / cc->hz * 1000000000u + d % cc->hz * 1000000000u / cc->hz;
}

/* ---- output ---- */

/* Write what is buffered, without blocking. 0, or -errno when the consumer is gone. */
static int out_flush(struct capture_ctl *cc)
{
	while (cc->out_off < cc->out_len) {
		ssize_t n = write(cc->fd, cc->out + cc->out_off, cc->out_len - cc->out_off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		cc->out_off += (size_t)n;
		cc->write_bytes += (uint64_t)n;
	}
	if (cc->out_off == cc->out_len) {
		cc->out_off = 0;
		cc->out_len = 0;
	} else if (cc->out_off > cc->out_cap / 2) {
		memmove(cc->out, cc->out + cc->out_off, cc->out_len - cc->out_off);
		cc->out_len -= cc->out_off;
		cc->out_off = 0;
	}
	return 0;
}

static size_t out_room(const struct capture_ctl *cc)
{
	return cc->out_cap - cc->out_len;
}

/* The interface block of port idx, written before its first frame (pcapng allows an
 * interface to be described anywhere before it is used). */
static int out_iface(struct dp *dp, struct capture_ctl *cc, uint16_t idx)
{
	const char *name;
	size_t n;

	if (cc->p.pcap || cc->ifid[idx] >= 0)
		return 0;
	name = dp_port_name(dp, idx);
	n = capfmt_pcapng_idb(cc->out + cc->out_len, out_room(cc), name != NULL ? name : "?",
			      cc->p.filter, cc->p.snaplen);
	if (n == 0)
		return -ENOBUFS;
	cc->out_len += n;
	cc->ifid[idx] = (int32_t)cc->n_if++;
	return 0;
}

/* Format one copy; -ENOBUFS when the buffer has no room for it now. */
static int out_frame(struct dp *dp, struct capture_ctl *cc, struct rte_mbuf *m)
{
	const struct capture_meta *meta = rte_mbuf_to_priv(m);
	uint32_t caplen = m->pkt_len;
	char comment[CAPFMT_COMMENT_MAX + 1] = "";
	enum capfmt_dir dir = CAPFMT_DIR_NONE;
	const void *data;
	size_t n;
	int rc;

	if (CAPFMT_EPB_MAX(caplen, CAPFMT_COMMENT_MAX) + 512 > out_room(cc))
		return -ENOBUFS;
	rc = out_iface(dp, cc, meta->port);
	if (rc < 0)
		return rc;
	data = rte_pktmbuf_read(m, 0, caplen, cc->scratch);
	if (data == NULL)
		return -EINVAL;
	if (cc->p.pcap) {
		n = capfmt_pcap_record(cc->out + cc->out_len, out_room(cc),
				       tsc_to_ns(cc, meta->tsc), data, caplen, meta->orig_len);
	} else {
		if (meta->dir == CAPTURE_RX)
			dir = CAPFMT_DIR_IN;
		else if (meta->dir == CAPTURE_TX)
			dir = CAPFMT_DIR_OUT;
		if (meta->dir == CAPTURE_DROP) {
			const char *pn = dp_port_name(dp, meta->port);

			snprintf(comment, sizeof(comment), "drop: %s (%s); port %s; stage %s",
				 meta->reason < VSW_DROP_MAX ? vsw_drop_names[meta->reason] : "?",
				 meta->reason < VSW_DROP_MAX ? vsw_drop_help[meta->reason] : "?",
				 pn != NULL ? pn : "?",
				 meta->stage < CAPTURE_STAGE_MAX ? capture_stage_names[meta->stage]
								 : "?");
		}
		n = capfmt_pcapng_epb(cc->out + cc->out_len, out_room(cc),
				      (uint32_t)cc->ifid[meta->port], tsc_to_ns(cc, meta->tsc),
				      data, caplen, meta->orig_len, dir, comment);
	}
	if (n == 0)
		return -ENOBUFS;
	cc->out_len += n;
	cc->written++;
	return 0;
}

/* Move up to budget copies from the ring to the buffer. A copy that does not fit waits
 * in cc->held for the consumer to make room; meanwhile the ring fills up and the workers
 * count ring_full: the backpressure ends there, away from forwarding. */
static void capture_drain(struct dp *dp, struct capture *c, unsigned int budget)
{
	struct capture_ctl *cc = c->ctl;

	for (; budget > 0; budget--) {
		struct rte_mbuf *m = cc->held;

		if (cc->p.count && cc->written >= cc->p.count)
			return;
		cc->held = NULL;
		if (m == NULL && rte_ring_sc_dequeue(c->ring, (void **)&m) != 0)
			return;
		if (out_frame(dp, cc, m) == -ENOBUFS) {
			cc->held = m;
			return;
		}
		rte_pktmbuf_free(m);
	}
}

static bool capture_pending(const struct capture *c)
{
	return c->ctl->held != NULL || (c->ring != NULL && rte_ring_count(c->ring) > 0);
}

/* ---- life cycle ---- */

static void capture_unpublish(struct dp *dp, struct capture *c)
{
	struct capture_ctl *cc = c->ctl;

	if (cc->p.drops) {
		struct capture *old = c;

		atomic_compare_exchange_strong(&dp->drop_cap, &old, NULL);
	} else if (cc->port != NULL) {
		for (int d = CAPTURE_RX; d <= CAPTURE_TX; d++) {
			struct capture *old = c;

			atomic_compare_exchange_strong(&cc->port->cap[d], &old, NULL);
		}
	}
	dp_sync(dp);
}

static void capture_free_dp(struct capture *c)
{
	struct rte_mbuf *m;

	if (c->ctl != NULL) {
		rte_pktmbuf_free(c->ctl->held);
		c->ctl->held = NULL;
	}
	if (c->ring != NULL) {
		while (rte_ring_sc_dequeue(c->ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(c->ring);
		c->ring = NULL;
	}
	if (c->bpf != NULL) {
		rte_bpf_destroy(c->bpf);
		c->bpf = NULL;
		c->jit = NULL;
	}
}

/* End a running capture: nothing more is copied; what was is written (waiting up to
 * wait_ms for the consumer); the descriptor is closed. Counters stay readable. */
static void capture_finish(struct dp *dp, struct capture *c, enum dp_capture_state st,
			   const char *why, int wait_ms)
{
	struct capture_ctl *cc = c->ctl;
	uint64_t deadline = now_ms() + (uint64_t)(wait_ms > 0 ? wait_ms : 0);
	int rc = 0;

	if (cc->state != DP_CAPTURE_RUNNING)
		return;
	capture_unpublish(dp, c);
	cc->port = NULL;
	/* what the workers put in the ring before the grace period ended */
	while (st != DP_CAPTURE_FAILED && capture_pending(c) &&
	       !(cc->p.count && cc->written >= cc->p.count)) {
		capture_drain(dp, c, CAPTURE_DRAIN_BUDGET);
		rc = out_flush(cc);
		if (rc < 0 || (out_room(cc) < cc->out_cap / 2 && now_ms() >= deadline))
			break;
		if (out_room(cc) < cc->out_cap / 2)
			poll(&(struct pollfd){.fd = cc->fd, .events = POLLOUT}, 1, 10);
	}
	while (rc == 0 && cc->out_len > cc->out_off && now_ms() < deadline) {
		rc = out_flush(cc);
		if (cc->out_len > cc->out_off)
			poll(&(struct pollfd){.fd = cc->fd, .events = POLLOUT}, 1, 10);
	}
	if (rc == 0)
		rc = out_flush(cc);
	if (rc < 0 && st == DP_CAPTURE_DONE) {
		st = DP_CAPTURE_FAILED;
		snprintf(cc->why, sizeof(cc->why), "consumer gone: %s", strerror(-rc));
	} else {
		snprintf(cc->why, sizeof(cc->why), "%s", why);
	}
	cc->state = st;
	if (cc->fd >= 0)
		close(cc->fd);
	cc->fd = -1;
	capture_free_dp(c);
	free(cc->out);
	free(cc->scratch);
	cc->out = cc->scratch = NULL;
	cc->out_cap = cc->out_len = cc->out_off = 0;
}

static void capture_forget(unsigned int slot)
{
	struct capture *c = capture_main.caps[slot];

	capture_main.caps[slot] = NULL;
	free(c->ctl);
	rte_free(c->trace); /* read by control until now; workers let go at finish */
	rte_free(c);
}

static int capture_pool_get(struct dp *dp, char *err, size_t errsz)
{
	if (capture_main.pool != NULL)
		return 0;
	capture_main.pool = rte_pktmbuf_pool_create(
		"vsw_capture", CAPTURE_POOL_SIZE, CAPTURE_POOL_CACHE,
		RTE_ALIGN(sizeof(struct capture_meta), RTE_MBUF_PRIV_ALIGN),
		RTE_MBUF_DEFAULT_BUF_SIZE, dp->pool != NULL ? dp->pool->socket_id : SOCKET_ID_ANY);
	if (capture_main.pool == NULL) {
		snprintf(err, errsz, "capture-start: cannot allocate %u capture buffers: %s",
			 CAPTURE_POOL_SIZE, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

/* libpcap filter -> classic BPF -> eBPF -> native code. */
static int capture_filter(struct capture *c, const struct dp_capture_params *p, const char *cmd,
			  char *err, size_t errsz)
{
	struct bpf_program prog;
	struct rte_bpf_prm *prm;
	struct rte_bpf_jit jit;
	pcap_t *pc;

	if (p->filter[0] == '\0')
		return 0;
	pc = pcap_open_dead(DLT_EN10MB, (int)p->snaplen);
	if (pc == NULL) {
		snprintf(err, errsz, "%s: libpcap: out of memory", cmd);
		return -ENOMEM;
	}
	if (pcap_compile(pc, &prog, p->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errsz, "%s: filter \"%.200s\": %s", cmd, p->filter, pcap_geterr(pc));
		pcap_close(pc);
		return -EINVAL;
	}
	pcap_close(pc);
	prm = rte_bpf_convert(&prog);
	pcap_freecode(&prog);
	if (prm == NULL) {
		snprintf(err, errsz, "%s: filter \"%.200s\": cannot convert to eBPF: %s", cmd,
			 p->filter, rte_strerror(rte_errno));
		return -EINVAL;
	}
	c->bpf = rte_bpf_load(prm);
	rte_free(prm);
	if (c->bpf == NULL) {
		snprintf(err, errsz, "%s: filter \"%.200s\": eBPF load failed: %s", cmd, p->filter,
			 rte_strerror(rte_errno));
		return -EINVAL;
	}
	if (rte_bpf_get_jit(c->bpf, &jit) == 0 && jit.func != NULL)
		c->jit = jit.func;
	return 0;
}

int dp_capture_start(struct dp *dp, const struct dp_capture_params *p, uint32_t *id, char *err,
		     size_t errsz)
{
	struct capture_ctl *cc = NULL;
	struct capture *c = NULL;
	struct port *port = NULL;
	char rname[RTE_RING_NAMESIZE];
	struct timespec ts;
	unsigned int slot;
	size_t n;
	int rc;

	for (slot = 0; slot < DP_CAPTURE_MAX && capture_main.caps[slot] != NULL; slot++)
		;
	if (slot == DP_CAPTURE_MAX) {
		snprintf(err, errsz, "capture-start: %d captures already (stop one first)",
			 DP_CAPTURE_MAX);
		return -ENOSPC;
	}
	if (p->drops) {
		if (atomic_load(&dp->drop_cap) != NULL) {
			snprintf(err, errsz, "capture-start: a drop capture is already running");
			return -EBUSY;
		}
	}
	if (p->port[0] != '\0') {
		port = dp_port_find(dp, p->port);
		if (port == NULL) {
			snprintf(err, errsz, "capture-start: no port \"%s\"", p->port);
			return -ENOENT;
		}
	}
	if (!p->drops) {
		if (port == NULL || !(p->dirs & (DP_CAPTURE_DIR_RX | DP_CAPTURE_DIR_TX))) {
			snprintf(err, errsz, "capture-start: a port and a direction are required");
			return -EINVAL;
		}
		for (int d = CAPTURE_RX; d <= CAPTURE_TX; d++) {
			if ((p->dirs & (1u << d)) && atomic_load(&port->cap[d]) != NULL) {
				snprintf(err, errsz,
					 "capture-start: port \"%s\" already has a %s capture "
					 "(stop it first)",
					 p->port, d == CAPTURE_RX ? "rx" : "tx");
				return -EBUSY;
			}
		}
	}
	rc = capture_pool_get(dp, err, errsz);
	if (rc < 0)
		return rc;

	c = rte_zmalloc("vsw_capture", sizeof(*c), RTE_CACHE_LINE_SIZE);
	cc = calloc(1, sizeof(*cc));
	if (c == NULL || cc == NULL) {
		rc = -ENOMEM;
		snprintf(err, errsz, "capture-start: out of memory");
		goto out_free;
	}
	c->ctl = cc;
	c->pool = capture_main.pool;
	c->snaplen = p->snaplen;
	c->drop_port = p->drops && port != NULL ? port->idx : UINT16_MAX;
	cc->p = *p;
	cc->fd = -1;
	cc->port = p->drops ? NULL : port;
	for (int i = 0; i < VSW_MAX_PORTS; i++)
		cc->ifid[i] = -1;
	rc = capture_filter(c, p, "capture-start", err, errsz);
	if (rc < 0)
		goto out_free;
	cc->jit = c->jit != NULL;

	cc->id = ++capture_main.next_id;
	snprintf(rname, sizeof(rname), "vswcap%u", cc->id);
	c->ring = rte_ring_create(rname, CAPTURE_RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	cc->out_cap = RTE_MAX((size_t)CAPTURE_OUT_MIN,
			      2 * (size_t)CAPFMT_EPB_MAX(p->snaplen, CAPFMT_COMMENT_MAX) + 4096);
	cc->out = malloc(cc->out_cap);
	cc->scratch = malloc(p->snaplen);
	if (c->ring == NULL || cc->out == NULL || cc->scratch == NULL) {
		rc = -ENOMEM;
		snprintf(err, errsz, "capture-start: out of memory");
		goto out_free;
	}
	/* The consumer must never block the control thread. The flag is shared with the
	 * client's descriptor (same open file), which only hands it to us. */
	rc = fcntl(p->fd, F_GETFL);
	if (rc < 0 || fcntl(p->fd, F_SETFL, rc | O_NONBLOCK) < 0 || (rc & O_ACCMODE) == O_RDONLY) {
		rc = rc < 0 ? -errno : -EBADF;
		snprintf(err, errsz, "capture-start: the descriptor passed is not writable");
		goto out_free;
	}

	n = p->pcap ? capfmt_pcap_header(cc->out, cc->out_cap, p->snaplen)
		    : capfmt_pcapng_shb(cc->out, cc->out_cap, "vsw-dataplane " VSW_VERSION);
	cc->out_len = n;
	if (!p->drops && out_iface(dp, cc, port->idx) < 0) {
		rc = -ENOBUFS;
		snprintf(err, errsz, "capture-start: cannot write the interface block");
		goto out_free;
	}

	cc->hz = rte_get_tsc_hz();
	clock_gettime(CLOCK_REALTIME, &ts);
	cc->tsc0 = rte_rdtsc();
	cc->ns0 = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	cc->start_ms = now_ms();
	cc->deadline_tsc = p->duration_s ? cc->tsc0 + (uint64_t)p->duration_s * cc->hz : 0;
	cc->state = DP_CAPTURE_RUNNING;
	cc->fd = p->fd;
	capture_main.caps[slot] = c;
	if (p->drops) {
		atomic_store_explicit(&dp->drop_cap, c, memory_order_release);
	} else {
		for (int d = CAPTURE_RX; d <= CAPTURE_TX; d++)
			if (p->dirs & (1u << d))
				atomic_store_explicit(&port->cap[d], c, memory_order_release);
	}
	out_flush(cc); /* the header now: tshark -r - starts at once */
	*id = cc->id;
	return 0;

out_free:
	if (c != NULL)
		capture_free_dp(c);
	if (cc != NULL) {
		free(cc->out);
		free(cc->scratch);
	}
	free(cc);
	rte_free(c);
	return rc;
}

static void capture_info_fill(const struct capture *c, struct dp_capture_info *info)
{
	const struct capture_ctl *cc = c->ctl;

	memset(info, 0, sizeof(*info));
	info->id = cc->id;
	snprintf(info->port, sizeof(info->port), "%s", cc->p.port);
	info->dirs = cc->p.dirs;
	info->drops = cc->p.drops;
	info->pcap = cc->p.pcap;
	snprintf(info->filter, sizeof(info->filter), "%s", cc->p.filter);
	info->snaplen = cc->p.snaplen;
	info->count = cc->p.count;
	info->duration_s = cc->p.duration_s;
	info->state = cc->state;
	snprintf(info->why, sizeof(info->why), "%s", cc->why);
	info->jit = cc->jit;
	info->trace = c->trace != NULL;
	for (unsigned int w = 0; w < VSW_MAX_WORKERS; w++) {
		info->captured += c->ctr[w].captured;
		info->filtered_out += c->ctr[w].filtered_out;
		info->ring_full += c->ctr[w].ring_full;
		info->no_mbuf += c->ctr[w].no_mbuf;
	}
	info->written = cc->written;
	info->write_bytes = cc->write_bytes;
	info->age_ms = now_ms() - cc->start_ms;
}

static int capture_slot(uint32_t id)
{
	for (int i = 0; i < DP_CAPTURE_MAX; i++)
		if (capture_main.caps[i] != NULL && capture_main.caps[i]->ctl->id == id)
			return i;
	return -1;
}

int dp_capture_stop(struct dp *dp, uint32_t id, struct dp_capture_info *info, char *err,
		    size_t errsz)
{
	int slot = capture_slot(id);
	struct capture *c;

	if (slot < 0) {
		snprintf(err, errsz, "capture-stop: no capture %u", id);
		return -ENOENT;
	}
	c = capture_main.caps[slot];
	capture_finish(dp, c, DP_CAPTURE_DONE, "stopped", CAPTURE_FINAL_FLUSH_MS);
	if (info != NULL)
		capture_info_fill(c, info);
	capture_forget((unsigned int)slot);
	return 0;
}

int dp_capture_info_at(struct dp *dp, unsigned int idx, struct dp_capture_info *info)
{
	(void)dp;
	if (idx >= DP_CAPTURE_MAX)
		return -ENOENT;
	if (capture_main.caps[idx] == NULL)
		return -EAGAIN;
	capture_info_fill(capture_main.caps[idx], info);
	return 0;
}

unsigned int dp_capture_running(struct dp *dp)
{
	unsigned int n = 0;

	(void)dp;
	for (int i = 0; i < DP_CAPTURE_MAX; i++)
		if (capture_main.caps[i] != NULL &&
		    capture_main.caps[i]->ctl->state == DP_CAPTURE_RUNNING)
			n++;
	return n;
}

void dp_capture_owner_gone(struct dp *dp, uint64_t owner)
{
	for (unsigned int i = 0; i < DP_CAPTURE_MAX; i++) {
		struct capture *c = capture_main.caps[i];

		if (c == NULL || c->ctl->p.owner != owner)
			continue;
		/* whoever reads the output may still be there (a file, tshark): give it
		 * what was captured, but do not wait on it */
		capture_finish(dp, c, DP_CAPTURE_DONE, "client gone", 0);
		capture_forget(i);
	}
}

static void record_poll(struct dp *dp);
static void record_shutdown(struct dp *dp);

void capture_poll(struct dp *dp)
{
	uint64_t tsc = 0;

	record_poll(dp);
	for (unsigned int i = 0; i < DP_CAPTURE_MAX; i++) {
		struct capture *c = capture_main.caps[i];
		struct capture_ctl *cc;
		int rc;

		if (c == NULL || c->ctl->state != DP_CAPTURE_RUNNING)
			continue;
		cc = c->ctl;
		if (c->trace != NULL) {
			uint32_t done = 0;

			while (done < c->trace->max &&
			       atomic_load_explicit(&c->trace->rec[done].done,
						    memory_order_acquire))
				done++;
			cc->written = done;
			if (done == c->trace->max)
				capture_finish(dp, c, DP_CAPTURE_DONE, "count reached", 0);
			else if (cc->deadline_tsc && rte_rdtsc() >= cc->deadline_tsc)
				capture_finish(dp, c, DP_CAPTURE_DONE, "duration reached", 0);
			continue;
		}
		rc = out_flush(cc);
		if (rc == 0) {
			capture_drain(dp, c, CAPTURE_DRAIN_BUDGET);
			rc = out_flush(cc);
		}
		if (rc < 0) {
			char why[96];

			snprintf(why, sizeof(why), "consumer gone: %s", strerror(-rc));
			capture_finish(dp, c, DP_CAPTURE_FAILED, why, 0);
			continue;
		}
		if (cc->p.count && cc->written >= cc->p.count) {
			capture_finish(dp, c, DP_CAPTURE_DONE, "count reached",
				       CAPTURE_FINAL_FLUSH_MS);
			continue;
		}
		if (cc->deadline_tsc) {
			if (tsc == 0)
				tsc = rte_rdtsc();
			if (tsc >= cc->deadline_tsc)
				capture_finish(dp, c, DP_CAPTURE_DONE, "duration reached",
					       CAPTURE_FINAL_FLUSH_MS);
		}
	}
}

void capture_port_gone(struct dp *dp, struct port *p)
{
	for (unsigned int i = 0; i < DP_CAPTURE_MAX; i++) {
		struct capture *c = capture_main.caps[i];

		if (c == NULL || c->ctl->state != DP_CAPTURE_RUNNING)
			continue;
		if (c->ctl->port == p)
			capture_finish(dp, c, DP_CAPTURE_DONE, "port deleted", 0);
		else if (c->ctl->p.drops && c->drop_port == p->idx)
			capture_finish(dp, c, DP_CAPTURE_DONE, "port deleted", 0);
	}
}

void capture_shutdown(struct dp *dp)
{
	record_shutdown(dp);
	for (unsigned int i = 0; i < DP_CAPTURE_MAX; i++) {
		if (capture_main.caps[i] == NULL)
			continue;
		capture_finish(dp, capture_main.caps[i], DP_CAPTURE_DONE, "dataplane stopping",
			       CAPTURE_FINAL_FLUSH_MS);
		capture_forget(i);
	}
}

/* ---- tracing ---- */

int dp_trace_start(struct dp *dp, const struct dp_trace_params *tp, uint32_t *id, char *err,
		   size_t errsz)
{
	struct capture_ctl *cc = NULL;
	struct capture *c = NULL;
	struct dp_capture_params *p;
	struct port *port;
	unsigned int slot;
	int rc;

	if (tp->count < 1 || tp->count > DP_TRACE_MAX) {
		snprintf(err, errsz, "trace-start: count %u out of range (expected 1..%d)",
			 tp->count, DP_TRACE_MAX);
		return -EINVAL;
	}
	for (slot = 0; slot < DP_CAPTURE_MAX && capture_main.caps[slot] != NULL; slot++)
		;
	if (slot == DP_CAPTURE_MAX) {
		snprintf(err, errsz, "trace-start: %d captures and traces already (stop one first)",
			 DP_CAPTURE_MAX);
		return -ENOSPC;
	}
	port = dp_port_find(dp, tp->port);
	if (port == NULL) {
		snprintf(err, errsz, "trace-start: no port \"%s\"", tp->port);
		return -ENOENT;
	}
	if (atomic_load(&port->cap[CAPTURE_RX]) != NULL) {
		snprintf(err, errsz,
			 "trace-start: port \"%s\" already has an rx capture or trace (stop it "
			 "first)",
			 tp->port);
		return -EBUSY;
	}
	p = calloc(1, sizeof(*p));
	c = rte_zmalloc("vsw_trace", sizeof(*c), RTE_CACHE_LINE_SIZE);
	cc = calloc(1, sizeof(*cc));
	if (c != NULL)
		c->trace = rte_zmalloc("vsw_trace_rec",
				       sizeof(*c->trace) + tp->count * sizeof(c->trace->rec[0]),
				       RTE_CACHE_LINE_SIZE);
	if (p == NULL || c == NULL || cc == NULL || c->trace == NULL) {
		rc = -ENOMEM;
		snprintf(err, errsz, "trace-start: out of memory");
		goto out_free;
	}
	snprintf(p->port, sizeof(p->port), "%s", tp->port);
	snprintf(p->filter, sizeof(p->filter), "%s", tp->filter);
	p->dirs = DP_CAPTURE_DIR_RX;
	p->snaplen = DP_CAPTURE_SNAPLEN_MAX;
	p->count = tp->count;
	p->owner = tp->owner;
	p->fd = -1;
	c->trace->max = tp->count;
	c->ctl = cc;
	c->drop_port = UINT16_MAX;
	cc->p = *p;
	cc->fd = -1;
	cc->port = port;
	for (int i = 0; i < VSW_MAX_PORTS; i++)
		cc->ifid[i] = -1;
	rc = capture_filter(c, p, "trace-start", err, errsz);
	if (rc < 0)
		goto out_free;
	cc->jit = c->jit != NULL;
	cc->id = ++capture_main.next_id;
	cc->start_ms = now_ms();
	cc->state = DP_CAPTURE_RUNNING;
	capture_main.caps[slot] = c;
	atomic_store_explicit(&port->cap[CAPTURE_RX], c, memory_order_release);
	*id = cc->id;
	free(p);
	return 0;

out_free:
	if (c != NULL) {
		capture_free_dp(c);
		rte_free(c->trace);
	}
	rte_free(c);
	free(cc);
	free(p);
	return rc;
}

int dp_trace_read(struct dp *dp, uint32_t id, uint32_t *count,
		  void (*cb)(uint32_t n, const char *text, void *arg), void *arg, char *err,
		  size_t errsz)
{
	int slot = capture_slot(id);
	struct trace *t;
	uint32_t i;

	(void)dp;
	if (slot < 0 || capture_main.caps[slot]->trace == NULL) {
		snprintf(err, errsz, "trace-show: no trace %u", id);
		return -ENOENT;
	}
	t = capture_main.caps[slot]->trace;
	*count = t->max;
	for (i = 0; i < t->max; i++) {
		if (!atomic_load_explicit(&t->rec[i].done, memory_order_acquire))
			break;
		cb(i + 1, t->rec[i].text, arg);
	}
	return (int)i;
}

/* ---- recordings ----
 *
 * A recording is a capture published on a bridge (bridge->rec) instead of a port: the
 * bridge_input stage taps every burst it receives on any member port, so ports attached
 * later are recorded from their first frame and a flooded frame appears once (as
 * received), however many ports it leaves by. The copies go through the capture's ring
 * as for any capture, but the ring is drained by one writer thread (rec_main.thread, a
 * plain pthread created by the control thread, so on its cpu, never on a worker's),
 * because writing a regular file blocks: a slow disk then holds up that thread alone,
 * the ring fills and the recording counts ring_full. Files rotate by size as with
 * tcpdump -C/-W but named like logrotate: FILE is always the one being written, FILE.1
 * the newest complete one, up to FILE.(max_files - 1); each starts with its own header
 * and interface blocks, so each is readable alone.
 *
 * Who touches what: the control thread creates a recording, publishes it, refreshes its
 * port names (the writer never reads dp objects, which only QSBR readers may), stops it
 * (unpublish, grace period, then ask the writer to finish) and frees it once the writer
 * says it is finished. The writer owns the files and the ring's consumer side; it gives
 * up a recording by clearing its slot and then setting finished, its last access.
 */
#define REC_RING_SIZE 8192
#define REC_POOL_SIZE 8191
#define REC_BUF_SIZE (1u << 20)
#define REC_BURST 64
#define REC_IDLE_US 1000
/* How long record-stop waits for the writer to write out what is left. */
#define REC_STOP_WAIT_MS 5000
/* A frame of a port whose name control has not handed over yet waits this long at most. */
#define REC_NAME_WAIT_MS 200

struct rec {
	uint32_t id;
	struct dp_record_params p;
	struct capture *c;	/* the tap: ring, pool, filter, per-worker counters */
	struct bridge *br;	/* control only: compared, never read once the bridge is gone */
	uint16_t bidx;		/* control only */
	bool unpublished;	/* control only */
	bool reap;		/* control only: stopped, free it when the writer lets go */
	uint64_t start_ms;	/* constant */
	uint64_t tsc0, ns0, hz; /* tsc to Unix time; constant */
	bool jit;		/* constant */
	_Atomic bool stop;	/* control -> writer (release): the ring gets nothing more */
	_Atomic bool finished;	/* writer -> control (release): the writer let go of it */

	/* --- writer only --- */
	int fd;
	uint8_t *buf, *blk, *scratch;
	size_t len, blk_size;
	uint64_t file_frames;
	int32_t ifid[VSW_MAX_PORTS];
	char ifname[VSW_MAX_PORTS][VSW_NAME_MAX]; /* the name each ifid was described with */
	uint32_t n_if;
	struct rte_mbuf *pend[REC_BURST]; /* dequeued; pend[pend_off..npend) not written yet */
	unsigned int npend, pend_off;
	const struct rte_mbuf *wait_m; /* waits for its port's name since wait_ms */
	uint64_t wait_ms;
	bool draining; /* stopping: wait for no name */

	/* --- under mu: the writer's state for control, the names for the writer --- */
	pthread_mutex_t mu;
	enum dp_capture_state state;
	char why[128];
	uint64_t written, write_bytes, file_bytes, rotations;
	uint32_t files;
	char names[VSW_MAX_PORTS][VSW_NAME_MAX]; /* control: rw; writer: ro */
};

static struct rec_main {
	struct rec *recs[DP_RECORD_MAX];	  /* control only */
	struct rec *_Atomic slots[DP_RECORD_MAX]; /* control: set when NULL; writer: clears */
	pthread_t thread;
	bool running; /* control only */
	_Atomic bool quit;
	uint32_t next_id;
} rec_main;

/* ---- the writer thread ---- */

static uint64_t rec_tsc_to_ns(const struct rec *r, uint64_t tsc)
{
	uint64_t d = tsc > r->tsc0 ? tsc - r->tsc0 : 0;

	return r->ns0 + d / r->hz * 1000000000u + d % r->hz * 1000000000u / r->hz;
}

static void rec_fail(struct rec *r, const char *what, int err)
{
	pthread_mutex_lock(&r->mu);
	if (r->state == DP_CAPTURE_RUNNING) {
		r->state = DP_CAPTURE_FAILED;
		snprintf(r->why, sizeof(r->why), "%s: %s", what, strerror(err));
	}
	pthread_mutex_unlock(&r->mu);
}

static bool rec_ok(struct rec *r)
{
	bool ok;

	pthread_mutex_lock(&r->mu);
	ok = r->state == DP_CAPTURE_RUNNING;
	pthread_mutex_unlock(&r->mu);
	return ok;
}

/* Write the buffer out, blocking: this thread is there to wait on the disk. */
static int rec_flush(struct rec *r)
{
	size_t off = 0;

	while (off < r->len) {
		ssize_t n = write(r->fd, r->buf + off, r->len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)n;
	}
	r->len = 0;
	return 0;
}

static void rec_count(struct rec *r, uint64_t frames, uint64_t bytes)
{
	pthread_mutex_lock(&r->mu);
	r->written += frames;
	r->write_bytes += bytes;
	r->file_bytes += bytes;
	pthread_mutex_unlock(&r->mu);
}

/* Open FILE afresh with its header; the buffer is empty. */
static int rec_open(struct rec *r)
{
	size_t n;

	r->fd = open(r->p.file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (r->fd < 0)
		return -errno;
	n = r->p.pcap ? capfmt_pcap_header(r->buf, REC_BUF_SIZE, r->p.snaplen)
		      : capfmt_pcapng_shb(r->buf, REC_BUF_SIZE, "vsw-dataplane " VSW_VERSION);
	r->len = n;
	r->file_frames = 0;
	r->n_if = 0;
	for (int i = 0; i < VSW_MAX_PORTS; i++)
		r->ifid[i] = -1;
	pthread_mutex_lock(&r->mu);
	r->write_bytes += n;
	r->file_bytes = n;
	if (r->files < r->p.max_files)
		r->files++;
	pthread_mutex_unlock(&r->mu);
	return 0;
}

static int rec_close(struct rec *r)
{
	int rc = 0;

	if (r->fd < 0)
		return 0;
	rc = rec_flush(r);
	if (close(r->fd) < 0 && rc == 0)
		rc = -errno;
	r->fd = -1;
	return rc;
}

/* FILE.(k-1) -> FILE.k down to FILE -> FILE.1, the oldest falling off the end. */
static int rec_rotate(struct rec *r)
{
	char from[DP_RECORD_PATH_MAX + 16], to[DP_RECORD_PATH_MAX + 16];
	int rc = rec_close(r);

	if (rc < 0)
		return rc;
	for (uint32_t k = r->p.max_files - 1; k >= 1; k--) {
		snprintf(to, sizeof(to), "%s.%u", r->p.file, k);
		if (k == 1)
			snprintf(from, sizeof(from), "%s", r->p.file);
		else
			snprintf(from, sizeof(from), "%s.%u", r->p.file, k - 1);
		if (rename(from, to) < 0 && errno != ENOENT)
			return -errno;
	}
	pthread_mutex_lock(&r->mu);
	r->rotations++;
	pthread_mutex_unlock(&r->mu);
	return rec_open(r);
}

/* Format one copy into r->blk (an interface block first when its port has none in this
 * file yet, or was renamed), rotating first when it would not fit in max_size. -EAGAIN:
 * the port's name is not known yet, try again later. */
static int rec_frame(struct rec *r, struct rte_mbuf *m)
{
	const struct capture_meta *meta = rte_mbuf_to_priv(m);
	uint32_t caplen = m->pkt_len;
	char name[VSW_NAME_MAX];
	size_t n = 0, epb;
	bool new_if = false;
	const void *data;
	int rc;

	data = rte_pktmbuf_read(m, 0, caplen, r->scratch);
	if (data == NULL)
		return 0; /* cannot happen with a copy of pkt_len bytes: skip rather than stall */
	if (!r->p.pcap) {
		pthread_mutex_lock(&r->mu);
		snprintf(name, sizeof(name), "%s", r->names[meta->port]);
		pthread_mutex_unlock(&r->mu);
		if (name[0] == '\0') {
			if (r->wait_m != m) {
				r->wait_m = m;
				r->wait_ms = now_ms();
			}
			if (!r->draining && now_ms() - r->wait_ms < REC_NAME_WAIT_MS)
				return -EAGAIN;
			snprintf(name, sizeof(name), "port%u", meta->port);
		}
		new_if = r->ifid[meta->port] < 0 || strcmp(r->ifname[meta->port], name) != 0;
	}
	for (int pass = 0; pass < 2; pass++) {
		n = 0;
		if (new_if) {
			n = capfmt_pcapng_idb(r->blk, r->blk_size, name, r->p.filter, r->p.snaplen);
		}
		if (r->p.pcap)
			epb = capfmt_pcap_record(r->blk + n, r->blk_size - n,
						 rec_tsc_to_ns(r, meta->tsc), data, caplen,
						 meta->orig_len);
		else
			epb = capfmt_pcapng_epb(r->blk + n, r->blk_size - n,
						new_if ? r->n_if : (uint32_t)r->ifid[meta->port],
						rec_tsc_to_ns(r, meta->tsc), data, caplen,
						meta->orig_len, CAPFMT_DIR_IN, NULL);
		n += epb;
		if (pass == 1 || r->p.max_size == 0 || r->file_frames == 0 ||
		    r->file_bytes + n <= r->p.max_size)
			break;
		rc = rec_rotate(r);
		if (rc < 0)
			return rc;
		new_if = !r->p.pcap; /* a new file describes its interfaces again */
	}
	if (new_if) {
		r->ifid[meta->port] = (int32_t)r->n_if++;
		snprintf(r->ifname[meta->port], sizeof(r->ifname[0]), "%s", name);
	}
	if (r->len + n > REC_BUF_SIZE) {
		rc = rec_flush(r);
		if (rc < 0)
			return rc;
	}
	memcpy(r->buf + r->len, r->blk, n);
	r->len += n;
	r->file_frames++;
	rec_count(r, 1, n);
	return 0;
}

/* Write what the ring holds now (a bounded share of it, for the other recordings' sake).
 * Returns the number of frames written. */
static unsigned int rec_service(struct rec *r)
{
	unsigned int done = 0;
	int rc = 0;

	for (;;) {
		if (r->pend_off == r->npend) {
			if (done >= REC_RING_SIZE)
				break;
			r->npend = rte_ring_sc_dequeue_burst(r->c->ring, (void **)r->pend,
							     REC_BURST, NULL);
			r->pend_off = 0;
			if (r->npend == 0)
				break;
		}
		rc = rec_frame(r, r->pend[r->pend_off]);
		if (rc < 0)
			break;
		rte_pktmbuf_free(r->pend[r->pend_off++]);
		done++;
	}
	if (rc == 0 || rc == -EAGAIN)
		rc = rec_flush(r);
	if (rc < 0)
		rec_fail(r, "writing failed", -rc);
	return done;
}

/* The writer gives r up: write out what is left, close the file, clear its slot. */
static void rec_finish(struct rec *r, unsigned int slot)
{
	struct rte_mbuf *m;
	int rc;

	r->draining = true;
	while (rec_ok(r) && (r->pend_off < r->npend || rte_ring_count(r->c->ring) > 0))
		rec_service(r);
	if (r->pend_off < r->npend)
		rte_pktmbuf_free_bulk(r->pend + r->pend_off, r->npend - r->pend_off);
	r->npend = r->pend_off = 0;
	while (rte_ring_sc_dequeue(r->c->ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rc = rec_close(r);
	if (rc < 0)
		rec_fail(r, "writing failed", -rc);
	pthread_mutex_lock(&r->mu);
	if (r->state == DP_CAPTURE_RUNNING) {
		r->state = DP_CAPTURE_DONE;
		if (r->why[0] == '\0')
			snprintf(r->why, sizeof(r->why), "stopped");
	}
	pthread_mutex_unlock(&r->mu);
	atomic_store_explicit(&rec_main.slots[slot], NULL, memory_order_relaxed);
	atomic_store_explicit(&r->finished, true, memory_order_release); /* last access */
}

static void *rec_writer(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&rec_main.quit, memory_order_acquire)) {
		unsigned int busy = 0;

		for (unsigned int i = 0; i < DP_RECORD_MAX; i++) {
			struct rec *r =
				atomic_load_explicit(&rec_main.slots[i], memory_order_acquire);

			if (r == NULL)
				continue;
			if (atomic_load_explicit(&r->stop, memory_order_acquire)) {
				rec_finish(r, i);
				continue;
			}
			if (rec_ok(r))
				busy += rec_service(r);
			else
				rec_finish(r, i); /* failed: close what can be closed */
		}
		if (busy == 0)
			usleep(REC_IDLE_US);
	}
	return NULL;
}

static int rec_writer_start(char *err, size_t errsz)
{
	sigset_t all, old;
	int rc;

	if (rec_main.running)
		return 0;
	atomic_store(&rec_main.quit, false);
	/* signals stay with the control thread; the new thread inherits its cpu */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&rec_main.thread, NULL, rec_writer, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errsz, "record-start: cannot start the writer thread: %s",
			 strerror(rc));
		return -rc;
	}
	pthread_setname_np(rec_main.thread, "vsw-record");
	rec_main.running = true;
	return 0;
}

/* ---- the control side ---- */

/* Hand the writer the names of the ports that may send the recording frames. */
static void rec_names_refresh(struct dp *dp, struct rec *r)
{
	pthread_mutex_lock(&r->mu);
	for (unsigned int i = 0; i < VSW_MAX_PORTS; i++) {
		const struct port *p = atomic_load_explicit(&dp->ports[i], memory_order_relaxed);

		if (p != NULL && strcmp(r->names[i], p->name) != 0)
			snprintf(r->names[i], sizeof(r->names[i]), "%s", p->name);
	}
	pthread_mutex_unlock(&r->mu);
}

/* Is r's bridge still there, with r on it? (dp->bridges is control-only: no reader of a
 * freed bridge here.) */
static bool rec_bridge_alive(struct dp *dp, const struct rec *r)
{
	const struct bridge *br = dp->bridges[r->bidx];

	return br != NULL && br == r->br &&
	       atomic_load_explicit(&br->rec, memory_order_relaxed) == r->c;
}

static void rec_unpublish(struct dp *dp, struct rec *r)
{
	if (r->unpublished)
		return;
	if (rec_bridge_alive(dp, r)) {
		atomic_store_explicit(&r->br->rec, NULL, memory_order_relaxed);
		dp_sync(dp); /* no worker copies into the ring any more */
	}
	r->unpublished = true;
}

static void rec_free(struct rec *r)
{
	struct capture *c = r->c;
	struct rte_mempool *pool = c != NULL ? c->pool : NULL;

	if (c != NULL) {
		capture_free_dp(c);
		rte_free(c);
	}
	rte_mempool_free(pool);
	pthread_mutex_destroy(&r->mu);
	free(r->buf);
	free(r->blk);
	free(r->scratch);
	free(r);
}

static void rec_info_fill(const struct rec *r, struct dp_record_info *info)
{
	struct rec *rw = (struct rec *)r; /* the mutex */

	memset(info, 0, sizeof(*info));
	info->id = r->id;
	info->p = r->p;
	info->jit = r->jit;
	for (unsigned int w = 0; w < VSW_MAX_WORKERS; w++) {
		info->captured += r->c->ctr[w].captured;
		info->filtered_out += r->c->ctr[w].filtered_out;
		info->ring_full += r->c->ctr[w].ring_full;
		info->no_mbuf += r->c->ctr[w].no_mbuf;
	}
	pthread_mutex_lock(&rw->mu);
	info->state = r->state;
	snprintf(info->why, sizeof(info->why), "%s", r->why);
	info->written = r->written;
	info->write_bytes = r->write_bytes;
	info->file_bytes = r->file_bytes;
	info->rotations = r->rotations;
	info->files = r->files;
	pthread_mutex_unlock(&rw->mu);
	info->age_ms = now_ms() - r->start_ms;
}

static void rec_set_why(struct rec *r, const char *why)
{
	pthread_mutex_lock(&r->mu);
	if (r->why[0] == '\0')
		snprintf(r->why, sizeof(r->why), "%s", why);
	pthread_mutex_unlock(&r->mu);
}

/* Stop r and wait (up to wait_ms) for the writer to let go of it. true: it did. */
static bool rec_stop_wait(struct dp *dp, struct rec *r, const char *why, int wait_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)wait_ms;

	rec_unpublish(dp, r);
	rec_set_why(r, why);
	atomic_store_explicit(&r->stop, true, memory_order_release);
	while (!atomic_load_explicit(&r->finished, memory_order_acquire)) {
		if (now_ms() >= deadline)
			return false;
		usleep(1000);
	}
	return true;
}

static int rec_find(uint32_t id, const char *bridge)
{
	for (int i = 0; i < DP_RECORD_MAX; i++) {
		const struct rec *r = rec_main.recs[i];

		if (r == NULL)
			continue;
		if (id != 0 ? r->id == id : strcmp(r->p.bridge, bridge) == 0)
			return i;
	}
	return -1;
}

int dp_record_start(struct dp *dp, const struct dp_record_params *p, uint32_t *id, char *err,
		    size_t errsz)
{
	struct bridge *br = dp_bridge_find(dp, p->bridge);
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rec *r = NULL;
	struct capture *c;
	struct timespec ts;
	unsigned int slot, ws;
	int rc;

	if (br == NULL) {
		snprintf(err, errsz, "record-start: no bridge \"%s\"", p->bridge);
		return -ENOENT;
	}
	if (atomic_load(&br->rec) != NULL) {
		snprintf(err, errsz,
			 "record-start: bridge \"%s\" is already recorded (stop it first)",
			 p->bridge);
		return -EBUSY;
	}
	if (p->file[0] != '/') {
		snprintf(err, errsz, "record-start: file \"%.200s\" is not an absolute path",
			 p->file);
		return -EINVAL;
	}
	if (p->snaplen < 1 || p->snaplen > DP_CAPTURE_SNAPLEN_MAX || p->max_files < 1 ||
	    p->max_files > DP_RECORD_FILES_MAX) {
		snprintf(err, errsz, "record-start: snaplen or max_files out of range");
		return -EINVAL;
	}
	for (slot = 0; slot < DP_RECORD_MAX && rec_main.recs[slot] != NULL; slot++)
		;
	for (ws = 0; ws < DP_RECORD_MAX && atomic_load(&rec_main.slots[ws]) != NULL; ws++)
		;
	if (slot == DP_RECORD_MAX || ws == DP_RECORD_MAX) {
		snprintf(err, errsz, "record-start: %d recordings already (stop one first)",
			 DP_RECORD_MAX);
		return -ENOSPC;
	}
	rc = rec_writer_start(err, errsz);
	if (rc < 0)
		return rc;

	r = calloc(1, sizeof(*r));
	c = rte_zmalloc("vsw_record", sizeof(*c), RTE_CACHE_LINE_SIZE);
	if (r == NULL || c == NULL) {
		free(r);
		rte_free(c);
		snprintf(err, errsz, "record-start: out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&r->mu, NULL);
	r->c = c;
	r->p = *p;
	r->fd = -1;
	r->br = br;
	r->bidx = br->idx;
	r->id = ++rec_main.next_id;
	c->snaplen = p->snaplen;
	c->drop_port = UINT16_MAX;
	if (p->filter[0] != '\0') {
		struct dp_capture_params *cp = calloc(1, sizeof(*cp));

		if (cp == NULL) {
			rc = -ENOMEM;
			snprintf(err, errsz, "record-start: out of memory");
		} else {
			snprintf(cp->filter, sizeof(cp->filter), "%s", p->filter);
			cp->snaplen = p->snaplen;
			rc = capture_filter(c, cp, "record-start", err, errsz);
			free(cp);
		}
	}
	if (rc < 0)
		goto out_free;
	r->jit = c->jit != NULL;
	snprintf(name, sizeof(name), "vswrec%u", r->id);
	/* buffers as large as a snap: a short snaplen keeps a recording's memory small */
	c->pool = rte_pktmbuf_pool_create(
		name, REC_POOL_SIZE, CAPTURE_POOL_CACHE,
		RTE_ALIGN(sizeof(struct capture_meta), RTE_MBUF_PRIV_ALIGN),
		(uint16_t)(RTE_PKTMBUF_HEADROOM + RTE_MIN(p->snaplen, 2048u)),
		dp->pool != NULL ? dp->pool->socket_id : SOCKET_ID_ANY);
	c->ring = rte_ring_create(name, REC_RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	r->blk_size = CAPFMT_EPB_MAX(p->snaplen, 0) + 2 * DP_CAPTURE_FILTER_MAX + 2 * VSW_NAME_MAX;
	r->buf = malloc(REC_BUF_SIZE);
	r->blk = malloc(r->blk_size);
	r->scratch = malloc(p->snaplen);
	if (c->pool == NULL || c->ring == NULL || r->buf == NULL || r->blk == NULL ||
	    r->scratch == NULL) {
		rc = -ENOMEM;
		snprintf(err, errsz, "record-start: cannot allocate %u buffers and a ring: %s",
			 REC_POOL_SIZE, rte_strerror(rte_errno));
		goto out_free;
	}
	r->state = DP_CAPTURE_RUNNING;
	rc = rec_open(r);
	if (rc < 0) {
		snprintf(err, errsz, "record-start: cannot create %.200s: %s", p->file,
			 strerror(-rc));
		goto out_free;
	}
	rc = rec_flush(r);
	if (rc < 0) {
		snprintf(err, errsz, "record-start: cannot write %.200s: %s", p->file,
			 strerror(-rc));
		close(r->fd);
		goto out_free;
	}
	r->hz = rte_get_tsc_hz();
	clock_gettime(CLOCK_REALTIME, &ts);
	r->tsc0 = rte_rdtsc();
	r->ns0 = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	r->start_ms = now_ms();
	rec_names_refresh(dp, r);
	rec_main.recs[slot] = r;
	atomic_store_explicit(&rec_main.slots[ws], r, memory_order_release);
	atomic_store_explicit(&br->rec, c, memory_order_release);
	*id = r->id;
	return 0;

out_free:
	rec_free(r);
	return rc;
}

int dp_record_stop(struct dp *dp, uint32_t id, const char *bridge, struct dp_record_info *info,
		   char *err, size_t errsz)
{
	int slot = rec_find(id, bridge != NULL ? bridge : "");
	struct rec *r;

	if (slot < 0) {
		if (id != 0)
			snprintf(err, errsz, "record-stop: no recording %u", id);
		else
			snprintf(err, errsz, "record-stop: bridge \"%s\" is not recorded",
				 bridge != NULL ? bridge : "");
		return -ENOENT;
	}
	r = rec_main.recs[slot];
	if (!rec_stop_wait(dp, r, "stopped", REC_STOP_WAIT_MS)) {
		/* the disk is stuck: the writer will let go later and record_poll frees it */
		r->reap = true;
		if (info != NULL)
			rec_info_fill(r, info);
		snprintf(err, errsz,
			 "record-stop: recording %u is still writing after %d ms (slow disk?); "
			 "it stops when the writes finish",
			 r->id, REC_STOP_WAIT_MS);
		return -ETIMEDOUT;
	}
	if (info != NULL)
		rec_info_fill(r, info);
	rec_main.recs[slot] = NULL;
	rec_free(r);
	return 0;
}

int dp_record_info_at(struct dp *dp, unsigned int idx, struct dp_record_info *info)
{
	(void)dp;
	if (idx >= DP_RECORD_MAX)
		return -ENOENT;
	if (rec_main.recs[idx] == NULL)
		return -EAGAIN;
	rec_info_fill(rec_main.recs[idx], info);
	return 0;
}

/* Every control loop: names for the writer; recordings whose bridge went away, or whose
 * writer failed, are unpublished; finished ones that were stopped are freed. */
static void record_poll(struct dp *dp)
{
	for (unsigned int i = 0; i < DP_RECORD_MAX; i++) {
		struct rec *r = rec_main.recs[i];
		bool finished;

		if (r == NULL)
			continue;
		finished = atomic_load_explicit(&r->finished, memory_order_acquire);
		if (!r->unpublished && !rec_bridge_alive(dp, r)) {
			r->unpublished = true; /* the bridge is gone, and the tap with it */
			rec_set_why(r, "bridge deleted");
			atomic_store_explicit(&r->stop, true, memory_order_release);
		} else if (finished && !r->unpublished) {
			rec_unpublish(dp, r); /* the writer failed: stop copying */
		} else if (!finished) {
			rec_names_refresh(dp, r);
		}
		/* a stop that timed out: nobody waits for the result any more */
		if (finished && r->reap) {
			rec_main.recs[i] = NULL;
			rec_free(r);
		}
	}
}

static void record_shutdown(struct dp *dp)
{
	for (unsigned int i = 0; i < DP_RECORD_MAX; i++) {
		struct rec *r = rec_main.recs[i];

		if (r == NULL)
			continue;
		if (rec_stop_wait(dp, r, "dataplane stopping", REC_STOP_WAIT_MS)) {
			rec_main.recs[i] = NULL;
			rec_free(r);
		}
	}
	if (rec_main.running) {
		atomic_store_explicit(&rec_main.quit, true, memory_order_release);
		pthread_join(rec_main.thread, NULL);
		rec_main.running = false;
	}
}
