/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control protocol's request handlers (docs/protocol.md): one JSON request line in,
 * one JSON reply line out, with the dp_ctl.h calls in between. No socket and no state of
 * its own, so the unit tests and the fuzzer drive it directly against a fake dataplane;
 * ctl_server.c does the I/O.
 */
#ifndef VSW_CTL_HANDLERS_H
#define VSW_CTL_HANDLERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dp;

/* Largest reply line handed back; a bigger result (fdb-show of a huge table) is replaced
 * by an EMSGSIZE reply that says how to narrow the request. */
#ifndef CTL_REPLY_MAX
#define CTL_REPLY_MAX (64u << 20)
#endif

/*
 * Handle one request line (len bytes, no newline needed; need not be NUL-terminated).
 * may_write false: commands that change state are refused with EPERM before anything is
 * called. Returns the reply as a malloc'ed NUL-terminated line without its newline, or
 * NULL only when even an "out of memory" reply cannot be built.
 */
char *ctl_handle_request(struct dp *dp, const char *line, size_t len, bool may_write);

/* What the connection a request came on adds to it. */
struct ctl_conn {
	uint64_t id; /* unique per connection: what a capture names as its owner */
	int fd;	     /* descriptor passed with the request (SCM_RIGHTS) or -1; a handler
		      * that keeps it sets it to -1, else the caller closes it */
};
/* ctl_handle_request with the connection's context (conn may be NULL: none). */
char *ctl_handle_request_conn(struct dp *dp, const char *line, size_t len, bool may_write,
			      struct ctl_conn *conn);
/* The connection closed: end what it owned (its captures). */
void ctl_conn_closed(struct dp *dp, uint64_t conn_id);

/* true when cmd names a command that changes state; false for read-only or unknown ones */
bool ctl_cmd_mutating(const char *cmd);

#endif
