/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's control socket: a Unix stream socket speaking docs/protocol.md, served
 * from the control thread's main loop without ever blocking it. Framing, client limits,
 * buffering and peer credentials are common/vsw_listen.c's (the controller's socket uses it
 * too); what a request means is ctl_handlers.c.
 *
 * Use, from the control loop (every 1 to 10 ms):
 *
 *	struct ctl_server *cs = ctl_server_create(VSW_DATAPLANE_SOCK, dp);
 *	for (;;) {
 *		ctl_server_poll(cs, 0);           // or, to merge with other fds:
 *		...                               // n = ctl_server_pollfds(cs, fds, max);
 *	}                                         // poll(fds, n, t); ctl_server_process(cs, fds, n);
 *	ctl_server_free(cs);
 *
 * Workers never touch any of this. Not thread-safe: one thread owns a server.
 */
#ifndef VSW_CTL_SERVER_H
#define VSW_CTL_SERVER_H

#include <poll.h>

#include "vsw_proto.h"

struct dp;
struct ctl_server;

/* Enough pollfds for the listening socket and every client. */
#define CTL_SERVER_MAX_POLLFDS (1 + VSW_PROTO_MAX_CLIENTS)

/*
 * Listen on path: creates its directory (mode 0755) if missing; removes a stale socket
 * file left by a dead dataplane, but fails with EADDRINUSE if a live one answers on it
 * and with ENOTSOCK if path is some other kind of file. The socket gets mode 0660 and
 * group vsw when that group exists. Returns NULL with errno set on failure.
 *
 * Peers with uid 0, with the dataplane's own uid, or in the socket's group (primary or
 * supplementary, as seen at connect time) may change state; others only read (info,
 * *-list, fdb-show, stats, drop-reasons) and get EPERM for the rest.
 */
struct ctl_server *ctl_server_create(const char *path, struct dp *dp);
/* Closes every client, the socket, and removes the socket file if it is still ours. */
void ctl_server_free(struct ctl_server *s);

/* Fill at most max pollfds (CTL_SERVER_MAX_POLLFDS is always enough); returns how many. */
int ctl_server_pollfds(struct ctl_server *s, struct pollfd *fds, int max);
/* After poll() returned: serve the fds that ctl_server_pollfds filled (the array may be
 * a slice of a larger one, and entries that are not ours are ignored). Never blocks. */
void ctl_server_process(struct ctl_server *s, const struct pollfd *fds, int n);
/* Both of the above with our own poll(timeout_ms). Returns poll()'s count or -errno. */
int ctl_server_poll(struct ctl_server *s, int timeout_ms);

/* Clients connected now. */
unsigned int ctl_server_n_clients(const struct ctl_server *s);

#endif
