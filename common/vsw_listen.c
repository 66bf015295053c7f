/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control sockets' I/O (see vsw_listen.h): accept, read lines, hand each to the
 * owner's request callback, queue the reply, write when the peer can take it. Everything
 * is non-blocking and bounded, because this runs on a daemon's only control thread (the
 * dataplane's also ages MAC tables and reclaims memory for the workers): a client that
 * sends half a line, sends too much, or stops reading costs a bounded amount of memory
 * and never a wait. Limits come from the owner (docs/protocol.md: the dataplane takes a
 * 64 KiB line and 16 clients; the controller 4 MiB, so that a topology fits in one line).
 * A client's input buffer starts at 64 KiB at most and grows, doubling, only for a long
 * request. With pass_fds a request may carry one file descriptor (SCM_RIGHTS, sent with
 * the request line: the dataplane's capture-start writes into it); it is handed to that
 * request's callback and closed unless the callback keeps it, so a client can never make
 * us hold descriptors.
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

#include "vsw_listen.h"
#include "vsw_proto.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux >= 4.13 */
#endif

#define LISTEN_GROUP "vsw"
/* Stop reading a client's requests while this much of its output waits: pipelined
 * requests then wait in its socket, not in our memory. One reply may go beyond it. */
#define LISTEN_OUT_HIGH (1u << 20)
/* A client whose pending output made no progress for this long is dropped: it holds
 * one of only a few slots and up to a full reply of memory. */
#define LISTEN_STALL_MS 30000
/* Requests served per client per call, so that one busy client cannot starve others. */
#define LISTEN_REQS_PER_CALL 64
#define LISTEN_ACCEPTS_PER_CALL 32
#define LISTEN_READS_PER_CALL 4
/* Descriptors looked at per read; one is kept per request, the others are closed (the
 * kernel closes those beyond this for us: MSG_CTRUNC). */
#define LISTEN_FDS_PER_READ 4
/* A client's first input buffer; it grows (doubling) only for a long request. */
#define LISTEN_IN_FIRST 65536u

struct listen_client {
	int fd; /* -1: free slot */
	bool may_write;
	bool eof;     /* peer shut its sending side: answer what is complete, then close */
	bool pending; /* complete lines wait in in[] (stopped by backpressure or fairness) */
	char *in;     /* grows up to max_line bytes */
	size_t in_len, in_cap;
	char *out;
	size_t out_off, out_len, out_cap;
	uint64_t stall_since_ms; /* when output last made progress, or was queued */
	uint64_t conn_id;	 /* unique for the listener's life */
	int rx_fd;		 /* descriptor received with a request not yet served, or -1 */
	size_t rx_fd_at;	 /* offset in in[] of the last byte read along with it */
};

struct vsw_listen {
	int fd;
	struct vsw_listen_opts o;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev; /* of our socket file, to unlink only our own */
	ino_t ino;
	gid_t gid; /* the socket's group */
	unsigned int n_clients;
	uint64_t next_conn_id;
	struct pollfd *pfds;	       /* 1 + max_clients, for vsw_listen_poll */
	struct listen_client *clients; /* max_clients */
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

/* A socket file nobody listens on is left by a daemon that died: remove it. One that
 * answers belongs to a live daemon, which we must not steal the socket from. */
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

struct vsw_listen *vsw_listen_create(const char *path, const struct vsw_listen_opts *o)
{
	struct vsw_listen *l;
	struct sockaddr_un sa;
	struct stat st;
	mode_t old_mask;
	gid_t gid;
	int rc;

	if (o->max_line == 0 || o->max_clients == 0 || o->request == NULL) {
		errno = EINVAL;
		return NULL;
	}
	rc = sockaddr_fill(&sa, path);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->o = *o;
	l->fd = -1;
	snprintf(l->path, sizeof(l->path), "%s", path);
	l->clients = calloc(o->max_clients, sizeof(*l->clients));
	l->pfds = calloc(1 + (size_t)o->max_clients, sizeof(*l->pfds));
	if (l->clients == NULL || l->pfds == NULL) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (unsigned int i = 0; i < o->max_clients; i++) {
		l->clients[i].fd = -1;
		l->clients[i].rx_fd = -1;
	}

	rc = mkdir_parents(path);
	if (rc < 0)
		goto out_free;
	rc = stale_remove(path, &sa);
	if (rc < 0)
		goto out_free;
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		rc = -errno;
		goto out_free;
	}
	/* Created owner-only, opened to the group once its group is right: no window in
	 * which a stranger could connect. */
	old_mask = umask(0177);
	rc = bind(l->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_mask);
	if (rc < 0) {
		rc = -errno;
		goto out_close;
	}
	if (group_lookup(LISTEN_GROUP, &gid) == 0 && chown(path, (uid_t)-1, gid) < 0) {
		rc = -errno;
		goto out_unlink;
	}
	if (chmod(path, 0660) < 0 || stat(path, &st) < 0) {
		rc = -errno;
		goto out_unlink;
	}
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	l->gid = st.st_gid;
	if (listen(l->fd, 64) < 0) {
		rc = -errno;
		goto out_unlink;
	}
	return l;

out_unlink:
	unlink(path);
out_close:
	close(l->fd);
out_free:
	free(l->pfds);
	free(l->clients);
	free(l);
	errno = -rc;
	return NULL;
}

/* ---- clients ---- */

static bool peer_may_write(const struct vsw_listen *l, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[64];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	if (cred.uid == 0 || cred.uid == geteuid() || cred.gid == l->gid)
		return true;
	/* Supplementary groups as the kernel recorded them at connect(): no NSS lookup, which
	 * could block on a directory server. A peer in more than 64 groups reads only. */
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++) {
		if (groups[i] == l->gid)
			return true;
	}
	return false;
}

