/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control protocol requests to dp_ctl.h calls (docs/protocol.md). Every request is
 * checked in full before anything is called: its envelope (v, id, cmd, args), then each
 * argument against its command's table of keys, types and ranges, so a misspelled key
 * or a value out of range is refused with a sentence naming it, and a refused request
 * changes nothing. The dp_* functions do the semantic checks (does the bridge exist)
 * and write their own messages, which are passed through behind the command's name.
 * This file parses untrusted bytes: tests/fuzz/fuzz_ctl_request.c feeds it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

#include "capture_ctl.h"
#include "ctl_handlers.h"
#include "dp_ctl.h"
#include "drop.h"
#include "vsw_proto.h"
#include "vsw_util.h"
#include "overlay/nd.h"
#include "overlay/vtep_ctl.h"

#define ERR_SIZE 512
/* Shortest JSON of one fdb-show entry: refuse a dump that cannot fit before building it. */
#define FDB_ENTRY_JSON_MIN 70
/* Guards the iteration over a dataplane's slots against a dp_*_info_at that never ends. */
#define INFO_ITER_MAX 65536

enum arg_type {
	ARG_NAME,   /* string, vsw_name_valid */
	ARG_STRING, /* string */
	ARG_UINT,   /* integer in min..max */
	ARG_BOOL,
	ARG_MAC, /* string, vsw_mac_parse */
	ARG_OBJECT,
	ARG_TRUNK, /* array of VLAN ids and "lo-hi" strings, or one string "10,20-30" */
	ARG_ARRAY, /* array; its elements are checked by the handler */
	ARG_IPV4,  /* string, dotted IPv4 address */
	ARG_IP,	   /* string, an IPv4 or IPv6 address (overlay/vtep_ctl.h, vtep_ip_parse) */
};

struct arg_spec {
	const char *key;
	enum arg_type type;
	bool required;
	int64_t min, max; /* ARG_UINT */
};

struct req;

struct ctl_cmd {
	const char *name;
	int (*fn)(struct req *r);
	bool mutating;
	const struct arg_spec *args; /* ends with a NULL key */
};

struct req {
	struct dp *dp;
	const struct ctl_cmd *cmd;
	json_t *args;	       /* borrowed, validated against cmd->args */
	json_t *result;	       /* owned; set by a handler that succeeds */
	bool oom;	       /* some json_* allocation failed while building the result */
	struct ctl_conn *conn; /* the connection's context, or NULL */
	char err[ERR_SIZE];
};

/* ---- messages ---- */

/* A user string made safe to quote in a message: printable ASCII only, at most 40
 * characters. The reply must stay valid UTF-8 and short whatever the request held. */
