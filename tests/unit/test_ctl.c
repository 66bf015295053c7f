/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the control socket: ctl_handlers.c against the fake dataplane of
 * fake_dp.c (what each request turns into, and every way a request is refused), then
 * ctl_server.c end to end over a real Unix socket in a temporary directory (framing,
 * the line and client limits, stale sockets, peers that vanish, peer credentials).
 * Built with a small CTL_REPLY_MAX so the reply-size limit can be reached.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "ctl_handlers.h"
#include "ctl_server.h"
#include "drop.h"
#include "fake_dp.h"
#include "vsw_util.h"

struct t {
	struct dp *dp;
	json_t *reply;
};

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	t->dp = fake_dp_new();
	if (t->dp == NULL) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	json_decref(t->reply);
	fake_dp_free(t->dp);
	free(t);
	return 0;
}

/* Send one request (printf-style), check the reply's envelope, keep it in t->reply. */
static struct t *rq_w(struct t *t, bool may_write, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static struct t *rq_w(struct t *t, bool may_write, const char *fmt, ...)
{
	char line[8192];
	json_error_t jerr;
	va_list ap;
	char *out;
	json_t *st;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	out = ctl_handle_request(t->dp, line, strlen(line), may_write);
	assert_non_null(out);
	assert_null(strchr(out, '\n'));
	json_decref(t->reply);
	t->reply = json_loads(out, JSON_REJECT_DUPLICATES, &jerr);
	if (t->reply == NULL)
		fail_msg("reply is not JSON: %s: %s", jerr.text, out);
	free(out);
	assert_int_equal(json_integer_value(json_object_get(t->reply, "v")), 1);
	assert_true(json_is_integer(json_object_get(t->reply, "id")));
	st = json_object_get(t->reply, "status");
	assert_true(json_is_integer(st));
	if (json_integer_value(st) == 0) {
		assert_non_null(json_object_get(t->reply, "result"));
		assert_null(json_object_get(t->reply, "error"));
	} else {
		assert_true(json_is_string(json_object_get(t->reply, "error")));
		assert_null(json_object_get(t->reply, "result"));
	}
	return t;
}
#define rq(t, ...) rq_w((t), true, __VA_ARGS__)

static int status(const struct t *t)
{
	return (int)json_integer_value(json_object_get(t->reply, "status"));
}

static const char *error(const struct t *t)
{
	const char *e = json_string_value(json_object_get(t->reply, "error"));

	return e != NULL ? e : "";
}

static json_t *result(const struct t *t)
{
	return json_object_get(t->reply, "result");
}

/* status and a piece of the message */
#define assert_fails(t, st, piece)                                                                 \
	do {                                                                                       \
		assert_int_equal(status(t), (st));                                                 \
		if (strstr(error(t), (piece)) == NULL)                                             \
			fail_msg("error \"%s\" lacks \"%s\"", error(t), (piece));                  \
	} while (0)

static void assert_ok(const struct t *t)
{
	if (status(t) != 0)
		fail_msg("status %d: %s", status(t), error(t));
}

static int64_t rint_(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", key);
	return json_integer_value(v);
}

static const char *rstr(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("%s is not a string", key);
	return json_string_value(v);
}

/* ---- envelope ---- */

static void test_envelope_errors(void **state)
{
	struct t *t = *state;

	rq(t, "{\"v\":1,\"cmd\":\"info\"");
	assert_fails(t, EPROTO, "malformed JSON");
	rq(t, "not json");
	assert_fails(t, EPROTO, "malformed JSON");
	rq(t, "%s", "");
	assert_fails(t, EPROTO, "malformed JSON");
	rq(t, "{\"v\":1,\"cmd\":\"info\"} {}");
	assert_fails(t, EPROTO, "malformed JSON");
	rq(t, "[1,2]");
	assert_fails(t, EPROTO, "request is an array (expected a JSON object)");
	rq(t, "{\"v\":1,\"v\":1,\"cmd\":\"info\"}");
	assert_fails(t, EPROTO, "duplicate");
	rq(t, "{\"cmd\":\"info\"}");
	assert_fails(t, EPROTO, "missing v");
	rq(t, "{\"v\":2,\"id\":9,\"cmd\":\"info\"}");
	assert_fails(t, EPROTO, "request: protocol version 2 not supported (expected 1)");
	rq(t, "{\"v\":\"1\",\"cmd\":\"info\"}");
	assert_fails(t, EPROTO, "v is a string (expected the integer 1)");
	rq(t, "{\"v\":1.0,\"cmd\":\"info\"}");
	assert_fails(t, EPROTO, "v is a number with a fraction");

	rq(t, "{\"v\":1,\"id\":\"7\",\"cmd\":\"info\"}");
	assert_fails(t, EINVAL, "request: id is a string (expected an integer)");
	assert_int_equal(rint_(t->reply, "id"), 0);
	rq(t, "{\"v\":1,\"id\":7,\"cmd\":\"info\",\"agrs\":{}}");
	assert_fails(t, EINVAL, "request: unknown key \"agrs\" (expected v, id, cmd, args)");
	assert_int_equal(rint_(t->reply, "id"), 7);
	rq(t, "{\"v\":1,\"id\":7}");
	assert_fails(t, EINVAL, "missing cmd");
	rq(t, "{\"v\":1,\"cmd\":7}");
	assert_fails(t, EINVAL, "cmd is an integer (expected a command name)");
	rq(t, "{\"v\":1,\"id\":3,\"cmd\":\"frobnicate\"}");
	assert_fails(t, EOPNOTSUPP, "request: unknown command \"frobnicate\" (expected info, ");
	assert_int_equal(rint_(t->reply, "id"), 3);
	rq(t, "{\"v\":1,\"cmd\":\"info\",\"args\":[]}");
	assert_fails(t, EINVAL, "info: args is an array (expected an object)");
	rq(t, "{\"v\":1,\"cmd\":\"info\",\"args\":null}");
	assert_fails(t, EINVAL, "args is null");
	rq(t, "{\"v\":1,\"cmd\":\"info\",\"args\":{\"verbose\":true}}");
	assert_fails(t, EINVAL, "info: unknown argument \"verbose\" (expected no arguments)");
	/* a NUL inside a string is refused by the parser */
	rq(t, "{\"v\":1,\"cmd\":\"info\\u0000x\"}");
	assert_fails(t, EPROTO, "malformed JSON");
	assert_int_equal(t->dp->n_calls, 0);
}

static void test_id_echo(void **state)
{
	struct t *t = *state;

	rq(t, "{\"v\":1,\"cmd\":\"info\"}");
	assert_ok(t);
	assert_int_equal(rint_(t->reply, "id"), 0);
	rq(t, "{\"v\":1,\"id\":-5,\"cmd\":\"info\"}");
	assert_int_equal(rint_(t->reply, "id"), -5);
	rq(t, "{\"v\":1,\"id\":9007199254740993,\"cmd\":\"drop-reasons\"}");
	assert_int_equal(rint_(t->reply, "id"), 9007199254740993LL);
	/* the id survives an error in the arguments */
	rq(t, "{\"v\":1,\"id\":44,\"cmd\":\"bridge-add\",\"args\":{}}");
	assert_fails(t, EINVAL, "bridge-add: missing argument name");
	assert_int_equal(rint_(t->reply, "id"), 44);
}

/* A request that is not NUL-terminated, as the server hands them over. */
static void test_not_terminated(void **state)
{
	struct t *t = *state;
	const char req[] = "{\"v\":1,\"id\":2,\"cmd\":\"info\"}GARBAGE";
	char *out = ctl_handle_request(t->dp, req, strlen(req) - 7, true);

	assert_non_null(out);
	assert_non_null(strstr(out, "\"status\":0"));
	free(out);

	/* a NUL byte inside the line is not the end of it */
	out = ctl_handle_request(t->dp, "{\"v\":1,\"cmd\":\"info\"}\0x", 23, true);
	assert_non_null(out);
	assert_non_null(strstr(out, "\"status\":71"));
	free(out);
	out = ctl_handle_request(t->dp, "{\"v\":1,\"cmd\":\"in\0fo\"}", 22, true);
	assert_non_null(out);
	assert_non_null(strstr(out, "\"status\":71"));
	free(out);
}

/* ---- commands ---- */

static void test_info(void **state)
{
	struct t *t = *state;
	json_t *r, *w;

	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"ring\"}}");
	assert_ok(t);
	r = result(rq(t, "{\"v\":1,\"id\":1,\"cmd\":\"info\",\"args\":{}}"));
	assert_ok(t);
	assert_string_equal(rstr(r, "version"), "0.1.0-fake");
	assert_int_equal(rint_(r, "protocol"), 1);
	assert_int_equal(rint_(r, "uptime_s"), 12);
	assert_true(json_is_false(json_object_get(r, "hugepages")));
	assert_int_equal(rint_(r, "control_lcore"), 0);
	assert_int_equal(rint_(r, "idle_sleep_max_us"), 500);
	assert_int_equal(rint_(r, "bridges"), 0);
	assert_int_equal(rint_(r, "ports"), 1);
	assert_int_equal(json_array_size(json_object_get(r, "workers")), 1);
	w = json_array_get(json_object_get(r, "workers"), 0);
	assert_int_equal(rint_(w, "lcore"), 1);
	assert_int_equal(rint_(w, "cpu"), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(w, "ports"), 0)),
			    "p1");
	assert_true(json_real_value(json_object_get(w, "busy_pct")) == 0.5);
}

