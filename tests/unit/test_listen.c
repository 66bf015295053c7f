/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of common/vsw_listen.c with settings the dataplane's socket does not use
 * (test_ctl.c covers that one end to end): a line limit above the first 64 KiB input
 * buffer, as the controller's 4 MiB (the buffer grows, and the limit still holds), a
 * client limit other than 16, descriptors refused without pass_fds and handed over with
 * it, connection ids, and the connection-closed callback.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "vsw_listen.h"

#define MAX_LINE (256u << 10)

struct lt {
	char dir[64];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct vsw_listen *l;
	size_t last_len;  /* of the last request line */
	uint64_t last_id; /* its connection */
	int last_fd;	  /* the descriptor it came with, or -1 */
	bool keep_fd;	  /* the callback keeps the descriptor, in kept_fd */
	int kept_fd;
	uint64_t closed[8]; /* connection ids, as closed */
	unsigned int n_closed;
};

static char *on_request(void *ctx, const char *line, size_t len, bool may_write,
			struct vsw_listen_conn *conn)
{
	struct lt *t = ctx;
	char *reply = malloc(64);

	(void)line;
	t->last_len = len;
	t->last_id = conn->id;
	t->last_fd = conn->fd;
	if (t->keep_fd && conn->fd >= 0) {
		t->kept_fd = conn->fd;
		conn->fd = -1;
	}
	if (reply != NULL)
		snprintf(reply, 64, "{\"len\":%zu,\"w\":%d}", len, may_write);
	return reply;
}

static void on_closed(void *ctx, uint64_t conn_id)
{
	struct lt *t = ctx;

	if (t->n_closed < sizeof(t->closed) / sizeof(t->closed[0]))
		t->closed[t->n_closed++] = conn_id;
}

static int lt_setup(void **state, bool pass_fds)
{
	struct lt *t = calloc(1, sizeof(*t));
	struct vsw_listen_opts o = {
		.max_line = MAX_LINE,
		.max_clients = 2,
		.pass_fds = pass_fds,
		.request = on_request,
		.closed = on_closed,
	};

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/vsw-test-listen-XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/l.sock", t->dir);
	o.ctx = t;
	t->last_fd = -1;
	t->l = vsw_listen_create(t->path, &o);
	if (t->l == NULL)
		return -1;
	*state = t;
	return 0;
}

static int setup_plain(void **state)
{
	return lt_setup(state, false);
}

static int setup_fds(void **state)
{
	return lt_setup(state, true);
}

static int lt_teardown(void **state)
{
	struct lt *t = *state;

	vsw_listen_free(t->l);
	rmdir(t->dir);
	free(t);
	return 0;
}

static void serve(struct lt *t, int rounds)
{
	for (int i = 0; i < rounds; i++)
		assert_true(vsw_listen_poll(t->l, 1) >= 0);
}

static int dial(struct lt *t)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", t->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	serve(t, 3); /* accepted */
	return fd;
}

/* Send all of buf without blocking the test, serving the listener meanwhile. */
static void send_all(struct lt *t, int fd, const char *buf, size_t len)
{
	size_t off = 0;

	for (int spins = 0; off < len && spins < 100000; spins++) {
		ssize_t n = send(fd, buf + off, len - off, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0)
			off += (size_t)n;
		else
			assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
		serve(t, 1);
	}
	assert_int_equal(off, len);
}

/* The next reply line, serving the listener until it comes (NULL: the peer closed). */
static char *reply_line(struct lt *t, int fd, char *buf, size_t size)
{
	size_t len = 0;

	for (int spins = 0; spins < 2000; spins++) {
		ssize_t n;

		serve(t, 1);
		n = recv(fd, buf + len, 1, MSG_DONTWAIT);
		if (n == 0)
			return len > 0 ? buf : NULL;
		if (n < 0) {
			assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
			continue;
		}
		if (buf[len] == '\n') {
			buf[len] = '\0';
			return buf;
		}
		assert_true(++len < size);
		spins = 0;
	}
	fail_msg("no reply");
	return NULL;
}

/* A request longer than the first input buffer but within max_line is served whole. */
static void test_long_line(void **state)
{
	struct lt *t = *state;
	size_t len = MAX_LINE - 1; /* and its newline: exactly the limit */
	char *line = malloc(len + 1), reply[256];
	int fd = dial(t);

	assert_non_null(line);
	memset(line, 'x', len);
	line[len] = '\n';
	send_all(t, fd, line, len + 1);
	assert_non_null(reply_line(t, fd, reply, sizeof(reply)));
	assert_int_equal(t->last_len, len);
	assert_string_equal(reply, "{\"len\":262143,\"w\":1}");
	/* the connection still serves */
	send_all(t, fd, "ab\n", 3);
	assert_non_null(reply_line(t, fd, reply, sizeof(reply)));
	assert_int_equal(t->last_len, 2);
	free(line);
	close(fd);
}

