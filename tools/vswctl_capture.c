/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `vswctl capture`: tcpdump for a port of the switch. Unlike the other commands it is not
 * one request and one reply: it opens the output (a file, or its own stdout for
 * `-w - | tshark -r -`), hands that descriptor to the dataplane with the capture-start
 * request (SCM_RIGHTS), and then stays connected while the dataplane writes into it. The
 * connection is the capture's lifeline: when vswctl dies, however it dies, the dataplane
 * sees the socket close and ends the capture. Ctrl-C asks for capture-stop first, so that
 * every frame captured so far reaches the file before vswctl exits. Meanwhile it asks for
 * the capture's state a few times a second, to exit once a count or duration is reached.
 * Also `capture list` and `capture stop ID`.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vsw_client.h"
#include "vsw_proto.h"
#include "vsw_util.h"
#include "vswctl.h"

#define CAPTURE_POLL_MS 200
#define CAPTURE_FILTER_MAX 1024
#define VLAN_MAX_TRACE 4094

static const char capture_usage[] =
	"usage: vswctl capture PORT [options] [FILTER...]\n"
	"       vswctl capture --drops [PORT|any] [options] [FILTER...]\n"
	"       vswctl capture list | capture stop ID\n"
	"       vswctl capture record start|stop|list ... (see capture record --help)\n"
	"Write the frames of a port (or the frames the dataplane drops, with the reason in\n"
	"each packet's comment) to a pcapng file, like tcpdump. The filter is libpcap's\n"
	"syntax (as tcpdump: `icmp`, `vlan 10`, `udp port 4789`, `ether host 02:00:00:00:00:01`)\n"
	"and runs in the dataplane: frames it rejects are never copied.\n"
	"  -i, --direction rx|tx|both  which frames of the port (default both)\n"
	"  -f, --filter FILTER         the filter (or give it as the trailing words)\n"
	"  -w, --write FILE|-          where to write; - is stdout (default when it is not a\n"
	"                              terminal): vswctl capture p1 -w - | tshark -r -\n"
	"  -s, --snaplen N             bytes kept of each frame (default 262144)\n"
	"  -c, --count N               stop after N frames\n"
	"  -G, --duration SECONDS      stop after SECONDS (tcpdump's -G rotates; ours stops)\n"
	"      --pcap                  classic pcap instead of pcapng (no interface names,\n"
	"                              directions or comments)\n"
	"      --drops                 capture dropped frames (of PORT, or of any port)\n"
	"  -q, --quiet                 no summary on stderr at the end\n"
	"Ctrl-C stops the capture after the frames captured so far are written.\n";

static volatile sig_atomic_t capture_signalled;

static void on_capture_signal(int sig)
{
	capture_signalled = sig;
}

struct cap_conn {
	int fd;
	int64_t next_id;
	int timeout_ms;
	char *buf;
	size_t len, cap;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cap_connect(struct cap_conn *c, const char *path, char *err, size_t errsz)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errsz, "socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int rc = -errno;

		snprintf(err, errsz, "cannot connect to %s: %s; is vsw-dataplane running?", path,
			 strerror(-rc));
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		return rc;
	}
	return 0;
}

/* Send one request; with pass_fd >= 0, that descriptor goes along with its bytes. */
static int cap_send(struct cap_conn *c, const char *cmd, json_t *args, int pass_fd, int64_t *id,
		    char *err, size_t errsz)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctrl;
	json_t *req = json_object();
	char *line;
	size_t len, off = 0;

	*id = ++c->next_id;
	json_object_set_new(req, "v", json_integer(VSW_PROTO_VERSION));
	json_object_set_new(req, "id", json_integer(*id));
	json_object_set_new(req, "cmd", json_string(cmd));
	if (args != NULL)
		json_object_set(req, "args", args);
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (line == NULL) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	len = strlen(line);
	line[len++] = '\n'; /* json_dumps left room: replace the NUL, which we never send */
	while (off < len) {
		struct iovec iov = {line + off, len - off};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n;

		if (pass_fd >= 0 && off == 0) {
			memset(&ctrl, 0, sizeof(ctrl));
			mh.msg_control = ctrl.buf;
			mh.msg_controllen = sizeof(ctrl.buf);
			CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
			CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
			CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), &pass_fd, sizeof(int));
		}
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errsz, "cannot send to the dataplane: %s", strerror(errno));
			free(line);
			return -errno;
		}
		off += (size_t)n;
	}
	free(line);
	return 0;
}