static void test_bridge_add(void **state)
{
	struct t *t = *state;

	rq(t, "{\"v\":1,\"id\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"br0\"}}");
	assert_ok(t);
	assert_true(json_is_object(result(t)));
	assert_int_equal(json_object_size(result(t)), 0);
	assert_string_equal(t->dp->last_call, "bridge_add");
	assert_string_equal(t->dp->last_name, "br0");
	assert_int_equal(t->dp->last_bp.mac_aging_s, 300);
	assert_int_equal(t->dp->last_bp.max_macs, 65536);
	assert_int_equal(t->dp->last_bp.move_damp, 5);
	assert_int_equal(t->dp->last_bp.move_damp_s, 10);

	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"br1\",\"mac_aging_s\":1,"
	      "\"max_macs\":4194304,\"move_damp\":0,\"move_damp_s\":255}}");
	assert_ok(t);
	assert_int_equal(t->dp->last_bp.mac_aging_s, 1);
	assert_int_equal(t->dp->last_bp.max_macs, 4194304);
	assert_int_equal(t->dp->last_bp.move_damp, 0);
	assert_int_equal(t->dp->last_bp.move_damp_s, 255);

	/* the fake's own refusal comes back with its errno and sentence */
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"br0\"}}");
	assert_fails(t, EEXIST, "bridge-add: bridge \"br0\" already exists");
}

static void test_bridge_add_ranges(void **state)
{
	struct t *t = *state;

	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"b\",\"mac_aging_s\":0}}");
	assert_fails(t, EINVAL, "bridge-add: mac_aging_s 0 out of range (expected 1..1000000)");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"b\",\"mac_aging_s\":1000001}}");
	assert_fails(t, EINVAL, "mac_aging_s 1000001 out of range");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"b\",\"max_macs\":4194305}}");
	assert_fails(t, EINVAL, "max_macs 4194305 out of range (expected 1..4194304)");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"b\",\"max_macs\":-1}}");
	assert_fails(t, EINVAL, "max_macs -1 out of range");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"b\",\"move_damp_s\":256}}");
	assert_fails(t, EINVAL, "move_damp_s 256 out of range (expected 0..255)");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"b\",\"move_damp\":1001}}");
	assert_fails(t, EINVAL, "move_damp 1001 out of range (expected 0..1000)");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"b\",\"max_macs\":"
	      "99999999999999999999}}");
	assert_int_equal(status(t) == EINVAL || status(t) == EPROTO, true);
	assert_int_equal(t->dp->n_calls, 0);
}

static void test_arg_types(void **state)
{
	struct t *t = *state;

	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":5}}");
	assert_fails(t, EINVAL, "bridge-add: name is an integer (expected a name)");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"b\",\"mac_aging_s\":\"300\"}}");
	assert_fails(t, EINVAL,
		     "bridge-add: mac_aging_s is a string (expected an integer 1..1000000)");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"b\",\"mac_aging_s\":30.5}}");
	assert_fails(t, EINVAL, "mac_aging_s is a number with a fraction");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"b\",\"mac_aging_s\":true}}");
	assert_fails(t, EINVAL, "mac_aging_s is a boolean");
	rq(t, "{\"v\":1,\"cmd\":\"fdb-flush\",\"args\":{\"bridge\":\"b\",\"static\":1}}");
	assert_fails(t, EINVAL, "fdb-flush: static is an integer (expected true or false)");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p\",\"type\":\"null\","
	      "\"options\":[]}}");
	assert_fails(t, EINVAL, "port-add: options is an array (expected an object)");
	rq(t, "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"p\",\"bridge\":\"b\","
	      "\"trunk\":10}}");
	assert_fails(t, EINVAL, "port-attach: trunk is an integer (expected an array");
	rq(t, "{\"v\":1,\"cmd\":\"fdb-add\",\"args\":{\"bridge\":\"b\",\"port\":\"p\",\"mac\":7}}");
	assert_fails(t, EINVAL, "fdb-add: mac is an integer (expected a MAC address string)");
	assert_int_equal(t->dp->n_calls, 0);
}

static void test_unknown_arg(void **state)
{
	struct t *t = *state;

	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"nmae\":\"br0\"}}");
	assert_fails(t, EINVAL,
		     "bridge-add: unknown argument \"nmae\" (expected name, mac_aging_s, max_macs, "
		     "move_damp, move_damp_s, vni, remote_max_macs)");
	rq(t, "{\"v\":1,\"cmd\":\"fdb-show\",\"args\":{\"bridge\":\"b\",\"vid\":3}}");
	assert_fails(t, EINVAL, "fdb-show: unknown argument \"vid\"");
	/* a hostile key is quoted safely and short */
	rq(t, "{\"v\":1,\"cmd\":\"stats\",\"args\":{\"\\u00e9\\u0001"
	      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\":1}}");
	assert_fails(t, EINVAL, "stats: unknown argument \"???xxxx");
	assert_non_null(strstr(error(t), "...\""));
	assert_int_equal(t->dp->n_calls, 0);
}

static void test_bad_names(void **state)
{
	static const char *const bad[] = {"",	 "a b",	       "0123456789012345678901234567890x",
					  "a/b", "br\\u00e90", "a\\tb"};
	struct t *t = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"%s\"}}", bad[i]);
		assert_fails(t, EINVAL, "bridge-add: name \"");
		assert_non_null(
			strstr(error(t), "is not a valid name (expected 1 to 31 characters"));
		rq(t,
		   "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"p\",\"bridge\":\"%s\"}}",
		   bad[i]);
		assert_fails(t, EINVAL, "port-attach: bridge \"");
	}
	assert_int_equal(t->dp->n_calls, 0);
	rq(t,
	   "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"0123456789012345678901234567890\"}}");
	assert_ok(t);
}

static void test_bridge_del_set_list(void **state)
{
	struct t *t = *state;
	json_t *r, *b;

	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"br0\"}}");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"br1\",\"mac_aging_s\":60}}");
	assert_ok(t);

	rq(t, "{\"v\":1,\"cmd\":\"bridge-set\",\"args\":{\"name\":\"br0\",\"mac_aging_s\":30,"
	      "\"move_damp\":7}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "bridge_set");
	assert_int_equal(t->dp->last_mask, DP_BRIDGE_SET_AGING | DP_BRIDGE_SET_MOVE_DAMP);
	assert_int_equal(t->dp->last_bp.mac_aging_s, 30);
	assert_int_equal(t->dp->last_bp.move_damp, 7);
	rq(t, "{\"v\":1,\"cmd\":\"bridge-set\",\"args\":{\"name\":\"br0\",\"max_macs\":100000,"
	      "\"move_damp_s\":3}}");
	assert_ok(t);
	assert_int_equal(t->dp->last_mask, DP_BRIDGE_SET_MAX_MACS | DP_BRIDGE_SET_MOVE_DAMP_S);
	rq(t, "{\"v\":1,\"cmd\":\"bridge-set\",\"args\":{\"name\":\"br0\"}}");
	assert_fails(t, EINVAL, "bridge-set: nothing to change");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-set\",\"args\":{\"name\":\"br0\",\"max_macs\":10}}");
	assert_fails(t, EINVAL, "bridge-set: max_macs can only grow");

	r = result(rq(t, "{\"v\":1,\"cmd\":\"bridge-list\"}"));
	assert_ok(t);
	assert_int_equal(json_array_size(r), 2);
	b = json_array_get(r, 0);
	assert_string_equal(rstr(b, "name"), "br0");
	assert_int_equal(rint_(b, "mac_aging_s"), 30);
	assert_int_equal(rint_(b, "max_macs"), 100000);
	assert_int_equal(rint_(b, "move_damp"), 7);
	assert_int_equal(rint_(b, "move_damp_s"), 3);
	assert_true(json_is_array(json_object_get(b, "ports")));
	assert_int_equal(rint_(b, "macs_learned"), 0);
	assert_int_equal(rint_(b, "macs_static"), 0);
	assert_int_equal(rint_(json_object_get(b, "counters"), "limit_hit"), 0);
	assert_int_equal(json_object_size(json_object_get(b, "counters")), 6);

	r = result(rq(t, "{\"v\":1,\"cmd\":\"bridge-list\",\"args\":{\"name\":\"br1\"}}"));
	assert_ok(t);
	assert_int_equal(json_array_size(r), 1);
	assert_int_equal(rint_(json_array_get(r, 0), "mac_aging_s"), 60);
	rq(t, "{\"v\":1,\"cmd\":\"bridge-list\",\"args\":{\"name\":\"nope\"}}");
	assert_fails(t, ENOENT, "bridge-list: bridge \"nope\"");

	rq(t, "{\"v\":1,\"cmd\":\"bridge-del\",\"args\":{\"name\":\"br1\"}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "bridge_del");
	assert_string_equal(t->dp->last_name, "br1");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-del\",\"args\":{\"name\":\"br1\"}}");
	assert_fails(t, ENOENT, "bridge-del: no bridge \"br1\"");
	r = result(rq(t, "{\"v\":1,\"cmd\":\"bridge-list\"}"));
	assert_int_equal(json_array_size(r), 1);
}

