/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemons' control socket I/O, shared by vsw-dataplane (dataplane/ctl_server.c) and
 * vsw-controller (control/ctl_listen.c) so that both sockets behave the same for vswctl:
 * a Unix stream socket, one request per line, served from the owner's main loop without
 * ever blocking it. Framing, client limits, output buffering and peer credentials live
 * here; what a request means is the owner's request callback. No DPDK in here.
 *
 * Not thread-safe: one thread owns a listener.
 */
#ifndef VSW_LISTEN_H
#define VSW_LISTEN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vsw_listen;

/* What the connection a request came on adds to it. */
struct vsw_listen_conn {
	uint64_t id; /* unique per connection for the listener's life, from 1 */
	int fd;	     /* descriptor passed with the request (SCM_RIGHTS, pass_fds only) or -1;
		      * a callback that keeps it sets it to -1, else the listener closes it */
};

/*
 * One request line (len bytes, without its newline, not NUL-terminated). Returns the
 * reply as a malloc'ed NUL-terminated line without its newline, or NULL only when even an
 * "out of memory" reply cannot be built (the client is then dropped).
 */
typedef char *(*vsw_listen_request_fn)(void *ctx, const char *line, size_t len, bool may_write,
				       struct vsw_listen_conn *conn);
/* A connection closed: end what it owned. */
typedef void (*vsw_listen_closed_fn)(void *ctx, uint64_t conn_id);

struct vsw_listen_opts {
	size_t max_line;	  /* bytes of one request, newline included */
	unsigned int max_clients; /* at once; one more is told EBUSY and closed */
	/* Accept one descriptor per request (SCM_RIGHTS, sent with the request line); the
	 * others, and all of them when false, are closed. */
	bool pass_fds;
	vsw_listen_request_fn request;
	vsw_listen_closed_fn closed; /* or NULL */
	void *ctx;		     /* for both callbacks */
};

/*
 * Listen on path: creates its directory (mode 0755) if missing; removes a stale socket
 * file left by a dead daemon, but fails with EADDRINUSE if a live one answers on it and
 * with ENOTSOCK if path is some other kind of file. The socket gets mode 0660 and group
 * vsw when that group exists. Returns NULL with errno set on failure.
 *
 * Peers with uid 0, with our own uid, or in the socket's group (primary or supplementary,
 * as seen at connect time) get may_write; others do not.
 */
struct vsw_listen *vsw_listen_create(const char *path, const struct vsw_listen_opts *o);
/* Closes every client (calling closed), the socket, and removes the socket file if it is
 * still ours. */
void vsw_listen_free(struct vsw_listen *l);

/* Fill at most max pollfds (1 + max_clients is always enough); returns how many. */
int vsw_listen_pollfds(struct vsw_listen *l, struct pollfd *fds, int max);
/* After poll() returned: serve the fds that vsw_listen_pollfds filled (the array may be a
 * slice of a larger one, and entries that are not ours are ignored). Never blocks. */
void vsw_listen_process(struct vsw_listen *l, const struct pollfd *fds, int n);
/* Both of the above with our own poll(timeout_ms). Returns poll()'s count or -errno. */
int vsw_listen_poll(struct vsw_listen *l, int timeout_ms);

/* Clients connected now. */
unsigned int vsw_listen_n_clients(const struct vsw_listen *l);

#endif