/* The reply to request id, parsed. */
static int cap_recv(struct cap_conn *c, int64_t id, struct vsw_reply *r, char *err, size_t errsz)
{
	int64_t deadline = c->timeout_ms > 0 ? mono_ms() + c->timeout_ms : -1;

	for (;;) {
		char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
		ssize_t n;
		int rc;

		if (nl != NULL) {
			size_t llen = (size_t)(nl - c->buf);

			rc = vsw_reply_parse(c->buf, llen, id, r, err, errsz);
			memmove(c->buf, nl + 1, c->len - llen - 1);
			c->len -= llen + 1;
			return rc;
		}
		if (c->len == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 65536;
			char *b = cap <= VSW_CLIENT_MAX_REPLY ? realloc(c->buf, cap) : NULL;

			if (b == NULL) {
				snprintf(err, errsz, "reply too large");
				return -EMSGSIZE;
			}
			c->buf = b;
			c->cap = cap;
		}
		if (deadline >= 0) {
			int64_t left = deadline - mono_ms();
			struct pollfd pfd = {.fd = c->fd, .events = POLLIN};

			if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
				snprintf(err, errsz, "no reply from the dataplane within %d ms",
					 c->timeout_ms);
				return -ETIMEDOUT;
			}
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n == 0) {
			snprintf(err, errsz, "the dataplane closed the connection");
			return -ECONNRESET;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errsz, "cannot read from the dataplane: %s", strerror(errno));
			return -errno;
		}
		c->len += (size_t)n;
	}
}

static int cap_call(struct cap_conn *c, const char *cmd, json_t *args, int pass_fd,
		    struct vsw_reply *r, char *err, size_t errsz)
{
	int64_t id;
	int rc = cap_send(c, cmd, args, pass_fd, &id, err, errsz);

	return rc < 0 ? rc : cap_recv(c, id, r, err, errsz);
}

/* cap_call that says on errf what went wrong: returns 0 with the reply in r, -errno when
 * no reply came, or the reply's positive status (r already cleared then). */
static int cap_call_ok(struct cap_conn *c, const char *cmd, json_t *args, int pass_fd,
		       struct vsw_reply *r, FILE *errf)
{
	char err[1024];
	int rc = cap_call(c, cmd, args, pass_fd, r, err, sizeof(err));

	if (rc < 0) {
		fprintf(errf, "vswctl: %s\n", err);
		return rc;
	}
	if (r->status != 0) {
		fprintf(errf, "vswctl: %s\n", r->error);
		rc = r->status;
		vsw_reply_clear(r);
	}
	return rc;
}

static uint64_t jnum(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "-";
}

static void cap_summary(FILE *f, json_t *ci)
{
	fprintf(f,
		"capture %" PRIu64 " on %s (%s): %s%s%s; %" PRIu64 " frames written, %" PRIu64
		" captured, %" PRIu64 " filtered out, %" PRIu64 " lost (ring full), %" PRIu64
		" lost (no buffer)\n",
		jnum(ci, "id"),
		json_is_string(json_object_get(ci, "port")) ? jstr(ci, "port") : "any port",
		jstr(ci, "direction"), jstr(ci, "state"), *jstr(ci, "why") ? ": " : "",
		jstr(ci, "why"), jnum(ci, "written"), jnum(ci, "captured"),
		jnum(ci, "filtered_out"), jnum(ci, "ring_full"), jnum(ci, "no_mbuf"));
}

/* A filter given as trailing words (tcpdump style): argv[first..argc) joined by spaces into
 * buf. Returns its length (0: no words), or -1 when it does not fit. */