static void test_port_add(void **state)
{
	struct t *t = *state;
	const struct dp_port_params *p = &t->dp->last_pp;

	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"null\","
	      "\"options\":{\"rx\":true,\"size\":128},\"storm_pps\":1000,\"storm_burst\":10,"
	      "\"max_macs\":5}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "port_add");
	assert_string_equal(t->dp->last_name, "p1");
	assert_int_equal(p->type, DP_PORT_NULL);
	assert_int_equal(p->n_opts, 2);
	assert_string_equal(p->opts[0].key, "rx");
	assert_string_equal(p->opts[0].val, "1");
	assert_string_equal(p->opts[1].key, "size");
	assert_string_equal(p->opts[1].val, "128");
	assert_int_equal(p->storm_pps, 1000);
	assert_int_equal(p->storm_burst, 10);
	assert_int_equal(p->max_macs, 5);

	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p2\",\"type\":\"pcap\","
	      "\"options\":{\"rx_pcap\":\"/tmp/in.pcap\",\"tx_pcap\":\"/tmp/out.pcap\","
	      "\"infinite_rx\":false}}}");
	assert_ok(t);
	assert_int_equal(p->type, DP_PORT_PCAP);
	assert_int_equal(p->n_opts, 3);
	assert_string_equal(p->opts[0].val, "/tmp/in.pcap");
	assert_string_equal(p->opts[2].val, "0");
	assert_int_equal(p->storm_pps, 0); /* defaults */
	assert_int_equal(p->storm_burst, 64);

	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p3\",\"type\":\"ring\"}}");
	assert_ok(t);
	assert_int_equal(p->type, DP_PORT_RING);
	assert_int_equal(p->n_opts, 0);
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p4\",\"type\":\"vhost-user\","
	      "\"options\":{\"socket\":\"/tmp/vu.sock\",\"mode\":\"client\",\"queues\":2}}}");
	assert_ok(t);
	assert_int_equal(p->type, DP_PORT_VHOST_USER);
	assert_string_equal(p->opts[1].val, "client");
	assert_string_equal(p->opts[2].val, "2");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p5\",\"type\":\"af_packet\","
	      "\"options\":{\"iface\":\"veth0\"}}}");
	assert_ok(t);
	assert_int_equal(p->type, DP_PORT_AF_PACKET);
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p6\",\"type\":\"tap\"}}");
	assert_ok(t);
	assert_int_equal(p->type, DP_PORT_TAP);

	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"ring\"}}");
	assert_fails(t, EEXIST, "port-add: port \"p1\" already exists");
}

static void test_port_add_errors(void **state)
{
	struct t *t = *state;

	rq(t,
	   "{\"v\":1,\"id\":7,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"nul\"}}");
	assert_fails(t, EINVAL,
		     "port-add: unknown port type \"nul\" (expected pcap, null, ring, af_packet, "
		     "tap, vhost-user)");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\"}}");
	assert_fails(t, EINVAL, "port-add: missing argument type");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"af_packet\"}}");
	assert_fails(t, EINVAL, "port-add: missing options.iface (required for type af_packet)");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"vhost-user\","
	      "\"options\":{\"path\":\"/x\"}}}");
	assert_fails(
		t, EINVAL,
		"port-add: unknown option \"path\" for type vhost-user (expected socket, mode, "
		"queues, owner, group, perm)");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"ring\","
	      "\"options\":{\"size\":64}}}");
	assert_fails(t, EINVAL, "unknown option \"size\" for type ring (expected no options)");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"vhost-user\","
	      "\"options\":{\"socket\":\"/x\",\"mode\":\"slave\"}}}");
	assert_fails(t, EINVAL, "options.mode \"slave\" is not a mode (expected server or client)");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"pcap\","
	      "\"options\":{\"rx_pcap\":\"/x,iface=eth0\"}}}");
	assert_fails(t, EINVAL, "options.rx_pcap \"/x,iface=eth0\" holds a ','");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"pcap\","
	      "\"options\":{\"rx_pcap\":\"\"}}}");
	assert_fails(t, EINVAL, "options.rx_pcap is empty");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"pcap\","
	      "\"options\":{\"infinite_rx\":\"yes\"}}}");
	assert_fails(t, EINVAL, "options.infinite_rx is a string (expected true or false)");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"null\","
	      "\"options\":{\"size\":1}}}");
	assert_fails(t, EINVAL, "options.size 1 out of range (expected 14..9216)");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"af_packet\","
	      "\"options\":{\"iface\":\"a-very-long-interface\"}}}");
	assert_fails(t, EINVAL, "is too long (expected at most 15 characters)");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"tap\","
	      "\"options\":{\"iface\":\"a/b\"}}}");
	assert_fails(t, EINVAL, "is not an interface name");
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"null\","
	      "\"storm_burst\":0}}");
	assert_fails(t, EINVAL, "storm_burst 0 out of range (expected 1..1000000)");
	assert_int_equal(t->dp->n_calls, 0);
}

static void test_port_set_del_list(void **state)
{
	struct t *t = *state;
	json_t *r, *p, *o;

	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"null\","
	      "\"options\":{\"rx\":true,\"size\":128}}}");
	assert_ok(t);
	rq(t, "{\"v\":1,\"cmd\":\"port-set\",\"args\":{\"name\":\"p1\",\"storm_pps\":500,"
	      "\"max_macs\":9}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "port_set");
	assert_int_equal(t->dp->last_mask, DP_PORT_SET_STORM_PPS | DP_PORT_SET_MAX_MACS);
	assert_int_equal(t->dp->last_pp.storm_pps, 500);
	assert_int_equal(t->dp->last_pp.max_macs, 9);
	rq(t, "{\"v\":1,\"cmd\":\"port-set\",\"args\":{\"name\":\"p1\",\"storm_burst\":3}}");
	assert_int_equal(t->dp->last_mask, DP_PORT_SET_STORM_BURST);
	rq(t, "{\"v\":1,\"cmd\":\"port-set\",\"args\":{\"name\":\"p1\"}}");
	assert_fails(t, EINVAL, "port-set: nothing to change");
	rq(t, "{\"v\":1,\"cmd\":\"port-set\",\"args\":{\"name\":\"p1\",\"type\":\"ring\"}}");
	assert_fails(t, EINVAL, "port-set: unknown argument \"type\"");

	r = result(rq(t, "{\"v\":1,\"cmd\":\"port-list\"}"));
	assert_ok(t);
	assert_int_equal(json_array_size(r), 1);
	p = json_array_get(r, 0);
	assert_string_equal(rstr(p, "name"), "p1");
	assert_string_equal(rstr(p, "type"), "null");
	o = json_object_get(p, "options");
	assert_true(json_is_true(json_object_get(o, "rx")));
	assert_int_equal(rint_(o, "size"), 128);
	assert_int_equal(rint_(p, "dpdk_port"), 0);
	assert_string_equal(rstr(p, "link"), "up");
	assert_string_equal(rstr(p, "bridge"), "");
	assert_string_equal(rstr(p, "vlan_mode"), "none");
	assert_int_equal(rint_(p, "vlan"), 0);
	assert_int_equal(json_array_size(json_object_get(p, "trunk")), 0);
	assert_int_equal(rint_(p, "native"), 0);
	assert_int_equal(rint_(p, "worker"), 1);
	assert_int_equal(rint_(p, "storm_pps"), 500);
	assert_int_equal(rint_(p, "storm_burst"), 3);
	assert_int_equal(rint_(p, "max_macs"), 9);

	r = result(rq(t, "{\"v\":1,\"cmd\":\"port-list\",\"args\":{\"name\":\"p1\"}}"));
	assert_int_equal(json_array_size(r), 1);
	rq(t, "{\"v\":1,\"cmd\":\"port-list\",\"args\":{\"name\":\"p9\"}}");
	assert_fails(t, ENOENT, "port-list: port \"p9\"");

	rq(t, "{\"v\":1,\"cmd\":\"port-del\",\"args\":{\"name\":\"p1\"}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "port_del");
	r = result(rq(t, "{\"v\":1,\"cmd\":\"port-list\"}"));
	assert_int_equal(json_array_size(r), 0);
	rq(t, "{\"v\":1,\"cmd\":\"port-del\",\"args\":{\"name\":\"p1\"}}");
	assert_fails(t, ENOENT, "port-del: no port \"p1\"");
}

static void setup_bridge(struct t *t)
{
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"br0\"}}");
	assert_ok(t);
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"ring\"}}");
	assert_ok(t);
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"p2\",\"type\":\"ring\"}}");
	assert_ok(t);
}

