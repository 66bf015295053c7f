/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswctl's insides, split from main() so the unit tests can drive them without a
 * socket: command words -> protocol request (vswctl_cmds.c), protocol result -> text
 * (vswctl_fmt.c), and the whole program with its exit codes (vswctl_main).
 */
#ifndef VSWCTL_H
#define VSWCTL_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/* Exit codes, as ovs-vsctl and iproute2 use them. */
#define VSWCTL_EXIT_OK 0
#define VSWCTL_EXIT_FAIL 1  /* the dataplane said no, or we could not reach it */
#define VSWCTL_EXIT_USAGE 2 /* the command line is wrong; nothing was sent */

/* How a successful result is shown without -j. */
enum vswctl_out {
	VSWCTL_OUT_NONE, /* commands that change state print nothing, as ovs-vsctl */
	VSWCTL_OUT_INFO,
	VSWCTL_OUT_BRIDGES,
	VSWCTL_OUT_PORTS,
	VSWCTL_OUT_FDB,
	VSWCTL_OUT_FLUSH,
	VSWCTL_OUT_STATS,
	VSWCTL_OUT_DROP_REASONS,
	VSWCTL_OUT_FLOWS,
	VSWCTL_OUT_FLOW_IDS,
	VSWCTL_OUT_FLOW_DEL,
	VSWCTL_OUT_VTEPS,
};

struct vswctl_req {
	const char *cmd; /* wire command ("port-add"); NULL for raw and help */
	json_t *args;	 /* owned; NULL when the command takes none */
	int ok_status;	 /* also success: EEXIST with --may-exist, ENOENT with --if-exists */
	enum vswctl_out out;
	const char *raw; /* raw: the line to send verbatim (points into argv) */
	char *help;	 /* non-NULL: print this (malloc'd) and send nothing */
	char hint[64];	 /* usage errors: the --help to suggest */
};

/*
 * Translate command words (argv after the global options) into a request. Returns 0, or
 * -EINVAL with a sentence in err (a usage error: exit 2, nothing sent). The caller frees
 * req with vswctl_req_clear in both cases.
 */
int vswctl_parse(int argc, char **argv, struct vswctl_req *req, char *err, size_t errsz);
void vswctl_req_clear(struct vswctl_req *req);
/* The full --help text. */
void vswctl_usage(FILE *out);

/*
 * Print a result as a table or key: value lines. Returns 0, or -EPROTO with a sentence
 * in err when the result does not have the documented shape (nothing is printed then).
 * Unknown fields are ignored and missing ones shown as "-", so a newer or older
 * dataplane still prints.
 */
int vswctl_print(FILE *out, enum vswctl_out kind, json_t *result, char *err, size_t errsz);
/*
 * `vswctl stats` when some port has tx_full drops: stats were taken twice, SECS apart
 * (BEFORE and AFTER), and INFO at the end covers the same window. For each port whose
 * tx_full grew, a "hint:" line saying whether the switch is overloaded (a worker at least
 * VSWCTL_BUSY_OVERLOADED percent busy) or the guest / peer is not draining its ring. PORTS
 * is a port-list result (for the types). Returns the number of hint lines.
 */
#define VSWCTL_BUSY_OVERLOADED 90.0
#define VSWCTL_HINT_WINDOW_MS 500
int vswctl_print_tx_full_hints(FILE *out, json_t *ports, json_t *before, json_t *after,
			       json_t *info, double secs);
/* Sum of tx_full over the ports of a stats result. */
json_int_t vswctl_tx_full_total(json_t *stats);

/* -j: the result as indented JSON with sorted keys (stable for diffs and scripts). */
int vswctl_print_json(FILE *out, json_t *result);

/* `vswctl capture ...` (vswctl_capture.c): argv[0] is "capture". Stays connected while
 * the dataplane writes the capture. Returns the exit code. */
int vswctl_capture_main(const char *sock, int timeout_ms, bool json, int argc, char **argv,
			FILE *out, FILE *errf);

/* `vswctl trace ...` (vswctl_capture.c): argv[0] is "trace". */
int vswctl_trace_main(const char *sock, int timeout_ms, bool json, int argc, char **argv, FILE *out,
		      FILE *errf);

/* The whole program: parse options, talk to the socket, print. Returns the exit code. */
int vswctl_main(int argc, char **argv, FILE *out, FILE *errf);

#endif
