/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw-controller's socket I/O: the dataplane's ctl_server.c (same framing, limits, peer
 * credentials and non-blocking discipline, so both sockets behave the same for vswctl)
 * made generic: each complete line goes to a handler callback instead of the dataplane's
 * request table, and a client's input buffer grows on demand up to max_line (a topology
 * travels in one request) instead of being allocated at full size. XXX the dataplane
 * could use this file too and drop its copy; not done here to leave dataplane/ alone.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4, struct ucred */
#endif
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctrl.h"
#include "vsw_proto.h"
#include <poll.h>

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux >= 4.13 */
#endif

#define CTL_GROUP "vsw"
/* Stop reading a client's requests while this much of its output waits: pipelined
 * requests then wait in its socket, not in our memory. One reply may go beyond it. */
#define CTL_OUT_HIGH (1u << 20)
/* A client whose pending output made no progress for this long is dropped: it holds
 * one of only 16 slots and up to a full reply of memory. */
#define CTL_STALL_MS 30000
/* Requests served per client per call, so that one busy client cannot starve others. */
#define CTL_REQS_PER_CALL 64
#define CTL_ACCEPTS_PER_CALL 32
#define CTL_READS_PER_CALL 4
/* A client's first input buffer; it grows (doubling) only for a long request. */
#define IN_FIRST 65536u

struct ctl_client {
	int fd; /* -1: free slot */
	bool may_write;
	bool eof;     /* peer shut its sending side: answer what is complete, then close */
	bool pending; /* complete lines wait in in[] (stopped by backpressure or fairness) */
	char *in;     /* grows up to s->max_line bytes */
	size_t in_len, in_cap;
	char *out;
	size_t out_off, out_len, out_cap;
	uint64_t stall_since_ms; /* when output last made progress, or was queued */
};