static void client_close(struct vsw_listen *l, struct listen_client *c)
{
	uint64_t conn_id = c->conn_id;

	close(c->fd);
	if (c->rx_fd >= 0)
		close(c->rx_fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->rx_fd = -1;
	l->n_clients--;
	/* what the connection owned (the dataplane's captures) ends with it */
	if (l->o.closed != NULL)
		l->o.closed(l->o.ctx, conn_id);
}

/* Best effort, for the one reply before a close: a full socket loses it. */
static void send_now(int fd, const char *line)
{
	ssize_t n = send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);

	(void)n;
}

static void accept_clients(struct vsw_listen *l)
{
	for (int k = 0; k < LISTEN_ACCEPTS_PER_CALL; k++) {
		struct listen_client *c = NULL;
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN, or out of fds: try again on the next poll */
		}
		for (unsigned int i = 0; i < l->o.max_clients && c == NULL; i++) {
			if (l->clients[i].fd < 0)
				c = &l->clients[i];
		}
		if (c == NULL) {
			char line[192];

			snprintf(line, sizeof(line),
				 "{\"v\":%d,\"id\":0,\"status\":%d,\"error\":\"request: too many "
				 "clients (expected at most %u at once)\"}\n",
				 VSW_PROTO_VERSION, EBUSY, l->o.max_clients);
			send_now(fd, line);
			close(fd);
			continue;
		}
		c->in_cap = LISTEN_IN_FIRST < l->o.max_line ? LISTEN_IN_FIRST : l->o.max_line;
		c->in = malloc(c->in_cap);
		if (c->in == NULL) {
			c->in_cap = 0;
			close(fd);
			continue;
		}
		c->fd = fd;
		c->rx_fd = -1;
		c->conn_id = ++l->next_conn_id;
		c->may_write = peer_may_write(l, fd);
		l->n_clients++;
	}
}

/* Queue one reply and its newline. */
static int client_queue(struct listen_client *c, const char *reply)
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

