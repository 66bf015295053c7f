/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswctl's commands: the table of command words, their help, and the translation of
 * `vswctl bridge add br0 aging=60` into {"cmd":"bridge-add","args":{...}}. Everything a
 * person can get wrong on the command line is caught here, before anything is sent, so it
 * ends as a usage error (exit 2) naming the word at fault. vswctl_main at the bottom is
 * the whole program; vswctl.c only calls it.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vsw_client.h"
#include "vsw_proto.h"
#include "vsw_util.h"
#include "vswctl.h"
#include "vswctl_ctrl.h"
#include "vswctl_check.h"

#ifndef VSW_VERSION
#define VSW_VERSION "unknown"
#endif

#define DEFAULT_TIMEOUT_MS 10000
#define VLAN_MAX 4094

#define F_MAY_EXIST (1u << 0) /* --may-exist turns EEXIST into success */
#define F_IF_EXISTS (1u << 1) /* --if-exists turns ENOENT into success */

struct cmd {
	const char *obj;   /* first word */
	const char *verb;  /* second word; NULL: the object alone is the command */
	const char *alias; /* another second word ("list" for "show") */
	const char *wire;  /* protocol command; NULL for raw */
	enum vswctl_out out;
	unsigned int flags;
	const char *synopsis;
	const char *help;
	/* Fills req->args from the words after the command (flags removed); NULL: the
	 * command takes no words and no args. */
	int (*parse)(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
		     char *err, size_t errsz);
	const struct named *named; /* for parse_named */
};