static const char *quote(char *buf, size_t size, const char *s)
{
	size_t i, n = 0;

	for (i = 0; s[i] != '\0' && n + 4 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == 40) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		buf[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	buf[n] = '\0';
	return buf;
}
#define Q(s) quote((char[64]){0}, 64, (s))

static int fail(struct req *r, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct req *r, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(r->err, sizeof(r->err), "%s: ", r->cmd != NULL ? r->cmd->name : "request");
	if (n < 0 || (size_t)n >= sizeof(r->err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -errnum;
}

/* A dp_* call failed with rc and wrote its own sentence into msg: put the command's name
 * in front unless the dataplane already did. */
static int dp_fail(struct req *r, int rc, const char *msg)
{
	size_t n = strlen(r->cmd->name);

	if (rc >= 0)
		rc = -EIO; /* a dp_* call that fails must say why; never report success */
	if (msg[0] == '\0')
		return fail(r, -rc, "%s", strerror(-rc));
	if (strncmp(msg, r->cmd->name, n) == 0 && (msg[n] == ':' || msg[n] == ' ')) {
		/* the dataplane's sentence already starts with the command: keep it whole */
		snprintf(r->err, sizeof(r->err), "%s", msg);
		return rc;
	}
	return fail(r, -rc, "%s", msg);
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

/* ---- building results ---- */

static void jset(struct req *r, json_t *obj, const char *key, json_t *v)
{
	/* json_object_set_new frees v on failure and fails on a NULL obj or v */
	if (json_object_set_new(obj, key, v) < 0)
		r->oom = true;
}

static void jappend(struct req *r, json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, v) < 0)
		r->oom = true;
}

static json_t *jint(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* ---- arguments ---- */

static const char *arg_str(const struct req *r, const char *key)
{
	return json_string_value(json_object_get(r->args, key));
}

static bool arg_u32(const struct req *r, const char *key, uint32_t *v)
{
	json_t *j = json_object_get(r->args, key);

	if (j == NULL)
		return false;
	*v = (uint32_t)json_integer_value(j);
	return true;
}

static bool arg_bool(const struct req *r, const char *key, bool def)
{
	json_t *j = json_object_get(r->args, key);

	return j == NULL ? def : json_is_true(j);
}

static void expect_list(const struct arg_spec *spec, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (spec == NULL || spec[0].key == NULL) {
		snprintf(buf, size, "no arguments");
		return;
	}
	for (const struct arg_spec *a = spec; a->key != NULL && n < size; a++) {
		int w = snprintf(buf + n, size - n, "%s%s", a == spec ? "" : ", ", a->key);

		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static int arg_check_one(struct req *r, const struct arg_spec *a, json_t *v)
{
	const char *k = a->key;
	uint8_t mac[6];

	switch (a->type) {
	case ARG_NAME:
		if (!json_is_string(v))
			return fail(r, EINVAL, "%s is %s (expected a name)", k, json_kind(v));
		if (!vsw_name_valid(json_string_value(v)))
			return fail(r, EINVAL,
				    "%s \"%s\" is not a valid name (expected 1 to 31 characters of "
				    "A-Z a-z 0-9 _ . -)",
				    k, Q(json_string_value(v)));
		return 0;
	case ARG_STRING:
		if (!json_is_string(v))
			return fail(r, EINVAL, "%s is %s (expected a string)", k, json_kind(v));
		return 0;
	case ARG_UINT:
		if (!json_is_integer(v))
			return fail(r, EINVAL,
				    "%s is %s (expected an integer %" PRId64 "..%" PRId64 ")", k,
				    json_kind(v), a->min, a->max);
		if (json_integer_value(v) < a->min || json_integer_value(v) > a->max)
			return fail(r, EINVAL,
				    "%s %" JSON_INTEGER_FORMAT " out of range (expected %" PRId64
				    "..%" PRId64 ")",
				    k, json_integer_value(v), a->min, a->max);
		return 0;
	case ARG_BOOL:
		if (!json_is_boolean(v))
			return fail(r, EINVAL, "%s is %s (expected true or false)", k,
				    json_kind(v));
		return 0;
	case ARG_MAC:
		if (!json_is_string(v))
			return fail(r, EINVAL, "%s is %s (expected a MAC address string)", k,
				    json_kind(v));
		if (vsw_mac_parse(json_string_value(v), mac) < 0)
			return fail(r, EINVAL,
				    "%s \"%s\" is not a MAC address (expected xx:xx:xx:xx:xx:xx)",
				    k, Q(json_string_value(v)));
		return 0;
	case ARG_OBJECT:
		if (!json_is_object(v))
			return fail(r, EINVAL, "%s is %s (expected an object)", k, json_kind(v));
		return 0;
	case ARG_ARRAY:
		if (!json_is_array(v))
			return fail(r, EINVAL, "%s is %s (expected an array)", k, json_kind(v));
		return 0;
	case ARG_IP: {
		struct vtep_ip a;

		if (!json_is_string(v) || vtep_ip_parse(json_string_value(v), &a) < 0)
			return fail(r, EINVAL,
				    "%s is %s (expected an IPv4 or IPv6 address such as %s or %s)",
				    k,
				    json_is_string(v) ? "not an IPv4 address nor an IPv6 one"
						      : json_kind(v),
				    "198.18.0.1", "2001:2::1");
		return 0;
	}
	case ARG_IPV4: {
		struct in_addr a;

		if (!json_is_string(v) || inet_pton(AF_INET, json_string_value(v), &a) != 1)
			return fail(r, EINVAL, "%s is %s (expected an IPv4 address such as %s)", k,
				    json_is_string(v) ? "not an IPv4 address" : json_kind(v),
				    "198.18.0.1");
		return 0;
	}
	case ARG_TRUNK:
		/* the elements are checked when the list is parsed, before any call */
		if (!json_is_array(v) && !json_is_string(v))
			return fail(r, EINVAL,
				    "%s is %s (expected an array of VLAN ids and \"lo-hi\" ranges)",
				    k, json_kind(v));
		return 0;
	}
	return fail(r, EINVAL, "%s has no checker", k);
}

static int args_check(struct req *r)
{
	const struct arg_spec *spec = r->cmd->args;
	const char *key;
	json_t *v;
	char expect[256];

	json_object_foreach(r->args, key, v) {
		const struct arg_spec *a = spec;
		int rc;

		while (a != NULL && a->key != NULL && strcmp(a->key, key) != 0)
			a++;
		if (a == NULL || a->key == NULL) {
			expect_list(spec, expect, sizeof(expect));
			return fail(r, EINVAL, "unknown argument \"%s\" (expected %s)", Q(key),
				    expect);
		}
		rc = arg_check_one(r, a, v);
		if (rc < 0)
			return rc;
	}
	for (const struct arg_spec *a = spec; a != NULL && a->key != NULL; a++) {
		if (a->required && json_object_get(r->args, a->key) == NULL)
			return fail(r, EINVAL, "missing argument %s (required)", a->key);
	}
	return 0;
}

/* trunk: [10, "20-30", 40] or "10,20-30,40" into a bitmap */
static int trunk_parse(struct req *r, json_t *v, uint8_t bitmap[512])
{
	char why[128];
	uint8_t one[512];
	size_t i;
	json_t *e;

	memset(bitmap, 0, 512);
	if (json_is_string(v)) {
		if (vsw_vlan_list_parse(json_string_value(v), bitmap, why, sizeof(why)) < 0)
			return fail(r, EINVAL, "trunk: %s", why);
		return 0;
	}
	json_array_foreach(v, i, e) {
		if (json_is_integer(e)) {
			json_int_t vid = json_integer_value(e);

			if (vid < 1 || vid > VSW_VLAN_MAX)
				return fail(r, EINVAL,
					    "trunk[%zu] VLAN %" JSON_INTEGER_FORMAT
					    " out of range (expected 1..4094)",
					    i, vid);
			vsw_vlan_bit_set(bitmap, (unsigned int)vid);
		} else if (json_is_string(e)) {
			if (vsw_vlan_list_parse(json_string_value(e), one, why, sizeof(why)) < 0)
				return fail(r, EINVAL, "trunk[%zu]: %s", i, why);
			for (size_t b = 0; b < sizeof(one); b++)
				bitmap[b] |= one[b];
		} else {
			return fail(r, EINVAL,
				    "trunk[%zu] is %s (expected a VLAN id or a \"lo-hi\" string)",
				    i, json_kind(e));
		}
	}
	return 0;
}

/* The inverse, for port-list: single VLANs as integers, runs as "lo-hi" strings, so a
 * port-list entry can be fed back to port-attach. */
static json_t *trunk_json(struct req *r, const uint8_t bitmap[512])
{
	json_t *arr = json_array();
	unsigned int v = 1;

	while (v <= VSW_VLAN_MAX) {
		unsigned int lo;
		char s[16];

		if (!vsw_vlan_bit(bitmap, v)) {
			v++;
			continue;
		}
		lo = v;
		while (v + 1 <= VSW_VLAN_MAX && vsw_vlan_bit(bitmap, v + 1))
			v++;
		if (lo == v) {
			jappend(r, arr, json_integer(lo));
		} else {
			snprintf(s, sizeof(s), "%u-%u", lo, v);
			jappend(r, arr, json_string(s));
		}
		v++;
	}
	return arr;
}

/* ---- port options: per type, the keys port-add accepts and what JSON type each takes.
 * Values travel to dp_port_add as strings (DPDK devargs): booleans as "1"/"0". ---- */

enum opt_type { OPT_PATH, OPT_IFACE, OPT_BOOL, OPT_UINT, OPT_MODE };

struct port_opt_spec {
	enum dp_port_type type;
	const char *key;
	enum opt_type otype;
	bool required;
	uint32_t min, max; /* OPT_UINT */
};

static const struct port_opt_spec port_opts[] = {
	{DP_PORT_PCAP, "rx_pcap", OPT_PATH, false, 0, 0},
	{DP_PORT_PCAP, "tx_pcap", OPT_PATH, false, 0, 0},
	{DP_PORT_PCAP, "rx_iface", OPT_IFACE, false, 0, 0},
	{DP_PORT_PCAP, "rx_iface_in", OPT_IFACE, false, 0, 0},
	{DP_PORT_PCAP, "tx_iface", OPT_IFACE, false, 0, 0},
	{DP_PORT_PCAP, "infinite_rx", OPT_BOOL, false, 0, 0},
	{DP_PORT_NULL, "rx", OPT_BOOL, false, 0, 0},
	{DP_PORT_NULL, "size", OPT_UINT, false, 14, 9216},
	{DP_PORT_NULL, "queues", OPT_UINT, false, 1, 16},
	{DP_PORT_AF_PACKET, "iface", OPT_IFACE, true, 0, 0},
	{DP_PORT_AF_PACKET, "qpairs", OPT_UINT, false, 1, 16},
	{DP_PORT_TAP, "iface", OPT_IFACE, false, 0, 0},
	{DP_PORT_TAP, "queues", OPT_UINT, false, 1, 16},
	{DP_PORT_VHOST_USER, "socket", OPT_PATH, true, 0, 0},
	{DP_PORT_VHOST_USER, "mode", OPT_MODE, false, 0, 0},
	{DP_PORT_VHOST_USER, "queues", OPT_UINT, false, 1, 16},
	/* plain strings (a name or a number; an octal mode): dp_port_add checks them */
	{DP_PORT_VHOST_USER, "owner", OPT_PATH, false, 0, 0},
	{DP_PORT_VHOST_USER, "group", OPT_PATH, false, 0, 0},
	{DP_PORT_VHOST_USER, "perm", OPT_PATH, false, 0, 0},
};
#define N_PORT_OPTS (sizeof(port_opts) / sizeof(port_opts[0]))

#define IFNAME_MAX 15 /* IFNAMSIZ - 1 */

static const struct port_opt_spec *port_opt_find(enum dp_port_type type, const char *key)
{
	for (size_t i = 0; i < N_PORT_OPTS; i++) {
		if (port_opts[i].type == type && strcmp(port_opts[i].key, key) == 0)
			return &port_opts[i];
	}
	return NULL;
}

static const char *port_type_name(enum dp_port_type t)
{
	if ((unsigned int)t < DP_PORT_TYPE_MAX && dp_port_type_names[t] != NULL)
		return dp_port_type_names[t];
	return "unknown";
}

static int port_opt_string(struct req *r, const struct port_opt_spec *o, const char *s)
{
	size_t len = strlen(s);

	if (len == 0)
		return fail(r, EINVAL, "options.%s is empty (expected a value)", o->key);
	if (o->otype == OPT_IFACE && len > IFNAME_MAX)
		return fail(r, EINVAL,
			    "options.%s \"%s\" is too long (expected at most %d characters)",
			    o->key, Q(s), IFNAME_MAX);
	if (len >= DP_PORT_OPT_VAL_MAX)
		return fail(r, EINVAL, "options.%s is %zu bytes long (expected at most %d)", o->key,
			    len, DP_PORT_OPT_VAL_MAX - 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* ',' and '=' would split the DPDK device argument string this ends up in */
		if (c < 0x20 || c == 0x7f || c == ',' || c == '=')
			return fail(r, EINVAL,
				    "options.%s \"%s\" holds a ',', '=' or control character "
				    "(expected a plain value)",
				    o->key, Q(s));
		if (o->otype == OPT_IFACE && (c == '/' || c == ' '))
			return fail(r, EINVAL,
				    "options.%s \"%s\" is not an interface name (expected no '/' "
				    "or space)",
				    o->key, Q(s));
	}
	return 0;
}

static int port_opts_parse(struct req *r, enum dp_port_type type, json_t *opts,
			   struct dp_port_params *p)
{
	const char *key;
	json_t *v;

	p->n_opts = 0;
	json_object_foreach(opts, key, v) {
		const struct port_opt_spec *o = port_opt_find(type, key);
		struct dp_port_opt *out;
		char expect[160] = "";
		size_t n = 0;
		int rc;

		if (o == NULL) {
			for (size_t i = 0; i < N_PORT_OPTS && n < sizeof(expect); i++) {
				if (port_opts[i].type != type)
					continue;
				rc = snprintf(expect + n, sizeof(expect) - n, "%s%s", n ? ", " : "",
					      port_opts[i].key);
				n += rc > 0 ? (size_t)rc : 0;
			}
			return fail(r, EINVAL, "unknown option \"%s\" for type %s (expected %s)",
				    Q(key), port_type_name(type), n ? expect : "no options");
		}
		/* one slot per known key, and no type has more keys than slots */
		if (p->n_opts >= DP_PORT_OPT_MAX)
			return fail(r, EINVAL, "too many options (expected at most %d)",
				    DP_PORT_OPT_MAX);
		out = &p->opts[p->n_opts];
		snprintf(out->key, sizeof(out->key), "%s", o->key);
		switch (o->otype) {
		case OPT_PATH:
		case OPT_IFACE:
			if (!json_is_string(v))
				return fail(r, EINVAL, "options.%s is %s (expected a string)", key,
					    json_kind(v));
			rc = port_opt_string(r, o, json_string_value(v));
			if (rc < 0)
				return rc;
			snprintf(out->val, sizeof(out->val), "%s", json_string_value(v));
			break;
		case OPT_MODE:
			if (!json_is_string(v))
				return fail(r, EINVAL,
					    "options.%s is %s (expected server or client)", key,
					    json_kind(v));
			if (strcmp(json_string_value(v), "server") != 0 &&
			    strcmp(json_string_value(v), "client") != 0)
				return fail(
					r, EINVAL,
					"options.%s \"%s\" is not a mode (expected server or client)",
					key, Q(json_string_value(v)));
			snprintf(out->val, sizeof(out->val), "%s", json_string_value(v));
			break;
		case OPT_BOOL:
			if (!json_is_boolean(v))
				return fail(r, EINVAL, "options.%s is %s (expected true or false)",
					    key, json_kind(v));
			snprintf(out->val, sizeof(out->val), "%d", json_is_true(v) ? 1 : 0);
			break;
		case OPT_UINT:
			if (!json_is_integer(v))
				return fail(r, EINVAL,
					    "options.%s is %s (expected an integer %u..%u)", key,
					    json_kind(v), o->min, o->max);
			if (json_integer_value(v) < o->min || json_integer_value(v) > o->max)
				return fail(r, EINVAL,
					    "options.%s %" JSON_INTEGER_FORMAT
					    " out of range (expected %u..%u)",
					    key, json_integer_value(v), o->min, o->max);
			snprintf(out->val, sizeof(out->val), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(v));
			break;
		}
		p->n_opts++;
	}
	for (size_t i = 0; i < N_PORT_OPTS; i++) {
		if (port_opts[i].type == type && port_opts[i].required &&
		    json_object_get(opts, port_opts[i].key) == NULL)
			return fail(r, EINVAL, "missing options.%s (required for type %s)",
				    port_opts[i].key, port_type_name(type));
	}
	return 0;
}

/* The inverse for port-list: back to JSON types where the key is known. */
static json_t *port_opts_json(struct req *r, const struct dp_port_params *p)
{
	json_t *obj = json_object();
	unsigned int n = p->n_opts < DP_PORT_OPT_MAX ? p->n_opts : DP_PORT_OPT_MAX;

	for (unsigned int i = 0; i < n; i++) {
		const struct dp_port_opt *o = &p->opts[i];
		char key[sizeof(o->key) + 1], val[sizeof(o->val) + 1];
		const struct port_opt_spec *s;
		json_t *v;

		/* the dataplane's strings are trusted but not necessarily terminated */
		snprintf(key, sizeof(key), "%.*s", (int)sizeof(o->key), o->key);
		snprintf(val, sizeof(val), "%.*s", (int)sizeof(o->val), o->val);
		s = port_opt_find(p->type, key);
		if (s != NULL && s->otype == OPT_BOOL)
			v = json_boolean(strcmp(val, "0") != 0 && strcmp(val, "false") != 0);
		else if (s != NULL && s->otype == OPT_UINT)
			v = json_integer(strtoll(val, NULL, 10));
		else
			v = json_string(val);
		if (v == NULL) /* not UTF-8 */
			v = json_string(Q(val));
		jset(r, obj, key, v);
	}
	return obj;
}

/* ---- handlers ---- */

static int h_info(struct req *r)
{
	struct dp_info in;
	json_t *res, *workers;

	memset(&in, 0, sizeof(in));
	dp_info_get(r->dp, &in);
	res = json_object();
	jset(r, res, "version", json_string(in.version != NULL ? in.version : ""));
	jset(r, res, "protocol", json_integer(VSW_PROTO_VERSION));
	jset(r, res, "uptime_s", jint(in.uptime_s));
	jset(r, res, "hugepages", json_boolean(in.hugepages));
	workers = json_array();
	for (unsigned int w = 0; w < in.n_workers && w < 8; w++) {
		const struct dp_worker_info *wi = &in.workers[w];
		json_t *wo = json_object(), *ports = json_array();

		jset(r, wo, "lcore", json_integer(wi->lcore));
		jset(r, wo, "cpu", json_integer(wi->cpu));
		for (unsigned int i = 0; i < wi->n_ports && i < VSW_MAX_PORTS; i++) {
			const char *name = dp_port_name(r->dp, wi->ports[i]);

			if (name != NULL)
				jappend(r, ports, json_string(name));
		}
		jset(r, wo, "ports", ports);
		/* json_real refuses NaN and infinities */
		jset(r, wo, "busy_pct", json_real(isfinite(wi->busy_pct) ? wi->busy_pct : 0.0));
		jappend(r, workers, wo);
	}
	jset(r, res, "workers", workers);
	jset(r, res, "control_lcore", json_integer(in.control_lcore));
	jset(r, res, "idle_sleep_max_us", json_integer(in.idle_sleep_max_us));
	jset(r, res, "bridges", json_integer(in.n_bridges));
	jset(r, res, "ports", json_integer(in.n_ports));
	jset(r, res, "captures", json_integer(dp_capture_running(r->dp)));
	r->result = res;
	return 0;
}

static unsigned int bridge_params_args(const struct req *r, struct dp_bridge_params *p)
{
	unsigned int mask = 0;

	if (arg_u32(r, "mac_aging_s", &p->mac_aging_s))
		mask |= DP_BRIDGE_SET_AGING;
	if (arg_u32(r, "max_macs", &p->max_macs))
		mask |= DP_BRIDGE_SET_MAX_MACS;
	if (arg_u32(r, "move_damp", &p->move_damp))
		mask |= DP_BRIDGE_SET_MOVE_DAMP;
	if (arg_u32(r, "move_damp_s", &p->move_damp_s))
		mask |= DP_BRIDGE_SET_MOVE_DAMP_S;
	return mask;
}

/* The overlay settings of bridge-add and bridge-set (overlay/vtep_ctl.h). */
static int bridge_overlay_args(struct req *r, bool *any)
{
	char err[ERR_SIZE] = "";
	uint32_t vni = 0, cap = 0;
	bool set_vni = arg_u32(r, "vni", &vni), set_cap = arg_u32(r, "remote_max_macs", &cap);
	int rc;

	*any = set_vni || set_cap;
	if (!*any)
		return 0;
	rc = vtep_bridge_set(r->dp, arg_str(r, "name"), set_vni, vni, set_cap, cap, err,
			     sizeof(err));
	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static int h_bridge_add(struct req *r)
{
	struct dp_bridge_params p;
	char err[ERR_SIZE] = "";
	bool any;
	int rc;

	dp_bridge_params_default(&p);
	bridge_params_args(r, &p);
	rc = dp_bridge_add(r->dp, arg_str(r, "name"), &p, err, sizeof(err));
	if (rc < 0)
		return dp_fail(r, rc, err);
	rc = bridge_overlay_args(r, &any);
	if (rc < 0)
		dp_bridge_del(r->dp, arg_str(r, "name"), err, sizeof(err)); /* all or nothing */
	return rc;
}

static int h_bridge_del(struct req *r)
{
	char err[ERR_SIZE] = "";
	int rc = dp_bridge_del(r->dp, arg_str(r, "name"), err, sizeof(err));

	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static int h_bridge_set(struct req *r)
{
	struct dp_bridge_params p;
	char err[ERR_SIZE] = "";
	unsigned int mask;
	int rc;

	uint32_t old_vni = 0, old_cap = 0;
	bool any;

	memset(&p, 0, sizeof(p));
	mask = bridge_params_args(r, &p);
	if (mask == 0 && json_object_get(r->args, "vni") == NULL &&
	    json_object_get(r->args, "remote_max_macs") == NULL)
		return fail(r, EINVAL,
			    "nothing to change (expected mac_aging_s, max_macs, move_damp, "
			    "move_damp_s, vni or remote_max_macs)");
	vtep_bridge_get(r->dp, arg_str(r, "name"), &old_vni, &old_cap);
	rc = bridge_overlay_args(r, &any);
	if (rc < 0 || mask == 0)
		return rc;
	rc = dp_bridge_set(r->dp, arg_str(r, "name"), &p, mask, err, sizeof(err));
	if (rc < 0) {
		char err2[ERR_SIZE];

		if (any) /* all or nothing: the overlay settings go back */
			vtep_bridge_set(r->dp, arg_str(r, "name"), true, old_vni, true, old_cap,
					err2, sizeof(err2));
		return dp_fail(r, rc, err);
	}
	return 0;
}

static json_t *bridge_json(struct req *r, const struct dp_bridge_info *b)
{
	json_t *o = json_object(), *ports = json_array(), *cnt = json_object();

	jset(r, o, "name", json_string(Q(b->name)));
	jset(r, o, "mac_aging_s", json_integer(b->params.mac_aging_s));
	jset(r, o, "max_macs", json_integer(b->params.max_macs));
	jset(r, o, "move_damp", json_integer(b->params.move_damp));
	jset(r, o, "move_damp_s", json_integer(b->params.move_damp_s));
	for (uint32_t i = 0; i < b->n_ports && i < VSW_MAX_PORTS; i++) {
		const char *name = dp_port_name(r->dp, b->ports[i]);

		if (name != NULL)
			jappend(r, ports, json_string(name));
	}
	jset(r, o, "ports", ports);
	jset(r, o, "macs_learned", json_integer(b->macs_learned));
	jset(r, o, "macs_static", json_integer(b->macs_static));
	jset(r, cnt, "learned", jint(b->learned));
	jset(r, cnt, "aged", jint(b->aged));
	jset(r, cnt, "moves", jint(b->moves));
	jset(r, cnt, "move_damped", jint(b->move_damped));
	jset(r, cnt, "limit_hit", jint(b->limit_hit));
	jset(r, cnt, "learn_lost", jint(b->learn_lost));
	{
		uint32_t vni = 0, cap = 0;

		vtep_bridge_get(r->dp, b->name, &vni, &cap);
		jset(r, o, "vni", json_integer(vni));
		jset(r, o, "remote_max_macs", json_integer(cap));
	}
	jset(r, o, "counters", cnt);
	return o;
}

/* bridge-list and port-list: one named object, or every slot in index order. */
struct list_kind {
	const char *what; /* "bridge" or "port", for messages */
	size_t size;	  /* of the info struct */
	int (*by_name)(struct dp *dp, const char *name, void *info);
	int (*at)(struct dp *dp, unsigned int idx, void *info);
	json_t *(*to_json)(struct req *r, const void *info);
};

static int list_objects(struct req *r, const struct list_kind *k, void *info)
{
	const char *name = arg_str(r, "name");
	json_t *arr;
	int rc;

	if (name != NULL) {
		memset(info, 0, k->size);
		rc = k->by_name(r->dp, name, info);
		if (rc < 0)
			return fail(r, -rc, "%s \"%s\": %s", k->what, name, strerror(-rc));
		arr = json_array();
		jappend(r, arr, k->to_json(r, info));
		r->result = arr;
		return 0;
	}
	arr = json_array();
	r->result = arr;
	for (unsigned int idx = 0; idx < INFO_ITER_MAX; idx++) {
		memset(info, 0, k->size);
		rc = k->at(r->dp, idx, info);
		if (rc == -ENOENT)
			break;
		if (rc == -EAGAIN)
			continue;
		if (rc < 0)
			return fail(r, -rc, "%s slot %u: %s", k->what, idx, strerror(-rc));
		jappend(r, arr, k->to_json(r, info));
	}
	return 0;
}

static int bridge_by_name(struct dp *dp, const char *name, void *info)
{
	return dp_bridge_info_by_name(dp, name, info);
}

static int bridge_at(struct dp *dp, unsigned int idx, void *info)
{
	return dp_bridge_info_at(dp, idx, info);
}

static json_t *bridge_json_any(struct req *r, const void *info)
{
	return bridge_json(r, info);
}

static int h_bridge_list(struct req *r)
{
	static const struct list_kind k = {"bridge", sizeof(struct dp_bridge_info), bridge_by_name,
					   bridge_at, bridge_json_any};
	struct dp_bridge_info b;

	return list_objects(r, &k, &b);
}

static int port_type_parse(struct req *r, const char *s, enum dp_port_type *t)
{
	char expect[128] = "";
	size_t n = 0;

	for (int i = 0; i < DP_PORT_TYPE_MAX; i++) {
		if (dp_port_type_names[i] != NULL && strcmp(dp_port_type_names[i], s) == 0) {
			if (i == DP_PORT_VXLAN)
				return fail(
					r, EINVAL,
					"vxlan ports are made by vtep-remote-add (a remote VTEP "
					"of a bridge's VNI), not port-add");
			*t = (enum dp_port_type)i;
			return 0;
		}
	}
	for (int i = 0; i < DP_PORT_TYPE_MAX && n < sizeof(expect); i++) {
		int w;

		if (i == DP_PORT_VXLAN)
			continue;
		w = snprintf(expect + n, sizeof(expect) - n, "%s%s", n ? ", " : "",
			     port_type_name((enum dp_port_type)i));

		n += w > 0 ? (size_t)w : 0;
	}
	return fail(r, EINVAL, "unknown port type \"%s\" (expected %s)", Q(s), expect);
}

static unsigned int port_params_args(const struct req *r, struct dp_port_params *p)
{
	unsigned int mask = 0;

	if (arg_u32(r, "storm_pps", &p->storm_pps))
		mask |= DP_PORT_SET_STORM_PPS;
	if (arg_u32(r, "storm_burst", &p->storm_burst))
		mask |= DP_PORT_SET_STORM_BURST;
	if (arg_u32(r, "max_macs", &p->max_macs))
		mask |= DP_PORT_SET_MAX_MACS;
	return mask;
}

static int h_port_add(struct req *r)
{
	struct dp_port_params p;
	json_t *opts = json_object_get(r->args, "options");
	char err[ERR_SIZE] = "";
	int rc;

	dp_port_params_default(&p);
	rc = port_type_parse(r, arg_str(r, "type"), &p.type);
	if (rc < 0)
		return rc;
	p.n_opts = 0;
	if (opts != NULL) {
		rc = port_opts_parse(r, p.type, opts, &p);
		if (rc < 0)
			return rc;
	} else {
		json_t *empty = json_object();

		if (empty == NULL)
			return fail(r, ENOMEM, "out of memory");
		rc = port_opts_parse(r, p.type, empty, &p); /* the required options */
		json_decref(empty);
		if (rc < 0)
			return rc;
	}
	port_params_args(r, &p);
	rc = dp_port_add(r->dp, arg_str(r, "name"), &p, err, sizeof(err));
	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static int h_port_del(struct req *r)
{
	char err[ERR_SIZE] = "";
	int rc = dp_port_del(r->dp, arg_str(r, "name"), err, sizeof(err));

	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static int h_port_set(struct req *r)
{
	struct dp_port_params p;
	char err[ERR_SIZE] = "";
	unsigned int mask;
	int rc;

	memset(&p, 0, sizeof(p));
	mask = port_params_args(r, &p);
	if (mask == 0)
		return fail(r, EINVAL,
			    "nothing to change (expected storm_pps, storm_burst or max_macs)");
	rc = dp_port_set(r->dp, arg_str(r, "name"), &p, mask, err, sizeof(err));
	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static json_t *port_json(struct req *r, const struct dp_port_info *pi)
{
	static const char *const modes[] = {"none", "access", "trunk"};
	json_t *o = json_object();
	bool trunk = pi->vlan_mode == DP_VLAN_TRUNK;
	unsigned int mode = (unsigned int)pi->vlan_mode < 3 ? (unsigned int)pi->vlan_mode : 0;

	jset(r, o, "name", json_string(Q(pi->name)));
	jset(r, o, "type", json_string(port_type_name(pi->params.type)));
	jset(r, o, "options", port_opts_json(r, &pi->params));
	jset(r, o, "dpdk_port", json_integer(pi->dpdk_port));
	jset(r, o, "link", json_string(pi->link_up ? "up" : "down"));
	jset(r, o, "bridge", json_string(Q(pi->bridge)));
	jset(r, o, "vlan_mode", json_string(modes[mode]));
	jset(r, o, "vlan", json_integer(pi->vlan_mode == DP_VLAN_ACCESS ? pi->access_vlan : 0));
	jset(r, o, "trunk", trunk ? trunk_json(r, pi->trunk) : json_array());
	jset(r, o, "native", json_integer(trunk ? pi->native_vlan : 0));
	jset(r, o, "worker", json_integer(pi->worker_lcore));
	jset(r, o, "rx_queues", json_integer(pi->n_rxq));
	jset(r, o, "tx_queues", json_integer(pi->n_txq));
	/* the tx queues workers send on now, the most workers on one (> 1: shared, locked) */
	jset(r, o, "tx_queues_used", json_integer(pi->txq_used));
	jset(r, o, "tx_queue_workers", json_integer(pi->txq_workers));
	{
		json_t *qw = json_array();

		for (unsigned int q = 0; q < pi->n_rxq && q < VSW_MAX_QUEUES; q++)
			jappend(r, qw, json_integer(pi->rxq_lcore[q]));
		jset(r, o, "rxq_workers", qw);
	}
	if (pi->params.type == DP_PORT_VHOST_USER) {
		char hex[20];

		snprintf(hex, sizeof(hex), "0x%" PRIx64, pi->guest_features);
		jset(r, o, "guest_queues", json_integer(pi->guest_queues));
		jset(r, o, "guest_features", json_string(hex));
	}
	jset(r, o, "storm_pps", json_integer(pi->params.storm_pps));
	jset(r, o, "storm_burst", json_integer(pi->params.storm_burst));
	jset(r, o, "max_macs", json_integer(pi->params.max_macs));
	return o;
}

static int port_by_name(struct dp *dp, const char *name, void *info)
{
	return dp_port_info_by_name(dp, name, info);
}

static int port_at(struct dp *dp, unsigned int idx, void *info)
{
	return dp_port_info_at(dp, idx, info);
}

static json_t *port_json_any(struct req *r, const void *info)
{
	return port_json(r, info);
}

static int h_port_list(struct req *r)
{
	static const struct list_kind k = {"port", sizeof(struct dp_port_info), port_by_name,
					   port_at, port_json_any};
	struct dp_port_info pi;

	return list_objects(r, &k, &pi);
}

/* A tunnel port's membership is its remote's (vtep-remote-add/-del), not the user's. */
static int port_tunnel_refuse(struct req *r, const char *cmd)
{
	struct dp_port_info pi;

	if (dp_port_info_by_name(r->dp, arg_str(r, "port"), &pi) == 0 &&
	    pi.params.type == DP_PORT_VXLAN)
		return fail(r, EPERM,
			    "%s %s: a tunnel port joins and leaves its bridge with "
			    "vtep-remote-add and vtep-remote-del",
			    cmd, Q(arg_str(r, "port")));
	return 0;
}

static int h_port_attach(struct req *r)
{
	json_t *trunk = json_object_get(r->args, "trunk");
	struct dp_vlan_cfg cfg;
	char err[ERR_SIZE] = "";
	uint32_t v;
	int rc;

	rc = port_tunnel_refuse(r, "port-attach");
	if (rc < 0)
		return rc;
	memset(&cfg, 0, sizeof(cfg));
	if (trunk != NULL) {
		if (json_object_get(r->args, "vlan") != NULL)
			return fail(r, EINVAL,
				    "vlan and trunk given together (expected vlan for an access "
				    "port or trunk for a trunk)");
		rc = trunk_parse(r, trunk, cfg.trunk);
		if (rc < 0)
			return rc;
		cfg.mode = DP_VLAN_TRUNK;
		if (arg_u32(r, "native", &v))
			cfg.native_vlan = (uint16_t)v;
	} else {
		if (json_object_get(r->args, "native") != NULL)
			return fail(r, EINVAL, "native given without trunk (expected trunk too)");
		cfg.mode = DP_VLAN_ACCESS;
		cfg.access_vlan = 1;
		if (arg_u32(r, "vlan", &v))
			cfg.access_vlan = (uint16_t)v;
	}
	rc = dp_port_attach(r->dp, arg_str(r, "port"), arg_str(r, "bridge"), &cfg, err,
			    sizeof(err));
	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static int h_port_detach(struct req *r)
{
	char err[ERR_SIZE] = "";
	int rc = port_tunnel_refuse(r, "port-detach");

	if (rc < 0)
		return rc;
	rc = dp_port_detach(r->dp, arg_str(r, "port"), err, sizeof(err));
	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static uint16_t arg_vlan(const struct req *r, uint16_t def)
{
	uint32_t v;

	return arg_u32(r, "vlan", &v) ? (uint16_t)v : def;
}

static int h_fdb_add(struct req *r)
{
	char err[ERR_SIZE] = "";
	uint8_t mac[6];
	int rc;

	if (vsw_mac_parse(arg_str(r, "mac"), mac) < 0)
		return fail(r, EINVAL, "mac is not a MAC address (expected xx:xx:xx:xx:xx:xx)");
	rc = dp_fdb_add(r->dp, arg_str(r, "bridge"), mac, arg_vlan(r, 1), arg_str(r, "port"), err,
			sizeof(err));
	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static int h_fdb_del(struct req *r)
{
	char err[ERR_SIZE] = "";
	uint8_t mac[6];
	int rc;

	if (vsw_mac_parse(arg_str(r, "mac"), mac) < 0)
		return fail(r, EINVAL, "mac is not a MAC address (expected xx:xx:xx:xx:xx:xx)");
	rc = dp_fdb_del(r->dp, arg_str(r, "bridge"), mac, arg_vlan(r, 1), err, sizeof(err));
	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

struct fdb_collect {
	struct dp_fdb_entry *e;
	size_t n, cap;
	bool oom;
};

static void fdb_collect_cb(const struct dp_fdb_entry *e, void *arg)
{
	struct fdb_collect *c = arg;

	if (c->oom)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct dp_fdb_entry *ne = realloc(c->e, cap * sizeof(*ne));

		if (ne == NULL) {
			c->oom = true;
			return;
		}
		c->e = ne;
		c->cap = cap;
	}
	c->e[c->n++] = *e;
}

static int fdb_entry_cmp(const void *a, const void *b)
{
	const struct dp_fdb_entry *x = a, *y = b;

	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

static int h_fdb_show(struct req *r)
{
	struct fdb_collect c = {0};
	char err[ERR_SIZE] = "";
	json_t *arr;
	int rc;

	rc = dp_fdb_dump(r->dp, arg_str(r, "bridge"), arg_str(r, "port"), arg_vlan(r, 0),
			 fdb_collect_cb, &c, err, sizeof(err));
	if (rc < 0) {
		free(c.e);
		return dp_fail(r, rc, err);
	}
	if (c.oom) {
		free(c.e);
		return fail(r, ENOMEM, "out of memory collecting %zu entries", c.n);
	}
	if (c.n > CTL_REPLY_MAX / FDB_ENTRY_JSON_MIN) {
		free(c.e);
		return fail(r, EMSGSIZE,
			    "%zu entries do not fit in one reply (expected at most %u bytes; "
			    "narrow it with port or vlan)",
			    c.n, CTL_REPLY_MAX);
	}
	if (c.n > 1)
		qsort(c.e, c.n, sizeof(c.e[0]), fdb_entry_cmp);
	arr = json_array();
	r->result = arr;
	for (size_t i = 0; i < c.n && !r->oom; i++) {
		const struct dp_fdb_entry *e = &c.e[i];
		const char *port = dp_port_name(r->dp, e->port);
		json_t *o = json_object();
		char mac[18];

		vsw_mac_format(e->mac, mac);
		jset(r, o, "mac", json_string(mac));
		jset(r, o, "vlan", json_integer(e->vlan));
		jset(r, o, "port", json_string(port != NULL ? port : ""));
		jset(r, o, "type", json_string(e->is_static ? "static" : "learned"));
		jset(r, o, "age_s", json_integer(e->is_static ? 0 : e->age_s));
		{
			struct vtep_ip ip;
			char ips[VTEP_IP_STRLEN];

			/* a MAC behind a remote VTEP: say which */
			if (vtep_port_remote(r->dp, e->port, &ip) == 0)
				jset(r, o, "remote_vtep", json_string(vtep_ip_str(&ip, ips)));
		}
		jappend(r, arr, o);
	}
	free(c.e);
	return 0;
}

static int h_fdb_flush(struct req *r)
{
	char err[ERR_SIZE] = "";
	json_t *res;
	int rc;

	rc = dp_fdb_flush(r->dp, arg_str(r, "bridge"), arg_str(r, "port"), arg_vlan(r, 0),
			  arg_bool(r, "static", false), err, sizeof(err));
	if (rc < 0)
		return dp_fail(r, rc, err);
	res = json_object();
	jset(r, res, "flushed", json_integer(rc));
	r->result = res;
	return 0;
}

/* Per queue, from the device's counters: [{"queue":0,"rx_packets":..}, ...] */
static json_t *queue_stats_json(struct req *r, const struct dp_port_stats *st)
{
	json_t *a = json_array();

	for (unsigned int q = 0; q < st->n_queues && q < VSW_MAX_QUEUES; q++) {
		json_t *o = json_object();

		jset(r, o, "queue", json_integer(q));
		jset(r, o, "rx_packets", jint(st->queue[q].rx_packets));
		jset(r, o, "rx_bytes", jint(st->queue[q].rx_bytes));
		jset(r, o, "tx_packets", jint(st->queue[q].tx_packets));
		jset(r, o, "tx_bytes", jint(st->queue[q].tx_bytes));
		jappend(r, a, o);
	}
	return a;
}

static json_t *stats_json(struct req *r, const char *name, const struct dp_port_stats *st)
{
	json_t *o = json_object(), *drops = json_object();
	uint64_t total = 0;

	jset(r, o, "name", json_string(Q(name)));
	jset(r, o, "rx_packets", jint(st->rx_packets));
	jset(r, o, "rx_bytes", jint(st->rx_bytes));
	jset(r, o, "tx_packets", jint(st->tx_packets));
	jset(r, o, "tx_bytes", jint(st->tx_bytes));
	for (int i = 0; i < VSW_DROP_MAX; i++) {
		jset(r, drops, vsw_drop_names[i], jint(st->drops[i]));
		total += st->drops[i];
	}
	jset(r, o, "drops", drops);
	jset(r, o, "drops_total", jint(total));
	jset(r, o, "queues", queue_stats_json(r, st));
	return o;
}

static int h_stats(struct req *r)
{
	const char *name = arg_str(r, "port");
	struct dp_port_stats st;
	struct dp_port_info pi;
	char err[ERR_SIZE] = "";
	json_t *arr;
	int rc;

	if (name != NULL) {
		memset(&st, 0, sizeof(st));
		rc = dp_port_stats_get(r->dp, name, &st, err, sizeof(err));
		if (rc < 0)
			return dp_fail(r, rc, err);
		arr = json_array();
		jappend(r, arr, stats_json(r, name, &st));
		r->result = arr;
		return 0;
	}
	arr = json_array();
	r->result = arr;
	for (unsigned int idx = 0; idx < INFO_ITER_MAX; idx++) {
		memset(&pi, 0, sizeof(pi));
		rc = dp_port_info_at(r->dp, idx, &pi);
		if (rc == -ENOENT)
			break;
		if (rc == -EAGAIN)
			continue;
		if (rc < 0)
			return fail(r, -rc, "port slot %u: %s", idx, strerror(-rc));
		pi.name[sizeof(pi.name) - 1] = '\0';
		memset(&st, 0, sizeof(st));
		rc = dp_port_stats_get(r->dp, pi.name, &st, err, sizeof(err));
		if (rc < 0)
			return dp_fail(r, rc, err);
		jappend(r, arr, stats_json(r, pi.name, &st));
	}
	return 0;
}

static int h_stats_clear(struct req *r)
{
	char err[ERR_SIZE] = "";
	int rc = dp_port_stats_clear(r->dp, arg_str(r, "port"), err, sizeof(err));

	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static int h_drop_reasons(struct req *r)
{
	json_t *arr = json_array();

	for (int i = 0; i < VSW_DROP_MAX; i++) {
		json_t *o = json_object();

		jset(r, o, "name", json_string(vsw_drop_names[i]));
		jset(r, o, "help", json_string(vsw_drop_help[i]));
		jappend(r, arr, o);
	}
	r->result = arr;
	return 0;
}

/* ---- captures ---- */

static const char *capture_dir_name(const struct dp_capture_info *ci)
{
	if (ci->drops)
		return "drops";
	if (ci->dirs == (DP_CAPTURE_DIR_RX | DP_CAPTURE_DIR_TX))
		return "both";
	return ci->dirs == DP_CAPTURE_DIR_RX ? "rx" : "tx";
}

static json_t *capture_json(struct req *r, const struct dp_capture_info *ci)
{
	json_t *o = json_object();

	jset(r, o, "id", jint(ci->id));
	jset(r, o, "port", ci->port[0] != '\0' ? json_string(ci->port) : json_null());
	jset(r, o, "direction", json_string(capture_dir_name(ci)));
	jset(r, o, "filter", json_string(ci->filter));
	jset(r, o, "jit", json_boolean(ci->jit));
	jset(r, o, "trace", json_boolean(ci->trace));
	jset(r, o, "snaplen", jint(ci->snaplen));
	jset(r, o, "count", jint(ci->count));
	jset(r, o, "duration_s", jint(ci->duration_s));
	jset(r, o, "format", json_string(ci->pcap ? "pcap" : "pcapng"));
	jset(r, o, "state", json_string(dp_capture_state_names[ci->state]));
	jset(r, o, "why", json_string(ci->why));
	jset(r, o, "captured", jint(ci->captured));
	jset(r, o, "filtered_out", jint(ci->filtered_out));
	jset(r, o, "ring_full", jint(ci->ring_full));
	jset(r, o, "no_mbuf", jint(ci->no_mbuf));
	jset(r, o, "written", jint(ci->written));
	jset(r, o, "write_bytes", jint(ci->write_bytes));
	jset(r, o, "age_ms", jint(ci->age_ms));
	return o;
}

static int h_capture_start(struct req *r)
{
	const char *port = arg_str(r, "port"), *dir = arg_str(r, "direction");
	const char *filter = arg_str(r, "filter"), *format = arg_str(r, "format");
	json_t *count = json_object_get(r->args, "count");
	struct dp_capture_params *p;
	char msg[ERR_SIZE] = "";
	uint32_t id;
	int rc;

	if (r->conn == NULL || r->conn->fd < 0)
		return fail(r, EBADF,
			    "no file descriptor came with the request (expected one, sent with "
			    "SCM_RIGHTS along with the request line)");
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return fail(r, ENOMEM, "out of memory");
	p->drops = arg_bool(r, "drops", false);
	p->dirs = DP_CAPTURE_DIR_RX | DP_CAPTURE_DIR_TX;
	p->snaplen = DP_CAPTURE_SNAPLEN_MAX;
	p->fd = r->conn->fd;
	p->owner = r->conn->id;
	if (port != NULL)
		snprintf(p->port, sizeof(p->port), "%s", port);
	if (!p->drops && port == NULL) {
		rc = fail(r, EINVAL, "missing argument port (required unless drops is true)");
		goto out;
	}
	if (dir != NULL && p->drops) {
		rc = fail(r, EINVAL, "direction does not apply to a drop capture");
		goto out;
	}
	if (dir != NULL && strcmp(dir, "rx") == 0) {
		p->dirs = DP_CAPTURE_DIR_RX;
	} else if (dir != NULL && strcmp(dir, "tx") == 0) {
		p->dirs = DP_CAPTURE_DIR_TX;
	} else if (dir != NULL && strcmp(dir, "both") != 0) {
		rc = fail(r, EINVAL,
			  "direction \"%s\" is not a direction (expected rx, tx or both)", Q(dir));
		goto out;
	}
	if (filter != NULL && strlen(filter) >= DP_CAPTURE_FILTER_MAX) {
		rc = fail(r, EINVAL, "filter is %zu bytes long (expected at most %d)",
			  strlen(filter), DP_CAPTURE_FILTER_MAX - 1);
		goto out;
	}
	if (filter != NULL)
		snprintf(p->filter, sizeof(p->filter), "%s", filter);
	arg_u32(r, "snaplen", &p->snaplen);
	arg_u32(r, "duration_s", &p->duration_s);
	if (count != NULL)
		p->count = (uint64_t)json_integer_value(count);
	if (format != NULL && strcmp(format, "pcap") == 0) {
		p->pcap = true;
	} else if (format != NULL && strcmp(format, "pcapng") != 0) {
		rc = fail(r, EINVAL, "format \"%s\" is not a format (expected pcapng or pcap)",
			  Q(format));
		goto out;
	}
	rc = dp_capture_start(r->dp, p, &id, msg, sizeof(msg));
	if (rc < 0) {
		rc = dp_fail(r, rc, msg);
		goto out;
	}
	r->conn->fd = -1; /* the capture owns it now */
	r->result = json_object();
	jset(r, r->result, "id", jint(id));
out:
	free(p);
	return rc;
}

static int h_capture_stop(struct req *r)
{
	struct dp_capture_info *ci = calloc(1, sizeof(*ci));
	char msg[ERR_SIZE] = "";
	uint32_t id = 0;
	int rc;

	if (ci == NULL)
		return fail(r, ENOMEM, "out of memory");
	arg_u32(r, "id", &id);
	rc = dp_capture_stop(r->dp, id, ci, msg, sizeof(msg));
	if (rc < 0)
		rc = dp_fail(r, rc, msg);
	else
		r->result = capture_json(r, ci);
	free(ci);
	return rc;
}

static int h_capture_list(struct req *r)
{
	struct dp_capture_info *ci = calloc(1, sizeof(*ci));
	json_t *arr = json_array();
	uint32_t id = 0;
	bool found = false;

	if (ci == NULL || arr == NULL) {
		free(ci);
		json_decref(arr);
		return fail(r, ENOMEM, "out of memory");
	}
	arg_u32(r, "id", &id);
	for (unsigned int i = 0; i < INFO_ITER_MAX; i++) {
		int rc = dp_capture_info_at(r->dp, i, ci);

		if (rc == -ENOENT)
			break;
		if (rc < 0 || (id != 0 && ci->id != id))
			continue;
		found = true;
		jappend(r, arr, capture_json(r, ci));
	}
	free(ci);
	if (id != 0 && !found) {
		json_decref(arr);
		return fail(r, ENOENT, "no capture %u", id);
	}
	r->result = arr;
	return 0;
}

/* ---- recordings: a bridge's frames into rotating files (capture.c) ---- */

static json_t *record_json(struct req *r, const struct dp_record_info *ri)
{
	json_t *o = json_object();

	jset(r, o, "id", jint(ri->id));
	jset(r, o, "bridge", json_string(ri->p.bridge));
	jset(r, o, "file", json_string(ri->p.file));
	jset(r, o, "format", json_string(ri->p.pcap ? "pcap" : "pcapng"));
	jset(r, o, "filter", json_string(ri->p.filter));
	jset(r, o, "jit", json_boolean(ri->jit));
	jset(r, o, "snaplen", jint(ri->p.snaplen));
	jset(r, o, "max_size_kb", jint(ri->p.max_size / 1024));
	jset(r, o, "max_files", jint(ri->p.max_files));
	jset(r, o, "state", json_string(dp_capture_state_names[ri->state]));
	jset(r, o, "why", json_string(ri->why));
	jset(r, o, "captured", jint(ri->captured));
	jset(r, o, "filtered_out", jint(ri->filtered_out));
	jset(r, o, "ring_full", jint(ri->ring_full));
	jset(r, o, "no_mbuf", jint(ri->no_mbuf));
	jset(r, o, "dropped", jint(ri->ring_full + ri->no_mbuf));
	jset(r, o, "written", jint(ri->written));
	jset(r, o, "write_bytes", jint(ri->write_bytes));
	jset(r, o, "current_file", json_string(ri->p.file));
	jset(r, o, "file_bytes", jint(ri->file_bytes));
	jset(r, o, "rotations", jint(ri->rotations));
	jset(r, o, "files", jint(ri->files));
	jset(r, o, "age_ms", jint(ri->age_ms));
	return o;
}

static int h_record_start(struct req *r)
{
	const char *file = arg_str(r, "file"), *filter = arg_str(r, "filter");
	const char *format = arg_str(r, "format");
	struct dp_record_params *p = calloc(1, sizeof(*p));
	char msg[ERR_SIZE] = "";
	uint32_t id, kb = 0;
	int rc = 0;

	if (p == NULL)
		return fail(r, ENOMEM, "out of memory");
	snprintf(p->bridge, sizeof(p->bridge), "%s", arg_str(r, "bridge"));
	if (strlen(file) >= DP_RECORD_PATH_MAX)
		rc = fail(r, EINVAL, "file is %zu bytes long (expected at most %d)", strlen(file),
			  DP_RECORD_PATH_MAX - 1);
	else if (filter != NULL && strlen(filter) >= DP_CAPTURE_FILTER_MAX)
		rc = fail(r, EINVAL, "filter is %zu bytes long (expected at most %d)",
			  strlen(filter), DP_CAPTURE_FILTER_MAX - 1);
	else if (format != NULL && strcmp(format, "pcap") != 0 && strcmp(format, "pcapng") != 0)
		rc = fail(r, EINVAL, "format \"%s\" is not a format (expected pcapng or pcap)",
			  Q(format));
	if (rc < 0)
		goto out;
	snprintf(p->file, sizeof(p->file), "%s", file);
	if (filter != NULL)
		snprintf(p->filter, sizeof(p->filter), "%s", filter);
	p->pcap = format != NULL && strcmp(format, "pcap") == 0;
	p->snaplen = DP_CAPTURE_SNAPLEN_MAX;
	arg_u32(r, "snaplen", &p->snaplen);
	arg_u32(r, "max_size_kb", &kb);
	p->max_size = (uint64_t)kb * 1024;
	p->max_files = kb != 0 ? 8 : 1;
	arg_u32(r, "max_files", &p->max_files);
	rc = dp_record_start(r->dp, p, &id, msg, sizeof(msg));
	if (rc < 0) {
		rc = dp_fail(r, rc, msg);
		goto out;
	}
	r->result = json_object();
	jset(r, r->result, "id", jint(id));
out:
	free(p);
	return rc;
}

static int h_record_stop(struct req *r)
{
	struct dp_record_info *ri = calloc(1, sizeof(*ri));
	const char *bridge = arg_str(r, "bridge");
	char msg[ERR_SIZE] = "";
	uint32_t id = 0;
	int rc;

	if (ri == NULL)
		return fail(r, ENOMEM, "out of memory");
	arg_u32(r, "id", &id);
	if ((id == 0) == (bridge == NULL)) {
		free(ri);
		return fail(r, EINVAL, "give one of id or bridge");
	}
	rc = dp_record_stop(r->dp, id, bridge, ri, msg, sizeof(msg));
	if (rc < 0)
		rc = dp_fail(r, rc, msg);
	else
		r->result = record_json(r, ri);
	free(ri);
	return rc;
}

static int h_record_list(struct req *r)
{
	struct dp_record_info *ri = calloc(1, sizeof(*ri));
	const char *bridge = arg_str(r, "bridge");
	json_t *arr = json_array();

	if (ri == NULL || arr == NULL) {
		free(ri);
		json_decref(arr);
		return fail(r, ENOMEM, "out of memory");
	}
	for (unsigned int i = 0; i < INFO_ITER_MAX; i++) {
		int rc = dp_record_info_at(r->dp, i, ri);

		if (rc == -ENOENT)
			break;
		if (rc < 0 || (bridge != NULL && strcmp(ri->p.bridge, bridge) != 0))
			continue;
		jappend(r, arr, record_json(r, ri));
	}
	free(ri);
	r->result = arr;
	return 0;
}

/* ---- flow tables ---- */

static const char *const flow_act_names[DP_FLOW_ACT_MAX] = {
	[DP_FLOW_ACT_DROP] = "drop",	       [DP_FLOW_ACT_OUTPUT] = "output",
	[DP_FLOW_ACT_FLOOD] = "flood",	       [DP_FLOW_ACT_NORMAL] = "normal",
	[DP_FLOW_ACT_PUSH_VLAN] = "push_vlan", [DP_FLOW_ACT_POP_VLAN] = "pop_vlan",
	[DP_FLOW_ACT_SET_VLAN] = "set_vlan",   [DP_FLOW_ACT_MIRROR] = "mirror",
	[DP_FLOW_ACT_COUNT] = "count",
};

struct flow_sym {
	const char *name;
	unsigned int val;
};
static const struct flow_sym flow_eth_types[] = {
	{"ipv4", 0x0800}, {"arp", 0x0806}, {"ipv6", 0x86dd}, {"lldp", 0x88cc}, {NULL, 0},
};
static const struct flow_sym flow_ip_protos[] = {
	{"icmp", 1}, {"tcp", 6}, {"udp", 17}, {"icmpv6", 58}, {"sctp", 132}, {NULL, 0},
};

static const char *flow_sym_name(const struct flow_sym *t, unsigned int v)
{
	for (; t->name != NULL; t++)
		if (t->val == v)
			return t->name;
	return NULL;
}

/* An integer in 0..max, or one of the names of t. */
static int flow_sym_parse(struct req *r, const char *where, const char *key, json_t *v,
			  const struct flow_sym *t, unsigned int max, unsigned int *out)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= max) {
		*out = (unsigned int)json_integer_value(v);
		return 0;
	}
	for (; json_is_string(v) && t->name != NULL; t++) {
		if (strcmp(t->name, json_string_value(v)) == 0) {
			*out = t->val;
			return 0;
		}
	}
	return fail(r, EINVAL, "%s%s is not valid (expected 0..%u or a name: %s)", where, key, max,
		    max == 255 ? "icmp, tcp, udp, icmpv6, sctp" : "ipv4, arp, ipv6, lldp");
}

/* "addr" or "addr/len", IPv4 or IPv6. */
static int flow_prefix_parse(struct req *r, const char *where, const char *key, json_t *v,
			     uint8_t addr[16], uint8_t *len, uint8_t *version)
{
	char buf[64], *slash;
	const char *s = json_string_value(v);
	unsigned long n;
	char *end;

	if (s == NULL || strlen(s) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1)
		*version = 4;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		*version = 6;
	else
		goto bad;
	*len = *version == 4 ? 32 : 128;
	if (slash != NULL) {
		if (*slash < '0' || *slash > '9')
			goto bad;
		n = strtoul(slash, &end, 10);
		if (*end != '\0' || n > *len)
			goto bad;
		*len = (uint8_t)n;
	}
	return 0;
bad:
	return fail(r, EINVAL,
		    "%s%s is not an IP prefix (expected \"198.51.100.0/24\" or \"2001:db8::/32\")",
		    where, key);
}

/* "02:00:00:00:00:01" or "02:00:00:00:00:00/ff:ff:ff:00:00:00" */
static int flow_mac_parse(struct req *r, const char *where, const char *key, json_t *v,
			  uint8_t mac[6], uint8_t mask[6])
{
	const char *s = json_string_value(v);
	char buf[40], *slash;

	if (s == NULL || strlen(s) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (vsw_mac_parse(buf, mac) < 0)
		goto bad;
	memset(mask, 0xff, 6);
	if (slash != NULL && vsw_mac_parse(slash, mask) < 0)
		goto bad;
	return 0;
bad:
	return fail(r, EINVAL,
		    "%s%s is not a MAC address (expected xx:xx:xx:xx:xx:xx, optionally "
		    "/xx:xx:xx:xx:xx:xx as a mask)",
		    where, key);
}

static int flow_match_parse(struct req *r, const char *where, json_t *obj, struct dp_flow_match *m)
{
	uint8_t v_src = 0, v_dst = 0;
	const char *key;
	unsigned int u;
	json_t *v;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (obj == NULL)
		return 0;
	if (!json_is_object(obj))
		return fail(r, EINVAL, "%smatch is %s (expected an object)", where, json_kind(obj));
	json_object_foreach(obj, key, v) {
		if (strcmp(key, "in_port") == 0) {
			if (!json_is_string(v) || !vsw_name_valid(json_string_value(v)))
				return fail(r, EINVAL, "%smatch.in_port is not a port name", where);
			snprintf(m->in_port, sizeof(m->in_port), "%s", json_string_value(v));
			m->fields |= DP_FLOW_BIT(DP_FLOW_IN_PORT);
		} else if (strcmp(key, "vlan") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > VSW_VLAN_MAX)
				return fail(r, EINVAL,
					    "%smatch.vlan is not a VLAN id (expected 1..4094)",
					    where);
			m->vlan = (uint16_t)json_integer_value(v);
			m->fields |= DP_FLOW_BIT(DP_FLOW_VLAN);
		} else if (strcmp(key, "eth_src") == 0) {
			rc = flow_mac_parse(r, where, "match.eth_src", v, m->eth_src,
					    m->eth_src_mask);
			m->fields |= DP_FLOW_BIT(DP_FLOW_ETH_SRC);
		} else if (strcmp(key, "eth_dst") == 0) {
			rc = flow_mac_parse(r, where, "match.eth_dst", v, m->eth_dst,
					    m->eth_dst_mask);
			m->fields |= DP_FLOW_BIT(DP_FLOW_ETH_DST);
		} else if (strcmp(key, "eth_type") == 0) {
			rc = flow_sym_parse(r, where, "match.eth_type", v, flow_eth_types, 65535,
					    &u);
			m->eth_type = (uint16_t)u;
			m->fields |= DP_FLOW_BIT(DP_FLOW_ETH_TYPE);
		} else if (strcmp(key, "ip_src") == 0) {
			rc = flow_prefix_parse(r, where, "match.ip_src", v, m->ip_src,
					       &m->ip_src_len, &v_src);
			m->fields |= DP_FLOW_BIT(DP_FLOW_IP_SRC);
		} else if (strcmp(key, "ip_dst") == 0) {
			rc = flow_prefix_parse(r, where, "match.ip_dst", v, m->ip_dst,
					       &m->ip_dst_len, &v_dst);
			m->fields |= DP_FLOW_BIT(DP_FLOW_IP_DST);
		} else if (strcmp(key, "ip_proto") == 0) {
			rc = flow_sym_parse(r, where, "match.ip_proto", v, flow_ip_protos, 255, &u);
			m->ip_proto = (uint8_t)u;
			m->fields |= DP_FLOW_BIT(DP_FLOW_IP_PROTO);
		} else if (strcmp(key, "l4_src") == 0 || strcmp(key, "l4_dst") == 0) {
			bool src = key[3] == 's';

			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 65535)
				return fail(r, EINVAL,
					    "%smatch.%s is not a port number (expected 0..65535)",
					    where, key);
			*(src ? &m->l4_src : &m->l4_dst) = (uint16_t)json_integer_value(v);
			m->fields |= DP_FLOW_BIT(src ? DP_FLOW_L4_SRC : DP_FLOW_L4_DST);
		} else if (strcmp(key, "vni") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 16777215)
				return fail(
					r, EINVAL,
					"%smatch.vni is not a VXLAN VNI (expected 0..16777215, 0 "
					"= from a local port)",
					where);
			m->vni = (uint32_t)json_integer_value(v);
			m->fields |= DP_FLOW_BIT(DP_FLOW_VNI);
		} else {
			return fail(
				r, EINVAL,
				"%smatch has unknown field \"%s\" (expected in_port, vlan, eth_src, "
				"eth_dst, eth_type, ip_src, ip_dst, ip_proto, l4_src, l4_dst, vni)",
				where, Q(key));
		}
		if (rc < 0)
			return rc;
	}
	if (v_src && v_dst && v_src != v_dst)
		return fail(r, EINVAL, "%smatch.ip_src and ip_dst are of different IP versions",
			    where);
	m->ip_version = v_src ? v_src : v_dst;
	return 0;
}

/* ["count", "set_vlan:20", "output:p2"] */
static int flow_actions_parse(struct req *r, const char *where, json_t *arr, struct dp_flow *f)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return fail(r, EINVAL, "%sactions is %s (expected an array of strings)", where,
			    json_kind(arr));
	if (json_array_size(arr) < 1 || json_array_size(arr) > DP_FLOW_ACTIONS_MAX)
		return fail(r, EINVAL, "%sactions has %zu entries (expected 1..%d)", where,
			    json_array_size(arr), DP_FLOW_ACTIONS_MAX);
	json_array_foreach(arr, i, v) {
		struct dp_flow_action *a = &f->actions[i];
		const char *s = json_string_value(v), *colon;
		size_t nlen;
		int t;

		if (s == NULL)
			return fail(r, EINVAL, "%sactions[%zu] is %s (expected a string)", where, i,
				    json_kind(v));
		colon = strchr(s, ':');
		nlen = colon ? (size_t)(colon - s) : strlen(s);
		for (t = 0; t < DP_FLOW_ACT_MAX; t++)
			if (strlen(flow_act_names[t]) == nlen &&
			    strncmp(flow_act_names[t], s, nlen) == 0)
				break;
		if (t == DP_FLOW_ACT_MAX)
			return fail(
				r, EINVAL,
				"%sactions[%zu] \"%s\" is not an action (expected drop, output:PORT, "
				"flood, normal, push_vlan:N, pop_vlan, set_vlan:N, mirror:PORT, "
				"count)",
				where, i, Q(s));
		memset(a, 0, sizeof(*a));
		a->type = (enum dp_flow_action_type)t;
		switch (a->type) {
		case DP_FLOW_ACT_OUTPUT:
		case DP_FLOW_ACT_MIRROR:
			if (colon == NULL || !vsw_name_valid(colon + 1))
				return fail(r, EINVAL,
					    "%sactions[%zu] \"%s\" needs a port (%s:PORT)", where,
					    i, Q(s), flow_act_names[t]);
			snprintf(a->port, sizeof(a->port), "%s", colon + 1);
			break;
		case DP_FLOW_ACT_PUSH_VLAN:
		case DP_FLOW_ACT_SET_VLAN: {
			char *end;
			unsigned long n = colon ? strtoul(colon + 1, &end, 10) : 0;

			if (colon == NULL || colon[1] < '0' || colon[1] > '9' || *end != '\0' ||
			    n < 1 || n > VSW_VLAN_MAX)
				return fail(
					r, EINVAL,
					"%sactions[%zu] \"%s\" needs a VLAN id (%s:N, N in 1..4094)",
					where, i, Q(s), flow_act_names[t]);
			a->vlan = (uint16_t)n;
			break;
		}
		default:
			if (colon != NULL)
				return fail(r, EINVAL, "%sactions[%zu] \"%s\" takes no argument",
					    where, i, Q(s));
			break;
		}
	}
	f->n_actions = (unsigned int)json_array_size(arr);
	return 0;
}

/* One flow from {name, priority, match, actions} (the flow-add args, or an element of
 * its flows array). */
static int flow_parse(struct req *r, const char *where, json_t *obj, struct dp_flow *f)
{
	json_t *name = json_object_get(obj, "name"), *prio = json_object_get(obj, "priority");
	json_t *actions = json_object_get(obj, "actions");
	int rc;

	memset(f, 0, sizeof(*f));
	f->priority = DP_FLOW_PRIORITY_DEFAULT;
	if (name != NULL) {
		if (!json_is_string(name) || !vsw_name_valid(json_string_value(name)))
			return fail(
				r, EINVAL,
				"%sname is not a valid name (expected 1 to 31 characters of A-Z "
				"a-z 0-9 _ . -)",
				where);
		snprintf(f->name, sizeof(f->name), "%s", json_string_value(name));
	}
	if (prio != NULL) {
		if (!json_is_integer(prio) || json_integer_value(prio) < 0 ||
		    json_integer_value(prio) > 65535)
			return fail(r, EINVAL, "%spriority is not valid (expected 0..65535)",
				    where);
		f->priority = (uint16_t)json_integer_value(prio);
	}
	rc = flow_match_parse(r, where, json_object_get(obj, "match"), &f->match);
	if (rc < 0)
		return rc;
	if (actions == NULL)
		return fail(r, EINVAL, "%smissing actions (required)", where);
	return flow_actions_parse(r, where, actions, f);
}

static int h_flow_add(struct req *r)
{
	json_t *flows = json_object_get(r->args, "flows");
	char err[ERR_SIZE] = "", where[48];
	struct dp_flow *fs;
	uint32_t *ids;
	size_t n, i;
	json_t *arr, *e;
	int rc = 0;

	if (flows != NULL) {
		static const char *const single[] = {"name", "priority", "match", "actions"};

		for (i = 0; i < 4; i++)
			if (json_object_get(r->args, single[i]) != NULL)
				return fail(
					r, EINVAL,
					"%s given with flows (expected either one flow's fields "
					"or flows)",
					single[i]);
		n = json_array_size(flows);
		if (n < 1 || n > DP_FLOW_MAX)
			return fail(r, EINVAL, "flows has %zu entries (expected 1..%d)", n,
				    DP_FLOW_MAX);
	} else {
		n = 1;
	}
	fs = calloc(n, sizeof(*fs));
	ids = calloc(n, sizeof(*ids));
	if (fs == NULL || ids == NULL) {
		rc = fail(r, ENOMEM, "out of memory for %zu flows", n);
		goto out;
	}
	if (flows == NULL) {
		rc = flow_parse(r, "", r->args, &fs[0]);
	} else {
		json_array_foreach(flows, i, e) {
			const char *key;
			json_t *v;

			snprintf(where, sizeof(where), "flows[%zu].", i);
			if (!json_is_object(e)) {
				rc = fail(r, EINVAL, "%s is %s (expected an object)", where,
					  json_kind(e));
				break;
			}
			json_object_foreach(e, key, v) {
				if (strcmp(key, "name") != 0 && strcmp(key, "priority") != 0 &&
				    strcmp(key, "match") != 0 && strcmp(key, "actions") != 0) {
					rc = fail(r, EINVAL,
						  "%s has unknown key \"%s\" (expected name, "
						  "priority, match, actions)",
						  where, Q(key));
					break;
				}
			}
			if (rc == 0)
				rc = flow_parse(r, where, e, &fs[i]);
			if (rc < 0)
				break;
		}
	}
	if (rc < 0)
		goto out;
	rc = dp_flow_add(r->dp, arg_str(r, "bridge"), fs, (unsigned int)n, ids, err, sizeof(err));
	if (rc < 0) {
		rc = dp_fail(r, rc, err);
		goto out;
	}
	r->result = json_object();
	arr = json_array();
	for (i = 0; i < n && !r->oom; i++)
		jappend(r, arr, jint(ids[i]));
	jset(r, r->result, "ids", arr);
out:
	free(fs);
	free(ids);
	return rc;
}

/* Exactly one of id, name (and, for flow-del, all). */
static int flow_select(struct req *r, bool allow_all, uint32_t *id, const char **name)
{
	bool all = arg_bool(r, "all", false);
	int given = 0;

	*id = 0;
	*name = arg_str(r, "name");
	given += arg_u32(r, "id", id);
	given += *name != NULL;
	given += all;
	if (given != 1)
		return fail(r, EINVAL, "give exactly one of id, name%s",
			    allow_all ? " or all" : "");
	return 0;
}

static int h_flow_del(struct req *r)
{
	char err[ERR_SIZE] = "";
	const char *name;
	uint32_t id;
	int rc;

	if (json_is_false(json_object_get(r->args, "all")))
		return fail(r, EINVAL, "all is false (expected true, or id or name instead)");
	rc = flow_select(r, true, &id, &name);
	if (rc < 0)
		return rc;
	rc = dp_flow_del(r->dp, arg_str(r, "bridge"), id, name, err, sizeof(err));
	if (rc < 0)
		return dp_fail(r, rc, err);
	r->result = json_object();
	jset(r, r->result, "deleted", json_integer(rc));
	return 0;
}

static int h_flow_mod(struct req *r)
{
	char err[ERR_SIZE] = "";
	struct dp_flow f;
	const char *name;
	uint32_t id, prio = 0;
	bool set_prio;
	int rc;

	rc = flow_select(r, false, &id, &name);
	if (rc < 0)
		return rc;
	memset(&f, 0, sizeof(f));
	set_prio = arg_u32(r, "priority", &prio);
	f.priority = (uint16_t)prio;
	rc = flow_actions_parse(r, "", json_object_get(r->args, "actions"), &f);
	if (rc < 0)
		return rc;
	rc = dp_flow_mod(r->dp, arg_str(r, "bridge"), id, name, &f, set_prio, err, sizeof(err));
	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static json_t *flow_prefix_json(const uint8_t *a, uint8_t len, uint8_t version)
{
	char buf[INET6_ADDRSTRLEN + 8], addr[INET6_ADDRSTRLEN];

	if (inet_ntop(version == 4 ? AF_INET : AF_INET6, a, addr, sizeof(addr)) == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%s/%u", addr, len);
	return json_string(buf);
}

static json_t *flow_mac_json(const uint8_t mac[6], const uint8_t mask[6])
{
	static const uint8_t all[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	char a[18], b[18], buf[40];

	vsw_mac_format(mac, a);
	if (memcmp(mask, all, 6) == 0)
		return json_string(a);
	vsw_mac_format(mask, b);
	snprintf(buf, sizeof(buf), "%s/%s", a, b);
	return json_string(buf);
}

static json_t *flow_sym_json(const struct flow_sym *t, unsigned int v)
{
	const char *s = flow_sym_name(t, v);

	return s != NULL ? json_string(s) : json_integer(v);
}

static void flow_dump_cb(const struct dp_flow *f, void *arg)
{
	struct req *r = arg;
	const struct dp_flow_match *m = &f->match;
	json_t *o, *mo, *acts;

	if (r->oom)
		return;
	o = json_object();
	mo = json_object();
	acts = json_array();
	jset(r, o, "id", jint(f->id));
	jset(r, o, "name", json_string(f->name));
	jset(r, o, "priority", json_integer(f->priority));
	if (m->fields & DP_FLOW_BIT(DP_FLOW_IN_PORT))
		jset(r, mo, "in_port", json_string(m->in_port));
	if (m->fields & DP_FLOW_BIT(DP_FLOW_VLAN))
		jset(r, mo, "vlan", json_integer(m->vlan));
	if (m->fields & DP_FLOW_BIT(DP_FLOW_ETH_SRC))
		jset(r, mo, "eth_src", flow_mac_json(m->eth_src, m->eth_src_mask));
	if (m->fields & DP_FLOW_BIT(DP_FLOW_ETH_DST))
		jset(r, mo, "eth_dst", flow_mac_json(m->eth_dst, m->eth_dst_mask));
	if (m->fields & DP_FLOW_BIT(DP_FLOW_ETH_TYPE))
		jset(r, mo, "eth_type", flow_sym_json(flow_eth_types, m->eth_type));
	if (m->fields & DP_FLOW_BIT(DP_FLOW_IP_SRC))
		jset(r, mo, "ip_src", flow_prefix_json(m->ip_src, m->ip_src_len, m->ip_version));
	if (m->fields & DP_FLOW_BIT(DP_FLOW_IP_DST))
		jset(r, mo, "ip_dst", flow_prefix_json(m->ip_dst, m->ip_dst_len, m->ip_version));
	if (m->fields & DP_FLOW_BIT(DP_FLOW_IP_PROTO))
		jset(r, mo, "ip_proto", flow_sym_json(flow_ip_protos, m->ip_proto));
	if (m->fields & DP_FLOW_BIT(DP_FLOW_L4_SRC))
		jset(r, mo, "l4_src", json_integer(m->l4_src));
	if (m->fields & DP_FLOW_BIT(DP_FLOW_L4_DST))
		jset(r, mo, "l4_dst", json_integer(m->l4_dst));
	if (m->fields & DP_FLOW_BIT(DP_FLOW_VNI))
		jset(r, mo, "vni", json_integer(m->vni));
	jset(r, o, "match", mo);
	for (unsigned int i = 0; i < f->n_actions && i < DP_FLOW_ACTIONS_MAX; i++) {
		const struct dp_flow_action *a = &f->actions[i];
		const char *n = (unsigned int)a->type < DP_FLOW_ACT_MAX ? flow_act_names[a->type]
									: "unknown";
		char buf[64];

		if (a->type == DP_FLOW_ACT_OUTPUT || a->type == DP_FLOW_ACT_MIRROR)
			snprintf(buf, sizeof(buf), "%s:%s", n, a->port);
		else if (a->type == DP_FLOW_ACT_PUSH_VLAN || a->type == DP_FLOW_ACT_SET_VLAN)
			snprintf(buf, sizeof(buf), "%s:%u", n, a->vlan);
		else
			snprintf(buf, sizeof(buf), "%s", n);
		jappend(r, acts, json_string(buf));
	}
	jset(r, o, "actions", acts);
	jset(r, o, "packets", jint(f->packets));
	jset(r, o, "bytes", jint(f->bytes));
	jappend(r, r->result, o);
}

static int h_flow_dump(struct req *r)
{
	char err[ERR_SIZE] = "";
	int rc;

	r->result = json_array();
	if (r->result == NULL)
		return fail(r, ENOMEM, "out of memory");
	rc = dp_flow_dump(r->dp, arg_str(r, "bridge"), flow_dump_cb, r, err, sizeof(err));
	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

/* ---- tracing ---- */

static int h_trace_start(struct req *r)
{
	const char *filter = arg_str(r, "filter");
	struct dp_trace_params *p = calloc(1, sizeof(*p));
	char msg[ERR_SIZE] = "";
	uint32_t id;
	int rc;

	if (p == NULL)
		return fail(r, ENOMEM, "out of memory");
	snprintf(p->port, sizeof(p->port), "%s", arg_str(r, "port"));
	if (filter != NULL && strlen(filter) >= DP_CAPTURE_FILTER_MAX) {
		free(p);
		return fail(r, EINVAL, "filter is %zu bytes long (expected at most %d)",
			    strlen(filter), DP_CAPTURE_FILTER_MAX - 1);
	}
	if (filter != NULL)
		snprintf(p->filter, sizeof(p->filter), "%s", filter);
	p->count = 1;
	arg_u32(r, "count", &p->count);
	p->owner = r->conn != NULL ? r->conn->id : 0;
	rc = dp_trace_start(r->dp, p, &id, msg, sizeof(msg));
	free(p);
	if (rc < 0)
		return dp_fail(r, rc, msg);
	r->result = json_object();
	jset(r, r->result, "id", jint(id));
	return 0;
}

struct trace_json {
	struct req *r;
	json_t *frames;
};

static void trace_frame_cb(uint32_t n, const char *text, void *arg)
{
	struct trace_json *tj = arg;
	json_t *f = json_object(), *steps = json_array();
	const char *p = text;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		jappend(tj->r, steps, json_stringn(p, len));
		p += len + (nl != NULL);
	}
	jset(tj->r, f, "frame", json_integer(n));
	jset(tj->r, f, "steps", steps);
	jappend(tj->r, tj->frames, f);
}

static int h_trace_show(struct req *r)
{
	struct trace_json tj = {r, json_array()};
	char msg[ERR_SIZE] = "";
	uint32_t id = 0, count = 0;
	int n;

	if (tj.frames == NULL)
		return fail(r, ENOMEM, "out of memory");
	arg_u32(r, "id", &id);
	n = dp_trace_read(r->dp, id, &count, trace_frame_cb, &tj, msg, sizeof(msg));
	if (n < 0) {
		json_decref(tj.frames);
		return dp_fail(r, n, msg);
	}
	r->result = json_object();
	jset(r, r->result, "id", jint(id));
	jset(r, r->result, "count", jint(count));
	jset(r, r->result, "traced", jint((uint64_t)n));
	jset(r, r->result, "frames", tj.frames);
	return 0;
}

static int h_trace_packet(struct req *r)
{
	struct dp_trace_packet tp = {0};
	char msg[ERR_SIZE] = "", *out;
	uint32_t vlan = 0;
	json_t *steps;
	int rc;

	snprintf(tp.in_port, sizeof(tp.in_port), "%s", arg_str(r, "in_port"));
	vsw_mac_parse(arg_str(r, "dl_src"), tp.src);
	vsw_mac_parse(arg_str(r, "dl_dst"), tp.dst);
	arg_u32(r, "vlan", &vlan);
	tp.vlan = (uint16_t)vlan;
	if (arg_str(r, "nw_src") != NULL || arg_str(r, "nw_dst") != NULL) {
		struct vtep_ip a = {0}, b = {0};
		uint32_t v = 17;

		/* args_check parsed them: an IPv4 or IPv6 frame, of the family given */
		if (arg_str(r, "nw_src") != NULL)
			vtep_ip_parse(arg_str(r, "nw_src"), &a);
		if (arg_str(r, "nw_dst") != NULL)
			vtep_ip_parse(arg_str(r, "nw_dst"), &b);
		if (a.family != 0 && b.family != 0 && a.family != b.family)
			return fail(r, EINVAL, "nw_src and nw_dst are of different IP versions");
		tp.ip = true;
		tp.ip6 = a.family == 6 || b.family == 6;
		tp.ip_src = a.v4;
		tp.ip_dst = b.v4;
		memcpy(tp.ip6_src, a.v6, 16);
		memcpy(tp.ip6_dst, b.v6, 16);
		arg_u32(r, "nw_proto", &v);
		tp.ip_proto = (uint8_t)v;
		v = 0;
		arg_u32(r, "tp_src", &v);
		tp.l4_src = (uint16_t)v;
		v = 0;
		arg_u32(r, "tp_dst", &v);
		tp.l4_dst = (uint16_t)v;
	} else if (json_object_get(r->args, "nw_proto") != NULL ||
		   json_object_get(r->args, "tp_src") != NULL ||
		   json_object_get(r->args, "tp_dst") != NULL) {
		return fail(r, EINVAL, "nw_proto, tp_src and tp_dst need nw_src or nw_dst");
	}
	out = malloc(8192);
	if (out == NULL)
		return fail(r, ENOMEM, "out of memory");
	rc = dp_trace_packet(r->dp, &tp, out, 8192, msg, sizeof(msg));
	if (rc < 0) {
		free(out);
		return dp_fail(r, rc, msg);
	}
	steps = json_array();
	for (char *p = out, *nl; *p != '\0'; p = nl != NULL ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		jappend(r, steps, json_stringn(p, nl != NULL ? (size_t)(nl - p) : strlen(p)));
	}
	free(out);
	r->result = json_object();
	jset(r, r->result, "steps", steps);
	return 0;
}

/* ---- VXLAN overlay (overlay/vtep_ctl.h) ---- */

/* An ARG_IP argument (family 0 when absent: args_check parsed any there is). */
static struct vtep_ip arg_ip(const struct req *r, const char *key)
{
	struct vtep_ip a;

	if (vtep_ip_parse(arg_str(r, key), &a) < 0)
		memset(&a, 0, sizeof(a));
	return a;
}

static json_t *jip(const struct vtep_ip *ip)
{
	char s[VTEP_IP_STRLEN];

	return json_string(vtep_ip_str(ip, s));
}

static int h_vtep_add(struct req *r)
{
	struct vtep_params p;
	char err[ERR_SIZE] = "";
	uint32_t v;
	int rc;

	vtep_params_default(&p);
	snprintf(p.port, sizeof(p.port), "%s", arg_str(r, "port"));
	p.local_ip = arg_ip(r, "local_ip");
	p.gateway = arg_ip(r, "gateway");
	if (arg_u32(r, "prefix_len", &v))
		p.prefix_len = (uint8_t)v;
	if (arg_u32(r, "udp_port", &v))
		p.udp_port = (uint16_t)v;
	if (arg_u32(r, "mtu", &v))
		p.mtu = v;
	if (arg_u32(r, "ttl", &v))
		p.ttl = (uint8_t)v;
	if (arg_str(r, "mac") != NULL) {
		if (vsw_mac_parse(arg_str(r, "mac"), p.mac) < 0)
			return fail(r, EINVAL, "mac is not a MAC address");
		p.has_mac = true;
	}
	rc = vtep_add(r->dp, arg_str(r, "name"), &p, err, sizeof(err));
	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static int h_vtep_del(struct req *r)
{
	char err[ERR_SIZE] = "";
	int rc = vtep_del(r->dp, arg_str(r, "name"), err, sizeof(err));

	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static int h_vtep_remote_add(struct req *r)
{
	char err[ERR_SIZE] = "";
	struct vtep_ip ip = arg_ip(r, "remote");
	int rc = vtep_remote_add(r->dp, arg_str(r, "bridge"), &ip, arg_str(r, "vtep"),
				 arg_str(r, "port"), arg_vlan(r, 1), err, sizeof(err));

	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static int h_vtep_remote_del(struct req *r)
{
	char err[ERR_SIZE] = "";
	struct vtep_ip ip = arg_ip(r, "remote");
	int rc = vtep_remote_del(r->dp, arg_str(r, "bridge"), &ip, err, sizeof(err));

	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static int h_vtep_neigh_add(struct req *r)
{
	char err[ERR_SIZE] = "";
	struct vtep_ip ip = arg_ip(r, "ip");
	uint8_t mac[6];
	int rc;

	if (vsw_mac_parse(arg_str(r, "mac"), mac) < 0)
		return fail(r, EINVAL, "mac is not a MAC address");
	rc = vtep_neigh_set(r->dp, arg_str(r, "vtep"), &ip, mac, err, sizeof(err));
	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

static int h_vtep_neigh_del(struct req *r)
{
	char err[ERR_SIZE] = "";
	struct vtep_ip ip = arg_ip(r, "ip");
	int rc = vtep_neigh_set(r->dp, arg_str(r, "vtep"), &ip, NULL, err, sizeof(err));

	return rc < 0 ? dp_fail(r, rc, err) : 0;
}

/* Only the drop reasons that counted something: a tunnel's list is short. */
static json_t *drops_nonzero(struct req *r, const struct dp_port_stats *st, uint64_t *total)
{
	json_t *o = json_object();

	*total = 0;
	for (int i = 0; i < VSW_DROP_MAX; i++) {
		if (st->drops[i] == 0)
			continue;
		jset(r, o, vsw_drop_names[i], jint(st->drops[i]));
		*total += st->drops[i];
	}
	return o;
}

static json_t *vtep_json(struct req *r, const struct vtep_info *vi)
{
	json_t *o = json_object(), *cnt = json_object(), *nbs = json_array(), *rems = json_array();
	struct vtep_ip ll = {0};
	struct dp_port_stats st;
	char err[ERR_SIZE], mac[18];
	uint64_t total;

	jset(r, o, "name", json_string(Q(vi->name)));
	jset(r, o, "port", json_string(Q(vi->params.port)));
	jset(r, o, "local_ip", jip(&vi->params.local_ip));
	jset(r, o, "prefix_len", json_integer(vi->params.prefix_len));
	if (vi->params.gateway.family != 0)
		jset(r, o, "gateway", jip(&vi->params.gateway));
	jset(r, o, "udp_port", json_integer(vi->params.udp_port));
	jset(r, o, "mtu", json_integer(vi->params.mtu));
	jset(r, o, "ttl", json_integer(vi->params.ttl));
	vsw_mac_format(vi->params.mac, mac);
	jset(r, o, "mac", json_string(mac));
	jset(r, cnt, "decap_packets", jint(vi->decap_packets));
	jset(r, cnt, "decap_bytes", jint(vi->decap_bytes));
	if (vi->params.local_ip.family == 6) { /* neighbour discovery's messages */
		jset(r, cnt, "nd_ns_rx", jint(vi->arp_req_rx));
		jset(r, cnt, "nd_na_tx", jint(vi->arp_reply_tx));
		jset(r, cnt, "nd_ns_tx", jint(vi->arp_req_tx));
		jset(r, cnt, "nd_na_rx", jint(vi->arp_reply_rx));
		jset(r, cnt, "nd_no_mbuf", jint(vi->arp_no_mbuf));
		/* duplicate address detection and MLD (overlay/nd.c) */
		jset(r, o, "addr_state", json_string(nd_addr_state_name(vi->addr_state)));
		ll.family = 6;
		memcpy(ll.v6, vi->ll6, 16);
		jset(r, o, "link_local", jip(&ll));
		jset(r, o, "link_local_state", json_string(nd_addr_state_name(vi->ll_state)));
		jset(r, cnt, "dad_ns_tx", jint(vi->dad_ns_tx));
		jset(r, cnt, "dad_conflict", jint(vi->dad_conflict));
		jset(r, cnt, "mld_report_tx", jint(vi->mld_report_tx));
		jset(r, cnt, "mld_query_rx", jint(vi->mld_query_rx));
	} else {
		jset(r, cnt, "arp_req_rx", jint(vi->arp_req_rx));
		jset(r, cnt, "arp_reply_tx", jint(vi->arp_reply_tx));
		jset(r, cnt, "arp_req_tx", jint(vi->arp_req_tx));
		jset(r, cnt, "arp_reply_rx", jint(vi->arp_reply_rx));
		jset(r, cnt, "arp_no_mbuf", jint(vi->arp_no_mbuf));
	}
	if (dp_port_stats_get(r->dp, vi->params.port, &st, err, sizeof(err)) == 0) {
		jset(r, cnt, "rx_packets", jint(st.rx_packets));
		jset(r, cnt, "tx_packets", jint(st.tx_packets));
		jset(r, cnt, "drops", drops_nonzero(r, &st, &total));
		jset(r, cnt, "drops_total", jint(total));
	}
	jset(r, o, "counters", cnt);
	for (unsigned int i = 0; i < vi->n_neigh && i < VTEP_INFO_NEIGH_MAX; i++) {
		json_t *n = json_object();

		jset(r, n, "ip", jip(&vi->neigh[i].ip));
		vsw_mac_format(vi->neigh[i].mac, mac);
		jset(r, n, "mac", json_string(vi->neigh[i].resolved ? mac : ""));
		jset(r, n, "state",
		     json_string(vi->neigh[i].is_static	 ? "static"
				 : vi->neigh[i].resolved ? "resolved"
							 : "incomplete"));
		jset(r, n, "age_s", json_integer(vi->neigh[i].age_s));
		jset(r, n, "users", json_integer(vi->neigh[i].users));
		jappend(r, nbs, n);
	}
	jset(r, o, "neighbours", nbs);
	for (unsigned int i = 0; i < vi->n_remotes && i < VTEP_INFO_REMOTES_MAX; i++) {
		json_t *m = json_object();

		jset(r, m, "bridge", json_string(Q(vi->remotes[i].bridge)));
		jset(r, m, "vni", json_integer(vi->remotes[i].vni));
		jset(r, m, "remote", jip(&vi->remotes[i].ip));
		jset(r, m, "port", json_string(Q(vi->remotes[i].port)));
		jset(r, m, "next_hop", jip(&vi->remotes[i].next_hop));
		jset(r, m, "mtu_needed", json_integer(vi->remotes[i].mtu_needed));
		if (dp_port_stats_get(r->dp, vi->remotes[i].port, &st, err, sizeof(err)) == 0) {
			jset(r, m, "tx_packets", jint(st.tx_packets));
			jset(r, m, "tx_bytes", jint(st.tx_bytes));
			jset(r, m, "rx_packets", jint(st.rx_packets));
			jset(r, m, "rx_bytes", jint(st.rx_bytes));
			jset(r, m, "drops", drops_nonzero(r, &st, &total));
			jset(r, m, "drops_total", jint(total));
		}
		jappend(r, rems, m);
	}
	jset(r, o, "remotes", rems);
	return o;
}

static int h_vtep_list(struct req *r)
{
	const char *name = arg_str(r, "name");
	struct vtep_info *vi = malloc(sizeof(*vi));
	bool found = false;
	json_t *arr;

	if (vi == NULL)
		return fail(r, ENOMEM, "out of memory");
	arr = json_array();
	r->result = arr;
	for (unsigned int idx = 0; idx < INFO_ITER_MAX; idx++) {
		int rc = vtep_info_at(r->dp, idx, vi);

		if (rc == -ENOENT)
			break;
		if (rc < 0 || (name != NULL && strcmp(vi->name, name) != 0))
			continue;
		found = true;
		jappend(r, arr, vtep_json(r, vi));
	}
	free(vi);
	if (name != NULL && !found)
		return fail(r, ENOENT, "vtep \"%s\": %s", name, strerror(ENOENT));
	return 0;
}

/* ---- the command table ---- */

#define U(k, lo, hi)                                                                               \
	{                                                                                          \
		(k), ARG_UINT, false, (lo), (hi)                                                   \
	}
#define VLAN(k) U(k, 1, VSW_VLAN_MAX)
#define NAME(k, req)                                                                               \
	{                                                                                          \
		(k), ARG_NAME, (req), 0, 0                                                         \
	}
#define END                                                                                        \
	{                                                                                          \
		NULL, ARG_NAME, false, 0, 0                                                        \
	}

static const struct arg_spec a_none[] = {END};
static const struct arg_spec a_name[] = {NAME("name", true), END};
static const struct arg_spec a_name_opt[] = {NAME("name", false), END};
static const struct arg_spec a_bridge[] = {
	NAME("name", true),
	U("mac_aging_s", 1, 1000000),
	U("max_macs", 1, 4194304),
	U("move_damp", 0, 1000),
	U("move_damp_s", 0, 255),
	U("vni", 0, 16777215),
	U("remote_max_macs", 0, 4194304),
	END,
};
static const struct arg_spec a_vtep_add[] = {
	NAME("name", true),
	NAME("port", true),
	{"local_ip", ARG_IP, true, 0, 0},
	U("prefix_len", 1, 128), /* 32 for IPv4: vtep_add checks */
	{"gateway", ARG_IP, false, 0, 0},
	U("udp_port", 1, 65535),
	U("mtu", 576, 9216),
	U("ttl", 1, 255),
	{"mac", ARG_MAC, false, 0, 0},
	END,
};
static const struct arg_spec a_vtep_remote[] = {
	NAME("bridge", true), {"remote", ARG_IP, true, 0, 0},
	NAME("vtep", false),  NAME("port", false),
	VLAN("vlan"),	      END,
};
static const struct arg_spec a_vtep_remote_del[] = {
	NAME("bridge", true),
	{"remote", ARG_IP, true, 0, 0},
	END,
};
static const struct arg_spec a_vtep_neigh_add[] = {
	NAME("vtep", true),
	{"ip", ARG_IP, true, 0, 0},
	{"mac", ARG_MAC, true, 0, 0},
	END,
};
static const struct arg_spec a_vtep_neigh_del[] = {
	NAME("vtep", true),
	{"ip", ARG_IP, true, 0, 0},
	END,
};
static const struct arg_spec a_port_add[] = {
	NAME("name", true),
	{"type", ARG_STRING, true, 0, 0},
	{"options", ARG_OBJECT, false, 0, 0},
	U("storm_pps", 0, 100000000),
	U("storm_burst", 1, 1000000),
	U("max_macs", 0, 4194304),
	END,
};
static const struct arg_spec a_port_set[] = {
	NAME("name", true),
	U("storm_pps", 0, 100000000),
	U("storm_burst", 1, 1000000),
	U("max_macs", 0, 4194304),
	END,
};
static const struct arg_spec a_port_attach[] = {
	NAME("port", true),
	NAME("bridge", true),
	VLAN("vlan"),
	{"trunk", ARG_TRUNK, false, 0, 0},
	U("native", 0, VSW_VLAN_MAX),
	END,
};
static const struct arg_spec a_port[] = {NAME("port", true), END};
static const struct arg_spec a_port_opt[] = {NAME("port", false), END};
static const struct arg_spec a_fdb_add[] = {
	NAME("bridge", true), {"mac", ARG_MAC, true, 0, 0}, NAME("port", true), VLAN("vlan"), END,
};
static const struct arg_spec a_fdb_del[] = {
	NAME("bridge", true),
	{"mac", ARG_MAC, true, 0, 0},
	VLAN("vlan"),
	END,
};
static const struct arg_spec a_fdb_show[] = {
	NAME("bridge", true),
	NAME("port", false),
	VLAN("vlan"),
	END,
};
static const struct arg_spec a_fdb_flush[] = {
	NAME("bridge", true),
	NAME("port", false),
	VLAN("vlan"),
	{"static", ARG_BOOL, false, 0, 0},
	END,
};

static const struct arg_spec a_capture_start[] = {
	NAME("port", false),
	{"direction", ARG_STRING, false, 0, 0},
	{"drops", ARG_BOOL, false, 0, 0},
	{"filter", ARG_STRING, false, 0, 0},
	U("snaplen", 1, DP_CAPTURE_SNAPLEN_MAX),
	U("count", 0, INT64_C(1) << 48),
	U("duration_s", 0, 31536000),
	{"format", ARG_STRING, false, 0, 0},
	END,
};
static const struct arg_spec a_capture_id[] = {{"id", ARG_UINT, true, 1, UINT32_MAX}, END};
static const struct arg_spec a_capture_list[] = {U("id", 1, UINT32_MAX), END};
static const struct arg_spec a_record_start[] = {
	NAME("bridge", true),
	{"file", ARG_STRING, true, 0, 0},
	U("max_size_kb", 0, 1u << 30),
	U("max_files", 1, DP_RECORD_FILES_MAX),
	{"filter", ARG_STRING, false, 0, 0},
	U("snaplen", 1, DP_CAPTURE_SNAPLEN_MAX),
	{"format", ARG_STRING, false, 0, 0},
	END,
};
static const struct arg_spec a_record_stop[] = {U("id", 1, UINT32_MAX), NAME("bridge", false), END};
static const struct arg_spec a_record_list[] = {NAME("bridge", false), END};
static const struct arg_spec a_trace_start[] = {
	NAME("port", true),
	{"filter", ARG_STRING, false, 0, 0},
	U("count", 1, DP_TRACE_MAX),
	END,
};
static const struct arg_spec a_trace_packet[] = {
	NAME("in_port", true),
	{"dl_src", ARG_MAC, true, 0, 0},
	{"dl_dst", ARG_MAC, true, 0, 0},
	U("vlan", 0, VSW_VLAN_MAX),
	{"nw_src", ARG_IP, false, 0, 0}, /* IPv4 or IPv6: the frame's IP version */
	{"nw_dst", ARG_IP, false, 0, 0},
	U("nw_proto", 0, 255),
	U("tp_src", 0, 65535),
	U("tp_dst", 0, 65535),
	END,
};

static const struct arg_spec a_flow_add[] = {
	NAME("bridge", true),
	NAME("name", false),
	U("priority", 0, 65535),
	{"match", ARG_OBJECT, false, 0, 0},
	{"actions", ARG_ARRAY, false, 0, 0},
	{"flows", ARG_ARRAY, false, 0, 0},
	END,
};
static const struct arg_spec a_flow_del[] = {
	NAME("bridge", true),
	U("id", 1, UINT32_MAX),
	NAME("name", false),
	{"all", ARG_BOOL, false, 0, 0},
	END,
};
static const struct arg_spec a_flow_mod[] = {
	NAME("bridge", true),
	U("id", 1, UINT32_MAX),
	NAME("name", false),
	U("priority", 0, 65535),
	{"actions", ARG_ARRAY, true, 0, 0},
	END,
};
static const struct arg_spec a_flow_dump[] = {NAME("bridge", true), END};

static const struct ctl_cmd ctl_cmds[] = {
	{"info", h_info, false, a_none},
	{"bridge-add", h_bridge_add, true, a_bridge},
	{"bridge-del", h_bridge_del, true, a_name},
	{"bridge-set", h_bridge_set, true, a_bridge},
	{"bridge-list", h_bridge_list, false, a_name_opt},
	{"port-add", h_port_add, true, a_port_add},
	{"port-del", h_port_del, true, a_name},
	{"port-set", h_port_set, true, a_port_set},
	{"port-list", h_port_list, false, a_name_opt},
	{"port-attach", h_port_attach, true, a_port_attach},
	{"port-detach", h_port_detach, true, a_port},
	{"fdb-add", h_fdb_add, true, a_fdb_add},
	{"fdb-del", h_fdb_del, true, a_fdb_del},
	{"fdb-show", h_fdb_show, false, a_fdb_show},
	{"fdb-flush", h_fdb_flush, true, a_fdb_flush},
	{"stats", h_stats, false, a_port_opt},
	{"stats-clear", h_stats_clear, true, a_port_opt},
	{"drop-reasons", h_drop_reasons, false, a_none},
	{"flow-add", h_flow_add, true, a_flow_add},
	{"flow-del", h_flow_del, true, a_flow_del},
	{"flow-mod", h_flow_mod, true, a_flow_mod},
	{"flow-dump", h_flow_dump, false, a_flow_dump},
	/* capturing traffic is reading other people's frames: only for writers */
	{"capture-start", h_capture_start, true, a_capture_start},
	{"capture-stop", h_capture_stop, true, a_capture_id},
	{"capture-list", h_capture_list, false, a_capture_list},
	{"record-start", h_record_start, true, a_record_start},
	{"record-stop", h_record_stop, true, a_record_stop},
	{"record-list", h_record_list, false, a_record_list},
	{"trace-start", h_trace_start, true, a_trace_start},
	{"trace-show", h_trace_show, true, a_capture_id}, /* shows frames: writers only */
	{"trace-packet", h_trace_packet, false, a_trace_packet},
	{"vtep-add", h_vtep_add, true, a_vtep_add},
	{"vtep-del", h_vtep_del, true, a_name},
	{"vtep-list", h_vtep_list, false, a_name_opt},
	{"vtep-remote-add", h_vtep_remote_add, true, a_vtep_remote},
	{"vtep-remote-del", h_vtep_remote_del, true, a_vtep_remote_del},
	{"vtep-neigh-add", h_vtep_neigh_add, true, a_vtep_neigh_add},
	{"vtep-neigh-del", h_vtep_neigh_del, true, a_vtep_neigh_del},
};
#define N_CMDS (sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

static const struct ctl_cmd *cmd_find(const char *name)
{
	for (size_t i = 0; i < N_CMDS; i++) {
		if (strcmp(ctl_cmds[i].name, name) == 0)
			return &ctl_cmds[i];
	}
	return NULL;
}

bool ctl_cmd_mutating(const char *cmd)
{
	const struct ctl_cmd *c = cmd != NULL ? cmd_find(cmd) : NULL;

	return c != NULL && c->mutating;
}

/* ---- the envelope ---- */

static int request_check(struct req *r, json_t *msg, json_int_t *id, bool may_write)
{
	static const char *const keys[] = {"v", "id", "cmd", "args"};
	json_t *v, *cmd, *args;
	const char *key;
	char expect[512];
	size_t n = 0;

	if (!json_is_object(msg))
		return fail(r, EPROTO, "request is %s (expected a JSON object)", json_kind(msg));
	v = json_object_get(msg, "v");
	if (v == NULL)
		return fail(r, EPROTO, "missing v (expected %d)", VSW_PROTO_VERSION);
	if (!json_is_integer(v) || json_integer_value(v) != VSW_PROTO_VERSION) {
		if (json_is_integer(v))
			return fail(r, EPROTO,
				    "protocol version %" JSON_INTEGER_FORMAT
				    " not supported (expected %d)",
				    json_integer_value(v), VSW_PROTO_VERSION);
		return fail(r, EPROTO, "v is %s (expected the integer %d)", json_kind(v),
			    VSW_PROTO_VERSION);
	}
	json_t *jid = json_object_get(msg, "id");
	if (jid != NULL) {
		if (!json_is_integer(jid))
			return fail(r, EINVAL, "id is %s (expected an integer)", json_kind(jid));
		*id = json_integer_value(jid);
	}
	json_object_foreach(msg, key, v) {
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (strcmp(keys[i], key) == 0)
				break;
		}
		if (i == sizeof(keys) / sizeof(keys[0]))
			return fail(r, EINVAL, "unknown key \"%s\" (expected v, id, cmd, args)",
				    Q(key));
	}
	cmd = json_object_get(msg, "cmd");
	if (cmd == NULL)
		return fail(r, EINVAL, "missing cmd (expected a command name)");
	if (!json_is_string(cmd))
		return fail(r, EINVAL, "cmd is %s (expected a command name)", json_kind(cmd));
	r->cmd = cmd_find(json_string_value(cmd));
	if (r->cmd == NULL) {
		for (size_t i = 0; i < N_CMDS && n < sizeof(expect); i++) {
			int w = snprintf(expect + n, sizeof(expect) - n, "%s%s", i ? ", " : "",
					 ctl_cmds[i].name);

			n += w > 0 ? (size_t)w : 0;
		}
		return fail(r, EOPNOTSUPP, "unknown command \"%s\" (expected %s)",
			    Q(json_string_value(cmd)), expect);
	}
	args = json_object_get(msg, "args");
	if (args != NULL && !json_is_object(args))
		return fail(r, EINVAL, "args is %s (expected an object)", json_kind(args));
	if (r->cmd->mutating && !may_write)
		return fail(r, EPERM,
			    "not allowed to change state (expected a peer with uid 0 or in the "
			    "socket's group)");
	r->args = args;
	return 0;
}

/* Last resort when the reply itself cannot be allocated. */
static char *reply_oom(json_int_t id)
{
	char buf[128];

	snprintf(buf, sizeof(buf),
		 "{\"v\":%d,\"id\":%" JSON_INTEGER_FORMAT
		 ",\"status\":%d,\"error\":\"out of memory\"}",
		 VSW_PROTO_VERSION, id, ENOMEM);
	return strdup(buf);
}

static char *reply_dump(json_int_t id, int status, json_t *result, const char *err)
{
	json_t *msg = json_object();
	char *line;
	bool oom = false;

	if (msg == NULL) {
		json_decref(result);
		return reply_oom(id);
	}
	oom |= json_object_set_new(msg, "v", json_integer(VSW_PROTO_VERSION)) < 0;
	oom |= json_object_set_new(msg, "id", json_integer(id)) < 0;
	oom |= json_object_set_new(msg, "status", json_integer(status)) < 0;
	if (status == 0) {
		oom |= json_object_set_new(msg, "result", result != NULL ? result : json_object()) <
		       0;
	} else {
		json_t *e = json_string(err);

		json_decref(result);
		if (e == NULL) /* a dp_* message that is not UTF-8 */
			e = json_string(quote((char[ERR_SIZE]){0}, ERR_SIZE, err));
		oom |= json_object_set_new(msg, "error", e) < 0;
	}
	line = oom ? NULL : json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(msg);
	return line != NULL ? line : reply_oom(id);
}

char *ctl_handle_request(struct dp *dp, const char *line, size_t len, bool may_write)
{
	return ctl_handle_request_conn(dp, line, len, may_write, NULL);
}

void ctl_conn_closed(struct dp *dp, uint64_t conn_id)
{
	dp_capture_owner_gone(dp, conn_id);
}

char *ctl_handle_request_conn(struct dp *dp, const char *line, size_t len, bool may_write,
			      struct ctl_conn *conn)
{
	struct req r = {.dp = dp, .conn = conn};
	json_int_t id = 0;
	json_error_t jerr;
	json_t *msg, *empty = NULL;
	char *out;
	int rc;

	/* duplicate keys are refused: which of two "name"s was meant cannot be known */
	msg = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (msg == NULL) {
		rc = fail(&r, EPROTO, "malformed JSON at byte %d: %s (expected one JSON object)",
			  jerr.position, jerr.text);
		return reply_dump(0, -rc, NULL, r.err);
	}
	rc = request_check(&r, msg, &id, may_write);
	if (rc == 0 && r.args == NULL) {
		empty = json_object();
		r.args = empty;
		if (empty == NULL)
			rc = fail(&r, ENOMEM, "out of memory");
	}
	if (rc == 0)
		rc = args_check(&r);
	if (rc == 0)
		rc = r.cmd->fn(&r);
	if (rc == 0 && r.oom)
		rc = fail(&r, ENOMEM, "out of memory building the reply");
	if (rc < 0) {
		json_decref(r.result);
		r.result = NULL;
	}
	json_decref(empty);
	json_decref(msg);
	out = reply_dump(id, -rc, r.result, r.err);
	if (out != NULL && strlen(out) > CTL_REPLY_MAX) {
		size_t size = strlen(out);

		free(out);
		fail(&r, EMSGSIZE,
		     "reply of %zu bytes is too large (expected at most %u; narrow the request)",
		     size, CTL_REPLY_MAX);
		out = reply_dump(id, EMSGSIZE, NULL, r.err);
	}
	return out;
}