static int client_flush(struct listen_client *c)
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
	if (c->out_cap > LISTEN_OUT_HIGH) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	return 0;
}

/* Keep the first descriptor that came with a read for the request it belongs to;
 * close any other (more than one per request, or one while another waits). */
static void client_take_fds(struct listen_client *c, struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		size_t nfd;
		int fds[LISTEN_FDS_PER_READ];

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (nfd > LISTEN_FDS_PER_READ)
			nfd = LISTEN_FDS_PER_READ;
		memcpy(fds, CMSG_DATA(cm), nfd * sizeof(int));
		for (size_t i = 0; i < nfd; i++) {
			if (c->rx_fd < 0 && c->in_len > 0) {
				c->rx_fd = fds[i];
				c->rx_fd_at = c->in_len - 1;
			} else {
				close(fds[i]);
			}
		}
	}
}

/* Grow the input buffer when it is full without a newline, up to max_line. */
static int client_grow(const struct vsw_listen *l, struct listen_client *c)
{
	size_t max = l->o.max_line;
	size_t cap = c->in_cap * 2 < max ? c->in_cap * 2 : max;
	char *n;

	if (c->in_len < c->in_cap || c->in_cap == max)
		return 0;
	n = realloc(c->in, cap);
	if (n == NULL)
		return -ENOMEM;
	c->in = n;
	c->in_cap = cap;
	return 0;
}

static int client_read(const struct vsw_listen *l, struct listen_client *c)
{
	for (int k = 0; k < LISTEN_READS_PER_CALL; k++) {
		union {
			char buf[CMSG_SPACE(LISTEN_FDS_PER_READ * sizeof(int))];
			struct cmsghdr align;
		} ctrl;
		struct iovec iov;
		/* without a control buffer the kernel closes any descriptor sent to us */
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = l->o.pass_fds ? ctrl.buf : NULL,
				    .msg_controllen = l->o.pass_fds ? sizeof(ctrl.buf) : 0};
		ssize_t n;

		if (client_grow(l, c) < 0)
			return -ENOMEM;
		if (c->in_len == c->in_cap)
			return 0;
		iov = (struct iovec){c->in + c->in_len, c->in_cap - c->in_len};
		n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n > 0) {
			c->in_len += (size_t)n;
			if (l->o.pass_fds)
				client_take_fds(c, &mh);
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
static int client_serve(struct vsw_listen *l, struct listen_client *c)
{
	struct vsw_listen_conn conn = {.id = c->conn_id, .fd = -1};
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
		if (served == LISTEN_REQS_PER_CALL || c->out_len - c->out_off >= LISTEN_OUT_HIGH) {
			c->pending = true;
			break;
		}
		len = (size_t)(nl - (c->in + off));
		conn.fd = -1;
		if (c->rx_fd >= 0 && c->rx_fd_at <= off + len) {
			/* it came with this line's bytes (or an earlier, blank one's: stale) */
			if (c->rx_fd_at >= off)
				conn.fd = c->rx_fd;
			else
				close(c->rx_fd);
			c->rx_fd = -1;
		}
		if (!blank(c->in + off, len)) {
			reply = l->o.request(l->o.ctx, c->in + off, len, c->may_write, &conn);
			rc = reply != NULL ? client_queue(c, reply) : -ENOMEM;
			free(reply);
			served++;
		}
		if (conn.fd >= 0) /* not kept by the callback */
			close(conn.fd);
		if (rc < 0)
			return rc;
		off += len + 1;
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
		if (c->rx_fd >= 0)
			c->rx_fd_at -= off; /* >= off: older ones were consumed above */
	}
	if (c->in_len == l->o.max_line && nl == NULL) {
		char line[192];

		/* the rest of that line cannot be told from a next request: give up on it */
		snprintf(line, sizeof(line),
			 "{\"v\":%d,\"id\":0,\"status\":%d,\"error\":\"request: line longer than "
			 "%zu bytes (expected at most %zu bytes including the newline)\"}",
			 VSW_PROTO_VERSION, EMSGSIZE, l->o.max_line, l->o.max_line);
		rc = client_queue(c, line);
		if (rc == 0)
			rc = client_flush(c);
		return -EMSGSIZE;
	}
	return 0;
}