static long filter_words(char **argv, int first, int argc, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = first; i < argc; i++) {
		int n = snprintf(buf + len, size - len, "%s%s", len ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	return (long)len;
}

static int usage_fail(FILE *errf, const char *fmt, const char *arg)
{
	fprintf(errf, "vswctl: capture: ");
	fprintf(errf, fmt, arg);
	fprintf(errf, "\nTry 'vswctl capture --help' for more information.\n");
	return VSWCTL_EXIT_USAGE;
}

static int parse_num(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

/* capture list / capture stop ID: plain requests */
static int capture_admin(struct cap_conn *c, int argc, char **argv, bool json, FILE *out,
			 FILE *errf)
{
	struct vsw_reply r;
	json_t *args = json_object(), *e;
	uint64_t id = 0;
	size_t i;
	int rc;

	if (strcmp(argv[0], "stop") == 0) {
		if (argc != 2 || parse_num(argv[1], UINT32_MAX, &id) < 0 || id == 0) {
			json_decref(args);
			return usage_fail(errf, "stop takes one capture id (see capture list)%s",
					  "");
		}
		json_object_set_new(args, "id", json_integer((json_int_t)id));
	} else if (argc != 1) {
		json_decref(args);
		return usage_fail(errf, "list takes no arguments (got \"%s\")", argv[1]);
	}
	rc = cap_call_ok(c, id ? "capture-stop" : "capture-list", args, -1, &r, errf);
	json_decref(args);
	if (rc != 0)
		return VSWCTL_EXIT_FAIL;
	if (json) {
		vswctl_print_json(out, r.result);
	} else if (id) {
		cap_summary(out, r.result);
	} else {
		json_array_foreach(r.result, i, e) {
			cap_summary(out, e);
			if (*jstr(e, "filter"))
				fprintf(out, "  filter: %s\n", jstr(e, "filter"));
		}
	}
	vsw_reply_clear(&r);
	return VSWCTL_EXIT_OK;
}

static const char record_usage[] =
	"usage: vswctl capture record start BRIDGE -w FILE [-C SIZE] [-W N] [-s SNAPLEN] [--pcap]\n"
	"                                   [FILTER...]\n"
	"       vswctl capture record stop BRIDGE|ID\n"
	"       vswctl capture record list [BRIDGE]\n"
	"Record every frame a bridge receives (on any of its ports, ports attached later too;\n"
	"each frame once, as received) into FILE, written by the dataplane itself until\n"
	"stopped: vswctl can exit. With -C, FILE is rotated when it would grow past SIZE:\n"
	"FILE is always the file being written, FILE.1 the newest complete one, and so on up\n"
	"to FILE.(N-1). A disk too slow for the traffic loses frames from the recording\n"
	"(counted as dropped), never from forwarding.\n"
	"  -w, --write FILE       the file (made absolute here; created by the dataplane)\n"
	"  -C, --file-size SIZE   rotate at SIZE: N[k|m|g] bytes in KiB, MiB or GiB (default\n"
	"                         unit MiB); default: one file, never rotated\n"
	"  -W, --files N          files kept, the current one included (default 8)\n"
	"  -s, --snaplen N        bytes kept of each frame (default 262144)\n"
	"      --pcap             classic pcap instead of pcapng (no interface names)\n"
	"  -f, --filter FILTER    libpcap filter (or the trailing words)\n";

static void record_summary(FILE *f, json_t *ri)
{
	fprintf(f, "record %" PRIu64 " of %s -> %s (%s", jnum(ri, "id"), jstr(ri, "bridge"),
		jstr(ri, "file"), jstr(ri, "format"));
	if (jnum(ri, "max_size_kb"))
		fprintf(f, ", rotated at %" PRIu64 " KiB, %" PRIu64 " files",
			jnum(ri, "max_size_kb"), jnum(ri, "max_files"));
	fprintf(f,
		"): %s%s%s; %" PRIu64 " frames written, %" PRIu64 " bytes, %" PRIu64
		" rotations, %" PRIu64 " files; %" PRIu64 " dropped (%" PRIu64
		" ring full, %" PRIu64 " no buffer), %" PRIu64 " filtered out\n",
		jstr(ri, "state"), *jstr(ri, "why") ? ": " : "", jstr(ri, "why"),
		jnum(ri, "written"), jnum(ri, "write_bytes"), jnum(ri, "rotations"),
		jnum(ri, "files"), jnum(ri, "dropped"), jnum(ri, "ring_full"), jnum(ri, "no_mbuf"),
		jnum(ri, "filtered_out"));
	if (*jstr(ri, "filter"))
		fprintf(f, "  filter: %s\n", jstr(ri, "filter"));
}

/* SIZE of -C in KiB: N (MiB), Nk, Nm, Ng. */
static int parse_size_kb(const char *s, uint64_t *kb)
{
	char num[32];
	size_t len = strlen(s);
	uint64_t v, mul = 1024;

	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 'k':
	case 'K':
		mul = 1;
		num[--len] = '\0';
		break;
	case 'm':
	case 'M':
		num[--len] = '\0';
		break;
	case 'g':
	case 'G':
		mul = 1024 * 1024;
		num[--len] = '\0';
		break;
	default:
		break;
	}
	if (parse_num(num, UINT32_MAX, &v) < 0 || v == 0 || v * mul > (UINT64_C(1) << 30))
		return -EINVAL;
	*kb = v * mul;
	return 0;
}

static int record_start(struct cap_conn *c, int argc, char **argv, bool json, FILE *out, FILE *errf)
{
	static const struct option opts[] = {
		{"write", required_argument, NULL, 'w'},
		{"file-size", required_argument, NULL, 'C'},
		{"files", required_argument, NULL, 'W'},
		{"snaplen", required_argument, NULL, 's'},
		{"filter", required_argument, NULL, 'f'},
		{"pcap", no_argument, NULL, 'P'},
		{NULL, 0, NULL, 0},
	};
	const char *wpath = NULL, *filter = NULL, *bridge;
	char fbuf[CAPTURE_FILTER_MAX], path[4096];
	uint64_t kb = 0, files = 0, snaplen = 0;
	bool pcap = false;
	json_t *args;
	struct vsw_reply r;
	long flen;
	int opt, rc;

	optind = 0;
	opterr = 0;
	/* argv[0] is "start" */
	while ((opt = getopt_long(argc, argv, ":w:C:W:s:f:", opts, NULL)) != -1) {
		switch (opt) {
		case 'w':
			wpath = optarg;
			break;
		case 'C':
			if (parse_size_kb(optarg, &kb) < 0)
				return usage_fail(
					errf, "-C \"%s\": expected a size such as 100, 512k, 2g",
					optarg);
			break;
		case 'W':
			if (parse_num(optarg, 1000, &files) < 0 || files == 0)
				return usage_fail(errf, "-W \"%s\": expected 1 to 1000", optarg);
			break;
		case 's':
			if (parse_num(optarg, 262144, &snaplen) < 0 || snaplen == 0)
				return usage_fail(errf, "-s \"%s\": expected 1 to 262144", optarg);
			break;
		case 'f':
			filter = optarg;
			break;
		case 'P':
			pcap = true;
			break;
		case ':':
			return usage_fail(errf, "option %s needs a value", argv[optind - 1]);
		default:
			return usage_fail(errf, "unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_fail(errf, "record start: missing the bridge%s", "");
	bridge = argv[optind++];
	if (wpath == NULL || *wpath == '\0' || strcmp(wpath, "-") == 0)
		return usage_fail(errf, "record start: -w FILE is required (a file, not -)%s", "");
	if (files && !kb)
		return usage_fail(errf, "record start: -W needs -C (files rotate by size)%s", "");
	if (optind < argc && filter != NULL)
		return usage_fail(errf, "give the filter with -f or as trailing words, not both%s",
				  "");
	flen = filter_words(argv, optind, argc, fbuf, sizeof(fbuf));
	if (flen < 0)
		return usage_fail(errf, "the filter is too long%s", "");
	if (flen > 0)
		filter = fbuf;
	/* the dataplane's working directory is not ours */
	if (wpath[0] != '/') {
		char cwd[2048];

		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			fprintf(errf,
				"vswctl: capture record: cannot get the current directory: %s\n",
				strerror(errno));
			return VSWCTL_EXIT_FAIL;
		}
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", cwd, wpath) >= sizeof(path))
			return usage_fail(errf, "-w \"%s\": path too long", wpath);
		wpath = path;
	}
	args = json_object();
	json_object_set_new(args, "bridge", json_string(bridge));
	json_object_set_new(args, "file", json_string(wpath));
	if (kb)
		json_object_set_new(args, "max_size_kb", json_integer((json_int_t)kb));
	if (files)
		json_object_set_new(args, "max_files", json_integer((json_int_t)files));
	if (snaplen)
		json_object_set_new(args, "snaplen", json_integer((json_int_t)snaplen));
	if (filter != NULL)
		json_object_set_new(args, "filter", json_string(filter));
	if (pcap)
		json_object_set_new(args, "format", json_string("pcap"));
	rc = cap_call_ok(c, "record-start", args, -1, &r, errf);
	json_decref(args);
	if (rc != 0)
		return VSWCTL_EXIT_FAIL;
	if (json)
		vswctl_print_json(out, r.result);
	else
		fprintf(out, "record %" PRIu64 " of %s -> %s\n", jnum(r.result, "id"), bridge,
			wpath);
	vsw_reply_clear(&r);
	return VSWCTL_EXIT_OK;
}

/* capture record start|stop|list: argv[0] is "record" */
static int record_main(struct cap_conn *c, int argc, char **argv, bool json, FILE *out, FILE *errf)
{
	json_t *args, *e;
	struct vsw_reply r;
	uint64_t id = 0;
	size_t i;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(record_usage, argc < 2 ? errf : out);
		return argc < 2 ? VSWCTL_EXIT_USAGE : VSWCTL_EXIT_OK;
	}
	if (strcmp(argv[1], "start") == 0)
		return record_start(c, argc - 1, argv + 1, json, out, errf);
	args = json_object();
	if (strcmp(argv[1], "stop") == 0) {
		if (argc != 3) {
			json_decref(args);
			return usage_fail(errf, "record stop takes a bridge or a recording id%s",
					  "");
		}
		if (parse_num(argv[2], UINT32_MAX, &id) == 0 && id != 0)
			json_object_set_new(args, "id", json_integer((json_int_t)id));
		else
			json_object_set_new(args, "bridge", json_string(argv[2]));
	} else if (strcmp(argv[1], "list") == 0) {
		if (argc > 3) {
			json_decref(args);
			return usage_fail(errf, "record list takes at most a bridge (got \"%s\")",
					  argv[3]);
		}
		if (argc == 3)
			json_object_set_new(args, "bridge", json_string(argv[2]));
	} else {
		json_decref(args);
		return usage_fail(errf, "record: expected start, stop or list (got \"%s\")",
				  argv[1]);
	}
	rc = cap_call_ok(c, strcmp(argv[1], "stop") == 0 ? "record-stop" : "record-list", args, -1,
			 &r, errf);
	json_decref(args);
	if (rc != 0)
		return VSWCTL_EXIT_FAIL;
	if (json)
		vswctl_print_json(out, r.result);
	else if (json_is_array(r.result))
		json_array_foreach(r.result, i, e)
			record_summary(out, e);
	else
		record_summary(out, r.result);
	vsw_reply_clear(&r);
	return VSWCTL_EXIT_OK;
}

int vswctl_capture_main(const char *sock, int timeout_ms, bool json, int argc, char **argv,
			FILE *out, FILE *errf)
{
	static const struct option opts[] = {
		{"direction", required_argument, NULL, 'i'},
		{"filter", required_argument, NULL, 'f'},
		{"write", required_argument, NULL, 'w'},
		{"snaplen", required_argument, NULL, 's'},
		{"count", required_argument, NULL, 'c'},
		{"duration", required_argument, NULL, 'G'},
		{"pcap", no_argument, NULL, 'P'},
		{"drops", no_argument, NULL, 'D'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cap_conn c = {.fd = -1, .timeout_ms = timeout_ms};
	const char *dir = NULL, *filter = NULL, *wpath = NULL, *port = NULL;
	char fbuf[CAPTURE_FILTER_MAX], err[1024];
	uint64_t snaplen = 0, count = 0, duration = 0, id;
	bool pcap = false, drops = false, quiet = false;
	struct sigaction sa = {.sa_handler = on_capture_signal};
	json_t *args = NULL, *final = NULL;
	struct vsw_reply r;
	int opt, ofd = -1, ret = VSWCTL_EXIT_FAIL, first, rc;
	long flen;

	/* argv[0] is "capture" */
	if (argc >= 2 && (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "stop") == 0 ||
			  strcmp(argv[1], "record") == 0)) {
		/* help needs no dataplane */
		for (int i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
				fputs(strcmp(argv[1], "record") == 0 ? record_usage : capture_usage,
				      out);
				return VSWCTL_EXIT_OK;
			}
		}
		if (cap_connect(&c, sock, err, sizeof(err)) < 0) {
			fprintf(errf, "vswctl: %s\n", err);
			return VSWCTL_EXIT_FAIL;
		}
		if (strcmp(argv[1], "record") == 0)
			ret = record_main(&c, argc - 1, argv + 1, json, out, errf);
		else
			ret = capture_admin(&c, argc - 1, argv + 1, json, out, errf);
		close(c.fd);
		free(c.buf);
		return ret;
	}
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:f:w:s:c:G:qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (strcmp(optarg, "rx") && strcmp(optarg, "tx") && strcmp(optarg, "both"))
				return usage_fail(errf, "-i \"%s\": expected rx, tx or both",
						  optarg);
			dir = optarg;
			break;
		case 'f':
			filter = optarg;
			break;
		case 'w':
			wpath = optarg;
			break;
		case 's':
			if (parse_num(optarg, 262144, &snaplen) < 0 || snaplen == 0)
				return usage_fail(errf, "-s \"%s\": expected 1 to 262144", optarg);
			break;
		case 'c':
			if (parse_num(optarg, UINT64_C(1) << 48, &count) < 0 || count == 0)
				return usage_fail(errf, "-c \"%s\": expected a count of frames",
						  optarg);
			break;
		case 'G':
			if (parse_num(optarg, 31536000, &duration) < 0 || duration == 0)
				return usage_fail(errf, "-G \"%s\": expected whole seconds",
						  optarg);
			break;
		case 'P':
			pcap = true;
			break;
		case 'D':
			drops = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(capture_usage, out);
			return VSWCTL_EXIT_OK;
		case ':':
			return usage_fail(errf, "option %s needs a value", argv[optind - 1]);
		default:
			return usage_fail(errf, "unknown option \"%s\"", argv[optind - 1]);
		}
	}
	first = optind;
	if (first < argc) {
		port = argv[first++];
		if (drops && strcmp(port, "any") == 0)
			port = NULL;
		else if (!vsw_name_valid(port))
			return usage_fail(errf, "\"%s\" is not a port name", port);
	} else if (!drops) {
		return usage_fail(errf, "missing the port to capture from%s", "");
	}
	if (first < argc && filter != NULL)
		return usage_fail(errf, "a filter both with -f and as words (\"%s\")", argv[first]);
	flen = filter_words(argv, first, argc, fbuf, sizeof(fbuf));
	if (flen < 0)
		return usage_fail(errf, "the filter is too long%s", "");
	if (flen > 0)
		filter = fbuf;
	if (wpath == NULL) {
		if (isatty(STDOUT_FILENO))
			return usage_fail(errf,
					  "where to? -w FILE, or -w - into a pipe "
					  "(vswctl capture PORT -w - | tshark -r -)%s",
					  "");
		wpath = "-";
	}
	if (strcmp(wpath, "-") == 0) {
		if (isatty(STDOUT_FILENO))
			return usage_fail(
				errf, "-w -: stdout is a terminal (pipe it: | tshark -r -)%s", "");
		fflush(out);
		ofd = STDOUT_FILENO;
	} else {
		ofd = open(wpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (ofd < 0) {
			fprintf(errf, "vswctl: capture: cannot open %s: %s\n", wpath,
				strerror(errno));
			return VSWCTL_EXIT_FAIL;
		}
	}

	args = json_object();
	if (port != NULL)
		json_object_set_new(args, "port", json_string(port));
	if (drops)
		json_object_set_new(args, "drops", json_true());
	if (dir != NULL)
		json_object_set_new(args, "direction", json_string(dir));
	if (filter != NULL && filter[0] != '\0')
		json_object_set_new(args, "filter", json_string(filter));
	if (snaplen)
		json_object_set_new(args, "snaplen", json_integer((json_int_t)snaplen));
	if (count)
		json_object_set_new(args, "count", json_integer((json_int_t)count));
	if (duration)
		json_object_set_new(args, "duration_s", json_integer((json_int_t)duration));
	if (pcap)
		json_object_set_new(args, "format", json_string("pcap"));

	if (cap_connect(&c, sock, err, sizeof(err)) < 0) {
		fprintf(errf, "vswctl: %s\n", err);
		goto out;
	}
	/* from here, a signal ends the capture cleanly instead of killing us */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = cap_call_ok(&c, "capture-start", args, ofd, &r, errf);
	if (rc != 0) {
		if (rc > 0 && ofd != STDOUT_FILENO)
			unlink(wpath); /* nothing was written: leave no empty capture behind */
		goto out;
	}
	id = jnum(r.result, "id");
	vsw_reply_clear(&r);
	/* the dataplane has its own copy: ours must not keep a pipe reader waiting */
	if (ofd != STDOUT_FILENO)
		close(ofd);
	ofd = -1;
	if (!quiet)
		fprintf(errf, "vswctl: capture %" PRIu64 " started on %s%s%s\n", id,
			port != NULL ? port : "any port", drops ? " (drops)" : "",
			filter != NULL && *filter ? ", filter applied in the dataplane" : "");

	json_decref(args);
	args = json_object();
	json_object_set_new(args, "id", json_integer((json_int_t)id));
	for (;;) {
		struct pollfd pfd = {.fd = c.fd, .events = POLLIN};
		int n;

		if (capture_signalled) {
			if (cap_call(&c, "capture-stop", args, -1, &r, err, sizeof(err)) < 0) {
				fprintf(errf, "vswctl: %s\n", err);
				goto out;
			}
			if (r.status == 0)
				final = json_incref(r.result);
			else
				fprintf(errf, "vswctl: %s\n", r.error);
			vsw_reply_clear(&r);
			ret = final != NULL ? VSWCTL_EXIT_OK : VSWCTL_EXIT_FAIL;
			break;
		}
		n = poll(&pfd, 1, CAPTURE_POLL_MS);
		if (n > 0) {
			/* nothing is due from the dataplane now: this is its hang-up */
			fprintf(errf, "vswctl: the dataplane closed the connection\n");
			goto out;
		}
		if (n < 0 && errno != EINTR)
			goto out;
		if (capture_signalled)
			continue;
		if (cap_call(&c, "capture-list", args, -1, &r, err, sizeof(err)) < 0) {
			fprintf(errf, "vswctl: %s\n", err);
			goto out;
		}
		if (r.status == 0 && json_array_size(r.result) == 1) {
			json_t *ci = json_array_get(r.result, 0);

			if (strcmp(jstr(ci, "state"), "running") != 0) {
				final = json_incref(ci);
				ret = strcmp(jstr(ci, "state"), "done") == 0 ? VSWCTL_EXIT_OK
									     : VSWCTL_EXIT_FAIL;
				vsw_reply_clear(&r);
				/* forget it: our connection closing would, too */
				cap_call(&c, "capture-stop", args, -1, &r, err, sizeof(err));
				vsw_reply_clear(&r);
				break;
			}
		} else if (r.status != 0) {
			fprintf(errf, "vswctl: %s\n", r.error);
			vsw_reply_clear(&r);
			goto out;
		}
		vsw_reply_clear(&r);
	}
	if (final != NULL && (!quiet || ret != VSWCTL_EXIT_OK)) {
		if (json)
			vswctl_print_json(errf, final);
		else
			cap_summary(errf, final);
	}
out:
	json_decref(final);
	json_decref(args);
	if (ofd >= 0 && ofd != STDOUT_FILENO)
		close(ofd);
	if (c.fd >= 0)
		close(c.fd);
	free(c.buf);
	return ret;
}

/* ---- vswctl trace ---- */

static const char trace_usage[] =
	"usage: vswctl trace PORT [-c N] [-G SECONDS] [FILTER...]\n"
	"       vswctl trace --packet 'in_port=PORT,dl_src=MAC,dl_dst=MAC[,vlan=N][,nw_src=IP,nw_dst=IP,\n"
	"                     nw_proto=N,tp_src=N,tp_dst=N]'\n"
	"Show every step the next N frames received on PORT that match FILTER (libpcap syntax)\n"
	"take through the switch: headers, VLAN, MAC learning, MAC lookup, output ports or the\n"
	"exact drop reason. With --packet, compute where a frame so described would go, from the\n"
	"live configuration and MAC table, without sending anything.\n"
	"  -c, --count N         frames to trace (1 to 64, default 1)\n"
	"  -G, --duration SECS   give up waiting after SECS (default: until N frames or Ctrl-C)\n"
	"      --packet SPEC     simulate a frame instead\n";

static void trace_print(FILE *out, json_t *frames, size_t from)
{
	json_t *f, *st;
	size_t i, k;

	json_array_foreach(frames, i, f) {
		if (i < from)
			continue;
		fprintf(out, "frame %" PRIu64 ":\n", jnum(f, "frame"));
		json_array_foreach(json_object_get(f, "steps"), k, st)
			fprintf(out, "  %s\n", json_string_value(st));
	}
	fflush(out);
}

static int trace_packet(struct cap_conn *c, const char *spec, bool json, FILE *out, FILE *errf)
{
	json_t *args = json_object(), *st;
	struct vsw_reply r;
	char *copy = strdup(spec), *save = NULL;
	size_t i;
	int rc;

	for (char *kv = strtok_r(copy, ",", &save); kv != NULL; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		uint64_t v;

		if (eq == NULL)
			goto bad;
		*eq++ = '\0';
		if (strcmp(kv, "in_port") == 0 || strcmp(kv, "dl_src") == 0 ||
		    strcmp(kv, "dl_dst") == 0) {
			json_object_set_new(args, kv, json_string(eq));
		} else if (strcmp(kv, "vlan") == 0 && parse_num(eq, VLAN_MAX_TRACE, &v) == 0) {
			json_object_set_new(args, "vlan", json_integer((json_int_t)v));
		} else if (strcmp(kv, "nw_src") == 0 || strcmp(kv, "nw_dst") == 0) {
			json_object_set_new(args, kv, json_string(eq));
		} else if (strcmp(kv, "nw_proto") == 0 && parse_num(eq, 255, &v) == 0) {
			json_object_set_new(args, kv, json_integer((json_int_t)v));
		} else if ((strcmp(kv, "tp_src") == 0 || strcmp(kv, "tp_dst") == 0) &&
			   parse_num(eq, 65535, &v) == 0) {
			json_object_set_new(args, kv, json_integer((json_int_t)v));
		} else {
			goto bad;
		}
	}
	free(copy);
	rc = cap_call_ok(c, "trace-packet", args, -1, &r, errf);
	json_decref(args);
	if (rc != 0)
		return VSWCTL_EXIT_FAIL;
	if (json)
		vswctl_print_json(out, r.result);
	else
		json_array_foreach(json_object_get(r.result, "steps"), i, st)
			fprintf(out, "%s\n", json_string_value(st));
	vsw_reply_clear(&r);
	return VSWCTL_EXIT_OK;
bad:
	free(copy);
	json_decref(args);
	fprintf(errf,
		"vswctl: trace: --packet \"%s\": expected in_port=PORT,dl_src=MAC,dl_dst=MAC"
		"[,vlan=N][,nw_src=IP,nw_dst=IP[,nw_proto=N,tp_src=N,tp_dst=N]]\nTry 'vswctl trace --help' for more information.\n",
		spec);
	return VSWCTL_EXIT_USAGE;
}

int vswctl_trace_main(const char *sock, int timeout_ms, bool json, int argc, char **argv, FILE *out,
		      FILE *errf)
{
	static const struct option opts[] = {
		{"count", required_argument, NULL, 'c'},
		{"duration", required_argument, NULL, 'G'},
		{"packet", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cap_conn c = {.fd = -1, .timeout_ms = timeout_ms};
	struct sigaction sa = {.sa_handler = on_capture_signal};
	const char *spec = NULL, *port;
	char fbuf[CAPTURE_FILTER_MAX], err[1024];
	uint64_t count = 1, duration = 0, id;
	json_t *args = NULL, *last = NULL;
	int64_t deadline = -1;
	struct vsw_reply r;
	size_t shown = 0;
	long flen;
	int opt, ret = VSWCTL_EXIT_FAIL;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":c:G:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (parse_num(optarg, 64, &count) < 0 || count == 0)
				return usage_fail(errf, "-c \"%s\": expected 1 to 64", optarg);
			break;
		case 'G':
			if (parse_num(optarg, 31536000, &duration) < 0 || duration == 0)
				return usage_fail(errf, "-G \"%s\": expected whole seconds",
						  optarg);
			break;
		case 'p':
			spec = optarg;
			break;
		case 'h':
			fputs(trace_usage, out);
			return VSWCTL_EXIT_OK;
		case ':':
			return usage_fail(errf, "option %s needs a value", argv[optind - 1]);
		default:
			return usage_fail(errf, "unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (spec != NULL && optind < argc)
		return usage_fail(errf, "--packet takes no port or filter (got \"%s\")",
				  argv[optind]);
	if (spec == NULL && optind >= argc)
		return usage_fail(errf, "missing the port to trace%s", "");
	if (cap_connect(&c, sock, err, sizeof(err)) < 0) {
		fprintf(errf, "vswctl: %s\n", err);
		return VSWCTL_EXIT_FAIL;
	}
	if (spec != NULL) {
		ret = trace_packet(&c, spec, json, out, errf);
		goto out;
	}
	port = argv[optind++];
	flen = filter_words(argv, optind, argc, fbuf, sizeof(fbuf));
	if (flen < 0) {
		ret = usage_fail(errf, "the filter is too long%s", "");
		goto out;
	}
	args = json_object();
	json_object_set_new(args, "port", json_string(port));
	json_object_set_new(args, "count", json_integer((json_int_t)count));
	if (flen > 0)
		json_object_set_new(args, "filter", json_string(fbuf));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (cap_call_ok(&c, "trace-start", args, -1, &r, errf) != 0)
		goto out;
	id = jnum(r.result, "id");
	vsw_reply_clear(&r);
	json_decref(args);
	args = json_object();
	json_object_set_new(args, "id", json_integer((json_int_t)id));
	if (duration)
		deadline = mono_ms() + (int64_t)duration * 1000;
	for (;;) {
		uint64_t traced;

		if (cap_call_ok(&c, "trace-show", args, -1, &r, errf) != 0)
			goto out;
		traced = jnum(r.result, "traced");
		if (!json) {
			trace_print(out, json_object_get(r.result, "frames"), shown);
			shown = traced;
		}
		json_decref(last);
		last = json_incref(r.result);
		vsw_reply_clear(&r);
		if (traced >= count || capture_signalled ||
		    (deadline >= 0 && mono_ms() >= deadline))
			break;
		poll(NULL, 0, CAPTURE_POLL_MS);
	}
	if (json)
		vswctl_print_json(out, last);
	if (jnum(last, "traced") < count)
		fprintf(errf,
			"vswctl: trace %" PRIu64 ": %" PRIu64 " of %" PRIu64
			" frames traced before it was stopped\n",
			id, jnum(last, "traced"), count);
	cap_call(&c, "capture-stop", args, -1, &r, err, sizeof(err));
	vsw_reply_clear(&r);
	ret = VSWCTL_EXIT_OK;
out:
	json_decref(last);
	json_decref(args);
	close(c.fd);
	free(c.buf);
	return ret;
}