static void test_port_attach(void **state)
{
	struct t *t = *state;
	const struct dp_vlan_cfg *v = &t->dp->last_vlan;
	uint8_t want[512] = {0};
	json_t *p;

	setup_bridge(t);
	rq(t, "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"p1\",\"bridge\":\"br0\"}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "port_attach");
	assert_string_equal(t->dp->last_name, "p1");
	assert_string_equal(t->dp->last_name2, "br0");
	assert_int_equal(v->mode, DP_VLAN_ACCESS);
	assert_int_equal(v->access_vlan, 1);

	rq(t, "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"p1\",\"bridge\":\"br0\","
	      "\"vlan\":10}}");
	assert_ok(t);
	assert_int_equal(v->access_vlan, 10);
	p = json_array_get(
		result(rq(t, "{\"v\":1,\"cmd\":\"port-list\",\"args\":{\"name\":\"p1\"}}")), 0);
	assert_string_equal(rstr(p, "bridge"), "br0");
	assert_string_equal(rstr(p, "vlan_mode"), "access");
	assert_int_equal(rint_(p, "vlan"), 10);

	rq(t, "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"p2\",\"bridge\":\"br0\","
	      "\"trunk\":[10,\"20-30\",4094],\"native\":5}}");
	assert_ok(t);
	assert_int_equal(v->mode, DP_VLAN_TRUNK);
	assert_int_equal(v->native_vlan, 5);
	vsw_vlan_bit_set(want, 10);
	for (unsigned int i = 20; i <= 30; i++)
		vsw_vlan_bit_set(want, i);
	vsw_vlan_bit_set(want, 4094);
	assert_memory_equal(v->trunk, want, sizeof(want));

	/* port-list gives the trunk back in the form port-attach takes */
	p = json_array_get(
		result(rq(t, "{\"v\":1,\"cmd\":\"port-list\",\"args\":{\"name\":\"p2\"}}")), 0);
	assert_string_equal(rstr(p, "vlan_mode"), "trunk");
	assert_int_equal(rint_(p, "native"), 5);
	assert_int_equal(rint_(p, "vlan"), 0);
	{
		char *s = json_dumps(json_object_get(p, "trunk"), JSON_COMPACT);

		assert_string_equal(s, "[10,\"20-30\",4094]");
		free(s);
	}

	rq(t, "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"p2\",\"bridge\":\"br0\","
	      "\"trunk\":\"10,20-30,4094\"}}");
	assert_ok(t);
	assert_memory_equal(v->trunk, want, sizeof(want));
	assert_int_equal(v->native_vlan, 0);
	rq(t, "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"p2\",\"bridge\":\"br0\","
	      "\"trunk\":[]}}");
	assert_ok(t);
	assert_int_equal(v->mode, DP_VLAN_TRUNK);

	rq(t, "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"nope\",\"bridge\":\"br0\"}}");
	assert_fails(t, ENOENT, "port-attach: no port \"nope\"");
}

static void test_port_attach_errors(void **state)
{
	static const struct {
		const char *args, *why;
	} bad[] = {
		{"\"vlan\":0", "port-attach: vlan 0 out of range (expected 1..4094)"},
		{"\"vlan\":4095", "vlan 4095 out of range"},
		{"\"vlan\":\"10\"", "vlan is a string (expected an integer 1..4094)"},
		{"\"vlan\":10,\"trunk\":[20]", "vlan and trunk given together"},
		{"\"native\":10", "native given without trunk"},
		{"\"trunk\":[4095]",
		 "port-attach: trunk[0] VLAN 4095 out of range (expected 1..4094)"},
		{"\"trunk\":[1,0]", "trunk[1] VLAN 0 out of range"},
		{"\"trunk\":[1,true]",
		 "trunk[1] is a boolean (expected a VLAN id or a \"lo-hi\" string)"},
		{"\"trunk\":[\"30-20\"]", "port-attach: trunk[0]: VLAN range 30-20 is backwards"},
		{"\"trunk\":\"10,x\"", "port-attach: trunk: bad VLAN list at offset 3"},
		{"\"trunk\":\"\"", "port-attach: trunk: empty VLAN list"},
		{"\"trunk\":[10],\"native\":4095", "native 4095 out of range (expected 0..4094)"},
		{"\"access\":10", "unknown argument \"access\""},
	};
	struct t *t = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rq(t,
		   "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"p1\",\"bridge\":\"br0\",%s}}",
		   bad[i].args);
		assert_fails(t, EINVAL, bad[i].why);
	}
	assert_int_equal(t->dp->n_calls, 0);
	rq(t, "{\"v\":1,\"cmd\":\"port-detach\",\"args\":{\"port\":\"p1\"}}");
	assert_fails(t, ENOENT, "port-detach: no port \"p1\"");
	setup_bridge(t);
	rq(t, "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"p1\",\"bridge\":\"br0\"}}");
	rq(t, "{\"v\":1,\"cmd\":\"port-detach\",\"args\":{\"port\":\"p1\"}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "port_detach");
	assert_string_equal(t->dp->last_name, "p1");
}

static void test_fdb_add_del(void **state)
{
	struct t *t = *state;
	const uint8_t mac[6] = {0x02, 0, 0, 0, 0xab, 0x01};

	setup_bridge(t);
	rq(t, "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"p1\",\"bridge\":\"br0\"}}");
	rq(t,
	   "{\"v\":1,\"cmd\":\"fdb-add\",\"args\":{\"bridge\":\"br0\",\"mac\":\"02:00:00:00:AB:01\","
	   "\"port\":\"p1\"}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "fdb_add");
	assert_string_equal(t->dp->last_name, "br0");
	assert_string_equal(t->dp->last_name2, "p1");
	assert_memory_equal(t->dp->last_mac, mac, 6);
	assert_int_equal(t->dp->last_vid, 1);
	rq(t,
	   "{\"v\":1,\"cmd\":\"fdb-add\",\"args\":{\"bridge\":\"br0\",\"mac\":\"02-00-00-00-ab-01\","
	   "\"port\":\"p1\",\"vlan\":4094}}");
	assert_ok(t);
	assert_int_equal(t->dp->last_vid, 4094);

	rq(t,
	   "{\"v\":1,\"cmd\":\"fdb-add\",\"args\":{\"bridge\":\"br0\",\"mac\":\"02:00:00:00:ab\","
	   "\"port\":\"p1\"}}");
	assert_fails(t, EINVAL,
		     "fdb-add: mac \"02:00:00:00:ab\" is not a MAC address (expected "
		     "xx:xx:xx:xx:xx:xx)");
	rq(t,
	   "{\"v\":1,\"cmd\":\"fdb-add\",\"args\":{\"bridge\":\"br0\",\"mac\":\"02:00:00:00:ab:01\","
	   "\"port\":\"p1\",\"vlan\":0}}");
	assert_fails(t, EINVAL, "fdb-add: vlan 0 out of range (expected 1..4094)");
	rq(t,
	   "{\"v\":1,\"cmd\":\"fdb-add\",\"args\":{\"bridge\":\"br0\",\"mac\":\"02:00:00:00:ab:01\"}}");
	assert_fails(t, EINVAL, "fdb-add: missing argument port");
	rq(t,
	   "{\"v\":1,\"cmd\":\"fdb-add\",\"args\":{\"bridge\":\"br0\",\"mac\":\"02:00:00:00:ab:01\","
	   "\"port\":\"p2\"}}");
	assert_fails(t, EINVAL, "fdb-add: port \"p2\" is not in bridge \"br0\"");

	rq(t,
	   "{\"v\":1,\"cmd\":\"fdb-del\",\"args\":{\"bridge\":\"br0\",\"mac\":\"02:00:00:00:ab:01\","
	   "\"vlan\":4094}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "fdb_del");
	assert_int_equal(t->dp->last_vid, 4094);
	rq(t,
	   "{\"v\":1,\"cmd\":\"fdb-del\",\"args\":{\"bridge\":\"br0\",\"mac\":\"02:00:00:00:ab:01\","
	   "\"vlan\":4094}}");
	assert_fails(t, ENOENT, "fdb-del: no such MAC entry");
	rq(t,
	   "{\"v\":1,\"cmd\":\"fdb-del\",\"args\":{\"bridge\":\"br0\",\"mac\":\"02:00:00:00:ab:01\","
	   "\"port\":\"p1\"}}");
	assert_fails(t, EINVAL, "fdb-del: unknown argument \"port\"");
	rq(t,
	   "{\"v\":1,\"cmd\":\"fdb-del\",\"args\":{\"bridge\":\"br0\",\"mac\":\"zz:00:00:00:ab:01\"}}");
	assert_fails(t, EINVAL, "fdb-del: mac \"zz:00:00:00:ab:01\" is not a MAC address");
}

static void test_fdb_show_sorted(void **state)
{
	/* learned in an order that is neither VLAN nor MAC order */
	static const struct {
		uint8_t mac[6];
		uint16_t vlan;
		const char *port;
	} in[] = {
		{{0x02, 0, 0, 0, 0, 0x09}, 20, "p2"}, {{0x02, 0, 0, 0, 0, 0x01}, 30, "p1"},
		{{0x02, 0, 0, 0, 0, 0x05}, 10, "p1"}, {{0x00, 0, 0, 0, 0, 0xff}, 20, "p1"},
		{{0xfe, 0, 0, 0, 0, 0x01}, 10, "p2"}, {{0x02, 0, 0, 0, 1, 0x00}, 20, "p2"},
	};
	static const char *const want[][2] = {
		{"02:00:00:00:00:05", "10"}, {"fe:00:00:00:00:01", "10"},
		{"00:00:00:00:00:ff", "20"}, {"02:00:00:00:00:09", "20"},
		{"02:00:00:00:01:00", "20"}, {"02:00:00:00:00:01", "30"},
	};
	struct t *t = *state;
	json_t *r, *e;
	size_t i;

	setup_bridge(t);
	rq(t, "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"p1\",\"bridge\":\"br0\"}}");
	rq(t, "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"p2\",\"bridge\":\"br0\"}}");
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		assert_int_equal(fake_dp_learn(t->dp, "br0", in[i].mac, in[i].vlan, in[i].port,
					       (uint32_t)i + 1),
				 0);
	rq(t,
	   "{\"v\":1,\"cmd\":\"fdb-add\",\"args\":{\"bridge\":\"br0\",\"mac\":\"02:00:00:00:00:09\","
	   "\"port\":\"p1\",\"vlan\":20}}");
	assert_ok(t);

	r = result(rq(t, "{\"v\":1,\"cmd\":\"fdb-show\",\"args\":{\"bridge\":\"br0\"}}"));
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "fdb_dump");
	assert_true(t->dp->last_name2_null);
	assert_int_equal(t->dp->last_vid, 0);
	assert_int_equal(json_array_size(r), 6);
	json_array_foreach(r, i, e) {
		char vlan[8];

		snprintf(vlan, sizeof(vlan), "%d", (int)rint_(e, "vlan"));
		assert_string_equal(rstr(e, "mac"), want[i][0]);
		assert_string_equal(vlan, want[i][1]);
		assert_int_equal(json_object_size(e), 5);
	}
	/* the static entry replaced the learned one: its type, port and age */
	e = json_array_get(r, 3);
	assert_string_equal(rstr(e, "type"), "static");
	assert_string_equal(rstr(e, "port"), "p1");
	assert_int_equal(rint_(e, "age_s"), 0);
	e = json_array_get(r, 0);
	assert_string_equal(rstr(e, "type"), "learned");
	assert_string_equal(rstr(e, "port"), "p1");
	assert_int_equal(rint_(e, "age_s"), 3);

	r = result(rq(t,
		      "{\"v\":1,\"cmd\":\"fdb-show\",\"args\":{\"bridge\":\"br0\",\"port\":\"p2\","
		      "\"vlan\":20}}"));
	assert_ok(t);
	assert_string_equal(t->dp->last_name2, "p2");
	assert_int_equal(t->dp->last_vid, 20);
	assert_int_equal(json_array_size(r), 1);
	assert_string_equal(rstr(json_array_get(r, 0), "mac"), "02:00:00:00:01:00");

	rq(t, "{\"v\":1,\"cmd\":\"fdb-show\",\"args\":{\"bridge\":\"nope\"}}");
	assert_fails(t, ENOENT, "fdb-show: no bridge \"nope\"");
	rq(t, "{\"v\":1,\"cmd\":\"fdb-show\"}");
	assert_fails(t, EINVAL, "fdb-show: missing argument bridge");
}

static void test_fdb_flush(void **state)
{
	struct t *t = *state;
	uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0};

	setup_bridge(t);
	rq(t, "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"p1\",\"bridge\":\"br0\"}}");
	for (int i = 0; i < 5; i++) {
		mac[5] = (uint8_t)i;
		assert_int_equal(fake_dp_learn(t->dp, "br0", mac, 1, "p1", 1), 0);
	}
	rq(t,
	   "{\"v\":1,\"cmd\":\"fdb-add\",\"args\":{\"bridge\":\"br0\",\"mac\":\"02:00:00:00:00:01\","
	   "\"port\":\"p1\"}}");
	rq(t, "{\"v\":1,\"cmd\":\"fdb-flush\",\"args\":{\"bridge\":\"br0\"}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "fdb_flush");
	assert_false(t->dp->last_static);
	assert_int_equal(rint_(result(t), "flushed"), 4);
	rq(t, "{\"v\":1,\"cmd\":\"fdb-flush\",\"args\":{\"bridge\":\"br0\",\"port\":\"p1\","
	      "\"vlan\":1,\"static\":true}}");
	assert_ok(t);
	assert_true(t->dp->last_static);
	assert_string_equal(t->dp->last_name2, "p1");
	assert_int_equal(t->dp->last_vid, 1);
	assert_int_equal(rint_(result(t), "flushed"), 1);
}

static void test_stats(void **state)
{
	struct t *t = *state;
	json_t *r, *s, *drops;

	setup_bridge(t);
	t->dp->ports[1].stats.rx_packets = 10;
	t->dp->ports[1].stats.tx_bytes = 640;
	t->dp->ports[1].stats.drops[VSW_DROP_runt] = 2;
	t->dp->ports[1].stats.drops[VSW_DROP_tx_full] = 3;

	r = result(rq(t, "{\"v\":1,\"cmd\":\"stats\"}"));
	assert_ok(t);
	assert_int_equal(json_array_size(r), 2);
	s = json_array_get(r, 1);
	assert_string_equal(rstr(s, "name"), "p2");
	assert_int_equal(rint_(s, "rx_packets"), 10);
	assert_int_equal(rint_(s, "tx_bytes"), 640);
	assert_int_equal(rint_(s, "rx_bytes"), 0);
	assert_int_equal(rint_(s, "tx_packets"), 0);
	drops = json_object_get(s, "drops");
	/* every reason, by name, zero or not */
	assert_int_equal(json_object_size(drops), VSW_DROP_MAX);
	for (int i = 0; i < VSW_DROP_MAX; i++)
		assert_true(json_is_integer(json_object_get(drops, vsw_drop_names[i])));
	assert_int_equal(rint_(drops, "runt"), 2);
	assert_int_equal(rint_(drops, "tx_full"), 3);
	assert_int_equal(rint_(drops, "mac_limit"), 0);
	assert_int_equal(rint_(s, "drops_total"), 5);

	r = result(rq(t, "{\"v\":1,\"cmd\":\"stats\",\"args\":{\"port\":\"p2\"}}"));
	assert_int_equal(json_array_size(r), 1);
	assert_int_equal(rint_(json_array_get(r, 0), "drops_total"), 5);
	rq(t, "{\"v\":1,\"cmd\":\"stats\",\"args\":{\"port\":\"p7\"}}");
	assert_fails(t, ENOENT, "stats: no port \"p7\"");

	rq(t, "{\"v\":1,\"cmd\":\"stats-clear\",\"args\":{\"port\":\"p2\"}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "port_stats_clear");
	assert_false(t->dp->last_name2_null);
	assert_string_equal(t->dp->last_name, "p2");
	rq(t, "{\"v\":1,\"cmd\":\"stats-clear\"}");
	assert_ok(t);
	assert_true(t->dp->last_name2_null);
	r = result(rq(t, "{\"v\":1,\"cmd\":\"stats\",\"args\":{\"port\":\"p2\"}}"));
	assert_int_equal(rint_(json_array_get(r, 0), "drops_total"), 0);
}

/* The VXLAN commands: arguments checked before the dataplane is called, then passed on. */
static void test_vtep(void **state)
{
	struct t *t = *state;
	unsigned int n;

	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"ov\",\"vni\":5001}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "vtep_bridge_set");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-list\",\"args\":{\"name\":\"ov\"}}");
	assert_ok(t);
	assert_int_equal(rint_(json_array_get(result(t), 0), "vni"), 5001);
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"x\",\"vni\":16777216}}");
	assert_fails(t, EINVAL, "vni 16777216 out of range");
	/* vni alone is something to change */
	rq(t, "{\"v\":1,\"cmd\":\"bridge-set\",\"args\":{\"name\":\"ov\",\"vni\":7}}");
	assert_ok(t);
	rq(t, "{\"v\":1,\"cmd\":\"bridge-set\",\"args\":{\"name\":\"ov\"}}");
	assert_fails(t, EINVAL, "nothing to change");

	n = t->dp->n_calls;
	rq(t, "{\"v\":1,\"cmd\":\"vtep-add\",\"args\":{\"name\":\"vt0\",\"port\":\"u0\","
	      "\"local_ip\":\"198.18.0.300\"}}");
	assert_fails(t, EINVAL, "local_ip is not an IPv4 address");
	rq(t, "{\"v\":1,\"cmd\":\"vtep-add\",\"args\":{\"name\":\"vt0\",\"port\":\"u0\","
	      "\"local_ip\":\"198.18.0.1\",\"mtu\":100}}");
	assert_fails(t, EINVAL, "mtu 100 out of range");
	rq(t,
	   "{\"v\":1,\"cmd\":\"vtep-add\",\"args\":{\"name\":\"vt0\",\"local_ip\":\"198.18.0.1\"}}");
	assert_fails(t, EINVAL, "missing argument port");
	rq(t, "{\"v\":1,\"cmd\":\"vtep-remote-add\",\"args\":{\"bridge\":\"ov\",\"remote\":7}}");
	assert_fails(t, EINVAL, "remote is an integer");
	assert_int_equal(t->dp->n_calls, n); /* none of them reached the dataplane */

	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"u0\",\"type\":\"null\"}}");
	assert_ok(t);
	rq(t, "{\"v\":1,\"cmd\":\"vtep-add\",\"args\":{\"name\":\"vt0\",\"port\":\"u0\","
	      "\"local_ip\":\"198.18.0.1\",\"prefix_len\":16}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "vtep_add");
	assert_string_equal(t->dp->last_name2, "u0");
	rq(t, "{\"v\":1,\"cmd\":\"vtep-remote-add\",\"args\":{\"bridge\":\"ov\","
	      "\"remote\":\"198.18.0.2\",\"vlan\":10}}");
	assert_ok(t);
	assert_string_equal(t->dp->last_call, "vtep_remote_add");
	assert_int_equal(t->dp->last_vid, 10);
	assert_true(t->dp->last_name2_null); /* no vtep named: the only one */
	rq(t,
	   "{\"v\":1,\"cmd\":\"vtep-neigh-add\",\"args\":{\"vtep\":\"vt0\",\"ip\":\"198.18.0.2\","
	   "\"mac\":\"02:aa:00:00:00:02\"}}");
	assert_ok(t);
	assert_int_equal(t->dp->last_mac[5], 2);
	rq(t, "{\"v\":1,\"cmd\":\"vtep-list\"}");
	assert_ok(t);
	assert_int_equal(json_array_size(result(t)), 0);
	rq(t, "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"v\",\"type\":\"vxlan\"}}");
	assert_fails(t, EINVAL, "vtep-remote-add");
	/* readers may look, not change */
	rq_w(t, false, "{\"v\":1,\"cmd\":\"vtep-del\",\"args\":{\"name\":\"vt0\"}}");
	assert_int_equal(status(t), EPERM);
}

static void test_drop_reasons(void **state)
{
	struct t *t = *state;
	json_t *r;

	r = result(rq(t, "{\"v\":1,\"cmd\":\"drop-reasons\"}"));
	assert_ok(t);
	assert_int_equal(json_array_size(r), VSW_DROP_MAX);
	for (int i = 0; i < VSW_DROP_MAX; i++) {
		assert_string_equal(rstr(json_array_get(r, (size_t)i), "name"), vsw_drop_names[i]);
		assert_string_equal(rstr(json_array_get(r, (size_t)i), "help"), vsw_drop_help[i]);
	}
	assert_string_equal(rstr(json_array_get(r, 0), "name"), "runt");
}

/* ---- dataplane failures, permissions, limits ---- */

static void test_dp_failure_passthrough(void **state)
{
	struct t *t = *state;

	fake_dp_fail_next(t->dp, -EIO, "rte_eth_dev_start failed for net_null0: -5");
	rq(t,
	   "{\"v\":1,\"id\":4,\"cmd\":\"port-add\",\"args\":{\"name\":\"p1\",\"type\":\"null\"}}");
	assert_int_equal(status(t), EIO);
	assert_string_equal(error(t), "port-add: rte_eth_dev_start failed for net_null0: -5");
	assert_int_equal(rint_(t->reply, "id"), 4);
	assert_string_equal(t->dp->last_call, "port_add");

	/* a message that already names the command is not prefixed twice */
	fake_dp_fail_next(t->dp, -ENOSPC, "bridge-add: no room");
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"b\"}}");
	assert_int_equal(status(t), ENOSPC);
	assert_string_equal(error(t), "bridge-add: no room");

	/* no message: the errno's text */
	fake_dp_fail_next(t->dp, -EBUSY, "");
	rq(t, "{\"v\":1,\"cmd\":\"fdb-flush\",\"args\":{\"bridge\":\"b\"}}");
	assert_int_equal(status(t), EBUSY);
	assert_string_equal(error(t), "fdb-flush: Device or resource busy");

	/* a message that is not UTF-8 still makes a valid reply */
	fake_dp_fail_next(t->dp, -EINVAL, "bad \xff\xfe byte");
	rq(t, "{\"v\":1,\"cmd\":\"stats-clear\"}");
	assert_int_equal(status(t), EINVAL);
	assert_non_null(strstr(error(t), "bad ?? byte"));

	fake_dp_fail_next(t->dp, -ENOENT, "gone");
	rq(t, "{\"v\":1,\"cmd\":\"fdb-show\",\"args\":{\"bridge\":\"b\"}}");
	assert_fails(t, ENOENT, "fdb-show: gone");
}