static void client_event(struct vsw_listen *l, struct listen_client *c, short revents)
{
	if (revents & (POLLERR | POLLNVAL)) {
		client_close(l, c);
		return;
	}
	/* POLLHUP: the peer is gone, but what it sent before is still read and executed */
	if ((revents & (POLLIN | POLLHUP)) && !c->eof && client_read(l, c) < 0) {
		client_close(l, c);
		return;
	}
	if (client_serve(l, c) < 0 || client_flush(c) < 0) {
		client_close(l, c);
		return;
	}
	if (c->eof && !c->pending && c->out_len == 0)
		client_close(l, c);
}

/* ---- the loop's entry points ---- */

int vsw_listen_pollfds(struct vsw_listen *l, struct pollfd *fds, int max)
{
	int n = 0;

	if (max <= 0)
		return 0;
	fds[n++] = (struct pollfd){.fd = l->fd, .events = POLLIN};
	for (unsigned int i = 0; i < l->o.max_clients && n < max; i++) {
		const struct listen_client *c = &l->clients[i];
		short ev = 0;

		if (c->fd < 0)
			continue;
		if (!c->eof && !c->pending && c->in_len < l->o.max_line)
			ev |= POLLIN;
		/* pending lines: the socket is writable, so poll returns at once to serve them */
		if (c->out_len > 0 || c->pending)
			ev |= POLLOUT;
		fds[n++] = (struct pollfd){.fd = c->fd, .events = ev};
	}
	return n;
}

void vsw_listen_process(struct vsw_listen *l, const struct pollfd *fds, int n)
{
	bool accept_ready = false;
	uint64_t now;

	/* Clients first, accept last: a slot closed here and reused by accept must not
	 * receive the events of the fd number's previous owner. */
	for (int i = 0; i < n; i++) {
		if (fds[i].revents == 0 || fds[i].fd < 0)
			continue;
		if (fds[i].fd == l->fd) {
			accept_ready = (fds[i].revents & POLLIN) != 0;
			continue;
		}
		for (unsigned int k = 0; k < l->o.max_clients; k++) {
			if (l->clients[k].fd == fds[i].fd) {
				client_event(l, &l->clients[k], fds[i].revents);
				break;
			}
		}
	}
	now = now_ms();
	for (unsigned int k = 0; k < l->o.max_clients; k++) {
		struct listen_client *c = &l->clients[k];

		if (c->fd >= 0 && c->out_len > 0 && now - c->stall_since_ms > LISTEN_STALL_MS)
			client_close(l, c);
	}
	if (accept_ready)
		accept_clients(l);
}

int vsw_listen_poll(struct vsw_listen *l, int timeout_ms)
{
	int n = vsw_listen_pollfds(l, l->pfds, 1 + (int)l->o.max_clients);
	int rc = poll(l->pfds, (nfds_t)n, timeout_ms);

	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	/* also with no event: stalled clients are timed out there */
	vsw_listen_process(l, l->pfds, n);
	return rc;
}

unsigned int vsw_listen_n_clients(const struct vsw_listen *l)
{
	return l->n_clients;
}

void vsw_listen_free(struct vsw_listen *l)
{
	struct stat st;

	if (l == NULL)
		return;
	for (unsigned int i = 0; i < l->o.max_clients; i++) {
		if (l->clients[i].fd >= 0)
			client_close(l, &l->clients[i]);
	}
	close(l->fd);
	/* a newer daemon may have replaced the file: leave its socket alone */
	if (stat(l->path, &st) == 0 && st.st_dev == l->dev && st.st_ino == l->ino)
		unlink(l->path);
	free(l->pfds);
	free(l->clients);
	free(l);
}
