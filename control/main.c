/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw-controller: holds the switch's desired topology and keeps the dataplane running it.
 * It is only a client of the dataplane's socket (it never touches the dataplane's memory),
 * so when it dies the dataplane forwards on; started again, it loads its state file,
 * reads what runs and changes only what differs (nothing, when the dataplane runs the
 * desired state). vswctl talks to it on its own socket for apply, show and export.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl.h"
#include "vsw_proto.h"

static volatile sig_atomic_t stop; /* set by the signal handler only */

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static char *serve(void *ctx, const char *line, size_t len, bool may_write)
{
	return ctrl_handle_request(ctx, line, len, may_write);
}

static void usage(FILE *f)
{
	fputs("usage: vsw-controller [options]\n"
	      "Keep vsw-dataplane running the desired topology (vswctl apply -f FILE).\n"
	      "\n"
	      "  -s, --socket PATH       our socket for vswctl (default " VSW_CONTROLLER_SOCK ")\n"
	      "  -d, --dataplane PATH    the dataplane's socket (default " VSW_DATAPLANE_SOCK ")\n"
	      "  -f, --state PATH        the state file (default " VSW_CONTROLLER_STATE ")\n"
	      "  -t, --timeout MS        bound on one dataplane request (default 10000)\n"
	      "  -i, --interval MS       how often the dataplane is checked (default 500)\n"
	      "  -h, --help              this text\n"
	      "  -V, --version           print the version\n"
	      "\n"
	      "It prints \"vsw-controller: ready on PATH\" on stdout once its socket listens.\n",
	      f);
}

static int parse_ms(const char *s, int *v)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || x < 1 || x > 3600000)
		return -EINVAL;
	*v = (int)x;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"dataplane", required_argument, NULL, 'd'},
		{"state", required_argument, NULL, 'f'},
		{"timeout", required_argument, NULL, 't'},
		{"interval", required_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct ctrl_opts o = {
		.sock = VSW_CONTROLLER_SOCK,
		.dp_sock = VSW_DATAPLANE_SOCK,
		.state_path = VSW_CONTROLLER_STATE,
		.dp_timeout_ms = 10000,
		.poll_ms = 500,
	};
	struct sigaction sa;
	struct ctl_listen *l;
	struct ctrl *c;
	int opt;

	while ((opt = getopt_long(argc, argv, "s:d:f:t:i:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			o.sock = optarg;
			break;
		case 'd':
			o.dp_sock = optarg;
			break;
		case 'f':
			o.state_path = optarg;
			break;
		case 't':
		case 'i':
			if (parse_ms(optarg, opt == 't' ? &o.dp_timeout_ms : &o.poll_ms) < 0) {
				fprintf(stderr,
					"vsw-controller: -%c %s: expected milliseconds, "
					"1 to 3600000\n",
					opt, optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vsw-controller %s (protocol %d)\n", VSW_VERSION, VSW_PROTO_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vsw-controller: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	c = ctrl_new(&o);
	if (c == NULL) {
		fprintf(stderr, "vsw-controller: out of memory\n");
		return 1;
	}
	ctrl_load_state(c);
	l = ctl_listen_create(o.sock, VSW_CTRL_MAX_LINE, serve, c);
	if (l == NULL) {
		fprintf(stderr, "vsw-controller: cannot listen on %s: %s\n", o.sock,
			strerror(errno));
		ctrl_free(c);
		return 1;
	}
	/* Adopt or reprogram before the first client: an apply then plans against a known
	 * state. A dataplane that is not up yet is waited for in the loop. */
	ctrl_tick(c);
	printf("vsw-controller: ready on %s\n", o.sock);
	fflush(stdout);
	while (!stop) {
		int rc = ctl_listen_poll(l, o.poll_ms);

		if (rc < 0 && rc != -EINTR) {
			fprintf(stderr, "vsw-controller: poll: %s\n", strerror(-rc));
			break;
		}
		ctrl_tick(c);
	}
	ctl_listen_free(l);
	ctrl_free(c);
	return 0;
}
