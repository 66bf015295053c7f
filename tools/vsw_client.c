/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client side of the control protocol: one request line out, one reply line back, over a
 * non-blocking Unix stream socket polled against one deadline per call, so a daemon that
 * hangs, dies mid-reply or floods us costs the caller a bounded wait and bounded memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vsw_client.h"
#include "vsw_proto.h"

#define RECV_CHUNK 65536

struct vsw_client {
	int fd;
	int timeout_ms;	  /* per call; <= 0 = forever */
	size_t max_reply; /* bytes of one reply line, newline excluded */
	int64_t next_id;  /* ids let us notice a reply that belongs to someone else */
	int broken;	  /* errno that left the stream unsynchronised; 0 = usable */
	char *buf;	  /* received bytes not yet handed out */
	size_t len, cap;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t deadline_of(const struct vsw_client *c)
{
	return c->timeout_ms > 0 ? now_ms() + c->timeout_ms : -1;
}

/* Wait until fd is ready for events or the deadline (-1 = none) passes. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int left, n;

	for (;;) {
		if (deadline < 0) {
			left = -1;
		} else {
			int64_t d = deadline - now_ms();

			if (d <= 0)
				return -ETIMEDOUT;
			left = d > INT_MAX ? INT_MAX : (int)d;
		}
		n = poll(&pfd, 1, left);
		if (n > 0)
			return 0; /* POLLHUP/POLLERR too: the next send/recv reports them */
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static void timeout_msg(const struct vsw_client *c, const char *what, char *err, size_t errsz)
{
	snprintf(err, errsz, "no %s from %s within %d.%03d s", what, c->path, c->timeout_ms / 1000,
		 c->timeout_ms % 1000);
}

struct vsw_client *vsw_client_connect(const char *path, int timeout_ms, char *err, size_t errsz)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct vsw_client *c;
	int e;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errsz, "cannot connect to %s: socket path longer than %zu bytes",
			 path, sizeof(sa.sun_path) - 1);
		errno = ENAMETOOLONG;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errsz, "cannot connect to %s: out of memory", path);
		errno = ENOMEM;
		return NULL;
	}
	strcpy(c->path, path);
	strcpy(sa.sun_path, path);
	c->timeout_ms = timeout_ms;
	c->max_reply = VSW_CLIENT_MAX_REPLY;
	c->next_id = 1;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		e = errno;
		snprintf(err, errsz, "cannot connect to %s: socket: %s", path, strerror(e));
		goto out_free;
	}
	/* A Unix connect blocks only while the listener's backlog is full; SO_SNDTIMEO
	 * bounds that wait (the kernel then answers EAGAIN). */
	if (timeout_ms > 0) {
		struct timeval tv = {.tv_sec = timeout_ms / 1000,
				     .tv_usec = (timeout_ms % 1000) * 1000};

		if (setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
			e = errno;
			snprintf(err, errsz, "cannot connect to %s: SO_SNDTIMEO: %s", path,
				 strerror(e));
			goto out_close;
		}
	}
	while (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		if (e == EINTR)
			continue;
		if (e == EAGAIN || e == EINPROGRESS)
			e = ETIMEDOUT;
		snprintf(err, errsz, "cannot connect to %s: %s; %s", path, strerror(e),
			 e == EACCES || e == EPERM ? "run as root or as a member of group vsw"
						   : "is vsw-dataplane running?");
		goto out_close;
	}
	if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) < 0) {
		e = errno;
		snprintf(err, errsz, "cannot connect to %s: O_NONBLOCK: %s", path, strerror(e));
		goto out_close;
	}
	return c;

out_close:
	close(c->fd);
out_free:
	free(c);
	errno = e;
	return NULL;
}

void vsw_client_set_max_reply(struct vsw_client *c, size_t size)
{
	c->max_reply = size;
}

void vsw_client_close(struct vsw_client *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	free(c->buf);
	free(c);
}

