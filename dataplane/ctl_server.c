/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's control socket (see ctl_server.h): common/vsw_listen.c does the I/O
 * (framing, limits, buffering, peer credentials) with the dataplane's limits from
 * docs/protocol.md, a 64 KiB line and 16 clients; each request goes to ctl_handlers.c.
 * A request may carry one file descriptor (SCM_RIGHTS, sent with the request line:
 * capture-start writes into it), and a connection's end ends what it owned (captures).
 */
#include <errno.h>
#include <stdlib.h>

#include "ctl_handlers.h"
#include "ctl_server.h"
#include "vsw_listen.h"

struct ctl_server {
	struct vsw_listen *l;
};

static char *server_request(void *ctx, const char *line, size_t len, bool may_write,
			    struct vsw_listen_conn *vc)
{
	struct ctl_conn conn = {.id = vc->id, .fd = vc->fd};
	char *reply = ctl_handle_request_conn(ctx, line, len, may_write, &conn);

	vc->fd = conn.fd; /* -1 when the handler kept it */
	return reply;
}

static void server_conn_closed(void *ctx, uint64_t conn_id)
{
	ctl_conn_closed(ctx, conn_id);
}

struct ctl_server *ctl_server_create(const char *path, struct dp *dp)
{
	const struct vsw_listen_opts o = {
		.max_line = VSW_PROTO_MAX_LINE,
		.max_clients = VSW_PROTO_MAX_CLIENTS,
		.pass_fds = true,
		.request = server_request,
		.closed = server_conn_closed,
		.ctx = dp,
	};
	struct ctl_server *s = malloc(sizeof(*s));
	int err;

	if (s == NULL)
		return NULL;
	s->l = vsw_listen_create(path, &o);
	if (s->l == NULL) {
		err = errno;
		free(s);
		errno = err;
		return NULL;
	}
	return s;
}

void ctl_server_free(struct ctl_server *s)
{
	if (s == NULL)
		return;
	vsw_listen_free(s->l);
	free(s);
}

int ctl_server_pollfds(struct ctl_server *s, struct pollfd *fds, int max)
{
	return vsw_listen_pollfds(s->l, fds, max);
}

void ctl_server_process(struct ctl_server *s, const struct pollfd *fds, int n)
{
	vsw_listen_process(s->l, fds, n);
}

int ctl_server_poll(struct ctl_server *s, int timeout_ms)
{
	return vsw_listen_poll(s->l, timeout_ms);
}

unsigned int ctl_server_n_clients(const struct ctl_server *s)
{
	return vsw_listen_n_clients(s->l);
}