__attribute__((format(printf, 4, 5))) static int usage(char *err, size_t errsz,
						       const struct cmd *cmd, const char *fmt, ...)
{
	size_t off = 0;
	va_list ap;
	int n;

	if (cmd != NULL) {
		n = snprintf(err, errsz, "%s%s%s: ", cmd->obj, cmd->verb ? " " : "",
			     cmd->verb ? cmd->verb : "");
		off = n > 0 && (size_t)n < errsz ? (size_t)n : 0;
	}
	va_start(ap, fmt);
	vsnprintf(err + off, errsz - off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int put(json_t *obj, const char *key, json_t *val, char *err, size_t errsz)
{
	if (val == NULL || json_object_set_new(obj, key, val) < 0) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* Plain decimal only: "0x10", "-1", "1e3" or " 5" are typos on a switch's command line. */
static int parse_u32(const char *s, uint32_t *v)
{
	uint64_t x = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		x = x * 10 + (uint64_t)(*s - '0');
		if (x > UINT32_MAX)
			return -ERANGE;
	}
	*v = (uint32_t)x;
	return 0;
}

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int put_name(const struct cmd *cmd, json_t *args, const char *field, const char *what,
		    const char *s, char *err, size_t errsz)
{
	if (!vsw_name_valid(s))
		return usage(err, errsz, cmd,
			     "invalid %s name \"%s\" (1 to 31 characters of A-Z a-z 0-9 _ . -)",
			     what, s);
	return put(args, field, json_string(s), err, errsz);
}

/*
 * The n-th word, which must be a positional (names never contain '=', so a KEY=VALUE in
 * its place means the positional was forgotten).
 */
static const char *positional(const struct cmd *cmd, int argc, char **argv, int n, const char *what,
			      char *err, size_t errsz)
{
	if (n >= argc) {
		usage(err, errsz, cmd, "missing %s", what);
		return NULL;
	}
	if (strchr(argv[n], '=') != NULL) {
		usage(err, errsz, cmd, "missing %s before \"%s\"", what, argv[n]);
		return NULL;
	}
	return argv[n];
}

/* Trunk list -> protocol array: single VLANs as numbers, runs as "lo-hi" strings. */
static json_t *trunk_array(const uint8_t bitmap[512])
{
	json_t *a = json_array();
	unsigned int v, lo;
	char range[16];

	if (a == NULL)
		return NULL;
	for (v = 1; v <= VLAN_MAX; v++) {
		if (!vsw_vlan_bit(bitmap, v))
			continue;
		lo = v;
		while (v + 1 <= VLAN_MAX && vsw_vlan_bit(bitmap, v + 1))
			v++;
		if (lo == v) {
			if (json_array_append_new(a, json_integer(v)) < 0)
				goto out_free;
		} else {
			snprintf(range, sizeof(range), "%u-%u", lo, v);
			if (json_array_append_new(a, json_string(range)) < 0)
				goto out_free;
		}
	}
	return a;
out_free:
	json_decref(a);
	return NULL;
}

enum kv_type {
	KV_U32,	  /* unsigned 32-bit number */
	KV_VLAN,  /* 1..4094 */
	KV_VLAN0, /* 0..4094, 0 = none */
	KV_PORT,  /* a port name */
	KV_TRUNK, /* a VLAN list, sent as an array */
	KV_STR,	  /* text, checked by the dataplane (an IPv4 address, a MAC) */
};

struct kv {
	const char *key;   /* on the command line */
	const char *field; /* in args */
	enum kv_type type;
};

static const struct kv bridge_kvs[] = {
	{"aging", "mac_aging_s", KV_U32}, /* short for the protocol's name */
	{"mac_aging_s", "mac_aging_s", KV_U32},
	{"max_macs", "max_macs", KV_U32},
	{"move_damp", "move_damp", KV_U32},
	{"move_damp_s", "move_damp_s", KV_U32},
	{"vni", "vni", KV_U32},
	{"remote_max_macs", "remote_max_macs", KV_U32},
	{NULL, NULL, 0},
};
static const struct kv vtep_kvs[] = {
	{"gateway", "gateway", KV_STR}, {"udp_port", "udp_port", KV_U32}, {"mtu", "mtu", KV_U32},
	{"ttl", "ttl", KV_U32},		{"mac", "mac", KV_STR},		  {NULL, NULL, 0},
};
static const struct kv remote_kvs[] = {
	{"vtep", "vtep", KV_PORT}, /* a name, checked as names are */
	{"port", "port", KV_PORT},
	{"vlan", "vlan", KV_VLAN},
	{NULL, NULL, 0},
};
static const struct kv port_kvs[] = {
	{"storm_pps", "storm_pps", KV_U32},
	{"storm_burst", "storm_burst", KV_U32},
	{"max_macs", "max_macs", KV_U32},
	{NULL, NULL, 0},
};
static const struct kv attach_kvs[] = {
	{"vlan", "vlan", KV_VLAN},
	{"trunk", "trunk", KV_TRUNK},
	{"native", "native", KV_VLAN0},
	{NULL, NULL, 0},
};
static const struct kv vlan_kvs[] = {
	{"vlan", "vlan", KV_VLAN},
	{NULL, NULL, 0},
};
static const struct kv fdb_filter_kvs[] = {
	{"port", "port", KV_PORT},
	{"vlan", "vlan", KV_VLAN},
	{NULL, NULL, 0},
};

static const struct kv *kv_find(const struct kv *kvs, const char *key, size_t keylen)
{
	for (; kvs->key != NULL; kvs++)
		if (strlen(kvs->key) == keylen && strncmp(kvs->key, key, keylen) == 0)
			return kvs;
	return NULL;
}

static void kv_list(const struct kv *kvs, char *buf, size_t size)
{
	size_t off = 0;
	int n;

	buf[0] = '\0';
	for (; kvs->key != NULL && off < size; kvs++) {
		n = snprintf(buf + off, size - off, "%s%s", off ? ", " : "", kvs->key);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* Split "key=value"; the key is not NUL-terminated (argv stays untouched). */
static int kv_split(const struct cmd *cmd, const char *arg, size_t *keylen, const char **val,
		    char *err, size_t errsz)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg)
		return usage(err, errsz, cmd, "expected KEY=VALUE, got \"%s\"", arg);
	*keylen = (size_t)(eq - arg);
	*val = eq + 1;
	return 0;
}

static int kv_one(const struct cmd *cmd, const struct kv *kv, const char *val, json_t *args,
		  char *err, size_t errsz)
{
	uint8_t bitmap[512];
	char why[128];
	uint32_t n;
	int rc;

	switch (kv->type) {
	case KV_U32:
		rc = parse_u32(val, &n);
		if (rc == -ERANGE)
			return usage(err, errsz, cmd, "%s=%s is out of range (at most %u)", kv->key,
				     val, UINT32_MAX);
		if (rc < 0)
			return usage(err, errsz, cmd, "%s=%s is not a number", kv->key, val);
		return put(args, kv->field, json_integer(n), err, errsz);
	case KV_VLAN:
	case KV_VLAN0:
		if (parse_u32(val, &n) < 0 || n > VLAN_MAX || (n == 0 && kv->type == KV_VLAN))
			return usage(err, errsz, cmd, "%s=%s is not a VLAN id (%u to %u)", kv->key,
				     val, kv->type == KV_VLAN ? 1 : 0, VLAN_MAX);
		return put(args, kv->field, json_integer(n), err, errsz);
	case KV_PORT:
		return put_name(cmd, args, kv->field, "port", val, err, errsz);
	case KV_STR:
		if (*val == '\0')
			return usage(err, errsz, cmd, "%s= needs a value", kv->key);
		return put(args, kv->field, json_string(val), err, errsz);
	case KV_TRUNK:
		if (*val == '\0')
			return usage(err, errsz, cmd, "trunk= needs a VLAN list such as 10,20-30");
		memset(bitmap, 0, sizeof(bitmap));
		why[0] = '\0';
		if (vsw_vlan_list_parse(val, bitmap, why, sizeof(why)) < 0)
			return usage(err, errsz, cmd, "trunk=%s: %s", val,
				     why[0] ? why : "not a VLAN list such as 10,20-30");
		return put(args, kv->field, trunk_array(bitmap), err, errsz);
	}
	return usage(err, errsz, cmd, "internal error: key type %d", kv->type);
}

/* Every word from argv[first] on must be KEY=VALUE with a key from kvs, at most once. */
static int parse_kvs(const struct cmd *cmd, int argc, char **argv, int first, const struct kv *kvs,
		     json_t *args, char *err, size_t errsz)
{
	const struct kv *kv;
	const char *val = NULL;
	size_t keylen = 0;
	char keys[128];
	int i, rc;

	for (i = first; i < argc; i++) {
		rc = kv_split(cmd, argv[i], &keylen, &val, err, errsz);
		if (rc < 0)
			return rc;
		kv = kv_find(kvs, argv[i], keylen);
		if (kv == NULL) {
			kv_list(kvs, keys, sizeof(keys));
			return usage(err, errsz, cmd, "unknown key \"%.*s\" (expected %s)",
				     (int)keylen, argv[i], keys);
		}
		if (json_object_get(args, kv->field) != NULL)
			return usage(err, errsz, cmd, "%s given twice", kv->key);
		rc = kv_one(cmd, kv, val, args, err, errsz);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* NAME followed by KEY=VALUEs from kvs; set requires at least one. */
static int parse_name_kvs(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			  const char *what, const struct kv *kvs, bool need_kv, char *err,
			  size_t errsz)
{
	const char *name = positional(cmd, argc, argv, 0, what, err, errsz);
	char keys[128];
	int rc;

	if (name == NULL)
		return -EINVAL;
	rc = put_name(cmd, req->args, "name", what, name, err, errsz);
	if (rc < 0)
		return rc;
	if (need_kv && argc < 2) {
		kv_list(kvs, keys, sizeof(keys));
		return usage(err, errsz, cmd, "nothing to set (keys: %s)", keys);
	}
	return parse_kvs(cmd, argc, argv, 1, kvs, req->args, err, errsz);
}

static int parse_one_name(const struct cmd *cmd, int argc, char **argv, json_t *args,
			  const char *field, const char *what, bool optional, char *err,
			  size_t errsz)
{
	const char *name;

	if (optional && argc == 0)
		return 0;
	name = positional(cmd, argc, argv, 0, what, err, errsz);
	if (name == NULL)
		return -EINVAL;
	if (argc > 1)
		return usage(err, errsz, cmd, "unexpected \"%s\"", argv[1]);
	return put_name(cmd, args, field, what, name, err, errsz);
}

/*
 * The commands whose words are one NAME, maybe followed by KEY=VALUEs (bridge add|set|del,
 * port set|del|detach, vtep del, their show, stats): what each reads is in its table entry.
 */
struct named {
	const char *field;    /* the args key the name goes in */
	const char *what;     /* "bridge", "port", "VTEP": for messages */
	bool optional;	      /* no name: all of them (show, stats) */
	const struct kv *kvs; /* KEY=VALUE words after the name; NULL: none */
	bool need_kv;	      /* at least one (a set) */
};

static const struct named n_bridge_add = {"name", "bridge", false, bridge_kvs, false};
static const struct named n_bridge_set = {"name", "bridge", false, bridge_kvs, true};
static const struct named n_bridge = {"name", "bridge", false, NULL, false};
static const struct named n_bridge_opt = {"name", "bridge", true, NULL, false};
static const struct named n_port_set = {"name", "port", false, port_kvs, true};
static const struct named n_port = {"name", "port", false, NULL, false};
static const struct named n_port_opt = {"name", "port", true, NULL, false};
static const struct named n_vtep = {"name", "VTEP", false, NULL, false};
static const struct named n_vtep_opt = {"name", "VTEP", true, NULL, false};
static const struct named n_detach = {"port", "port", false, NULL, false};
static const struct named n_stats = {"port", "port", true, NULL, false};

static int parse_named(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
		       char *err, size_t errsz)
{
	const struct named *n = cmd->named;

	if (n->kvs != NULL)
		return parse_name_kvs(cmd, argc, argv, req, n->what, n->kvs, n->need_kv, err,
				      errsz);
	return parse_one_name(cmd, argc, argv, req->args, n->field, n->what, n->optional, err,
			      errsz);
}

/* vtep add NAME PORT IP[/LEN] [KEY=VALUE...] */
static int parse_vtep_add(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			  char *err, size_t errsz)
{
	const char *name = positional(cmd, argc, argv, 0, "VTEP name", err, errsz);
	const char *port =
		name ? positional(cmd, argc, argv, 1, "underlay port", err, errsz) : NULL;
	const char *ip =
		port ? positional(cmd, argc, argv, 2, "local IP address", err, errsz) : NULL;
	char addr[64];
	const char *slash;
	uint32_t len;
	int rc;

	if (ip == NULL)
		return -EINVAL;
	rc = put_name(cmd, req->args, "name", "VTEP", name, err, errsz);
	if (rc == 0)
		rc = put_name(cmd, req->args, "port", "port", port, err, errsz);
	if (rc < 0)
		return rc;
	slash = strchr(ip, '/');
	snprintf(addr, sizeof(addr), "%.*s", slash ? (int)(slash - ip) : (int)strlen(ip), ip);
	if (slash != NULL) {
		unsigned int max = strchr(addr, ':') != NULL ? 128 : 32; /* IPv6 or IPv4 */

		if (parse_u32(slash + 1, &len) < 0 || len < 1 || len > max)
			return usage(err, errsz, cmd, "\"%s\": prefix length must be 1 to %u", ip,
				     max);
		rc = put(req->args, "prefix_len", json_integer(len), err, errsz);
		if (rc < 0)
			return rc;
	}
	rc = put(req->args, "local_ip", json_string(addr), err, errsz);
	if (rc < 0)
		return rc;
	return parse_kvs(cmd, argc, argv, 3, vtep_kvs, req->args, err, errsz);
}

/* vtep remote-add BRIDGE IP [vtep=NAME] [port=NAME] [vlan=N], remote-del BRIDGE IP */
static int parse_vtep_remote(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			     char *err, size_t errsz)
{
	const char *br = positional(cmd, argc, argv, 0, "bridge name", err, errsz);
	const char *ip =
		br ? positional(cmd, argc, argv, 1, "remote VTEP address", err, errsz) : NULL;
	bool add = strcmp(cmd->verb, "remote-add") == 0;
	int rc;

	if (ip == NULL)
		return -EINVAL;
	rc = put_name(cmd, req->args, "bridge", "bridge", br, err, errsz);
	if (rc == 0)
		rc = put(req->args, "remote", json_string(ip), err, errsz);
	if (rc < 0)
		return rc;
	if (!add && argc > 2)
		return usage(err, errsz, cmd, "unexpected \"%s\"", argv[2]);
	return parse_kvs(cmd, argc, argv, 2, remote_kvs, req->args, err, errsz);
}

/* vtep neigh-add VTEP IP MAC, neigh-del VTEP IP */
static int parse_vtep_neigh(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			    char *err, size_t errsz)
{
	bool add = strcmp(cmd->verb, "neigh-add") == 0;
	const char *v = positional(cmd, argc, argv, 0, "VTEP name", err, errsz);
	const char *ip = v ? positional(cmd, argc, argv, 1, "neighbour address", err, errsz) : NULL;
	const char *mac =
		ip && add ? positional(cmd, argc, argv, 2, "MAC address", err, errsz) : NULL;
	int rc;

	if (ip == NULL || (add && mac == NULL))
		return -EINVAL;
	if (argc > (add ? 3 : 2))
		return usage(err, errsz, cmd, "unexpected \"%s\"", argv[add ? 3 : 2]);
	rc = put_name(cmd, req->args, "vtep", "VTEP", v, err, errsz);
	if (rc == 0)
		rc = put(req->args, "ip", json_string(ip), err, errsz);
	if (rc == 0 && add)
		rc = put(req->args, "mac", json_string(mac), err, errsz);
	return rc;
}

/* Type-specific options whose digits mean a number; others stay strings ("rx_pcap=123"
 * is a file name), so the dataplane sees the type it documents. */
/* Options that are booleans in docs/protocol.md */
static bool bool_option(const char *key)
{
	return strcmp(key, "infinite_rx") == 0 || strcmp(key, "rx") == 0;
}

static bool numeric_option(const char *key, size_t keylen)
{
	static const char *const numeric[] = {"qpairs", "queues", "size"};
	size_t i;

	for (i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++)
		if (strlen(numeric[i]) == keylen && strncmp(numeric[i], key, keylen) == 0)
			return true;
	return false;
}

static int parse_port_add(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			  char *err, size_t errsz)
{
	const char *name, *type, *val = NULL;
	const struct kv *kv;
	char key[64];
	json_t *opts, *v;
	size_t keylen = 0;
	uint32_t n;
	int i, rc;

	name = positional(cmd, argc, argv, 0, "port name", err, errsz);
	if (name == NULL)
		return -EINVAL;
	rc = put_name(cmd, req->args, "name", "port", name, err, errsz);
	if (rc < 0)
		return rc;
	type = positional(cmd, argc, argv, 1,
			  "port type (pcap, null, ring, af_packet, tap, vhost-user)", err, errsz);
	if (type == NULL)
		return -EINVAL;
	rc = put(req->args, "type", json_string(type), err, errsz);
	if (rc < 0)
		return rc;
	opts = json_object();
	rc = put(req->args, "options", opts, err, errsz);
	if (rc < 0)
		return rc;
	for (i = 2; i < argc; i++) {
		rc = kv_split(cmd, argv[i], &keylen, &val, err, errsz);
		if (rc < 0)
			return rc;
		kv = kv_find(port_kvs, argv[i], keylen);
		if (kv != NULL) {
			if (json_object_get(req->args, kv->field) != NULL)
				return usage(err, errsz, cmd, "%s given twice", kv->key);
			rc = kv_one(cmd, kv, val, req->args, err, errsz);
			if (rc < 0)
				return rc;
			continue;
		}
		if (keylen >= sizeof(key))
			return usage(err, errsz, cmd, "option name \"%.*s\" is too long",
				     (int)keylen, argv[i]);
		memcpy(key, argv[i], keylen);
		key[keylen] = '\0';
		if (json_object_get(opts, key) != NULL)
			return usage(err, errsz, cmd, "%s given twice", key);
		if (strcmp(val, "true") == 0 || strcmp(val, "false") == 0)
			v = json_boolean(val[0] == 't');
		else if (bool_option(key) && (strcmp(val, "1") == 0 || strcmp(val, "0") == 0))
			v = json_boolean(val[0] == '1'); /* DPDK's own spelling: infinite_rx=1 */
		else if (numeric_option(key, keylen) && all_digits(val))
			v = parse_u32(val, &n) == 0 ? json_integer(n) : NULL;
		else
			v = json_string(val);
		if (v == NULL && numeric_option(key, keylen))
			return usage(err, errsz, cmd, "%s=%s is out of range", key, val);
		rc = put(opts, key, v, err, errsz);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int parse_attach(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			char *err, size_t errsz)
{
	const char *port, *bridge;
	int rc;

	port = positional(cmd, argc, argv, 0, "port name", err, errsz);
	if (port == NULL)
		return -EINVAL;
	rc = put_name(cmd, req->args, "port", "port", port, err, errsz);
	if (rc < 0)
		return rc;
	bridge = positional(cmd, argc, argv, 1, "bridge name", err, errsz);
	if (bridge == NULL)
		return -EINVAL;
	rc = put_name(cmd, req->args, "bridge", "bridge", bridge, err, errsz);
	if (rc < 0)
		return rc;
	rc = parse_kvs(cmd, argc, argv, 2, attach_kvs, req->args, err, errsz);
	if (rc < 0)
		return rc;
	if (json_object_get(req->args, "vlan") && json_object_get(req->args, "trunk"))
		return usage(
			err, errsz, cmd,
			"vlan= (an access port) and trunk= (a tagged port) exclude each other");
	if (json_object_get(req->args, "native") && !json_object_get(req->args, "trunk"))
		return usage(err, errsz, cmd,
			     "native= needs trunk= (it is a trunk's untagged VLAN)");
	return 0;
}

/* BRIDGE MAC [PORT]: the MAC goes out in canonical lower case. */
static int parse_fdb_key(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			 bool with_port, char *err, size_t errsz)
{
	const char *bridge, *mac, *port;
	uint8_t addr[6];
	char buf[18];
	int rc;

	bridge = positional(cmd, argc, argv, 0, "bridge name", err, errsz);
	if (bridge == NULL)
		return -EINVAL;
	rc = put_name(cmd, req->args, "bridge", "bridge", bridge, err, errsz);
	if (rc < 0)
		return rc;
	mac = positional(cmd, argc, argv, 1, "MAC address", err, errsz);
	if (mac == NULL)
		return -EINVAL;
	if (vsw_mac_parse(mac, addr) < 0)
		return usage(err, errsz, cmd,
			     "invalid MAC address \"%s\" (expected xx:xx:xx:xx:xx:xx)", mac);
	vsw_mac_format(addr, buf);
	rc = put(req->args, "mac", json_string(buf), err, errsz);
	if (rc < 0)
		return rc;
	if (!with_port)
		return parse_kvs(cmd, argc, argv, 2, vlan_kvs, req->args, err, errsz);
	port = positional(cmd, argc, argv, 2, "port name", err, errsz);
	if (port == NULL)
		return -EINVAL;
	rc = put_name(cmd, req->args, "port", "port", port, err, errsz);
	if (rc < 0)
		return rc;
	return parse_kvs(cmd, argc, argv, 3, vlan_kvs, req->args, err, errsz);
}

static int parse_fdb_add(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			 char *err, size_t errsz)
{
	return parse_fdb_key(cmd, argc, argv, req, true, err, errsz);
}

static int parse_fdb_del(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			 char *err, size_t errsz)
{
	return parse_fdb_key(cmd, argc, argv, req, false, err, errsz);
}

static int parse_fdb_show(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			  char *err, size_t errsz)
{
	const char *bridge = positional(cmd, argc, argv, 0, "bridge name", err, errsz);
	int rc;

	if (bridge == NULL)
		return -EINVAL;
	rc = put_name(cmd, req->args, "bridge", "bridge", bridge, err, errsz);
	if (rc < 0)
		return rc;
	return parse_kvs(cmd, argc, argv, 1, fdb_filter_kvs, req->args, err, errsz);
}

static int parse_fdb_flush(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			   char *err, size_t errsz)
{
	const char *bridge = positional(cmd, argc, argv, 0, "bridge name", err, errsz);
	int i, rc;

	if (bridge == NULL)
		return -EINVAL;
	rc = put_name(cmd, req->args, "bridge", "bridge", bridge, err, errsz);
	if (rc < 0)
		return rc;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "static") == 0) {
			if (json_object_get(req->args, "static") != NULL)
				return usage(err, errsz, cmd, "static given twice");
			rc = put(req->args, "static", json_true(), err, errsz);
		} else {
			rc = parse_kvs(cmd, i + 1, argv, i, fdb_filter_kvs, req->args, err, errsz);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int parse_raw(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
		     char *err, size_t errsz)
{
	if (argc != 1)
		return usage(err, errsz, cmd,
			     argc ? "expects one JSON request (quote it)" : "missing JSON request");
	if (strchr(argv[0], '\n') != NULL)
		return usage(err, errsz, cmd, "the request must be one line");
	req->raw = argv[0];
	json_decref(req->args);
	req->args = NULL;
	return 0;
}

/* ---- flow tables, in the style of ovs-ofctl: `flow add br0 priority=200 in_port=p1
 * eth_type=ipv4 ip_proto=udp l4_dst=53 actions=drop` ---- */

/* Match keys: the protocol's own names, plus OVS's tcp_dst style (which also set ip_proto). */
static const struct {
	const char *key, *field, *proto;
	enum { FM_NAME, FM_VLAN, FM_TEXT, FM_SYM, FM_PORT, FM_VNI } type;
} flow_match_keys[] = {
	{"in_port", "in_port", NULL, FM_NAME},
	{"vlan", "vlan", NULL, FM_VLAN},
	{"eth_src", "eth_src", NULL, FM_TEXT},
	{"eth_dst", "eth_dst", NULL, FM_TEXT},
	{"eth_type", "eth_type", NULL, FM_SYM},
	{"ip_src", "ip_src", NULL, FM_TEXT},
	{"ip_dst", "ip_dst", NULL, FM_TEXT},
	{"ip_proto", "ip_proto", NULL, FM_SYM},
	{"l4_src", "l4_src", NULL, FM_PORT},
	{"l4_dst", "l4_dst", NULL, FM_PORT},
	{"tcp_src", "l4_src", "tcp", FM_PORT},
	{"tcp_dst", "l4_dst", "tcp", FM_PORT},
	{"udp_src", "l4_src", "udp", FM_PORT},
	{"udp_dst", "l4_dst", "udp", FM_PORT},
	{"sctp_src", "l4_src", "sctp", FM_PORT},
	{"sctp_dst", "l4_dst", "sctp", FM_PORT},
	{"vni", "vni", NULL, FM_VNI},
};
#define N_FLOW_MATCH_KEYS (sizeof(flow_match_keys) / sizeof(flow_match_keys[0]))

/* "0x0800" or "2048" -> number; anything else stays a name for the dataplane to check. */
static json_t *flow_sym_value(const char *v)
{
	char *end;
	unsigned long n;

	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X') && v[2] != '\0') {
		n = strtoul(v + 2, &end, 16);
		if (*end == '\0' && n <= 65535)
			return json_integer((json_int_t)n);
	}
	if (all_digits(v) && strlen(v) <= 5)
		return json_integer(atoi(v));
	return json_string(v);
}

/* actions=count,output:p2 -> ["count", "output:p2"] */
static int flow_put_actions(const struct cmd *cmd, json_t *args, const char *v, char *err,
			    size_t errsz)
{
	json_t *arr = json_array();
	const char *p = v;
	int rc;

	if (arr == NULL)
		return put(args, "actions", NULL, err, errsz);
	if (*v == '\0') {
		json_decref(arr);
		return usage(err, errsz, cmd, "actions= is empty (e.g. actions=drop)");
	}
	while (*p != '\0') {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char one[64];

		if (n == 0 || n >= sizeof(one)) {
			json_decref(arr);
			return usage(err, errsz, cmd, "actions=%s: empty or too long action", v);
		}
		memcpy(one, p, n);
		one[n] = '\0';
		if (json_array_append_new(arr, json_string(one)) < 0) {
			json_decref(arr);
			return put(args, "actions", NULL, err, errsz);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	rc = put(args, "actions", arr, err, errsz);
	return rc;
}

/* The words after BRIDGE of flow add (match allowed) or flow mod (not). */
static int flow_parse_words(const struct cmd *cmd, int argc, char **argv, json_t *args,
			    bool with_match, bool with_select, char *err, size_t errsz)
{
	json_t *match = json_object();
	const char *implied_proto = NULL;
	bool have_actions = false;
	uint32_t n;
	int rc = 0;

	if (match == NULL)
		return put(args, "match", NULL, err, errsz);
	for (int i = 1; i < argc && rc == 0; i++) {
		const char *v = NULL;
		size_t klen = 0, k;

		rc = kv_split(cmd, argv[i], &klen, &v, err, errsz);
		if (rc < 0)
			break;
		if (klen == 7 && strncmp(argv[i], "actions", 7) == 0) {
			rc = flow_put_actions(cmd, args, v, err, errsz);
			have_actions = true;
			continue;
		}
		if (klen == 8 && strncmp(argv[i], "priority", 8) == 0) {
			if (parse_u32(v, &n) < 0 || n > 65535)
				rc = usage(err, errsz, cmd, "priority=%s is not 0..65535", v);
			else
				rc = put(args, "priority", json_integer(n), err, errsz);
			continue;
		}
		if (klen == 4 && strncmp(argv[i], "name", 4) == 0) {
			rc = put_name(cmd, args, "name", "flow", v, err, errsz);
			continue;
		}
		if (with_select && klen == 2 && strncmp(argv[i], "id", 2) == 0) {
			if (parse_u32(v, &n) < 0 || n == 0)
				rc = usage(err, errsz, cmd, "id=%s is not a flow id", v);
			else
				rc = put(args, "id", json_integer(n), err, errsz);
			continue;
		}
		for (k = 0; with_match && k < N_FLOW_MATCH_KEYS; k++)
			if (strlen(flow_match_keys[k].key) == klen &&
			    strncmp(flow_match_keys[k].key, argv[i], klen) == 0)
				break;
		if (!with_match || k == N_FLOW_MATCH_KEYS) {
			rc = usage(err, errsz, cmd, "unknown key \"%.*s\" (expected %s)", (int)klen,
				   argv[i],
				   with_match
					   ? "name, priority, actions or a match field: in_port, "
					     "vlan, eth_src, eth_dst, eth_type, ip_src, ip_dst, "
					     "ip_proto, l4_src, l4_dst, tcp_dst, udp_dst, vni..."
					   : "id, name, priority, actions");
			break;
		}
		switch (flow_match_keys[k].type) {
		case FM_NAME:
			rc = put_name(cmd, match, flow_match_keys[k].field, "port", v, err, errsz);
			break;
		case FM_VLAN:
			if (parse_u32(v, &n) < 0 || n < 1 || n > VLAN_MAX)
				rc = usage(err, errsz, cmd, "vlan=%s is not 1..4094", v);
			else
				rc = put(match, "vlan", json_integer(n), err, errsz);
			break;
		case FM_PORT:
			if (parse_u32(v, &n) < 0 || n > 65535)
				rc = usage(err, errsz, cmd, "%.*s=%s is not 0..65535", (int)klen,
					   argv[i], v);
			else
				rc = put(match, flow_match_keys[k].field, json_integer(n), err,
					 errsz);
			if (flow_match_keys[k].proto != NULL)
				implied_proto = flow_match_keys[k].proto;
			break;
		case FM_VNI:
			if (parse_u32(v, &n) < 0 || n > 16777215)
				rc = usage(err, errsz, cmd, "vni=%s is not 0..16777215", v);
			else
				rc = put(match, "vni", json_integer(n), err, errsz);
			break;
		case FM_SYM:
			rc = put(match, flow_match_keys[k].field, flow_sym_value(v), err, errsz);
			break;
		case FM_TEXT:
			rc = put(match, flow_match_keys[k].field, json_string(v), err, errsz);
			break;
		}
	}
	if (rc == 0 && implied_proto != NULL && json_object_get(match, "ip_proto") == NULL)
		rc = put(match, "ip_proto", json_string(implied_proto), err, errsz);
	if (rc == 0 && !have_actions)
		rc = usage(err, errsz, cmd, "missing actions=... (e.g. actions=drop)");
	if (rc == 0 && json_object_size(match) > 0)
		return put(args, "match", match, err, errsz);
	json_decref(match);
	return rc;
}

static int parse_flow_add(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			  char *err, size_t errsz)
{
	const char *br = positional(cmd, argc, argv, 0, "BRIDGE", err, errsz);
	int rc;

	if (br == NULL)
		return -EINVAL;
	rc = put_name(cmd, req->args, "bridge", "bridge", br, err, errsz);
	return rc < 0 ? rc : flow_parse_words(cmd, argc, argv, req->args, true, false, err, errsz);
}

static int parse_flow_mod(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			  char *err, size_t errsz)
{
	const char *br = positional(cmd, argc, argv, 0, "BRIDGE", err, errsz);
	int rc;

	if (br == NULL)
		return -EINVAL;
	rc = put_name(cmd, req->args, "bridge", "bridge", br, err, errsz);
	if (rc == 0)
		rc = flow_parse_words(cmd, argc, argv, req->args, false, true, err, errsz);
	if (rc == 0 && json_object_get(req->args, "id") == NULL &&
	    json_object_get(req->args, "name") == NULL)
		rc = usage(err, errsz, cmd, "missing id=N or name=NAME");
	return rc;
}

static int parse_flow_show(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			   char *err, size_t errsz)
{
	return parse_one_name(cmd, argc, argv, req->args, "bridge", "bridge", false, err, errsz);
}

/* flow del BRIDGE id=N | name=NAME | all */
static int parse_flow_del(const struct cmd *cmd, int argc, char **argv, struct vswctl_req *req,
			  char *err, size_t errsz)
{
	const char *br = positional(cmd, argc, argv, 0, "BRIDGE", err, errsz);
	uint32_t n;
	int rc;

	if (br == NULL)
		return -EINVAL;
	rc = put_name(cmd, req->args, "bridge", "bridge", br, err, errsz);
	if (rc < 0)
		return rc;
	if (argc != 2)
		return usage(err, errsz, cmd, "expects BRIDGE and one of id=N, name=NAME, all");
	if (strcmp(argv[1], "all") == 0)
		return put(req->args, "all", json_true(), err, errsz);
	if (strncmp(argv[1], "id=", 3) == 0) {
		if (parse_u32(argv[1] + 3, &n) < 0 || n == 0)
			return usage(err, errsz, cmd, "%s is not a flow id", argv[1]);
		return put(req->args, "id", json_integer(n), err, errsz);
	}
	if (strncmp(argv[1], "name=", 5) == 0)
		return put_name(cmd, req->args, "name", "flow", argv[1] + 5, err, errsz);
	return usage(err, errsz, cmd, "\"%s\": expected id=N, name=NAME or all", argv[1]);
}

static const struct cmd cmds[] = {
	{"info", NULL, NULL, "info", VSWCTL_OUT_INFO, 0, "info",
	 "Show the dataplane's version, uptime, hugepage use and its workers with their\n"
	 "ports and load.",
	 NULL},
	{"bridge", "add", NULL, "bridge-add", VSWCTL_OUT_NONE, F_MAY_EXIST,
	 "bridge add NAME [aging=S] [max_macs=N] [move_damp=N] [move_damp_s=S] [vni=N]\n"
	 "           [remote_max_macs=N] [--may-exist]",
	 "Create a MAC-learning bridge.\n"
	 "  aging=S        seconds a learned MAC lives without traffic (1..1000000, default 300)\n"
	 "  max_macs=N     learned entries (1..4194304, default 65536)\n"
	 "  move_damp=N    moves of one MAC within a second that freeze it (0 = off, default 5)\n"
	 "  move_damp_s=S  seconds a flapping MAC stays frozen (default 10)\n"
	 "  vni=N          VXLAN network identifier (1..16777215; 0 = none): see vtep\n"
	 "  remote_max_macs=N  MACs learned from all remote VTEPs together (0 = no own cap)\n"
	 "  --may-exist    succeed if the bridge already exists (its settings are not changed)",
	 parse_named, &n_bridge_add},
	{"bridge", "del", NULL, "bridge-del", VSWCTL_OUT_NONE, F_IF_EXISTS,
	 "bridge del NAME [--if-exists]",
	 "Delete a bridge. Fails while ports are attached to it.\n"
	 "  --if-exists    succeed if there is no such bridge",
	 parse_named, &n_bridge},
	{"bridge", "set", NULL, "bridge-set", VSWCTL_OUT_NONE, 0, "bridge set NAME KEY=VALUE...",
	 "Change a bridge's aging, move_damp and move_damp_s at run time; max_macs can only\n"
	 "grow. Keys as for `bridge add`.",
	 parse_named, &n_bridge_set},
	{"bridge", "show", "list", "bridge-list", VSWCTL_OUT_BRIDGES, 0, "bridge show [NAME]",
	 "List bridges (or one) with their settings, ports, MAC counts and learning\n"
	 "counters. Alias: bridge list.",
	 parse_named, &n_bridge_opt},
	{"port", "add", NULL, "port-add", VSWCTL_OUT_NONE, F_MAY_EXIST,
	 "port add NAME TYPE [KEY=VALUE...] [--may-exist]",
	 "Create a port. storm_pps=N (flooded frames per second accepted, 0 = unlimited),\n"
	 "storm_burst=N and max_macs=N (learned MACs from this port, 0 = bridge limit only)\n"
	 "are port settings; every other KEY=VALUE is an option of the type:\n"
	 "  pcap        rx_pcap=FILE tx_pcap=FILE rx_iface=IF rx_iface_in=IF tx_iface=IF\n"
	 "              infinite_rx=true|false\n"
	 "  null        rx=true|false size=N queues=N\n"
	 "  ring        (none)\n"
	 "  af_packet   iface=IF qpairs=N\n"
	 "  tap         iface=IF queues=N\n"
	 "  vhost-user  socket=PATH mode=server|client queues=N\n"
	 "              owner=USER group=GROUP perm=MODE (server mode: the socket file)\n"
	 "true/false are sent as booleans, qpairs/queues/size as numbers, the rest as text.\n"
	 "  --may-exist    succeed if the port already exists (its settings are not changed)",
	 parse_port_add},
	{"port", "del", NULL, "port-del", VSWCTL_OUT_NONE, F_IF_EXISTS,
	 "port del NAME [--if-exists]",
	 "Delete a port, detaching it from its bridge first (its MACs are flushed).\n"
	 "  --if-exists    succeed if there is no such port",
	 parse_named, &n_port},
	{"port", "set", NULL, "port-set", VSWCTL_OUT_NONE, 0, "port set NAME KEY=VALUE...",
	 "Change a port's storm_pps, storm_burst or max_macs at run time.", parse_named,
	 &n_port_set},
	{"port", "show", "list", "port-list", VSWCTL_OUT_PORTS, 0, "port show [NAME]",
	 "List ports (or one) with type, link, bridge, VLAN setup, worker and options.\n"
	 "Alias: port list.",
	 parse_named, &n_port_opt},
	{"port", "attach", NULL, "port-attach", VSWCTL_OUT_NONE, 0,
	 "port attach PORT BRIDGE [vlan=N | trunk=LIST [native=N]]",
	 "Attach a port to a bridge, or change its VLAN setup in place (its learned MACs\n"
	 "are flushed).\n"
	 "  vlan=N         access port: untagged frames belong to VLAN N (default 1)\n"
	 "  trunk=LIST     802.1Q trunk carrying LIST, e.g. 10,20-30\n"
	 "  native=N       VLAN of the trunk's untagged frames (default 0: drop them)",
	 parse_attach},
	{"port", "detach", NULL, "port-detach", VSWCTL_OUT_NONE, 0, "port detach PORT",
	 "Detach a port from its bridge (its MACs are flushed).", parse_named, &n_detach},
	{"fdb", "add", NULL, "fdb-add", VSWCTL_OUT_NONE, 0, "fdb add BRIDGE MAC PORT [vlan=N]",
	 "Add a static MAC entry (never ages, never moves, replaces a learned one).\n"
	 "VLAN defaults to 1.",
	 parse_fdb_add},
	{"fdb", "del", NULL, "fdb-del", VSWCTL_OUT_NONE, F_IF_EXISTS,
	 "fdb del BRIDGE MAC [vlan=N] [--if-exists]",
	 "Remove a static or learned MAC entry. VLAN defaults to 1.\n"
	 "  --if-exists    succeed if there is no such entry",
	 parse_fdb_del},
	{"fdb", "show", "list", "fdb-show", VSWCTL_OUT_FDB, 0, "fdb show BRIDGE [port=P] [vlan=N]",
	 "List a bridge's MAC table, sorted by VLAN then MAC; AGE is seconds since the\n"
	 "MAC was last seen. Alias: fdb list.",
	 parse_fdb_show},
	{"fdb", "flush", NULL, "fdb-flush", VSWCTL_OUT_FLUSH, 0,
	 "fdb flush BRIDGE [port=P] [vlan=N] [static]",
	 "Remove learned MACs (of one port or VLAN); `static` removes static entries too.",
	 parse_fdb_flush},
	{"stats", "show", NULL, "stats", VSWCTL_OUT_STATS, 0, "stats [show] [PORT]",
	 "Packet, byte and drop counters per port, then the non-zero drop reasons.\n"
	 "(`stats show clear` shows a port named \"clear\".)",
	 parse_named, &n_stats},
	{"stats", NULL, NULL, "stats", VSWCTL_OUT_STATS, 0, NULL, NULL, parse_named, &n_stats},
	{"stats", "clear", NULL, "stats-clear", VSWCTL_OUT_NONE, 0, "stats clear [PORT]",
	 "Zero the counters of one port or of all ports.", parse_named, &n_stats},
	{"drop-reasons", NULL, NULL, "drop-reasons", VSWCTL_OUT_DROP_REASONS, 0, "drop-reasons",
	 "List every reason the dataplane counts a dropped frame under.", NULL},
	{"flow", "add", NULL, "flow-add", VSWCTL_OUT_FLOW_IDS, 0,
	 "flow add BRIDGE [name=NAME] [priority=N] [FIELD=VALUE...] actions=ACTION[,ACTION...]",
	 "Add a rule to a bridge's flow table, tried before MAC learning; prints its id.\n"
	 "Higher priority (0..65535, default 32768) wins. Match fields (all optional):\n"
	 "  in_port=PORT vlan=N eth_src=MAC[/MASK] eth_dst=MAC[/MASK] eth_type=ipv4|ipv6|arp|N\n"
	 "  ip_src=PREFIX ip_dst=PREFIX (v4 or v6) ip_proto=tcp|udp|icmp|icmpv6|sctp|N\n"
	 "  l4_src=N l4_dst=N, or tcp_dst=N udp_dst=N ... (these set ip_proto too)\n"
	 "ip_proto needs eth_type or an IP prefix; ports need ip_proto tcp, udp or sctp.\n"
	 "Actions, in order: count, set_vlan:N, push_vlan:N, pop_vlan, mirror:PORT, then at\n"
	 "most one of drop, output:PORT, flood, normal (default: normal, the learning bridge).",
	 parse_flow_add},
	{"flow", "del", NULL, "flow-del", VSWCTL_OUT_FLOW_DEL, F_IF_EXISTS,
	 "flow del BRIDGE id=N | name=NAME | all [--if-exists]",
	 "Delete one flow rule, or all of a bridge's.\n"
	 "  --if-exists    succeed if there is no such rule",
	 parse_flow_del},
	{"flow", "mod", NULL, "flow-mod", VSWCTL_OUT_NONE, 0,
	 "flow mod BRIDGE id=N|name=NAME actions=... [priority=N]",
	 "Replace a rule's actions (and priority); its counters carry on.", parse_flow_mod},
	{"flow", "show", "dump", "flow-dump", VSWCTL_OUT_FLOWS, 0, "flow show BRIDGE",
	 "List a bridge's flow rules in the order they are tried, with packet and byte\n"
	 "counters. Alias: flow dump.",
	 parse_flow_show},
	{"vtep", "add", NULL, "vtep-add", VSWCTL_OUT_NONE, F_MAY_EXIST,
	 "vtep add NAME PORT IP[/LEN] [gateway=IP] [udp_port=N] [mtu=N] [ttl=N] [mac=MAC]\n"
	 "           [--may-exist]",
	 "Make PORT (a port in no bridge) the underlay of a VXLAN tunnel end point with\n"
	 "address IP (IPv4 or IPv6) on subnet /LEN (default 24, or 64 for IPv6). It answers\n"
	 "ARP (IPv6: neighbour solicitations) for IP and resolves its next hops so (remotes\n"
	 "on the subnet, else gateway=IP). Its remotes and gateway are of IP's family.\n"
	 "  udp_port=N     VXLAN UDP port (default 4789)\n"
	 "  mtu=N          underlay IP MTU (576..9216, IPv6 1280..9216, default 1500):\n"
	 "                 bigger frames are dropped as vxlan_mtu_exceeded, never\n"
	 "                 fragmented (outer headers: 50 bytes, 70 over IPv6)\n"
	 "  ttl=N          outer TTL or IPv6 hop limit (default 64)\n"
	 "  mac=MAC        source MAC on the underlay (default: the port's own)",
	 parse_vtep_add},
	{"vtep", "del", NULL, "vtep-del", VSWCTL_OUT_NONE, F_IF_EXISTS,
	 "vtep del NAME [--if-exists]", "Delete a VTEP (refused while remotes use it).",
	 parse_named, &n_vtep},
	{"vtep", "show", "list", "vtep-list", VSWCTL_OUT_VTEPS, 0, "vtep show [NAME]",
	 "VTEPs with their underlay counters and drops, next hops (ARP/ND state) and remote\n"
	 "VTEPs per VNI with their tunnel port's counters and the MTU a dropped frame needed.",
	 parse_named, &n_vtep_opt},
	{"vtep", "remote-add", NULL, "vtep-remote-add", VSWCTL_OUT_NONE, F_MAY_EXIST,
	 "vtep remote-add BRIDGE IP [vtep=NAME] [port=NAME] [vlan=N] [--may-exist]",
	 "Add remote VTEP IP to the flood list of BRIDGE's VNI (bridge set BRIDGE vni=N):\n"
	 "a tunnel port (default name vx<VNI>-<IP>, an IPv6 address with '_' for ':')\n"
	 "joins the bridge as an access port of VLAN N (default 1). Its MACs show in\n"
	 "`fdb show` as PORT@IP.",
	 parse_vtep_remote},
	{"vtep", "remote-del", NULL, "vtep-remote-del", VSWCTL_OUT_NONE, F_IF_EXISTS,
	 "vtep remote-del BRIDGE IP [--if-exists]",
	 "Remove a remote VTEP and its tunnel port (its MACs go).", parse_vtep_remote},
	{"vtep", "neigh-add", NULL, "vtep-neigh-add", VSWCTL_OUT_NONE, 0,
	 "vtep neigh-add VTEP IP MAC", "A static next hop: never asked by ARP or ND, never aged.",
	 parse_vtep_neigh},
	{"vtep", "neigh-del", NULL, "vtep-neigh-del", VSWCTL_OUT_NONE, F_IF_EXISTS,
	 "vtep neigh-del VTEP IP [--if-exists]", "Back to ARP or ND for a static next hop.",
	 parse_vtep_neigh},
	{"raw", NULL, NULL, NULL, VSWCTL_OUT_NONE, 0, "raw JSON",
	 "Send JSON as one request line, unchanged, and print the reply line. Exit status\n"
	 "is 0 when the reply's status is 0. For tests and debugging.",
	 parse_raw},
};
#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static bool is_help(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}

static bool obj_known(const char *obj)
{
	size_t i;

	for (i = 0; i < N_CMDS; i++)
		if (strcmp(cmds[i].obj, obj) == 0)
			return true;
	return false;
}

/* "bridge show" or "bridge list", else "stats" alone; *used = words consumed. */
static const struct cmd *cmd_lookup(int argc, char **argv, int *used)
{
	const struct cmd *alone = NULL;
	size_t i;

	for (i = 0; i < N_CMDS; i++) {
		const struct cmd *c = &cmds[i];

		if (strcmp(c->obj, argv[0]) != 0)
			continue;
		if (c->verb == NULL) {
			alone = c;
			continue;
		}
		if (argc > 1 && (strcmp(c->verb, argv[1]) == 0 ||
				 (c->alias != NULL && strcmp(c->alias, argv[1]) == 0))) {
			*used = 2;
			return c;
		}
	}
	*used = 1;
	return alone;
}

/* A group's verbs, "add, del, set, show", for error messages. */
static void verb_list(const char *obj, char *buf, size_t size)
{
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < N_CMDS && off < size; i++) {
		if (strcmp(cmds[i].obj, obj) != 0 || cmds[i].verb == NULL)
			continue;
		n = snprintf(buf + off, size - off, "%s%s", off ? ", " : "", cmds[i].verb);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static void cmd_help(FILE *out, const struct cmd *c)
{
	/* The "stats" entry without a verb shares "stats show"'s text, just before it. */
	if (c->synopsis == NULL)
		c = c - 1;
	fprintf(out, "usage: vswctl [OPTIONS] %s\n\n%s\n", c->synopsis, c->help);
}

void vswctl_usage(FILE *out)
{
	size_t i;

	fputs("usage: vswctl [OPTIONS] COMMAND [ARG...]\n"
	      "Configure and inspect vsw-dataplane through its control socket.\n"
	      "\n"
	      "Options:\n"
	      "  -s, --socket PATH   control socket (default $VSW_SOCKET, else " VSW_DATAPLANE_SOCK
	      ")\n"
	      "  -j, --json          print the result as JSON (indented, keys sorted)\n"
	      "  -t, --timeout SEC   give up after SEC seconds (default 10; 0 = wait forever)\n"
	      "  --controller PATH   vsw-controller's socket, for apply, show and export, and\n"
	      "                      for the commands that change the switch when it manages\n"
	      "                      this dataplane (default $VSW_CONTROLLER_SOCKET, else\n"
	      "                      " VSW_CONTROLLER_SOCK_DEFAULT ")\n"
	      "  --direct            send changes to the dataplane alone, even when a controller\n"
	      "                      manages it (they are not kept: a reconcile may undo them)\n"
	      "  -h, --help          this text; `vswctl COMMAND --help` explains one command\n"
	      "  -V, --version       print vswctl's version\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (i = 0; i < N_CMDS; i++)
		if (cmds[i].synopsis != NULL)
			fprintf(out, "  %s\n", cmds[i].synopsis);
	fputs("  check -f FILE [-j]\n", out); /* tools/vswctl_check.c */
	fputs("  apply -f FILE [--dry-run] [--detailed-exitcode]\n"
	      "  show\n"
	      "  export\n",
	      out); /* tools/vswctl_ctrl.c, through vsw-controller */
	fputs("  capture PORT [-i rx|tx|both] [-w FILE|-] [-c N] [-G SEC] [--pcap] [FILTER...]\n"
	      "  capture --drops [PORT|any] [-w FILE|-] [FILTER...] | capture list | stop ID\n"
	      "  capture record start BRIDGE -w FILE [-C SIZE] [-W N] | record stop|list\n"
	      "  trace PORT [-c N] [FILTER...] | trace --packet in_port=P,dl_src=M,dl_dst=M\n",
	      out); /* tools/vswctl_capture.c */
	fputs("\n"
	      "When a vsw-controller manages the dataplane, bridge, port, fdb add/del and flow\n"
	      "add/del/mod changes go to it: it keeps them as desired state (they show in\n"
	      "`vswctl export` and survive a dataplane restart); so do vtep changes (the\n"
	      "topology's overlay: section). Without one they go to the dataplane.\n"
	      "Exit status: 0 success, 1 the switch refused or could not be reached, 2 the\n"
	      "command line is wrong (nothing was sent).\n",
	      out);
}

/* Help text into req->help: the whole usage, one group's commands, or one command. */
static int set_help(struct vswctl_req *req, const char *obj, const struct cmd *cmd, char *err,
		    size_t errsz)
{
	size_t size = 0, i;
	bool first = true;
	FILE *f;

	f = open_memstream(&req->help, &size);
	if (f == NULL) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	if (cmd != NULL) {
		cmd_help(f, cmd);
	} else if (obj != NULL) {
		for (i = 0; i < N_CMDS; i++) {
			if (strcmp(cmds[i].obj, obj) != 0 || cmds[i].synopsis == NULL)
				continue;
			if (!first)
				fputc('\n', f);
			cmd_help(f, &cmds[i]);
			first = false;
		}
	} else {
		vswctl_usage(f);
	}
	if (fclose(f) != 0) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

void vswctl_req_clear(struct vswctl_req *req)
{
	json_decref(req->args);
	free(req->help);
	memset(req, 0, sizeof(*req));
}

int vswctl_parse(int argc, char **argv, struct vswctl_req *req, char *err, size_t errsz)
{
	const struct cmd *cmd;
	char **rest = NULL;
	char verbs[128];
	int used, n = 0, i, rc;

	memset(req, 0, sizeof(*req));
	snprintf(req->hint, sizeof(req->hint), "vswctl --help");
	if (argc < 1)
		return usage(err, errsz, NULL, "missing command");
	if (is_help(argv[0]) || strcmp(argv[0], "help") == 0) {
		if (argc > 1 && obj_known(argv[1])) {
			cmd = cmd_lookup(argc - 1, argv + 1, &used);
			if (cmd != NULL && (used == 2 || cmd->verb == NULL))
				return set_help(req, NULL, cmd, err, errsz);
			return set_help(req, argv[1], NULL, err, errsz);
		}
		return set_help(req, NULL, NULL, err, errsz);
	}
	if (!obj_known(argv[0]))
		return usage(err, errsz, NULL, "unknown command \"%s\"", argv[0]);
	cmd = cmd_lookup(argc, argv, &used);
	if (cmd == NULL) {
		if (argc > 1 && is_help(argv[1]))
			return set_help(req, argv[0], NULL, err, errsz);
		snprintf(req->hint, sizeof(req->hint), "vswctl %s --help", argv[0]);
		verb_list(argv[0], verbs, sizeof(verbs));
		if (argc < 2)
			return usage(err, errsz, NULL, "%s: missing subcommand (%s)", argv[0],
				     verbs);
		return usage(err, errsz, NULL, "%s: unknown subcommand \"%s\" (expected %s)",
			     argv[0], argv[1], verbs);
	}
	snprintf(req->hint, sizeof(req->hint), "vswctl %s%s%s --help", cmd->obj,
		 used == 2 ? " " : "", used == 2 ? argv[1] : "");
	req->cmd = cmd->wire;
	req->out = cmd->out;

	rest = calloc((size_t)argc, sizeof(*rest));
	if (rest == NULL) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	for (i = used; i < argc; i++) {
		if (is_help(argv[i])) {
			rc = set_help(req, NULL, cmd, err, errsz);
			goto out;
		} else if (strcmp(argv[i], "--may-exist") == 0) {
			if (!(cmd->flags & F_MAY_EXIST)) {
				rc = usage(err, errsz, cmd, "--may-exist does not apply here");
				goto out;
			}
			req->ok_status = EEXIST;
		} else if (strcmp(argv[i], "--if-exists") == 0) {
			if (!(cmd->flags & F_IF_EXISTS)) {
				rc = usage(err, errsz, cmd, "--if-exists does not apply here");
				goto out;
			}
			req->ok_status = ENOENT;
		} else if (strncmp(argv[i], "--", 2) == 0 && cmd->parse != parse_raw) {
			rc = usage(err, errsz, cmd, "unknown option \"%s\"", argv[i]);
			goto out;
		} else {
			rest[n++] = argv[i];
		}
	}
	if (cmd->parse == NULL) {
		rc = n ? usage(err, errsz, cmd, "takes no arguments (got \"%s\")", rest[0]) : 0;
		goto out;
	}
	req->args = json_object();
	if (req->args == NULL) {
		snprintf(err, errsz, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	rc = cmd->parse(cmd, n, rest, req, err, errsz);
	/* An empty args object says nothing; leave it out as the protocol allows. */
	if (rc == 0 && req->args != NULL && json_object_size(req->args) == 0) {
		json_decref(req->args);
		req->args = NULL;
	}
out:
	free(rest);
	return rc;
}

/* SEC may have a fraction; 0 means wait forever. */
static int parse_timeout(const char *s, int *ms)
{
	char *end;
	double sec;

	errno = 0;
	sec = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(sec >= 0) || sec > 86400)
		return -EINVAL;
	*ms = (int)(sec * 1000 + 0.5);
	if (sec > 0 && *ms == 0)
		*ms = 1;
	return 0;
}

static int usage_exit(FILE *errf, const char *msg, const char *hint)
{
	fprintf(errf, "vswctl: %s\nTry '%s' for more information.\n", msg, hint);
	return VSWCTL_EXIT_USAGE;
}

/* raw: print the reply line as it came; success only if it parses with status 0. */
/* A call whose failure only loses the hints: 0 when it answered with a result. */
static int hint_call(struct vsw_client *c, const char *cmd, json_t *args, struct vsw_reply *r)
{
	char err[256];

	if (vsw_client_call(c, cmd, args, r, err, sizeof(err)) < 0)
		return -EIO;
	return r->status == 0 && r->result != NULL ? 0 : -EIO;
}

/*
 * After `stats` showed tx_full drops: watch the same ports for VSWCTL_HINT_WINDOW_MS and
 * say, for each whose tx_full still grows, whether the switch or the receiver is the
 * bottleneck (vswctl_print_tx_full_hints). Old drops alone prove nothing about now, hence
 * a fresh window; the info call before it starts the workers' busy window.
 */
static void stats_hints(struct vsw_client *c, json_t *args, FILE *out)
{
	struct vsw_reply info0 = {0}, before = {0}, after = {0}, info1 = {0}, ports = {0};
	struct timespec ts = {
		.tv_sec = VSWCTL_HINT_WINDOW_MS / 1000,
		.tv_nsec = (VSWCTL_HINT_WINDOW_MS % 1000) * 1000000L,
	};

	if (hint_call(c, "info", NULL, &info0) < 0 || hint_call(c, "stats", args, &before) < 0)
		goto out;
	nanosleep(&ts, NULL);
	if (hint_call(c, "stats", args, &after) < 0 || hint_call(c, "info", NULL, &info1) < 0 ||
	    hint_call(c, "port-list", NULL, &ports) < 0)
		goto out;
	vswctl_print_tx_full_hints(out, ports.result, before.result, after.result, info1.result,
				   VSWCTL_HINT_WINDOW_MS / 1000.0);
out:
	vsw_reply_clear(&ports);
	vsw_reply_clear(&info1);
	vsw_reply_clear(&after);
	vsw_reply_clear(&before);
	vsw_reply_clear(&info0);
}

static int run_raw(struct vsw_client *c, const char *line, FILE *out, FILE *errf)
{
	struct vsw_reply r;
	char *reply = NULL;
	char err[512];
	int rc;

	rc = vsw_client_raw(c, line, &reply, err, sizeof(err));
	if (rc < 0) {
		fprintf(errf, "vswctl: %s\n", err);
		return VSWCTL_EXIT_FAIL;
	}
	fprintf(out, "%s\n", reply);
	rc = vsw_reply_parse(reply, strlen(reply), -1, &r, err, sizeof(err));
	free(reply);
	if (rc < 0) {
		fprintf(errf, "vswctl: %s\n", err);
		return VSWCTL_EXIT_FAIL;
	}
	rc = r.status == 0 ? VSWCTL_EXIT_OK : VSWCTL_EXIT_FAIL;
	vsw_reply_clear(&r);
	return rc;
}

/* Changes a controller keeps as desired state (control/imperative.c), when it manages the
 * dataplane we talk to. The read-only commands, fdb-flush, stats-clear, captures and raw
 * always go to the dataplane. */
static bool ctrl_kept(const char *cmd)
{
	static const char *const kept[] = {
		"bridge-add",	   "bridge-del",     "bridge-set",     "port-add",
		"port-del",	   "port-set",	     "port-attach",    "port-detach",
		"fdb-add",	   "fdb-del",	     "flow-add",       "flow-del",
		"flow-mod",	   "vtep-add",	     "vtep-del",       "vtep-remote-add",
		"vtep-remote-del", "vtep-neigh-add", "vtep-neigh-del",
	};

	for (size_t i = 0; cmd != NULL && i < sizeof(kept) / sizeof(kept[0]); i++)
		if (strcmp(kept[i], cmd) == 0)
			return true;
	return false;
}

static bool same_socket(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (strcmp(a, b) == 0)
		return true;
	return realpath(a, ra) != NULL && realpath(b, rb) != NULL && strcmp(ra, rb) == 0;
}

/* The checks' errors of a refused edit, as `vswctl apply` prints a file's. */
static void print_edit_errors(FILE *errf, json_t *errors)
{
	json_t *e;
	size_t i;

	json_array_foreach(errors, i, e) {
		const char *path = json_string_value(json_object_get(e, "path"));

		fprintf(errf, "%s: error: %s%s%s\n",
			json_string_value(json_object_get(e, "file")) ?: "?", path ? path : "",
			path && path[0] ? ": " : "",
			json_string_value(json_object_get(e, "message")) ?: "?");
	}
}

#define NOT_MANAGED (-1)
#define EDIT_TIMEOUT_MS 60000 /* a change may create ports; -t overrides it */

/* The command words as typed, for the controller to name its errors with: "port attach
 * p1 br0 vlan=10". A word with a blank or a quote in it (a capture filter) is quoted. */
static void words_join(int n, char **words, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && off + 1 < size; i++) {
		bool quote = words[i][0] == '\0' || strpbrk(words[i], " \t\"'") != NULL;
		int k = snprintf(buf + off, size - off, "%s%s%s%s", i ? " " : "", quote ? "'" : "",
				 words[i], quote ? "'" : "");

		if (k < 0)
			break;
		off += (size_t)k < size - off ? (size_t)k : size - off - 1;
	}
}

/*
 * Send a change to the controller as an `edit` request, when a controller answers at csock
 * and manages the dataplane at dsock. Returns the exit code, or NOT_MANAGED when there is
 * no such controller (the caller then talks to the dataplane): silently, unless the
 * controller was named with --controller, which then must answer and manage it.
 */
static int via_controller(const char *csock, bool named, const char *dsock, int timeout_ms,
			  bool json, const struct vswctl_req *req, const char *source, FILE *out,
			  FILE *errf)
{
	struct vsw_reply info = {0}, r = {0};
	struct vsw_client *c;
	const char *dps;
	json_t *args;
	char err[1024];
	int rc, ret = VSWCTL_EXIT_FAIL;

	c = vsw_client_connect(csock, timeout_ms, err, sizeof(err));
	if (c == NULL) {
		if (!named)
			return NOT_MANAGED;
		fprintf(errf,
			"vswctl: %s (is vsw-controller running? --direct talks to the "
			"dataplane alone)\n",
			err);
		return VSWCTL_EXIT_FAIL;
	}
	rc = vsw_client_call(c, "info", NULL, &info, err, sizeof(err));
	if (rc < 0 || info.status != 0) {
		fprintf(errf,
			"vswctl: the controller at %s does not answer: %s (--direct talks to "
			"the dataplane alone)\n",
			csock, rc < 0 ? err : info.error);
		goto out;
	}
	dps = json_string_value(json_object_get(info.result, "dataplane_socket"));
	if (dps == NULL || !same_socket(dps, dsock)) {
		if (!named) {
			ret = NOT_MANAGED;
			goto out;
		}
		fprintf(errf,
			"vswctl: the controller at %s manages the dataplane at %s, not %s "
			"(-s PATH; --direct talks to the dataplane alone)\n",
			csock, dps ? dps : "?", dsock);
		goto out;
	}
	args = json_pack("{s:s, s:b, s:b, s:s}", "cmd", req->cmd, "may_exist",
			 req->ok_status == EEXIST, "if_exists", req->ok_status == ENOENT, "source",
			 source);
	if (args == NULL || (req->args != NULL && json_object_set(args, "args", req->args) < 0)) {
		json_decref(args);
		fprintf(errf, "vswctl: out of memory\n");
		goto out;
	}
	rc = vsw_client_call(c, "edit", args, &r, err, sizeof(err));
	json_decref(args);
	if (rc < 0) {
		fprintf(errf, "vswctl: %s\n", err);
		goto out;
	}
	if (r.status != 0) {
		if (r.status == req->ok_status) {
			ret = VSWCTL_EXIT_OK;
		} else {
			print_edit_errors(errf, json_object_get(r.msg, "errors"));
			fprintf(errf, "vswctl: %s\n", r.error);
		}
		goto out;
	}
	rc = 0;
	if (json)
		rc = vswctl_print_json(out, r.result);
	else if (req->out != VSWCTL_OUT_NONE &&
		 !(req->out == VSWCTL_OUT_FLOW_IDS && json_object_get(r.result, "ids") == NULL) &&
		 !(req->out == VSWCTL_OUT_FLOW_DEL && json_object_get(r.result, "deleted") == NULL))
		rc = vswctl_print(out, req->out, r.result, err, sizeof(err));
	if (rc < 0)
		fprintf(errf, "vswctl: %s\n", json ? strerror(-rc) : err);
	else
		ret = VSWCTL_EXIT_OK;
out:
	vsw_reply_clear(&r);
	vsw_reply_clear(&info);
	vsw_client_close(c);
	return ret;
}

int vswctl_main(int argc, char **argv, FILE *out, FILE *errf)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"controller", required_argument, NULL, 'C'},
		{"direct", no_argument, NULL, 'D'},
		{NULL, 0, NULL, 0},
	};
	struct vswctl_ctrl_opts copts = {.sock = getenv("VSW_CONTROLLER_SOCKET")};
	const char *sock = getenv("VSW_SOCKET");
	int timeout_ms = DEFAULT_TIMEOUT_MS;
	struct vsw_client *c = NULL;
	struct vswctl_req req;
	struct vsw_reply r;
	bool json = false, direct = false, ctrl_named = false;
	char **words = NULL;
	int n_words = 0;
	char err[1024];
	int opt, rc, ret;

	if (sock == NULL || *sock == '\0')
		sock = VSW_DATAPLANE_SOCK;
	optind = 0; /* glibc: start over, so tests can call us more than once */
	opterr = 0; /* our own messages, to errf */
	/* '+': options end at the command, whose own words may start with "--". */
	while ((opt = getopt_long(argc, argv, "+:s:jt:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'C':
			copts.sock = optarg;
			ctrl_named = true;
			break;
		case 'D':
			direct = true;
			break;
		case 't':
			copts.timeout_set = true;
			if (parse_timeout(optarg, &timeout_ms) < 0) {
				snprintf(err, sizeof(err),
					 "invalid timeout \"%s\" (seconds, 0 to 86400)", optarg);
				return usage_exit(errf, err, "vswctl --help");
			}
			break;
		case 'h':
			vswctl_usage(out);
			return VSWCTL_EXIT_OK;
		case 'V':
			fprintf(out, "vswctl %s (protocol %d)\n", VSW_VERSION, VSW_PROTO_VERSION);
			return VSWCTL_EXIT_OK;
		case ':':
			snprintf(err, sizeof(err), "option %s needs a value", argv[optind - 1]);
			return usage_exit(errf, err, "vswctl --help");
		default:
			snprintf(err, sizeof(err), "unknown option \"%s\"", argv[optind - 1]);
			return usage_exit(errf, err, "vswctl --help");
		}
	}

	/* check reads a file and never the socket: config/ does the work. */
	if (optind < argc && strcmp(argv[optind], "check") == 0)
		return vswctl_check(argc - optind, argv + optind, json, out, errf);

	/* apply, show, export: requests to vsw-controller (vswctl_ctrl.c) */
	if (optind < argc && vswctl_ctrl_is_cmd(argv[optind])) {
		if (copts.sock == NULL || *copts.sock == '\0')
			copts.sock = VSW_CONTROLLER_SOCK_DEFAULT;
		copts.json = json;
		copts.timeout_ms = timeout_ms;
		return vswctl_ctrl_main(argc - optind, argv + optind, &copts, out, errf);
	}

	/* not one request and one reply: it streams until stopped (vswctl_capture.c) */
	if (optind < argc && strcmp(argv[optind], "capture") == 0)
		return vswctl_capture_main(sock, timeout_ms, json, argc - optind, argv + optind,
					   out, errf);
	if (optind < argc && strcmp(argv[optind], "trace") == 0)
		return vswctl_trace_main(sock, timeout_ms, json, argc - optind, argv + optind, out,
					 errf);

	/* --direct may also follow the command words, as --may-exist does */
	words = calloc((size_t)(argc - optind) + 1, sizeof(*words));
	if (words == NULL) {
		fprintf(errf, "vswctl: out of memory\n");
		return VSWCTL_EXIT_FAIL;
	}
	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "--direct") == 0)
			direct = true;
		else
			words[n_words++] = argv[i];
	}
	rc = vswctl_parse(n_words, words, &req, err, sizeof(err));
	if (rc == -EINVAL) {
		ret = usage_exit(errf, err, req.hint);
		goto out_req;
	}
	if (rc < 0) {
		fprintf(errf, "vswctl: %s\n", err);
		ret = VSWCTL_EXIT_FAIL;
		goto out_req;
	}
	if (req.help != NULL) {
		fputs(req.help, out);
		ret = VSWCTL_EXIT_OK;
		goto out_req;
	}
	if (!direct && req.raw == NULL && ctrl_kept(req.cmd)) {
		char source[256];

		if (copts.sock == NULL || *copts.sock == '\0')
			copts.sock = VSW_CONTROLLER_SOCK_DEFAULT;
		words_join(n_words, words, source, sizeof(source));
		ret = via_controller(copts.sock, ctrl_named, sock,
				     copts.timeout_set ? timeout_ms : EDIT_TIMEOUT_MS, json, &req,
				     source, out, errf);
		if (ret != NOT_MANAGED)
			goto out_req;
	}

	c = vsw_client_connect(sock, timeout_ms, err, sizeof(err));
	if (c == NULL) {
		fprintf(errf, "vswctl: %s\n", err);
		ret = VSWCTL_EXIT_FAIL;
		goto out_req;
	}
	if (req.raw != NULL) {
		ret = run_raw(c, req.raw, out, errf);
		goto out_close;
	}
	rc = vsw_client_call(c, req.cmd, req.args, &r, err, sizeof(err));
	if (rc < 0) {
		fprintf(errf, "vswctl: %s\n", err);
		ret = VSWCTL_EXIT_FAIL;
		goto out_close;
	}
	if (r.status != 0) {
		if (r.status == req.ok_status) {
			ret = VSWCTL_EXIT_OK;
		} else {
			fprintf(errf, "vswctl: %s\n", r.error);
			ret = VSWCTL_EXIT_FAIL;
		}
		goto out_reply;
	}
	if (json) {
		rc = vswctl_print_json(out, r.result);
		if (rc < 0)
			snprintf(err, sizeof(err), "cannot print the result: %s", strerror(-rc));
	} else {
		rc = vswctl_print(out, req.out, r.result, err, sizeof(err));
		if (rc == 0 && req.out == VSWCTL_OUT_STATS && vswctl_tx_full_total(r.result) > 0)
			stats_hints(c, req.args, out);
	}
	if (rc < 0) {
		fprintf(errf, "vswctl: %s\n", err);
		ret = VSWCTL_EXIT_FAIL;
	} else {
		ret = VSWCTL_EXIT_OK;
	}
out_reply:
	vsw_reply_clear(&r);
out_close:
	vsw_client_close(c);
out_req:
	vswctl_req_clear(&req);
	free(words);
	return ret;
}
