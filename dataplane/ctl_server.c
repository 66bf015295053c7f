/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's I/O (see ctl_server.h): accept, read lines, hand each to
 * ctl_handle_request, queue the reply, write when the peer can take it. Everything is
 * non-blocking and bounded, because this runs on the dataplane's control thread, which
 * also ages MAC tables and reclaims memory for the workers: a client that sends half a
 * line, sends too much, or stops reading costs a bounded amount of memory and never a
 * wait. Limits come from docs/protocol.md: a 64 KiB line, 16 clients.
 * A request may carry one file descriptor (SCM_RIGHTS, sent with the request line:
 * capture-start writes into it); it is handed to that request's handler and closed
 * unless the handler keeps it, so a client can never make us hold descriptors.
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

#include "ctl_handlers.h"
#include "ctl_server.h"

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
/* Descriptors looked at per read; one is kept per request, the others are closed (the
 * kernel closes those beyond this for us: MSG_CTRUNC). */
#define CTL_FDS_PER_READ 4

struct ctl_client {
	int fd; /* -1: free slot */
	bool may_write;
	bool eof;     /* peer shut its sending side: answer what is complete, then close */
	bool pending; /* complete lines wait in in[] (stopped by backpressure or fairness) */
	char *in;     /* VSW_PROTO_MAX_LINE bytes */
	size_t in_len;
	char *out;
	size_t out_off, out_len, out_cap;
	uint64_t stall_since_ms; /* when output last made progress, or was queued */
	uint64_t conn_id;	 /* unique for the dataplane's life: captures name their owner */
	int rx_fd;		 /* descriptor received with a request not yet served, or -1 */
	size_t rx_fd_at;	 /* offset in in[] of the last byte read along with it */
};

struct ctl_server {
	int fd;
	struct dp *dp;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev; /* of our socket file, to unlink only our own */
	ino_t ino;
	gid_t gid; /* the socket's group */
	unsigned int n_clients;
	uint64_t next_conn_id;
	struct ctl_client clients[VSW_PROTO_MAX_CLIENTS];
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

struct ctl_server *ctl_server_create(const char *path, struct dp *dp)
{
	struct ctl_server *s;
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
	s->dp = dp;
	s->fd = -1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	for (int i = 0; i < VSW_PROTO_MAX_CLIENTS; i++) {
		s->clients[i].fd = -1;
		s->clients[i].rx_fd = -1;
	}

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

static bool peer_may_write(const struct ctl_server *s, int fd)
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

static void client_close(struct ctl_server *s, struct ctl_client *c)
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
	s->n_clients--;
	/* what the connection owned (captures) ends with it */
	ctl_conn_closed(s->dp, conn_id);
}

/* Best effort, for the one reply before a close: a full socket loses it. */
static void send_now(int fd, const char *line)
{
	ssize_t n = send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);

	(void)n;
}