static void test_read_only_peer(void **state)
{
	static const char *const writes[] = {
		"\"bridge-add\",\"args\":{\"name\":\"b\"}",
		"\"bridge-del\",\"args\":{\"name\":\"b\"}",
		"\"bridge-set\",\"args\":{\"name\":\"b\",\"mac_aging_s\":5}",
		"\"port-add\",\"args\":{\"name\":\"p\",\"type\":\"ring\"}",
		"\"port-del\",\"args\":{\"name\":\"p\"}",
		"\"port-set\",\"args\":{\"name\":\"p\",\"max_macs\":5}",
		"\"port-attach\",\"args\":{\"port\":\"p\",\"bridge\":\"b\"}",
		"\"port-detach\",\"args\":{\"port\":\"p\"}",
		"\"fdb-add\",\"args\":{\"bridge\":\"b\",\"mac\":\"02:00:00:00:00:01\",\"port\":\"p\"}",
		"\"fdb-del\",\"args\":{\"bridge\":\"b\",\"mac\":\"02:00:00:00:00:01\"}",
		"\"fdb-flush\",\"args\":{\"bridge\":\"b\"}",
		"\"stats-clear\"",
	};
	static const char *const reads[] = {
		"\"info\"", "\"bridge-list\"", "\"port-list\"", "\"stats\"", "\"drop-reasons\"",
	};
	struct t *t = *state;

	setup_bridge(t);
	t->dp->n_calls = 0;
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		rq_w(t, false, "{\"v\":1,\"cmd\":%s}", writes[i]);
		assert_fails(t, EPERM, "not allowed to change state");
	}
	assert_int_equal(t->dp->n_calls, 0);
	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		rq_w(t, false, "{\"v\":1,\"cmd\":%s}", reads[i]);
		assert_ok(t);
	}
	rq_w(t, false, "{\"v\":1,\"cmd\":\"fdb-show\",\"args\":{\"bridge\":\"br0\"}}");
	assert_ok(t);
	assert_true(ctl_cmd_mutating("fdb-add"));
	assert_true(ctl_cmd_mutating("stats-clear"));
	assert_false(ctl_cmd_mutating("fdb-show"));
	assert_false(ctl_cmd_mutating("nope"));
	assert_false(ctl_cmd_mutating(NULL));
}

