/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: vsw-controller's request handling (control/server.c, and through it the
 * topology loader and validator of config/ that apply and plan feed client text to), with
 * no dataplane behind it: the dataplane socket is a path in an empty temporary directory,
 * so every request that needs the dataplane must come back as a clean error, and nothing
 * can be applied or written to the (temporary) state path. As for fuzz_ctl_request, the
 * input is split into lines, each one request to the same controller, and the first
 * byte's low bit picks whether the peer may write. Besides the sanitizers, every reply
 * must be one line of JSON of protocol version 1 with an integer id and status and either
 * a result or an error sentence.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fuzz_reply.h"
#include "ctrl.h"

/* One controller for the run: it keeps no state between requests while it cannot reach a
 * dataplane (apply never gets past the connection), so reusing it changes nothing. */
static struct ctrl *fuzz_ctrl;
static char fuzz_dir[] = "/tmp/vsw-fuzz-ctrl-XXXXXX";
static char dp_sock[64], state_path[64], ctrl_sock[64];

static void cleanup(void)
{
	ctrl_free(fuzz_ctrl);
	/* nothing is written there while no dataplane answers; rmdir checks that too */
	rmdir(fuzz_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ctrl_opts o = {
		.sock = ctrl_sock,
		.dp_sock = dp_sock,
		.state_path = state_path,
		.dp_timeout_ms = 100,
		.poll_ms = 1000,
	};

	(void)argc;
	(void)argv;
	json_object_seed(1); /* jansson seeds its hash from /dev/urandom otherwise */
	if (mkdtemp(fuzz_dir) == NULL)
		return -1;
	/* the sockets are never created: the controller does not listen here, and nothing
	 * listens at dp_sock, so every connection attempt fails at once with ENOENT */
	snprintf(dp_sock, sizeof(dp_sock), "%s/dataplane.sock", fuzz_dir);
	snprintf(ctrl_sock, sizeof(ctrl_sock), "%s/controller.sock", fuzz_dir);
	snprintf(state_path, sizeof(state_path), "%s/controller.state", fuzz_dir);
	fuzz_ctrl = ctrl_new(&o);
	if (fuzz_ctrl == NULL)
		return -1;
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool may_write;
	size_t off = 1;

	if (size < 1)
		return 0;
	may_write = (data[0] & 1) == 0;
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl != NULL ? (size_t)(nl - (data + off)) : size - off;
		char *out;

		/* as the socket code does, the line is handed over sized, not NUL-terminated */
		out = ctrl_handle_request(fuzz_ctrl, (const char *)data + off, len, may_write);
		fuzz_check_reply(out);
		free(out);
		off += len + 1;
	}
	return 0;
}