static void accept_clients(struct ctl_server *s)
{
	for (int k = 0; k < CTL_ACCEPTS_PER_CALL; k++) {
		struct ctl_client *c = NULL;
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN, or out of fds: try again on the next poll */
		}
		for (int i = 0; i < VSW_PROTO_MAX_CLIENTS && c == NULL; i++) {
			if (s->clients[i].fd < 0)
				c = &s->clients[i];
		}
		if (c == NULL) {
			char line[192];

			snprintf(line, sizeof(line),
				 "{\"v\":%d,\"id\":0,\"status\":%d,\"error\":\"request: too many "
				 "clients (expected at most %d at once)\"}\n",
				 VSW_PROTO_VERSION, EBUSY, VSW_PROTO_MAX_CLIENTS);
			send_now(fd, line);
			close(fd);
			continue;
		}
		c->in = malloc(VSW_PROTO_MAX_LINE);
		if (c->in == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->rx_fd = -1;
		c->conn_id = ++s->next_conn_id;
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

/* Keep the first descriptor that came with a read for the request it belongs to;
 * close any other (more than one per request, or one while another waits). */
static void client_take_fds(struct ctl_client *c, struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		size_t nfd;
		int fds[CTL_FDS_PER_READ];

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (nfd > CTL_FDS_PER_READ)
			nfd = CTL_FDS_PER_READ;
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

static int client_read(struct ctl_client *c)
{
	for (int k = 0; k < CTL_READS_PER_CALL && c->in_len < VSW_PROTO_MAX_LINE; k++) {
		union {
			char buf[CMSG_SPACE(CTL_FDS_PER_READ * sizeof(int))];
			struct cmsghdr align;
		} ctrl;
		struct iovec iov = {c->in + c->in_len, VSW_PROTO_MAX_LINE - c->in_len};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctrl.buf,
				    .msg_controllen = sizeof(ctrl.buf)};
		ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (n > 0) {
			c->in_len += (size_t)n;
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
static int client_serve(struct ctl_server *s, struct ctl_client *c)
{
	struct ctl_conn conn = {.id = c->conn_id, .fd = -1};
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
			reply = ctl_handle_request_conn(s->dp, c->in + off, len, c->may_write,
							&conn);
			rc = reply != NULL ? client_queue(c, reply) : -ENOMEM;
			free(reply);
			served++;
		}
		if (conn.fd >= 0) /* not kept by the handler */
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
	if (c->in_len == VSW_PROTO_MAX_LINE && nl == NULL) {
		char line[192];

		/* the rest of that line cannot be told from a next request: give up on it */
		snprintf(line, sizeof(line),
			 "{\"v\":%d,\"id\":0,\"status\":%d,\"error\":\"request: line longer than "
			 "%d bytes (expected at most %d bytes including the newline)\"}",
			 VSW_PROTO_VERSION, EMSGSIZE, VSW_PROTO_MAX_LINE, VSW_PROTO_MAX_LINE);
		rc = client_queue(c, line);
		if (rc == 0)
			rc = client_flush(c);
		return -EMSGSIZE;
	}
	return 0;
}

static void client_event(struct ctl_server *s, struct ctl_client *c, short revents)
{
	if (revents & (POLLERR | POLLNVAL)) {
		client_close(s, c);
		return;
	}
	/* POLLHUP: the peer is gone, but what it sent before is still read and executed */
	if ((revents & (POLLIN | POLLHUP)) && !c->eof && client_read(c) < 0) {
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

int ctl_server_pollfds(struct ctl_server *s, struct pollfd *fds, int max)
{
	int n = 0;

	if (max <= 0)
		return 0;
	fds[n++] = (struct pollfd){.fd = s->fd, .events = POLLIN};
	for (int i = 0; i < VSW_PROTO_MAX_CLIENTS && n < max; i++) {
		const struct ctl_client *c = &s->clients[i];
		short ev = 0;

		if (c->fd < 0)
			continue;
		if (!c->eof && !c->pending && c->in_len < VSW_PROTO_MAX_LINE)
			ev |= POLLIN;
		/* pending lines: the socket is writable, so poll returns at once to serve them */
		if (c->out_len > 0 || c->pending)
			ev |= POLLOUT;
		fds[n++] = (struct pollfd){.fd = c->fd, .events = ev};
	}
	return n;
}

void ctl_server_process(struct ctl_server *s, const struct pollfd *fds, int n)
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
		for (int k = 0; k < VSW_PROTO_MAX_CLIENTS; k++) {
			if (s->clients[k].fd == fds[i].fd) {
				client_event(s, &s->clients[k], fds[i].revents);
				break;
			}
		}
	}
	now = now_ms();
	for (int k = 0; k < VSW_PROTO_MAX_CLIENTS; k++) {
		struct ctl_client *c = &s->clients[k];

		if (c->fd >= 0 && c->out_len > 0 && now - c->stall_since_ms > CTL_STALL_MS)
			client_close(s, c);
	}
	if (accept_ready)
		accept_clients(s);
}

int ctl_server_poll(struct ctl_server *s, int timeout_ms)
{
	struct pollfd fds[CTL_SERVER_MAX_POLLFDS];
	int n = ctl_server_pollfds(s, fds, CTL_SERVER_MAX_POLLFDS);
	int rc = poll(fds, (nfds_t)n, timeout_ms);

	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	/* also with no event: stalled clients are timed out there */
	ctl_server_process(s, fds, n);
	return rc;
}

unsigned int ctl_server_n_clients(const struct ctl_server *s)
{
	return s->n_clients;
}

void ctl_server_free(struct ctl_server *s)
{
	struct stat st;

	if (s == NULL)
		return;
	for (int i = 0; i < VSW_PROTO_MAX_CLIENTS; i++) {
		if (s->clients[i].fd >= 0)
			client_close(s, &s->clients[i]);
	}
	close(s->fd);
	/* a newer dataplane may have replaced the file: leave its socket alone */
	if (stat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
	free(s);
}
