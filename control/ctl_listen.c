/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw-controller's socket: common/vsw_listen.c, the I/O the dataplane's socket uses too
 * (same framing, limits, peer credentials and non-blocking discipline, so both sockets
 * behave the same for vswctl), with the controller's own line limit (a topology travels
 * in one request) and no descriptor passing. Each complete line goes to the handler.
 */
#include <errno.h>
#include <stdlib.h>

#include "ctrl.h"
#include "vsw_listen.h"

struct ctl_listen {
	struct vsw_listen *l;
	ctl_listen_fn fn;
	void *ctx;
};

static char *listen_request(void *ctx, const char *line, size_t len, bool may_write,
			    struct vsw_listen_conn *conn)
{
	struct ctl_listen *s = ctx;

	(void)conn; /* no descriptors come with requests here, and nothing outlives one */
	return s->fn(s->ctx, line, len, may_write);
}

struct ctl_listen *ctl_listen_create(const char *path, size_t max_line, ctl_listen_fn fn, void *ctx)
{
	struct ctl_listen *s = malloc(sizeof(*s));
	struct vsw_listen_opts o = {
		.max_line = max_line,
		.max_clients = VSW_CTRL_MAX_CLIENTS,
		.request = listen_request,
		.ctx = s,
	};
	int err;

	if (s == NULL)
		return NULL;
	s->fn = fn;
	s->ctx = ctx;
	s->l = vsw_listen_create(path, &o);
	if (s->l == NULL) {
		err = errno;
		free(s);
		errno = err;
		return NULL;
	}
	return s;
}

int ctl_listen_poll(struct ctl_listen *s, int timeout_ms)
{
	return vsw_listen_poll(s->l, timeout_ms);
}

void ctl_listen_free(struct ctl_listen *s)
{
	if (s == NULL)
		return;
	vsw_listen_free(s->l);
	free(s);
}
