/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client side of the control protocol (docs/protocol.md): connect to a daemon's Unix
 * socket, send one request line, read one reply line, every step bounded by a timeout,
 * and hand back the reply as a jansson object after checking its version and id. This is
 * the only way tools talk to the dataplane (or, later, the controller); no DPDK here.
 */
#ifndef VSW_CLIENT_H
#define VSW_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Default bound on one reply line. Requests are capped at VSW_PROTO_MAX_LINE, but a
 * reply (fdb-show of a full table) can be far larger; this only guards against a
 * runaway peer filling our memory. */
#define VSW_CLIENT_MAX_REPLY (256u << 20)

struct vsw_client;

/* One parsed reply. */
struct vsw_reply {
	json_t *msg;	   /* the whole reply object; owned, freed by vsw_reply_clear */
	int64_t id;	   /* as echoed by the daemon */
	int status;	   /* 0 or the daemon's positive errno */
	json_t *result;	   /* borrowed from msg; NULL when the reply has none */
	const char *error; /* borrowed; status != 0 only: the daemon's sentence */
};

/*
 * Connect to the Unix socket at path. timeout_ms bounds the connect and, later, each
 * vsw_client_call / vsw_client_raw as a whole; 0 or less waits forever. Returns NULL with
 * errno set and a sentence in err ("cannot connect to PATH: ...; is vsw-dataplane
 * running?") on failure.
 */
struct vsw_client *vsw_client_connect(const char *path, int timeout_ms, char *err, size_t errsz);
/* Bound on one reply line in bytes (default VSW_CLIENT_MAX_REPLY). */
void vsw_client_set_max_reply(struct vsw_client *c, size_t size);
void vsw_client_close(struct vsw_client *c);

/*
 * Send {"v":1,"id":N,"cmd":cmd,"args":args} (args borrowed; NULL = no args) and wait for
 * its reply. Returns 0 when a well-formed reply of our protocol version arrived, whatever
 * its status: the caller looks at r->status. Returns -errno with a sentence in err when
 * no usable reply came: -ETIMEDOUT, -ECONNRESET (daemon closed the connection),
 * -EMSGSIZE (reply longer than the limit), -EPROTO (not JSON, wrong version or id).
 * On success the caller owns r and frees it with vsw_reply_clear.
 */
int vsw_client_call(struct vsw_client *c, const char *cmd, json_t *args, struct vsw_reply *r,
		    char *err, size_t errsz);

/*
 * Send line verbatim (a newline is appended; line must not contain one) and return the
 * next reply line, NUL-terminated without its newline, in *reply (free() it). No
 * parsing and no version check: this is for tests and debugging.
 */
int vsw_client_raw(struct vsw_client *c, const char *line, char **reply, char *err, size_t errsz);

/*
 * Parse one reply line. want_id < 0 accepts any id. Also used by vsw_client_call; exposed
 * for tests and fuzzing. Returns 0 or -EPROTO with a sentence in err.
 */
int vsw_reply_parse(const char *line, size_t len, int64_t want_id, struct vsw_reply *r, char *err,
		    size_t errsz);
void vsw_reply_clear(struct vsw_reply *r);

#endif