struct ctl_listen {
	int fd;
	ctl_listen_fn fn;
	void *ctx;
	size_t max_line;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev; /* of our socket file, to unlink only our own */
	ino_t ino;
	gid_t gid; /* the socket's group */
	unsigned int n_clients;
	struct ctl_client clients[VSW_CTRL_MAX_CLIENTS];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- setup ---- */

static int sockaddr_fill(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/* mkdir -p of path's directory */
static int mkdir_parents(const char *path)
{
	char buf[sizeof(((struct sockaddr_un *)0)->sun_path)];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

/* A socket file nobody listens on is left by a dataplane that died: remove it. One that
 * answers belongs to a live dataplane, which we must not steal the socket from. */
static int stale_remove(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS) {
		close(fd);
		return -EADDRINUSE;
	}
	rc = errno;
	close(fd);
	if (rc != ECONNREFUSED)
		return -rc;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int group_lookup(const char *name, gid_t *gid)
{
	struct group grp, *res = NULL;
	char buf[4096];

	if (getgrnam_r(name, &grp, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -ENOENT;
	*gid = res->gr_gid;
	return 0;
}

struct ctl_listen *ctl_listen_create(const char *path, size_t max_line, ctl_listen_fn fn, void *ctx)
{
	struct ctl_listen *s;
	struct sockaddr_un sa;
	struct stat st;
	mode_t old_mask;
	gid_t gid;
	int rc;

	rc = sockaddr_fill(&sa, path);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->fn = fn;
	s->ctx = ctx;
	s->max_line = max_line;
	s->fd = -1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	for (int i = 0; i < VSW_CTRL_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;

	rc = mkdir_parents(path);
	if (rc < 0)
		goto out_free;
	rc = stale_remove(path, &sa);
	if (rc < 0)
		goto out_free;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		rc = -errno;
		goto out_free;
	}
	/* Created owner-only, opened to the group once its group is right: no window in
	 * which a stranger could connect. */
	old_mask = umask(0177);
	rc = bind(s->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_mask);
	if (rc < 0) {
		rc = -errno;
		goto out_close;
	}
	if (group_lookup(CTL_GROUP, &gid) == 0 && chown(path, (uid_t)-1, gid) < 0) {
		rc = -errno;
		goto out_unlink;
	}
	if (chmod(path, 0660) < 0 || stat(path, &st) < 0) {
		rc = -errno;
		goto out_unlink;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->gid = st.st_gid;
	if (listen(s->fd, 64) < 0) {
		rc = -errno;
		goto out_unlink;
	}
	return s;

out_unlink:
	unlink(path);
out_close:
	close(s->fd);
out_free:
	free(s);
	errno = -rc;
	return NULL;
}

/* ---- clients ---- */

static bool peer_may_write(const struct ctl_listen *s, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[64];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	if (cred.uid == 0 || cred.uid == geteuid() || cred.gid == s->gid)
		return true;
	/* Supplementary groups as the kernel recorded them at connect(): no NSS lookup, which
	 * could block on a directory server. A peer in more than 64 groups reads only. */
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++) {
		if (groups[i] == s->gid)
			return true;
	}
	return false;
}

static void client_close(struct ctl_listen *s, struct ctl_client *c)
{
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	s->n_clients--;
}

/* Best effort, for the one reply before a close: a full socket loses it. */
static void send_now(int fd, const char *line)
{
	ssize_t n = send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);

	(void)n;
}

static void accept_clients(struct ctl_listen *s)
{
	for (int k = 0; k < CTL_ACCEPTS_PER_CALL; k++) {
		struct ctl_client *c = NULL;
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN, or out of fds: try again on the next poll */
		}
		for (int i = 0; i < VSW_CTRL_MAX_CLIENTS && c == NULL; i++) {
			if (s->clients[i].fd < 0)
				c = &s->clients[i];
		}
		if (c == NULL) {
			char line[192];

			snprintf(line, sizeof(line),
				 "{\"v\":%d,\"id\":0,\"status\":%d,\"error\":\"request: too many "
				 "clients (expected at most %d at once)\"}\n",
				 VSW_PROTO_VERSION, EBUSY, VSW_CTRL_MAX_CLIENTS);
			send_now(fd, line);
			close(fd);
			continue;
		}
		c->in_cap = IN_FIRST < s->max_line ? IN_FIRST : s->max_line;
		c->in = malloc(c->in_cap);
		if (c->in == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->may_write = peer_may_write(s, fd);
		s->n_clients++;
	}
}

/* Queue one reply and its newline. */
static int client_queue(struct ctl_client *c, const char *reply)
{
	size_t size = strlen(reply) + 1;

	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + size > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *n;

		while (cap < c->out_len + size)
			cap *= 2;
		n = realloc(c->out, cap);
		if (n == NULL)
			return -ENOMEM;
		c->out = n;
		c->out_cap = cap;
	}
	if (c->out_len == 0)
		c->stall_since_ms = now_ms();
	memcpy(c->out + c->out_len, reply, size - 1);
	c->out[c->out_len + size - 1] = '\n';
	c->out_len += size;
	return 0;
}

static int client_flush(struct ctl_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		c->out_off += (size_t)n;
		c->stall_since_ms = now_ms();
	}
	c->out_off = c->out_len = 0;
	/* after one huge reply (a full fdb-show), do not keep its buffer */
	if (c->out_cap > CTL_OUT_HIGH) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	return 0;
}

/* Grow the input buffer when it is full without a newline, up to max_line. */
static int client_grow(const struct ctl_listen *s, struct ctl_client *c)
{
	size_t cap = c->in_cap * 2 < s->max_line ? c->in_cap * 2 : s->max_line;
	char *n;

	if (c->in_len < c->in_cap || c->in_cap == s->max_line)
		return 0;
	n = realloc(c->in, cap);
	if (n == NULL)
		return -ENOMEM;
	c->in = n;
	c->in_cap = cap;
	return 0;
}

static int client_read(const struct ctl_listen *s, struct ctl_client *c)
{
	for (int k = 0; k < CTL_READS_PER_CALL; k++) {
		ssize_t n;

		if (client_grow(s, c) < 0)
			return -ENOMEM;
		if (c->in_len == c->in_cap)
			return 0;
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
		if (n > 0) {
			c->in_len += (size_t)n;
			continue;
		}
		if (n == 0) {
			c->eof = true;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return -errno;
	}
	return 0;
}

static bool blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	}
	return true;
}

/* Answer the complete lines in in[]. Returns -EMSGSIZE when in[] is full without one
 * (after queueing that reply), another -errno to drop the client, else 0. */
static int client_serve(struct ctl_listen *s, struct ctl_client *c)
{
	size_t off = 0;
	int served = 0, rc = 0;
	char *nl = NULL;

	c->pending = false;
	while (off < c->in_len) {
		size_t len;
		char *reply;

		nl = memchr(c->in + off, '\n', c->in_len - off);
		if (nl == NULL)
			break;
		if (served == CTL_REQS_PER_CALL || c->out_len - c->out_off >= CTL_OUT_HIGH) {
			c->pending = true;
			break;
		}
		len = (size_t)(nl - (c->in + off));
		if (!blank(c->in + off, len)) {
			reply = s->fn(s->ctx, c->in + off, len, c->may_write);
			rc = reply != NULL ? client_queue(c, reply) : -ENOMEM;
			free(reply);
			if (rc < 0)
				return rc;
			served++;
		}
		off += len + 1;
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	if (c->in_len == s->max_line && nl == NULL) {
		char line[192];

		/* the rest of that line cannot be told from a next request: give up on it */
		snprintf(line, sizeof(line),
			 "{\"v\":%d,\"id\":0,\"status\":%d,\"error\":\"request: line longer than "
			 "%zu bytes (expected at most %zu bytes including the newline)\"}",
			 VSW_PROTO_VERSION, EMSGSIZE, s->max_line, s->max_line);
		rc = client_queue(c, line);
		if (rc == 0)
			rc = client_flush(c);
		return -EMSGSIZE;
	}
	return 0;
}

static void client_event(struct ctl_listen *s, struct ctl_client *c, short revents)
{
	if (revents & (POLLERR | POLLNVAL)) {
		client_close(s, c);
		return;
	}
	/* POLLHUP: the peer is gone, but what it sent before is still read and executed */
	if ((revents & (POLLIN | POLLHUP)) && !c->eof && client_read(s, c) < 0) {
		client_close(s, c);
		return;
	}
	if (client_serve(s, c) < 0 || client_flush(c) < 0) {
		client_close(s, c);
		return;
	}
	if (c->eof && !c->pending && c->out_len == 0)
		client_close(s, c);
}

/* ---- the loop's entry points ---- */

static int ctl_listen_pollfds(struct ctl_listen *s, struct pollfd *fds, int max)
{
	int n = 0;

	if (max <= 0)
		return 0;
	fds[n++] = (struct pollfd){.fd = s->fd, .events = POLLIN};
	for (int i = 0; i < VSW_CTRL_MAX_CLIENTS && n < max; i++) {
		const struct ctl_client *c = &s->clients[i];
		short ev = 0;

		if (c->fd < 0)
			continue;
		if (!c->eof && !c->pending && c->in_len < s->max_line)
			ev |= POLLIN;
		/* pending lines: the socket is writable, so poll returns at once to serve them */
		if (c->out_len > 0 || c->pending)
			ev |= POLLOUT;
		fds[n++] = (struct pollfd){.fd = c->fd, .events = ev};
	}
	return n;
}

static void ctl_listen_process(struct ctl_listen *s, const struct pollfd *fds, int n)
{
	bool accept_ready = false;
	uint64_t now;

	/* Clients first, accept last: a slot closed here and reused by accept must not
	 * receive the events of the fd number's previous owner. */
	for (int i = 0; i < n; i++) {
		if (fds[i].revents == 0 || fds[i].fd < 0)
			continue;
		if (fds[i].fd == s->fd) {
			accept_ready = (fds[i].revents & POLLIN) != 0;
			continue;
		}
		for (int k = 0; k < VSW_CTRL_MAX_CLIENTS; k++) {
			if (s->clients[k].fd == fds[i].fd) {
				client_event(s, &s->clients[k], fds[i].revents);
				break;
			}
		}
	}
	now = now_ms();
	for (int k = 0; k < VSW_CTRL_MAX_CLIENTS; k++) {
		struct ctl_client *c = &s->clients[k];

		if (c->fd >= 0 && c->out_len > 0 && now - c->stall_since_ms > CTL_STALL_MS)
			client_close(s, c);
	}
	if (accept_ready)
		accept_clients(s);
}

int ctl_listen_poll(struct ctl_listen *s, int timeout_ms)
{
	struct pollfd fds[(1 + VSW_CTRL_MAX_CLIENTS)];
	int n = ctl_listen_pollfds(s, fds, (1 + VSW_CTRL_MAX_CLIENTS));
	int rc = poll(fds, (nfds_t)n, timeout_ms);

	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	/* also with no event: stalled clients are timed out there */
	ctl_listen_process(s, fds, n);
	return rc;
}

void ctl_listen_free(struct ctl_listen *s)
{
	struct stat st;

	if (s == NULL)
		return;
	for (int i = 0; i < VSW_CTRL_MAX_CLIENTS; i++) {
		if (s->clients[i].fd >= 0)
			client_close(s, &s->clients[i]);
	}
	close(s->fd);
	/* a newer dataplane may have replaced the file: leave its socket alone */
	if (stat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
	free(s);
}