static int send_all(struct vsw_client *c, const char *data, size_t size, int64_t deadline)
{
	size_t off = 0;
	ssize_t n;
	int rc;

	while (off < size) {
		/* MSG_NOSIGNAL: a daemon that went away must give us EPIPE, not kill us. */
		n = send(c->fd, data + off, size - off, MSG_NOSIGNAL);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		rc = wait_fd(c->fd, POLLOUT, deadline);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Next line out of the stream: *line is malloc'd, NUL-terminated, newline removed. */
static int recv_line(struct vsw_client *c, char **line, size_t *len, int64_t deadline, char *err,
		     size_t errsz)
{
	size_t scanned = 0;
	ssize_t n;
	int rc;

	for (;;) {
		char *nl =
			c->len > scanned ? memchr(c->buf + scanned, '\n', c->len - scanned) : NULL;

		if (nl != NULL) {
			size_t size = (size_t)(nl - c->buf);

			if (size > c->max_reply)
				break;
			*line = malloc(size + 1);
			if (*line == NULL) {
				snprintf(err, errsz, "out of memory for a %zu-byte reply", size);
				return -ENOMEM;
			}
			memcpy(*line, c->buf, size);
			(*line)[size] = '\0';
			*len = size;
			c->len -= size + 1;
			memmove(c->buf, nl + 1, c->len);
			return 0;
		}
		scanned = c->len;
		if (c->len > c->max_reply)
			break;
		if (c->cap - c->len < RECV_CHUNK) {
			size_t cap = c->cap ? c->cap * 2 : RECV_CHUNK;
			char *b;

			if (cap < c->len + RECV_CHUNK)
				cap = c->len + RECV_CHUNK;
			b = realloc(c->buf, cap);
			if (b == NULL) {
				snprintf(err, errsz,
					 "out of memory for a reply of more than %zu bytes",
					 c->len);
				return -ENOMEM;
			}
			c->buf = b;
			c->cap = cap;
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		if (n == 0) {
			snprintf(err, errsz, "%s closed the connection %s", c->path,
				 c->len ? "in the middle of a reply" : "without replying");
			return -ECONNRESET;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			rc = -errno;
			snprintf(err, errsz, "reading from %s: %s", c->path, strerror(-rc));
			return rc;
		}
		rc = wait_fd(c->fd, POLLIN, deadline);
		if (rc == -ETIMEDOUT) {
			timeout_msg(c, "reply", err, errsz);
			return rc;
		}
		if (rc < 0) {
			snprintf(err, errsz, "waiting for %s: %s", c->path, strerror(-rc));
			return rc;
		}
	}
	snprintf(err, errsz, "reply from %s is longer than %zu bytes", c->path, c->max_reply);
	return -EMSGSIZE;
}

/* Send one line (newline appended here) and read the next reply line. */
static int transact(struct vsw_client *c, const char *line, char **reply, size_t *len, char *err,
		    size_t errsz)
{
	int64_t deadline = deadline_of(c);
	size_t size = strlen(line);
	char *msg;
	int rc, rc2;

	if (c->broken) {
		snprintf(err, errsz, "connection to %s unusable after an earlier error (%s)",
			 c->path, strerror(c->broken));
		return -c->broken;
	}
	if (memchr(line, '\n', size) != NULL) {
		snprintf(err, errsz, "a request must be one line");
		return -EINVAL;
	}
	if (size + 1 > VSW_PROTO_MAX_LINE) {
		snprintf(err, errsz, "request is %zu bytes, the protocol allows %d", size + 1,
			 VSW_PROTO_MAX_LINE);
		return -EMSGSIZE;
	}
	msg = malloc(size + 1);
	if (msg == NULL) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	memcpy(msg, line, size);
	msg[size] = '\n';
	rc = send_all(c, msg, size + 1, deadline);
	free(msg);
	if (rc == -ETIMEDOUT) {
		timeout_msg(c, "room to send", err, errsz);
		goto out_broken;
	}
	if (rc < 0) {
		/* A daemon that refuses us (EBUSY: too many clients) writes its reason and
		 * closes before reading; that reply beats "broken pipe". */
		rc2 = recv_line(c, reply, len, deadline, err, errsz);
		if (rc2 == 0)
			goto out_broken_reply;
		snprintf(err, errsz, "sending to %s: %s", c->path, strerror(-rc));
		goto out_broken;
	}
	rc = recv_line(c, reply, len, deadline, err, errsz);
	if (rc < 0)
		goto out_broken;
	return 0;

out_broken_reply:
	c->broken = -rc;
	return 0;
out_broken:
	/* After a timeout or a cut line, the next bytes could be the tail of this reply:
	 * refuse to read them as the answer to another request. */
	c->broken = -rc;
	return rc;
}

int vsw_client_raw(struct vsw_client *c, const char *line, char **reply, char *err, size_t errsz)
{
	size_t len;

	return transact(c, line, reply, &len, err, errsz);
}

int vsw_reply_parse(const char *line, size_t len, int64_t want_id, struct vsw_reply *r, char *err,
		    size_t errsz)
{
	json_t *v, *status, *id, *error;
	json_error_t jerr;

	memset(r, 0, sizeof(*r));
	r->msg = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (r->msg == NULL) {
		snprintf(err, errsz, "malformed reply (not JSON: %s at byte %d)", jerr.text,
			 jerr.position);
		return -EPROTO;
	}
	if (!json_is_object(r->msg)) {
		snprintf(err, errsz, "malformed reply (not a JSON object)");
		goto out_proto;
	}
	v = json_object_get(r->msg, "v");
	if (!json_is_integer(v)) {
		snprintf(err, errsz, "malformed reply (no protocol version \"v\")");
		goto out_proto;
	}
	error = json_object_get(r->msg, "error");
	if (json_integer_value(v) != VSW_PROTO_VERSION) {
		snprintf(
			err, errsz,
			"protocol version mismatch: the daemon speaks version %" JSON_INTEGER_FORMAT
			", this client speaks %d%s%s",
			json_integer_value(v), VSW_PROTO_VERSION, json_is_string(error) ? ": " : "",
			json_is_string(error) ? json_string_value(error) : "");
		goto out_proto;
	}
	status = json_object_get(r->msg, "status");
	if (!json_is_integer(status) || json_integer_value(status) < 0 ||
	    json_integer_value(status) > INT_MAX) {
		snprintf(err, errsz, "malformed reply (\"status\" missing or not an errno)");
		goto out_proto;
	}
	r->status = (int)json_integer_value(status);
	id = json_object_get(r->msg, "id");
	if (id != NULL && !json_is_integer(id)) {
		snprintf(err, errsz, "malformed reply (\"id\" is not an integer)");
		goto out_proto;
	}
	r->id = json_integer_value(id); /* 0 when absent */
	/* A daemon that could not read our id (bad JSON, line too long, too many clients)
	 * answers with id 0: that error is still ours. */
	if (want_id >= 0 && r->id != want_id && !(r->status != 0 && r->id == 0)) {
		snprintf(err, errsz, "reply id %" PRId64 " does not match request id %" PRId64,
			 r->id, want_id);
		goto out_proto;
	}
	if (r->status == 0) {
		r->result = json_object_get(r->msg, "result");
	} else {
		r->error = json_is_string(error) ? json_string_value(error) : strerror(r->status);
	}
	return 0;

out_proto:
	vsw_reply_clear(r);
	return -EPROTO;
}

void vsw_reply_clear(struct vsw_reply *r)
{
	json_decref(r->msg);
	memset(r, 0, sizeof(*r));
}

int vsw_client_call(struct vsw_client *c, const char *cmd, json_t *args, struct vsw_reply *r,
		    char *err, size_t errsz)
{
	int64_t id = c->next_id++;
	char *line = NULL, *reply = NULL;
	size_t len;
	json_t *req;
	int rc;

	memset(r, 0, sizeof(*r));
	req = json_pack("{s:i, s:I, s:s}", "v", VSW_PROTO_VERSION, "id", (json_int_t)id, "cmd",
			cmd);
	if (req == NULL || (args != NULL && json_object_set(req, "args", args) < 0)) {
		snprintf(err, errsz, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	line = json_dumps(req, JSON_COMPACT);
	if (line == NULL) {
		snprintf(err, errsz, "cannot encode the request");
		rc = -ENOMEM;
		goto out;
	}
	rc = transact(c, line, &reply, &len, err, errsz);
	if (rc < 0)
		goto out;
	rc = vsw_reply_parse(reply, len, id, r, err, errsz);
	if (rc < 0)
		c->broken = -rc; /* replies and requests no longer pair up */
out:
	free(reply);
	free(line);
	json_decref(req);
	return rc;
}