/* max_line bytes without a newline: EMSGSIZE naming this limit, and the client goes. */
static void test_line_over_limit(void **state)
{
	struct lt *t = *state;
	char *line = malloc(MAX_LINE + 16), reply[512];
	int fd = dial(t);

	assert_non_null(line);
	memset(line, 'x', MAX_LINE + 16);
	t->last_len = 0;
	send_all(t, fd, line, MAX_LINE);
	assert_non_null(reply_line(t, fd, reply, sizeof(reply)));
	assert_non_null(strstr(reply, "\"status\":90,"));
	assert_non_null(strstr(reply, "line longer than 262144 bytes (expected at most 262144 "
				      "bytes including the newline)"));
	assert_int_equal(t->last_len, 0); /* never handed to the callback */
	assert_null(reply_line(t, fd, reply, sizeof(reply)));
	assert_int_equal(vsw_listen_n_clients(t->l), 0);
	free(line);
	close(fd);
}

/* Client limit of 2: the third is told so and closed; ids count up, closes are told. */
static void test_clients_and_ids(void **state)
{
	struct lt *t = *state;
	char reply[256];
	int a = dial(t), b = dial(t), c = dial(t);

	assert_int_equal(vsw_listen_n_clients(t->l), 2);
	assert_non_null(reply_line(t, c, reply, sizeof(reply)));
	assert_non_null(strstr(reply, "\"status\":16,"));
	assert_non_null(strstr(reply, "too many clients (expected at most 2 at once)"));
	assert_null(reply_line(t, c, reply, sizeof(reply)));
	send_all(t, b, "q\n", 2);
	assert_non_null(reply_line(t, b, reply, sizeof(reply)));
	assert_int_equal(t->last_id, 2);
	send_all(t, a, "q\n", 2);
	assert_non_null(reply_line(t, a, reply, sizeof(reply)));
	assert_int_equal(t->last_id, 1);
	close(b);
	serve(t, 3);
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed[0], 2);
	/* the freed slot takes a new client with a new id */
	b = dial(t);
	send_all(t, b, "q\n", 2);
	assert_non_null(reply_line(t, b, reply, sizeof(reply)));
	assert_int_equal(t->last_id, 3);
	close(a);
	close(b);
	close(c);
	serve(t, 3);
	assert_int_equal(t->n_closed, 3);
	assert_int_equal(vsw_listen_n_clients(t->l), 0);
}

static void send_with_fd(int fd, const char *line, int pass)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctrl;
	struct iovec iov = {(void *)line, strlen(line)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctrl.buf,
			    .msg_controllen = sizeof(ctrl.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pass, sizeof(int));
	assert_int_equal(sendmsg(fd, &mh, MSG_NOSIGNAL), (ssize_t)strlen(line));
}

/* The read end of a pipe sees EOF once every copy of the write end we passed is closed. */
static bool pipe_orphaned(int rd)
{
	char c;

	return read(rd, &c, 1) == 0;
}

/* A request carrying the write end of a new pipe (our copy closed), served: returns the
 * read end, which sees EOF once the listener and the callback no longer hold it. */
static int request_with_pipe(struct lt *t, int fd)
{
	char reply[256];
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	send_with_fd(fd, "q\n", p[1]);
	close(p[1]);
	assert_non_null(reply_line(t, fd, reply, sizeof(reply)));
	return p[0];
}

/* Without pass_fds a descriptor sent along is never seen, and not kept. */
static void test_fd_refused(void **state)
{
	struct lt *t = *state;
	int fd = dial(t), rd = request_with_pipe(t, fd);

	assert_int_equal(t->last_fd, -1);
	assert_true(pipe_orphaned(rd));
	close(rd);
	close(fd);
}

/* With pass_fds the request's callback gets it; one not kept is closed for it. */
static void test_fd_passed(void **state)
{
	struct lt *t = *state;
	int fd = dial(t), rd = request_with_pipe(t, fd);

	assert_true(t->last_fd >= 0);
	assert_true(pipe_orphaned(rd));
	close(rd);
	/* kept by the callback: open until the callback closes it */
	t->keep_fd = true;
	rd = request_with_pipe(t, fd);
	assert_true(t->last_fd >= 0);
	assert_int_equal(t->kept_fd, t->last_fd);
	assert_false(pipe_orphaned(rd));
	close(t->kept_fd);
	assert_true(pipe_orphaned(rd));
	close(rd);
	close(fd);
}

static void test_bad_opts(void **state)
{
	struct vsw_listen_opts o = {.max_line = 0, .max_clients = 1, .request = on_request};

	(void)state;
	errno = 0;
	assert_null(vsw_listen_create("/tmp/vsw-test-listen-never.sock", &o));
	assert_int_equal(errno, EINVAL);
	o.max_line = 64;
	o.max_clients = 0;
	assert_null(vsw_listen_create("/tmp/vsw-test-listen-never.sock", &o));
	assert_int_equal(errno, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_long_line, setup_plain, lt_teardown),
		cmocka_unit_test_setup_teardown(test_line_over_limit, setup_plain, lt_teardown),
		cmocka_unit_test_setup_teardown(test_clients_and_ids, setup_plain, lt_teardown),
		cmocka_unit_test_setup_teardown(test_fd_refused, setup_plain, lt_teardown),
		cmocka_unit_test_setup_teardown(test_fd_passed, setup_fds, lt_teardown),
		cmocka_unit_test(test_bad_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
