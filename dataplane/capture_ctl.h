/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control path's view of captures (like dp_ctl.h, no DPDK types): start a capture
 * that writes into a file descriptor handed over by a client, stop it, list them, and
 * end those of a client that went away. Called only from the control thread.
 */
#ifndef VSW_CAPTURE_CTL_H
#define VSW_CAPTURE_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp_ctl.h"

#define DP_CAPTURE_MAX 16
#define DP_CAPTURE_FILTER_MAX 1024
#define DP_CAPTURE_SNAPLEN_MAX 262144

#define DP_CAPTURE_DIR_RX (1u << 0)
#define DP_CAPTURE_DIR_TX (1u << 1)

struct dp_capture_params {
	char port[VSW_NAME_MAX];	    /* "" only with drops: every port */
	unsigned int dirs;		    /* DP_CAPTURE_DIR_*; ignored with drops */
	bool drops;			    /* capture the frames the dataplane drops, with why */
	char filter[DP_CAPTURE_FILTER_MAX]; /* libpcap syntax; "" = every frame */
	uint32_t snaplen;		    /* 1..DP_CAPTURE_SNAPLEN_MAX */
	uint64_t count;			    /* stop after this many frames written; 0 = no limit */
	uint32_t duration_s;		    /* stop after this many seconds; 0 = no limit */
	bool pcap;			    /* classic pcap instead of pcapng */
	int fd;				    /* where to write; taken over only on success */
	uint64_t owner;			    /* the control connection it belongs to */
};

enum dp_capture_state { DP_CAPTURE_RUNNING, DP_CAPTURE_DONE, DP_CAPTURE_FAILED };
extern const char *const dp_capture_state_names[3];

struct dp_capture_info {
	uint32_t id;
	char port[VSW_NAME_MAX]; /* "" = every port (drops) */
	unsigned int dirs;
	bool drops, pcap;
	char filter[DP_CAPTURE_FILTER_MAX];
	uint32_t snaplen;
	uint64_t count;
	uint32_t duration_s;
	enum dp_capture_state state;
	char why[128]; /* how it ended: "count reached", "consumer gone: Broken pipe" */
	bool jit;      /* the filter runs JIT-compiled */
	bool trace;    /* a trace (vswctl trace), not a capture */
	uint64_t captured, filtered_out, ring_full, no_mbuf; /* summed over workers */
	uint64_t written, write_bytes; /* frames and bytes written to the consumer */
	uint64_t age_ms;
};

/* Returns 0 and the new capture's id, or -errno with a sentence in err (an invalid
 * filter gives libpcap's message). On failure p->fd is still the caller's. */
int dp_capture_start(struct dp *dp, const struct dp_capture_params *p, uint32_t *id, char *err,
		     size_t errsz);
/* Stop capture id (what was captured is written out first, then the fd is closed) and
 * forget it; info gets its final counters. */
int dp_capture_stop(struct dp *dp, uint32_t id, struct dp_capture_info *info, char *err,
		    size_t errsz);
/* Iterate: idx from 0; -EAGAIN for an empty slot, -ENOENT past the end. */
int dp_capture_info_at(struct dp *dp, unsigned int idx, struct dp_capture_info *info);
/* Captures running now. */
unsigned int dp_capture_running(struct dp *dp);
/* A control connection closed: stop and forget its captures. */
void dp_capture_owner_gone(struct dp *dp, uint64_t owner);

/* ---- tracing: a capture in trace mode records each step of the next frames instead of
 * copying them (vswctl trace). Stopped and listed as captures. ---- */
#define DP_TRACE_MAX 64
struct dp_trace_params {
	char port[VSW_NAME_MAX];
	char filter[DP_CAPTURE_FILTER_MAX];
	uint32_t count; /* frames to trace, 1..DP_TRACE_MAX */
	uint64_t owner;
};
int dp_trace_start(struct dp *dp, const struct dp_trace_params *p, uint32_t *id, char *err,
		   size_t errsz);
/* Calls cb for each frame traced so far (in order, text = its steps, one per line);
 * *count gets how many frames the trace waits for. Returns how many were traced. */
int dp_trace_read(struct dp *dp, uint32_t id, uint32_t *count,
		  void (*cb)(uint32_t n, const char *text, void *arg), void *arg, char *err,
		  size_t errsz);

/* Where would a frame described by these go? Computed by the control thread from the
 * live configuration and MAC table, without sending anything. */
struct dp_trace_packet {
	char in_port[VSW_NAME_MAX];
	uint8_t src[6], dst[6];
	uint16_t vlan; /* 802.1Q tag in the frame, 0 = untagged */
	/* an IPv4 header (and UDP/TCP ports) when ip is set, so flow rules on them apply;
	 * an IPv6 one (ip6_src, ip6_dst) when ip6 is set too */
	bool ip, ip6;
	uint32_t ip_src, ip_dst; /* network order */
	uint8_t ip6_src[16], ip6_dst[16];
	uint8_t ip_proto;
	uint16_t l4_src, l4_dst;
};
/* Fills out with the steps, one per line. */
int dp_trace_packet(struct dp *dp, const struct dp_trace_packet *tp, char *out, size_t outsz,
		    char *err, size_t errsz);

/* ---- recordings: a bridge's frames (every member port's rx, ports attached later too)
 * written by the dataplane itself into a ring of files rotated by size, like tcpdump -C
 * -W, until stopped (vswctl capture record). A dedicated writer thread on the control
 * thread's cpu does the file I/O, so a slow disk stalls neither the control thread nor
 * forwarding: the ring fills and the recording loses frames (counted). ---- */
#define DP_RECORD_MAX 8
#define DP_RECORD_PATH_MAX 1024
#define DP_RECORD_FILES_MAX 1000

struct dp_record_params {
	char bridge[VSW_NAME_MAX];
	char file[DP_RECORD_PATH_MAX]; /* absolute; rotated ones get .1, .2, ... */
	uint64_t max_size;	       /* bytes per file before rotating; 0 = one file */
	uint32_t max_files;	       /* files kept, current included, 1..DP_RECORD_FILES_MAX */
	char filter[DP_CAPTURE_FILTER_MAX]; /* libpcap syntax; "" = every frame */
	uint32_t snaplen;		    /* 1..DP_CAPTURE_SNAPLEN_MAX */
	bool pcap;			    /* classic pcap instead of pcapng */
};

struct dp_record_info {
	uint32_t id;
	struct dp_record_params p;
	enum dp_capture_state state;
	char why[128];
	bool jit;
	uint64_t captured, filtered_out, ring_full, no_mbuf; /* by the workers */
	uint64_t written, write_bytes;			     /* frames and bytes in files */
	uint64_t file_bytes;				     /* of the current file */
	uint64_t rotations;
	uint32_t files; /* files written so far that are kept */
	uint64_t age_ms;
};

/* Start recording a bridge into p->file (created or truncated by the dataplane; the
 * rotated files are renamed). One recording per bridge. */
int dp_record_start(struct dp *dp, const struct dp_record_params *p, uint32_t *id, char *err,
		    size_t errsz);
/* Stop recording id (or, with id 0, that of bridge): what was captured is written and the
 * file closed before this returns (or a few seconds pass on a stuck disk); info gets the
 * final counters. */
int dp_record_stop(struct dp *dp, uint32_t id, const char *bridge, struct dp_record_info *info,
		   char *err, size_t errsz);
/* Iterate: idx from 0; -EAGAIN for an empty slot, -ENOENT past the end. */
int dp_record_info_at(struct dp *dp, unsigned int idx, struct dp_record_info *info);

#endif