/* Built with CTL_REPLY_MAX 65536: a port-list of 256 ports is larger. */
static void test_reply_too_large(void **state)
{
	struct t *t = *state;

	assert_int_equal(CTL_REPLY_MAX, 65536);
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		rq(t,
		   "{\"v\":1,\"cmd\":\"port-add\",\"args\":{\"name\":\"port-with-a-long-name-%03d\","
		   "\"type\":\"pcap\",\"options\":{\"rx_pcap\":\"/tmp/%0200d.pcap\"}}}",
		   i, i);
		assert_ok(t);
	}
	rq(t, "{\"v\":1,\"id\":6,\"cmd\":\"port-list\"}");
	assert_fails(t, EMSGSIZE, "port-list: reply of ");
	assert_int_equal(rint_(t->reply, "id"), 6);
	/* fdb-show refuses before building anything: 1000 entries * 70 bytes > 65536 */
	rq(t, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"br0\"}}");
	rq(t, "{\"v\":1,\"cmd\":\"port-attach\",\"args\":{\"port\":\"port-with-a-long-name-000\","
	      "\"bridge\":\"br0\"}}");
	assert_ok(t);
	for (int i = 0; i < 1000; i++) {
		uint8_t mac[6] = {0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};

		assert_int_equal(
			fake_dp_learn(t->dp, "br0", mac, 1, "port-with-a-long-name-000", 1), 0);
	}
	rq(t, "{\"v\":1,\"cmd\":\"fdb-show\",\"args\":{\"bridge\":\"br0\"}}");
	assert_fails(t, EMSGSIZE, "fdb-show: 1000 entries do not fit in one reply");
}

/* ---- the server over a real socket ---- */

struct srv {
	char dir[64];
	char path[128];
	struct dp *dp;
	struct ctl_server *s;
};

static int srv_setup(void **state)
{
	struct srv *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return -1;
	snprintf(v->dir, sizeof(v->dir), "/tmp/vsw-test-ctl-XXXXXX");
	if (mkdtemp(v->dir) == NULL)
		return -1;
	/* a directory that does not exist yet: the server creates it */
	snprintf(v->path, sizeof(v->path), "%s/run/vsw/dataplane.sock", v->dir);
	v->dp = fake_dp_new();
	v->s = ctl_server_create(v->path, v->dp);
	if (v->s == NULL) {
		fprintf(stderr, "ctl_server_create: %s\n", strerror(errno));
		return -1;
	}
	*state = v;
	return 0;
}

static int srv_teardown(void **state)
{
	struct srv *v = *state;
	char cmd[256];

	ctl_server_free(v->s);
	fake_dp_free(v->dp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", v->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", v->dir);
	free(v);
	return 0;
}

static void sun_fill(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(sa->sun_path));
	memcpy(sa->sun_path, path, strlen(path) + 1);
}

static int cli_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	sun_fill(&sa, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail_msg("connect %s: %s", path, strerror(errno));
	return fd;
}

static void pump(struct srv *v, int rounds)
{
	for (int i = 0; i < rounds; i++)
		assert_true(ctl_server_poll(v->s, 1) >= 0);
}

/* Send all of buf, serving the server meanwhile. */
static void cli_send(struct srv *v, int fd, const char *buf, size_t len)
{
	size_t off = 0;

	for (int i = 0; off < len && i < 10000; i++) {
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);

		if (n > 0)
			off += (size_t)n;
		else if (errno != EAGAIN)
			fail_msg("send: %s", strerror(errno));
		pump(v, 1);
	}
	assert_int_equal(off, len);
}

/* Read one line (without newline) into buf; returns its length, or -1 on EOF. */
static int cli_line(struct srv *v, int fd, char *buf, size_t size)
{
	size_t len = 0;

	for (int i = 0; i < 3000; i++) {
		ssize_t n = recv(fd, buf + len, 1, 0);

		if (n == 1) {
			if (buf[len] == '\n') {
				buf[len] = '\0';
				return (int)len;
			}
			if (++len == size)
				fail_msg("reply longer than %zu", size);
			continue;
		}
		if (n == 0)
			return -1;
		if (errno != EAGAIN)
			return -1; /* ECONNRESET counts as the end */
		pump(v, 1);
	}
	fail_msg("no reply within 3000 polls");
	return -1;
}

static int reply_status(const char *line)
{
	json_t *j = json_loads(line, 0, NULL);
	int st;

	if (j == NULL)
		fail_msg("reply is not JSON: %s", line);
	st = (int)json_integer_value(json_object_get(j, "status"));
	json_decref(j);
	return st;
}

static void test_server_socket_file(void **state)
{
	struct srv *v = *state;
	char dir[160];
	struct stat st;

	assert_int_equal(stat(v->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	snprintf(dir, sizeof(dir), "%s/run/vsw", v->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);

	/* a live dataplane keeps its socket */
	assert_null(ctl_server_create(v->path, v->dp));
	assert_int_equal(errno, EADDRINUSE);
	assert_int_equal(stat(v->path, &st), 0);
}

static void test_server_requests(void **state)
{
	struct srv *v = *state;
	const char reqs[] =
		"{\"v\":1,\"id\":1,\"cmd\":\"info\"}\n"
		"\n"
		"{\"v\":1,\"id\":2,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"br0\"}}\r\n"
		"{\"v\":1,\"id\":3,\"cmd\":\"bridge-list\"}\n";
	char line[4096];
	int fd = cli_connect(v->path);

	cli_send(v, fd, reqs, strlen(reqs));
	for (int id = 1; id <= 3; id++) {
		char want[32];

		assert_true(cli_line(v, fd, line, sizeof(line)) > 0);
		snprintf(want, sizeof(want), "{\"v\":1,\"id\":%d,\"status\":0,", id);
		if (strncmp(line, want, strlen(want)) != 0)
			fail_msg("reply %d: %s", id, line);
	}
	assert_non_null(strstr(line, "\"name\":\"br0\""));
	assert_int_equal(ctl_server_n_clients(v->s), 1);

	/* the client says it is done sending: it still gets its answer, then EOF */
	cli_send(v, fd, "{\"v\":1,\"id\":4,\"cmd\":\"info\"}\n{\"v\":1,\"id\":5,\"cmd\":\"in", 43);
	shutdown(fd, SHUT_WR);
	assert_true(cli_line(v, fd, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, "\"id\":4,\"status\":0"));
	assert_int_equal(cli_line(v, fd, line, sizeof(line)), -1);
	close(fd);
	pump(v, 2);
	assert_int_equal(ctl_server_n_clients(v->s), 0);
}

static void test_server_long_line(void **state)
{
	struct srv *v = *state;
	size_t size = VSW_PROTO_MAX_LINE + 5000;
	char *big = malloc(size), line[512];
	int fd = cli_connect(v->path), fd2;

	assert_non_null(big);
	/* exactly the limit, newline included, is fine */
	memset(big, ' ', VSW_PROTO_MAX_LINE);
	memcpy(big, "{\"v\":1,\"id\":8,\"cmd\":\"info\"}", 27);
	big[VSW_PROTO_MAX_LINE - 1] = '\n';
	cli_send(v, fd, big, VSW_PROTO_MAX_LINE);
	assert_true(cli_line(v, fd, line, sizeof(line)) > 0);
	assert_int_equal(reply_status(line), 0);

	/* one byte more is not */
	memset(big, 'x', size);
	fd2 = cli_connect(v->path);
	for (size_t off = 0; off < size;) {
		ssize_t n = send(fd2, big + off, size - off, MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
		} else if (errno == EAGAIN) {
			pump(v, 1);
		} else {
			break; /* the server closed on us mid-send: expected */
		}
	}
	assert_true(cli_line(v, fd2, line, sizeof(line)) > 0);
	assert_int_equal(reply_status(line), EMSGSIZE);
	assert_non_null(strstr(line, "longer than 65536 bytes"));
	assert_int_equal(cli_line(v, fd2, line, sizeof(line)), -1);
	close(fd2);
	free(big);

	/* the first client is unaffected */
	cli_send(v, fd, "{\"v\":1,\"id\":9,\"cmd\":\"info\"}\n", 28);
	assert_true(cli_line(v, fd, line, sizeof(line)) > 0);
	assert_int_equal(reply_status(line), 0);
	close(fd);
}

static void test_server_too_many_clients(void **state)
{
	struct srv *v = *state;
	int fds[VSW_PROTO_MAX_CLIENTS], extra;
	char line[512];

	for (int i = 0; i < VSW_PROTO_MAX_CLIENTS; i++) {
		fds[i] = cli_connect(v->path);
		pump(v, 1);
	}
	pump(v, 2);
	assert_int_equal(ctl_server_n_clients(v->s), VSW_PROTO_MAX_CLIENTS);
	extra = cli_connect(v->path);
	assert_true(cli_line(v, extra, line, sizeof(line)) > 0);
	assert_int_equal(reply_status(line), EBUSY);
	assert_int_equal(cli_line(v, extra, line, sizeof(line)), -1);
	close(extra);
	assert_int_equal(ctl_server_n_clients(v->s), VSW_PROTO_MAX_CLIENTS);

	/* the sixteen still work; one leaving makes room */
	cli_send(v, fds[15], "{\"v\":1,\"cmd\":\"info\"}\n", 21);
	assert_true(cli_line(v, fds[15], line, sizeof(line)) > 0);
	assert_int_equal(reply_status(line), 0);
	close(fds[0]);
	pump(v, 2);
	assert_int_equal(ctl_server_n_clients(v->s), VSW_PROTO_MAX_CLIENTS - 1);
	fds[0] = cli_connect(v->path);
	cli_send(v, fds[0], "{\"v\":1,\"cmd\":\"info\"}\n", 21);
	assert_true(cli_line(v, fds[0], line, sizeof(line)) > 0);
	assert_int_equal(reply_status(line), 0);
	for (int i = 0; i < VSW_PROTO_MAX_CLIENTS; i++)
		close(fds[i]);
	pump(v, 2);
	assert_int_equal(ctl_server_n_clients(v->s), 0);
}

static void test_server_half_request(void **state)
{
	struct srv *v = *state;
	char line[512];
	int fd = cli_connect(v->path);

	cli_send(v, fd, "{\"v\":1,\"cmd\":\"bridge-a", 22);
	pump(v, 2);
	assert_int_equal(ctl_server_n_clients(v->s), 1);
	close(fd);
	pump(v, 2);
	assert_int_equal(ctl_server_n_clients(v->s), 0);
	assert_int_equal(v->dp->n_calls, 0);

	/* a client that sends and leaves without reading: its request still runs */
	fd = cli_connect(v->path);
	cli_send(v, fd, "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"gone\"}}\n", 50);
	close(fd);
	pump(v, 3);
	assert_int_equal(ctl_server_n_clients(v->s), 0);
	assert_string_equal(v->dp->last_call, "bridge_add");
	assert_string_equal(v->dp->last_name, "gone");

	fd = cli_connect(v->path);
	cli_send(v, fd, "{\"v\":1,\"cmd\":\"bridge-list\"}\n", 28);
	assert_true(cli_line(v, fd, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, "\"gone\""));
	close(fd);
}

/* A client that pipelines requests without reading replies is paused, not served into
 * our memory without bound. */
static void test_server_backpressure(void **state)
{
	struct srv *v = *state;
	const char req[] = "{\"v\":1,\"cmd\":\"drop-reasons\"}\n";
	size_t sent = 0, got = 0;
	char *buf = malloc(1 << 16);
	int fd = cli_connect(v->path);
	ssize_t n;

	assert_non_null(buf);
	/* keep sending until the kernel pushes back: the server stopped reading */
	for (int i = 0; i < 20000; i++) {
		n = send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL);
		if (n < 0) {
			assert_int_equal(errno, EAGAIN);
			pump(v, 1);
			n = send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL);
			if (n < 0)
				break;
		}
		assert_int_equal(n, sizeof(req) - 1);
		sent++;
		if (i % 64 == 0)
			pump(v, 1);
	}
	assert_true(sent < 20000);
	/* now read everything: every request gets its reply */
	for (int i = 0; i < 100000 && got < sent; i++) {
		n = recv(fd, buf, 1 << 16, 0);
		if (n > 0) {
			for (ssize_t k = 0; k < n; k++)
				got += buf[k] == '\n';
		} else {
			pump(v, 1);
		}
	}
	assert_int_equal(got, sent);
	free(buf);
	close(fd);
}

static void test_server_stale_socket(void **state)
{
	struct srv *v = *state;
	struct sockaddr_un sa;
	struct ctl_server *s2;
	char path[160], line[512];
	int fd;

	/* a socket file nobody listens on, as a killed dataplane leaves */
	snprintf(path, sizeof(path), "%s/stale.sock", v->dir);
	sun_fill(&sa, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	s2 = ctl_server_create(path, v->dp);
	assert_non_null(s2);
	fd = cli_connect(path);
	assert_true(send(fd, "{\"v\":1,\"cmd\":\"info\"}\n", 21, 0) == 21);
	for (int i = 0; i < 100; i++) {
		ctl_server_poll(s2, 1);
		if (recv(fd, line, sizeof(line), MSG_PEEK) > 0)
			break;
	}
	assert_true(recv(fd, line, sizeof(line), 0) > 0);
	close(fd);
	ctl_server_free(s2);
	assert_int_equal(access(path, F_OK), -1); /* removed on exit */

	/* not a socket: left alone */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_null(ctl_server_create(path, v->dp));
	assert_int_equal(errno, ENOTSOCK);
	assert_int_equal(access(path, F_OK), 0);

	memset(path, 'x', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_null(ctl_server_create(path, v->dp));
	assert_int_equal(errno, ENAMETOOLONG);
}

/* A peer that is neither root nor in the socket's group may read but not write. */
static void test_server_peer_credentials(void **state)
{
	struct srv *v = *state;
	int pfd[2], wstatus = 0;
	char got[64] = "";
	pid_t pid;

	if (geteuid() != 0) {
		skip(); /* needs to become another user */
		return;
	}
	/* let the stranger in at all: mkdtemp made the directory 0700 */
	assert_int_equal(chmod(v->dir, 0755), 0);
	assert_int_equal(chmod(v->path, 0666), 0);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char line[512], out[64];
		int fd, a, b;

		close(pfd[0]);
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un sa;
		sun_fill(&sa, v->path);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(3);
		const char reqs[] = "{\"v\":1,\"cmd\":\"bridge-add\",\"args\":{\"name\":\"x\"}}\n"
				    "{\"v\":1,\"cmd\":\"info\"}\n";
		if (write(fd, reqs, sizeof(reqs) - 1) != (ssize_t)sizeof(reqs) - 1)
			_exit(4);
		FILE *f = fdopen(fd, "r");
		if (f == NULL || fgets(line, sizeof(line), f) == NULL)
			_exit(5);
		a = reply_status(line);
		if (fgets(line, sizeof(line), f) == NULL)
			_exit(6);
		b = reply_status(line);
		snprintf(out, sizeof(out), "%d %d", a, b);
		if (write(pfd[1], out, strlen(out)) < 0)
			_exit(7);
		_exit(0);
	}
	close(pfd[1]);
	for (int i = 0; i < 3000; i++) {
		pump(v, 1);
		if (waitpid(pid, &wstatus, WNOHANG) == pid)
			break;
	}
	assert_true(WIFEXITED(wstatus));
	assert_int_equal(WEXITSTATUS(wstatus), 0);
	assert_true(read(pfd[0], got, sizeof(got) - 1) > 0);
	close(pfd[0]);
	assert_string_equal(got, "1 0"); /* EPERM, then info is fine */
	assert_int_equal(v->dp->n_calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_envelope_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_id_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_terminated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge_add_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arg_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_arg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge_del_set_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_add_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_set_del_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_attach_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fdb_add_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fdb_show_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fdb_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vtep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dp_failure_passthrough, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_socket_file, srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_requests, srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_long_line, srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_too_many_clients, srv_setup,
						srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_half_request, srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_backpressure, srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_stale_socket, srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_peer_credentials, srv_setup,
						srv_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
